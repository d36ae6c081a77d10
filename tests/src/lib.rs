//! A mock WeChat Pay APIv3 server for end-to-end tests.
//!
//! It speaks the real protocol over real HTTP on 127.0.0.1: it verifies each request's
//! `Authorization: WECHATPAY2-SHA256-RSA2048 …` signature with the merchant public key and signs
//! each response with the platform private key (`Wechatpay-Timestamp/Nonce/Serial/Signature`).
//! It depends on no other crate of the workspace, so it checks the client independently.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use wechatpay_mock::{Fault, InjectFaults, MockConfig, MockServer};
//! let config = MockConfig::from_test_vectors(&wechatpay_mock::default_shared_dir())?;
//! let server = MockServer::start(config)?;
//! server.set_fault_for(Fault::Tamper, 1); // the next response's body is altered after signing
//! let _base = server.base_url(); // point the client here
//! let _seen = server.requests(); // what arrived, and whether its signature verified
//! # Ok(()) }
//! ```
//!
//! Every operation of the API model (`specs/wechatpay`, errata applied) is served: requests are
//! checked against the model (400 `PARAM_ERROR` naming the field) and answered with
//! [`sample::sample_response`] (or a streamed file for downloads, see [`download`]). Encrypted
//! request fields are decrypted with the platform key named by `Wechatpay-Serial` and recorded.
//! `GET /v3/certificates` serves real X.509 platform certificates sealed with the APIv3 key.
//!
//! Admin routes (not signature-checked, not recorded):
//! - `PUT|GET|DELETE /__mock/fault` — `{"fault": NAME, "count"?, "path"?, "append"?, …}`
//!   (see [`FaultRule::from_admin_json`]);
//! - `GET|DELETE /__mock/requests`, `GET /__mock/requests/count?path=P`;
//! - `POST /__mock/certificates/rotate` → `{"serial_no"}`;
//!   `PUT /__mock/certificates/mode {"mode": "normal"|"not_found"|"mismatched_serial"|"corrupt_ciphertext"}`;
//! - `PUT /__mock/sign-with {"sign_with": "public_key_id"|"certificate"}`; `GET /__mock/platform`.

#![warn(missing_docs)]

/// The README's Rust examples, compiled (not run) as doctests of this crate, which has the
/// generated crate with every feature at hand.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

/// Requests that cannot be wrong, checked by the compiler: each `compile_fail` example below has
/// a compiling twin that differs only in what is checked.
///
/// A refund names its order by exactly one of `transaction_id` and `out_trade_no`:
/// ```
/// use wechatpay::v3::refund::domestic::refunds;
/// let amount = refunds::PostRequestAmount::new(100, 100, "CNY");
/// let _ = refunds::PostRequest::new(refunds::PostRequestOrder::OutTradeNo("T1".into()), "R1", amount);
/// ```
/// Neither: `new` takes the order.
/// ```compile_fail,E0061
/// use wechatpay::v3::refund::domestic::refunds;
/// let amount = refunds::PostRequestAmount::new(100, 100, "CNY");
/// let _ = refunds::PostRequest::new("R1", amount);
/// ```
/// Both: there is no field for a second id.
/// ```compile_fail,E0560
/// use wechatpay::v3::refund::domestic::refunds;
/// let amount = refunds::PostRequestAmount::new(100, 100, "CNY");
/// let _ = refunds::PostRequest {
///     transaction_id: Some("4200000000".into()),
///     ..refunds::PostRequest::new(refunds::PostRequestOrder::OutTradeNo("T1".into()), "R1", amount)
/// };
/// ```
/// Required fields have no made-up default (`..Default::default()` would send `""`):
/// ```
/// let _ = wechatpay::v3::refund::domestic::refunds::PostRequestGoodsDetail {
///     goods_name: Some("a".into()),
///     ..wechatpay::v3::refund::domestic::refunds::PostRequestGoodsDetail::new("G1", 1, 1, 1)
/// };
/// ```
/// ```compile_fail,E0277
/// let _ = wechatpay::v3::refund::domestic::refunds::PostRequestGoodsDetail {
///     goods_name: Some("a".into()),
///     ..Default::default()
/// };
/// ```
#[cfg(doctest)]
pub struct CompileChecks;

pub mod auth;
mod check;
pub mod download;
pub mod fault;
pub mod keys;
mod listen;
pub mod model;
mod multipart;
pub mod platform;
pub mod routes;
pub mod sample;
mod server;
pub mod sign;
pub mod testing;
pub mod wonder;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use codegen::ir::Operation;
use serde_json::{Value, json};

pub use fault::{Fault, FaultRule, FaultScope, FaultSlot, InjectFaults};
pub use model::Model;
pub use platform::{CertificatesMode, PlatformCertificate, SignWith};
pub use sample::{sample_input, sample_response};

use platform::{Platform, PlatformKey};
use server::{Shared, lock};

/// Merchant id of the test vectors.
pub const TEST_MCHID: &str = "1900000109";
/// Merchant API certificate serial of the test vectors.
pub const TEST_MERCHANT_SERIAL_NO: &str = "3775B6A45ACD588826D15E583A95F5DD00000000";
/// WeChat Pay public key id of the test vectors.
pub const TEST_PLATFORM_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
/// Serial number (40 upper-case hex digits) of the platform certificate the mock makes for the
/// test-vector platform key.
pub const TEST_PLATFORM_CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
/// The APIv3 key (32 ASCII bytes) that seals the platform certificates.
pub const TEST_APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";

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
    /// Serial (upper-case hex) of the X.509 certificate made at start for the platform key.
    pub platform_cert_serial: String,
    /// The APIv3 key (32 ASCII bytes) that seals the platform certificates. Secret: never in `Debug`.
    pub apiv3_key: String,
    /// The API model to serve; `None` loads [`Model::load_default`].
    pub model: Option<Arc<Model>>,
    /// Answer the three seed operations (payscore plan stop, sign-plan stop, partner sign-plan
    /// create) with plausible bodies that echo the request, as before the model-driven routes;
    /// `false` answers them with [`sample_response`] like every other operation. Default `true`.
    pub plausible_seeds: bool,
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
            platform_cert_serial: TEST_PLATFORM_CERT_SERIAL.to_owned(),
            apiv3_key: TEST_APIV3_KEY.to_owned(),
            model: None,
            plausible_seeds: true,
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
            .field("platform_cert_serial", &self.platform_cert_serial)
            .field("apiv3_key", &"<redacted>")
            .field("model", &self.model.as_ref().map(|m| m.operations().len()))
            .field("plausible_seeds", &self.plausible_seeds)
            .finish()
    }
}

/// The media of a multipart upload the mock received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedUpload {
    /// The `meta` part, as received (the signed bytes).
    pub meta: Vec<u8>,
    /// `filename` from the `meta` JSON.
    pub filename: String,
    /// The `filename` of the `file` part's `Content-Disposition`, if any.
    pub part_filename: Option<String>,
    /// The `file` part.
    pub content: Vec<u8>,
}

/// One request the mock received on an API route (admin routes are not recorded). Every API
/// request is recorded, including those answered with an error or a fault.
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
    /// The operation it matched (`METHOD /path/template`), if any.
    pub operation: Option<String>,
    /// Path parameters, percent-decoded (empty unless the request passed the checks).
    pub path_params: Vec<(String, String)>,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// Decrypted sensitive fields of the JSON body: JSON pointer → plaintext.
    pub decrypted_body: BTreeMap<String, String>,
    /// Decrypted sensitive query values: `/name` → plaintext.
    pub decrypted_query: BTreeMap<String, String>,
    /// The media of a multipart upload that passed the checks.
    pub upload: Option<RecordedUpload>,
    /// The name of the fault applied to the answer, if any ([`Fault::name`]).
    pub fault: Option<String>,
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

    /// The path part of [`RecordedRequest::target`] (no query).
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// Whether this request went to `path`: the operation's template (`/v3/x/{id}`), the
    /// operation id (`GET /v3/x/{id}`) or the concrete path.
    pub fn is_to(&self, path: &str) -> bool {
        self.path() == path
            || self
                .operation
                .as_deref()
                .is_some_and(|op| op == path || op.split_once(' ').is_some_and(|(_, t)| t == path))
    }

    /// The decoded query as a JSON object of strings.
    pub fn query_json(&self) -> Value {
        Value::Object(
            self.query
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
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
            "operation": self.operation,
            "query": self.query_json(),
            "decrypted_body": self.decrypted_body,
            "decrypted_query": self.decrypted_query,
            "upload": self.upload.as_ref().map(|u| json!({
                "filename": u.filename,
                "content": String::from_utf8_lossy(&u.content),
            })),
            "fault": self.fault,
        })
    }
}

/// A running mock server; dropping it shuts the server down (and closes its connections).
pub struct MockServer {
    listening: crate::listen::Listening,
    shared: Arc<Shared>,
}

impl MockServer {
    /// Starts the server on `127.0.0.1:0` (a free port). Inside a Tokio runtime it runs as a
    /// task of that runtime; outside one it runs on its own thread.
    pub fn start(config: MockConfig) -> io::Result<MockServer> {
        Self::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Starts the server on `addr` (see [`MockServer::start`]).
    pub fn start_on(config: MockConfig, addr: SocketAddr) -> io::Result<MockServer> {
        let model = match &config.model {
            Some(model) => Arc::clone(model),
            None => Model::load_default().map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
        };
        let (not_before, not_after) = platform::default_validity();
        let key = PlatformKey::from_pem(
            &config.platform_private_key_pem,
            Some(config.platform_public_key_id.clone()),
            &config.platform_cert_serial,
            not_before,
            not_after,
        )?;
        let shared = Arc::new(Shared {
            verifier: auth::RequestVerifier::new(&config)?,
            model,
            platform: Mutex::new(Platform {
                keys: vec![Arc::new(key)],
                sign_with: SignWith::default(),
                certificates_mode: CertificatesMode::default(),
            }),
            config,
            fault: Mutex::default(),
            requests: Mutex::default(),
            gzip_bills: AtomicBool::new(false),
        });
        let app = server::app(Arc::clone(&shared));
        Ok(MockServer {
            listening: crate::listen::Listening::start(addr, app, "wechatpay-mock")?,
            shared,
        })
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
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The API model the server serves.
    pub fn model(&self) -> &Arc<Model> {
        &self.shared.model
    }

    /// Every operation the server serves (sorted by path, then method).
    pub fn operations(&self) -> &[Operation] {
        self.shared.model.operations()
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

    /// The recorded requests to `path` (see [`RecordedRequest::is_to`]).
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.is_to(path))
            .cloned()
            .collect()
    }

    /// How many requests to `path` were recorded (template, operation id or concrete path),
    /// faulted ones included: e.g. a client's attempts including its retries.
    pub fn request_count(&self, path: &str) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.is_to(path))
            .count()
    }

    /// Chooses the key that signs responses: the configured key under its public key id
    /// (default) or the newest platform certificate's key under the certificate serial.
    pub fn set_sign_with(&self, choice: SignWith) {
        lock(&self.shared.platform).sign_with = choice;
    }

    /// The current [`SignWith`] choice.
    pub fn sign_with(&self) -> SignWith {
        lock(&self.shared.platform).sign_with
    }

    /// The id responses are signed under now (`Wechatpay-Serial` of responses).
    pub fn signing_serial(&self) -> String {
        lock(&self.shared.platform).signing_key().1
    }

    /// Generates a new RSA-2048 platform key and certificate (a new serial), serves it from
    /// `/v3/certificates` alongside the old ones, accepts it in `Wechatpay-Serial`, and signs
    /// responses with it from now on ([`SignWith::Certificate`]). Returns the new serial.
    pub fn rotate_platform_certificate(&self) -> io::Result<String> {
        rotate(&self.shared)
    }

    /// How `GET /v3/certificates` answers from now on.
    pub fn set_certificates_mode(&self, mode: CertificatesMode) {
        lock(&self.shared.platform).certificates_mode = mode;
    }

    /// The platform certificates, oldest first.
    pub fn platform_certificates(&self) -> Vec<PlatformCertificate> {
        lock(&self.shared.platform)
            .keys
            .iter()
            .map(|k| k.certificate.clone())
            .collect()
    }

    /// The SubjectPublicKeyInfo DER of the platform key named `id` (public key id or
    /// certificate serial), e.g. to verify responses after a rotation.
    pub fn platform_public_key_der(&self, id: &str) -> Option<Vec<u8>> {
        lock(&self.shared.platform)
            .key_named(id)
            .map(|k| k.public_key_der().to_vec())
    }

    /// The `GET /v3/certificates` body served now (`None` in [`CertificatesMode::NotFound`]).
    pub fn certificates_json(&self) -> Option<Value> {
        self.shared.certificates_json()
    }

    /// Serve bill downloads (`/v3/billdownload/file`) gzip-compressed even when the request
    /// does not ask with `tartype=GZIP`.
    pub fn set_gzip_bill_downloads(&self, on: bool) {
        self.shared.gzip_bills.store(on, Ordering::Relaxed);
    }
}

/// Adds a fresh platform key and certificate and signs with it (see
/// [`MockServer::rotate_platform_certificate`]).
pub(crate) fn rotate(shared: &Shared) -> io::Result<String> {
    let key = PlatformKey::generate()?;
    let serial = key.certificate.serial_no.clone();
    let mut platform = lock(&shared.platform);
    platform.keys.push(Arc::new(key));
    platform.sign_with = SignWith::Certificate;
    Ok(serial)
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.listening.addr())
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl crate::fault::InjectFaults for MockServer {
    fn fault_slot(&self) -> &Mutex<crate::fault::FaultSlot> {
        &self.shared.fault
    }
}
