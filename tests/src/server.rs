//! The HTTP side: the admin routes, and the verify → route → check → answer → sign → fault
//! pipeline of the API routes (served by the hyper accept loop of `listen.rs`, so a fault can
//! really drop a connection).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Query, Request, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Extension, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use crate::MockConfig;
use crate::auth::RequestVerifier;
use crate::check::{self, Checked};
use crate::download::{self, BILL_DOWNLOAD_PATH};
use crate::fault::{
    self, ConnControl, Fault, FaultSlot, SIGNTEST_PREFIX, STALE_BY_SECS, UNKNOWN_SERIAL, body_stream,
};
use crate::log::{RecordedRequest, RequestLog};
use crate::model::{Model, RouteMatch, operation_id};
use crate::platform::{self, CertificatesMode, Platform, SignWith};
use crate::routes::{self, ApiError};
use crate::sample::{WECHATPAY_SERIAL, sample_response_to};
use crate::sign::{self, SIGNATURE_TYPE};

/// Largest request body the mock reads.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The seed operations answered with plausible, request-dependent bodies (when
/// [`MockConfig::plausible_seeds`] is on).
const SEEDS: &[&str] = &[
    "POST /v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop",
    "POST /v3/payscore/sign-plan/user-sign-plans/merchant-sign-plan-no/{merchant_sign_plan_no}/stop",
    "POST /v3/payscore/sign-plan/partner/user-sign-plans",
];

/// The platform certificate download.
const CERTIFICATES: &str = "GET /v3/certificates";

/// State shared by the server task and the [`crate::MockServer`] handle.
pub(crate) struct Shared {
    pub config: MockConfig,
    pub model: Arc<Model>,
    pub verifier: RequestVerifier,
    pub platform: Mutex<Platform>,
    pub fault: Mutex<FaultSlot>,
    /// The newest requests ([`MockConfig::request_log_capacity`]).
    pub requests: Mutex<RequestLog<RecordedRequest>>,
    /// Serve bill downloads gzip-compressed even without `tartype=GZIP`.
    pub gzip_bills: AtomicBool,
}

impl Shared {
    /// The `/v3/certificates` body served now (`None` in 404 mode).
    pub(crate) fn certificates_json(&self) -> Option<Value> {
        let platform = lock(&self.platform);
        platform::certificates_body(
            &platform.keys,
            self.config.apiv3_key.as_bytes(),
            platform.certificates_mode,
        )
    }
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
        .route("/__mock/requests", get(get_requests).delete(delete_requests))
        .route("/__mock/requests/count", get(get_request_count))
        .route("/__mock/certificates/rotate", post(rotate_certificate))
        .route("/__mock/certificates/mode", put(put_certificates_mode))
        .route("/__mock/sign-with", put(put_sign_with))
        .route("/__mock/platform", get(get_platform))
        .fallback(api)
        .with_state(shared)
}

/// A JSON response with `status` (admin routes and unsigned answers).
pub(crate) fn plain_json(status: StatusCode, body: &Value) -> Response {
    let mut res = Response::new(Body::from(body.to_string()));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn admin_error(message: impl Into<String>) -> Response {
    plain_json(
        StatusCode::BAD_REQUEST,
        &json!({ "code": "PARAM_ERROR", "message": message.into() }),
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
        .map(RecordedRequest::to_json)
        .collect();
    plain_json(StatusCode::OK, &Value::Array(list))
}

async fn delete_requests(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.requests).clear();
    plain_json(StatusCode::OK, &json!({ "cleared": true }))
}

async fn get_request_count(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let requests = lock(&shared.requests);
    let count = match params.get("path") {
        Some(path) => requests.iter().filter(|r| r.is_to(path)).count(),
        None => requests.len(),
    };
    plain_json(
        StatusCode::OK,
        &json!({ "path": params.get("path"), "count": count }),
    )
}

async fn rotate_certificate(State(shared): State<Arc<Shared>>) -> Response {
    match crate::rotate(&shared) {
        Ok(serial) => plain_json(StatusCode::OK, &json!({ "serial_no": serial })),
        Err(e) => plain_json(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "SYSTEM_ERROR", "message": e.to_string() }),
        ),
    }
}

async fn put_certificates_mode(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let mode = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("mode")
            .and_then(Value::as_str)
            .and_then(CertificatesMode::from_name)
    });
    match mode {
        Some(mode) => {
            lock(&shared.platform).certificates_mode = mode;
            platform_json(&shared)
        }
        None => admin_error(
            "expected {\"mode\": \"normal\" | \"not_found\" | \"mismatched_serial\" | \"corrupt_ciphertext\"}",
        ),
    }
}

async fn put_sign_with(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let choice = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        match v.get("sign_with").and_then(Value::as_str) {
            Some("public_key_id" | "public_key") => Some(SignWith::PublicKeyId),
            Some("certificate") => Some(SignWith::Certificate),
            _ => None,
        }
    });
    match choice {
        Some(choice) => {
            lock(&shared.platform).sign_with = choice;
            platform_json(&shared)
        }
        None => admin_error("expected {\"sign_with\": \"public_key_id\" | \"certificate\"}"),
    }
}

async fn get_platform(State(shared): State<Arc<Shared>>) -> Response {
    platform_json(&shared)
}

fn platform_json(shared: &Shared) -> Response {
    let platform = lock(&shared.platform);
    let (_, signing_serial) = platform.signing_key();
    let body = json!({
        "sign_with": match platform.sign_with {
            SignWith::PublicKeyId => "public_key_id",
            SignWith::Certificate => "certificate",
        },
        "signing_serial": signing_serial,
        "certificates_mode": platform.certificates_mode.name(),
        "certificate_serials": platform.keys.iter().map(|k| k.certificate.serial_no.clone()).collect::<Vec<_>>(),
    });
    plain_json(StatusCode::OK, &body)
}

/// What an API request is answered with, before faults and signing.
enum Outcome {
    /// 200 with this JSON body.
    Json(Value),
    /// 204, empty body.
    NoContent,
    /// 200 with a file, streamed; `signed` false for WeChat Pay's unsigned downloads.
    Download {
        content: Vec<u8>,
        gzip: bool,
        signed: bool,
    },
    /// An error answer.
    Error(ApiError),
}

/// Every non-admin request: verify, route, check, record, answer (with any fault applied).
async fn api(
    State(shared): State<Arc<Shared>>,
    Extension(conn): Extension<ConnControl>,
    req: Request,
) -> Response {
    let request_id = sign::request_id();
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let read_timeout = shared.config.read_timeout;
    let body = match tokio::time::timeout(read_timeout, to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            let err = ApiError::new(
                StatusCode::BAD_REQUEST,
                "PARAM_ERROR",
                format!("cannot read body: {e}"),
            );
            return respond(&shared, &conn, &request_id, Outcome::Error(err), None).await;
        }
        Err(_) => {
            let err = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "PARAM_ERROR",
                format!("the request body did not arrive within {read_timeout:?}"),
            );
            return respond(&shared, &conn, &request_id, Outcome::Error(err), None).await;
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let multipart = content_type
        .to_ascii_lowercase()
        .starts_with("multipart/")
        .then(|| crate::multipart::parse_multipart(&content_type, &body));
    // A media upload is signed over its `meta` part only.
    let signed_body: &[u8] = match &multipart {
        Some(Ok(parts)) => parts
            .iter()
            .find(|p| p.name == "meta")
            .map_or(&body[..], |p| &p.data[..]),
        _ => &body,
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let verified = shared.verifier.verify(
        parts.method.as_str(),
        &target,
        authorization.as_deref(),
        signed_body,
        sign::unix_now(),
    );
    let signature_verified = verified.is_ok();

    let route = shared.model.route(parts.method.as_str(), path);
    let operation = match &route {
        RouteMatch::Found { operation, .. } | RouteMatch::EmptyParam { operation, .. } => Some(*operation),
        RouteMatch::NotFound => None,
    };
    let mut checked = Checked::default();
    let mut upload = None;
    let outcome = (|| {
        if let Err(e) = verified {
            return Outcome::Error(ApiError::new(StatusCode::UNAUTHORIZED, "SIGN_ERROR", e.0));
        }
        if let Some(serial) = parts.headers.get(WECHATPAY_SERIAL) {
            let serial = String::from_utf8_lossy(serial.as_bytes());
            if lock(&shared.platform).key_named(&serial).is_none() {
                let mut err = ApiError::param(
                    WECHATPAY_SERIAL,
                    "header",
                    "does not name a WeChat Pay key the server has",
                );
                err.message = format!(
                    "Wechatpay-Serial {serial:?} does not name a WeChat Pay public key or platform certificate of this server"
                );
                return Outcome::Error(err);
            }
        }
        let (op, raw_params) = match &route {
            RouteMatch::NotFound => {
                return Outcome::Error(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    format!("no such API: {} {path}", parts.method),
                ));
            }
            RouteMatch::EmptyParam { param, .. } => {
                return Outcome::Error(ApiError::param(param, "path", "must not be empty"));
            }
            RouteMatch::Found { operation, params } => (*operation, params),
        };
        let request = check::Request {
            op,
            raw_params,
            query,
            headers: &parts.headers,
            body: &body,
            parts: multipart.as_ref(),
        };
        match request.check(|id| lock(&shared.platform).key_named(id)) {
            Ok((c, u)) => {
                checked = c;
                upload = u;
            }
            Err(e) => return Outcome::Error(e),
        }
        answer(&shared, op, path, &checked, &body)
    })();

    let fault = lock(&shared.fault).take(path, operation.map(|op| op.path.as_str()));
    if checked.query.is_empty() {
        checked.query = check::parse_query(query).unwrap_or_default();
    }
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
        signature_verified,
        request_id: request_id.clone(),
        operation: operation.map(operation_id),
        path_params: checked.path_params,
        query: checked.query,
        decrypted_body: checked.decrypted_body,
        decrypted_query: checked.decrypted_query,
        upload,
        fault: fault.as_ref().map(|f| f.name().to_owned()),
    });
    respond(&shared, &conn, &request_id, outcome, fault).await
}

/// The success answer of a checked request to `op`.
fn answer(
    shared: &Shared,
    op: &codegen::ir::Operation,
    path: &str,
    checked: &Checked,
    body: &[u8],
) -> Outcome {
    let id = operation_id(op);
    if id == CERTIFICATES {
        return match shared.certificates_json() {
            Some(v) => Outcome::Json(v),
            None => Outcome::Error(ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "this merchant has no platform certificates (it uses the WeChat Pay public key)",
            )),
        };
    }
    if shared.config.plausible_seeds && SEEDS.contains(&id.as_str()) {
        let outcome = routes::match_route(&http::Method::POST, path)
            .and_then(|route| routes::respond(&route, body, &shared.config.mchid));
        return match outcome {
            Ok(v) => Outcome::Json(v),
            Err(e) => Outcome::Error(e),
        };
    }
    match sample_response_to(op, &checked.query) {
        None => Outcome::Download {
            content: download::download_content_for(path, &checked.query),
            gzip: op.path == BILL_DOWNLOAD_PATH
                && (shared.gzip_bills()
                    || checked
                        .query
                        .iter()
                        .any(|(k, v)| k == "tartype" && v.eq_ignore_ascii_case("GZIP"))),
            signed: !download::is_unsigned_download(&op.path),
        },
        Some(Value::Object(map)) if map.is_empty() => Outcome::NoContent,
        Some(value) => Outcome::Json(value),
    }
}

impl Shared {
    fn gzip_bills(&self) -> bool {
        self.gzip_bills.load(Ordering::Relaxed)
    }
}

/// Serializes the outcome, applies the fault (if any), signs and adds the headers.
async fn respond(
    shared: &Shared,
    conn: &ConnControl,
    request_id: &str,
    outcome: Outcome,
    fault: Option<Fault>,
) -> Response {
    let mut retry_after = None;
    let outcome = match &fault {
        Some(Fault::Status(status, code)) => Outcome::Error(status_error(*status, code)),
        Some(Fault::StatusRetryAfter(status, code, seconds)) => {
            retry_after = Some(*seconds);
            Outcome::Error(status_error(*status, code))
        }
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(*d).await;
            outcome
        }
        Some(Fault::Reset) => {
            conn.reset();
            // The connection task drops the connection (and this future) now.
            std::future::pending::<()>().await;
            outcome
        }
        _ => outcome,
    };
    let (status, mut body, content_type, signed) = match outcome {
        Outcome::Json(value) => (
            StatusCode::OK,
            value.to_string().into_bytes(),
            "application/json",
            true,
        ),
        Outcome::NoContent => (StatusCode::NO_CONTENT, Vec::new(), "application/json", true),
        Outcome::Download {
            content,
            gzip,
            signed,
        } => {
            if gzip {
                (
                    StatusCode::OK,
                    download::gzip(&content),
                    "application/x-gzip",
                    signed,
                )
            } else {
                (StatusCode::OK, content, "application/octet-stream", signed)
            }
        }
        Outcome::Error(err) => (
            err.status,
            err.body().to_string().into_bytes(),
            "application/json",
            true,
        ),
    };
    let now = sign::unix_now();
    let timestamp = match fault {
        Some(Fault::StaleTimestamp) => now - STALE_BY_SECS,
        _ => now,
    }
    .to_string();
    let nonce = sign::random_nonce();
    let (key, mut serial) = lock(&shared.platform).signing_key();
    let mut signature = key.sign(&sign::response_message(&timestamp, &nonce, &body));
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

    let truncated = fault == Some(Fault::TruncatedBody);
    let declared_len = body.len();
    let status = if truncated && status == StatusCode::NO_CONTENT {
        StatusCode::OK
    } else {
        status
    };
    let mut res = Response::new(body_stream(body, truncated));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    put("content-type", content_type);
    put("request-id", request_id);
    if truncated {
        put("content-length", &(declared_len + 1024).to_string());
    }
    if let Some(seconds) = retry_after {
        put("retry-after", &seconds.to_string());
    }
    if signed && fault != Some(Fault::MissingSignature) {
        put("wechatpay-timestamp", &timestamp);
        put("wechatpay-nonce", &nonce);
        put("wechatpay-serial", &serial);
        put("wechatpay-signature", &signature);
        put("wechatpay-signature-type", SIGNATURE_TYPE);
    }
    res
}

fn status_error(status: u16, code: &str) -> ApiError {
    ApiError::new(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        code,
        format!("mock fault: status {status} {code}"),
    )
}
