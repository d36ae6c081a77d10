//! A mock WeChat Pay APIv3 server for end-to-end tests.
//!
//! It speaks the real protocol over real HTTP on 127.0.0.1: it verifies each request's
//! `Authorization: WECHATPAY2-SHA256-RSA2048 …` signature with the merchant public key and signs
//! each response with the platform private key (`Wechatpay-Timestamp/Nonce/Serial/Signature`).
//! It depends on no other crate of the workspace, so it checks the client independently.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use wechatpay_mock::{Fault, MockConfig, MockServer};
//! let config = MockConfig::from_test_vectors(&wechatpay_mock::default_shared_dir())?;
//! let server = MockServer::start(config)?;
//! server.set_fault_for(Fault::Tamper, 1); // the next response's body is altered after signing
//! let _base = server.base_url(); // point the client here
//! let _seen = server.requests(); // what arrived, and whether its signature verified
//! # Ok(()) }
//! ```
//!
//! Admin routes (not signature-checked): `PUT|GET|DELETE /__mock/fault`,
//! `GET|DELETE /__mock/requests`.

#![warn(missing_docs)]

pub mod auth;
pub mod fault;
pub mod keys;
pub mod routes;
mod server;
pub mod sign;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use fault::{Fault, FaultScope};

use server::{Shared, lock};

/// Merchant id of the test vectors.
pub const TEST_MCHID: &str = "1900000109";
/// Merchant API certificate serial of the test vectors.
pub const TEST_MERCHANT_SERIAL_NO: &str = "3775B6A45ACD588826D15E583A95F5DD00000000";
/// WeChat Pay public key id of the test vectors.
pub const TEST_PLATFORM_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

/// The shared directory next to the workspace (`<workspace>/../shared`).
pub fn default_shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

/// Who the mock believes the merchant is, and which platform key it signs with.
#[derive(Clone)]
pub struct MockConfig {
    /// Merchant id expected in `Authorization` (`mchid`), echoed in responses.
    pub mchid: String,
    /// Merchant certificate serial expected in `Authorization` (`serial_no`).
    pub merchant_serial_no: String,
    /// Merchant public key (SPKI PEM) that verifies request signatures.
    pub merchant_public_key_pem: String,
    /// Platform private key (PKCS#8 or PKCS#1 PEM) that signs responses.
    pub platform_private_key_pem: String,
    /// Id of the platform key, sent in `Wechatpay-Serial` and expected in requests' `Wechatpay-Serial`.
    pub platform_public_key_id: String,
}

impl MockConfig {
    /// The test-vector merchant and platform: keys from
    /// `<shared>/test-vectors/keys/{merchant.pub.pem, platform.pem}`, mchid [`TEST_MCHID`],
    /// serial [`TEST_MERCHANT_SERIAL_NO`], key id [`TEST_PLATFORM_PUBLIC_KEY_ID`].
    pub fn from_test_vectors(shared_dir: &Path) -> io::Result<MockConfig> {
        let keys = shared_dir.join("test-vectors").join("keys");
        let read = |name: &str| {
            let path = keys.join(name);
            std::fs::read_to_string(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        };
        Ok(MockConfig {
            mchid: TEST_MCHID.to_owned(),
            merchant_serial_no: TEST_MERCHANT_SERIAL_NO.to_owned(),
            merchant_public_key_pem: read("merchant.pub.pem")?,
            platform_private_key_pem: read("platform.pem")?,
            platform_public_key_id: TEST_PLATFORM_PUBLIC_KEY_ID.to_owned(),
        })
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("mchid", &self.mchid)
            .field("merchant_serial_no", &self.merchant_serial_no)
            .field("merchant_public_key_pem", &"<public key>")
            .field("platform_private_key_pem", &"<redacted>")
            .field("platform_public_key_id", &self.platform_public_key_id)
            .finish()
    }
}

/// One request the mock received on an API route (admin routes are not recorded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path and `?query` exactly as received (not decoded).
    pub target: String,
    /// Headers in arrival order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes.
    pub body: Vec<u8>,
    /// Whether the `Authorization` signature (and mchid, serial, timestamp) verified.
    pub signature_verified: bool,
    /// The `Request-ID` the mock answered with.
    pub request_id: String,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A JSON view (body as lossy UTF-8), as served by `GET /__mock/requests`.
    pub fn to_json(&self) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "method": self.method,
            "target": self.target,
            "headers": headers,
            "body": String::from_utf8_lossy(&self.body),
            "signature_verified": self.signature_verified,
            "request_id": self.request_id,
        })
    }
}

/// A running mock server; dropping it shuts the server down.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Starts the server on `127.0.0.1:0` (a free port). Inside a Tokio runtime it runs as a
    /// task of that runtime; outside one it runs on its own thread.
    pub fn start(config: MockConfig) -> io::Result<MockServer> {
        Self::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Starts the server on `addr` (see [`MockServer::start`]).
    pub fn start_on(config: MockConfig, addr: SocketAddr) -> io::Result<MockServer> {
        let shared = Arc::new(Shared {
            verifier: auth::RequestVerifier::new(&config)?,
            signer: sign::ResponseSigner::from_pem(&config.platform_private_key_pem)?,
            config,
            fault: Mutex::default(),
            requests: Mutex::default(),
        });
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let app = server::app(Arc::clone(&shared));
        let serve = async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(serve);
            }
            Err(_) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                std::thread::Builder::new()
                    .name(format!("wechatpay-mock-{}", addr.port()))
                    .spawn(move || {
                        let _ = runtime.block_on(serve);
                    })?;
            }
        }
        Ok(MockServer {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// Applies `fault` to every API response until [`MockServer::clear_fault`].
    ///
    /// Faults apply to every response on the API routes, whatever its status (a request that
    /// fails verification consumes one too); admin routes are never affected.
    pub fn set_fault(&self, fault: Fault) {
        lock(&self.shared.fault).set(fault, FaultScope::All);
    }

    /// Applies `fault` to the next `n` API responses only.
    pub fn set_fault_for(&self, fault: Fault, n: usize) {
        lock(&self.shared.fault).set(fault, FaultScope::Next(n));
    }

    /// Removes any pending fault.
    pub fn clear_fault(&self) {
        lock(&self.shared.fault).clear();
    }

    /// The pending fault and how many responses it still applies to.
    pub fn fault(&self) -> Option<(Fault, FaultScope)> {
        lock(&self.shared.fault).peek()
    }

    /// Every API request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}
