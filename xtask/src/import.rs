//! `cargo xtask import`: docs pages → `specs/wechatpay/**.yaml`.

use std::fs;
use std::path::Path;
use std::time::Instant;

use codegen::changelog;
use codegen::ir::Document;
use codegen::model::{self, SourceRecord};

use crate::files::{self, Tree};
use crate::report;

/// The docs snapshot beside the project, relative to the workspace root.
pub const DEFAULT_DOCS: &str = "../shared/wechatpay-docs";

/// The folder of the docs repository that holds the APIv3 pages.
const ROOT: &str = "openapi/v3";

/// Where the model lives, relative to the workspace root.
pub const SPECS: &str = "specs/wechatpay";

/// The source record's file name inside [`SPECS`].
pub const SOURCE_FILE: &str = "source.yaml";

/// The model an import of `from` would write: the file tree and the documents.
///
/// # Errors
/// When any page fails, every diagnostic is printed and an error returned; nothing is written.
pub fn plan(
    root: &Path,
    from: &Path,
    repository: Option<String>,
    commit: Option<String>,
) -> Result<(Tree, Vec<Document>), String> {
    // `join` keeps an absolute `from` as it is.
    let from = root.join(from);
    let dir = from.join(ROOT);
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a docs checkout (no `{ROOT}` folder)",
            from.display()
        ));
    }
    let pages = files::list(&dir, ".md").map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut documents = Vec::with_capacity(pages.len());
    let mut failed = 0;
    for rel in &pages {
        let path = dir.join(rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match codegen::wechat::import_page(&format!("{ROOT}/{rel}"), &text) {
            Ok(lowered) => {
                for w in &lowered.warnings {
                    report::print_warning(&path.display().to_string(), &text, w);
                }
                documents.push(lowered.document);
            }
            Err(diagnostics) => {
                failed += 1;
                for d in &diagnostics {
                    report::print(&path.display().to_string(), &text, d);
                }
            }
        }
    }
    if failed > 0 {
        return Err(format!(
            "{failed} of {} pages failed to import; {SPECS} is left untouched",
            pages.len()
        ));
    }
    let previous = read_source(root);
    let record = SourceRecord {
        repository: repository.or_else(|| previous.as_ref().and_then(|p| p.repository.clone())),
        commit: commit.or_else(|| previous.as_ref().and_then(|p| p.commit.clone())),
        root: ROOT.to_owned(),
        pages: documents.len(),
        operations: documents.iter().map(|d| d.operations.len()).sum(),
    };
    let mut tree = Tree::new();
    for doc in &documents {
        let rel = doc.source.strip_prefix("openapi/").unwrap_or(&doc.source);
        let rel = rel.strip_suffix(".md").unwrap_or(rel);
        tree.insert(format!("{rel}.yaml"), model::to_yaml(doc));
    }
    tree.insert(SOURCE_FILE.to_owned(), model::to_yaml(&record));
    Ok((tree, documents))
}

fn read_source(root: &Path) -> Option<SourceRecord> {
    let text = fs::read_to_string(root.join(SPECS).join(SOURCE_FILE)).ok()?;
    model::from_yaml(&text).ok()
}

/// Reads every document of the persisted model.
///
/// # Errors
/// Each unreadable file is reported with its line and column; then an error is returned.
pub fn read_specs(root: &Path) -> Result<Vec<Document>, String> {
    let dir = root.join(SPECS);
    let mut documents = Vec::new();
    let mut failed = 0;
    for rel in files::list(&dir, ".yaml").map_err(|e| format!("cannot list {}: {e}", dir.display()))? {
        if rel == SOURCE_FILE {
            continue;
        }
        let path = dir.join(&rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match model::document_from_yaml(&text) {
            Ok(doc) => documents.push(doc),
            Err(d) => {
                failed += 1;
                report::print(&path.display().to_string(), &text, &d);
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} model files under {SPECS} cannot be read"));
    }
    Ok(documents)
}

/// Runs the import and prints its summary and changelog.
pub fn run(
    root: &Path,
    from: &Path,
    repository: Option<String>,
    commit: Option<String>,
) -> Result<(), String> {
    let start = Instant::now();
    let (tree, documents) = plan(root, from, repository, commit)?;
    let previous = read_specs(root).unwrap_or_default();
    let log = changelog::diff(&previous, &documents);
    let dir = root.join(SPECS);
    let (written, removed) =
        files::apply(&dir, &tree, &[".yaml"]).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    let operations: usize = documents.iter().map(|d| d.operations.len()).sum();
    println!(
        "imported {} pages: {operations} operations, {} types; {written} files written, {removed} removed under {SPECS} ({} ms)",
        documents.len(),
        changelog::count_types(&documents),
        start.elapsed().as_millis()
    );
    print!("{log}");
    Ok(())
}
