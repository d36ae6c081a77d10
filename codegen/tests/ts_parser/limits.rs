//! Limits: nesting depth and garbage input.

use super::{assert_error, error, parse};
use codegen::diag::Span;
use codegen::wechat::ts::{MAX_DEPTH, parse_module};

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
