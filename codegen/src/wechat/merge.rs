//! Merging the official SDK's facts ([`super::facts`]) into the model imported from the docs.
//!
//! The docs' TypeScript marks many optional request fields required, omits fields, types a few
//! response fields wrongly and never says which fields are encrypted. The rules, per field of an
//! operation both sources describe (matched by method and path template):
//! - **optionality** (request fields): a field the official SDK leaves optional is optional
//!   ([`Change::Optional`]); one it requires is required ([`Change::Required`]): the SDK refuses
//!   to send a request without it.
//! - **added**: a field the SDK sends or decodes that the docs lack is added with its type and
//!   the SDK's optionality ([`Change::Added`]).
//! - **sensitive**: a field the SDK encrypts is marked sensitive ([`Change::Sensitive`]).
//! - **shape**: where the two give different JSON shapes (an integer or an object where the docs
//!   say string), the SDK's wins ([`Change::Retyped`]); a date-time or an enum is a string too.
//! - **values**: enum values the SDK knows join the docs' ([`Change::Values`]).
//!
//! Every change is recorded on the field (`official_sdk: [...]`), so the model under `specs/`
//! says which facts came from the SDK.

use std::collections::BTreeMap;
use std::fmt;

use super::facts::{FactField, FactOperation, Facts, Kind};
use crate::ir::{Change, Document, Field, Operation, RequestBody, ResponseBody, Type};

/// How many fields each rule changed, and what could not be matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Operations of the model the SDK describes.
    pub operations_matched: usize,
    /// The SDK's operations the docs do not have, as `METHOD /path`.
    pub operations_unmatched: Vec<String>,
    /// Request fields made optional.
    pub request_relaxed: usize,
    /// Request fields made required.
    pub request_tightened: usize,
    /// Request fields added.
    pub request_added: usize,
    /// Request fields given the SDK's shape.
    pub request_retyped: usize,
    /// Fields (request or response) marked sensitive.
    pub sensitive: usize,
    /// Response fields added.
    pub response_added: usize,
    /// Response fields given the SDK's shape.
    pub response_retyped: usize,
    /// Fields whose enum values grew.
    pub values_joined: usize,
}

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "official SDK facts: {} operations matched; request fields: {} relaxed, {} tightened, \
             {} added, {} retyped; response fields: {} added, {} retyped; {} marked sensitive; \
             {} with enum values added",
            self.operations_matched,
            self.request_relaxed,
            self.request_tightened,
            self.request_added,
            self.request_retyped,
            self.response_added,
            self.response_retyped,
            self.sensitive,
            self.values_joined,
        )?;
        if !self.operations_unmatched.is_empty() {
            write!(
                f,
                "; {} SDK operations not in the docs: {}",
                self.operations_unmatched.len(),
                self.operations_unmatched.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The key two sources agree on for an operation: method and path with parameter names erased.
fn operation_key(method: &str, path: &str) -> String {
    let path: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("{} {}", method.to_ascii_uppercase(), path.join("/"))
}

/// Whether a field is sent or received (the rules differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// Merges `facts` into `documents` by the rules of this module.
pub fn merge(documents: &mut [Document], facts: &Facts) -> MergeReport {
    let mut by_key: BTreeMap<String, Vec<&FactOperation>> = BTreeMap::new();
    for op in &facts.operations {
        by_key
            .entry(operation_key(&op.method, &op.path))
            .or_default()
            .push(op);
    }
    let mut report = MergeReport::default();
    let mut matched = std::collections::BTreeSet::new();
    for op in documents.iter_mut().flat_map(|d| d.operations.iter_mut()) {
        let key = operation_key(op.method.as_str(), &op.path);
        let Some(sources) = by_key.get(&key) else {
            continue;
        };
        matched.insert(key);
        report.operations_matched += 1;
        merge_operation(op, sources, &mut report);
    }
    report.operations_unmatched = by_key
        .iter()
        .filter(|(key, _)| !matched.contains(*key))
        .map(|(_, ops)| format!("{} {}", ops[0].method, ops[0].path))
        .collect();
    report
}

/// One field as all the SDK calls of an operation describe it: required only when every call
/// requires it, sensitive when any encrypts it, enum values joined.
fn combine<'f>(fields: impl Iterator<Item = &'f FactField>) -> Vec<FactField> {
    let mut out: Vec<FactField> = Vec::new();
    for field in fields {
        match out
            .iter_mut()
            .find(|f| f.name == field.name && f.location == field.location)
        {
            Some(seen) => {
                seen.required &= field.required;
                seen.encrypted |= field.encrypted;
                if let (Kind::Enum { values }, Kind::Enum { values: more }) = (&mut seen.kind, &field.kind) {
                    for v in more {
                        if !values.contains(v) {
                            values.push(v.clone());
                        }
                    }
                }
            }
            None => out.push(field.clone()),
        }
    }
    out
}

fn merge_operation(op: &mut Operation, sources: &[&FactOperation], report: &mut MergeReport) {
    let request = combine(sources.iter().flat_map(|s| &s.fields));
    for fact in &request {
        match fact.location.as_str() {
            "query" => merge_field(&mut op.query, fact, Side::Request, report),
            "body" => {
                if matches!(op.request, RequestBody::None) {
                    op.request = RequestBody::Json { fields: Vec::new() };
                }
                if let RequestBody::Json { fields } = &mut op.request {
                    merge_field(fields, fact, Side::Request, report);
                }
            }
            // Path parameters are always required and named by the template; multipart
            // uploads are the runtime's.
            _ => {}
        }
    }
    let response = combine(
        sources
            .iter()
            .filter(|s| s.response.kind == "json")
            .flat_map(|s| &s.response.fields),
    );
    if let ResponseBody::Json { fields } = &mut op.response {
        for fact in &response {
            merge_field(fields, fact, Side::Response, report);
        }
        // The SDK's name for what the call returns, when its calls agree on one.
        // As `package.Type` (`payments.Transaction`), the package the SDK call belongs to
        // (`services/payments/jsapi.JsapiApiService.QueryOrderById` → `payments`) when the
        // name does not say it: types of one name in two packages are two types.
        let names: std::collections::BTreeSet<String> = sources
            .iter()
            .filter(|s| s.response.kind == "json")
            .filter_map(|s| {
                let name = s.response.go_type.as_deref()?;
                if name.contains('.') {
                    return Some(name.to_owned());
                }
                let package = s.go.split('/').nth(1)?.split('.').next()?;
                Some(format!("{package}.{name}"))
            })
            .collect();
        if let [name] = names.into_iter().collect::<Vec<_>>().as_slice() {
            op.response_type_name = Some(name.clone());
        }
    }
}

/// The object fields a type holds, looking through lists.
fn object_fields(ty: &mut Type) -> Option<&mut Vec<Field>> {
    match ty {
        Type::Object { fields } => Some(fields),
        Type::Array { items } => object_fields(items),
        _ => None,
    }
}

/// Merges one dotted fact into `fields`. Its parents come first in the facts, so they exist by
/// now (added or retyped to objects when the docs lacked them or gave another shape).
fn merge_field(fields: &mut Vec<Field>, fact: &FactField, side: Side, report: &mut MergeReport) {
    let mut names: Vec<&str> = fact.name.split('.').collect();
    let Some(last) = names.pop() else { return };
    let mut parent = fields;
    for name in names {
        let Some(next) = parent
            .iter_mut()
            .find(|f| f.name == name)
            .and_then(|f| object_fields(&mut f.ty))
        else {
            // A parent of a shape we do not descend into (a map, any JSON): nothing to add to.
            return;
        };
        parent = next;
    }
    let Some(field) = parent.iter_mut().find(|f| f.name == last) else {
        let mut field = Field::new(last, from_kind(&fact.kind));
        field.optional = !fact.required;
        field.sensitive = fact.encrypted;
        field.official_sdk.push(Change::Added);
        if fact.encrypted {
            field.official_sdk.push(Change::Sensitive);
            report.sensitive += 1;
        }
        parent.push(field);
        match side {
            Side::Request => report.request_added += 1,
            Side::Response => report.response_added += 1,
        }
        return;
    };
    if side == Side::Request {
        if !field.optional && !fact.required {
            field.optional = true;
            field.official_sdk.push(Change::Optional);
            report.request_relaxed += 1;
        } else if field.optional && fact.required {
            field.optional = false;
            field.official_sdk.push(Change::Required);
            report.request_tightened += 1;
        }
    }
    if fact.encrypted && !field.sensitive {
        field.sensitive = true;
        field.official_sdk.push(Change::Sensitive);
        report.sensitive += 1;
    }
    match reconcile(&mut field.ty, &fact.kind) {
        Reconciled::Same => {}
        Reconciled::Retyped => {
            field.official_sdk.push(Change::Retyped);
            match side {
                Side::Request => report.request_retyped += 1,
                Side::Response => report.response_retyped += 1,
            }
        }
        Reconciled::Values => {
            field.official_sdk.push(Change::Values);
            report.values_joined += 1;
        }
    }
}

/// What [`reconcile`] did to a docs type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reconciled {
    /// Nothing: the shapes agree.
    Same,
    /// The SDK's shape replaced the docs'.
    Retyped,
    /// The shapes agree and the SDK's enum values were added.
    Values,
}

/// The JSON shape of a type, as far as the two sources can disagree on it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array(Box<Shape>),
    /// `string | number` in the docs: agrees with a string or a number.
    StringOrNumber,
    /// Any JSON value (the docs' `[]` elements, the SDK's maps and `interface{}`).
    Open,
}

fn docs_shape(ty: &Type) -> Shape {
    match ty {
        Type::String | Type::DateTime | Type::Enum { .. } => Shape::String,
        Type::Integer | Type::IntegerEnum { .. } => Shape::Integer,
        Type::Decimal => Shape::Number,
        Type::Boolean => Shape::Boolean,
        Type::Object { .. } => Shape::Object,
        Type::Array { items } => Shape::Array(Box::new(docs_shape(items))),
        Type::StringOrNumber => Shape::StringOrNumber,
        // The docs declare no named types; a reference could be anything.
        Type::Json | Type::Named { .. } => Shape::Open,
    }
}

fn sdk_shape(kind: &Kind) -> Shape {
    match kind {
        Kind::String | Kind::DateTime | Kind::Enum { .. } => Shape::String,
        Kind::Integer => Shape::Integer,
        Kind::Number => Shape::Number,
        Kind::Boolean => Shape::Boolean,
        Kind::Object => Shape::Object,
        Kind::Array { items } => Shape::Array(Box::new(sdk_shape(items))),
        Kind::Map | Kind::Any | Kind::File => Shape::Open,
    }
}

/// True when `sdk` says more than (a shape for the docs' any JSON value), or other than, `docs`.
fn differs(docs: &Shape, sdk: &Shape) -> bool {
    match (docs, sdk) {
        (_, Shape::Open) => false,
        (Shape::Array(a), Shape::Array(b)) => differs(a, b),
        (Shape::StringOrNumber, Shape::String | Shape::Integer | Shape::Number) => false,
        (a, b) => a != b,
    }
}

/// Brings the docs type `ty` in line with the SDK's `kind`: the SDK's shape where they differ,
/// its enum values joined where they agree.
fn reconcile(ty: &mut Type, kind: &Kind) -> Reconciled {
    if differs(&docs_shape(ty), &sdk_shape(kind)) {
        *ty = from_kind(kind);
        return Reconciled::Retyped;
    }
    match (ty, kind) {
        (Type::Array { items }, Kind::Array { items: kind }) => reconcile(items, kind),
        (ty @ Type::String, Kind::Enum { values }) if !values.is_empty() => {
            *ty = Type::Enum {
                values: values.clone(),
            };
            Reconciled::Values
        }
        (Type::Enum { values }, Kind::Enum { values: more }) => {
            let before = values.len();
            for v in more {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
            if values.len() > before {
                Reconciled::Values
            } else {
                Reconciled::Same
            }
        }
        _ => Reconciled::Same,
    }
}

/// The model type of an SDK shape. Objects start empty: their fields follow in the facts.
fn from_kind(kind: &Kind) -> Type {
    match kind {
        Kind::String | Kind::File => Type::String,
        Kind::Integer => Type::Integer,
        Kind::Number => Type::Decimal,
        Kind::Boolean => Type::Boolean,
        Kind::DateTime => Type::DateTime,
        Kind::Enum { values } if values.is_empty() => Type::String,
        Kind::Enum { values } => Type::Enum {
            values: values.clone(),
        },
        Kind::Object => Type::Object { fields: Vec::new() },
        Kind::Array { items } => Type::Array {
            items: Box::new(from_kind(items)),
        },
        Kind::Map | Kind::Any => Type::Json,
    }
}
