//! [`Client`] and [`ClientBuilder`] of WeChat Pay APIv2 (XML): the APIv2 key, the sign type,
//! the merchant certificate for mutual TLS, and the shared HTTP transport.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::indexed::from_params;
use super::key::ApiV2Key;
use super::operation::Operation;
use super::provider::WechatPayV2;
use super::sign::SignType;
use super::xml;
use crate::Error;
use crate::transport::builder::{TransportSettings, transport_setters};
use crate::transport::{Response, Transport};
use crate::wechatpay::ApiV3Key;

/// Default APIv2 host: `https://api.mch.weixin.qq.com` (backup `https://api2.mch.weixin.qq.com`,
/// overseas `https://apihk.mch.weixin.qq.com`).
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// Default `User-Agent`: `sdk-runtime/<version> (WeChatPay-APIv2; Rust)`.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "sdk-runtime/",
    env!("CARGO_PKG_VERSION"),
    " (WeChatPay-APIv2; Rust)"
);

/// A WeChat Pay APIv2 client: adds `nonce_str`, `sign_type` and `sign` to each [`Operation`],
/// sends it as `text/xml` (with the merchant certificate when the operation needs mutual TLS),
/// checks the answer (`return_code`, then `sign`, then `result_code`) and decodes it.
///
/// Cheap to clone (one `Arc`), `Send + Sync`. `Debug` never shows the APIv2 key or the
/// certificate's private key. Each call runs in a `tracing` span `wechatpay.v2.request` with
/// `method`, `path`, `status`, `attempts` and `latency_ms`; no bodies.
///
/// Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)") and
/// <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2>.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) transport: Transport,
    pub(crate) provider: WechatPayV2,
    /// Decrypts the `event_ciphertext` of payscore notifications ([`ClientBuilder::apiv3_key`]).
    pub(crate) apiv3_key: Option<ApiV3Key>,
}

impl Client {
    /// A builder; the APIv2 key is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Signs and sends `op`, checks the answer and decodes it as `T` with
    /// [`from_params`](super::from_params) (every value a JSON string: generated types read
    /// numbers with [`Lenient::take_text`](crate::Lenient::take_text)). A `BTreeMap<String,
    /// String>` gives the answer's fields as they are.
    ///
    /// The request gets `nonce_str` (32 random `[0-9A-Za-z]`, unless [`Operation::no_nonce`] or
    /// the request has one), then `sign`: with the algorithm its own `sign_type` names, else with
    /// the client's [`SignType`], in which case a non-MD5 type is also added as `sign_type` (a
    /// signed field).
    ///
    /// # Errors
    /// In the order checked:
    /// - [`Build`](crate::ErrorKind::Build): an invalid operation (e.g. `mutual_tls` without a
    ///   merchant certificate, an unknown `sign_type`); nothing is sent;
    /// - [`Transport`](crate::ErrorKind::Transport), [`Api`](crate::ErrorKind::Api) for a non-2xx
    ///   status, [`TooLarge`](crate::ErrorKind::TooLarge);
    /// - [`Decode`](crate::ErrorKind::Decode): the answer is not a flat APIv2 document (see
    ///   [`xml::parse`]) or has no `return_code`;
    /// - [`Api`](crate::ErrorKind::Api): `return_code` is not `SUCCESS` ([`Error::code`] the
    ///   `return_code`, [`Error::message`] the `return_msg`);
    /// - [`Signature`](crate::ErrorKind::Signature): the `sign` is missing or wrong (unless
    ///   [`Operation::unsigned_response`]);
    /// - [`Business`](crate::ErrorKind::Business): `result_code` is not `SUCCESS`
    ///   ([`Error::code`] the `err_code`, [`Error::message`] the `err_code_des`);
    /// - [`Decode`](crate::ErrorKind::Decode): the fields do not decode as `T`.
    pub async fn xml<T: DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        let (method, path, signed) = (op.method().clone(), op.path(), !op.unsigned_response);
        let response = self.send(op).await?;
        let (status, request_id) = (Some(response.status()), response.request_id());
        let checked = xml::parse(response.body())
            .map_err(|e| e.at_response(status, request_id.clone()))
            .and_then(|map| {
                let inner = &*self.inner;
                inner
                    .provider
                    .check_answer(&map, signed, status, request_id.clone())?;
                from_params(map).map_err(|e| e.at_response(status, request_id.clone()))
            });
        checked.map_err(|e| e.calling(&method, path))
    }

    /// Signs and sends `op` to an endpoint that answers with a file (`/pay/downloadbill`,
    /// `/pay/downloadfundflow`): the body (text, or gzip when the request asked for it) read
    /// whole, at most `max_response_bytes`. Such an answer is not signed; an answer that is an
    /// APIv2 document (`<xml>…`) is an error report and is returned as an error.
    ///
    /// # Errors
    /// As [`Client::xml`] up to the status; then [`Api`](crate::ErrorKind::Api) when the body is
    /// an APIv2 document whose `return_code` is not `SUCCESS` ([`Error::code`] the
    /// `return_code`, [`Error::message`] the `return_msg`), or
    /// [`Business`](crate::ErrorKind::Business) when its `result_code` is not.
    pub async fn download(&self, op: Operation) -> Result<Bytes, Error> {
        let (method, path) = (op.method().clone(), op.path());
        let response = self.send(op).await?;
        let body = response.body();
        let start = body
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(body.len());
        let rest = &body[start..];
        if rest.starts_with(b"<xml") || rest.starts_with(b"<?xml") {
            let (status, request_id) = (Some(response.status()), response.request_id());
            if let Ok(map) = xml::parse(body) {
                self.inner
                    .provider
                    .check_answer(&map, false, status, request_id)
                    .map_err(|e| e.calling(&method, path))?;
            }
        }
        Ok(response.into_body())
    }

    async fn send(&self, op: Operation) -> Result<Response, Error> {
        let inner = &*self.inner;
        let (method, path) = (op.method().clone(), op.path());
        let transport_op = inner
            .provider
            .signed_operation(op)
            .map_err(|e| e.calling(&method, path))?;
        inner.transport.execute(&inner.provider, transport_op).await
    }

    /// The sign type used for requests that name none.
    pub fn sign_type(&self) -> SignType {
        self.inner.provider.sign_type
    }

    /// The APIv2 key (signs requests, verifies answers and notifications).
    pub fn apiv2_key(&self) -> &ApiV2Key {
        &self.inner.provider.key
    }

    /// The base URL requests go to unless an operation overrides it.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base_url
    }

    /// Whether a merchant certificate is configured for mutual-TLS operations.
    pub fn has_merchant_certificate(&self) -> bool {
        self.inner.transport.mutual_tls_http.is_some()
    }

    /// Whether an APIv3 key is configured ([`ClientBuilder::apiv3_key`]), to decrypt the
    /// `event_ciphertext` of payscore notifications.
    pub fn has_apiv3_key(&self) -> bool {
        self.inner.apiv3_key.is_some()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("apiv2_key", &inner.provider.key)
            .field("sign_type", &inner.provider.sign_type)
            .field("apiv3_key", &inner.apiv3_key)
            .field("merchant_certificate", &self.has_merchant_certificate())
            .field("base_url", &inner.transport.base_url)
            .field("backup_base_url", &inner.transport.backup_base_url)
            .field("timeout", &inner.transport.timeout)
            .field("retry", &inner.transport.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Setters take and return the builder by value; those that parse
/// return `Result`. Required: [`ClientBuilder::apiv2_key`].
pub struct ClientBuilder {
    key: Option<ApiV2Key>,
    apiv3_key: Option<ApiV3Key>,
    sign_type: SignType,
    transport: TransportSettings,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            key: None,
            apiv3_key: None,
            sign_type: SignType::Md5,
            transport: TransportSettings::new(DEFAULT_BASE_URL, DEFAULT_USER_AGENT),
        }
    }
}

impl ClientBuilder {
    /// The APIv2 key (32 ASCII characters, set in the merchant platform; required).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) as [`ApiV2Key::new`].
    pub fn apiv2_key(mut self, key: &str) -> Result<Self, Error> {
        self.key = Some(ApiV2Key::new(key).map_err(Error::building_client)?);
        Ok(self)
    }

    /// The merchant's APIv3 key (32 ASCII characters; optional): it decrypts the
    /// `event_ciphertext` (AEAD_AES_256_GCM) of the payscore notifications sent as APIv2 XML
    /// (`CHECK.SUCCESS`, `CHECK.FAIL`, `TRANSACTION.SUCCESS`, `TRANSACTION.FAIL`) in
    /// [`Client::notification`]. Without it, those notifications fail with
    /// [`Build`](crate::ErrorKind::Build).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) as [`ApiV3Key::new`] (never echoing the key).
    pub fn apiv3_key(mut self, key: &str) -> Result<Self, Error> {
        self.apiv3_key = Some(ApiV3Key::new(key).map_err(Error::building_client)?);
        Ok(self)
    }

    /// The sign type of requests that do not name one in their `sign_type`; default
    /// [`SignType::Md5`] (what WeChat Pay assumes without `sign_type`). With
    /// [`SignType::HmacSha256`], requests also carry `sign_type=HMAC-SHA256`.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// The merchant API certificate (`apiclient_cert.pem`) and its private key
    /// (`apiclient_key.pem`, PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1), the TLS
    /// client identity of operations marked [`Operation::mutual_tls`] (the docs' `security:
    /// true`, e.g. refunds). Other operations are sent without it.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the certificate PEM holds no certificate, the key
    /// PEM not exactly one private key, or the two are not a usable TLS identity. Never echoes
    /// the key.
    pub fn merchant_certificate_pem(mut self, certificate_pem: &str, key_pem: &str) -> Result<Self, Error> {
        self.transport
            .client_identity_pem(certificate_pem, key_pem)
            .map_err(Error::building_client)?;
        Ok(self)
    }

    /// Trusts the root certificate(s) in `pem` besides the system's, e.g. a test CA in front
    /// of a local HTTPS server, or a corporate TLS proxy.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if it holds no valid PEM certificate.
    pub fn add_root_certificate_pem(mut self, pem: &str) -> Result<Self, Error> {
        self.transport
            .add_root_certificate_pem(pem)
            .map_err(Error::building_client)?;
        Ok(self)
    }

    transport_setters!();

    /// Builds the client. No request is sent.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the APIv2 key is missing, a base URL is not an
    /// absolute `http(s)` URL without query or fragment, the user agent is not a valid header
    /// value, or an HTTP client cannot be created.
    pub fn build(self) -> Result<Client, Error> {
        let key = self
            .key
            .ok_or_else(|| Error::build("missing APIv2 key (ClientBuilder::apiv2_key)").building_client())?;
        let transport = self.transport.build().map_err(Error::building_client)?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport,
                provider: WechatPayV2 {
                    key,
                    sign_type: self.sign_type,
                },
                apiv3_key: self.apiv3_key,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("apiv2_key", &self.key)
            .field("apiv3_key", &self.apiv3_key)
            .field("sign_type", &self.sign_type)
            .field("transport", &self.transport)
            .finish()
    }
}
