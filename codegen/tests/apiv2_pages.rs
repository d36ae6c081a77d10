//! Every APIv2 (XML) page of the docs snapshot imports: one XML operation per declared
//! namespace (or a redirect to an imported page), on its wire path, over mutual TLS exactly when
//! the page says `security: true`, with no indexed (`_$n`) member left ungrouped.

use std::path::{Path, PathBuf};

use codegen::ir::{Document, Field, RequestBody, ResponseBody, Type};
use codegen::wechat::import_page;

fn docs_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wechatpay-docs")
}

fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("docs folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            pages(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Every v2 page: its source, its text and its document.
fn import_v2() -> Vec<(String, String, Document)> {
    let root = docs_root();
    let mut files = Vec::new();
    pages(&root.join("openapi/v2"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "the snapshot has APIv2 pages");
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("page");
            let source = file
                .strip_prefix(&root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            let lowered = import_page(&source, &text).unwrap_or_else(|d| panic!("{source}: {d:?}"));
            (source, text, lowered.document)
        })
        .collect()
}

fn walk<'f>(fields: &'f [Field], out: &mut Vec<&'f Field>) {
    for field in fields {
        out.push(field);
        let mut ty = &field.ty;
        while let Type::Array { items } = ty {
            ty = items;
        }
        if let Type::Object { fields } = ty {
            walk(fields, out);
        }
    }
}

#[test]
fn every_v2_page_imports_as_xml_operations_on_their_wire_paths() {
    let documents = import_v2();
    let sources: Vec<&str> = documents.iter().map(|(s, _, _)| s.as_str()).collect();
    for (source, text, doc) in &documents {
        if let Some(target) = &doc.moved_to {
            assert!(doc.operations.is_empty(), "{source}");
            assert!(sources.contains(&target.as_str()), "{source} → {target}");
            assert!(!text.contains("```js twoslash"), "{source} is a redirect only");
            continue;
        }
        let declared = text
            .lines()
            .filter(|l| l.starts_with("namespace ") && l.trim_end().ends_with("HttpMethod {"))
            .count();
        assert_eq!(doc.operations.len(), declared, "{source}");
        // The page's own path, without `openapi/v2` and `.md`, is the operation's wire path.
        let wire = source
            .strip_prefix("openapi/v2")
            .and_then(|p| p.strip_suffix(".md"))
            .expect("v2 page");
        for op in &doc.operations {
            assert_eq!(op.path, wire, "{source}");
            assert!(matches!(op.request, RequestBody::Xml { .. }), "{source}");
            let streamed = text.contains("responseType: 'stream'");
            match &op.response {
                ResponseBody::Binary => assert!(streamed, "{source}"),
                ResponseBody::Xml { .. } => assert!(!streamed, "{source}"),
                other => panic!("{source}: {other:?}"),
            }
            assert_eq!(op.mutual_tls, text.contains("security: true"), "{source}");
            let base = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("baseURL: '"))
                .and_then(|l| l.strip_suffix('\''));
            assert_eq!(op.base_url.as_deref(), base, "{source}");
            let mut fields = Vec::new();
            walk(op.request.fields().unwrap_or_default(), &mut fields);
            walk(op.response.fields().unwrap_or_default(), &mut fields);
            for field in fields {
                assert!(!field.name.contains('$'), "{source}: {}", field.name);
            }
        }
    }
}

#[test]
fn indexed_coupons_and_refunds_are_lists_on_the_real_pages() {
    let documents = import_v2();
    let response = |source: &str| {
        let (_, _, doc) = documents
            .iter()
            .find(|(s, _, _)| s == source)
            .unwrap_or_else(|| panic!("{source}"));
        doc.operations[0].response.fields().expect("XML answer").to_vec()
    };
    let items = |fields: &[Field], name: &str| -> Vec<String> {
        let field = fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        let Type::Array { items } = &field.ty else {
            panic!("{name} is a list")
        };
        let Type::Object { fields } = items.as_ref() else {
            panic!("{name} holds objects")
        };
        fields.iter().map(|f| f.name.clone()).collect()
    };
    let order = response("openapi/v2/pay/orderquery.md");
    assert_eq!(
        items(&order, "coupons"),
        ["coupon_type", "coupon_id", "coupon_fee"]
    );
    let refunds = response("openapi/v2/pay/refundquery.md");
    let refund = items(&refunds, "refunds");
    assert!(refund.contains(&"coupon_refunds".to_owned()), "{refund:?}");
    assert!(refund.contains(&"coupon_refund_fee".to_owned()), "{refund:?}");
    // The indexed-access type `XmlDataRequest['trade_type']` resolves to the request's enum.
    let unified = response("openapi/v2/pay/unifiedorder.md");
    let trade_type = unified
        .iter()
        .find(|f| f.name == "trade_type")
        .expect("trade_type");
    assert!(
        matches!(&trade_type.ty, Type::Enum { values } if values.iter().any(|v| v == "JSAPI")),
        "{trade_type:?}"
    );
}

#[test]
fn an_indexed_type_that_names_no_member_is_an_error_at_its_position() {
    let page = "---\ntitle: t\n---\n\n```js twoslash\n// @filename: virtual.ts\n\
        namespace WeChatPay.OpenAPI.V2.Pay.Demo.PostHttpMethod {\n\
        \x20 export interface XmlDataRequest {\n    appid: string\n  }\n\
        \x20 export interface WellformedResponse {\n    kind: XmlDataRequest['missing']\n  }\n}\n```\n";
    let diagnostics = import_page("openapi/v2/pay/demo.md", page).expect_err("refused");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!((diagnostics[0].line, diagnostics[0].column), (12, 5));
    assert!(diagnostics[0].message.contains("indexed type"), "{diagnostics:?}");
}
