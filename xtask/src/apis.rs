//! The APIs this project generates crates for, in the manner of rust-analyzer's `CodegenType`:
//! `import`, `codegen` and `codegen --check` loop over [`APIS`]. Adding an API is one entry here,
//! its spec under `specs/`, its emitter [`Settings`] and its runtime provider module.

use std::fs;
use std::path::Path;

use codegen::emit::Settings;
use codegen::ir::Document;

use crate::import::{self, Inputs};
use crate::report;

/// Where an API's model comes from.
pub enum Spec {
    /// Imported from the WeChat Pay docs pages and the official SDK's facts into
    /// `specs/wechatpay` by `cargo xtask import` (see [`import`]).
    WechatDocs,
    /// A hand-written OpenAPI 3.0 document, read as it is by the OpenAPI front-end
    /// ([`codegen::openapi`]); `import` checks it and writes nothing.
    OpenApi {
        /// The document, relative to the workspace root.
        path: &'static str,
    },
}

/// One API: its spec, its emitter settings and where its crates go.
pub struct Api {
    /// The name `--api` selects (`wechatpay`, `wonder`).
    pub name: &'static str,
    /// Where the model comes from.
    pub spec: Spec,
    /// The emitter's settings; its crate's directory is `generated/` and the settings'
    /// `directory` ([`Api::crate_dir`]).
    pub settings: fn() -> Settings,
}

/// Every API, in the order the tasks handle them.
pub const APIS: &[Api] = &[
    Api {
        name: "wechatpay",
        spec: Spec::WechatDocs,
        settings: Settings::wechatpay,
    },
    Api {
        name: "wonder",
        spec: Spec::OpenApi {
            path: "specs/wonder/openapi.yaml",
        },
        settings: Settings::wonder,
    },
];

/// The APIs `--api` names (every API when `names` is empty).
///
/// # Errors
/// A name no API has, listing the known ones.
pub fn select(names: &[String]) -> Result<Vec<&'static Api>, String> {
    if names.is_empty() {
        return Ok(APIS.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            APIS.iter().find(|api| api.name == name).ok_or_else(|| {
                let known: Vec<&str> = APIS.iter().map(|a| a.name).collect();
                format!("no API named `{name}` (known: {})", known.join(", "))
            })
        })
        .collect()
}

impl Api {
    /// The SDK crate's directory, relative to the workspace root (`generated/wechatpay`); its
    /// conformance crate, when the settings ask for one, is beside it with `-conformance` after
    /// the name.
    pub fn crate_dir(&self) -> String {
        format!("generated/{}", (self.settings)().directory)
    }

    /// The API's model as `codegen` emits it.
    ///
    /// # Errors
    /// A model file that cannot be read: its diagnostics are printed with file, line and column.
    pub fn documents(&self, root: &Path) -> Result<Vec<Document>, String> {
        match self.spec {
            Spec::WechatDocs => import::read_specs(root),
            Spec::OpenApi { path } => {
                let file = root.join(path);
                let text =
                    fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                match codegen::openapi::lower(path, &text) {
                    Ok(document) => Ok(vec![document]),
                    Err(diagnostics) => {
                        for d in &diagnostics {
                            report::print(&file.display().to_string(), &text, d);
                        }
                        Err(format!("{path}: {} problems", diagnostics.len()))
                    }
                }
            }
        }
    }

    /// `cargo xtask import` for this API: WeChat Pay's docs import (see [`import::run`]); an
    /// OpenAPI document written by hand is only checked.
    ///
    /// # Errors
    /// As [`import::run`], or [`Api::documents`].
    pub fn import(&self, root: &Path, inputs: Inputs<'_>) -> Result<(), String> {
        match self.spec {
            Spec::WechatDocs => import::run(root, inputs),
            Spec::OpenApi { path } => {
                let documents = self.documents(root)?;
                let operations: usize = documents.iter().map(|d| d.operations.len()).sum();
                let types: usize = documents.iter().map(|d| d.types.len()).sum();
                println!(
                    "checked {path}: {operations} operations, {types} named types (written by hand; nothing to write)"
                );
                Ok(())
            }
        }
    }
}
