//! Syntax errors: positions and messages.

use super::{assert_error, error};

#[test]
fn error_missing_colon_after_property() {
    assert_error(
        "interface A {\n  foo\n}",
        3,
        1,
        "expected `:` after property name `foo`, found `}`",
    );
    assert_error(
        "interface A {\n  foo string\n}",
        2,
        7,
        "expected `:` after property name `foo`, found `string`",
    );
}

#[test]
fn error_missing_type() {
    assert_error("interface A {\n  foo: }", 2, 8, "expected a type, found `}`");
    assert_error(
        "interface A {\n  foo: string |\n}",
        3,
        1,
        "expected a type, found `}`",
    );
}

#[test]
fn error_two_members_on_one_line() {
    assert_error(
        "interface A {\n  a: string b: number\n}",
        2,
        13,
        "expected `;`, `,`, a line break or `}` after property `a`, found `b`",
    );
}

#[test]
fn error_unclosed_braces() {
    assert_error(
        "interface A {\n  a: string\n",
        3,
        1,
        "expected `}` to close interface `A` (opened at line 1, column 13), found the end of the TypeScript code",
    );
    assert_error(
        "namespace N.M {\n  interface A {}\n",
        3,
        1,
        "expected `}` to close namespace `N.M` (opened at line 1, column 15), found the end of the TypeScript code",
    );
    assert_error(
        "interface A {\n  a: {\n    b: string\n}",
        4,
        2,
        "expected `}` to close interface `A` (opened at line 1, column 13), found the end of the TypeScript code",
    );
}

#[test]
fn error_tokenizer_problems() {
    assert_error(
        "interface A {\n  a: 'abc\n}",
        2,
        6,
        "unterminated string literal: the `'` has no closing `'` on its line",
    );
    assert_error(
        "interface A {\n  /** doc\n  a: string\n}",
        2,
        3,
        "unterminated doc comment: `/**` has no closing `*/`",
    );
    assert_error(
        "interface A {\n  a: `x`\n}",
        2,
        6,
        "template literals are not supported",
    );
    assert_error(
        "interface A {\n  a: '\\x4'\n}",
        2,
        7,
        "invalid escape sequence: `\\x` must be followed by two hex digits",
    );
    assert_error(
        "interface A {\n  a: 1abc\n}",
        2,
        6,
        "invalid number literal `1abc`",
    );
    assert_error("interface A {\n  a: #\n}", 2, 6, "expected a type, found `#`");
}

#[test]
fn error_unsupported_constructs() {
    assert_error(
        "type A = string",
        1,
        1,
        "unsupported declaration `type`: only `namespace`, `interface` and `var` declarations are understood",
    );
    assert_error(
        "export enum E { A }",
        1,
        8,
        "unsupported declaration `enum`: only `namespace`, `interface` and `var` declarations are understood",
    );
    assert_error(
        "interface A<T {}",
        1,
        15,
        "expected `>` to close the type parameters of interface `A`, found `{`",
    );
    assert_error(
        "interface A { a: B & C }",
        1,
        20,
        "intersection types (`&`) are not supported",
    );
    assert_error(
        "interface A { a: (x: string) => void }",
        1,
        20,
        "expected `)` to close the parenthesized type opened at line 1, column 18, found `:`",
    );
    assert_error(
        "interface A { a?(): void }",
        1,
        17,
        "optional methods are not supported (`a?`)",
    );
    assert_error(
        "interface A { f(...rest: string[]): void }",
        1,
        17,
        "rest parameters (`...`) are not supported",
    );
    assert_error(
        "export var x = 1",
        1,
        14,
        "initializers are not supported: declare `x` with `: Type` only",
    );
    assert_error(
        "export var x",
        1,
        13,
        "expected `:` and a type after variable `x`, found the end of the TypeScript code",
    );
    assert_error(
        "wxpay.v3.foo()",
        1,
        1,
        "expected a declaration (`namespace`, `interface`, `var` or `import`), found `wxpay`",
    );
    assert_error(
        "interface A { a: keyof B }",
        1,
        18,
        "type operator `keyof` is not supported",
    );
}

#[test]
fn error_in_method_signatures() {
    assert_error(
        "interface A { post(data: A config: B): R }",
        1,
        28,
        "expected `,` or `)` after parameter `data`, found `config`",
    );
    assert_error(
        "interface A { post(data: A): }",
        1,
        30,
        "expected a type, found `}`",
    );
    assert_error(
        "interface A { post(data: A) }",
        1,
        29,
        "expected `:` and a return type after the parameters of method `post`, found `}`",
    );
    assert_error(
        "interface A { (data): R }",
        1,
        20,
        "expected `:` after parameter name `data`, found `)`",
    );
    assert_error(
        "interface A { a: P<B C> }",
        1,
        22,
        "expected `,` or `>` in the type arguments of `P` (opened at line 1, column 19), found `C`",
    );
}

#[test]
fn error_stops_at_the_first_problem() {
    let d = error("interface A { a }\ninterface B { b }");
    assert_eq!((d.line, d.column), (1, 17));
}
