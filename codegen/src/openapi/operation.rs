//! Lowering `paths` to IR [`Operation`]s: parameters, JSON request body, success response and
//! the response envelope.

use openapiv3::{
    Operation as OOperation, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr,
};
use serde::Deserialize;

use super::body::{request, response};
use super::schema::{self, SRef};
use super::{Cx, Ptr};
use crate::ir::{Field, HttpMethod, Inferred, Operation, QueryFilter, Type};

/// Every operation of `paths`: paths in document order, the methods of a path in the order they
/// are written. Duplicate `operationId`s are diagnostics.
pub(crate) fn operations(cx: &mut Cx) -> Vec<Operation> {
    let api = cx.api;
    let mut out = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (path, item) in &api.paths.paths {
        let at = Ptr::root().join("paths").join(path);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                cx.error(&at.join("$ref"), "a `$ref` path item is not supported");
                continue;
            }
        };
        let order = cx.method_order(path);
        let mut methods: Vec<(&str, &OOperation)> = item.iter().collect();
        methods.sort_by_key(|(m, _)| order.iter().position(|o| o == m).unwrap_or(usize::MAX));
        for (method, op) in methods {
            let op_at = at.join(method);
            let Some(http) = http_method(method) else {
                cx.error(
                    &op_at,
                    format!("`{method}` operations are not supported (the IR has no such method)"),
                );
                continue;
            };
            if let Some(id) = &op.operation_id {
                if ids.contains(id) {
                    cx.error(
                        &op_at.join("operationId"),
                        format!("`operationId` `{id}` is used twice"),
                    );
                }
                ids.push(id.clone());
            }
            out.push(operation(cx, path, item, http, op, &op_at));
        }
    }
    out
}

/// The IR method of an OpenAPI method key.
fn http_method(method: &str) -> Option<HttpMethod> {
    HttpMethod::ALL.into_iter().find(|m| m.lower() == method)
}

/// One operation.
fn operation<'a>(
    cx: &mut Cx<'a>,
    path: &str,
    item: &'a PathItem,
    method: HttpMethod,
    op: &'a OOperation,
    at: &Ptr,
) -> Operation {
    let mut out = Operation::new(method, path);
    out.operation_id = op.operation_id.clone();
    out.summary = op.summary.clone();
    out.tags = op.tags.clone();
    out.inferred = inferred(cx, op, at);
    out.links = op.external_docs.iter().map(|d| d.url.clone()).collect();
    if op.deprecated {
        let note = op.extensions.get("x-deprecated-note").and_then(|v| v.as_str());
        out.deprecated = Some(note.unwrap_or("deprecated in the API spec").to_owned());
    }
    out.base_url = op.servers.first().or(item.servers.first()).map(|s| s.url.clone());
    parameters(cx, path, item, op, at, &mut out);
    out.request = request(cx, op, at);
    let (response, envelope) = response(cx, op, at);
    out.response = response;
    out.envelope = envelope;
    out
}

/// The path, query and header parameters: the path item's, then the operation's (which replace
/// a path item parameter of the same name and location). Path parameters are ordered as the
/// path names them; every `{name}` of the path must have one and each must be `required`.
fn parameters<'a>(
    cx: &mut Cx<'a>,
    path: &str,
    item: &'a PathItem,
    op: &'a OOperation,
    at: &Ptr,
    out: &mut Operation,
) {
    let path_at = Ptr::root().join("paths").join(path);
    let mut params: Vec<(&'a Parameter, Ptr)> = Vec::new();
    for (list, base) in [
        (&item.parameters, path_at.join("parameters")),
        (&op.parameters, at.join("parameters")),
    ] {
        for (i, p) in list.iter().enumerate() {
            let Some((param, p_at)) = resolve_parameter(cx, p, &base.join(i)) else {
                continue;
            };
            let same = |q: &Parameter| {
                q.parameter_data_ref().name == param.parameter_data_ref().name
                    && std::mem::discriminant(q) == std::mem::discriminant(param)
            };
            match params.iter_mut().find(|(q, _)| same(q)) {
                Some(slot) => *slot = (param, p_at),
                None => params.push((param, p_at)),
            }
        }
    }
    let names = path_names(path);
    for (param, p_at) in params {
        let data = param.parameter_data_ref();
        let (mut ty, nullable) = match &data.format {
            ParameterSchemaOrContent::Schema(s) => {
                let s_at = p_at.join("schema");
                (
                    schema::lower(cx, SRef::of(s), &s_at),
                    schema::nullable(cx, SRef::of(s), &s_at),
                )
            }
            ParameterSchemaOrContent::Content(_) => (Type::Json, false),
        };
        let filter = match data.extensions.get("x-filter").map(FilterFacts::deserialize) {
            Some(Ok(facts)) => Some(facts),
            Some(Err(err)) => {
                cx.error(
                    &p_at.join("x-filter"),
                    format!("`x-filter` must be {{operators: [..], fields: [..]}}: {err}"),
                );
                None
            }
            None => None,
        };
        let mut field = Field::new(&data.name, Type::Json);
        field.optional = !data.required;
        field.nullable = nullable;
        field.description = data.description.as_deref().and_then(schema::collapsed);
        match param {
            Parameter::Path { .. } => {
                if !data.required {
                    cx.error(
                        &p_at,
                        format!("path parameter `{}` must be `required: true`", data.name),
                    );
                }
                if !names.contains(&data.name.as_str()) {
                    cx.error(&p_at, format!("the path names no parameter `{{{}}}`", data.name));
                }
                field.ty = ty;
                out.path_params.push(field);
            }
            Parameter::Query { style, .. } => {
                // The deepObject `filter[field][op]=value` is the operation's filter; another
                // object-valued query parameter stays any JSON value.
                if let Some(facts) = filter {
                    if !matches!(style, QueryStyle::DeepObject) {
                        cx.error(&p_at, "a parameter with `x-filter` must have `style: deepObject`");
                    } else if out.filter.is_some() {
                        cx.error(&p_at, "an operation takes at most one `x-filter` parameter");
                    }
                    out.filter = Some(QueryFilter {
                        name: data.name.clone(),
                        operators: facts.operators,
                        fields: facts.fields,
                    });
                    continue;
                }
                if matches!(style, QueryStyle::DeepObject) {
                    ty = Type::Json;
                }
                field.ty = ty;
                out.query.push(field);
            }
            Parameter::Header { .. } => {
                // OpenAPI: these header parameters "SHALL be ignored".
                if ["accept", "content-type", "authorization"]
                    .contains(&data.name.to_ascii_lowercase().as_str())
                {
                    continue;
                }
                field.ty = ty;
                out.headers.push(field);
            }
            Parameter::Cookie { .. } => {
                cx.error(
                    &p_at,
                    format!("cookie parameter `{}` is not supported", data.name),
                );
            }
        }
    }
    for name in &names {
        if !out.path_params.iter().any(|p| p.name == *name) {
            cx.error(
                &path_at,
                format!("the path names `{{{name}}}` but no path parameter declares it"),
            );
        }
    }
    out.path_params
        .sort_by_key(|p| names.iter().position(|n| *n == p.name).unwrap_or(usize::MAX));
}

/// The operation's `x-inferred` list and `x-inferred-note`.
fn inferred(cx: &mut Cx, op: &OOperation, at: &Ptr) -> Option<Inferred> {
    let parts = op.extensions.get("x-inferred")?;
    let Ok(parts) = Vec::<String>::deserialize(parts) else {
        cx.error(&at.join("x-inferred"), "`x-inferred` must be a list of strings");
        return None;
    };
    let note = op
        .extensions
        .get("x-inferred-note")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    Some(Inferred { parts, note })
}

/// The facts of a filter parameter's `x-filter` extension.
#[derive(Deserialize)]
struct FilterFacts {
    /// The comparison operators (`_eq`, `_in`, …).
    operators: Vec<String>,
    /// The filterable fields (empty: any field name is passed through).
    fields: Vec<String>,
}

/// The `{name}`s of a path template, in order.
fn path_names(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

/// A parameter, following a `$ref` to `components.parameters`, with the pointer of its
/// definition.
fn resolve_parameter<'a>(
    cx: &mut Cx<'a>,
    p: &'a ReferenceOr<Parameter>,
    at: &Ptr,
) -> Option<(&'a Parameter, Ptr)> {
    let reference = match p {
        ReferenceOr::Item(param) => return Some((param, at.clone())),
        ReferenceOr::Reference { reference } => reference,
    };
    let api = cx.api;
    let target = component(reference, "parameters");
    let found = target
        .as_ref()
        .and_then(|name| api.components.as_ref()?.parameters.get(name));
    match (found, target) {
        (Some(ReferenceOr::Item(param)), Some(name)) => Some((
            param,
            Ptr::root().join("components").join("parameters").join(name),
        )),
        _ => {
            cx.error(
                &at.join("$ref"),
                format!("`$ref: {reference}` names no parameter of `components.parameters`"),
            );
            None
        }
    }
}

/// The name in a local `#/components/<kind>/<name>` reference.
pub(crate) fn component(reference: &str, kind: &str) -> Option<String> {
    match Ptr::parse_ref(reference)?.segments() {
        [components, k, name] if components == "components" && k == kind => Some(name.clone()),
        _ => None,
    }
}
