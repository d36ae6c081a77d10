//! The request body and the success response of an operation, with its envelope.

use openapiv3::{
    MediaType, Operation as OOperation, ReferenceOr, RequestBody as ORequestBody, Response, StatusCode,
};

use super::allof::props_of;
use super::operation::component;
use super::schema::{self, SRef};
use super::{Cx, Ptr};
use crate::ir::{Envelope, RequestBody, ResponseBody, Type};

/// The JSON media type of a content map (`application/json`, else any `…/json` or `…+json`).
fn json_media<'a>(
    content: impl IntoIterator<Item = (&'a String, &'a MediaType)> + Clone,
) -> Option<(&'a String, &'a MediaType)> {
    let essence = |t: &str| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    content
        .clone()
        .into_iter()
        .find(|(t, _)| essence(t) == "application/json")
        .or_else(|| {
            content.into_iter().find(|(t, _)| {
                let e = essence(t);
                e.ends_with("/json") || e.ends_with("+json")
            })
        })
}

/// The request body: none, the fields of an inline object, or the type of a `$ref` (or any
/// other inline schema). Only JSON bodies are supported.
pub(crate) fn request<'a>(cx: &mut Cx<'a>, op: &'a OOperation, at: &Ptr) -> RequestBody {
    let Some(body) = &op.request_body else {
        return RequestBody::None;
    };
    let (body, body_at): (&ORequestBody, Ptr) = match body {
        ReferenceOr::Item(body) => (body, at.join("requestBody")),
        ReferenceOr::Reference { reference } => {
            let api = cx.api;
            let name = component(reference, "requestBodies");
            let found = name
                .as_ref()
                .and_then(|n| api.components.as_ref()?.request_bodies.get(n));
            match (found, name) {
                (Some(ReferenceOr::Item(body)), Some(name)) => (
                    body,
                    Ptr::root().join("components").join("requestBodies").join(name),
                ),
                _ => {
                    cx.error(
                        &at.join("requestBody").join("$ref"),
                        format!("`$ref: {reference}` names no request body of `components.requestBodies`"),
                    );
                    return RequestBody::None;
                }
            }
        }
    };
    let Some((media_type, media)) = json_media(&body.content) else {
        if let Some(media_type) = body.content.keys().next() {
            cx.error(
                &body_at.join("content").join(media_type),
                format!("request media type `{media_type}` is not supported (only JSON bodies)"),
            );
        }
        return RequestBody::None;
    };
    let schema_at = body_at.join("content").join(media_type).join("schema");
    match media.schema.as_ref().map(SRef::of) {
        None => RequestBody::Value { ty: Type::Json },
        Some(s @ SRef::Ref(_)) => RequestBody::Value {
            ty: schema::lower(cx, s, &schema_at),
        },
        Some(s @ SRef::Item(_)) => match schema::lower(cx, s, &schema_at) {
            Type::Object { fields } => RequestBody::Json { fields },
            ty => RequestBody::Value { ty },
        },
    }
}

/// The success response (`200`, else the first `2xx`, else `2XX`) and, when the document's
/// `x-envelope` describes it, the envelope (the body is then its `data` member).
pub(crate) fn response<'a>(
    cx: &mut Cx<'a>,
    op: &'a OOperation,
    at: &Ptr,
) -> (ResponseBody, Option<Envelope>) {
    let empty = ResponseBody::Json { fields: Vec::new() };
    let responses_at = at.join("responses");
    let all = &op.responses.responses;
    let chosen = all
        .iter()
        .find(|(c, _)| **c == StatusCode::Code(200))
        .or_else(|| all.iter().find(|(c, _)| matches!(c, StatusCode::Code(200..=299))))
        .or_else(|| all.iter().find(|(c, _)| **c == StatusCode::Range(2)));
    let Some((code, response)) = chosen else {
        cx.error(&responses_at, "no success (2xx) response");
        return (empty, None);
    };
    let Some((response, resp_at)) = resolve_response(cx, response, &responses_at.join(code)) else {
        return (empty, None);
    };
    let Some((media_type, media)) = json_media(&response.content) else {
        return if response.content.is_empty() {
            (empty, None)
        } else {
            (ResponseBody::Binary, None)
        };
    };
    let schema_at = resp_at.join("content").join(media_type).join("schema");
    let Some(schema) = media.schema.as_ref().map(SRef::of) else {
        return (empty, None);
    };
    if let Some(envelope) = cx.envelope.clone() {
        if let Some((data, data_at)) = envelope_data(cx, schema, &schema_at, &envelope) {
            return (body(cx, data, &data_at), Some(envelope));
        }
    }
    (body(cx, schema, &schema_at), None)
}

/// A response, following a `$ref` to `components.responses`, with its pointer.
fn resolve_response<'a>(
    cx: &mut Cx<'a>,
    r: &'a ReferenceOr<Response>,
    at: &Ptr,
) -> Option<(&'a Response, Ptr)> {
    let reference = match r {
        ReferenceOr::Item(response) => return Some((response, at.clone())),
        ReferenceOr::Reference { reference } => reference,
    };
    let api = cx.api;
    let name = component(reference, "responses");
    let found = name
        .as_ref()
        .and_then(|n| api.components.as_ref()?.responses.get(n));
    match (found, name) {
        (Some(ReferenceOr::Item(response)), Some(name)) => Some((
            response,
            Ptr::root().join("components").join("responses").join(name),
        )),
        _ => {
            cx.error(
                &at.join("$ref"),
                format!("`$ref: {reference}` names no response of `components.responses`"),
            );
            None
        }
    }
}

/// The `data` member of a response schema that is the envelope: an object (inline or `$ref`)
/// whose properties include the envelope's `code` and `data` members.
fn envelope_data<'a>(
    cx: &mut Cx<'a>,
    schema: SRef<'a>,
    at: &Ptr,
    envelope: &Envelope,
) -> Option<(SRef<'a>, Ptr)> {
    let (s, s_at) = schema::deref(cx, schema, at)?;
    let props = props_of(cx, s, &s_at, 0)?;
    let has = |name: &str| props.properties.iter().any(|(p, _)| *p == name);
    if !has(&envelope.code) {
        return None;
    }
    let data = props.properties.iter().find(|(p, _)| *p == envelope.data)?.1;
    Some((data, s_at.join("properties").join(&envelope.data)))
}

/// A response value: the type of a `$ref`; the fields of an inline object (none for a
/// free-form one); the type of anything else (a list).
fn body<'a>(cx: &mut Cx<'a>, schema: SRef<'a>, at: &Ptr) -> ResponseBody {
    match (schema, schema::lower(cx, schema, at)) {
        (SRef::Ref(_), ty) => ResponseBody::Value { ty },
        (SRef::Item(_), Type::Object { fields }) => ResponseBody::Json { fields },
        (SRef::Item(_), Type::Json) => ResponseBody::Json { fields: Vec::new() },
        (SRef::Item(_), ty) => ResponseBody::Value { ty },
    }
}
