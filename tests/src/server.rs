//! The axum application: admin routes, then the verify → route → sign → fault pipeline.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::put;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use crate::auth::RequestVerifier;
use crate::fault::{self, Fault, FaultSlot, SIGNTEST_PREFIX, STALE_BY_SECS, UNKNOWN_SERIAL};
use crate::routes::{self, ApiError};
use crate::sign::{self, ResponseSigner, SIGNATURE_TYPE};
use crate::{MockConfig, RecordedRequest};

/// Largest request body the mock reads.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// State shared by the server task and the [`crate::MockServer`] handle.
pub(crate) struct Shared {
    pub config: MockConfig,
    pub verifier: RequestVerifier,
    pub signer: ResponseSigner,
    pub fault: Mutex<FaultSlot>,
    pub requests: Mutex<Vec<RecordedRequest>>,
}

/// Locks a mutex, recovering the data if a previous holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        .fallback(api)
        .with_state(shared)
}

fn plain_json(status: StatusCode, body: &Value) -> Response {
    let mut res = Response::new(Body::from(body.to_string()));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

async fn put_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let parsed = serde_json::from_slice::<Value>(&body)
        .map_err(|e| format!("body is not valid JSON: {e}"))
        .and_then(|v| Fault::from_admin_json(&v));
    match parsed {
        Ok(Some((fault, scope))) => {
            let answer = fault.to_admin_json(scope);
            lock(&shared.fault).set(fault, scope);
            plain_json(StatusCode::OK, &answer)
        }
        Ok(None) => {
            lock(&shared.fault).clear();
            plain_json(StatusCode::OK, &json!({ "fault": "none" }))
        }
        Err(message) => plain_json(
            StatusCode::BAD_REQUEST,
            &json!({ "code": "PARAM_ERROR", "message": message }),
        ),
    }
}

async fn get_fault(State(shared): State<Arc<Shared>>) -> Response {
    let body = match lock(&shared.fault).peek() {
        Some((fault, scope)) => fault.to_admin_json(scope),
        None => json!({ "fault": "none" }),
    };
    plain_json(StatusCode::OK, &body)
}

async fn delete_fault(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.fault).clear();
    plain_json(StatusCode::OK, &json!({ "fault": "none" }))
}

async fn get_requests(State(shared): State<Arc<Shared>>) -> Response {
    let list: Vec<Value> = lock(&shared.requests)
        .iter()
        .map(RecordedRequest::to_json)
        .collect();
    plain_json(StatusCode::OK, &Value::Array(list))
}

async fn delete_requests(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.requests).clear();
    plain_json(StatusCode::OK, &json!({ "cleared": true }))
}

/// Every non-admin request: verify, record, route, answer (signed, with any fault applied).
async fn api(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let request_id = sign::request_id();
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let body = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            let err = ApiError::new(
                StatusCode::BAD_REQUEST,
                "PARAM_ERROR",
                format!("cannot read body: {e}"),
            );
            return respond(&shared, &request_id, Err(err));
        }
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let verified = shared.verifier.verify(
        parts.method.as_str(),
        &target,
        authorization.as_deref(),
        &body,
        sign::unix_now(),
    );
    lock(&shared.requests).push(RecordedRequest {
        method: parts.method.to_string(),
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
        body: body.to_vec(),
        signature_verified: verified.is_ok(),
        request_id: request_id.clone(),
    });
    let outcome = handle(&shared, &parts, &target, &body, verified);
    respond(&shared, &request_id, outcome)
}

/// Checks what verification left to check, routes, and builds the answer body.
fn handle(
    shared: &Shared,
    parts: &http::request::Parts,
    target: &str,
    body: &[u8],
    verified: Result<crate::auth::Authorization, crate::auth::AuthError>,
) -> Result<Value, ApiError> {
    if let Err(e) = verified {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "SIGN_ERROR", e.0));
    }
    if let Some(serial) = parts.headers.get("wechatpay-serial") {
        let want = &shared.config.platform_public_key_id;
        if serial.as_bytes() != want.as_bytes() {
            let mut err = ApiError::param(
                "Wechatpay-Serial",
                "header",
                "does not name the WeChat Pay public key in use",
            );
            err.message = format!(
                "Wechatpay-Serial {:?} is not the platform key id {want:?}",
                String::from_utf8_lossy(serial.as_bytes())
            );
            return Err(err);
        }
    }
    let route = routes::match_route(&parts.method, target)?;
    routes::respond(&route, body, &shared.config.mchid)
}

/// Serializes the outcome, applies the pending fault (if any), signs and adds the headers.
fn respond(shared: &Shared, request_id: &str, outcome: Result<Value, ApiError>) -> Response {
    let fault = lock(&shared.fault).take();
    let outcome = match &fault {
        Some(Fault::Status(status, code)) => Err(ApiError::new(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            format!("mock fault: status {status} {code}"),
        )),
        _ => outcome,
    };
    let (status, mut body) = match outcome {
        Ok(value) => (StatusCode::OK, value.to_string().into_bytes()),
        Err(err) => (err.status, err.body().to_string().into_bytes()),
    };
    if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        body.clear();
    }
    let now = sign::unix_now();
    let timestamp = match fault {
        Some(Fault::StaleTimestamp) => now - STALE_BY_SECS,
        _ => now,
    }
    .to_string();
    let nonce = sign::random_nonce();
    let mut signature = shared
        .signer
        .sign(&sign::response_message(&timestamp, &nonce, &body));
    let mut serial = shared.config.platform_public_key_id.clone();
    match fault {
        Some(Fault::Tamper) => fault::tamper(&mut body),
        Some(Fault::SignTestProbe) => {
            let mut garbage = [0u8; 240];
            sign::random_bytes(&mut garbage);
            signature = format!("{SIGNTEST_PREFIX}{}", STANDARD.encode(garbage));
        }
        Some(Fault::WrongSerial) => serial = UNKNOWN_SERIAL.to_owned(),
        _ => {}
    }

    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    put("content-type", "application/json");
    put("request-id", request_id);
    if fault != Some(Fault::MissingSignature) {
        put("wechatpay-timestamp", &timestamp);
        put("wechatpay-nonce", &nonce);
        put("wechatpay-serial", &serial);
        put("wechatpay-signature", &signature);
        put("wechatpay-signature-type", SIGNATURE_TYPE);
    }
    res
}
