//! Import and code generation in-process with the `codegen` library, as `cargo xtask import` and
//! `cargo xtask codegen` run them but without the disk (the inputs are read once, before timing):
//! - `codegen/wechatpay`: every docs page under `../shared/wechatpay-docs/openapi/v3` parsed
//!   and lowered, the official SDK's facts merged, the errata applied, and the crates emitted
//!   (`generated/wechatpay` and its conformance crate, as strings);
//! - `codegen/wonder`: `specs/wonder/openapi.yaml` lowered and `generated/wonder` emitted.

use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::emit::Settings;
use codegen::ir::Document;
use codegen::overrides::Erratum;
use criterion::{Criterion, criterion_group, criterion_main};

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `(path relative to the docs root, text)` of every `.md` page under `dir`, sorted.
fn pages(dir: &Path) -> Vec<(String, String)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path.strip_prefix(base).expect("below the base");
                let rel = rel.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("page");
                out.push((format!("openapi/v3/{rel}"), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The WeChat Pay inputs: pages, the facts file and the errata file, as text.
struct WechatInputs {
    pages: Vec<(String, String)>,
    facts: Option<String>,
    errata: Option<String>,
}

impl WechatInputs {
    fn read() -> Option<WechatInputs> {
        let shared = wechatpay_mock::default_shared_dir();
        let docs = shared.join("wechatpay-docs").join("openapi").join("v3");
        if !docs.is_dir() {
            eprintln!(
                "codegen/wechatpay skipped: no docs checkout at {}",
                docs.display()
            );
            return None;
        }
        let facts = shared.join("official-sdk-facts").join("wechatpay-go-facts.json");
        Some(WechatInputs {
            pages: pages(&docs),
            facts: std::fs::read_to_string(facts).ok(),
            errata: std::fs::read_to_string(root().join("specs/overrides/wechatpay.yaml")).ok(),
        })
    }

    /// The import (pages → merged model with errata) and the emitter; returns the files' size.
    fn import_and_emit(&self) -> usize {
        let mut documents: Vec<Document> = self
            .pages
            .iter()
            .map(|(source, text)| {
                codegen::wechat::import_page(source, text)
                    .unwrap_or_else(|d| panic!("{source}: {} problems", d.len()))
                    .document
            })
            .collect();
        if let Some(text) = &self.facts {
            let facts = codegen::wechat::facts::parse(text).expect("facts");
            codegen::wechat::merge::merge(&mut documents, &facts);
        }
        if let Some(text) = &self.errata {
            let errata: Vec<Erratum> = codegen::model::from_yaml(text).expect("errata");
            codegen::overrides::apply(&mut documents, &errata).expect("errata apply");
        }
        let crates = codegen::emit::crates(&documents, &Settings::wechatpay()).expect("emit");
        let conformance = crates.conformance.unwrap_or_default();
        crates
            .sdk
            .iter()
            .chain(&conformance)
            .map(|f| f.contents.len())
            .sum()
    }
}

fn wonder_import_and_emit(text: &str) -> usize {
    let document = codegen::openapi::lower("specs/wonder/openapi.yaml", text).expect("lowers");
    let crates = codegen::emit::crates(&[document], &Settings::wonder()).expect("emit");
    crates.sdk.iter().map(|f| f.contents.len()).sum()
}

fn import_codegen(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    if let Some(inputs) = WechatInputs::read() {
        group.bench_function("wechatpay", |b| b.iter(|| inputs.import_and_emit()));
    }
    let wonder = std::fs::read_to_string(root().join("specs/wonder/openapi.yaml")).expect("spec");
    group.bench_function("wonder", |b| b.iter(|| wonder_import_and_emit(&wonder)));
    group.finish();
}

criterion_group!(codegen_group, import_codegen);
criterion_main!(codegen_group);
