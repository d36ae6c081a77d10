//! What makes a generated crate a publishable package: its `Cargo.toml` (versioned runtime
//! dependency, crates.io and docs.rs metadata), its `README.md`, and `src/lib.rs` (the crate docs
//! with a quick start, the runtime and its items re-exported so the crate is the one dependency
//! a user adds).
//!
//! The license texts beside them are the workspace root's, copied by `cargo xtask codegen`.

use proc_macro2::TokenStream;
use quote::quote;

use super::settings::Settings;
use super::types::{docs, ident};

/// The version of every generated crate.
pub const VERSION: &str = "0.1.0";

/// The version of `sdk-runtime` (`runtime/Cargo.toml`) the generated crates depend on.
pub const RUNTIME_VERSION: &str = "0.1.0";

/// The header of generated TOML and markdown files.
fn header(comment: &str) -> String {
    super::HEADER.replace("// ", comment)
}

/// The version requirement a user writes (`0.1` for `0.1.0`, `1` for `1.2.0`).
fn requirement(version: &str) -> String {
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) => format!("0.{minor}"),
        (Some(major), _) => major.to_owned(),
        _ => version.to_owned(),
    }
}

/// The crate docs of `settings` as markdown (its words, then the quick start up to its example),
/// and the example's code.
fn crate_docs(settings: &Settings, operation_count: usize) -> (String, String) {
    let intro = settings
        .crate_doc
        .replace("{operation_count}", &operation_count.to_string());
    let QuickStartText { before, code } = quick_start(settings);
    (format!("{intro}\n\n{before}"), code)
}

/// The quick start's prose and its code.
struct QuickStartText {
    /// The heading, the `Cargo.toml` line and the sentence before the example.
    before: String,
    /// The example (Rust).
    code: String,
}

fn quick_start(settings: &Settings) -> QuickStartText {
    let feature = &settings.quick_start.feature;
    QuickStartText {
        before: format!(
            "# Quick start\n\nAdd the crate with the features of the products you call (`full` for all \
             of them); it re-exports the runtime, so it is the only dependency you need:\n\n\
             ```toml\n[dependencies]\n{} = {{ version = \"{}\", features = [\"{feature}\"] }}\n```\n\n\
             Build a client once, then call an operation (with the feature `{feature}`):",
            settings.crate_name,
            requirement(VERSION)
        ),
        code: settings.quick_start.code.clone(),
    }
}

/// `src/lib.rs`: the crate docs with the quick start (a `no_run` doctest when its feature is
/// enabled, ignored otherwise), the re-exports, and the module declarations `items`.
pub(super) fn lib_rs(items: &[TokenStream], operation_count: usize, settings: &Settings) -> TokenStream {
    let (text, code) = crate_docs(settings, operation_count);
    let intro = docs(&text, true);
    let feature = &settings.quick_start.feature;
    let example = docs(&code, true);
    let provider = ident(&settings.provider);
    let reexports = settings.reexports.iter().map(|r| ident(r));
    let shared = settings.shared_reexports();
    let shared = shared.iter().map(|r| ident(r));
    quote! {
        #intro
        #![doc = ""]
        #![cfg_attr(feature = #feature, doc = " ```rust,no_run")]
        #![cfg_attr(not(feature = #feature), doc = " ```rust,ignore")]
        #example
        #![doc = " ```"]
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![allow(clippy::too_many_arguments, clippy::large_enum_variant)]

        /// The runtime this crate calls (`sdk-runtime`): signing, verification, keys, transport,
        /// errors. The items a caller needs are re-exported at the crate root; the rest is here,
        /// so this crate is the one dependency to add.
        pub use ::sdk_runtime as runtime;
        // prettyplease and rustfmt wrap long lists at different widths.
        #[rustfmt::skip]
        pub use ::sdk_runtime::#provider::{#(#reexports),*};
        #[rustfmt::skip]
        pub use ::sdk_runtime::{#(#shared),*};

        #(#items)*
    }
}

/// `Cargo.toml`: a publishable package with one cargo feature per product plus `full`.
pub(super) fn cargo_toml(features: &[String], settings: &Settings) -> String {
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = &settings.crate_name;
    let mut out = format!(
        "{}\
         [package]\n\
         name = \"{name}\"\n\
         version = \"{VERSION}\"\n\
         description = \"{}\"\n\
         documentation = \"https://docs.rs/{name}\"\n\
         readme = \"README.md\"\n\
         keywords = [{}]\n\
         categories = [{}]\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         repository.workspace = true\n\
         publish = true\n\
         \n\
         [package.metadata.docs.rs]\n\
         all-features = true\n\
         rustdoc-args = [\"--cfg\", \"docsrs\"]\n\
         \n\
         [lints.rust]\n\
         unexpected_cfgs = {{ level = \"warn\", check-cfg = [\"cfg(docsrs)\"] }}\n\
         \n\
         [dependencies]\n\
         sdk-runtime = {{ version = \"{RUNTIME_VERSION}\", path = \"../../runtime\" }}\n\
         serde.workspace = true\n\
         \n\
         [features]\n\
         default = []\n",
        header("# "),
        settings.description,
        quoted(&settings.keywords),
        quoted(&settings.categories),
    );
    out.push_str(&format!("full = [{}]\n", quoted(features)));
    for feature in features {
        out.push_str(&format!("{feature} = []\n"));
    }
    for feature in &settings.runtime_features {
        out.push_str(&format!("{feature} = [\"sdk-runtime/{feature}\"]\n"));
    }
    out
}

/// `README.md`: what crates.io shows. The crate docs as plain markdown (intra-doc links become
/// code), the quick start, and where the docs and the license are.
pub(super) fn readme(operation_count: usize, features: &str, settings: &Settings) -> String {
    let (text, code) = crate_docs(settings, operation_count);
    // The crate's name is the README's one first-level heading.
    let text = plain_links(&text).replace("\n# ", "\n## ");
    let name = &settings.crate_name;
    format!(
        "{}\n# {name}\n\n{text}\n\n```rust\n{code}\n```\n\n\
         ## Products and features\n\nEach product is a cargo feature (`full` enables them all):\n\n{features}\n\
         ## Documentation\n\n<https://docs.rs/{name}>: every operation with its title, `METHOD \
         /path` and official links; the `index` module lists them all, and the search finds one \
         by its title or its path.\n\n\
         ## License\n\nLicensed under either of [Apache License, Version 2.0](LICENSE-APACHE) or \
         [MIT license](LICENSE-MIT) at your option.\n",
        header("<!-- ").trim_end().to_owned() + " -->",
    )
}

/// Markdown without rustdoc's intra-doc links: `` [`Error`] `` and `` [`Kind`](path) `` become
/// `` `Error` `` and `` `Kind` ``.
fn plain_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        let Some(len) = rest[start + 2..].find("`]") else {
            break;
        };
        out.push_str(&rest[..start]);
        let code = &rest[start + 1..start + 2 + len + 1];
        out.push_str(code);
        rest = &rest[start + 2 + len + 2..];
        // A link target in parentheses goes with it.
        if let Some(target) = rest.strip_prefix('(') {
            if let Some(end) = target.find(')') {
                rest = &target[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_writes_the_major_or_the_zero_minor() {
        assert_eq!(requirement("0.1.0"), "0.1");
        assert_eq!(requirement("1.2.3"), "1");
    }

    #[test]
    fn intra_doc_links_become_code_in_the_readme() {
        assert_eq!(
            plain_links("an [`Error`] of kind [`ErrorKind::Api`] or [`Build`](crate::ErrorKind::Build)."),
            "an `Error` of kind `ErrorKind::Api` or `Build`."
        );
        assert_eq!(plain_links("no [link"), "no [link");
    }

    #[test]
    fn the_runtime_dependency_is_the_runtime_crates_version() {
        let manifest = include_str!("../../../runtime/Cargo.toml");
        let version = manifest
            .lines()
            .find_map(|l| l.strip_prefix("version = "))
            .expect("runtime/Cargo.toml has a version");
        assert_eq!(version.trim_matches('"'), RUNTIME_VERSION);
    }

    #[test]
    fn each_crate_is_publishable_with_docs_rs_metadata() {
        for settings in [Settings::wechatpay(), Settings::wonder()] {
            let toml = cargo_toml(&["pay".to_owned()], &settings);
            let name = &settings.crate_name;
            for line in [
                format!("name = \"{name}\"\n"),
                format!("documentation = \"https://docs.rs/{name}\"\n"),
                "readme = \"README.md\"\n".to_owned(),
                "publish = true\n".to_owned(),
                "repository.workspace = true\n".to_owned(),
                "[package.metadata.docs.rs]\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]\n"
                    .to_owned(),
                format!("sdk-runtime = {{ version = \"{RUNTIME_VERSION}\", path = \"../../runtime\" }}\n"),
            ] {
                assert!(toml.contains(&line), "{name}: no {line:?} in\n{toml}");
            }
            assert!(settings.keywords.len() <= 5, "crates.io takes five keywords");
            let table = "| feature | module | operations | for example |\n";
            let readme = readme(1, table, &settings);
            assert!(readme.contains("## Products and features") && readme.contains(table));
            assert!(readme.contains(&format!("{name} = {{ version = \"0.1\", features = [")));
            assert!(readme.contains(&settings.quick_start.code));
            assert!(!readme.contains("[`"), "no intra-doc link left in the README");
        }
    }
}
