//! What changed between two imports of the model: the changelog a maintainer reviews.
//!
//! One entry per operation or webhook event added, removed or changed, each changed operation with its field and
//! link changes beneath it; changes that break a caller are marked: an operation or a field
//! removed, a required request field added (or an optional one made required), a type narrowed.

use std::collections::BTreeMap;
use std::fmt;

use crate::ir::{Document, Field, Operation, RequestBody, ResponseBody, Type};

/// The differences between an old and a new model, per operation (`METHOD /path` order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changelog {
    /// Every operation added, removed or changed.
    pub operations: Vec<OperationChange>,
}

/// What happened to one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationChange {
    /// `METHOD /path`.
    pub operation: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// For a changed operation, its field and link changes.
    pub lines: Vec<Line>,
}

/// Whether an operation is new, gone, or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the new model.
    Added,
    /// Only in the old model (breaking).
    Removed,
    /// In both, with field or link changes.
    Changed,
}

/// One change within an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `+` added, `-` removed, `~` changed.
    pub sign: char,
    /// What changed: `request.amount.from (optional)`, `response.a: string → integer`, `link …`.
    pub text: String,
    /// True when a caller written against the old model may break.
    pub breaking: bool,
}

impl Changelog {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// How many changes break a caller (operations removed count once each).
    pub fn breaking(&self) -> usize {
        self.operations
            .iter()
            .map(|op| match op.kind {
                ChangeKind::Removed => 1,
                _ => op.lines.iter().filter(|l| l.breaking).count(),
            })
            .sum()
    }

    fn count(&self, kind: ChangeKind) -> usize {
        self.operations.iter().filter(|op| op.kind == kind).count()
    }
}

impl fmt::Display for Changelog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no operation or field added, removed or changed");
        }
        for op in &self.operations {
            match op.kind {
                ChangeKind::Added => writeln!(f, "+ {}", op.operation)?,
                ChangeKind::Removed => writeln!(f, "- {} [breaking]", op.operation)?,
                ChangeKind::Changed => writeln!(f, "~ {}", op.operation)?,
            }
            for line in &op.lines {
                let mark = if line.breaking { " [breaking]" } else { "" };
                writeln!(f, "    {} {}{mark}", line.sign, line.text)?;
            }
        }
        writeln!(
            f,
            "{} operations added, {} removed, {} changed; {} breaking changes",
            self.count(ChangeKind::Added),
            self.count(ChangeKind::Removed),
            self.count(ChangeKind::Changed),
            self.breaking()
        )
    }
}

/// Compares two models.
pub fn diff(old: &[Document], new: &[Document]) -> Changelog {
    let old_ops = entries(old);
    let new_ops = entries(new);
    let mut log = Changelog::default();
    let keys: std::collections::BTreeSet<&String> = old_ops.keys().chain(new_ops.keys()).collect();
    for key in keys {
        let change = match (old_ops.get(key), new_ops.get(key)) {
            (None, Some(_)) => OperationChange {
                operation: key.clone(),
                kind: ChangeKind::Added,
                lines: Vec::new(),
            },
            (Some(_), None) => OperationChange {
                operation: key.clone(),
                kind: ChangeKind::Removed,
                lines: Vec::new(),
            },
            (Some(before), Some(after)) => {
                let lines = entry_lines(before, after);
                if lines.is_empty() {
                    continue;
                }
                OperationChange {
                    operation: key.clone(),
                    kind: ChangeKind::Changed,
                    lines,
                }
            }
            (None, None) => continue,
        };
        log.operations.push(change);
    }
    log
}

/// An operation or a webhook event as compared: its fields by dotted path, and its links.
struct Entry<'d> {
    fields: BTreeMap<String, &'d Field>,
    links: &'d [String],
}

/// The field and link changes of an operation (or event) in both models.
fn entry_lines(before: &Entry<'_>, after: &Entry<'_>) -> Vec<Line> {
    let (a, b) = (&before.fields, &after.fields);
    let mut lines = Vec::new();
    for (path, new) in b {
        let sent = !path.starts_with("response.") && !path.starts_with("resource.");
        match a.get(path) {
            // A required field breaks a caller only inside an object the caller already builds.
            None => lines.push(Line {
                sign: '+',
                text: format!("{path} ({})", summary(new)),
                breaking: sent
                    && !new.optional
                    && path
                        .rsplit_once('.')
                        .is_some_and(|(parent, _)| !parent.contains('.') || a.contains_key(parent)),
            }),
            Some(old) if summary(old) != summary(new) => lines.push(Line {
                sign: '~',
                text: format!("{path}: {} → {}", summary(old), summary(new)),
                breaking: (sent && old.optional && !new.optional) || narrows(&old.ty, &new.ty),
            }),
            Some(_) => {}
        }
    }
    for path in a.keys().filter(|p| !b.contains_key(*p)) {
        lines.push(Line {
            sign: '-',
            text: path.clone(),
            breaking: true,
        });
    }
    for link in after.links.iter().filter(|l| !before.links.contains(l)) {
        lines.push(Line {
            sign: '+',
            text: format!("link {link}"),
            breaking: false,
        });
    }
    for link in before.links.iter().filter(|l| !after.links.contains(l)) {
        lines.push(Line {
            sign: '-',
            text: format!("link {link}"),
            breaking: false,
        });
    }
    lines
}

/// True when a value of `new` cannot hold every value of `old`, so code written for `old`
/// breaks: `string → integer`, an enum losing values; not `enum → string`, values added,
/// `integer → string | number`, anything → any JSON, or an object's own fields (those are
/// compared one by one).
fn narrows(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (_, Type::Json) => false,
        (Type::Object { .. }, Type::Object { .. }) => false,
        (Type::Array { items: a }, Type::Array { items: b }) => narrows(a, b),
        (Type::Enum { .. } | Type::DateTime, Type::String) => false,
        (
            Type::Integer | Type::IntegerEnum { .. } | Type::String | Type::Enum { .. },
            Type::StringOrNumber,
        ) => false,
        (Type::IntegerEnum { .. }, Type::Integer) => false,
        (Type::Enum { values: a }, Type::Enum { values: b }) => a.iter().any(|v| !b.contains(v)),
        (Type::IntegerEnum { values: a }, Type::IntegerEnum { values: b }) => {
            a.iter().any(|v| !b.contains(v))
        }
        (a, b) => a != b,
    }
}

fn summary(field: &Field) -> String {
    let optional = if field.optional { "optional " } else { "" };
    let sensitive = if field.sensitive { ", sensitive" } else { "" };
    let one_of = field
        .one_of
        .as_ref()
        .map(|g| format!(", one of `{g}`"))
        .unwrap_or_default();
    format!("{optional}{}{sensitive}{one_of}", describe(&field.ty))
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
                RequestBody::Json { fields } | RequestBody::Xml { fields } => 1 + in_fields(fields),
                RequestBody::Value { .. } => 1,
                RequestBody::None | RequestBody::Multipart => 0,
            };
            let response = match &op.response {
                ResponseBody::Json { fields } | ResponseBody::Xml { fields } => 1 + in_fields(fields),
                ResponseBody::Value { .. } => 1,
                ResponseBody::Binary => 0,
            };
            let query = usize::from(!op.query.is_empty()) + in_fields(&op.query);
            request + response + query + in_fields(&op.path_params)
        })
        .sum()
}

/// Every operation (`METHOD /path`) and webhook event (`event NAME`, or `xml event NAME` for an
/// APIv2 notification; its resource's fields under `resource.`) of a model.
fn entries(documents: &[Document]) -> BTreeMap<String, Entry<'_>> {
    let mut out: BTreeMap<String, Entry<'_>> = documents
        .iter()
        .flat_map(|d| &d.operations)
        .map(|op| {
            let entry = Entry {
                fields: field_paths(op),
                links: &op.links,
            };
            (format!("{} {}", op.method.as_str(), op.path), entry)
        })
        .collect();
    for event in documents.iter().flat_map(|d| &d.events) {
        let mut fields = BTreeMap::new();
        if let Type::Object { fields: resource } = &event.payload {
            collect(resource, "resource", &mut fields);
        }
        // APIv2's `TRANSACTION.SUCCESS` (XML) is another event than APIv3's.
        let kind = if event.xml.is_some() { "xml event" } else { "event" };
        out.insert(
            format!("{kind} {}", event.name),
            Entry {
                fields,
                links: &event.links,
            },
        );
    }
    out
}

/// Every field of an operation by dotted path.
fn field_paths(op: &Operation) -> BTreeMap<String, &Field> {
    let mut out = BTreeMap::new();
    collect(&op.path_params, "path", &mut out);
    collect(&op.query, "query", &mut out);
    collect(&op.headers, "header", &mut out);
    if let Some(fields) = op.request.fields() {
        collect(fields, "request", &mut out);
    }
    if let Some(fields) = op.response.fields() {
        collect(fields, "response", &mut out);
    }
    out
}

fn collect<'f>(fields: &'f [Field], prefix: &str, out: &mut BTreeMap<String, &'f Field>) {
    for field in fields {
        let path = format!("{prefix}.{}", field.name);
        out.insert(path.clone(), field);
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
        Type::Decimal => "decimal".to_owned(),
        Type::Json => "any".to_owned(),
        Type::Named { name } => name.clone(),
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
            moved_to: None,
            types: Vec::new(),
            events: Vec::new(),
            source: "openapi/v3/demo.md".to_owned(),
            title: None,
            operations: vec![Operation {
                response: ResponseBody::Json { fields },
                ..Operation::new(HttpMethod::Get, path)
            }],
        }
    }

    fn field(name: &str, ty: Type) -> Field {
        Field::new(name, ty)
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
        assert_eq!(log.operations.len(), 3);
        assert!(diff(&new, &new).is_empty());
        assert_eq!(
            log.to_string(),
            "- GET /v3/gone [breaking]\n+ GET /v3/new\n~ GET /v3/x\n\
             \x20   ~ response.a: string → enum [A, B] [breaking]\n\
             \x20   + response.c (object)\n\
             \x20   + response.c.d (boolean)\n\
             \x20   - response.b [breaking]\n\
             1 operations added, 1 removed, 1 changed; 3 breaking changes\n"
        );
    }

    #[test]
    fn required_request_fields_narrowed_types_and_links_are_told_apart() {
        let mut old = doc(vec![field("a", Type::Integer)], "/v3/x");
        old.operations[0].links = vec!["https://old".into()];
        old.operations[0].query = vec![
            Field::optional("limit", Type::Integer),
            field(
                "kind",
                Type::Enum {
                    values: vec!["A".into()],
                },
            ),
        ];
        let mut new = old.clone();
        new.operations[0].links = vec!["https://new".into()];
        new.operations[0].query = vec![
            field("limit", Type::Integer),
            field("kind", Type::String),
            field("mchid", Type::String),
            Field::optional("offset", Type::Integer),
        ];
        new.operations[0].response = ResponseBody::Json {
            fields: vec![field("a", Type::StringOrNumber)],
        };
        // A new optional object with a required field: the caller need not build it.
        new.operations[0].request = RequestBody::Json {
            fields: vec![Field::optional(
                "settle",
                Type::Object {
                    fields: vec![field("profit_sharing", Type::Boolean)],
                },
            )],
        };
        let log = diff(&[old], &[new]);
        let lines: Vec<(char, &str, bool)> = log.operations[0]
            .lines
            .iter()
            .map(|l| (l.sign, l.text.as_str(), l.breaking))
            .collect();
        assert_eq!(
            lines,
            [
                ('~', "query.kind: enum [A] → string", false),
                ('~', "query.limit: optional integer → integer", true),
                ('+', "query.mchid (string)", true),
                ('+', "query.offset (optional integer)", false),
                ('+', "request.settle (optional object)", false),
                ('+', "request.settle.profit_sharing (boolean)", false),
                ('~', "response.a: integer → string | number", false),
                ('+', "link https://new", false),
                ('-', "link https://old", false),
            ]
        );
        assert_eq!(log.breaking(), 2);
    }

    #[test]
    fn webhook_events_and_their_resource_fields_are_entries() {
        let event = |fields: Vec<Field>| Document {
            moved_to: None,
            types: Vec::new(),
            events: vec![crate::ir::Event {
                name: "REFUND.SUCCESS".into(),
                summary: None,
                links: Vec::new(),
                original_types: Vec::new(),
                payload: Type::Object { fields },
                payload_type_name: None,
                xml: None,
            }],
            source: "webhook/v3/REFUND.SUCCESS.md".into(),
            title: None,
            operations: Vec::new(),
        };
        let added = diff(&[], &[event(vec![field("refund_id", Type::String)])]);
        assert_eq!(added.operations[0].operation, "event REFUND.SUCCESS");
        assert_eq!(added.operations[0].kind, ChangeKind::Added);
        let changed = diff(
            &[event(vec![
                field("refund_id", Type::String),
                field("gone", Type::String),
            ])],
            &[event(vec![field("refund_id", Type::Integer)])],
        );
        let lines: Vec<String> = changed.operations[0]
            .lines
            .iter()
            .map(|l| format!("{} {}", l.sign, l.text))
            .collect();
        assert_eq!(
            lines,
            ["~ resource.refund_id: string → integer", "- resource.gone"]
        );
    }
}
