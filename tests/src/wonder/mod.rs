//! A mock Wonder Open API server (Recurring Payments) for end-to-end tests, beside the WeChat
//! Pay mock.
//!
//! It speaks the real protocol over real HTTP on 127.0.0.1: it verifies each request's
//! `Wonder-RSA-SHA256` signature (`Credential`, `Nonce`, `Signature`) with the app's public key,
//! independently of the `sdk-runtime` crate under test ([`verify`]), routes it to an operation
//! of the model (`specs/wonder/openapi.yaml`, lowered by [`codegen::openapi::lower`]), checks
//! the query and body against it (named types resolved, enums closed), and answers in Wonder's
//! envelope `{"code": 0, "message": "success", "data": …}` with a sample of the response type.
//! It also sends signed webhooks ([`WonderServer::send_webhook`]).
//!
//! In a test: [`WonderServer::start_default`] (the test-vector app, a free port; dropped, it
//! stops), then a client from [`WonderServer::credentials`]:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use wechatpay_mock::wonder::WonderServer;
//! let mock = WonderServer::start_default()?;
//! let creds = mock.credentials();
//! let client = wonder_typed::Client::builder()
//!     .app_id(&creds.app_id)
//!     .private_key_pem(&creds.app_private_key_pem)?
//!     .webhook_public_key_pem(&creds.webhook_public_key_pem)?
//!     .base_url(&creds.base_url)
//!     .build()?;
//! use wonder_typed::recurring_payments::{CancelActivateType, CancelPlanIn, cancel_plan};
//! let body = CancelPlanIn::new(CancelActivateType::Immediate, true);
//! cancel_plan(&client, "plan-1", &body).await?;
//! assert!(mock.requests()[0].signature_verified);
//! # Ok(()) }
//! ```
//!
//! Faults work as for the WeChat Pay mock:
//!
//! ```no_run
//! # fn demo(server: &wechatpay_mock::wonder::WonderServer) {
//! use wechatpay_mock::{Fault, InjectFaults};
//! server.set_fault_for(Fault::EnvelopeError("E000002".into()), 1); // next answer: error under 200
//! # }
//! ```
//!
//! Errors are envelopes with a string code and `data: null` (HTTP status in brackets):
//! - [`CODE_SIGNATURE`] `E000002` (401): a header missing or repeated, a malformed `Credential`
//!   or `Nonce`, an unknown app id, a `REQUEST_TIME` more than 30 minutes off, or a signature
//!   that does not verify; the message names which, never echoing the values sent;
//! - [`CODE_PARAM`] (400): the request does not fit the model; the message names the field
//!   (`body field /label: required field is missing`, `query field limit: must be an integer`);
//! - [`CODE_NOT_FOUND`] (404): no operation has this method and path.
//!
//! Only `E000002` is documented by Wonder; the other codes are this mock's choice.
//!
//! Admin routes (not verified, not recorded): `PUT|GET|DELETE /__mock/fault` (as the WeChat Pay
//! mock's, see [`crate::FaultRule::from_admin_json`]), `GET|DELETE /__mock/requests`,
//! `POST /__mock/webhook {"url", "action", "body"}` → `{"status"}`.

mod check;
mod server;
pub mod verify;
pub mod webhook;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use codegen::ir::{Document, Operation};
use serde_json::{Value, json};

use crate::credentials::WonderCredentials;
use crate::fault::Fault;
use crate::listen::DEFAULT_READ_TIMEOUT;
use crate::log::{MAX_RECORDED_REQUESTS, RequestLog};
use crate::model::Model;
use crate::server::lock;
use server::Shared;
pub use verify::{Credential, MAX_CLOCK_SKEW, Rejection, RequestVerifier, SignatureHeaders, WonderSigner};
pub use webhook::{HEADER_ACTION, SignedWebhook};

/// App id of the `wonder_*` test vectors.
pub const TEST_APP_ID: &str = "d900da8b-6e16-4a85-8a66-05d29ac53f24";
/// Error code of a request whose signature (or `Credential`, `Nonce`, time) is rejected (401).
pub const CODE_SIGNATURE: &str = "E000002";
/// Error code of a request that does not fit the model (400); this mock's choice.
pub const CODE_PARAM: &str = "E000001";
/// Error code of a request to no operation (404); this mock's choice.
pub const CODE_NOT_FOUND: &str = "E000004";
/// Error code of a server-side failure (5xx); this mock's choice.
pub const CODE_SYSTEM: &str = "E000500";

/// File (under `<shared>/test-vectors/keys`) of the app's private key, which clients sign with.
pub const APP_PRIVATE_KEY_FILE: &str = "wonder-app.pem";
/// File of the app's public key, which the mock verifies requests with.
pub const APP_PUBLIC_KEY_FILE: &str = "wonder-app.pub.pem";
/// File of the Wonder gateway's private key, which the mock signs webhooks with.
pub const WEBHOOK_PRIVATE_KEY_FILE: &str = "platform.pem";
/// File of the Wonder gateway's public key, which webhook handlers verify with.
pub const WEBHOOK_PUBLIC_KEY_FILE: &str = "platform.pub.pem";

/// The path of test-vector key `file` (one of the `*_KEY_FILE` constants) under `shared_dir`.
pub fn test_key_path(shared_dir: &Path, file: &str) -> PathBuf {
    shared_dir.join("test-vectors").join("keys").join(file)
}

/// The error code this mock uses with an HTTP status: 400 [`CODE_PARAM`], 401/403
/// [`CODE_SIGNATURE`], 404 [`CODE_NOT_FOUND`], otherwise [`CODE_SYSTEM`].
pub fn default_code(status: u16) -> &'static str {
    match status {
        400 => CODE_PARAM,
        401 | 403 => CODE_SIGNATURE,
        404 => CODE_NOT_FOUND,
        _ => CODE_SYSTEM,
    }
}

/// [`Fault::Status`] with this mock's code for `status` ([`default_code`]).
pub fn status_fault(status: u16) -> Fault {
    Fault::Status(status, default_code(status).to_owned())
}

/// `<workspace>/specs/wonder/openapi.yaml`.
pub fn default_spec_path() -> PathBuf {
    crate::model::default_specs_dir()
        .join("wonder")
        .join("openapi.yaml")
}

/// Reads and lowers an OpenAPI document with [`codegen::openapi::lower`].
///
/// # Errors
/// A message naming the file (and line) that cannot be read or lowered.
pub fn load_document(path: &Path) -> Result<Document, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    codegen::openapi::lower("specs/wonder/openapi.yaml", &text).map_err(|diagnostics| {
        diagnostics
            .iter()
            .map(|d| format!("{}:{}:{}: {}", path.display(), d.line, d.column, d.message))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The model at [`default_spec_path`], loaded once per process and shared.
///
/// # Errors
/// As [`load_document`].
pub fn load_default_document() -> Result<Arc<Document>, String> {
    static DOCUMENT: OnceLock<Result<Arc<Document>, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| load_document(&default_spec_path()).map(Arc::new))
        .clone()
}

/// Who the mock believes the app is, and which key signs its webhooks.
#[derive(Clone)]
pub struct WonderConfig {
    /// The app id expected in `Credential` (and put in webhooks' `Credential`).
    pub app_id: String,
    /// The app's public key (SPKI PEM) that verifies request signatures.
    pub app_public_key_pem: String,
    /// The app's private key (PEM), the client's half of `app_public_key_pem`: the server never
    /// uses it; [`WonderServer::credentials`] hands it to the test that builds a client.
    pub app_private_key_pem: String,
    /// The Wonder gateway's private key (PKCS#8 or PKCS#1 PEM) that signs webhooks. Secret:
    /// never in `Debug`.
    pub webhook_private_key_pem: String,
    /// How far `REQUEST_TIME` may be from the clock ([`MAX_CLOCK_SKEW`], 30 minutes).
    pub max_skew: Duration,
    /// A fixed Unix time to check `REQUEST_TIME` against instead of the system clock (to replay
    /// recorded requests such as the test vectors); `None` uses the clock.
    pub fixed_now: Option<i64>,
    /// The model to serve; `None` loads [`load_default_document`].
    pub document: Option<Arc<Document>>,
    /// How many requests [`WonderServer::requests`] keeps (the newest; at least 1). Default
    /// [`MAX_RECORDED_REQUESTS`].
    pub request_log_capacity: usize,
    /// How long a connection may take to send a request's headers and, separately, its body,
    /// before the mock closes it (a late body is answered 408 first). Default
    /// [`DEFAULT_READ_TIMEOUT`].
    pub read_timeout: Duration,
}

impl WonderConfig {
    /// The test-vector app [`TEST_APP_ID`] with the keys of `<shared>/test-vectors/keys`:
    /// [`APP_PUBLIC_KEY_FILE`] verifies requests ([`APP_PRIVATE_KEY_FILE`] is the client's),
    /// [`WEBHOOK_PRIVATE_KEY_FILE`] signs webhooks.
    ///
    /// # Errors
    /// A key file cannot be read.
    pub fn from_test_vectors(shared_dir: &Path) -> io::Result<WonderConfig> {
        let read = |file: &str| {
            let path = test_key_path(shared_dir, file);
            std::fs::read_to_string(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        };
        Ok(WonderConfig {
            app_id: TEST_APP_ID.to_owned(),
            app_public_key_pem: read(APP_PUBLIC_KEY_FILE)?,
            app_private_key_pem: read(APP_PRIVATE_KEY_FILE)?,
            webhook_private_key_pem: read(WEBHOOK_PRIVATE_KEY_FILE)?,
            max_skew: MAX_CLOCK_SKEW,
            fixed_now: None,
            document: None,
            request_log_capacity: MAX_RECORDED_REQUESTS,
            read_timeout: DEFAULT_READ_TIMEOUT,
        })
    }
}

impl fmt::Debug for WonderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WonderConfig")
            .field("app_id", &self.app_id)
            .field("app_public_key_pem", &"<public key>")
            .field("app_private_key_pem", &"<redacted>")
            .field("webhook_private_key_pem", &"<redacted>")
            .field("max_skew", &self.max_skew)
            .field("fixed_now", &self.fixed_now)
            .field("document", &self.document.as_ref().map(|d| d.operations.len()))
            .field("request_log_capacity", &self.request_log_capacity)
            .field("read_timeout", &self.read_timeout)
            .finish()
    }
}

/// One request the Wonder mock received on an API route, answered or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WonderRequest {
    /// HTTP method, e.g. `PUT`.
    pub method: String,
    /// Path and `?query` exactly as received.
    pub target: String,
    /// Headers in arrival order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes.
    pub body: Vec<u8>,
    /// The matched operation's `operationId` (e.g. `cancel_plan`), if any.
    pub operation_id: Option<String>,
    /// The matched operation as `METHOD /path/{template}`, if any.
    pub operation: Option<String>,
    /// Path parameters, percent-decoded (empty unless the request passed the checks).
    pub path_params: Vec<(String, String)>,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// Whether the signature (app id, `Credential`, `Nonce`, time, `Signature`) verified.
    pub signature_verified: bool,
    /// Why the signature was rejected, when it was ([`Rejection`]'s message).
    pub rejection: Option<String>,
    /// The HTTP status answered (0 when the connection was reset).
    pub status: u16,
    /// The string error code of the envelope answered, if it was an error.
    pub error_code: Option<String>,
    /// The name of the fault applied to the answer, if any ([`Fault::name`]).
    pub fault: Option<String>,
}

impl WonderRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::log::header_value(&self.headers, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The path part of [`WonderRequest::target`].
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// Whether this request went to `to`: the concrete path, the template, `METHOD template`
    /// or the `operationId`.
    pub fn is_to(&self, to: &str) -> bool {
        self.path() == to
            || self.operation_id.as_deref() == Some(to)
            || self
                .operation
                .as_deref()
                .is_some_and(|op| op == to || op.split_once(' ').is_some_and(|(_, t)| t == to))
    }

    /// A JSON view (body as lossy UTF-8), as served by `GET /__mock/requests`.
    pub fn to_json(&self) -> Value {
        let pairs = |list: &[(String, String)]| -> serde_json::Map<String, Value> {
            list.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        };
        json!({
            "method": self.method,
            "target": self.target,
            "headers": pairs(&self.headers),
            "body": String::from_utf8_lossy(&self.body),
            "operation_id": self.operation_id,
            "operation": self.operation,
            "path_params": pairs(&self.path_params),
            "query": pairs(&self.query),
            "signature_verified": self.signature_verified,
            "rejection": self.rejection,
            "status": self.status,
            "error_code": self.error_code,
            "fault": self.fault,
        })
    }
}

/// A running Wonder mock; dropping it shuts the server down (and closes its connections).
pub struct WonderServer {
    listening: crate::listen::Listening,
    shared: Arc<Shared>,
}

impl WonderServer {
    /// Starts a mock of the test-vector app ([`WonderConfig::from_test_vectors`] of
    /// [`crate::default_shared_dir`]) on a free port of 127.0.0.1: the entry point for tests.
    /// Build the client from [`WonderServer::credentials`]; drop the server to stop it.
    ///
    /// # Errors
    /// As [`WonderServer::start`], or the test-vector keys cannot be read.
    pub fn start_default() -> io::Result<WonderServer> {
        Self::start(WonderConfig::from_test_vectors(&crate::default_shared_dir())?)
    }

    /// Starts the server on `127.0.0.1:0` (a free port). Inside a Tokio runtime it runs as a
    /// task of that runtime; outside one it runs on its own thread.
    ///
    /// # Errors
    /// The model does not load, a key does not parse, or the port cannot be bound.
    pub fn start(config: WonderConfig) -> io::Result<WonderServer> {
        Self::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Starts the server on `addr` (see [`WonderServer::start`]).
    ///
    /// # Errors
    /// As [`WonderServer::start`].
    pub fn start_on(config: WonderConfig, addr: SocketAddr) -> io::Result<WonderServer> {
        let document = match &config.document {
            Some(document) => Arc::clone(document),
            None => load_default_document().map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
        };
        let shared = Arc::new(Shared {
            verifier: RequestVerifier::new(&config.app_id, &config.app_public_key_pem, config.max_skew)?,
            webhook_signer: WonderSigner::new(&config.app_id, &config.webhook_private_key_pem)?,
            webhook_public_key_pem: crate::keys::public_key_pem(&config.webhook_private_key_pem)?,
            model: Model::from_documents(vec![Document::clone(&document)]),
            document,
            fault: Mutex::default(),
            requests: Mutex::new(RequestLog::with_capacity(config.request_log_capacity)),
            config,
        });
        let app = server::app(Arc::clone(&shared));
        let read_timeout = shared.config.read_timeout;
        Ok(WonderServer {
            listening: crate::listen::Listening::start(addr, app, "wonder-mock", read_timeout)?,
            shared,
        })
    }

    /// Everything a client needs to call this mock, as values: base URL, app id, the app's
    /// private key, and the public key its webhooks verify with
    /// ([`WonderCredentials::write_files`] writes the keys as files).
    pub fn credentials(&self) -> WonderCredentials {
        let config = &self.shared.config;
        WonderCredentials {
            base_url: self.base_url(),
            app_id: config.app_id.clone(),
            app_private_key_pem: config.app_private_key_pem.clone(),
            webhook_public_key_pem: self.shared.webhook_public_key_pem.clone(),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.listening.base_url()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.listening.addr()
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &WonderConfig {
        &self.shared.config
    }

    /// The lowered model the server serves.
    pub fn document(&self) -> &Arc<Document> {
        &self.shared.document
    }

    /// Every operation the server serves (sorted by path, then method).
    pub fn operations(&self) -> &[Operation] {
        self.shared.model.operations()
    }

    /// The API requests received, oldest first: the newest
    /// [`WonderConfig::request_log_capacity`] ([`MAX_RECORDED_REQUESTS`] by default).
    pub fn requests(&self) -> Vec<WonderRequest> {
        lock(&self.shared.requests).to_vec()
    }

    /// How many recorded requests were dropped to keep the log within its capacity (since the
    /// start or the last [`WonderServer::clear_requests`]).
    pub fn evicted_requests(&self) -> u64 {
        lock(&self.shared.requests).evicted()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// The recorded requests to `to` (see [`WonderRequest::is_to`]).
    pub fn requests_to(&self, to: &str) -> Vec<WonderRequest> {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.is_to(to))
            .cloned()
            .collect()
    }

    /// The signer of webhooks: the configured app id and the Wonder gateway key.
    pub fn webhook_signer(&self) -> &WonderSigner {
        &self.shared.webhook_signer
    }

    /// A webhook for `url` signed now (see [`SignedWebhook::new`]), not yet sent.
    ///
    /// # Errors
    /// `url` is not an `http://` URL.
    pub fn sign_webhook(&self, url: &str, action: &str, body: &[u8]) -> io::Result<SignedWebhook> {
        SignedWebhook::new(
            &self.shared.webhook_signer,
            url,
            action,
            body,
            crate::sign::unix_now(),
        )
    }

    /// Signs and POSTs a webhook (`Credential`, `Nonce`, `Signature`, `X-Action: action`, JSON
    /// `body`) to `url`; returns the receiver's HTTP status.
    ///
    /// # Errors
    /// As [`SignedWebhook::deliver`].
    pub async fn send_webhook(&self, url: &str, action: &str, body: &[u8]) -> io::Result<u16> {
        self.sign_webhook(url, action, body)?.deliver().await
    }
}

impl fmt::Debug for WonderServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WonderServer")
            .field("addr", &self.listening.addr())
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl crate::fault::InjectFaults for WonderServer {
    fn fault_slot(&self) -> &Mutex<crate::fault::FaultSlot> {
        &self.shared.fault
    }
}
