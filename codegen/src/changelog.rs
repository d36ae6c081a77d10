//! What changed between two imports of the model: the changelog a maintainer reviews.

use std::collections::BTreeMap;
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
    /// Fields in both whose type or optionality changed, as `METHOD /path location.a.b: old → new`.
    pub fields_changed: Vec<String>,
}

impl Changelog {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.operations_added.is_empty()
            && self.operations_removed.is_empty()
            && self.fields_added.is_empty()
            && self.fields_removed.is_empty()
            && self.fields_changed.is_empty()
    }
}

impl fmt::Display for Changelog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no operation or field added, removed or changed");
        }
        for (sign, label, list) in [
            ('+', "operation", &self.operations_added),
            ('-', "operation", &self.operations_removed),
            ('+', "field", &self.fields_added),
            ('-', "field", &self.fields_removed),
            ('~', "field", &self.fields_changed),
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
                for (path, new) in &b {
                    match a.get(path) {
                        None => log.fields_added.push(format!("{key} {path}")),
                        Some(old) if old != new => {
                            log.fields_changed.push(format!("{key} {path}: {old} → {new}"))
                        }
                        Some(_) => {}
                    }
                }
                log.fields_removed.extend(
                    a.keys()
                        .filter(|p| !b.contains_key(*p))
                        .map(|p| format!("{key} {p}")),
                );
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

/// Every field of an operation by dotted path, with a one-line description of its type.
fn field_paths(op: &Operation) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
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

fn collect(fields: &[Field], prefix: &str, out: &mut BTreeMap<String, String>) {
    for field in fields {
        let path = format!("{prefix}.{}", field.name);
        let optional = if field.optional { "optional " } else { "" };
        out.insert(path.clone(), format!("{optional}{}", describe(&field.ty)));
        let mut ty = &field.ty;
        while let Type::Array { items } = ty {
            ty = items;
        }
        if let Type::Object { fields } = ty {
            collect(fields, &path, out);
        }
    }
}

/// A short description of a type, without the fields of objects (those are compared one by one).
fn describe(ty: &Type) -> String {
    match ty {
        Type::String => "string".to_owned(),
        Type::Integer => "integer".to_owned(),
        Type::Boolean => "boolean".to_owned(),
        Type::DateTime => "date-time".to_owned(),
        Type::StringOrNumber => "string | number".to_owned(),
        Type::Json => "any".to_owned(),
        Type::Enum { values } => format!("enum [{}]", values.join(", ")),
        Type::IntegerEnum { values } => {
            let values: Vec<String> = values.iter().map(i64::to_string).collect();
            format!("enum [{}]", values.join(", "))
        }
        Type::Array { items } => format!("{}[]", describe(items)),
        Type::Object { .. } => "object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{HttpMethod, Operation};

    fn doc(fields: Vec<Field>, path: &str) -> Document {
        Document {
            source: "openapi/v3/demo.md".to_owned(),
            title: None,
            operations: vec![Operation {
                method: HttpMethod::Get,
                path: path.to_owned(),
                base_url: None,
                summary: None,
                links: Vec::new(),
                deprecated: None,
                path_params: Vec::new(),
                query: Vec::new(),
                headers: Vec::new(),
                request: RequestBody::None,
                response: ResponseBody::Json { fields },
            }],
        }
    }

    fn field(name: &str, ty: Type) -> Field {
        Field {
            name: name.to_owned(),
            optional: false,
            ty,
        }
    }

    #[test]
    fn reports_operations_and_fields_added_removed_and_changed() {
        let old = [
            doc(vec![field("a", Type::String), field("b", Type::Integer)], "/v3/x"),
            doc(Vec::new(), "/v3/gone"),
        ];
        let new = [
            doc(
                vec![
                    field(
                        "a",
                        Type::Enum {
                            values: vec!["A".into(), "B".into()],
                        },
                    ),
                    field(
                        "c",
                        Type::Object {
                            fields: vec![field("d", Type::Boolean)],
                        },
                    ),
                ],
                "/v3/x",
            ),
            doc(Vec::new(), "/v3/new"),
        ];
        let log = diff(&old, &new);
        assert_eq!(log.operations_added, ["GET /v3/new"]);
        assert_eq!(log.operations_removed, ["GET /v3/gone"]);
        assert_eq!(
            log.fields_added,
            ["GET /v3/x response.c", "GET /v3/x response.c.d"]
        );
        assert_eq!(log.fields_removed, ["GET /v3/x response.b"]);
        assert_eq!(log.fields_changed, ["GET /v3/x response.a: string → enum [A, B]"]);
        assert!(diff(&new, &new).is_empty());
        assert_eq!(
            log.to_string(),
            "+ operation GET /v3/new\n- operation GET /v3/gone\n+ field GET /v3/x response.c\n\
             + field GET /v3/x response.c.d\n- field GET /v3/x response.b\n\
             ~ field GET /v3/x response.a: string → enum [A, B]\n"
        );
    }
}
