//! Unit-style tests of the TypeScript declaration parser: every construct, spans and errors.

use codegen::diag::{Diagnostic, Span};
use codegen::wechat::ts::{
    Doc, DocTag, Interface, Item, MAX_DEPTH, Member, MethodSig, Module, Namespace, Param, Property, Type,
    parse_module,
};

fn parse(src: &str) -> Module {
    parse_module(src, Span::new(1, 1)).unwrap_or_else(|d| panic!("{d:?}\n--- source:\n{src}"))
}

fn error(src: &str) -> Diagnostic {
    match parse_module(src, Span::new(1, 1)) {
        Ok(m) => panic!("expected an error, parsed {m:?}"),
        Err(mut diags) => {
            assert_eq!(diags.len(), 1, "{diags:?}");
            diags.remove(0)
        }
    }
}

fn assert_error(src: &str, line: u32, column: u32, message: &str) {
    let d = error(src);
    assert_eq!(
        (d.line, d.column, d.message.as_str()),
        (line, column, message),
        "source:\n{src}"
    );
}

/// The only interface of `src`.
fn interface(src: &str) -> Interface {
    match parse(src).items.as_slice() {
        [Item::Interface(i)] => i.clone(),
        other => panic!("expected one interface, got {other:?}"),
    }
}

/// The members of `interface X { <body> }`.
fn members(body: &str) -> Vec<Member> {
    interface(&format!("interface X {{\n{body}\n}}")).members
}

/// The properties of `interface X { <body> }`.
fn props(body: &str) -> Vec<Property> {
    members(body)
        .into_iter()
        .map(|m| match m {
            Member::Property(p) => p,
            other => panic!("not a property: {other:?}"),
        })
        .collect()
}

/// The type of `interface X { a: <ty> }`.
fn ty(ty: &str) -> Type {
    let p = props(&format!("a: {ty}"));
    assert_eq!(p.len(), 1, "{p:?}");
    p[0].ty.clone()
}

fn sref(path: &[&str], line: u32, column: u32) -> Type {
    Type::Ref {
        path: path.iter().map(|s| s.to_string()).collect(),
        span: Span::new(line, column),
    }
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

fn strlit(s: &str) -> Type {
    Type::StrLit(s.to_owned())
}

// ---- statements -------------------------------------------------------------------------

#[test]
fn empty_and_comment_only_modules() {
    assert_eq!(parse("").items, []);
    assert_eq!(parse("  \n\n ;; // nothing\n/* still nothing */\n").items, []);
}

#[test]
fn imports_and_reference_directives_are_skipped() {
    let src = r#"/// <reference types="node" />
import { AxiosRequestConfig, AxiosPromise } from 'axios'
import { Multipart } from 'wechatpay-axios-plugin';
import * as fs from "fs"
import Default from 'x'
import 'side-effect'
import type { A } from 'a'
import X = require('x')
import {
  A,
  B,
} from 'multi-line'
export { A, B as C }
export * from 'y'
export as namespace Foo
interface After {}
"#;
    let m = parse(src);
    assert_eq!(m.items.len(), 1, "{m:?}");
    assert!(matches!(&m.items[0], Item::Interface(i) if i.name == "After"));
}

#[test]
fn namespaces_with_dotted_paths_and_nesting() {
    let src = "namespace WeChatPay.OpenAPI.V3 {\n  export declare namespace Inner {\n    export interface A {}\n  }\n}\ndeclare module Mod {}\nexport namespace E {}";
    let m = parse(src);
    assert_eq!(
        m.items,
        [
            Item::Namespace(Namespace {
                path: path(&["WeChatPay", "OpenAPI", "V3"]),
                items: vec![Item::Namespace(Namespace {
                    path: path(&["Inner"]),
                    items: vec![Item::Interface(Interface {
                        name: "A".into(),
                        extends: vec![],
                        members: vec![],
                        doc: None,
                        span: Span::new(3, 22),
                    })],
                    span: Span::new(2, 28),
                })],
                span: Span::new(1, 11),
            }),
            Item::Namespace(Namespace {
                path: path(&["Mod"]),
                items: vec![],
                span: Span::new(6, 16),
            }),
            Item::Namespace(Namespace {
                path: path(&["E"]),
                items: vec![],
                span: Span::new(7, 18),
            }),
        ]
    );
}

#[test]
fn interface_extends() {
    let i = interface("export interface RequestConfig extends AxiosRequestConfig, A.B.C {\n}");
    assert_eq!(i.name, "RequestConfig");
    assert_eq!(i.extends, [path(&["AxiosRequestConfig"]), path(&["A", "B", "C"])]);
    assert_eq!(i.members, []);
    assert_eq!(i.span, Span::new(1, 18));
}

#[test]
fn var_declarations() {
    let src = "export var wxpay: Wechatpay\nexport var baseURL: A.B.RequestConfig['baseURL'];\ndeclare const a: string, b: number\nlet c: boolean";
    let m = parse(src);
    let vars: Vec<_> = m
        .items
        .iter()
        .map(|i| match i {
            Item::Var(v) => (v.name.as_str(), v.ty.clone(), v.span),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        vars,
        [
            ("wxpay", sref(&["Wechatpay"], 1, 19), Span::new(1, 12)),
            (
                "baseURL",
                Type::Indexed {
                    object: Box::new(sref(&["A", "B", "RequestConfig"], 2, 21)),
                    index: Box::new(strlit("baseURL")),
                },
                Span::new(2, 12)
            ),
            ("a", Type::String, Span::new(3, 15)),
            ("b", Type::Number, Span::new(3, 26)),
            ("c", Type::Boolean, Span::new(4, 5)),
        ]
    );
}

// ---- members ----------------------------------------------------------------------------

#[test]
fn property_names_of_every_shape() {
    let p = props(
        "_out_trade_no_: A\n$out_trade_no$: A\n'{out_trade_no}': A\n'Wechatpay-Serial'?: string\n\"1st\": number\n_x_: string\n42: string\ntype: string\nget: string\nreadonly r: string\nreadonly: string\n'': string",
    );
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.name.as_str(), p.quoted, p.optional))
        .collect();
    assert_eq!(
        got,
        [
            ("_out_trade_no_", false, false),
            ("$out_trade_no$", false, false),
            ("{out_trade_no}", true, false),
            ("Wechatpay-Serial", true, true),
            ("1st", true, false),
            ("_x_", false, false),
            ("42", false, false),
            ("type", false, false),
            ("get", false, false),
            ("r", false, false),
            ("readonly", false, false),
            ("", true, false),
        ]
    );
    // Spans point at the name (at the quote when quoted; past a `readonly` modifier).
    assert_eq!(p[2].span, Span::new(4, 1));
    assert_eq!(p[9].span, Span::new(11, 10));
}

#[test]
fn member_separators() {
    let expected = ["a", "b", "c", "d", "e"];
    for body in [
        "a: string\nb: string\nc: string\nd: string\ne: string",
        "a: string; b: string; c: string; d: string; e: string;",
        "a: string, b: string, c: string, d: string, e: string,",
        "a: string;\nb: string,\nc: string\n;d: string e: string"
            .replace(" e:", "\ne:")
            .as_str(),
    ] {
        let names: Vec<_> = props(body).into_iter().map(|p| p.name).collect();
        assert_eq!(names, expected, "{body}");
    }
    let t = ty("{ x: string; y?: number }");
    assert!(matches!(&t, Type::Object(m) if m.len() == 2));
}

#[test]
fn call_and_method_signatures() {
    let m = members(
        "(data: Stop.PostHttpMethod.JsonDataRequest, config?: Stop.PostHttpMethod.RequestConfig): AxiosPromise<Stop.PostHttpMethod.WellformedResponse>\npost(data?: Multipart, config: C,): AxiosPromise<R>\nget(): void",
    );
    assert_eq!(m.len(), 3);
    let Member::Call(call) = &m[0] else {
        panic!("{:?}", m[0])
    };
    assert_eq!(call.name, "");
    assert_eq!(call.span, Span::new(2, 1));
    assert_eq!(
        call.params,
        [
            Param {
                name: "data".into(),
                optional: false,
                ty: sref(&["Stop", "PostHttpMethod", "JsonDataRequest"], 2, 8),
            },
            Param {
                name: "config".into(),
                optional: true,
                ty: sref(&["Stop", "PostHttpMethod", "RequestConfig"], 2, 54),
            },
        ]
    );
    assert_eq!(
        call.ret,
        Type::Generic {
            path: path(&["AxiosPromise"]),
            args: vec![sref(&["Stop", "PostHttpMethod", "WellformedResponse"], 2, 103)],
            span: Span::new(2, 90),
        }
    );
    assert_eq!(
        m[1],
        Member::Method(MethodSig {
            name: "post".into(),
            params: vec![
                Param {
                    name: "data".into(),
                    optional: true,
                    ty: sref(&["Multipart"], 3, 13)
                },
                Param {
                    name: "config".into(),
                    optional: false,
                    ty: sref(&["C"], 3, 32)
                },
            ],
            ret: Type::Generic {
                path: path(&["AxiosPromise"]),
                args: vec![sref(&["R"], 3, 50)],
                span: Span::new(3, 37),
            },
            doc: None,
            span: Span::new(3, 1),
        })
    );
    assert!(matches!(&m[2], Member::Method(s) if s.name == "get" && s.params.is_empty()));
}

// ---- doc comments -----------------------------------------------------------------------

#[test]
fn doc_comments_attach_to_the_next_member_and_interface() {
    let src = r#"/**
 * The interface
 */
export interface Stop {
    /**
     * shortland
     * @link https://pay.weixin.qq.com/docs/merchant/apis/x.html
     */
    (data: A): R
    // a line comment in between
    /* and a block comment */
    /** 停止支付分计划 */
    post(data: A): R
    undocumented: string
    /** trailing doc with no member after it */
}"#;
    let i = interface(src);
    assert_eq!(
        i.doc,
        Some(Doc {
            lines: vec!["The interface".into()],
            ..Doc::default()
        })
    );
    let docs: Vec<_> = i
        .members
        .iter()
        .map(|m| match m {
            Member::Call(s) | Member::Method(s) => s.doc.clone(),
            Member::Property(p) => p.doc.clone(),
        })
        .collect();
    assert_eq!(
        docs,
        [
            Some(Doc {
                lines: vec!["shortland".into()],
                links: vec!["https://pay.weixin.qq.com/docs/merchant/apis/x.html".into()],
                tags: vec![],
            }),
            Some(Doc {
                lines: vec!["停止支付分计划".into()],
                ..Doc::default()
            }),
            None,
        ]
    );
}

#[test]
fn doc_tags_and_odd_links() {
    let doc = |body: &str| {
        let i = interface(&format!("/**{body}*/\ninterface X {{}}"));
        i.doc.expect("doc")
    };
    assert_eq!(
        doc(
            "\n * 通过先享卡订单号查询订单API\n * @deprecated - since 2020.03.26\n * @link https://a.example/x.shtml\n "
        ),
        Doc {
            lines: vec!["通过先享卡订单号查询订单API".into()],
            links: vec!["https://a.example/x.shtml".into()],
            tags: vec![DocTag {
                name: "deprecated".into(),
                text: "- since 2020.03.26".into()
            }],
        }
    );
    // Inline `{@link URL}`.
    assert_eq!(
        doc("\n * 获取平台证书列表\n * {@link https://a.example/c.shtml}\n "),
        Doc {
            lines: vec!["获取平台证书列表".into()],
            links: vec!["https://a.example/c.shtml".into()],
            tags: vec![],
        }
    );
    // `@link` followed by a sentence instead of a URL: the sentence stays text.
    assert_eq!(
        doc("\n * 查询用户捐赠单列表\n * @link 商户可根据品牌ID与用户标识查询捐赠单列表\n "),
        Doc {
            lines: vec![
                "查询用户捐赠单列表".into(),
                "商户可根据品牌ID与用户标识查询捐赠单列表".into()
            ],
            links: vec![],
            tags: vec![],
        }
    );
    // ... with a Markdown link in it: the URL (as written) is a link too.
    assert_eq!(
        doc(" @link 获取信息 [官方文档](hhttps://a.example/q.html) ").links,
        ["hhttps://a.example/q.html"]
    );
    // Blank lines inside are kept, at the ends dropped.
    assert_eq!(doc("\n *\n * a\n *\n * b\n *\n ").lines, ["a", "", "b"]);
    assert_eq!(doc("* single line *").lines, ["single line *"]);
    // `/**/` is an empty ordinary comment, not a doc.
    assert_eq!(interface("/**/ interface X {}").doc, None);
}

// ---- types ------------------------------------------------------------------------------

#[test]
fn keyword_and_literal_types() {
    assert_eq!(ty("string"), Type::String);
    assert_eq!(ty("number"), Type::Number);
    assert_eq!(ty("boolean"), Type::Boolean);
    assert_eq!(ty("true"), Type::BoolLit(true));
    assert_eq!(ty("false"), Type::BoolLit(false));
    assert_eq!(ty("'GZIP'"), strlit("GZIP"));
    assert_eq!(ty("\"GZIP\""), strlit("GZIP"));
    assert_eq!(ty("''"), strlit(""));
    assert_eq!(
        ty("'https://pay.wechatpay.cn/'"),
        strlit("https://pay.wechatpay.cn/")
    );
    assert_eq!(
        ty(r#"'it\'s \"q\" \\ \n \u4e2d \u{1F600} \x41'"#),
        strlit("it's \"q\" \\ \n 中 😀 A")
    );
    assert_eq!(ty("\"say 'hi'\""), strlit("say 'hi'"));
    assert_eq!(ty("1"), Type::NumLit("1".into()));
    assert_eq!(ty("-1"), Type::NumLit("-1".into()));
    assert_eq!(ty("1.5"), Type::NumLit("1.5".into()));
    assert_eq!(ty("0x1F"), Type::NumLit("0x1F".into()));
    assert_eq!(ty("1e-3"), Type::NumLit("1e-3".into()));
    assert_eq!(ty("null"), sref(&["null"], 2, 4));
}

#[test]
fn named_and_generic_types() {
    assert_eq!(ty("Date"), sref(&["Date"], 2, 4));
    assert_eq!(
        ty("WeChatPay.OpenAPI.V3.X"),
        sref(&["WeChatPay", "OpenAPI", "V3", "X"], 2, 4)
    );
    assert_eq!(
        ty("AxiosPromise<A.B>"),
        Type::Generic {
            path: path(&["AxiosPromise"]),
            args: vec![sref(&["A", "B"], 2, 17)],
            span: Span::new(2, 4),
        }
    );
    // `>>` closes two argument lists; several arguments; trailing comma.
    assert_eq!(
        ty("Map<string, Array<number>,>"),
        Type::Generic {
            path: path(&["Map"]),
            args: vec![
                Type::String,
                Type::Generic {
                    path: path(&["Array"]),
                    args: vec![Type::Number],
                    span: Span::new(2, 16),
                },
            ],
            span: Span::new(2, 4),
        }
    );
}

#[test]
fn array_tuple_and_union_types() {
    assert_eq!(ty("string[]"), Type::Array(Box::new(Type::String)));
    assert_eq!(
        ty("string[][]"),
        Type::Array(Box::new(Type::Array(Box::new(Type::String))))
    );
    assert_eq!(
        ty("('A' | 'B')[]"),
        Type::Array(Box::new(Type::Union(vec![strlit("A"), strlit("B")])))
    );
    assert_eq!(
        ty("{\n  x: number\n}[]"),
        Type::Array(Box::new(Type::Object(vec![Member::Property(Property {
            name: "x".into(),
            quoted: false,
            optional: false,
            ty: Type::Number,
            doc: None,
            span: Span::new(3, 3),
        })])))
    );
    assert_eq!(ty("[]"), Type::Tuple(vec![]));
    assert_eq!(
        ty("[string, number,]"),
        Type::Tuple(vec![Type::String, Type::Number])
    );
    assert_eq!(
        ty("string | Date"),
        Type::Union(vec![Type::String, sref(&["Date"], 2, 13)])
    );
    assert_eq!(
        ty("'A'|'B'|'C'"),
        Type::Union(vec![strlit("A"), strlit("B"), strlit("C")])
    );
    // Multi-line union with a leading `|`, and a parenthesized group flattened into it.
    assert_eq!(
        ty("\n    | 'A'\n    | ('B' | 'C')\n    | 'D'"),
        Type::Union(vec![strlit("A"), strlit("B"), strlit("C"), strlit("D")])
    );
    assert_eq!(ty("| 'only'"), strlit("only"));
    assert_eq!(ty("(string)"), Type::String);
}

#[test]
fn array_suffix_needs_to_be_on_the_same_line() {
    // A `[` on the next line starts a new member (here: an unsupported index signature).
    assert_error(
        "interface X {\n  a: string\n  [k: string]: number\n}",
        3,
        3,
        "index signatures and computed property names (`[…]`) are not supported",
    );
}

#[test]
fn nested_object_types() {
    let t = ty(
        "{\n  headers: {\n    'Wechatpay-Serial': typeof platformCertificateSerial\n  }\n  amount?: { from: { account: string }[] }\n}",
    );
    let Type::Object(outer) = t else { panic!() };
    let [Member::Property(headers), Member::Property(amount)] = outer.as_slice() else {
        panic!("{outer:?}")
    };
    assert_eq!(headers.name, "headers");
    let Type::Object(h) = &headers.ty else { panic!() };
    assert_eq!(
        h,
        &[Member::Property(Property {
            name: "Wechatpay-Serial".into(),
            quoted: true,
            optional: false,
            ty: Type::TypeOf(path(&["platformCertificateSerial"])),
            doc: None,
            span: Span::new(4, 5),
        })]
    );
    assert!(amount.optional);
    let Type::Object(a) = &amount.ty else { panic!() };
    let [Member::Property(from)] = a.as_slice() else {
        panic!()
    };
    assert!(matches!(&from.ty, Type::Array(inner) if matches!(**inner, Type::Object(_))));
}

#[test]
fn typeof_and_indexed_access() {
    assert_eq!(ty("typeof a.b"), Type::TypeOf(path(&["a", "b"])));
    assert_eq!(
        ty("X.Y.RequestConfig['responseType']"),
        Type::Indexed {
            object: Box::new(sref(&["X", "Y", "RequestConfig"], 2, 4)),
            index: Box::new(strlit("responseType")),
        }
    );
    assert_eq!(
        ty("X['a']['b']"),
        Type::Indexed {
            object: Box::new(Type::Indexed {
                object: Box::new(sref(&["X"], 2, 4)),
                index: Box::new(strlit("a")),
            }),
            index: Box::new(strlit("b")),
        }
    );
}

// ---- positions --------------------------------------------------------------------------

#[test]
fn origin_offsets_first_line_only_and_columns_count_chars() {
    let m = parse_module("interface 中文 { 名: 类型 }\n  interface B {}", Span::new(10, 5)).expect("parses");
    let [Item::Interface(a), Item::Interface(b)] = m.items.as_slice() else {
        panic!("{m:?}")
    };
    assert_eq!(a.span, Span::new(10, 15));
    let Member::Property(p) = &a.members[0] else {
        panic!()
    };
    assert_eq!(p.span, Span::new(10, 20));
    assert_eq!(p.ty, sref(&["类型"], 10, 23));
    assert_eq!(b.span, Span::new(11, 13));
}

#[test]
fn crlf_line_endings() {
    let m = parse("interface A {\r\n  a: string\r\n  b?: number\r\n}\r\n");
    let [Item::Interface(a)] = m.items.as_slice() else {
        panic!()
    };
    assert_eq!(a.members.len(), 2);
    let Member::Property(b) = &a.members[1] else {
        panic!()
    };
    assert_eq!(b.span, Span::new(3, 3));
}

// ---- errors -----------------------------------------------------------------------------

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
        "interface A<T> {}",
        1,
        12,
        "generic interfaces are not supported (interface `A`)",
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

// ---- limits -----------------------------------------------------------------------------

fn nested_objects(levels: usize) -> String {
    format!(
        "interface A {{ a: {}string{} }}",
        "{ a: ".repeat(levels),
        " }".repeat(levels)
    )
}

fn nested_namespaces(levels: usize) -> String {
    format!(
        "{}interface A {{}}{}",
        "namespace N { ".repeat(levels),
        " }".repeat(levels)
    )
}

#[test]
fn deep_but_reasonable_nesting_parses() {
    // `interface A { a: ... }`: the property type is level 1, each object adds one.
    let m = parse(&nested_objects(MAX_DEPTH - 1));
    assert_eq!(m.items.len(), 1);
    let m = parse(&nested_namespaces(MAX_DEPTH));
    assert_eq!(m.items.len(), 1);
    assert_error(
        &nested_objects(MAX_DEPTH),
        1,
        18 + 5 * MAX_DEPTH as u32,
        &format!("nesting is too deep: more than {MAX_DEPTH} levels of types or namespaces"),
    );
}

/// Deep nesting needs little stack, even in debug builds (test threads get 2 MiB).
#[test]
fn maximal_nesting_fits_in_a_small_stack() {
    let run = |src: String| {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || parse_module(&src, Span::new(1, 1)).is_ok())
            .expect("spawn")
            .join()
            .expect("no panic")
    };
    assert!(run(nested_objects(MAX_DEPTH - 1)));
    assert!(run(nested_namespaces(MAX_DEPTH)));
    assert!(!run(nested_objects(100_000)));
    assert!(!run(nested_namespaces(100_000)));
}

#[test]
fn nesting_limit_is_a_diagnostic_not_a_stack_overflow() {
    let message = format!("nesting is too deep: more than {MAX_DEPTH} levels of types or namespaces");
    for src in [
        nested_objects(256),
        nested_objects(100_000),
        format!("interface A {{ a: {}string }}", "(".repeat(100_000)),
        format!("interface A {{ a: {}string }}", "[".repeat(100_000)),
        format!("interface A {{ a: {}string }}", "P<".repeat(100_000)),
        format!("interface A {{ a: string{} }}", "[]".repeat(100_000)),
        format!("{}interface A {{}}", "namespace N { ".repeat(100_000)),
    ] {
        let d = error(&src);
        assert_eq!(d.message, message, "{}", &src[..60]);
        assert_eq!(d.line, 1);
    }
}

#[test]
fn garbage_never_panics() {
    for src in [
        "\u{feff}",
        "}",
        "{",
        "interface",
        "interface {",
        "namespace",
        "namespace A.",
        "export",
        "declare",
        "import",
        "import {",
        "import { A } from",
        "/*",
        "/**",
        "'",
        "\"\\",
        "-",
        "1e",
        "interface A { 'a",
        "interface A { a: -x }",
        "interface A { a: typeof }",
        "\0\u{7f}",
        "interface A { a: string[ }",
        "interface A { a: X[' }",
        "var",
        "var a: ",
        "export { a",
    ] {
        let result = parse_module(src, Span::new(1, 1));
        if let Err(diags) = result {
            assert_eq!(diags.len(), 1, "{src:?}");
            assert!(diags[0].line >= 1 && diags[0].column >= 1, "{src:?}: {diags:?}");
        }
    }
}
