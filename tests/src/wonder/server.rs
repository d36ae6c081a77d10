//! The HTTP side of the Wonder mock: admin routes, and the verify → route → check → answer →
//! fault pipeline of the API routes (served by the mocks' hyper accept loop of `listen.rs`,
//! so a fault can really drop a connection).

use std::sync::{Arc, Mutex};

use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::{post, put};
use axum::{Extension, Router};
use codegen::ir::{Document, Operation, ResponseBody, Type};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use super::check::{self, Checked};
use super::verify::{RequestVerifier, WonderSigner};
use super::{CODE_NOT_FOUND, CODE_PARAM, CODE_SIGNATURE, CODE_SYSTEM, WonderConfig, WonderRequest, webhook};
use crate::fault::{ConnControl, Fault, FaultSlot, body_stream, tamper};
use crate::log::RequestLog;
use crate::model::{Model, RouteMatch, operation_id};
use crate::routes::ApiError;
use crate::sample::{Types, sample_object_in, sample_value_in};
use crate::server::{lock, plain_json};

/// Largest request body the mock reads.
const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// State shared by the server task and the [`super::WonderServer`] handle.
pub(crate) struct Shared {
    pub config: WonderConfig,
    pub document: Arc<Document>,
    /// The router over the document's operations.
    pub model: Model,
    pub verifier: RequestVerifier,
    pub webhook_signer: WonderSigner,
    /// The public half of the webhook key (SPKI PEM), for the credentials.
    pub webhook_public_key_pem: String,
    pub fault: Mutex<FaultSlot>,
    /// The newest requests ([`WonderConfig::request_log_capacity`]).
    pub requests: Mutex<RequestLog<WonderRequest>>,
}

impl Shared {
    /// The clock the `REQUEST_TIME` window is checked against.
    pub(crate) fn now(&self) -> i64 {
        self.config.fixed_now.unwrap_or_else(crate::sign::unix_now)
    }

    /// The document's named types, enums closed.
    fn types(&self) -> Types<'_> {
        Types::new(&self.document.types).closed_enums()
    }
}

pub(crate) fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/__mock/fault",
            put(put_fault).get(get_fault).delete(delete_fault),
        )
        .route(
            "/__mock/requests",
            axum::routing::get(get_requests).delete(delete_requests),
        )
        .route("/__mock/webhook", post(post_webhook))
        .fallback(api)
        .with_state(shared)
}

/// An error envelope: `{"code": CODE, "message": …, "data": null}`.
pub(crate) fn error_envelope(code: &str, message: &str) -> Value {
    json!({ "code": code, "message": message, "data": null })
}

fn admin_error(message: impl Into<String>) -> Response {
    plain_json(
        StatusCode::BAD_REQUEST,
        &error_envelope(CODE_PARAM, &message.into()),
    )
}

async fn put_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let mut slot = lock(&shared.fault);
    match slot.apply_admin(&body) {
        Ok(()) => plain_json(StatusCode::OK, &slot.admin_json()),
        Err(message) => admin_error(message),
    }
}

async fn get_fault(State(shared): State<Arc<Shared>>) -> Response {
    plain_json(StatusCode::OK, &lock(&shared.fault).admin_json())
}

async fn delete_fault(State(shared): State<Arc<Shared>>) -> Response {
    let mut slot = lock(&shared.fault);
    slot.clear();
    plain_json(StatusCode::OK, &slot.admin_json())
}

async fn get_requests(State(shared): State<Arc<Shared>>) -> Response {
    let list: Vec<Value> = lock(&shared.requests)
        .iter()
        .map(WonderRequest::to_json)
        .collect();
    plain_json(StatusCode::OK, &Value::Array(list))
}

async fn delete_requests(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.requests).clear();
    plain_json(StatusCode::OK, &json!({ "cleared": true }))
}

/// `POST /__mock/webhook {"url", "action", "body"}`: signs and delivers a webhook, answers
/// `{"status": receiver's status}`.
async fn post_webhook(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let value: Value = serde_json::from_slice(&body).unwrap_or_default();
    let (Some(url), Some(action)) = (value["url"].as_str(), value["action"].as_str()) else {
        return admin_error("expected {\"url\": \"http://…\", \"action\": \"order.paid\", \"body\": {…}}");
    };
    let payload = value.get("body").cloned().unwrap_or_else(|| json!({}));
    let signed = webhook::SignedWebhook::new(
        &shared.webhook_signer,
        url,
        action,
        payload.to_string().as_bytes(),
        crate::sign::unix_now(),
    );
    match signed {
        Ok(signed) => match signed.deliver().await {
            Ok(status) => plain_json(StatusCode::OK, &json!({ "status": status })),
            Err(e) => plain_json(
                StatusCode::BAD_GATEWAY,
                &error_envelope(CODE_SYSTEM, &e.to_string()),
            ),
        },
        Err(e) => admin_error(e.to_string()),
    }
}

/// Every non-admin request: verify, route, check, record, answer (with any fault applied).
async fn api(
    State(shared): State<Arc<Shared>>,
    Extension(conn): Extension<ConnControl>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let method = parts.method.as_str();
    let read_timeout = shared.config.read_timeout;
    let body = match tokio::time::timeout(read_timeout, to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(param_error(ApiError::param(
            "/",
            "body",
            &format!("cannot read body: {e}"),
        ))),
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            CODE_PARAM,
            format!("the request body did not arrive within {read_timeout:?}"),
        )),
    };
    let raw: &[u8] = body.as_deref().unwrap_or_default();
    let verified = shared
        .verifier
        .verify(method, &target, &parts.headers, raw, shared.now());
    let route = shared.model.route(method, path);
    let operation = match &route {
        RouteMatch::Found { operation, .. } | RouteMatch::EmptyParam { operation, .. } => Some(*operation),
        RouteMatch::NotFound => None,
    };
    let mut checked = Checked::default();
    let outcome = (|| {
        if let Err(e) = &body {
            return Err(e.clone());
        }
        if let Err(rejection) = &verified {
            let message = format!("signature verification failed: {rejection}");
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, CODE_SIGNATURE, message));
        }
        let (op, raw_params) = match &route {
            RouteMatch::NotFound => {
                let message = format!("no such API: {method} {path}");
                return Err(ApiError::new(StatusCode::NOT_FOUND, CODE_NOT_FOUND, message));
            }
            RouteMatch::EmptyParam { param, .. } => {
                return Err(param_error(ApiError::param(param, "path", "must not be empty")));
            }
            RouteMatch::Found { operation, params } => (*operation, params),
        };
        checked =
            check::check(op, raw_params, query, &parts.headers, raw, shared.types()).map_err(param_error)?;
        Ok(answer(&shared, op, &checked))
    })();

    let fault = lock(&shared.fault).take(path, operation.map(|op| op.path.as_str()));
    let (status, mut envelope, retry_after) = match (&fault, outcome) {
        (Some(Fault::Status(status, code) | Fault::StatusRetryAfter(status, code, _)), _) => {
            let message = format!("mock fault: status {status} {code}");
            let retry = match &fault {
                Some(Fault::StatusRetryAfter(.., seconds)) => Some(*seconds),
                _ => None,
            };
            (status_code(*status), error_envelope(code, &message), retry)
        }
        (Some(Fault::EnvelopeError(code)), _) => {
            let message = format!("mock fault: error {code} under HTTP 200");
            (StatusCode::OK, error_envelope(code, &message), None)
        }
        (_, Ok(data)) => (
            StatusCode::OK,
            json!({ "code": 0, "message": "success", "data": data }),
            None,
        ),
        (_, Err(e)) => (e.status, error_envelope(&e.code, &e.message), None),
    };
    let query_pairs = if checked.query.is_empty() {
        crate::check::parse_query(query).unwrap_or_default()
    } else {
        checked.query
    };
    let reset = fault == Some(Fault::Reset);
    lock(&shared.requests).push(WonderRequest {
        method: method.to_owned(),
        target: target.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: raw.to_vec(),
        operation_id: operation.and_then(|op| op.operation_id.clone()),
        operation: operation.map(operation_id),
        path_params: checked.path_params,
        query: query_pairs,
        signature_verified: verified.is_ok(),
        rejection: verified.as_ref().err().map(ToString::to_string),
        status: if reset { 0 } else { status.as_u16() },
        error_code: match &envelope["code"] {
            Value::String(code) => Some(code.clone()),
            _ => None,
        },
        fault: fault.as_ref().map(|f| f.name().to_owned()),
    });
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Reset) => {
            conn.reset();
            // The connection task drops the connection (and this future) now.
            std::future::pending::<()>().await;
        }
        _ => {}
    }
    let mut bytes = std::mem::take(&mut envelope).to_string().into_bytes();
    if fault == Some(Fault::Tamper) {
        tamper(&mut bytes);
    }
    let truncated = fault == Some(Fault::TruncatedBody);
    let declared_len = bytes.len();
    let mut res = Response::new(body_stream(bytes, truncated));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if truncated {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(declared_len + 1024));
    }
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    res
}

/// A check failure as Wonder answers it: 400 with [`CODE_PARAM`].
fn param_error(e: ApiError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, CODE_PARAM, e.message)
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The `data` of the success answer to a checked request: a sample of the response type
/// (every field; decimals as numbers; lists of one item), its top-level `id` set to the path's
/// `id`. Free-form data (no declared fields) echoes the request body, `{}` without one.
fn answer(shared: &Shared, op: &Operation, checked: &Checked) -> Value {
    let types = shared.types();
    let mut data = match &op.response {
        ResponseBody::Value { ty: Type::Json } => checked.body.clone().unwrap_or_else(|| json!({})),
        ResponseBody::Json { fields } if fields.is_empty() => {
            checked.body.clone().unwrap_or_else(|| json!({}))
        }
        ResponseBody::Json { fields } | ResponseBody::Xml { fields } => sample_object_in(fields, types),
        ResponseBody::Value { ty } => sample_value_in("data", ty, types),
        ResponseBody::Binary => Value::Null,
    };
    let id = checked.path_params.iter().find(|(name, _)| name == "id");
    if let (Some((_, id)), Value::Object(map)) = (id, &mut data) {
        if map.contains_key("id") {
            map.insert("id".to_owned(), Value::String(id.clone()));
        }
    }
    data
}
