//! What changed between two imports of the model: the changelog a maintainer reviews.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ir::{Document, Field, Operation, RequestBody, ResponseBody, Type};

/// The differences between an old and a new model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changelog {
    /// Operations only in the new model, as `METHOD /path`.
    pub operations_added: Vec<String>,
    /// Operations only in the old model, as `METHOD /path`.
    pub operations_removed: Vec<String>,
    /// Fields only in the new model, of operations in both, as `METHOD /path location.a.b`.
    pub fields_added: Vec<String>,
    /// Fields only in the old model, of operations in both.
    pub fields_removed: Vec<String>,
}

impl Changelog {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.operations_added.is_empty()
            && self.operations_removed.is_empty()
            && self.fields_added.is_empty()
            && self.fields_removed.is_empty()
    }
}

impl fmt::Display for Changelog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no operation or field added or removed");
        }
        for (sign, label, list) in [
            ('+', "operation", &self.operations_added),
            ('-', "operation", &self.operations_removed),
            ('+', "field", &self.fields_added),
            ('-', "field", &self.fields_removed),
        ] {
            for item in list {
                writeln!(f, "{sign} {label} {item}")?;
            }
        }
        Ok(())
    }
}

/// Compares two models.
pub fn diff(old: &[Document], new: &[Document]) -> Changelog {
    let old_ops = operations(old);
    let new_ops = operations(new);
    let mut log = Changelog::default();
    for (key, op) in &new_ops {
        match old_ops.get(key) {
            None => log.operations_added.push(key.clone()),
            Some(before) => {
                let (a, b) = (field_paths(before), field_paths(op));
                log.fields_added
                    .extend(b.difference(&a).map(|f| format!("{key} {f}")));
                log.fields_removed
                    .extend(a.difference(&b).map(|f| format!("{key} {f}")));
            }
        }
    }
    log.operations_removed
        .extend(old_ops.keys().filter(|k| !new_ops.contains_key(*k)).cloned());
    log
}

/// How many object and enum types a model declares (each inline declaration counts once).
pub fn count_types(documents: &[Document]) -> usize {
    fn in_type(ty: &Type) -> usize {
        match ty {
            Type::Object { fields } => 1 + in_fields(fields),
            Type::Array { items } => in_type(items),
            Type::Enum { .. } | Type::IntegerEnum { .. } => 1,
            _ => 0,
        }
    }
    fn in_fields(fields: &[Field]) -> usize {
        fields.iter().map(|f| in_type(&f.ty)).sum()
    }
    documents
        .iter()
        .flat_map(|d| &d.operations)
        .map(|op| {
            let request = match &op.request {
                RequestBody::Json { fields } => 1 + in_fields(fields),
                _ => 0,
            };
            let response = match &op.response {
                ResponseBody::Json { fields } => 1 + in_fields(fields),
                ResponseBody::Binary => 0,
            };
            let query = usize::from(!op.query.is_empty()) + in_fields(&op.query);
            request + response + query + in_fields(&op.path_params)
        })
        .sum()
}

fn operations(documents: &[Document]) -> BTreeMap<String, &Operation> {
    documents
        .iter()
        .flat_map(|d| &d.operations)
        .map(|op| (format!("{} {}", op.method.as_str(), op.path), op))
        .collect()
}

fn field_paths(op: &Operation) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(&op.path_params, "path", &mut out);
    collect(&op.query, "query", &mut out);
    collect(&op.headers, "header", &mut out);
    if let RequestBody::Json { fields } = &op.request {
        collect(fields, "request", &mut out);
    }
    if let ResponseBody::Json { fields } = &op.response {
        collect(fields, "response", &mut out);
    }
    out
}

fn collect(fields: &[Field], prefix: &str, out: &mut BTreeSet<String>) {
    for field in fields {
        let path = format!("{prefix}.{}", field.name);
        out.insert(path.clone());
        let mut ty = &field.ty;
        while let Type::Array { items } = ty {
            ty = items;
        }
        if let Type::Object { fields } = ty {
            collect(fields, &path, out);
        }
    }
}
