//! The docs front-end's documented limits: pages past a limit get one diagnostic at the right
//! line and column, pages just under it import, and large but shallow pages import.
//!
//! No timing is asserted here (machines are noisy); `benches/frontend.rs` measures it.

use std::path::PathBuf;

use codegen::diag::{Diagnostic, Span};
use codegen::ir::RequestBody;
use codegen::wechat::import_page;
use codegen::wechat::page::{MAX_FRONT_MATTER_DEPTH, MAX_PAGE_BYTES, Page, parse_page};
use codegen::wechat::ts::{self, Item};

const JSAPI: &str = "openapi/v3/pay/transactions/jsapi.md";

fn real_page(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/wechatpay-docs")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A page with front matter lines `front` (after `title: T`) and TypeScript `ts`; the
/// TypeScript starts on line 9, column 1 when `front` is empty.
fn page(front: &str, ts: &str) -> String {
    format!(
        "---\ntitle: T\n{front}---\n\n# {{{{ $frontmatter.title }}}} {{#post}}\n\n\
         ```js twoslash\n// @filename: virtual.ts\n{ts}\n```\n"
    )
}

const TS_OK: &str = "namespace A {\n  export interface B { x: string }\n}";

/// The single diagnostic of a rejected page.
fn only_error(text: &str) -> Diagnostic {
    let diags = parse_page(text).expect_err("the page must be rejected");
    assert_eq!(diags.len(), 1, "{diags:?}");
    diags.into_iter().next().expect("one diagnostic")
}

fn accepted(text: &str) -> Page {
    parse_page(text).unwrap_or_else(|d| panic!("the page must parse: {d:?}"))
}

fn nested(open: &str, inner: &str, close: &str, levels: usize) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

// ---- page size ------------------------------------------------------------------------

/// Prose filler so that `page(…)` plus the filler is exactly `len` bytes.
fn padded_to(len: usize) -> String {
    let mut text = page("", TS_OK);
    // Lines of 21 CJK chars (63 bytes) and a line break: 64 bytes each.
    let line = format!("{}\n", "中".repeat(21));
    while text.len() + line.len() <= len {
        text.push_str(&line);
    }
    text.push_str(&"x".repeat(len - text.len()));
    text
}

#[test]
fn a_page_of_exactly_the_size_limit_parses() {
    let text = padded_to(MAX_PAGE_BYTES);
    assert_eq!(text.len(), MAX_PAGE_BYTES);
    assert_eq!(accepted(&text).title.as_deref(), Some("T"));
}

#[test]
fn a_page_past_the_size_limit_is_one_diagnostic_at_the_first_char_past_it() {
    // `---\n` and then 64-byte lines of 21 `中`: byte MAX_PAGE_BYTES falls 60 bytes (20 chars)
    // into line 2 + (MAX_PAGE_BYTES - 4) / 64.
    let mut text = String::from("---\n");
    let line = format!("{}\n", "中".repeat(21));
    while text.len() <= MAX_PAGE_BYTES {
        text.push_str(&line);
    }
    let lines_before = (MAX_PAGE_BYTES - 4) / 64;
    let chars_into_line = ((MAX_PAGE_BYTES - 4) % 64) / 3;
    assert_eq!(chars_into_line, 20);
    let diag = only_error(&text);
    assert_eq!(
        diag.span(),
        Span::new(
            u32::try_from(2 + lines_before).unwrap(),
            u32::try_from(chars_into_line + 1).unwrap()
        )
    );
    assert!(diag.message.contains(&MAX_PAGE_BYTES.to_string()), "{diag}");
    assert!(diag.message.contains(&text.len().to_string()), "{diag}");
}

// ---- front matter depth -----------------------------------------------------------------

#[test]
fn flow_front_matter_past_the_depth_limit_is_rejected_at_the_bracket() {
    // `x:` is level 1, so the MAX_FRONT_MATTER_DEPTH-th `[` opens level MAX + 1.
    for (open, inner, close) in [("[", "1", "]"), ("{a: ", "1", "}")] {
        let deep = nested(open, inner, close, MAX_FRONT_MATTER_DEPTH);
        let diag = only_error(&page(&format!("x: {deep}\n"), TS_OK));
        let column = "x: ".len() + open.len() * (MAX_FRONT_MATTER_DEPTH - 1) + 1;
        assert_eq!(
            diag.span(),
            Span::new(3, u32::try_from(column).unwrap()),
            "{diag}"
        );
        assert!(
            diag.message.contains("front matter nests more than 64 levels"),
            "{diag}"
        );
    }
}

#[test]
fn flow_front_matter_just_under_the_depth_limit_parses() {
    for (open, inner, close) in [("[", "1", "]"), ("{a: ", "1", "}")] {
        let deep = nested(open, inner, close, MAX_FRONT_MATTER_DEPTH - 1);
        assert_eq!(
            accepted(&page(&format!("x: {deep}\n"), TS_OK)).title.as_deref(),
            Some("T")
        );
    }
}

/// `levels` nested mappings `a:`, one more space of indentation per level.
fn block_nesting(levels: usize) -> String {
    (0..levels).map(|i| format!("{}a:\n", " ".repeat(i))).collect()
}

#[test]
fn block_front_matter_past_the_depth_limit_is_rejected_at_the_key() {
    // `title: T` (line 2) and the first `a:` (line 3) share level 1.
    let diag = only_error(&page(&block_nesting(MAX_FRONT_MATTER_DEPTH + 1), TS_OK));
    let line = 3 + MAX_FRONT_MATTER_DEPTH;
    let column = MAX_FRONT_MATTER_DEPTH + 1;
    assert_eq!(
        diag.span(),
        Span::new(u32::try_from(line).unwrap(), u32::try_from(column).unwrap()),
        "{diag}"
    );
    assert!(diag.message.contains("64 levels"), "{diag}");

    // Compact sequences: `- - - …` on one line.
    let dashes = "- ".repeat(MAX_FRONT_MATTER_DEPTH);
    let diag = only_error(&page(&format!("x:\n{dashes}x\n"), TS_OK));
    // Level 1 is the line itself; the node after the 64th `- ` opens level 65.
    let column = 2 * MAX_FRONT_MATTER_DEPTH + 1;
    assert_eq!(
        diag.span(),
        Span::new(4, u32::try_from(column).unwrap()),
        "{diag}"
    );
}

#[test]
fn block_front_matter_just_under_the_depth_limit_parses() {
    let page = accepted(&page(&block_nesting(MAX_FRONT_MATTER_DEPTH), TS_OK));
    assert_eq!(page.title.as_deref(), Some("T"));
}

#[test]
fn a_forty_thousand_level_front_matter_is_rejected_at_the_limit() {
    // The issue's case: 40k levels, which cost the YAML library 5–11 s before.
    for (open, inner, close) in [("[", "", "]"), ("{a: ", "1", "}")] {
        let deep = nested(open, inner, close, 40_000);
        let diag = only_error(&page(&format!("x: {deep}\n"), TS_OK));
        assert_eq!(diag.span().line, 3, "{diag}");
        assert!(diag.message.contains("64 levels"), "{diag}");
    }
}

#[test]
fn front_matter_aliases_are_rejected_at_the_star() {
    let diag = only_error(&page("a: &x [1, 2]\nb: *x\n", TS_OK));
    assert_eq!(diag.span(), Span::new(4, 4), "{diag}");
    assert!(diag.message.contains("aliases"), "{diag}");
}

#[test]
fn brackets_inside_quotes_and_prose_do_not_count() {
    let deep = "[".repeat(200);
    let front = format!(
        "description: 说明 {deep}\nnote: '{deep}'\nquoted: \"{deep}\" # {deep}\nblock: |\n  {deep}\n"
    );
    assert_eq!(accepted(&page(&front, TS_OK)).title.as_deref(), Some("T"));
}

// ---- TypeScript depth --------------------------------------------------------------------

/// The TypeScript of `page("", …)` starts on line 9.
const TS_LINE: u32 = 9;

#[test]
fn typescript_past_the_depth_limit_is_rejected_where_the_level_opens() {
    // `var x: T` is level 1; the type opening level MAX_DEPTH + 1 is the error's position.
    let cases = [
        ("{a: ", "string", "}"),
        ("Array<", "string", ">"),
        ("(", "string", ")"),
    ];
    for (open, inner, close) in cases {
        let src = format!("var x: {}", nested(open, inner, close, ts::MAX_DEPTH));
        let diag = only_error(&page("", &src));
        let column = "var x: ".len() + open.len() * ts::MAX_DEPTH + 1;
        assert_eq!(
            diag.span(),
            Span::new(TS_LINE, u32::try_from(column).unwrap()),
            "{src:.40}"
        );
        assert!(diag.message.contains("more than 64 levels"), "{diag}");
    }
    // Namespaces: the error is at the first token in the body of the 65th.
    let src = nested("namespace A {", "", "}", ts::MAX_DEPTH + 1);
    let diag = only_error(&page("", &src));
    let column = "namespace A {".len() * (ts::MAX_DEPTH + 1) + 1;
    assert_eq!(diag.span(), Span::new(TS_LINE, u32::try_from(column).unwrap()));
}

#[test]
fn typescript_just_under_the_depth_limit_parses() {
    for (open, inner, close) in [("{a: ", "string", "}"), ("(", "string", ")")] {
        let src = format!("var x: {}", nested(open, inner, close, ts::MAX_DEPTH - 1));
        let page = accepted(&page("", &src));
        assert!(
            matches!(page.module.items.as_slice(), [Item::Var(_)]),
            "{src:.40}"
        );
    }
    let src = nested("namespace A {", "", "}", ts::MAX_DEPTH);
    assert_eq!(accepted(&page("", &src)).module.items.len(), 1);
}

#[test]
fn a_forty_thousand_level_type_is_rejected_at_the_limit() {
    let src = format!("var x: {}", nested("Array<", "string", ">", 40_000));
    let diag = only_error(&page("", &src));
    assert_eq!(diag.span().line, TS_LINE);
    assert!(diag.message.contains("more than 64 levels"), "{diag}");
}

// ---- large but shallow pages ---------------------------------------------------------------

/// The real JSAPI page grown to about 1 MB: many front matter keys, many documented request
/// fields (with CJK text and `{@link}`s) and many links in the prose.
fn wide_page() -> (String, usize) {
    let real = real_page(JSAPI);
    let mut front = String::new();
    for i in 0..4_000 {
        front.push_str(&format!("extra_{i}: 第 {i} 个附加键，含 [括号] 与 'quotes'\n"));
    }
    let mut fields = String::new();
    let mut count = 0;
    while fields.len() < 500_000 {
        fields.push_str(&format!(
            "    /**\n     * 字段 {count} 的说明，很长很长的说明文字 {{@link https://example.com/f/{count}}}\n     */\n    \
             field_{count}?: {{ a: string, b: number[], c: 'X' | 'Y' }}\n"
        ));
        count += 1;
    }
    let mut prose = String::new();
    for i in 0..4_000 {
        prose.push_str(&format!(
            "参阅 [文档 {i}](https://example.com/doc/{i}) 与 [同一链接](https://example.com/same)\n"
        ));
    }
    let text = real.replacen("title: ", &format!("{front}title: "), 1).replacen(
        "    appid: string\n",
        &format!("    appid: string\n{fields}"),
        1,
    ) + &prose;
    (text, count)
}

#[test]
fn a_one_megabyte_shallow_page_imports() {
    let (text, count) = wide_page();
    assert!(
        text.len() > 1_000_000 && text.len() < MAX_PAGE_BYTES,
        "{}",
        text.len()
    );
    let page = accepted(&text);
    assert_eq!(page.title.as_deref(), Some("JSAPI下单"));
    // The official link, 4 000 distinct prose links and one repeated link.
    assert_eq!(page.links.len(), 1 + 4_000 + 1);
    let real_fields = match import_page(JSAPI, &real_page(JSAPI)).map(|l| l.document.operations) {
        Ok(ops) => match &ops[0].request {
            RequestBody::Json { fields } => fields.len(),
            other => panic!("{other:?}"),
        },
        Err(d) => panic!("{d:?}"),
    };
    let lowered = import_page(JSAPI, &text).unwrap_or_else(|d| panic!("{d:?}"));
    let [op] = lowered.document.operations.as_slice() else {
        panic!("one operation expected");
    };
    let RequestBody::Json { fields } = &op.request else {
        panic!("a JSON request body expected");
    };
    assert_eq!(fields.len(), real_fields + count);
    assert!(fields.iter().any(|f| f.name == format!("field_{}", count - 1)));
}

#[test]
fn a_real_page_still_imports() {
    let text = real_page(JSAPI);
    let page = accepted(&text);
    assert_eq!(page.title.as_deref(), Some("JSAPI下单"));
    let lowered = import_page(JSAPI, &text).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(lowered.document.title.as_deref(), Some("JSAPI下单"));
    assert_eq!(lowered.document.operations.len(), 1);
}
