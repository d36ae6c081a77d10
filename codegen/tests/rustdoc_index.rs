//! Rustdoc for users: over the whole committed model (`specs/wechatpay`, `specs/wonder`), every
//! operation's function carries `#[doc(alias)]`es for its title and its path template, each
//! one rustdoc accepts, and the `index` module has a row per operation linking to that very
//! function when its feature is on (plain text otherwise). Read back from the emitted source
//! with `syn`, compared with the model; nothing is counted by hand.

use std::collections::BTreeMap;
use std::path::Path;

use codegen::emit::{GeneratedFile, Settings, crates};
use codegen::ir::Document;
use codegen::model::document_from_yaml;
use syn::{Attribute, Expr, ExprLit, Item, Lit, Meta};

const SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs");

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("specs folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn wechatpay_model() -> Vec<Document> {
    let mut files = Vec::new();
    yaml_files(&Path::new(SPECS).join("wechatpay/v3"), &mut files);
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("model file");
            document_from_yaml(&text).unwrap_or_else(|d| panic!("{}: {d:?}", f.display()))
        })
        .collect()
}

fn wonder_model() -> Vec<Document> {
    let path = Path::new(SPECS).join("wonder/openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("openapi.yaml");
    vec![codegen::openapi::lower("specs/wonder/openapi.yaml", &text).expect("lowers")]
}

/// A function of the generated crate: where it is, its aliases, its doc text.
#[derive(Debug)]
struct Function {
    path: String,
    aliases: Vec<String>,
    doc: String,
}

fn string_value(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
        _ => None,
    }
}

/// The `doc = "…"` and `doc(alias = "…")` values of `attrs`.
fn doc_and_aliases(attrs: &[Attribute]) -> (String, Vec<String>) {
    let mut doc = String::new();
    let mut aliases = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        match &attr.meta {
            Meta::NameValue(nv) => {
                doc.push_str(&string_value(&nv.value).unwrap_or_default());
                doc.push('\n');
            }
            Meta::List(_) => {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("alias") {
                        let value: syn::LitStr = meta.value()?.parse()?;
                        aliases.push(value.value());
                    }
                    Ok(())
                })
                .expect("doc(alias = …)");
            }
            Meta::Path(_) => {}
        }
    }
    (doc, aliases)
}

/// Every function under `items` (module `path`), following `mod x;` into its file.
fn collect(
    files: &BTreeMap<&str, syn::File>,
    dir: &str,
    path: &[String],
    items: &[Item],
    out: &mut Vec<Function>,
) {
    for item in items {
        match item {
            Item::Fn(f) => {
                let (doc, aliases) = doc_and_aliases(&f.attrs);
                let mut full = path.to_vec();
                full.push(f.sig.ident.to_string());
                out.push(Function {
                    path: full.join("::"),
                    aliases,
                    doc,
                });
            }
            Item::Mod(m) => {
                let name = m.ident.to_string();
                let name = name.trim_start_matches("r#").to_owned();
                let mut inner = path.to_vec();
                inner.push(name.clone());
                match &m.content {
                    Some((_, items)) => collect(files, dir, &inner, items, out),
                    None => {
                        let file = [format!("{dir}{name}.rs"), format!("{dir}{name}/mod.rs")]
                            .into_iter()
                            .find_map(|p| files.get(p.as_str()))
                            .unwrap_or_else(|| panic!("no file for module {}", inner.join("::")));
                        collect(files, &format!("{dir}{name}/"), &inner, &file.items, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn functions(sdk: &[GeneratedFile]) -> Vec<Function> {
    let files: BTreeMap<&str, syn::File> = sdk
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| (f.path.as_str(), syn::parse_file(&f.contents).expect("valid Rust")))
        .collect();
    let mut out = Vec::new();
    collect(&files, "src/", &[], &files["src/lib.rs"].items, &mut out);
    out
}

/// What rustdoc refuses in an alias (rustc's `check_doc_alias_value`).
fn legal(alias: &str, function: &str) -> bool {
    !alias.is_empty()
        && !alias.starts_with(' ')
        && !alias.ends_with(' ')
        && !alias
            .chars()
            .any(|c| c == '"' || c == '\'' || (c.is_whitespace() && c != ' '))
        && alias != function
}

/// A title as its alias: what the model says, with what rustdoc refuses taken out.
fn as_alias(title: &str) -> String {
    let title: String = title.chars().filter(|c| *c != '\'').collect();
    title
        .split(|c: char| c == '"' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(documents: &[Document], settings: &Settings) {
    let sdk = crates(documents, settings).expect("emits").sdk;
    let functions = functions(&sdk);
    let index = &sdk
        .iter()
        .find(|f| f.path == "src/index.rs")
        .expect("src/index.rs")
        .contents;
    let mut operations = 0;
    for document in documents {
        for op in &document.operations {
            operations += 1;
            let line = format!("`{} {}`", op.method.as_str(), op.path);
            let found: Vec<&Function> = functions.iter().filter(|f| f.doc.contains(&line)).collect();
            assert_eq!(found.len(), 1, "{line}: one function documents it");
            let function = found[0];
            let name = function.path.rsplit("::").next().unwrap_or_default();
            assert!(
                function.aliases.contains(&op.path),
                "{line}: no path alias in {:?}",
                function.aliases
            );
            let mut titles: Vec<&str> = op.summary.iter().map(String::as_str).collect();
            if document.operations.len() == 1 {
                titles.extend(document.title.as_deref());
            }
            for title in titles {
                let alias = as_alias(title);
                assert!(
                    alias == name || function.aliases.contains(&alias),
                    "{line}: no alias {alias:?} in {:?}",
                    function.aliases
                );
            }
            for alias in &function.aliases {
                assert!(legal(alias, name), "{line}: rustdoc refuses the alias {alias:?}");
            }
            // The index row: linked to this very function, and in plain text for builds
            // without its feature.
            let linked = format!("`{}`](crate::{})", function.path, function.path);
            let plain = format!("{line} | `{}` |", function.path);
            let rows = index
                .lines()
                .filter(|l| l.contains(&format!(" | {line} | ")))
                .count();
            assert_eq!(rows, 2, "{line}: one linked and one plain row in the index");
            assert!(
                index.contains(&linked),
                "{line}: the index does not link {linked}"
            );
            assert!(
                index.contains(&plain),
                "{line}: the index has no plain row {plain}"
            );
        }
    }
    let with_aliases = functions.iter().filter(|f| !f.aliases.is_empty()).count();
    assert_eq!(with_aliases, operations, "only operation functions carry aliases");
    assert!(operations > 0);
    assert!(index.contains(&format!("({operations} operations)")));
}

#[test]
fn every_wechatpay_operation_is_found_by_its_title_and_its_path() {
    check(&wechatpay_model(), &Settings::wechatpay());
}

#[test]
fn every_wonder_operation_is_found_by_its_summary_and_its_path() {
    check(&wonder_model(), &Settings::wonder());
}
