//! The checks of a routed Wonder request against the model: path parameters, query (with the
//! deepObject filter `filter[field][op]=value`), declared headers and the JSON body, named types
//! resolved and enums closed. A failure names the field (`body field /label: required field is
//! missing`).

use codegen::ir::{Operation, RequestBody};
use http::HeaderMap;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::check::{check_json, check_object, check_text, parse_query};
use crate::routes::ApiError;
use crate::sample::Types;

/// What the checks learnt about a request that passed them.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Path parameters, percent-decoded.
    pub path_params: Vec<(String, String)>,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

/// Checks a request to `op`; `raw_params` are the path segments the router matched.
pub(crate) fn check(
    op: &Operation,
    raw_params: &[(String, String)],
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
    types: Types<'_>,
) -> Result<Checked, ApiError> {
    let mut checked = Checked::default();
    for ((name, raw), field) in raw_params.iter().zip(&op.path_params) {
        let value = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| ApiError::param(name, "path", "not valid UTF-8 once percent-decoded"))?
            .into_owned();
        if value.is_empty() {
            return Err(ApiError::param(name, "path", "must not be empty"));
        }
        check_text(&field.ty, &value, types).map_err(|issue| ApiError::param(name, "path", &issue))?;
        checked.path_params.push((name.clone(), value));
    }
    checked.query = parse_query(query)?;
    check_query(op, &checked.query, types)?;
    for field in &op.headers {
        match headers.get(field.name.as_str()) {
            None if field.optional => {}
            None => {
                return Err(ApiError::param(
                    &field.name,
                    "header",
                    "required header is missing",
                ));
            }
            Some(value) => {
                let text = value
                    .to_str()
                    .map_err(|_| ApiError::param(&field.name, "header", "is not visible ASCII"))?;
                check_text(&field.ty, text, types)
                    .map_err(|issue| ApiError::param(&field.name, "header", &issue))?;
            }
        }
    }
    checked.body = check_body(op, body, types)?;
    Ok(checked)
}

/// Each query parameter is declared (or a filter condition), given once, and of its type;
/// every required one is there.
fn check_query(op: &Operation, query: &[(String, String)], types: Types<'_>) -> Result<(), ApiError> {
    for (i, (name, value)) in query.iter().enumerate() {
        if let Some(field) = op.query.iter().find(|f| &f.name == name) {
            if query[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::param(name, "query", "given more than once"));
            }
            check_text(&field.ty, value, types).map_err(|issue| ApiError::param(name, "query", &issue))?;
            continue;
        }
        check_filter(op, name)?;
    }
    match op
        .query
        .iter()
        .find(|f| !f.optional && !query.iter().any(|(n, _)| n == &f.name))
    {
        Some(missing) => Err(ApiError::param(
            &missing.name,
            "query",
            "required query parameter is missing",
        )),
        None => Ok(()),
    }
}

/// A query name that is no declared parameter must be a condition of the operation's filter:
/// `filter[field][op]` with a known operator (and field, when the model lists them).
fn check_filter(op: &Operation, name: &str) -> Result<(), ApiError> {
    let unknown = || {
        ApiError::param(
            name,
            "query",
            "unknown query parameter: the operation does not declare it",
        )
    };
    let filter = op.filter.as_ref().ok_or_else(unknown)?;
    let rest = name
        .strip_prefix(filter.name.as_str())
        .and_then(|r| r.strip_prefix('['))
        .ok_or_else(unknown)?;
    let malformed = || {
        ApiError::param(
            name,
            "query",
            &format!("a filter condition is written {}[field][operator]", filter.name),
        )
    };
    let (field, rest) = rest.split_once("][").ok_or_else(malformed)?;
    let operator = rest.strip_suffix(']').ok_or_else(malformed)?;
    if field.is_empty() || field.contains(['[', ']']) || operator.contains(['[', ']']) {
        return Err(malformed());
    }
    if !filter.operators.iter().any(|o| o == operator) {
        return Err(ApiError::param(
            name,
            "query",
            &format!("unknown filter operator; one of {:?}", filter.operators),
        ));
    }
    if !filter.fields.is_empty() && !filter.fields.iter().any(|f| f == field) {
        return Err(ApiError::param(
            name,
            "query",
            &format!("field `{field}` cannot be filtered on"),
        ));
    }
    Ok(())
}

/// The body is what the operation takes: none, or JSON of its type.
fn check_body(op: &Operation, body: &[u8], types: Types<'_>) -> Result<Option<Value>, ApiError> {
    let parse = || {
        serde_json::from_slice::<Value>(body)
            .map_err(|e| ApiError::param("/", "body", &format!("body is not valid JSON: {e}")))
    };
    match &op.request {
        RequestBody::None if body.is_empty() => Ok(None),
        RequestBody::None => Err(ApiError::param(
            "/",
            "body",
            "the operation takes no body, but one was sent",
        )),
        RequestBody::Json { fields } => {
            let parsed = parse()?;
            let Value::Object(map) = &parsed else {
                return Err(ApiError::param("/", "body", "body must be a JSON object"));
            };
            check_object(fields, map, "", types)?;
            Ok(Some(parsed))
        }
        RequestBody::Value { ty } => {
            let parsed = parse()?;
            check_json(ty, &parsed, "", types)?;
            Ok(Some(parsed))
        }
        RequestBody::Multipart => Err(ApiError::param(
            "/",
            "body",
            "Wonder operations take no multipart upload",
        )),
        RequestBody::Xml { .. } => Err(ApiError::param("/", "body", "Wonder operations take no XML body")),
    }
}
