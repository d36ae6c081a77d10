//! The whole docs snapshot imports, round-trips through YAML, and emits deterministically.

use std::path::{Path, PathBuf};

use codegen::emit::{Settings, crates};
use codegen::ir::Document;
use codegen::model::{document_from_yaml, to_yaml};
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

fn import_corpus() -> (Vec<Document>, usize) {
    let root = docs_root();
    let mut files = Vec::new();
    pages(&root.join("openapi/v3"), &mut files);
    files.sort();
    let mut documents = Vec::new();
    let mut failures = Vec::new();
    let mut declared = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("page");
        // A page with one code block per method may repeat a namespace in several blocks.
        let namespaces: std::collections::BTreeSet<&str> = text
            .lines()
            .filter(|l| l.starts_with("namespace ") && l.trim_end().ends_with("HttpMethod {"))
            .collect();
        declared += namespaces.len();
        let source = file
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        match import_page(&source, &text) {
            Ok(lowered) => documents.push(lowered.document),
            Err(d) => failures.push(format!("{source}: {d:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} pages failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(documents.len(), files.len(), "one document per page");
    assert!(!documents.is_empty());
    (documents, declared)
}

#[test]
fn every_page_imports_with_every_declared_operation() {
    let (documents, declared) = import_corpus();
    let operations: usize = documents.iter().map(|d| d.operations.len()).sum();
    assert_eq!(
        operations, declared,
        "each `…HttpMethod` namespace is one operation"
    );
    for doc in &documents {
        for op in &doc.operations {
            assert!(op.path.starts_with('/'), "{}: {}", doc.source, op.path);
            let params = op.path.matches('{').count();
            assert_eq!(params, op.path_params.len(), "{}: {}", doc.source, op.path);
        }
    }
}

#[test]
fn the_model_round_trips_through_yaml() {
    let (documents, _) = import_corpus();
    for doc in &documents {
        let yaml = to_yaml(doc);
        let back = document_from_yaml(&yaml).unwrap_or_else(|d| panic!("{}: {d}", doc.source));
        assert_eq!(&back, doc, "{}", doc.source);
        assert_eq!(to_yaml(&back), yaml, "{}", doc.source);
    }
}

#[test]
fn emission_is_deterministic_whatever_the_input_order() {
    let (documents, _) = import_corpus();
    // Both crates: the SDK and the conformance crate that calls it.
    let first = crates(&documents, &Settings::wechatpay()).expect("emits");
    let again = crates(&documents, &Settings::wechatpay()).expect("emits");
    assert_eq!(first, again);
    // A fixed pseudo-random shuffle (xorshift), and the reversed order.
    let mut shuffled = documents.clone();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..shuffled.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        shuffled.swap(i, (state % (i as u64 + 1)) as usize);
    }
    assert_ne!(
        shuffled.iter().map(|d| &d.source).collect::<Vec<_>>(),
        documents.iter().map(|d| &d.source).collect::<Vec<_>>()
    );
    assert_eq!(crates(&shuffled, &Settings::wechatpay()).expect("emits"), first);
    let mut reversed = documents.clone();
    reversed.reverse();
    assert_eq!(crates(&reversed, &Settings::wechatpay()).expect("emits"), first);
}

/// The links of a page's prose after its last code block, found by a plain scan for `](…)`.
fn links_after_last_block(text: &str) -> Vec<String> {
    let Some(close) = text.rfind("\n```\n") else {
        return Vec::new();
    };
    let mut links = Vec::new();
    let mut rest = &text[close + 5..];
    while let Some(at) = rest.find("](") {
        let tail = &rest[at + 2..];
        let end = tail.find(')').unwrap_or(tail.len());
        links.push(tail[..end].to_owned());
        rest = &tail[end..];
    }
    links
}

#[test]
fn official_doc_links_after_the_code_are_kept() {
    let (documents, _) = import_corpus();
    let root = docs_root();
    let mut pages_with_trailing_links = 0;
    for doc in &documents {
        let text = std::fs::read_to_string(root.join(&doc.source)).expect("page");
        let trailing = links_after_last_block(&text);
        if trailing.is_empty() {
            continue;
        }
        pages_with_trailing_links += 1;
        // The last block's operations (a page with one block: all of them) carry every link.
        let last = doc
            .operations
            .iter()
            .filter(|op| trailing.iter().all(|l| op.links.contains(l)));
        assert!(last.count() > 0, "{}: {trailing:?} not kept", doc.source);
    }
    assert!(pages_with_trailing_links > 0);
}
