//! A mock WeChat Pay APIv3 server (and a mock Wonder Open API server, [`wonder`]) for
//! end-to-end tests.
//!
//! It speaks the real protocol over real HTTP on 127.0.0.1: it verifies each request's
//! `Authorization: WECHATPAY2-SHA256-RSA2048 …` signature with the merchant public key and signs
//! each response with the platform private key (`Wechatpay-Timestamp/Nonce/Serial/Signature`).
//! It depends on no other crate of the workspace, so it checks the client independently.
//!
//! # In your tests
//!
//! Add it as a dev-dependency (`wechatpay-mock = { path = "…/tests" }`), start a mock with
//! [`MockServer::start_default`] (the test-vector merchant, a free port on 127.0.0.1; inside a
//! Tokio runtime it is a task of that runtime, outside one it has its own thread), and build the
//! client from [`MockServer::credentials`]: the base URL, merchant id and serial, keys and APIv3
//! key as values. Dropping the server stops it and closes its connections.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = wechatpay_mock::MockServer::start_default()?;
//! let creds = mock.credentials();
//! let client = wechatpay_typed::Client::builder()
//!     .mchid(&creds.mchid)
//!     .merchant_serial_number(&creds.merchant_serial_number)
//!     .merchant_private_key_pem(&creds.merchant_private_key_pem)?
//!     .wechatpay_public_key_pem(&creds.wechatpay_public_key_id, &creds.wechatpay_public_key_pem)?
//!     .apiv3_key(&creds.apiv3_key)?
//!     .base_url(&creds.base_url)
//!     .build()?;
//!
//! use wechatpay_typed::v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop;
//! let plan = stop::post(&client, "PLAN20241121").await?; // the mock verified it and signed its answer
//! assert_eq!(plan.merchant_plan_no.as_deref(), Some("PLAN20241121"));
//! let seen = mock.requests(); // what arrived, newest last
//! assert!(seen[0].signature_verified);
//! # Ok(()) }
//! ```
//!
//! For WeChat Pay APIv2 (XML, MD5/HMAC-SHA256 signs, mutual TLS over HTTPS):
//! [`apiv2::ApiV2Server::start_default`] and [`apiv2::ApiV2Server::credentials`].
//!
//! The same for Wonder: [`wonder::WonderServer::start_default`] and
//! [`wonder::WonderServer::credentials`]. To test failure handling, inject a [`Fault`] into the
//! next answers ([`InjectFaults::set_fault_for`]); to test a webhook handler, have the mock sign
//! one ([`MockServer::notification`], [`wonder::WonderServer::sign_webhook`]).
//!
//! ```no_run
//! # fn demo(server: &wechatpay_mock::MockServer) {
//! use wechatpay_mock::{Fault, InjectFaults};
//! server.set_fault_for(Fault::Tamper, 1); // the next response's body is altered after signing
//! # }
//! ```
//!
//! Every operation of the API model (`specs/wechatpay`, errata applied) is served: requests are
//! checked against the model (400 `PARAM_ERROR` naming the field) and answered with
//! [`sample::sample_response`] (or a streamed file for downloads, see [`download`]). Encrypted
//! request fields are decrypted with the platform key named by `Wechatpay-Serial` and recorded.
//! `GET /v3/certificates` serves real X.509 platform certificates sealed with the APIv3 key.
//!
//! Limits, so a long-running mock stays healthy: it keeps the newest [`MAX_RECORDED_REQUESTS`]
//! requests ([`MockConfig::request_log_capacity`]; older ones are dropped), and a connection whose
//! request headers or body do not arrive within [`DEFAULT_READ_TIMEOUT`]
//! ([`MockConfig::read_timeout`]) is closed (a body answered 408 first).
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
/// use wechatpay_typed::v3::refund::domestic::refunds;
/// let amount = refunds::PostRequestAmount::new(100, 100, "CNY");
/// let _ = refunds::PostRequest::new(refunds::PostRequestOrder::OutTradeNo("T1".into()), "R1", amount);
/// ```
/// Neither: `new` takes the order.
/// ```compile_fail,E0061
/// use wechatpay_typed::v3::refund::domestic::refunds;
/// let amount = refunds::PostRequestAmount::new(100, 100, "CNY");
/// let _ = refunds::PostRequest::new("R1", amount);
/// ```
/// Both: there is no field for a second id.
/// ```compile_fail,E0560
/// use wechatpay_typed::v3::refund::domestic::refunds;
/// let amount = refunds::PostRequestAmount::new(100, 100, "CNY");
/// let _ = refunds::PostRequest {
///     transaction_id: Some("4200000000".into()),
///     ..refunds::PostRequest::new(refunds::PostRequestOrder::OutTradeNo("T1".into()), "R1", amount)
/// };
/// ```
/// Required fields have no made-up default (`..Default::default()` would send `""`):
/// ```
/// let _ = wechatpay_typed::v3::refund::domestic::refunds::PostRequestGoodsDetail {
///     goods_name: Some("a".into()),
///     ..wechatpay_typed::v3::refund::domestic::refunds::PostRequestGoodsDetail::new("G1", 1, 1, 1)
/// };
/// ```
/// ```compile_fail,E0277
/// let _ = wechatpay_typed::v3::refund::domestic::refunds::PostRequestGoodsDetail {
///     goods_name: Some("a".into()),
///     ..Default::default()
/// };
/// ```
#[cfg(doctest)]
pub struct CompileChecks;

pub mod apiv2;
pub mod auth;
pub mod bills;
mod check;
pub mod credentials;
pub mod download;
pub mod fault;
pub mod keys;
mod listen;
pub mod log;
pub mod model;
mod multipart;
pub mod notify;
pub mod platform;
pub mod routes;
pub mod sample;
mod server;
pub mod sign;
pub mod testing;
pub mod wonder;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use codegen::ir::Operation;
use serde_json::Value;

pub use credentials::{CredentialFiles, Credentials, WonderCredentialFiles, WonderCredentials};
pub use fault::{Fault, FaultRule, FaultScope, FaultSlot, InjectFaults};
pub use listen::DEFAULT_READ_TIMEOUT;
pub use log::{MAX_RECORDED_REQUESTS, RecordedRequest, RecordedUpload, RequestLog};
pub use model::Model;
pub use notify::{
    Attempt, Delivery, EventInfo, RetryPolicy, SignedNotification, WECHATPAY_RETRY_SCHEDULE,
    original_type_for, original_type_of, send_notification, send_notification_with,
};
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
    /// Merchant private key (PEM), the client's half of `merchant_public_key_pem`: the server
    /// never uses it; [`MockServer::credentials`] hands it to the test that builds a client.
    pub merchant_private_key_pem: String,
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
    /// How many requests [`MockServer::requests`] keeps (the newest; at least 1). Default
    /// [`MAX_RECORDED_REQUESTS`].
    pub request_log_capacity: usize,
    /// How long a connection may take to send a request's headers (from when it opens, or from
    /// the previous answer) and, separately, its body, before the mock closes it (a late body is
    /// answered 408 first). Default [`DEFAULT_READ_TIMEOUT`].
    pub read_timeout: std::time::Duration,
}

impl MockConfig {
    /// The test-vector merchant and platform: keys from
    /// `<shared>/test-vectors/keys/{merchant.pem, merchant.pub.pem, platform.pem}`, mchid
    /// [`TEST_MCHID`], serial [`TEST_MERCHANT_SERIAL_NO`], key id
    /// [`TEST_PLATFORM_PUBLIC_KEY_ID`], APIv3 key [`TEST_APIV3_KEY`].
    ///
    /// # Errors
    /// A key file cannot be read.
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
            merchant_private_key_pem: read("merchant.pem")?,
            platform_private_key_pem: read("platform.pem")?,
            platform_public_key_id: TEST_PLATFORM_PUBLIC_KEY_ID.to_owned(),
            platform_cert_serial: TEST_PLATFORM_CERT_SERIAL.to_owned(),
            apiv3_key: TEST_APIV3_KEY.to_owned(),
            model: None,
            plausible_seeds: true,
            request_log_capacity: MAX_RECORDED_REQUESTS,
            read_timeout: DEFAULT_READ_TIMEOUT,
        })
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("mchid", &self.mchid)
            .field("merchant_serial_no", &self.merchant_serial_no)
            .field("merchant_public_key_pem", &"<public key>")
            .field("merchant_private_key_pem", &"<redacted>")
            .field("platform_private_key_pem", &"<redacted>")
            .field("platform_public_key_id", &self.platform_public_key_id)
            .field("platform_cert_serial", &self.platform_cert_serial)
            .field("apiv3_key", &"<redacted>")
            .field("model", &self.model.as_ref().map(|m| m.operations().len()))
            .field("plausible_seeds", &self.plausible_seeds)
            .field("request_log_capacity", &self.request_log_capacity)
            .field("read_timeout", &self.read_timeout)
            .finish()
    }
}

/// A running mock server; dropping it shuts the server down (and closes its connections).
pub struct MockServer {
    listening: crate::listen::Listening,
    shared: Arc<Shared>,
}

impl MockServer {
    /// Starts a mock of the test-vector merchant ([`MockConfig::from_test_vectors`] of
    /// [`default_shared_dir`]) on a free port of 127.0.0.1: the entry point for tests. Build the
    /// client from [`MockServer::credentials`]; drop the server to stop it.
    ///
    /// # Errors
    /// The test-vector keys or the API model cannot be read, or no port can be bound.
    pub fn start_default() -> io::Result<MockServer> {
        Self::start(MockConfig::from_test_vectors(&default_shared_dir())?)
    }

    /// Starts the server on `127.0.0.1:0` (a free port). Inside a Tokio runtime it runs as a
    /// task of that runtime; outside one it runs on its own thread.
    ///
    /// # Errors
    /// The API model cannot be loaded, a key does not parse, or no port can be bound.
    pub fn start(config: MockConfig) -> io::Result<MockServer> {
        Self::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Starts the server on `addr` (see [`MockServer::start`]).
    ///
    /// # Errors
    /// As [`MockServer::start`].
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
            fault: Mutex::default(),
            requests: Mutex::new(RequestLog::with_capacity(config.request_log_capacity)),
            gzip_bills: AtomicBool::new(false),
            config,
        });
        let app = server::app(Arc::clone(&shared));
        let read_timeout = shared.config.read_timeout;
        Ok(MockServer {
            listening: crate::listen::Listening::start(addr, app, "wechatpay-mock", read_timeout)?,
            shared,
        })
    }

    /// Everything a client needs to call this mock, as values: base URL, merchant id and
    /// serial, merchant private key, WeChat Pay public key and id, the platform certificate,
    /// the APIv3 key ([`Credentials::write_files`] writes the keys as files).
    pub fn credentials(&self) -> Credentials {
        let config = &self.shared.config;
        let key = Arc::clone(&lock(&self.shared.platform).keys[0]);
        Credentials {
            base_url: self.base_url(),
            mchid: config.mchid.clone(),
            merchant_serial_number: config.merchant_serial_no.clone(),
            merchant_private_key_pem: config.merchant_private_key_pem.clone(),
            wechatpay_public_key_id: config.platform_public_key_id.clone(),
            wechatpay_public_key_pem: keys::der_to_pem("PUBLIC KEY", key.public_key_der()),
            platform_certificate_serial: key.certificate.serial_no.clone(),
            platform_certificate_pem: key.certificate.pem.clone(),
            apiv3_key: config.apiv3_key.clone(),
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

    /// The API requests received, oldest first: the newest
    /// [`MockConfig::request_log_capacity`] ([`MAX_RECORDED_REQUESTS`] by default).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).to_vec()
    }

    /// How many recorded requests were dropped to keep the log within its capacity (since the
    /// start or the last [`MockServer::clear_requests`]).
    pub fn evicted_requests(&self) -> u64 {
        lock(&self.shared.requests).evicted()
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
    /// faulted ones included: e.g. a client's attempts including its retries. Only the requests
    /// still in the log count (see [`MockServer::requests`]).
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
