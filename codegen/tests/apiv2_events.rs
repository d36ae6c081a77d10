//! Every APIv2 notification page (`webhook/v2`) imports as one XML event: named by its
//! `event_type` literal or else its page, with the member its handler opens typed as the
//! document it carries, and the reply its handler writes; the emitter puts them in `v2::events`
//! with a shape per event that tells it apart from the others.

use std::path::PathBuf;

use codegen::emit::{Settings, crates};
use codegen::ir::{Carriage, Document, Field, Type, XmlReply};
use codegen::wechat::import_webhook_v2_page;

fn docs_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wechatpay-docs")
}

/// Every v2 notification page: its source, its text and its document.
fn import_all() -> Vec<(String, String, Document)> {
    let root = docs_root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("webhook/v2"))
        .expect("webhook/v2")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the snapshot has APIv2 notification pages");
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("page");
            let source = format!("webhook/v2/{}", file.file_name().expect("name").to_string_lossy());
            let lowered =
                import_webhook_v2_page(&source, &text).unwrap_or_else(|d| panic!("{source}: {d:?}"));
            (source, text, lowered.document)
        })
        .collect()
}

fn fields(ty: &Type) -> &[Field] {
    match ty {
        Type::Object { fields } => fields,
        other => panic!("an object, not {other:?}"),
    }
}

#[test]
fn every_page_is_one_xml_event_as_its_handler_says() {
    let docs = import_all();
    for (source, text, doc) in &docs {
        assert_eq!(doc.events.len(), 1, "{source}");
        assert!(doc.operations.is_empty(), "{source}");
        let event = &doc.events[0];
        let xml = event.xml.as_ref().unwrap_or_else(|| panic!("{source}: not XML"));
        let members = fields(&event.payload);
        // The name: the event_type literal the page declares, else the page's file name.
        let literal = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("* @prop {'")?.split_once("'} event_type"))
            .map(|(value, _)| value.to_owned());
        let stem = source.trim_start_matches("webhook/v2/").trim_end_matches(".md");
        assert_eq!(event.name, literal.unwrap_or_else(|| stem.to_owned()), "{source}");
        // The reply: `code`/`message` exactly when the handler writes `toXml({code`.
        let code_reply = text.contains("toXml({code");
        assert_eq!(xml.reply == XmlReply::Code, code_reply, "{source}");
        // The opened member is typed as the page's second typedef, carried as the handler says.
        let second = text.matches("@typedef").count() > 1;
        assert_eq!(xml.inner.is_some(), second, "{source}");
        if let Some(inner) = &xml.inner {
            let member = members
                .iter()
                .find(|f| f.name == inner.member)
                .unwrap_or_else(|| panic!("{source}: no {}", inner.member));
            assert!(
                matches!(member.ty, Type::Object { .. }),
                "{source}: {:?}",
                member.ty
            );
            let call = match inner.carriage {
                Carriage::AesEcb => "AesEcb.decrypt(",
                Carriage::AeadAesGcm => "AesGcm.decrypt(",
                Carriage::Json => "JSON.parse(",
            };
            let after = &text[text.find(call).expect("the call") + call.len()..];
            assert!(
                after
                    .trim_start()
                    .trim_start_matches("obj.")
                    .starts_with(&inner.member),
                "{source}"
            );
        }
        // The summary is the title without its `(XML)` suffix.
        let summary = event.summary.as_deref().expect("a title");
        assert!(
            !summary.contains("(XML)") && !summary.is_empty(),
            "{source}: {summary}"
        );
    }
    // APIv2 names are their own: a page named like its sibling would be refused by the import.
    let mut names: Vec<&str> = docs.iter().map(|(_, _, d)| d.events[0].name.as_str()).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "two v2 pages declare one event");
}

#[test]
fn the_refund_notification_carries_its_req_info_typed() {
    let docs = import_all();
    let (_, _, doc) = docs
        .iter()
        .find(|(s, ..)| s.ends_with("/refund-processed.md"))
        .expect("the refund page");
    let event = &doc.events[0];
    let inner = event.xml.as_ref().and_then(|x| x.inner.as_ref()).expect("inner");
    assert_eq!(
        (inner.member.as_str(), inner.carriage),
        ("req_info", Carriage::AesEcb)
    );
    let req_info = fields(&event.payload)
        .iter()
        .find(|f| f.name == "req_info")
        .expect("req_info");
    let names: Vec<&str> = fields(&req_info.ty).iter().map(|f| f.name.as_str()).collect();
    assert!(
        names.contains(&"refund_status") && names.contains(&"out_refund_no"),
        "{names:?}"
    );
}

#[test]
fn a_bad_page_is_an_error_at_its_line_and_column() {
    let page = |typedefs: &str, code: &str| {
        format!("---\ntitle: 通知(XML)\n---\n\n# t\n\n```js twoslash\n/**\n{typedefs} */\n{code}\n```\n")
    };
    // The handler opens a member the notification does not declare: at the call, line 14.
    let text = page(
        " * @typedef XmlDataRequest\n * @prop {string} mch_id\n * @typedef Inner\n * @prop {string} a\n",
        "const x = Aes.AesEcb.decrypt(req_info, k)\nconst r = Transformer.toXml({return_code})",
    );
    let diags = import_webhook_v2_page("webhook/v2/x.md", &text).expect_err("req_info is not declared");
    let d = &diags[0];
    assert!(d.message.contains("`req_info`"), "{}", d.message);
    assert_eq!((d.span().line, d.span().column), (14, 15), "{}", d.message);
    // No XmlDataRequest: at the block's fence, line 7.
    let text = page(
        " * @typedef Other\n * @prop {string} a\n",
        "Transformer.toXml({return_code})",
    );
    let diags = import_webhook_v2_page("webhook/v2/x.md", &text).expect_err("no XmlDataRequest");
    assert_eq!(diags[0].span().line, 7, "{}", diags[0].message);
    // No reply.
    let text = page(" * @typedef XmlDataRequest\n * @prop {string} a\n", "send(x)");
    let diags = import_webhook_v2_page("webhook/v2/x.md", &text).expect_err("no reply");
    assert!(diags[0].message.contains("reply"), "{}", diags[0].message);
}

#[test]
fn the_emitter_puts_them_in_v2_events_with_a_shape_each() {
    let docs: Vec<Document> = import_all().into_iter().map(|(.., d)| d).collect();
    let out = crates(&docs, &Settings::wechatpay()).expect("emits");
    let file = |path: &str| {
        out.sdk
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .contents
            .clone()
    };
    let events = file("src/v2/events.rs");
    assert!(
        !out.sdk.iter().any(|f| f.path == "src/events.rs"),
        "no APIv3 events module from APIv2 notifications alone"
    );
    assert!(file("src/v2/mod.rs").contains("#[cfg(feature = \"v2-events\")]"));
    assert!(file("Cargo.toml").contains("\nv2-events = []"));
    assert!(events.contains("impl ::sdk_runtime::wechatpay::v2::XmlEventSet for Event"));
    for doc in &docs {
        let event = &doc.events[0];
        let name = format!("name: \"{}\"", event.name);
        assert_eq!(events.matches(&name).count(), 1, "{name}");
        let wire = format!("\"{}\" =>", event.name);
        assert_eq!(events.matches(&wire).count(), 1, "{wire}");
    }
    // Two events whose names coincide in PascalCase: the one named by its page takes a suffix.
    assert!(events.contains("TransactionSuccess(") && events.contains("TransactionSuccessNotification("));
    // A shape's members are those no other notification declares.
    let refund = &events[events.find("name: \"refund-processed\"").expect("refund shape")..];
    let refund = &refund[..refund.find('}').expect("end")];
    assert!(refund.contains("members: &[\"req_info\"]"), "{refund}");
}
