//! `cargo xtask codegen [--check]`: `specs/` → `generated/wechatpay` and
//! `generated/wechatpay-conformance`.

use std::path::Path;
use std::time::Instant;

use codegen::overrides::Erratum;

use crate::files::{self, Tree};
use crate::import;

/// The generated SDK crate, relative to the workspace root.
const CRATE_DIR: &str = "generated/wechatpay";

/// The generated test-only crate that calls every operation of the SDK by name.
const CONFORMANCE_DIR: &str = "generated/wechatpay-conformance";

/// Files of the generated crates that `codegen` owns (others are reported as stale).
const OWNED: &[&str] = &[".rs", "Cargo.toml"];

/// The hand-written errata of the upstream docs, relative to the workspace root.
const ERRATA: &str = "specs/overrides/wechatpay.yaml";

/// Applies the errata file (when present) to the imported model.
fn apply_errata(root: &Path, documents: &mut [codegen::ir::Document]) -> Result<(), String> {
    let path = root.join(ERRATA);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let errata: Vec<Erratum> = codegen::model::from_yaml(&text).map_err(|d| {
        crate::report::print(&path.display().to_string(), &text, &d);
        format!("{ERRATA} cannot be read")
    })?;
    codegen::overrides::apply(documents, &errata).map_err(|errors| {
        for e in &errors {
            eprintln!("{ERRATA}: error: {e}");
        }
        format!("{} errata in {ERRATA} do not match specs/", errors.len())
    })
}

/// Generates (or, with `check`, verifies) the crate.
pub fn run(root: &Path, check: bool, from: &Path) -> Result<(), String> {
    let start = Instant::now();
    let mut documents = import::read_specs(root)?;
    apply_errata(root, &mut documents)?;
    let crates = codegen::emit::crates(&documents).map_err(|e| e.to_string())?;
    let tree = |files: Vec<codegen::emit::GeneratedFile>| -> Tree {
        files.into_iter().map(|f| (f.path, f.contents)).collect()
    };
    let outputs = [
        (CRATE_DIR, tree(crates.wechatpay)),
        (CONFORMANCE_DIR, tree(crates.conformance)),
    ];
    if !check {
        let operations: usize = documents.iter().map(|d| d.operations.len()).sum();
        for (crate_dir, tree) in &outputs {
            let dir = root.join(crate_dir);
            let (written, removed) = files::apply(&dir, tree, OWNED)
                .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
            let lines: usize = tree.values().map(|c| c.lines().count()).sum();
            println!(
                "generated {crate_dir}: {operations} operations, {} files, {lines} lines; {written} written, {removed} removed ({} ms)",
                tree.len(),
                start.elapsed().as_millis()
            );
        }
        return Ok(());
    }

    let mut stale = Vec::new();
    for (crate_dir, tree) in &outputs {
        let (changed, removed) =
            files::stale(&root.join(crate_dir), tree, OWNED).map_err(|e| e.to_string())?;
        stale.extend(
            changed
                .iter()
                .map(|f| format!("{crate_dir}/{f} (differs from `cargo xtask codegen`)")),
        );
        stale.extend(
            removed
                .iter()
                .map(|f| format!("{crate_dir}/{f} (not written by `cargo xtask codegen`)")),
        );
    }

    // `join` keeps an absolute `from` as it is.
    let docs = root.join(from);
    if docs.is_dir() {
        let (spec_tree, _) = import::plan(root, from, None, None)?;
        let spec_dir = root.join(import::SPECS);
        let (changed, removed) =
            files::stale(&spec_dir, &spec_tree, &[".yaml"]).map_err(|e| e.to_string())?;
        stale.extend(
            changed
                .iter()
                .map(|f| format!("{}/{f} (differs from `cargo xtask import`)", import::SPECS)),
        );
        stale.extend(
            removed
                .iter()
                .map(|f| format!("{}/{f} (not written by `cargo xtask import`)", import::SPECS)),
        );
    } else {
        eprintln!(
            "note: {} not found; checked {CRATE_DIR} and {CONFORMANCE_DIR} against specs/ only",
            docs.display()
        );
    }
    if stale.is_empty() {
        println!(
            "{CRATE_DIR}, {CONFORMANCE_DIR} and {} are up to date ({} ms)",
            import::SPECS,
            start.elapsed().as_millis()
        );
        return Ok(());
    }
    for file in &stale {
        eprintln!("stale: {file}");
    }
    Err(format!(
        "{} stale files; run `cargo xtask import` and `cargo xtask codegen`",
        stale.len()
    ))
}
