//! Disk helpers: the workspace root, sorted recursive listing, write-if-changed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The workspace root (the parent of the `xtask` crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Every file below `dir` whose name ends with `suffix`, as sorted `/`-separated paths relative to `dir`.
pub fn list(dir: &Path, suffix: &str) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, suffix, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn walk(base: &Path, dir: &Path, suffix: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(base, &path, suffix, out)?;
        } else if path.to_string_lossy().ends_with(suffix) {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// The planned contents of a directory tree: relative path → bytes.
pub type Tree = std::collections::BTreeMap<String, String>;

/// How a directory differs from its planned tree.
#[derive(Debug, Default)]
pub struct Stale {
    /// Planned files that do not exist.
    pub missing: Vec<String>,
    /// Planned files whose contents differ.
    pub changed: Vec<String>,
    /// Files (ending in one of the owned suffixes) that are not planned.
    pub extra: Vec<String>,
}

impl Stale {
    /// Every stale file, each with what is wrong with it, prefixed with `label/`; `tool` is the
    /// command that writes them.
    pub fn describe(&self, label: &str, tool: &str) -> Vec<String> {
        let missing = self.missing.iter().map(|f| format!("{label}/{f} (missing)"));
        let changed = self
            .changed
            .iter()
            .map(|f| format!("{label}/{f} (differs from `{tool}`)"));
        let extra = self
            .extra
            .iter()
            .map(|f| format!("{label}/{f} (not written by `{tool}`)"));
        missing.chain(changed).chain(extra).collect()
    }
}

/// Compares the planned `tree` with what is under `dir` (files ending in one of `suffixes`).
pub fn stale(dir: &Path, tree: &Tree, suffixes: &[&str]) -> io::Result<Stale> {
    let mut out = Stale::default();
    for (rel, contents) in tree {
        match fs::read_to_string(dir.join(rel)) {
            Ok(existing) if existing == *contents => {}
            Ok(_) => out.changed.push(rel.clone()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => out.missing.push(rel.clone()),
            Err(_) => out.changed.push(rel.clone()),
        }
    }
    for suffix in suffixes {
        for rel in list(dir, suffix)? {
            if !tree.contains_key(&rel) {
                out.extra.push(rel);
            }
        }
    }
    out.extra.sort();
    out.extra.dedup();
    Ok(out)
}

/// Makes `dir` hold `tree`: writes only changed files and deletes the stale ones that
/// [`stale`] found. Returns how many files were written and removed.
pub fn apply(dir: &Path, tree: &Tree, suffixes: &[&str]) -> io::Result<(usize, usize)> {
    let Stale {
        missing,
        mut changed,
        extra: removed,
    } = stale(dir, tree, suffixes)?;
    changed.extend(missing);
    for rel in &changed {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, &tree[rel])?;
    }
    for rel in &removed {
        fs::remove_file(dir.join(rel))?;
        let mut parent = dir.join(rel).parent().map(Path::to_path_buf);
        while let Some(p) = parent {
            if p == dir || fs::remove_dir(&p).is_err() {
                break;
            }
            parent = p.parent().map(Path::to_path_buf);
        }
    }
    Ok((changed.len(), removed.len()))
}
