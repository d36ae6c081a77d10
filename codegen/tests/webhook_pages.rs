//! The webhook (notification) pages: every real page imports as one typed event, and a broken
//! page is refused with diagnostics at the right line and column.

use std::path::{Path, PathBuf};

use codegen::ir::Type;
use codegen::wechat::import_webhook_page;

fn webhook_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wechatpay-docs/webhook/v3")
}

fn pages() -> Vec<(String, String)> {
    let dir = webhook_dir();
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
            let text = std::fs::read_to_string(&p).expect("readable");
            (name, text)
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn every_webhook_page_imports_as_one_event_named_after_it() {
    let pages = pages();
    assert!(!pages.is_empty(), "no pages under {}", webhook_dir().display());
    let mut failures = Vec::new();
    for (name, text) in &pages {
        let source = format!("webhook/v3/{name}");
        match import_webhook_page(&source, text) {
            Ok(lowered) => {
                let [event] = lowered.document.events.as_slice() else {
                    failures.push(format!("{name}: {} events", lowered.document.events.len()));
                    continue;
                };
                assert_eq!(format!("{}.md", event.name), *name);
                assert!(lowered.document.operations.is_empty());
                let Type::Object { fields } = &event.payload else {
                    panic!("{name}: the resource is not an object");
                };
                assert!(!fields.is_empty(), "{name}: the resource has no members");
                let summary = event.summary.as_deref().unwrap_or("");
                assert!(
                    !summary.is_empty() && !summary.contains("(JSON)"),
                    "{name}: {summary:?}"
                );
            }
            Err(diagnostics) => {
                for d in diagnostics {
                    failures.push(format!("{name}:{d}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_example_completes_a_resource_the_jsdoc_types_loosely() {
    let (_, text) = pages()
        .into_iter()
        .find(|(name, _)| name == "TRANSACTION.SUCCESS.md")
        .expect("the payment notification page");
    let lowered = import_webhook_page("webhook/v3/TRANSACTION.SUCCESS.md", &text).expect("imports");
    let event = &lowered.document.events[0];
    let Type::Object { fields } = &event.payload else {
        panic!("object")
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // The JSDoc says `amount: string`; the example shows the object WeChat Pay sends.
    let Type::Object { fields: amount } = &field("amount").ty else {
        panic!("amount is an object")
    };
    assert!(
        amount
            .iter()
            .any(|f| f.name == "payer_total" && f.ty == Type::Integer)
    );
    // `{amount:number}[]` in the JSDoc; the example's elements carry `goods_detail` too.
    let Type::Array { items } = &field("promotion_detail").ty else {
        panic!("list")
    };
    let Type::Object { fields: promotion } = &**items else {
        panic!("object")
    };
    assert!(promotion.iter().any(|f| f.name == "goods_detail"));
    assert!(field("sp_mchid").optional);
    assert_eq!(event.original_types, ["transaction", "profitsharing"]);
}

#[test]
fn a_copied_event_type_is_a_warning_and_the_page_name_wins() {
    let (_, text) = pages()
        .into_iter()
        .find(|(name, _)| name == "RECHARGE.CLOSED.md")
        .expect("the page");
    let lowered = import_webhook_page("webhook/v3/RECHARGE.CLOSED.md", &text).expect("imports");
    assert_eq!(lowered.document.events[0].name, "RECHARGE.CLOSED");
    let warning = lowered
        .warnings
        .iter()
        .find(|w| w.message.contains("RECHARGE.SUCCESS"))
        .expect("a warning");
    let line = text.lines().nth(warning.line as usize - 1).expect("line");
    assert!(line.contains("@prop {'RECHARGE.SUCCESS'} event_type"), "{line}");
    assert_eq!(line.chars().nth(warning.column as usize - 1), Some('\''));
}

const BROKEN: &str = "---\ntitle: 测试通知(JSON)\ndescription: x\n---\n\n# t {#post}\n\n```js twoslash\n/**\n * @typedef PlainObject\n * @prop {string} ok\n * @prop {strng} bad\n * @prop {{a: number} broken\n */\n```\n";

#[test]
fn a_broken_page_is_refused_at_line_and_column() {
    let diagnostics = import_webhook_page("webhook/v3/TEST.BROKEN.md", BROKEN).expect_err("refused");
    let at: Vec<(u32, u32)> = diagnostics.iter().map(|d| (d.line, d.column)).collect();
    // `strng` at line 12, column 11; the unclosed `{{a: number}` is a warning, not a member.
    assert_eq!(at, [(12, 11)], "{diagnostics:?}");
    assert!(diagnostics[0].message.contains("unknown type `strng`"));

    let no_resource = BROKEN.replace("PlainObject", "Other");
    let diagnostics = import_webhook_page("webhook/v3/TEST.BROKEN.md", &no_resource).expect_err("refused");
    assert!(diagnostics[0].message.contains("PlainObject"), "{diagnostics:?}");
    assert_eq!((diagnostics[0].line, diagnostics[0].column), (8, 1));

    let no_block = "---\ntitle: t\n---\n\nno code\n";
    let diagnostics = import_webhook_page("webhook/v3/TEST.md", no_block).expect_err("refused");
    assert!(diagnostics[0].message.contains("js twoslash"));
}
