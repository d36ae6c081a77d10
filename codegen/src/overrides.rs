//! Known errata of the upstream docs (and of the official SDK's facts), fixed in a hand-written
//! file (`specs/overrides/wechatpay.yaml`) and applied by `cargo xtask import` as its last step,
//! so the model under `specs/` is exactly what `cargo xtask codegen` emits; never by hand in
//! `generated/`.
//!
//! Each erratum says which operation and fields it changes and why, and marks each field it
//! changed (`erratum: [optional]`). One that no longer matches the model is an error, so a fix
//! the upstream docs have since made is noticed and removed.

use serde::Deserialize;

use crate::ir::{Change, Document, Field, RequestBody, ResponseBody, Type};

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
    /// Why: what the official documentation says.
    pub reason: String,
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
            let segments: Vec<&str> = path.split('.').collect();
            let fields = match segments[0] {
                "request" => match &mut op.request {
                    RequestBody::Json { fields } => Some(fields),
                    _ => None,
                },
                "response" => match &mut op.response {
                    ResponseBody::Json { fields } => Some(fields),
                    ResponseBody::Binary => None,
                },
                "query" => Some(&mut op.query),
                "header" => Some(&mut op.headers),
                _ => None,
            };
            let field = fields.and_then(|f| find(f, &segments[1..]));
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
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
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
            source: "openapi/v3/demo.md".to_owned(),
            title: None,
            operations: vec![Operation {
                method: HttpMethod::Post,
                path: "/v3/demo".to_owned(),
                base_url: None,
                summary: None,
                links: Vec::new(),
                deprecated: None,
                path_params: Vec::new(),
                query: Vec::new(),
                headers: Vec::new(),
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
            }],
        }
    }

    fn erratum(operation: &str, optional: &[&str]) -> Erratum {
        Erratum {
            operation: operation.to_owned(),
            optional: optional.iter().map(|s| (*s).to_owned()).collect(),
            required: Vec::new(),
            reason: "test".to_owned(),
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
