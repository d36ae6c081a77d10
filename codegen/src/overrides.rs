//! Known errata of the upstream docs (and of the official SDK's facts), fixed in a hand-written
//! file (`specs/overrides/wechatpay.yaml`) and applied by `cargo xtask import` as its last step,
//! so the model under `specs/` is exactly what `cargo xtask codegen` emits; never by hand in
//! `generated/`.
//!
//! Each erratum says which operation and fields it changes and why, and marks each field it
//! changed (`erratum: [optional]`). One that no longer matches the model is an error, so a fix
//! the upstream docs have since made is noticed and removed.

use serde::Deserialize;

use crate::ir::{Change, Document, Field, Operation, Type};
#[cfg(test)]
use crate::ir::{RequestBody, ResponseBody};

/// One erratum.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// The operation, as `METHOD /path` (e.g. `POST /v3/payscore/sign-plan/partner/user-sign-plans`).
    pub operation: String,
    /// Fields the docs mark required that WeChat Pay accepts without, as dotted paths from
    /// `request`, `query` or `header` (e.g. `request.sub_openid`, `request.detail.goods_tag`).
    #[serde(default)]
    pub optional: Vec<String>,
    /// Fields WeChat Pay requires that the model (the docs, or the official SDK's facts) leaves
    /// optional, as dotted paths like [`Erratum::optional`].
    #[serde(default)]
    pub required: Vec<String>,
    /// Groups of sibling fields of which a request sends exactly one (the official page says
    /// "二选一"), as dotted paths like [`Erratum::optional`]; each field must be optional.
    #[serde(default)]
    pub one_of: Vec<OneOfGroup>,
    /// Values a string field takes that neither the docs nor the official SDK list, by dotted
    /// path (`response.trade_state: [SUCCESS, …]`): the field becomes an open enum of them.
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, Vec<String>>,
    /// Why: what the official documentation says.
    pub reason: String,
    /// The official page (or SDK source) that says so.
    #[serde(default)]
    pub source: Option<String>,
}

/// A one-of group declared by an erratum.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneOfGroup {
    /// The group's name: the Rust field that holds the chosen member (e.g. `order`).
    pub name: String,
    /// The members, as dotted paths from `request` or `query`, all in one object.
    pub fields: Vec<String>,
}

/// Applies `errata` to `documents`.
///
/// # Errors
/// One message per erratum naming an operation or field the model does not have, or whose
/// field already is as the erratum wants it (the erratum is stale).
pub fn apply(documents: &mut [Document], errata: &[Erratum]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for erratum in errata {
        let op = documents
            .iter_mut()
            .flat_map(|d| d.operations.iter_mut())
            .find(|op| format!("{} {}", op.method.as_str(), op.path) == erratum.operation);
        let Some(op) = op else {
            errors.push(format!("erratum for `{}`: no such operation", erratum.operation));
            continue;
        };
        let changes = erratum
            .optional
            .iter()
            .map(|p| (p, true))
            .chain(erratum.required.iter().map(|p| (p, false)));
        for (path, optional) in changes {
            let field = field_at(op, path, LOCATIONS);
            let word = if optional { "optional" } else { "required" };
            match field {
                Some(field) if field.optional == optional => errors.push(format!(
                    "erratum for `{}`: `{path}` is already {word}",
                    erratum.operation
                )),
                Some(field) => {
                    field.optional = optional;
                    field.erratum.push(if optional {
                        Change::Optional
                    } else {
                        Change::Required
                    });
                }
                None => errors.push(format!("erratum for `{}`: no field `{path}`", erratum.operation)),
            }
        }
        // After `optional`, which may make the members optional first.
        for group in &erratum.one_of {
            if let Err(message) = apply_one_of(op, group) {
                errors.push(format!("erratum for `{}`: {message}", erratum.operation));
            }
        }
        for (path, values) in &erratum.values {
            if let Err(message) = apply_values(op, path, values) {
                errors.push(format!("erratum for `{}`: {message}", erratum.operation));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Gives the string field at `path` the known `values` (an open enum), or adds them to its enum.
fn apply_values(op: &mut Operation, path: &str, values: &[String]) -> Result<(), String> {
    let field =
        field_at(op, path, &["request", "response", "query"]).ok_or_else(|| format!("no field `{path}`"))?;
    let mut ty = &mut field.ty;
    while let Type::Array { items } = ty {
        ty = items;
    }
    let added = match ty {
        Type::String => {
            *ty = Type::Enum {
                values: values.to_vec(),
            };
            true
        }
        Type::Enum { values: known } => {
            let before = known.len();
            for value in values {
                if !known.contains(value) {
                    known.push(value.clone());
                }
            }
            known.len() > before
        }
        _ => return Err(format!("`{path}` is not a string: it takes no values")),
    };
    if !added {
        return Err(format!("`{path}` already has these values"));
    }
    field.erratum.push(Change::Values);
    Ok(())
}

/// Where an erratum's dotted path may start.
const LOCATIONS: &[&str] = &["request", "response", "query", "header"];

/// The field at a dotted path whose first segment is one of `locations` (`request`: the JSON
/// body, `response`, `query`, `header`), descending through objects and lists of objects.
fn field_at<'o>(op: &'o mut Operation, path: &str, locations: &[&str]) -> Option<&'o mut Field> {
    let segments: Vec<&str> = path.split('.').collect();
    if !locations.contains(&segments[0]) {
        return None;
    }
    let fields = match segments[0] {
        "request" => op.request.fields_mut()?,
        "response" => op.response.fields_mut()?,
        "query" => &mut op.query,
        "header" => &mut op.headers,
        _ => return None,
    };
    find(fields, &segments[1..])
}

/// Marks the members of `group`, which must be optional siblings of one object, not yet in a group.
fn apply_one_of(op: &mut Operation, group: &OneOfGroup) -> Result<(), String> {
    let parents: Vec<&str> = group
        .fields
        .iter()
        .map(|p| p.rsplit_once('.').map_or("", |(parent, _)| parent))
        .collect();
    if group.fields.len() < 2 || parents.iter().any(|p| *p != parents[0]) {
        return Err(format!(
            "one-of `{}` must name two or more fields of one object",
            group.name
        ));
    }
    // Every member is checked before any is marked, so a bad group changes nothing.
    for mark in [false, true] {
        for path in &group.fields {
            // A request sends exactly one: only request fields form groups.
            match field_at(op, path, &["request", "query"]) {
                None => return Err(format!("no field `{path}`")),
                Some(field) if !field.optional => {
                    return Err(format!("`{path}` of one-of `{}` must be optional", group.name));
                }
                Some(field) if field.one_of.is_some() && !mark => {
                    return Err(format!("`{path}` is already in a one-of group"));
                }
                Some(field) if mark => {
                    field.one_of = Some(group.name.clone());
                    field.erratum.push(Change::OneOf);
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The field at a dotted path, descending through objects and lists of objects.
fn find<'f>(fields: &'f mut [Field], path: &[&str]) -> Option<&'f mut Field> {
    let (name, rest) = path.split_first()?;
    let field = fields.iter_mut().find(|f| f.name == *name)?;
    if rest.is_empty() {
        return Some(field);
    }
    let mut ty = &mut field.ty;
    while let Type::Array { items } = ty {
        ty = items;
    }
    match ty {
        Type::Object { fields } => find(fields, rest),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{HttpMethod, Operation};

    fn document() -> Document {
        let field = |name: &str, ty: Type| Field::new(name, ty);
        Document {
            moved_to: None,
            types: Vec::new(),
            events: Vec::new(),
            source: "openapi/v3/demo.md".to_owned(),
            title: None,
            operations: vec![Operation {
                request: RequestBody::Json {
                    fields: vec![
                        field("openid", Type::String),
                        field(
                            "detail",
                            Type::Array {
                                items: Box::new(Type::Object {
                                    fields: vec![field("tag", Type::String)],
                                }),
                            },
                        ),
                    ],
                },
                response: ResponseBody::Binary,
                ..Operation::new(HttpMethod::Post, "/v3/demo")
            }],
        }
    }

    fn erratum(operation: &str, optional: &[&str]) -> Erratum {
        Erratum {
            operation: operation.to_owned(),
            optional: optional.iter().map(|s| (*s).to_owned()).collect(),
            required: Vec::new(),
            one_of: Vec::new(),
            values: Default::default(),
            reason: "test".to_owned(),
            source: None,
        }
    }

    #[test]
    fn marks_fields_optional_at_any_depth() {
        let mut docs = [document()];
        apply(
            &mut docs,
            &[erratum(
                "POST /v3/demo",
                &["request.openid", "request.detail.tag"],
            )],
        )
        .unwrap();
        let RequestBody::Json { fields } = &docs[0].operations[0].request else {
            panic!("json body")
        };
        assert!(fields[0].optional);
        assert_eq!(fields[0].erratum, [Change::Optional]);
        let Type::Array { items } = &fields[1].ty else {
            panic!("array")
        };
        let Type::Object { fields: inner } = items.as_ref() else {
            panic!("object")
        };
        assert!(inner[0].optional);
        assert!(!fields[1].optional);
    }

    #[test]
    fn required_undoes_an_optional_and_says_so() {
        let mut docs = [document()];
        apply(&mut docs, &[erratum("POST /v3/demo", &["request.openid"])]).unwrap();
        let tighten = Erratum {
            required: vec!["request.openid".into()],
            ..erratum("POST /v3/demo", &[])
        };
        apply(&mut docs, std::slice::from_ref(&tighten)).unwrap();
        let RequestBody::Json { fields } = &docs[0].operations[0].request else {
            panic!("json body")
        };
        assert!(!fields[0].optional);
        assert_eq!(fields[0].erratum, [Change::Optional, Change::Required]);
        assert_eq!(
            apply(&mut docs, &[tighten]).unwrap_err(),
            ["erratum for `POST /v3/demo`: `request.openid` is already required"]
        );
    }

    #[test]
    fn one_of_groups_mark_optional_siblings() {
        let mut docs = [document()];
        apply(&mut docs, &[erratum("POST /v3/demo", &["request.openid"])]).unwrap();
        let group = |fields: &[&str]| Erratum {
            one_of: vec![OneOfGroup {
                name: "who".into(),
                fields: fields.iter().map(|s| (*s).to_owned()).collect(),
            }],
            ..erratum("POST /v3/demo", &[])
        };
        // `detail` is required, `detail.tag` is not a sibling, one field is no group.
        let errors = apply(
            &mut docs,
            &[
                group(&["request.openid", "request.detail"]),
                group(&["request.openid", "request.detail.tag"]),
                group(&["request.openid"]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "erratum for `POST /v3/demo`: `request.detail` of one-of `who` must be optional",
                "erratum for `POST /v3/demo`: one-of `who` must name two or more fields of one object",
                "erratum for `POST /v3/demo`: one-of `who` must name two or more fields of one object",
            ]
        );
        apply(&mut docs, &[erratum("POST /v3/demo", &["request.detail"])]).unwrap();
        apply(&mut docs, &[group(&["request.openid", "request.detail"])]).unwrap();
        let RequestBody::Json { fields } = &docs[0].operations[0].request else {
            panic!("json body")
        };
        assert_eq!(fields[0].one_of.as_deref(), Some("who"));
        assert_eq!(fields[1].erratum, [Change::Optional, Change::OneOf]);
    }

    #[test]
    fn values_make_a_string_an_open_enum_once() {
        let mut docs = [document()];
        let values = |path: &str| Erratum {
            values: [(path.to_owned(), vec!["A".to_owned(), "B".to_owned()])].into(),
            ..erratum("POST /v3/demo", &[])
        };
        apply(&mut docs, &[values("request.detail.tag")]).unwrap();
        let RequestBody::Json { fields } = &docs[0].operations[0].request else {
            panic!("json body")
        };
        let Type::Array { items } = &fields[1].ty else {
            panic!("array")
        };
        let Type::Object { fields: inner } = items.as_ref() else {
            panic!("object")
        };
        assert_eq!(
            inner[0].ty,
            Type::Enum {
                values: vec!["A".into(), "B".into()]
            }
        );
        assert_eq!(inner[0].erratum, [Change::Values]);
        assert_eq!(
            apply(
                &mut docs,
                &[values("request.detail.tag"), values("request.detail")]
            )
            .unwrap_err(),
            [
                "erratum for `POST /v3/demo`: `request.detail.tag` already has these values",
                "erratum for `POST /v3/demo`: `request.detail` is not a string: it takes no values",
            ]
        );
    }

    #[test]
    fn stale_errata_are_errors() {
        let mut docs = [document()];
        let errors = apply(
            &mut docs,
            &[
                erratum("GET /v3/demo", &["request.openid"]),
                erratum(
                    "POST /v3/demo",
                    &["request.missing", "response.x", "request.openid"],
                ),
                erratum("POST /v3/demo", &["request.openid"]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "erratum for `GET /v3/demo`: no such operation",
                "erratum for `POST /v3/demo`: no field `request.missing`",
                "erratum for `POST /v3/demo`: no field `response.x`",
                "erratum for `POST /v3/demo`: `request.openid` is already optional",
            ]
        );
    }
}
