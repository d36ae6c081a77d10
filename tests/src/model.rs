//! The API model the mock serves: every operation of `specs/wechatpay/**/*.yaml` (the merged
//! model `cargo xtask import` writes, errata applied, exactly what the generated client is made
//! from), the webhook events it documents, and the router that matches a request to one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use codegen::ir::{Document, Event, Operation};

/// `<workspace>/specs`, where the model lives.
pub fn default_specs_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs"))
}

/// How many operations `cargo xtask import` recorded in `specs/wechatpay/source.yaml`: what the
/// tests compare the loaded model with, instead of a count copied from today's docs.
///
/// # Panics
/// When the record cannot be read.
pub fn recorded_operation_count() -> usize {
    let path = default_specs_dir().join("wechatpay").join("source.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let record: codegen::model::SourceRecord =
        codegen::model::from_yaml(&text).unwrap_or_else(|d| panic!("{}: {d}", path.display()));
    record.operations
}

/// The id of an operation: `METHOD /path/template`, e.g. `GET /v3/certificates`.
pub fn operation_id(op: &Operation) -> String {
    format!("{} {}", op.method.as_str(), op.path)
}

/// Whether a path template segment is a parameter (`{name}`).
fn is_param(segment: &str) -> bool {
    segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}')
}

/// Whether the concrete `path` (no query) fits `template`: same number of `/`-separated
/// segments, literal segments equal, `{param}` segments non-empty.
pub fn template_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| if is_param(t) { !p.is_empty() } else { t == p })
}

/// All operations of the model, sorted by path then method, and its webhook events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    operations: Vec<Operation>,
    xml_operations: Vec<Operation>,
    events: Vec<Event>,
    xml_events: Vec<Event>,
}

/// The result of matching a request against the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch<'m> {
    /// The operation, and its path parameters as `(name, raw segment)` (not yet decoded).
    Found {
        /// The matched operation.
        operation: &'m Operation,
        /// `(name, raw segment as received)`, in path order.
        params: Vec<(String, String)>,
    },
    /// The path fits a template only with this path parameter empty (a 400, not a 404).
    EmptyParam {
        /// The operation whose template fits.
        operation: &'m Operation,
        /// The empty parameter's name.
        param: String,
    },
    /// No operation has this method and path.
    NotFound,
}

impl Model {
    /// A model of the given documents' operations and events.
    pub fn from_documents(documents: Vec<Document>) -> Model {
        let mut operations = Vec::new();
        let mut events = Vec::new();
        let mut xml_operations = Vec::new();
        for document in documents {
            // APIv2 (XML) operations apart: the APIv3 mock routes the others.
            let (xml, json): (Vec<Operation>, Vec<Operation>) = document
                .operations
                .into_iter()
                .partition(|op| matches!(op.request, codegen::ir::RequestBody::Xml { .. }));
            operations.extend(json);
            xml_operations.extend(xml);
            events.extend(document.events);
        }
        // APIv2 notifications apart: their names (`TRANSACTION.SUCCESS`) are not APIv3's events.
        let (mut xml_events, mut events): (Vec<Event>, Vec<Event>) =
            events.into_iter().partition(|e| e.xml.is_some());
        xml_events.sort_by(|a: &Event, b: &Event| a.name.cmp(&b.name));
        xml_operations.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
        operations.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
        // Stable: events of one name (several pages document `TRANSACTION.SUCCESS`) keep the
        // order of their documents.
        events.sort_by(|a: &Event, b: &Event| a.name.cmp(&b.name));
        Model {
            operations,
            xml_operations,
            events,
            xml_events,
        }
    }

    /// Reads every `wechatpay/**/*.yaml` under `specs_dir` (except `source.yaml`) with
    /// [`codegen::model::document_from_yaml`] and applies the errata of
    /// `overrides/wechatpay.yaml` (when present) with [`codegen::overrides::apply`].
    ///
    /// # Errors
    /// A message naming the file (and line) that cannot be read, or the errata that do not match.
    pub fn load(specs_dir: &Path) -> Result<Model, String> {
        let root = specs_dir.join("wechatpay");
        let mut files = Vec::new();
        collect_yaml(&root, &mut files)?;
        files.sort();
        let mut documents = Vec::with_capacity(files.len());
        for path in files {
            if path
                .strip_prefix(&root)
                .is_ok_and(|rel| rel == Path::new("source.yaml"))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let doc = codegen::model::document_from_yaml(&text)
                .map_err(|d| format!("{}:{}:{}: {}", path.display(), d.line, d.column, d.message))?;
            documents.push(doc);
        }
        Ok(Model::from_documents(documents))
    }

    /// The model under [`default_specs_dir`], loaded once per process and shared.
    ///
    /// # Errors
    /// As [`Model::load`].
    pub fn load_default() -> Result<Arc<Model>, String> {
        static MODEL: OnceLock<Result<Arc<Model>, String>> = OnceLock::new();
        MODEL
            .get_or_init(|| Model::load(&default_specs_dir()).map(Arc::new))
            .clone()
    }

    /// Every APIv3 (JSON) operation, sorted by path then method.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Every APIv2 (XML) operation, sorted by path then method.
    pub fn xml_operations(&self) -> &[Operation] {
        &self.xml_operations
    }

    /// Every APIv3 webhook event the documents declare, sorted by name (an event several
    /// documents declare appears once per document, in document order).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Every APIv2 (XML) notification the documents declare, sorted by name.
    pub fn xml_events(&self) -> &[Event] {
        &self.xml_events
    }

    /// The APIv2 notification named `name` (`refund-processed`, `CHECK.SUCCESS`), if the model
    /// documents it.
    pub fn xml_event(&self, name: &str) -> Option<&Event> {
        self.xml_events.iter().find(|e| e.name == name)
    }

    /// The first event named `name` (e.g. `TRANSACTION.SUCCESS`), if the model documents it.
    pub fn event(&self, name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.name == name)
    }

    /// The operation with this id (`METHOD /path/template`).
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| operation_id(op) == id)
    }

    /// Matches `method` and a concrete `path` (no query) with [`match_templates`] over the
    /// operations of that method.
    pub fn route(&self, method: &str, path: &str) -> RouteMatch<'_> {
        let candidates: Vec<&Operation> = self
            .operations
            .iter()
            .filter(|op| op.method.as_str() == method)
            .collect();
        match match_templates(candidates.iter().map(|op| op.path.as_str()), path) {
            TemplateMatch::Found { index, params } => RouteMatch::Found {
                operation: candidates[index],
                params,
            },
            TemplateMatch::EmptyParam { index, param } => RouteMatch::EmptyParam {
                operation: candidates[index],
                param,
            },
            TemplateMatch::NotFound => RouteMatch::NotFound,
        }
    }
}

/// How a concrete path fits a list of path templates: the result of [`match_templates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateMatch {
    /// The template at `index` fits best.
    Found {
        /// Its position in the list given.
        index: usize,
        /// `(name, raw segment as given)`, in path order (not percent-decoded).
        params: Vec<(String, String)>,
    },
    /// No template fits, but the one at `index` would with its parameter `param` non-empty
    /// (the mock answers 400 rather than 404).
    EmptyParam {
        /// Its position in the list given.
        index: usize,
        /// The empty parameter's name.
        param: String,
    },
    /// No template fits.
    NotFound,
}

/// Matches a concrete `path` (no query) against path `templates` (e.g. `/v3/x/{id}`), as the
/// mock routes requests and `payctl call` resolves a path to the model's operation. `{param}`
/// segments match any non-empty segment; when several templates fit, the one with a literal
/// segment where the others have a parameter (leftmost difference first) wins, then the first in
/// order.
pub fn match_templates<'t>(templates: impl IntoIterator<Item = &'t str>, path: &str) -> TemplateMatch {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(Vec<bool>, usize, &str)> = None;
    let mut empty: Option<(usize, String)> = None;
    for (index, template_path) in templates.into_iter().enumerate() {
        let template: Vec<&str> = template_path.split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut shape = Vec::with_capacity(template.len());
        let mut empty_param = None;
        let fits = template.iter().zip(&segments).all(|(t, s)| {
            if is_param(t) {
                shape.push(true);
                if s.is_empty() && empty_param.is_none() {
                    empty_param = Some(t[1..t.len() - 1].to_owned());
                }
                true
            } else {
                shape.push(false);
                t == s
            }
        });
        if !fits {
            continue;
        }
        if let Some(param) = empty_param {
            empty.get_or_insert((index, param));
            continue;
        }
        // `false` (literal) sorts before `true` (parameter): the smallest shape wins.
        if best.as_ref().is_none_or(|(b, _, _)| shape < *b) {
            best = Some((shape, index, template_path));
        }
    }
    match (best, empty) {
        (Some((_, index, template)), _) => {
            let params = template
                .split('/')
                .zip(&segments)
                .filter(|(t, _)| is_param(t))
                .map(|(t, s)| (t[1..t.len() - 1].to_owned(), (*s).to_owned()))
                .collect();
            TemplateMatch::Found { index, params }
        }
        (None, Some((index, param))) => TemplateMatch::EmptyParam { index, param },
        (None, None) => TemplateMatch::NotFound,
    }
}

pub(crate) fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_model_has_every_operation_with_errata() {
        let model = Model::load_default().unwrap();
        assert_eq!(model.operations().len(), recorded_operation_count());
        let op = model
            .operation("POST /v3/payscore/sign-plan/partner/user-sign-plans")
            .unwrap();
        let codegen::ir::RequestBody::Json { fields } = &op.request else {
            panic!("json body");
        };
        assert!(fields.iter().find(|f| f.name == "sub_openid").unwrap().optional);
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let model = Model::load_default().unwrap();
        let at = |path: &str| match model.route("GET", path) {
            RouteMatch::Found { operation, params } => (operation.path.clone(), params),
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(
            at("/v3/ecommerce/refunds/out-refund-no/return-advance").0,
            "/v3/ecommerce/refunds/out-refund-no/{out_refund_no}"
        );
        let (path, params) = at("/v3/ecommerce/refunds/R1/return-advance");
        assert_eq!(path, "/v3/ecommerce/refunds/{refund_id}/return-advance");
        assert_eq!(params, vec![("refund_id".to_owned(), "R1".to_owned())]);
    }

    #[test]
    fn trailing_slash_and_empty_parameters() {
        let model = Model::load_default().unwrap();
        assert!(matches!(
            model.route("POST", "/v3/ecommerce/applyments/"),
            RouteMatch::Found { operation, .. } if operation.path == "/v3/ecommerce/applyments/"
        ));
        assert!(matches!(
            model.route("GET", "/v3/ecommerce/applyments/"),
            RouteMatch::EmptyParam { param, .. } if param == "applyment_id"
        ));
        assert_eq!(
            model.route("POST", "/v3/ecommerce/applyments"),
            RouteMatch::NotFound
        );
        assert!(template_matches("/v3/x/{id}", "/v3/x/1"));
        assert!(!template_matches("/v3/x/{id}", "/v3/x/"));
    }

    #[test]
    fn match_templates_prefers_literals_and_reports_empty_parameters() {
        let templates = ["/v3/a/{id}/b", "/v3/a/x/b", "/v3/a/{id}"];
        assert_eq!(
            match_templates(templates, "/v3/a/x/b"),
            TemplateMatch::Found {
                index: 1,
                params: vec![]
            }
        );
        assert_eq!(
            match_templates(templates, "/v3/a/y/b"),
            TemplateMatch::Found {
                index: 0,
                params: vec![("id".to_owned(), "y".to_owned())]
            }
        );
        assert_eq!(
            match_templates(templates, "/v3/a/"),
            TemplateMatch::EmptyParam {
                index: 2,
                param: "id".to_owned()
            }
        );
        assert_eq!(match_templates(templates, "/v3/c"), TemplateMatch::NotFound);
    }
}
