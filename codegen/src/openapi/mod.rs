//! Front-end for OpenAPI 3.0 documents (Wonder Recurring Payments, `specs/wonder/openapi.yaml`).
//!
//! The YAML is read with `serde_norway` into the `openapiv3` data model (which keeps `nullable`,
//! `format` and every `x-` extension) and lowered to one IR [`Document`]:
//!
//! - every `components.schemas` entry becomes a [`crate::ir::NamedType`], in document order
//!   (`schema.rs`);
//! - every path and method becomes an [`crate::ir::Operation`], in document order, with its
//!   parameters, JSON request body and success response; when the document declares a
//!   top-level `x-envelope` (`{code, message, data, success}`) and a response is such an
//!   envelope, the operation gets an [`crate::ir::Envelope`] and only the `data` member is its
//!   response (`operation.rs`, `body.rs`).
//!
//! Problems are [`Diagnostic`]s whose message starts with the JSON pointer of the offending
//! node (`#/components/schemas/Plan/properties/timeout/$ref: …`) and whose line and column
//! are that node's position in the YAML (`locate.rs`).

mod allof;
mod body;
mod events;
mod locate;
mod operation;
mod schema;

use std::fmt;

use openapiv3::OpenAPI;

use crate::diag::{Diagnostic, Span};
use crate::ir::{Document, Envelope};

/// Reads an OpenAPI 3.0 document (YAML or JSON text) and lowers it to a [`Document`].
///
/// `source` names the document in the IR and in messages (e.g. `specs/wonder/openapi.yaml`);
/// the caller prefixes it to each diagnostic when printing.
///
/// # Errors
/// Every problem found, each at a line and column of `text`: YAML that does not parse or does
/// not match the OpenAPI 3.0 model (serde's position), a document that is not OpenAPI 3.0, and
/// every construct the IR cannot express or that does not resolve (a `$ref` to a missing
/// schema, `oneOf`/`anyOf`/`not`, a cookie parameter, a `HEAD` operation, a path parameter the
/// path does not name, …), each message naming the JSON pointer of the node. No [`Document`]
/// is returned when there is any.
pub fn lower(source: &str, text: &str) -> Result<Document, Vec<Diagnostic>> {
    let api = parse(text).map_err(|d| vec![d])?;
    let mut cx = Cx::new(text, &api);
    if !api.openapi.starts_with("3.0.") {
        cx.error(
            &Ptr::root().join("openapi"),
            format!(
                "OpenAPI version `{}` is not supported (this front-end reads 3.0.x)",
                api.openapi
            ),
        );
    }
    let types = schema::named_types(&mut cx);
    let operations = operation::operations(&mut cx);
    let events = events::events(&mut cx);
    if cx.diagnostics.is_empty() {
        Ok(Document {
            moved_to: None,
            source: source.to_owned(),
            title: Some(api.info.title.clone()),
            operations,
            types,
            events,
        })
    } else {
        Err(cx.diagnostics)
    }
}

/// Deserializes the text into the `openapiv3` model.
fn parse(text: &str) -> Result<OpenAPI, Diagnostic> {
    crate::model::from_yaml(text).map_err(|mut d| {
        d.message = format!("not an OpenAPI 3.0 document: {}", d.message);
        d
    })
}

/// A JSON pointer into the document (RFC 6901), displayed as a URI fragment:
/// `#/components/schemas/Plan`, `#/paths/~1svc~1payment~1…/get`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Ptr(Vec<String>);

impl Ptr {
    /// The pointer to the whole document (`#`).
    pub fn root() -> Ptr {
        Ptr(Vec::new())
    }

    /// This pointer extended by one member name or array index.
    pub fn join(&self, segment: impl fmt::Display) -> Ptr {
        let mut segments = self.0.clone();
        segments.push(segment.to_string());
        Ptr(segments)
    }

    /// The unescaped segments (`["paths", "/svc/…", "get"]`).
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// Parses a local reference (`#/components/schemas/Plan`); `None` for any other form (an
    /// external file, a relative URL).
    pub fn parse_ref(reference: &str) -> Option<Ptr> {
        let rest = reference.strip_prefix('#')?;
        if rest.is_empty() {
            return Some(Ptr::root());
        }
        let rest = rest.strip_prefix('/')?;
        Some(Ptr(rest
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect()))
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for segment in &self.0 {
            write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

/// The lowering context: the text (for positions), the parsed document, the envelope it
/// declares and the diagnostics so far.
pub(crate) struct Cx<'a> {
    text: &'a str,
    /// The parsed document.
    pub api: &'a OpenAPI,
    /// The document's `x-envelope`, when it declares a valid one.
    pub envelope: Option<Envelope>,
    /// Every problem found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Cx<'a> {
    /// A context for `api`, parsed from `text`; reads the top-level `x-envelope` (a malformed
    /// one is a diagnostic).
    pub fn new(text: &'a str, api: &'a OpenAPI) -> Cx<'a> {
        let mut cx = Cx {
            text,
            api,
            envelope: None,
            diagnostics: Vec::new(),
        };
        if let Some(value) = api.extensions.get("x-envelope") {
            match serde_json::from_value::<Envelope>(value.clone()) {
                Ok(envelope) => cx.envelope = Some(envelope),
                Err(err) => cx.error(
                    &Ptr::root().join("x-envelope"),
                    format!("`x-envelope` must be {{code, message, data, success}}: {err}"),
                ),
            }
        }
        cx
    }

    /// Records a problem at the node `at` points to (its position in the text, or that of its
    /// nearest existing ancestor).
    pub fn error(&mut self, at: &Ptr, message: impl fmt::Display) {
        let span = locate::locate(self.text, at.segments()).unwrap_or(Span { line: 1, column: 1 });
        self.diagnostics
            .push(Diagnostic::new(span, format!("{at}: {message}")));
    }

    /// The order in which the methods of `path` are written in the text (lower case), for
    /// operations in document order; empty when the text cannot say.
    pub fn method_order(&self, path: &str) -> Vec<String> {
        locate::keys(self.text, &["paths".to_owned(), path.to_owned()])
    }
}
