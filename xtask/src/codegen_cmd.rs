//! `cargo xtask codegen [--check]`: for each API of [`APIS`](crate::apis::APIS), its model under
//! `specs/` → its crates under `generated/`.

use std::path::Path;
use std::time::Instant;

use crate::apis::{Api, Spec};
use crate::files::{self, Tree};
use crate::import;

/// Files of the generated crates that `codegen` owns (others are reported as stale).
const OWNED: &[&str] = &[".rs", "Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE"];

/// The license texts of the workspace root, copied into each publishable generated crate (the
/// SDK crates; the conformance crate is never published), so they are never edited there.
const LICENSES: &[(&str, &str)] = &[
    ("LICENSE-APACHE", include_str!("../../LICENSE-APACHE")),
    ("LICENSE-MIT", include_str!("../../LICENSE-MIT")),
];

/// The crates of one API, as `(directory, files)`.
type Outputs = Vec<(String, Tree)>;

/// The crates of one API and its number of operations.
fn outputs(root: &Path, api: &Api) -> Result<(Outputs, usize), String> {
    let documents = api.documents(root)?;
    let operations: usize = documents.iter().map(|d| d.operations.len()).sum();
    let crates =
        codegen::emit::crates(&documents, &(api.settings)()).map_err(|e| format!("{}: {e}", api.name))?;
    let tree = |files: Vec<codegen::emit::GeneratedFile>| -> Tree {
        files.into_iter().map(|f| (f.path, f.contents)).collect()
    };
    let crate_dir = api.crate_dir();
    let mut sdk = tree(crates.sdk);
    sdk.extend(
        LICENSES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned())),
    );
    let mut out = vec![(crate_dir.clone(), sdk)];
    if let Some(files) = crates.conformance {
        out.push((format!("{crate_dir}-conformance"), tree(files)));
    }
    Ok((out, operations))
}

/// Generates (or, with `check`, verifies) the crates of `apis`.
pub fn run(root: &Path, apis: &[&Api], check: bool, from: &Path, facts: Option<&Path>) -> Result<(), String> {
    let start = Instant::now();
    let mut stale = Vec::new();
    let mut checked = Vec::new();
    for api in apis {
        let (outputs, operations) = outputs(root, api)?;
        if !check {
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
            continue;
        }
        for (crate_dir, tree) in &outputs {
            let found = files::stale(&root.join(crate_dir), tree, OWNED).map_err(|e| e.to_string())?;
            stale.extend(found.describe(crate_dir, "cargo xtask codegen"));
            checked.push(crate_dir.clone());
        }
        if let Spec::WechatDocs = api.spec {
            stale.extend(stale_wechat_specs(root, from, facts)?);
            checked.push(import::SPECS.to_owned());
        }
    }
    if !check {
        return Ok(());
    }
    if stale.is_empty() {
        println!(
            "{} are up to date ({} ms)",
            checked.join(", "),
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

/// The files of `specs/wechatpay` a re-import from `from` would change (none when the docs
/// checkout is absent: then only the crates are checked against `specs/`).
fn stale_wechat_specs(root: &Path, from: &Path, facts: Option<&Path>) -> Result<Vec<String>, String> {
    // `join` keeps an absolute `from` as it is.
    let docs = root.join(from);
    if !docs.is_dir() {
        eprintln!(
            "note: {} not found; checked the WeChat Pay crates against {} only",
            docs.display(),
            import::SPECS
        );
        return Ok(Vec::new());
    }
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
    Ok(found.describe(import::SPECS, "cargo xtask import"))
}

#[cfg(test)]
mod tests {
    use super::LICENSES;

    /// `sdk-runtime` is published too: its copies of the licenses are the root's (the generated
    /// crates get theirs from `codegen`).
    #[test]
    fn the_runtime_carries_the_root_licenses() {
        let runtime = [
            ("LICENSE-APACHE", include_str!("../../runtime/LICENSE-APACHE")),
            ("LICENSE-MIT", include_str!("../../runtime/LICENSE-MIT")),
        ];
        assert_eq!(LICENSES, runtime, "copy LICENSE-* of the root into runtime/");
        assert!(
            LICENSES[1]
                .1
                .contains("Copyright (c) The wechatpay-typed authors")
        );
    }
}
