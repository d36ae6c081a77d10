//! The loopback capture: a server on 127.0.0.1 inside this process that records each request
//! the runtime sends it, exactly as it arrived (method, path and query, headers, body bytes), and
//! answers `400 {"code":"PAYCTL_CAPTURED"}` so the call ends there. A dry run, and the
//! validation pass before every call, send to it instead of the profile's host: the request is
//! made by the same generated code and runtime as a real call, and nothing leaves the process.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::task::JoinHandle;

use crate::exit::{Failure, Outcome};

/// The `code` of the capture's answer: the runtime reports it as an API error, which tells a
/// captured request apart from one that failed before it was sent.
pub const CAPTURED_CODE: &str = "PAYCTL_CAPTURED";

/// A request as it reached the capture.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path and query exactly as sent (the CANONICAL_URL of the string to sign).
    pub path_and_query: String,
    /// The headers in the order sent, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Captured {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running capture; dropping it stops the server.
pub struct Capture {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Captured>>>,
    task: JoinHandle<()>,
}

impl Capture {
    /// Starts a capture on a free port of 127.0.0.1 (inside the current Tokio runtime).
    pub async fn start() -> Outcome<Capture> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|e| Failure::io("starting the loopback capture", e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::io("starting the loopback capture", e))?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |request| record(Arc::clone(&log), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Capture { addr, seen, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests captured so far, oldest first.
    pub fn requests(&self) -> Vec<Captured> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Records one request and answers it with the capture's 400.
async fn record(
    log: Arc<Mutex<Vec<Captured>>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let captured = Captured {
        method: parts.method.to_string(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    log.lock().unwrap_or_else(PoisonError::into_inner).push(captured);
    let answer = format!(
        "{{\"code\":\"{CAPTURED_CODE}\",\"message\":\"captured by payctl on the loopback; not sent\"}}"
    );
    let response = Response::builder()
        .status(400)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(answer)))
        .expect("a static response");
    Ok(response)
}
