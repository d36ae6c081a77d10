//! [`Client`] and [`ClientBuilder`]: credentials, keys and the HTTP transport in one cheap handle.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

use super::keys::{KeyStore, PrivateKey, PublicKey};
use super::operation::Operation;
use super::response::{Download, Response};
use super::sensitive::Encryptor;
use super::sign::Signer;
use super::transport::{self, Verification};
use super::verify::{Verifier, is_unsigned_download};
use crate::Error;

/// Default API host: `https://api.mch.weixin.qq.com` (backup `https://api2.mch.weixin.qq.com`,
/// overseas `https://apihk.mch.weixin.qq.com`).
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// Default `User-Agent`: `sdk-runtime/<version> (WeChatPay-APIv3; Rust)`.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "sdk-runtime/",
    env!("CARGO_PKG_VERSION"),
    " (WeChatPay-APIv3; Rust)"
);

/// Default total timeout of one request (connect, send, receive the whole body): 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default connect timeout: 10 s (never more than the total timeout).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A WeChat Pay APIv3 client: signs each [`Operation`], sends it, maps non-2xx responses to
/// [`ErrorKind::Api`](crate::ErrorKind::Api), verifies 2xx signatures, and decodes JSON.
///
/// Cheap to clone (one `Arc`), `Send + Sync`. `Debug` shows ids only, never key material.
/// Each call runs in a `tracing` span `wechatpay.request` with `method`, `path` (the template),
/// `status` and `request_id`; no bodies, no headers.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) signer: Signer,
    pub(crate) verifier: Verifier,
    pub(crate) wechatpay_serial: HeaderValue,
    pub(crate) user_agent: HeaderValue,
}

impl Client {
    /// A builder; `mchid`, `merchant_serial_number`, the merchant private key and a WeChat Pay
    /// public key are required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Signs and sends `op`; returns the verified 2xx response (status, headers, raw body).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the operation is invalid (nothing sent);
    /// [`Transport`](crate::ErrorKind::Transport) on connection/timeout failures;
    /// [`Api`](crate::ErrorKind::Api) on a non-2xx status;
    /// [`Signature`](crate::ErrorKind::Signature) if a 2xx response fails verification.
    pub async fn execute(&self, op: Operation) -> Result<Response, Error> {
        transport::send(&self.inner, op, Verification::Required).await
    }

    /// [`Client::execute`], then decodes the body as JSON `T`; an empty body (e.g. 204)
    /// decodes as `{}`.
    ///
    /// # Errors
    /// As [`Client::execute`], plus [`Decode`](crate::ErrorKind::Decode).
    pub async fn json<T: serde::de::DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        let response = self.execute(op).await?;
        serde_json::from_slice(response.json_bytes()).map_err(|e| response.decode_error(e))
    }

    /// Downloads a file. Like [`Client::execute`], but a response to one of the unsigned
    /// download endpoints ([`is_unsigned_download`] on the operation's path template, e.g.
    /// `/v3/billdownload/file`) is not verified; other endpoints are.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn download(&self, op: Operation) -> Result<Download, Error> {
        let verification = if is_unsigned_download(op.path_template()) {
            Verification::Skip
        } else {
            Verification::Required
        };
        transport::send(&self.inner, op, verification)
            .await
            .map(Download::from)
    }

    /// An [`Encryptor`] for sensitive request fields, bound to the WeChat Pay key requests name
    /// in `Wechatpay-Serial`: the WeChat Pay public key when one is configured, otherwise the
    /// newest valid platform certificate (downloaded first if none is loaded yet).
    ///
    /// Generated operations whose docs declare `Wechatpay-Serial` call this themselves and hand
    /// the encryptor to the closure that builds the request; call it directly only for an
    /// [`Operation`] built by hand, together with [`Operation::encrypted_with`].
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if no WeChat Pay key is available; in certificate mode,
    /// the errors of [`Client::refresh_certificates`].
    pub async fn encryptor(&self) -> Result<Encryptor, Error> {
        let serial = self.wechatpay_serial();
        match self.inner.verifier.keys().get(serial) {
            Some(key) => Ok(Encryptor::new(serial.to_owned(), key)),
            None => Err(Error::build("no WeChat Pay key to encrypt sensitive fields with")),
        }
    }

    /// Decrypts one encrypted response field (standard base64 RSAES-OAEP, SHA-1 and MGF1-SHA-1)
    /// with the merchant private key, e.g. the `name` returned by
    /// `POST /v3/profitsharing/receivers/add`. The plaintext is personal data: do not log it.
    ///
    /// # Errors
    /// [`Crypto`](crate::ErrorKind::Crypto) if it is not base64, was not encrypted for this
    /// merchant's key, or is not UTF-8.
    pub fn decrypt(&self, ciphertext_b64: &str) -> Result<String, Error> {
        self.inner.signer.private_key().decrypt_oaep_base64(ciphertext_b64)
    }

    /// The request signer (merchant id, serial number, private key), e.g. to sign front-end
    /// pay parameters.
    pub fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    /// The response verifier and its [`KeyStore`], e.g. to verify webhooks or add platform
    /// certificate keys.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The base URL requests go to unless an operation overrides it.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The id sent in `Wechatpay-Serial` on every request: the WeChat Pay public key in use.
    pub fn wechatpay_serial(&self) -> &str {
        self.inner.wechatpay_serial.to_str().unwrap_or_default()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("mchid", &inner.signer.mchid())
            .field("merchant_serial_number", &inner.signer.serial_no())
            .field("merchant_private_key", &"[redacted]")
            .field("wechatpay_serial", &self.wechatpay_serial())
            .field("wechatpay_key_ids", &inner.verifier.keys().ids())
            .field("base_url", &inner.base_url)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Setters take and return the builder by value; key setters parse
/// the PEM at once and return `Result`.
pub struct ClientBuilder {
    mchid: Option<String>,
    serial_no: Option<String>,
    private_key: Option<PrivateKey>,
    public_keys: Vec<(String, PublicKey)>,
    base_url: String,
    user_agent: String,
    timeout: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            mchid: None,
            serial_no: None,
            private_key: None,
            public_keys: Vec::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl ClientBuilder {
    /// The merchant id, e.g. `1900000109` (required).
    pub fn mchid(mut self, mchid: &str) -> Self {
        self.mchid = Some(mchid.to_owned());
        self
    }

    /// The serial number of the merchant API certificate, e.g.
    /// `3775B6A45ACD588826D15E583A95F5DD00000000` (required).
    pub fn merchant_serial_number(mut self, serial_no: &str) -> Self {
        self.serial_no = Some(serial_no.to_owned());
        self
    }

    /// The merchant API private key (`apiclient_key.pem`), PKCS#8 `PRIVATE KEY` or PKCS#1
    /// `RSA PRIVATE KEY` (required).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if it is not a valid RSA private key PEM.
    pub fn merchant_private_key_pem(self, pem: &str) -> Result<Self, Error> {
        Ok(self.merchant_private_key(PrivateKey::from_pem(pem)?))
    }

    /// The merchant API private key, already parsed.
    pub fn merchant_private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// A WeChat Pay public key (`pub_key.pem`, SPKI `PUBLIC KEY`) and its id (`PUB_KEY_ID_…`);
    /// at least one is required. Each call adds a key to the verifying [`KeyStore`]; the last
    /// one added is named in the `Wechatpay-Serial` request header.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if it is not a valid RSA public key PEM.
    pub fn wechatpay_public_key_pem(self, key_id: &str, pem: &str) -> Result<Self, Error> {
        Ok(self.wechatpay_public_key(key_id, PublicKey::from_pem(pem)?))
    }

    /// A WeChat Pay public key, already parsed, and its id.
    pub fn wechatpay_public_key(mut self, key_id: &str, key: PublicKey) -> Self {
        self.public_keys.push((key_id.to_owned(), key));
        self
    }

    /// The base URL (scheme, host, optional port and path prefix; no query or fragment);
    /// default [`DEFAULT_BASE_URL`]. A trailing `/` is ignored.
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = base_url.to_owned();
        self
    }

    /// The `User-Agent` header; default [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = user_agent.to_owned();
        self
    }

    /// The total timeout of one request; default 30 s. The connect timeout is 10 s or this,
    /// whichever is shorter.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if `mchid`, the merchant serial number, the merchant
    /// private key or a WeChat Pay public key is missing; if the base URL is not an absolute
    /// `http(s)` URL without query or fragment; if the user agent, mchid, serial number or key
    /// id is not a valid header value; or if the HTTP client cannot be created.
    pub fn build(self) -> Result<Client, Error> {
        let mchid = required(self.mchid, "mchid (ClientBuilder::mchid)")?;
        let serial_no = required(
            self.serial_no,
            "merchant serial number (ClientBuilder::merchant_serial_number)",
        )?;
        let private_key = self.private_key.ok_or_else(|| {
            Error::build("missing merchant private key (ClientBuilder::merchant_private_key_pem)")
        })?;
        let wechatpay_serial = match self.public_keys.last() {
            Some((id, _)) => header_value(id, "WeChat Pay public key id")?,
            None => {
                return Err(Error::build(
                    "missing WeChat Pay public key (ClientBuilder::wechatpay_public_key_pem)",
                ));
            }
        };
        for (text, what) in [(&mchid, "mchid"), (&serial_no, "merchant serial number")] {
            header_value(text, what)?;
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        match url::Url::parse(&base_url) {
            Ok(u)
                if matches!(u.scheme(), "http" | "https")
                    && u.has_host()
                    && u.query().is_none()
                    && u.fragment().is_none() => {}
            _ => {
                return Err(Error::build(format!(
                    "base URL `{base_url}` is not an absolute http(s) URL"
                )));
            }
        }
        let user_agent = header_value(&self.user_agent, "user agent")?;
        let keys = KeyStore::new();
        for (id, key) in self.public_keys {
            keys.insert(id, key);
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(DEFAULT_CONNECT_TIMEOUT))
            // A redirect would change the signed URL; surface 3xx as an API error instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::build_with("cannot create the HTTP client", e))?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                signer: Signer::new(mchid, serial_no, private_key),
                verifier: Verifier::new(keys),
                wechatpay_serial,
                user_agent,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("merchant_serial_number", &self.serial_no)
            .field(
                "merchant_private_key",
                &self.private_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "wechatpay_key_ids",
                &self.public_keys.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn required(value: Option<String>, what: &str) -> Result<String, Error> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::build(format!("missing {what}"))),
    }
}

fn header_value(text: &str, what: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(text)
        .map_err(|e| Error::build_with(format!("the {what} is not a valid header value"), e))
}
