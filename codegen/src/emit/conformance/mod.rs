//! The conformance crate of an API, beside its SDK (`generated/wechatpay-conformance`, package
//! `wechatpay-typed-conformance`; `generated/wonder-conformance`): a test-only crate that calls
//! every function of the generated SDK by its operation's name
//! (`"POST /v3/profitsharing/receivers/add"`) with arguments decoded from JSON, so one
//! end-to-end test (and `payctl call`) can drive every operation.
//!
//! It calls the functions through the [`Signature`]s the operation emitter returned, so the
//! argument order and the Rust type paths (path parameter enums, `…Query`, `…Request`) are the
//! ones the SDK has, never re-derived here. Layout: one file per product (`src/v3/pay.rs`) with
//! one caller per operation (a function returning its boxed future), `src/support.rs` with the
//! JSON conversions, `src/lib.rs` with `OPERATIONS`, `Outcome` and the `call` that dispatches on
//! the operation's name, and `tests/call/` that runs `call` against the API's mock server (set
//! up as [`Conformance::test_setup`] says). The provider's runtime items (its `Client`, and
//! `Encryptor`, `MediaUpload`, `Filter` where an operation takes one) are named through
//! [`Settings::provider`].
//!
//! [`Signature`]: super::operation::Signature

mod call_test;
mod callers;
mod lib_file;
mod manifest;
mod sample;
mod support;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::names::{serde_name, unique};
use super::operation;
use super::types::{docs, ident};
use super::{Conformance, EmitError, GeneratedFile, Located, Settings, render};

use self::call_test::test_rs;
use self::callers::caller;
use self::lib_file::lib_rs;
use self::manifest::cargo_toml;
use self::sample::sample;
use self::support::support_rs;

/// The conformance crate's package name: the SDK's with `-conformance` after it.
fn package(settings: &Settings) -> String {
    format!("{}-conformance", settings.crate_name)
}

/// The files of the conformance crate for the functions emitted into the SDK of `settings`.
pub(super) fn crate_files(
    located: &[Located],
    settings: &Settings,
    conformance: &Conformance,
) -> Result<Vec<GeneratedFile>, EmitError> {
    let sdk = ident(&settings.lib_name());
    let provider = ident(&settings.provider);
    let mut products: BTreeMap<&[String], Vec<&Located>> = BTreeMap::new();
    for l in located {
        products.entry(l.product.as_slice()).or_default().push(l);
    }

    let mut files = Vec::new();
    // `"METHOD /path"` → the function of this crate that calls it.
    let mut arms: Vec<(String, TokenStream)> = Vec::new();
    // The same for the XML protocol's operations, which take its own client.
    let mut xml_arms: Vec<(String, TokenStream)> = Vec::new();
    // Root modules (`v3`) → the product modules under them; `""` holds the products that are
    // root modules themselves (`invoicing`).
    let mut roots: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (product, functions) in &products {
        let product_path: Vec<Ident> = product.iter().map(|m| ident(m)).collect();
        let mut names: Vec<String> = Vec::new();
        let mut items = Vec::new();
        for l in functions {
            let base = std::iter::once(l.signature.function.as_str())
                .chain(l.modules.iter().map(|m| serde_name(m)))
                .collect::<Vec<_>>()
                .join("_");
            let name = unique(&base, |n| names.iter().any(|x| x == n));
            names.push(name.clone());
            let fn_id = format_ident!("{name}");
            let client = if l.signature.xml {
                settings.xml_runtime("Client")
            } else {
                quote!(::sdk_runtime::#provider::Client)
            };
            items.push(caller(l, &fn_id, &sdk, &client));
            let arm = (operation_name(l), quote!(#(#product_path::)*#fn_id));
            if l.signature.xml {
                xml_arms.push(arm);
            } else {
                arms.push(arm);
            }
        }
        let doc = docs(
            &format!(
                "Callers of the operations of `{}::{}`.",
                settings.lib_name(),
                product.join("::")
            ),
            true,
        );
        files.push(GeneratedFile {
            path: format!(
                "src/{}.rs",
                product
                    .iter()
                    .map(|p| serde_name(p))
                    .collect::<Vec<_>>()
                    .join("/")
            ),
            contents: render(quote! {
                #doc
                #(#items)*
            })?,
        });
        match *product {
            [root, module] => roots.entry(root).or_default().push(module),
            [module] => roots.entry("").or_default().push(module),
            _ => {}
        }
    }

    let mut modules = Vec::new();
    for (root, children) in &roots {
        let decls: Vec<TokenStream> = children
            .iter()
            .map(|module| {
                let id = ident(module);
                quote! {
                    #[rustfmt::skip]
                    pub(crate) mod #id;
                }
            })
            .collect();
        if root.is_empty() {
            modules.extend(decls);
            continue;
        }
        let id = ident(root);
        modules.push(quote! {
            #[rustfmt::skip]
            mod #id;
        });
        let doc = docs(
            &format!("Callers of the operations under `/{}`.", serde_name(root)),
            true,
        );
        files.push(GeneratedFile {
            path: format!("src/{}/mod.rs", serde_name(root)),
            contents: render(quote! {
                #doc
                #(#decls)*
            })?,
        });
    }

    arms.sort_by(|a, b| a.0.cmp(&b.0));
    xml_arms.sort_by(|a, b| a.0.cmp(&b.0));
    let uses = Uses::of(located);
    files.push(GeneratedFile {
        path: "src/lib.rs".to_owned(),
        contents: render(lib_rs(&modules, &arms, &xml_arms, &uses, settings))?,
    });
    files.push(GeneratedFile {
        path: "src/support.rs".to_owned(),
        contents: render(support_rs(&uses, &provider))?,
    });
    // The test target `call` is a directory, so its cases can sit in a module rustfmt skips.
    files.push(GeneratedFile {
        path: "tests/call/main.rs".to_owned(),
        contents: render({
            let doc = docs(
                &format!(
                    "`call` against {} (the cases are generated).",
                    conformance.mock_name
                ),
                true,
            );
            quote! {
                #doc
                #[rustfmt::skip]
                mod cases;
            }
        })?,
    });
    files.push(GeneratedFile {
        path: "tests/call/cases.rs".to_owned(),
        contents: render(test_rs(
            &located
                .iter()
                .filter(|l| !l.signature.xml)
                .cloned()
                .collect::<Vec<_>>(),
            &package(settings).replace('-', "_"),
            conformance,
        )?)?,
    });
    files.push(GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: cargo_toml(&package(settings), settings),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Which kinds of argument and answer the SDK's functions have: the crate carries the helpers
/// and `Outcome` variants of those only.
#[derive(Debug, Clone, Copy)]
struct Uses {
    /// A closure encrypting sensitive fields (`Encryptor`).
    encrypted: bool,
    /// A media upload (`MediaUpload`).
    upload: bool,
    /// A list filter (`Filter`).
    filter: bool,
    /// A streamed download (JSON protocol).
    download: bool,
    /// A file answered whole (XML protocol).
    xml_download: bool,
}

impl Uses {
    fn of(located: &[Located]) -> Uses {
        let any = |f: &dyn Fn(&Located) -> bool| located.iter().any(f);
        let any_arg = |f: fn(&operation::Arg) -> bool| any(&|l| l.signature.args.iter().any(f));
        Uses {
            encrypted: any_arg(|a| matches!(a, operation::Arg::Encrypted { .. })),
            upload: any_arg(|a| matches!(a, operation::Arg::Upload)),
            filter: any_arg(|a| matches!(a, operation::Arg::Filter { .. })),
            download: any(&|l| l.signature.download && !l.signature.xml),
            xml_download: any(&|l| l.signature.download && l.signature.xml),
        }
    }
}

/// `"METHOD /path/template"`, exactly as the model spells the path.
fn operation_name(l: &Located) -> String {
    format!("{} {}", l.op.method.as_str(), l.op.path)
}
