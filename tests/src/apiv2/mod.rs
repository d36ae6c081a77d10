//! A mock WeChat Pay APIv2 (XML) server for end-to-end tests, beside the APIv3 mock.
//!
//! It speaks the real protocol over real HTTPS on 127.0.0.1: a test CA made at start issues the
//! server certificate (`127.0.0.1`, `localhost`) and the merchant's client certificate
//! (`apiclient_cert.pem`/`apiclient_key.pem`); the server asks for a client certificate but does
//! not require one, and records whether each request came with one. It serves `POST {path}` for
//! every APIv2 operation of the model ([`Model::xml_operations`]), by path only (an operation's
//! `base_url`, e.g. `https://fraud.mch.weixin.qq.com/`, is another host of the same service:
//! point the client there at the mock too). Signing and XML are written here ([`sign()`],
//! [`to_xml`], [`parse_xml`]), never taken from the client under test.
//!
//! Each request:
//! - to an operation with `mutual_tls` but without a client certificate: **HTTP 403**, an
//!   unsigned `return_code` FAIL ([`CERTIFICATE_REQUIRED`]), as WeChat Pay refuses it;
//! - is checked: UTF-8 `<xml>` (no DOCTYPE), `sign` (MD5 unless `sign_type` is `HMAC-SHA256`),
//!   `nonce_str` (≤ 32 characters), every required field of the model present and not empty; a
//!   failed check is answered HTTP 200, unsigned, `return_code` FAIL with a `return_msg` naming
//!   the problem (`签名错误 (sign mismatch) (MD5)`, `missing field out_trade_no`);
//! - on success: `return_code`/`result_code` SUCCESS and every response field of the model
//!   ([`sample::sample_answer`]: echoes of the request, samples, indexed lists of two items),
//!   a fresh `nonce_str` and, last, a `sign` of the request's sign type, except for the
//!   operations WeChat Pay answers unsigned ([`sample::UNSIGNED_ANSWER_PATHS`]); the bill
//!   downloads answer a small CSV file ([`sample::sample_file`]).
//!
//! Failures on request, to test a client's error kinds: the header [`FAIL_HEADER`]
//! (`Wechatpay-Mock-Fail: return_code | result_code | bad_sign`) or, since a generated client
//! cannot add headers, a queue of one-shot failures ([`ApiV2Server::fail_next`]) consumed by the
//! next request that reaches an operation (past the mutual TLS check), whatever its outcome: a
//! `return_code` failure answers before any check; `result_code` and `bad_sign` replace the
//! success answer of a request that passed its checks.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use wechatpay_mock::apiv2::{ApiV2Server, Failure};
//! let mock = ApiV2Server::start_default()?;
//! let creds = mock.credentials();
//! assert!(creds.base_url.starts_with("https://127.0.0.1:"));
//! mock.fail_next(Failure::ResultCode); // the next request gets a signed result_code FAIL
//! # Ok(()) }
//! ```

mod check;
mod notify;
mod record;
pub mod sample;
mod server;
mod sign;
mod tls;
mod xml;

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codegen::ir::Operation;

use crate::listen::DEFAULT_READ_TIMEOUT;
use crate::log::{MAX_RECORDED_REQUESTS, RequestLog};
use crate::model::Model;
use crate::server::lock;
use server::{Listening, Shared};

pub use check::{MAX_NONCE_LEN, SIGN_MISMATCH};
pub use notify::{NotificationKeys, ecb_seal, model_xml_notification, xml_notification};
pub use record::{ApiV2Request, FAIL_HEADER, Failure, MOCK_ERR_CODE};
pub use sample::sample_request;
pub use sign::{SignType, nonce_str, sign, string_to_sign, verify};
pub use xml::{Params, parse_xml, to_xml};

/// Merchant id of the APIv2 test vectors.
pub const TEST_MCH_ID: &str = "10000100";
/// App id of the APIv2 test vectors.
pub const TEST_APPID: &str = "wxd930ea5d5a258f4f";
/// The APIv2 key of the test vectors (32 characters).
pub const TEST_APIV2_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// The `return_msg` of a mutual-TLS operation requested without a client certificate (403).
pub const CERTIFICATE_REQUIRED: &str =
    "a client certificate is required: this operation needs mutual TLS with the merchant API certificate";

/// Who the APIv2 mock believes the merchant is.
#[derive(Clone)]
pub struct ApiV2Config {
    /// Merchant id, answered as `mch_id` when the request sends none.
    pub mch_id: String,
    /// App id, answered as `appid` when the request sends none.
    pub appid: String,
    /// The APIv2 key that signs requests and answers. Secret: never in `Debug`.
    pub key: String,
    /// The APIv3 key (32 bytes) that seals payscore notifications' `event_ciphertext`
    /// ([`ApiV2Server::xml_notification`]). Secret: never in `Debug`.
    pub apiv3_key: String,
    /// The API model to serve; `None` loads [`Model::load_default`].
    pub model: Option<Arc<Model>>,
    /// How many requests [`ApiV2Server::requests`] keeps (the newest; at least 1).
    pub request_log_capacity: usize,
    /// How long a connection may take for its TLS handshake, and for a request's headers.
    pub read_timeout: Duration,
}

impl Default for ApiV2Config {
    /// The test-vector merchant: [`TEST_MCH_ID`], [`TEST_APPID`], [`TEST_APIV2_KEY`].
    fn default() -> Self {
        ApiV2Config {
            mch_id: TEST_MCH_ID.to_owned(),
            appid: TEST_APPID.to_owned(),
            key: TEST_APIV2_KEY.to_owned(),
            apiv3_key: crate::TEST_APIV3_KEY.to_owned(),
            model: None,
            request_log_capacity: MAX_RECORDED_REQUESTS,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }
}

impl fmt::Debug for ApiV2Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiV2Config")
            .field("mch_id", &self.mch_id)
            .field("appid", &self.appid)
            .field("key", &"<redacted>")
            .field("apiv3_key", &"<redacted>")
            .field("model", &self.model.as_ref().map(|m| m.xml_operations().len()))
            .field("request_log_capacity", &self.request_log_capacity)
            .field("read_timeout", &self.read_timeout)
            .finish()
    }
}

/// Everything an APIv2 client needs to call the mock, as values.
#[derive(Clone)]
pub struct ApiV2Credentials {
    /// `https://127.0.0.1:PORT/`.
    pub base_url: String,
    /// Merchant id.
    pub mch_id: String,
    /// App id.
    pub appid: String,
    /// The APIv2 key (32 characters).
    pub key: String,
    /// The test CA certificate (PEM): the client must trust it to reach the mock.
    pub ca_certificate_pem: String,
    /// The merchant API certificate (`apiclient_cert.pem`), issued by the test CA, CN = merchant id.
    pub merchant_certificate_pem: String,
    /// Its private key (`apiclient_key.pem`, PKCS#8 `PRIVATE KEY`, ECDSA P-256).
    pub merchant_key_pem: String,
}

impl fmt::Debug for ApiV2Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiV2Credentials")
            .field("base_url", &self.base_url)
            .field("mch_id", &self.mch_id)
            .field("appid", &self.appid)
            .field("key", &"<redacted>")
            .field("merchant_key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A running APIv2 mock; dropping it stops the server (and closes its connections).
pub struct ApiV2Server {
    listening: Listening,
    shared: Arc<Shared>,
    pki: tls::TestPki,
}

impl ApiV2Server {
    /// Starts a mock of the test-vector merchant ([`ApiV2Config::default`]) on a free port of
    /// 127.0.0.1.
    ///
    /// # Errors
    /// The API model cannot be read, the certificates cannot be made, or no port can be bound.
    pub fn start_default() -> io::Result<ApiV2Server> {
        Self::start(ApiV2Config::default())
    }

    /// Starts the server on `127.0.0.1:0` (a free port), with a fresh test CA and certificates.
    /// Inside a Tokio runtime it runs as a task of that runtime; outside one on its own thread.
    ///
    /// # Errors
    /// As [`ApiV2Server::start_default`].
    pub fn start(config: ApiV2Config) -> io::Result<ApiV2Server> {
        Self::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Starts the server on `addr` (see [`ApiV2Server::start`]).
    ///
    /// # Errors
    /// As [`ApiV2Server::start_default`].
    pub fn start_on(config: ApiV2Config, addr: SocketAddr) -> io::Result<ApiV2Server> {
        let model = match &config.model {
            Some(model) => Arc::clone(model),
            None => Model::load_default().map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
        };
        let pki = tls::TestPki::generate(&config.mch_id)?;
        let tls = pki.server_config()?;
        let shared = Arc::new(Shared {
            requests: Mutex::new(RequestLog::with_capacity(config.request_log_capacity)),
            failures: Mutex::new(VecDeque::new()),
            model,
            config,
        });
        let listening = server::start(addr, Arc::clone(&shared), tls)?;
        Ok(ApiV2Server {
            listening,
            shared,
            pki,
        })
    }

    /// `https://127.0.0.1:PORT/`, with a trailing slash (as WeChat Pay's hosts are written).
    pub fn base_url(&self) -> String {
        format!("https://{}/", self.listening.addr())
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.listening.addr()
    }

    /// Base URL, merchant id, app id, APIv2 key, the test CA to trust and the merchant's client
    /// certificate and key.
    pub fn credentials(&self) -> ApiV2Credentials {
        let config = &self.shared.config;
        ApiV2Credentials {
            base_url: self.base_url(),
            mch_id: config.mch_id.clone(),
            appid: config.appid.clone(),
            key: config.key.clone(),
            ca_certificate_pem: self.pki.ca_certificate_pem.clone(),
            merchant_certificate_pem: self.pki.merchant_certificate_pem.clone(),
            merchant_key_pem: self.pki.merchant_key_pem.clone(),
        }
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &ApiV2Config {
        &self.shared.config
    }

    /// The API model the server serves.
    pub fn model(&self) -> &Arc<Model> {
        &self.shared.model
    }

    /// Every operation the server serves (the model's APIv2 operations, sorted by path).
    pub fn operations(&self) -> &[Operation] {
        self.shared.model.xml_operations()
    }

    /// Queues `failure` for the next request that reaches an operation (after the ones queued
    /// before); a [`FAIL_HEADER`] header takes precedence and leaves the queue alone.
    pub fn fail_next(&self, failure: Failure) {
        lock(&self.shared.failures).push_back(failure);
    }

    /// The failures still queued, next first.
    pub fn pending_failures(&self) -> Vec<Failure> {
        lock(&self.shared.failures).iter().copied().collect()
    }

    /// Forgets the queued failures.
    pub fn clear_failures(&self) {
        lock(&self.shared.failures).clear();
    }

    /// The requests received, oldest first (the newest [`ApiV2Config::request_log_capacity`]).
    pub fn requests(&self) -> Vec<ApiV2Request> {
        lock(&self.shared.requests).to_vec()
    }

    /// The recorded requests to `path`.
    pub fn requests_to(&self, path: &str) -> Vec<ApiV2Request> {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }
}

impl fmt::Debug for ApiV2Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiV2Server")
            .field("addr", &self.listening.addr())
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}
