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

/// Compares the planned `tree` with what is under `dir` (files ending in one of `suffixes`):
/// returns the relative paths that would be written, and those that would be deleted.
pub fn stale(dir: &Path, tree: &Tree, suffixes: &[&str]) -> io::Result<(Vec<String>, Vec<String>)> {
    let mut changed = Vec::new();
    for (rel, contents) in tree {
        match fs::read_to_string(dir.join(rel)) {
            Ok(existing) if existing == *contents => {}
            _ => changed.push(rel.clone()),
        }
    }
    let mut removed = Vec::new();
    for suffix in suffixes {
        for rel in list(dir, suffix)? {
            if !tree.contains_key(&rel) {
                removed.push(rel);
            }
        }
    }
    removed.sort();
    removed.dedup();
    Ok((changed, removed))
}

/// Makes `dir` hold `tree`: writes only changed files and deletes the stale ones that
/// [`stale`] found. Returns how many files were written and removed.
pub fn apply(dir: &Path, tree: &Tree, suffixes: &[&str]) -> io::Result<(usize, usize)> {
    let (changed, removed) = stale(dir, tree, suffixes)?;
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
