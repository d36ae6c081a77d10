//! Snapshot tests: the IR and the emitted Rust for the three WeChat Pay seed pages and for
//! fixture pages that cover every construct of the docs format.

use std::path::PathBuf;

use codegen::emit::wechatpay_crate;
use codegen::ir::Document;
use codegen::wechat::import_page;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Imports a page, failing the test with every diagnostic.
fn import(path: PathBuf, source: &str) -> Document {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    import_page(source, &text)
        .unwrap_or_else(|d| panic!("{source}: {d:?}"))
        .document
}

/// The emitted product file(s) for one document, joined, without `lib.rs` and `Cargo.toml`.
fn emitted(doc: &Document) -> String {
    wechatpay_crate(std::slice::from_ref(doc))
        .expect("emits")
        .into_iter()
        // The crate-level files (the same for every page) are left out; the index's rows are kept.
        .filter(|f| {
            !["src/lib.rs", "Cargo.toml", "README.md"].contains(&f.path.as_str())
                && !f.path.ends_with("mod.rs")
        })
        .map(|f| format!("==> {}\n{}", f.path, f.contents))
        .collect()
}

/// The seeds and the docs path each one has upstream.
const SEEDS: &[(&str, &str)] = &[
    (
        "seeds/000_d3782bdb89a62d2c.txt",
        "openapi/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop.md",
    ),
    (
        "seeds/001_a73313913a981aa5.txt",
        "openapi/v3/payscore/sign-plan/user-sign-plans/merchant-sign-plan-no/{merchant_sign_plan_no}/stop.md",
    ),
    (
        "seeds/003_ff11eaeefcbfcb6a.txt",
        "openapi/v3/payscore/sign-plan/partner/user-sign-plans.md",
    ),
];

const FIXTURES: &[&str] = &[
    "openapi/v3/demo/widgets/{widget_id}.md",
    "openapi/v3/demo/files/upload.md",
    "openapi/v3/demo/files/download.md",
    "openapi/v3/demo/applications/index.md",
    "openapi/v3/demo/people.md",
];

fn snapshot_name(source: &str) -> String {
    source
        .trim_start_matches("openapi/v3/")
        .trim_end_matches(".md")
        .replace(['/', '{', '}'], "_")
}

#[test]
fn seeds_ir_and_rust() {
    for (seed, source) in SEEDS {
        let doc = import(shared().join(seed), source);
        let name = snapshot_name(source);
        insta::assert_yaml_snapshot!(format!("ir_{name}"), doc);
        insta::assert_snapshot!(format!("rust_{name}"), emitted(&doc));
    }
}

#[test]
fn fixtures_ir_and_rust() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for source in FIXTURES {
        let doc = import(dir.join(source), source);
        let name = snapshot_name(source);
        insta::assert_yaml_snapshot!(format!("ir_{name}"), doc);
        insta::assert_snapshot!(format!("rust_{name}"), emitted(&doc));
    }
}

#[test]
fn seed_paths_match_the_upstream_urls() {
    let expected = [
        (
            "POST",
            "/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop",
        ),
        (
            "POST",
            "/v3/payscore/sign-plan/user-sign-plans/merchant-sign-plan-no/{merchant_sign_plan_no}/stop",
        ),
        ("POST", "/v3/payscore/sign-plan/partner/user-sign-plans"),
    ];
    for ((seed, source), (method, path)) in SEEDS.iter().zip(expected) {
        let doc = import(shared().join(seed), source);
        assert_eq!(doc.operations.len(), 1, "{seed}");
        assert_eq!(doc.operations[0].method.as_str(), method);
        assert_eq!(doc.operations[0].path, path);
        // Without the page path, the namespace chain alone spells the same URL.
        let alone = import(shared().join(seed), "seed.md");
        assert_eq!(alone.operations[0].path, path);
    }
}

/// The refund page merged with the official SDK's facts and the project's errata, as
/// `cargo xtask import` merges it: the model (relaxed, added, enum values, one-of) and its Rust.
#[test]
fn merged_refund_ir_and_rust() {
    let source = "openapi/v3/refund/domestic/refunds.md";
    let mut docs = [import(shared().join("wechatpay-docs").join(source), source)];
    let facts_path = shared().join("official-sdk-facts/wechatpay-go-facts.json");
    let facts = codegen::wechat::facts::parse(&std::fs::read_to_string(facts_path).expect("facts"))
        .expect("facts parse");
    let report = codegen::wechat::merge::merge(&mut docs, &facts);
    assert_eq!(report.operations_matched, 1);
    let errata_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/overrides/wechatpay.yaml");
    let errata: Vec<codegen::overrides::Erratum> =
        codegen::model::from_yaml(&std::fs::read_to_string(errata_path).expect("errata"))
            .expect("errata parse");
    let errata: Vec<_> = errata
        .into_iter()
        .filter(|e| e.operation == "POST /v3/refund/domestic/refunds")
        .collect();
    codegen::overrides::apply(&mut docs, &errata).expect("errata apply");
    insta::assert_yaml_snapshot!("ir_merged_refund", docs[0]);
    insta::assert_snapshot!("rust_merged_refund", emitted(&docs[0]));
}

/// Both order queries merged with the official SDK's facts: their responses are one shared
/// named type, `types::Transaction`, which each operation module re-exports as `GetResponse`.
#[test]
fn shared_transaction_type() {
    let facts_path = shared().join("official-sdk-facts/wechatpay-go-facts.json");
    let facts = codegen::wechat::facts::parse(&std::fs::read_to_string(facts_path).expect("facts"))
        .expect("facts parse");
    let mut docs: Vec<Document> = [
        "openapi/v3/pay/transactions/id/{transaction_id}.md",
        "openapi/v3/pay/transactions/out-trade-no/{out_trade_no}.md",
    ]
    .iter()
    .map(|source| import(shared().join("wechatpay-docs").join(source), source))
    .collect();
    let report = codegen::wechat::merge::merge(&mut docs, &facts);
    assert_eq!(report.operations_matched, 2);
    let files = wechatpay_crate(&docs).expect("emits");
    let types = &files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .expect("types")
        .contents;
    let pay = &files
        .iter()
        .find(|f| f.path == "src/v3/pay.rs")
        .expect("pay")
        .contents;
    let reexports: Vec<&str> = pay
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with("as GetResponse;"))
        .collect();
    assert_eq!(
        reexports,
        [
            "pub use crate::types::Transaction as GetResponse;",
            "pub use crate::types::Transaction as GetResponse;"
        ]
    );
    assert_eq!(types.matches("pub struct Transaction {").count(), 1);
    insta::assert_snapshot!("rust_shared_transaction_types", types);
}
