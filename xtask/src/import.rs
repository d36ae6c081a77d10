//! `cargo xtask import`: docs pages + the official SDK's facts + the errata →
//! `specs/wechatpay/**.yaml`.
//!
//! The model under `specs/` is exactly what `cargo xtask codegen` emits: the pages lowered, the
//! official SDK's facts merged in ([`codegen::wechat::merge`]), then the hand-written errata of
//! `specs/overrides/wechatpay.yaml` applied.

use std::fs;
use std::path::Path;
use std::time::Instant;

use codegen::changelog;
use codegen::ir::Document;
use codegen::model::{self, Apiv2Record, OfficialSdkRecord, SourceRecord};
use codegen::overrides::Erratum;
use codegen::wechat::merge::{self, MergeReport};
use sha2::{Digest, Sha256};

use crate::files::{self, Tree};
use crate::report;

/// The docs snapshot beside the project, relative to the workspace root.
pub const DEFAULT_DOCS: &str = "../shared/wechatpay-docs";

/// The official SDK facts, relative to the docs checkout (`--facts` overrides it).
const FACTS_BESIDE_DOCS: &str = "../official-sdk-facts/wechatpay-go-facts.json";

/// The folder of the docs repository that holds the APIv3 pages.
const ROOT: &str = "openapi/v3";

/// The folder of the docs repository that holds the APIv3 webhook (notification) pages.
const WEBHOOK_ROOT: &str = "webhook/v3";

/// The folder of the docs repository that holds the APIv2 (XML) pages.
const V2_ROOT: &str = "openapi/v2";

/// The folder of the docs repository that holds the APIv2 notification pages.
const WEBHOOK_V2_ROOT: &str = "webhook/v2";

/// Where the model lives, relative to the workspace root.
pub const SPECS: &str = "specs/wechatpay";

/// The source record's file name inside [`SPECS`].
pub const SOURCE_FILE: &str = "source.yaml";

/// The hand-written errata, relative to the workspace root.
pub const ERRATA: &str = "specs/overrides/wechatpay.yaml";

/// What to import: the docs checkout, the facts file, and what to record about them.
pub struct Inputs<'a> {
    /// The docs checkout (its `openapi/v3` folder is imported), relative to the root or absolute.
    pub from: &'a Path,
    /// The official SDK facts; `None`: the file beside the docs checkout, when there is one.
    pub facts: Option<&'a Path>,
    /// The upstream repository to record (default: the recorded one).
    pub repository: Option<String>,
    /// The upstream commit to record (default: the recorded one, while the pages are unchanged).
    pub commit: Option<String>,
}

/// The model an import would write: the file tree, the documents, and what the facts changed.
pub struct Plan {
    /// `specs/wechatpay` relative path → contents.
    pub tree: Tree,
    /// The merged model.
    pub documents: Vec<Document>,
    /// What the official SDK's facts changed (`None` without a facts file).
    pub merge: Option<MergeReport>,
    /// A note for the maintainer (e.g. why no commit is recorded).
    pub notes: Vec<String>,
}

/// The model an import of `inputs` would write.
///
/// # Errors
/// When any page, the facts file or the errata fail, every diagnostic is printed and an error
/// returned; nothing is written.
pub fn plan(root: &Path, inputs: Inputs<'_>) -> Result<Plan, String> {
    // `join` keeps an absolute `from` as it is.
    let from = root.join(inputs.from);
    let dir = from.join(ROOT);
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a docs checkout (no `{ROOT}` folder)",
            from.display()
        ));
    }
    let pages = files::list(&dir, ".md").map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut documents = Vec::with_capacity(pages.len());
    let mut digest = Sha256::new();
    let mut failed = import_pages(
        &dir,
        ROOT,
        &pages,
        codegen::wechat::import_page,
        &mut Folder {
            documents: &mut documents,
            digest: &mut digest,
            page_key: |rel: &str| rel.to_owned(),
        },
    )?;
    let v2_dir = from.join(V2_ROOT);
    let v2_pages = if v2_dir.is_dir() {
        files::list(&v2_dir, ".md").map_err(|e| format!("cannot list {}: {e}", v2_dir.display()))?
    } else {
        Vec::new()
    };
    failed += import_pages(
        &v2_dir,
        V2_ROOT,
        &v2_pages,
        codegen::wechat::import_page,
        &mut Folder {
            documents: &mut documents,
            digest: &mut digest,
            page_key: |rel: &str| format!("{V2_ROOT}/{rel}"),
        },
    )?;
    let webhook_dir = from.join(WEBHOOK_ROOT);
    let webhook_pages = if webhook_dir.is_dir() {
        files::list(&webhook_dir, ".md").map_err(|e| format!("cannot list {}: {e}", webhook_dir.display()))?
    } else {
        Vec::new()
    };
    failed += import_pages(
        &webhook_dir,
        WEBHOOK_ROOT,
        &webhook_pages,
        codegen::wechat::import_webhook_page,
        &mut Folder {
            documents: &mut documents,
            digest: &mut digest,
            page_key: |rel: &str| format!("{WEBHOOK_ROOT}/{rel}"),
        },
    )?;
    let webhook_v2_dir = from.join(WEBHOOK_V2_ROOT);
    let webhook_v2_pages = if webhook_v2_dir.is_dir() {
        files::list(&webhook_v2_dir, ".md")
            .map_err(|e| format!("cannot list {}: {e}", webhook_v2_dir.display()))?
    } else {
        Vec::new()
    };
    failed += import_pages(
        &webhook_v2_dir,
        WEBHOOK_V2_ROOT,
        &webhook_v2_pages,
        codegen::wechat::import_webhook_v2_page,
        &mut Folder {
            documents: &mut documents,
            digest: &mut digest,
            page_key: |rel: &str| format!("{WEBHOOK_V2_ROOT}/{rel}"),
        },
    )?;
    if failed > 0 {
        return Err(format!(
            "{failed} of {} pages failed to import; {SPECS} is left untouched",
            pages.len() + v2_pages.len() + webhook_pages.len() + webhook_v2_pages.len()
        ));
    }
    check_event_names(&documents)?;
    check_moved(&documents)?;
    let digest = hex::encode(digest.finalize());

    let mut notes = Vec::new();
    let facts_path = match inputs.facts {
        Some(path) => Some(root.join(path)),
        None => Some(from.join(FACTS_BESIDE_DOCS)).filter(|p| p.is_file()),
    };
    let (merge_report, official_sdk) = match &facts_path {
        Some(path) => {
            let text =
                fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let facts = codegen::wechat::facts::parse(&text).map_err(|d| {
                report::print(&path.display().to_string(), &text, &d);
                format!("{} cannot be read; {SPECS} is left untouched", path.display())
            })?;
            let merged = merge::merge(&mut documents, &facts);
            let record = OfficialSdkRecord {
                repository: facts.source.repository.clone(),
                commit: facts.source.commit.clone(),
                operations_matched: merged.operations_matched,
            };
            (Some(merged), Some(record))
        }
        None => {
            notes.push(format!(
                "no official SDK facts beside {} ({FACTS_BESIDE_DOCS}): the docs alone were imported",
                from.display()
            ));
            (None, None)
        }
    };
    let sharing = codegen::wechat::share::share_response_types(&mut documents);
    apply_errata(root, &mut documents)?;

    let previous = read_source(root);
    let commit = match inputs.commit {
        Some(commit) => Some(commit),
        None => {
            let kept = previous
                .as_ref()
                .filter(|p| p.digest.as_deref() == Some(digest.as_str()))
                .and_then(|p| p.commit.clone());
            if kept.is_none() {
                notes.push(
                    "the pages are not the ones the recorded commit names: no commit is recorded \
                     (pass --commit SHA)"
                        .to_owned(),
                );
            }
            kept
        }
    };
    let record = SourceRecord {
        repository: inputs
            .repository
            .or_else(|| previous.as_ref().and_then(|p| p.repository.clone())),
        commit,
        root: ROOT.to_owned(),
        pages: pages.len(),
        operations: operations_under(&documents, ROOT).count(),
        webhook_root: (!webhook_pages.is_empty()).then(|| WEBHOOK_ROOT.to_owned()),
        events: documents
            .iter()
            .flat_map(|d| &d.events)
            .filter(|e| e.xml.is_none())
            .count(),
        events_sharing_response_types: sharing,
        digest: Some(digest),
        official_sdk,
        apiv2: (!v2_pages.is_empty()).then(|| Apiv2Record {
            root: V2_ROOT.to_owned(),
            pages: v2_pages.len(),
            moved: documents
                .iter()
                .filter(|d| d.moved_to.is_some() && d.source.starts_with(V2_ROOT))
                .count(),
            operations: operations_under(&documents, V2_ROOT).count(),
            mutual_tls_operations: operations_under(&documents, V2_ROOT)
                .filter(|op| op.mutual_tls)
                .count(),
            webhook_root: (!webhook_v2_pages.is_empty()).then(|| WEBHOOK_V2_ROOT.to_owned()),
            events: documents
                .iter()
                .flat_map(|d| &d.events)
                .filter(|e| e.xml.is_some())
                .count(),
        }),
    };
    let mut tree = Tree::new();
    for doc in &documents {
        let rel = doc.source.strip_prefix("openapi/").unwrap_or(&doc.source);
        let rel = rel.strip_suffix(".md").unwrap_or(rel);
        tree.insert(format!("{rel}.yaml"), model::to_yaml(doc));
    }
    tree.insert(SOURCE_FILE.to_owned(), model::to_yaml(&record));
    Ok(Plan {
        tree,
        documents,
        merge: merge_report,
        notes,
    })
}

/// Where imported pages go: the documents, and the digest of the pages (each keyed by
/// `page_key` of its relative path).
struct Folder<'a, K> {
    documents: &'a mut Vec<Document>,
    digest: &'a mut Sha256,
    page_key: K,
}

/// Imports each page `rel` of `dir` (named `{root}/{rel}` in the model) with `import`, printing
/// its warnings and diagnostics; returns how many failed.
fn import_pages<K: Fn(&str) -> String>(
    dir: &Path,
    root: &str,
    pages: &[String],
    import: fn(&str, &str) -> Result<codegen::wechat::Lowered, Vec<codegen::diag::Diagnostic>>,
    into: &mut Folder<'_, K>,
) -> Result<usize, String> {
    let mut failed = 0;
    for rel in pages {
        let path = dir.join(rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        into.digest.update((into.page_key)(rel).as_bytes());
        into.digest.update([0]);
        into.digest.update(text.as_bytes());
        into.digest.update([0]);
        match import(&format!("{root}/{rel}"), &text) {
            Ok(lowered) => {
                for w in &lowered.warnings {
                    report::print_warning(&path.display().to_string(), &text, w);
                }
                into.documents.push(lowered.document);
            }
            Err(diagnostics) => {
                failed += 1;
                for d in &diagnostics {
                    report::print(&path.display().to_string(), &text, d);
                }
            }
        }
    }
    Ok(failed)
}

/// The operations of the pages under the docs folder `root` (`openapi/v3`).
fn operations_under<'d>(
    documents: &'d [Document],
    root: &'d str,
) -> impl Iterator<Item = &'d codegen::ir::Operation> + 'd {
    documents
        .iter()
        .filter(move |d| {
            d.source
                .strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('/'))
        })
        .flat_map(|d| &d.operations)
}

/// Refuses a redirect page whose target is not an imported page.
fn check_moved(documents: &[Document]) -> Result<(), String> {
    for doc in documents {
        if let Some(target) = &doc.moved_to {
            if !documents.iter().any(|d| &d.source == target) {
                return Err(format!(
                    "{} redirects to {target}, which is not an imported page; {SPECS} is left untouched",
                    doc.source
                ));
            }
        }
    }
    Ok(())
}

/// Refuses a model in which two webhook pages declare one event (of one protocol: APIv2's
/// `TRANSACTION.SUCCESS` is not APIv3's).
fn check_event_names(documents: &[Document]) -> Result<(), String> {
    let mut seen = std::collections::BTreeMap::new();
    for doc in documents {
        for event in &doc.events {
            let key = (event.xml.is_some(), event.name.as_str());
            if let Some(first) = seen.insert(key, doc.source.as_str()) {
                return Err(format!(
                    "{} and {first} both declare the event `{}`; {SPECS} is left untouched",
                    doc.source, event.name
                ));
            }
        }
    }
    Ok(())
}

/// Applies the errata file (when present) to the merged model.
fn apply_errata(root: &Path, documents: &mut [Document]) -> Result<(), String> {
    let path = root.join(ERRATA);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(());
    };
    let errata: Vec<Erratum> = model::from_yaml(&text).map_err(|d| {
        report::print(&path.display().to_string(), &text, &d);
        format!("{ERRATA} cannot be read; {SPECS} is left untouched")
    })?;
    codegen::overrides::apply(documents, &errata).map_err(|errors| {
        for e in &errors {
            eprintln!("{ERRATA}: error: {e}");
        }
        format!(
            "{} errata in {ERRATA} do not match the model; {SPECS} is left untouched",
            errors.len()
        )
    })
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

/// Runs the import and prints its summary, what the facts changed, and the changelog.
pub fn run(root: &Path, inputs: Inputs<'_>) -> Result<(), String> {
    let start = Instant::now();
    let plan = plan(root, inputs)?;
    let previous = read_specs(root).unwrap_or_default();
    let log = changelog::diff(&previous, &plan.documents);
    let dir = root.join(SPECS);
    let (written, removed) = files::apply(&dir, &plan.tree, &[".yaml"])
        .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    let operations: usize = plan.documents.iter().map(|d| d.operations.len()).sum();
    let events: usize = plan.documents.iter().map(|d| d.events.len()).sum();
    println!(
        "imported {} pages: {operations} operations, {events} webhook events, {} types; {written} files written, {removed} removed under {SPECS} ({} ms)",
        plan.documents.len(),
        changelog::count_types(&plan.documents),
        start.elapsed().as_millis()
    );
    if let Some(merged) = &plan.merge {
        println!("{merged}");
    }
    for note in &plan.notes {
        println!("note: {note}");
    }
    print!("{log}");
    Ok(())
}
