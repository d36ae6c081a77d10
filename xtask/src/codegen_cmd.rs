//! `cargo xtask codegen [--check]`: `specs/` → `generated/wechatpay` and
//! `generated/wechatpay-conformance`.

use std::path::Path;
use std::time::Instant;

use crate::files::{self, Tree};
use crate::import;

/// The generated SDK crate, relative to the workspace root.
const CRATE_DIR: &str = "generated/wechatpay";

/// The generated test-only crate that calls every operation of the SDK by name.
const CONFORMANCE_DIR: &str = "generated/wechatpay-conformance";

/// Files of the generated crates that `codegen` owns (others are reported as stale).
const OWNED: &[&str] = &[".rs", "Cargo.toml"];

/// Generates (or, with `check`, verifies) the crate.
pub fn run(root: &Path, check: bool, from: &Path, facts: Option<&Path>) -> Result<(), String> {
    let start = Instant::now();
    let documents = import::read_specs(root)?;
    let crates = codegen::emit::crates(&documents, &codegen::emit::Settings::wechatpay())
        .map_err(|e| e.to_string())?;
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
        let found = files::stale(&root.join(crate_dir), tree, OWNED).map_err(|e| e.to_string())?;
        stale.extend(found.describe(crate_dir, "cargo xtask codegen"));
    }

    // `join` keeps an absolute `from` as it is.
    let docs = root.join(from);
    if docs.is_dir() {
        let plan = import::plan(
            root,
            import::Inputs {
                from,
                facts,
                repository: None,
                commit: None,
            },
        )?;
        let spec_dir = root.join(import::SPECS);
        let found = files::stale(&spec_dir, &plan.tree, &[".yaml"]).map_err(|e| e.to_string())?;
        stale.extend(found.describe(import::SPECS, "cargo xtask import"));
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
