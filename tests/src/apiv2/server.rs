//! The HTTPS side of the APIv2 mock: the accept loop (TLS handshake, client certificate or
//! not, HTTP/1.1 by hyper) and the route → mutual TLS → checks → answer pipeline.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use codegen::ir::{Operation, ResponseBody};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::watch;

pub(crate) use crate::listen::Listening;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use super::check::inspect;
use super::record::{ApiV2Request, FAIL_HEADER, Failure, MOCK_ERR_CODE};
use super::sample::{answer_is_signed, sample_answer, sample_file};
use super::sign::{nonce_str, sign};
use super::xml::to_xml;
use super::{ApiV2Config, CERTIFICATE_REQUIRED};
use crate::log::RequestLog;
use crate::model::Model;
use crate::server::lock;

/// Largest request body the mock reads.
const BODY_LIMIT: usize = 1024 * 1024;

/// State shared by the server tasks and the [`super::ApiV2Server`] handle.
pub(crate) struct Shared {
    pub config: ApiV2Config,
    pub model: Arc<Model>,
    pub failures: Mutex<VecDeque<Failure>>,
    pub requests: Mutex<RequestLog<ApiV2Request>>,
}

/// Binds `addr` and serves HTTPS there: as a task of the current Tokio runtime, or outside one
/// on its own thread; dropping the handle stops the accept loop and closes the connections.
pub(crate) fn start(addr: SocketAddr, shared: Arc<Shared>, tls: Arc<ServerConfig>) -> io::Result<Listening> {
    Listening::spawn(addr, "wechatpay-mock-apiv2", move |listener, stop| {
        accept_loop(listener, shared, TlsAcceptor::from(tls), stop)
    })
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    acceptor: TlsAcceptor,
    mut stop: watch::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let (shared, acceptor, mut stop) = (Arc::clone(&shared), acceptor.clone(), stop.clone());
        tokio::spawn(async move {
            let read_timeout = shared.config.read_timeout;
            // A handshake that fails (a client certificate the test CA did not issue) or stalls
            // ends the connection.
            let Ok(Ok(tls)) = tokio::time::timeout(read_timeout, acceptor.accept(stream)).await else {
                return;
            };
            let client_certificate = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
            let service = hyper::service::service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(&shared, request, client_certificate).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .serve_connection(TokioIo::new(tls), service);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// An answer: status, content type, body, and the `return_msg` of a `return_code` FAIL.
struct Answer {
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    rejection: Option<String>,
}

const XML: &str = "text/xml; charset=utf-8";

/// An unsigned `return_code` FAIL answer.
fn fail(status: StatusCode, return_msg: &str) -> Answer {
    Answer {
        status,
        content_type: XML,
        body: to_xml([("return_code", "FAIL"), ("return_msg", return_msg)]).into_bytes(),
        rejection: Some(return_msg.to_owned()),
    }
}

async fn handle(shared: &Shared, request: Request<Incoming>, client_certificate: bool) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut record = ApiV2Request {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        headers,
        body: String::new(),
        params: Default::default(),
        operation: None,
        sign_verified: false,
        sign_type: None,
        client_certificate,
        failure: None,
        status: 200,
        rejection: None,
    };
    let operation = shared
        .model
        .xml_operations()
        .iter()
        .find(|op| op.path == record.path);
    let answer = match to_bytes(Body::new(body), BODY_LIMIT).await {
        Err(_) => fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is too large or unreadable",
        ),
        Ok(bytes) => {
            record.body = String::from_utf8_lossy(&bytes).into_owned();
            match operation {
                None => fail(StatusCode::NOT_FOUND, "no APIv2 operation at this path"),
                Some(_) if parts.method != Method::POST => {
                    fail(StatusCode::METHOD_NOT_ALLOWED, "APIv2 operations take POST")
                }
                Some(op) => {
                    record.operation = Some(op.path.clone());
                    answer(shared, op, &bytes, &mut record)
                }
            }
        }
    };
    record.status = answer.status.as_u16();
    record.rejection = answer.rejection;
    lock(&shared.requests).push(record);
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    response
}

/// The answer to a POST to `op`: 403 without a client certificate where mutual TLS is
/// required; else the failure asked (header first, then the queue, consumed here); else the
/// checks' FAIL; else the success answer (spoiled by a `result_code` or `bad_sign` failure).
fn answer(shared: &Shared, op: &Operation, body: &[u8], record: &mut ApiV2Request) -> Answer {
    let key = &shared.config.key;
    let inspection = inspect(op, body, key);
    record.params = inspection.params;
    record.sign_type = inspection.sign_type;
    record.sign_verified = inspection.sign_verified;
    if op.mutual_tls && !record.client_certificate {
        return fail(StatusCode::FORBIDDEN, CERTIFICATE_REQUIRED);
    }
    let failure = match record.header(FAIL_HEADER) {
        Some(value) => match Failure::from_header(value) {
            Some(failure) => Some(failure),
            None => return fail(StatusCode::OK, &format!("unknown {FAIL_HEADER} value {value:?}")),
        },
        None => lock(&shared.failures).pop_front(),
    };
    record.failure = failure;
    if failure == Some(Failure::ReturnCode) {
        return fail(StatusCode::OK, "mock failure");
    }
    if let Some(problem) = inspection.problem {
        return fail(StatusCode::OK, &problem);
    }
    let sign_type = inspection.sign_type.unwrap_or_default();
    let request = &record.params;
    let mut params = match (&op.response, failure) {
        (_, Some(Failure::ResultCode)) => {
            let mut params = vec![
                ("return_code".to_owned(), "SUCCESS".to_owned()),
                ("return_msg".to_owned(), "OK".to_owned()),
                ("result_code".to_owned(), "FAIL".to_owned()),
                ("err_code".to_owned(), MOCK_ERR_CODE.to_owned()),
                ("err_code_des".to_owned(), "mock business failure".to_owned()),
            ];
            for name in ["appid", "mch_id"] {
                if let Some(value) = request.get(name) {
                    params.push((name.to_owned(), value.clone()));
                }
            }
            params
        }
        (ResponseBody::Binary, _) => {
            let (content_type, body) = sample_file(op, request);
            return Answer {
                status: StatusCode::OK,
                content_type,
                body,
                rejection: None,
            };
        }
        _ => sample_answer(op, request, &shared.config.mch_id, &shared.config.appid),
    };
    params.push(("nonce_str".to_owned(), nonce_str()));
    if answer_is_signed(&op.path) || failure == Some(Failure::BadSign) {
        let mut signature = sign(params.iter().map(|(k, v)| (k, v)), key, sign_type);
        if failure == Some(Failure::BadSign) {
            signature = spoil(&signature);
        }
        params.push(("sign".to_owned(), signature));
    }
    Answer {
        status: StatusCode::OK,
        content_type: XML,
        body: to_xml(params.iter().map(|(k, v)| (k, v))).into_bytes(),
        rejection: None,
    }
}

/// The sign with its first character changed (same length, so the same sign type).
fn spoil(signature: &str) -> String {
    let replacement = if signature.starts_with('A') { "B" } else { "A" };
    format!("{replacement}{}", signature.get(1..).unwrap_or_default())
}
