//! A tiny recording HTTP server on 127.0.0.1 for end-to-end tests: it records each raw request
//! (method, request target exactly as received, headers, body) and answers with a [`Reply`]
//! chosen by a closure. Helpers sign replies with the platform key and check request signatures
//! with the merchant public key, as WeChat Pay would.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use bytes::Bytes;
use http::HeaderMap;
use sdk_runtime::wechatpay::sign::Authorization;
use sdk_runtime::wechatpay::verify::string_to_verify;
use sdk_runtime::wechatpay::{Client, PrivateKey, PublicKey};

use super::keys::*;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target as received: path and `?query`.
    pub target: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the server answers.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Clone)]
struct AppState {
    handler: Handler,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// A running server; it stops when the test's runtime ends.
pub struct MockServer {
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl MockServer {
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            handler: Arc::new(handler),
            requests: requests.clone(),
        };
        let app = axum::Router::new().fallback(handle).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base_url: format!("http://{addr}"),
            requests,
        }
    }

    /// All requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The only request received; panics if there were more or none.
    pub fn single_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "{requests:#?}");
        requests.into_iter().next().unwrap()
    }
}

async fn handle(State(state): State<AppState>, request: Request) -> http::Response<Body> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20).await.unwrap();
    let recorded = Recorded {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    state.requests.lock().unwrap().push(recorded.clone());
    let reply = (state.handler)(&recorded);
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = http::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(reply.body)).unwrap()
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A reply signed with the platform key over `body`, timestamped `now + skew_seconds`.
pub fn signed_reply(status: u16, body: &str, skew_seconds: i64) -> Reply {
    let key = PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap();
    signed_reply_by(&key, PLATFORM_PUBLIC_KEY_ID, status, body, skew_seconds)
}

/// A reply signed by `key`, named `serial` in `Wechatpay-Serial`, over `body`, timestamped
/// `now + skew_seconds`.
pub fn signed_reply_by(key: &PrivateKey, serial: &str, status: u16, body: &str, skew_seconds: i64) -> Reply {
    let timestamp = (now() + skew_seconds).to_string();
    let nonce = "mocknonce0123456789";
    let signature = key
        .sign_base64(&string_to_verify(&timestamp, nonce, body.as_bytes()))
        .unwrap();
    Reply {
        status,
        headers: vec![
            ("Wechatpay-Timestamp".into(), timestamp),
            ("Wechatpay-Nonce".into(), nonce.into()),
            ("Wechatpay-Serial".into(), serial.into()),
            ("Wechatpay-Signature".into(), signature),
            (
                "Wechatpay-Signature-Type".into(),
                "WECHATPAY2-SHA256-RSA2048".into(),
            ),
            ("Request-ID".into(), "MOCK-REQUEST-ID-1".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: body.as_bytes().to_vec(),
        delay: None,
    }
}

/// Replaces the value of header `name` in `reply`.
pub fn with_header(mut reply: Reply, name: &str, value: &str) -> Reply {
    reply.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    reply.headers.push((name.into(), value.into()));
    reply
}

/// The bytes the client must have signed: the JSON body, or the `meta` part of a multipart body.
pub fn signed_body(r: &Recorded) -> Bytes {
    let content_type = r.header("content-type").unwrap_or_default();
    match content_type.strip_prefix("multipart/form-data; boundary=") {
        Some(boundary) => multipart_part(&r.body, boundary, "meta").expect("a meta part").1,
        None => r.body.clone(),
    }
}

/// Finds part `name` of a multipart body; returns its header block and content.
pub fn multipart_part(body: &[u8], boundary: &str, name: &str) -> Option<(String, Bytes)> {
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut starts = Vec::new();
    let d = delimiter.as_bytes();
    let mut i = 0;
    while i + d.len() <= text.len() {
        if &text[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    for pair in starts.windows(2) {
        let part = &text[pair[0] + d.len()..pair[1]];
        let part = part.strip_prefix(b"\r\n")?;
        let split = part.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..split]).into_owned();
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        if head.contains(&format!("name=\"{name}\"")) {
            return Some((head, Bytes::copy_from_slice(content)));
        }
    }
    None
}

/// Whether the request's `Authorization` verifies with the merchant public key over the raw
/// request target and the signed body (what WeChat Pay checks).
pub fn request_signature_ok(r: &Recorded) -> bool {
    let Some(auth) = r.header("authorization").and_then(Authorization::parse) else {
        return false;
    };
    let key = PublicKey::from_pem(MERCHANT_PUBLIC_SPKI_PEM).unwrap();
    auth.mchid == MCHID
        && auth.serial_no == MERCHANT_SERIAL
        && auth.nonce_str.len() == 32
        && auth
            .timestamp
            .parse::<i64>()
            .is_ok_and(|t| (now() - t).abs() < 60)
        && auth.verify(&key, &r.method, &r.target, &signed_body(r))
}

pub const MCHID: &str = "1900000109";
pub const MERCHANT_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD00000000";

/// A builder for the test merchant (no WeChat Pay key yet) pointing at `base_url`.
pub fn merchant_builder(base_url: &str) -> sdk_runtime::wechatpay::ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_number(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .base_url(base_url)
}

/// [`merchant_builder`] with the test WeChat Pay public key.
pub fn public_key_builder(base_url: &str) -> sdk_runtime::wechatpay::ClientBuilder {
    merchant_builder(base_url)
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap()
}

/// A client for the test merchant pointing at `base_url`.
pub fn client(base_url: &str) -> Client {
    public_key_builder(base_url).build().unwrap()
}
