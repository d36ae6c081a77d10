//! [`Client`] and [`ClientBuilder`]: credentials, keys and the HTTP transport in one cheap handle.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::apiv3_key::ApiV3Key;
use super::keys::KeyStore;
use super::provider::WechatPayV3;
use super::refresh::{CertificateMode, DEFAULT_CERTIFICATE_REFRESH_INTERVAL};
use super::sensitive::Encryptor;
use super::sign::Signer;
use super::verify::{UNSIGNED_DOWNLOAD_PATHS, Verifier, is_unsigned_download};
use crate::Error;
use crate::rsa::{PrivateKey, PublicKey};
use crate::transport::builder::{
    TransportSettings, download_setters, header_value, required, transport_setters,
};
use crate::transport::provider::Expect;
use crate::transport::{Download, Operation, Reply, Response, Transport};

/// Default API host: `https://api.mch.weixin.qq.com` (backup `https://api2.mch.weixin.qq.com`,
/// overseas `https://apihk.mch.weixin.qq.com`).
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// Default `User-Agent`: `sdk-runtime/<version> (WeChatPay-APIv3; Rust)`.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "sdk-runtime/",
    env!("CARGO_PKG_VERSION"),
    " (WeChatPay-APIv3; Rust)"
);

/// The backup API host WeChat Pay publishes for when the main one cannot be reached:
/// `https://api2.mch.weixin.qq.com` (opt in with [`ClientBuilder::backup_base_url`]).
pub const BACKUP_BASE_URL: &str = "https://api2.mch.weixin.qq.com";

/// A WeChat Pay APIv3 client: signs each [`Operation`], sends it (retrying only where safe, see
/// [`RetryPolicy`](super::RetryPolicy)), maps non-2xx responses to [`ErrorKind::Api`](crate::ErrorKind::Api),
/// verifies 2xx signatures, and decodes JSON.
///
/// Keys: the WeChat Pay public key (`PUB_KEY_ID_…`), platform certificates downloaded from
/// `GET /v3/certificates` ([`ClientBuilder::platform_certificates`]), or both at once during a
/// migration; responses are verified with the key their `Wechatpay-Serial` names.
///
/// Cheap to clone (one `Arc`), `Send + Sync`; no background task or timer. `Debug` shows ids
/// only, never key material. Each call runs in a `tracing` span `wechatpay.request` with
/// `method`, `path` (the template, so no path parameter values), `status`, `request_id`,
/// `attempts` and `latency_ms`; no bodies, no headers.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    /// The HTTP side, the same for every provider.
    pub(crate) transport: Transport,
    /// The WeChat Pay side: signer, keys, certificate schedule.
    pub(crate) provider: WechatPayV3,
    pub(crate) apiv3_key: Option<ApiV3Key>,
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
        let inner = &*self.inner;
        inner.transport.execute(&inner.provider, op).await
    }

    /// [`Client::execute`], then decodes the body as JSON `T`; an empty body (e.g. 204)
    /// decodes as `{}`.
    ///
    /// # Errors
    /// As [`Client::execute`], plus [`Decode`](crate::ErrorKind::Decode).
    pub async fn json<T: serde::de::DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        let (method, path_template) = (op.method().clone(), op.path_template());
        let response = self.execute(op).await?;
        let decode_error = |e| response.decode_error(e).calling(&method, path_template);
        serde_json::from_slice(response.json_bytes()).map_err(decode_error)
    }

    /// Downloads a file. A response of one of the unsigned download endpoints
    /// ([`is_unsigned_download`] on the operation's path template, e.g. `/v3/billdownload/file`)
    /// is not verified and its body is streamed as the [`Download`] is read; other endpoints
    /// are signed, so their body is read and verified first.
    ///
    /// # Errors
    /// As [`Client::execute`] (for the status and headers; reading the body has its own errors,
    /// see [`Download::chunk`]).
    pub async fn download(&self, op: Operation) -> Result<Download, Error> {
        let mode = if is_unsigned_download(op.path_template()) {
            Expect::Stream
        } else {
            Expect::Verified
        };
        let inner = &*self.inner;
        Ok(match inner.transport.send(&inner.provider, op, mode).await? {
            Reply::Whole(response) => Download::from(response),
            Reply::Stream(download) => *download,
        })
    }

    /// Downloads a file from a `download_url` WeChat Pay returned (e.g. by the bill-apply
    /// `GET /v3/bill/tradebill`): its path and query are sent, exactly as given, to this client's
    /// base URL — a signed request never goes to a host taken from a response. Streams, like
    /// [`Client::download`]; chain [`Download::gunzip`] and [`Download::verify_hash`] for bills.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the URL does not parse or its path is not one of the
    /// download endpoints without path parameters in [`UNSIGNED_DOWNLOAD_PATHS`]; otherwise as
    /// [`Client::download`].
    pub async fn download_url(&self, download_url: &str) -> Result<Download, Error> {
        let url = url::Url::parse(download_url)
            .map_err(|e| Error::build_with("the download URL does not parse", e))?;
        let template = UNSIGNED_DOWNLOAD_PATHS
            .iter()
            .find(|t| !t.contains('{') && **t == url.path())
            .ok_or_else(|| Error::build(format!("`{}` is not a WeChat Pay download endpoint", url.path())))?;
        let op = Operation::new(http::Method::GET, template).raw_query(url.query().unwrap_or_default());
        self.download(op).await
    }

    /// Downloads the platform certificates now (`GET /v3/certificates`), replacing those held;
    /// returns how many were installed (0 when WeChat Pay answers 404: no certificates, the
    /// public key is used). Waits for a download already in flight, then downloads again.
    ///
    /// Not needed in normal operation (the client downloads on first use, when the certificates
    /// are older than the refresh interval, and on an unknown serial); a service holding many
    /// clients may call it from one task of its own instead.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if certificate mode is off; the errors of
    /// [`Client::execute`]; [`Crypto`](crate::ErrorKind::Crypto) if a certificate does not
    /// decrypt with the APIv3 key or its serial does not match. The certificates held are kept
    /// on any error.
    pub async fn refresh_certificates(&self) -> Result<usize, Error> {
        self.inner
            .provider
            .refresh_certificates(&self.inner.transport)
            .await
    }

    /// How many certificate downloads this client attempted (0 outside certificate mode).
    pub fn certificate_downloads(&self) -> u64 {
        self.inner
            .provider
            .certificates
            .as_ref()
            .map_or(0, CertificateMode::downloads)
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
        self.inner.provider.keys_ready(&self.inner.transport).await?;
        match self
            .inner
            .provider
            .verifier
            .keys()
            .encryption_key(OffsetDateTime::now_utc())
        {
            Some((serial, key)) => Ok(Encryptor::new(serial, key)),
            None => Err(Error::build(
                "no WeChat Pay key to encrypt sensitive fields with (no public key, and no valid \
                 platform certificate)",
            )),
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
        self.inner
            .provider
            .signer
            .private_key()
            .decrypt_oaep_base64(ciphertext_b64)
    }

    /// The request signer (merchant id, serial number, private key), e.g. to sign front-end
    /// pay parameters.
    pub fn signer(&self) -> &Signer {
        &self.inner.provider.signer
    }

    /// The response verifier and its [`KeyStore`], e.g. to verify webhooks or add platform
    /// certificate keys.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.provider.verifier
    }

    /// The base URL requests go to unless an operation overrides it.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base_url
    }

    /// The id sent in `Wechatpay-Serial` on requests: the WeChat Pay public key if configured,
    /// else the newest valid platform certificate; `None` before certificates are downloaded.
    pub fn wechatpay_serial(&self) -> Option<String> {
        self.inner
            .provider
            .verifier
            .keys()
            .encryption_key(OffsetDateTime::now_utc())
            .map(|(id, _)| id)
    }

    /// The APIv3 key, if configured (decrypts webhook resources).
    pub fn apiv3_key(&self) -> Option<&ApiV3Key> {
        self.inner.apiv3_key.as_ref()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("mchid", &inner.provider.signer.mchid())
            .field("merchant_serial_number", &inner.provider.signer.serial_no())
            .field("merchant_private_key", &"[redacted]")
            .field("wechatpay_serial", &self.wechatpay_serial())
            .field("wechatpay_key_ids", &inner.provider.verifier.keys().ids())
            .field("platform_certificates", &inner.provider.certificates.is_some())
            .field("base_url", &inner.transport.base_url)
            .field("backup_base_url", &inner.transport.backup_base_url)
            .field("timeout", &inner.transport.timeout)
            .field("retry", &inner.transport.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Setters take and return the builder by value; key setters parse
/// the PEM at once and return `Result`.
///
/// Required: `mchid`, the merchant serial number and private key, and at least one WeChat Pay
/// key source: a public key ([`ClientBuilder::wechatpay_public_key_pem`]) and/or platform
/// certificates ([`ClientBuilder::platform_certificates`], which needs the APIv3 key).
pub struct ClientBuilder {
    mchid: Option<String>,
    serial_no: Option<String>,
    private_key: Option<PrivateKey>,
    public_keys: Vec<(String, PublicKey)>,
    apiv3_key: Option<ApiV3Key>,
    certificate_refresh: Option<Duration>,
    transport: TransportSettings,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            mchid: None,
            serial_no: None,
            private_key: None,
            public_keys: Vec::new(),
            apiv3_key: None,
            certificate_refresh: None,
            transport: TransportSettings::new(DEFAULT_BASE_URL, DEFAULT_USER_AGENT),
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
    /// `RSA PRIVATE KEY` (required). It signs requests and decrypts encrypted response fields.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if it is not a valid RSA private key PEM.
    pub fn merchant_private_key_pem(self, pem: &str) -> Result<Self, Error> {
        let key = PrivateKey::from_pem(pem).map_err(|e| {
            Error::build_with(
                "invalid merchant private key (ClientBuilder::merchant_private_key_pem)",
                e,
            )
            .building_client()
        })?;
        Ok(self.merchant_private_key(key))
    }

    /// The merchant API private key, already parsed.
    pub fn merchant_private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// A WeChat Pay public key (`pub_key.pem`, SPKI `PUBLIC KEY`) and its id (`PUB_KEY_ID_…`).
    /// Each call adds a key to the [`KeyStore`]; the last one added encrypts sensitive fields
    /// and is named in the `Wechatpay-Serial` request header.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if it is not a valid RSA public key PEM.
    pub fn wechatpay_public_key_pem(self, key_id: &str, pem: &str) -> Result<Self, Error> {
        let key = PublicKey::from_pem(pem).map_err(|e| {
            Error::build_with(
                "invalid WeChat Pay public key (ClientBuilder::wechatpay_public_key_pem)",
                e,
            )
            .building_client()
        })?;
        Ok(self.wechatpay_public_key(key_id, key))
    }

    /// A WeChat Pay public key, already parsed, and its id.
    pub fn wechatpay_public_key(mut self, key_id: &str, key: PublicKey) -> Self {
        self.public_keys.push((key_id.to_owned(), key));
        self
    }

    /// The APIv3 key (32 ASCII characters, set in the merchant platform): decrypts platform
    /// certificates and webhook resources.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) unless it is exactly 32 bytes.
    pub fn apiv3_key(mut self, key: &str) -> Result<Self, Error> {
        self.apiv3_key = Some(ApiV3Key::new(key).map_err(Error::building_client)?);
        Ok(self)
    }

    /// Platform-certificate mode: the client downloads `GET /v3/certificates` (decrypted with
    /// the APIv3 key, each serial checked) on first use, again when they are older than
    /// [`DEFAULT_CERTIFICATE_REFRESH_INTERVAL`] (6 h), and when a response names an unknown
    /// serial (at most once a minute). No timer or task is started. Works together with a public
    /// key: responses are verified with whichever key their `Wechatpay-Serial` names.
    pub fn platform_certificates(mut self) -> Self {
        self.certificate_refresh
            .get_or_insert(DEFAULT_CERTIFICATE_REFRESH_INTERVAL);
        self
    }

    /// [`ClientBuilder::platform_certificates`] with another refresh interval.
    pub fn platform_certificates_every(mut self, interval: Duration) -> Self {
        self.certificate_refresh = Some(interval);
        self
    }

    transport_setters!();
    download_setters!();

    /// Builds the client. No request is sent (in certificate mode the first call downloads).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if `mchid`, the merchant serial number or private key
    /// is missing; if there is neither a WeChat Pay public key nor certificate mode; if
    /// certificate mode has no APIv3 key; if a base URL is not an absolute `http(s)` URL without
    /// query or fragment; if the user agent, mchid, serial number or a key id is not a valid
    /// header value; or if the HTTP client cannot be created.
    pub fn build(self) -> Result<Client, Error> {
        self.build_client().map_err(Error::building_client)
    }

    fn build_client(self) -> Result<Client, Error> {
        let mchid = required(self.mchid, "mchid (ClientBuilder::mchid)")?;
        let serial_no = required(
            self.serial_no,
            "merchant serial number (ClientBuilder::merchant_serial_number)",
        )?;
        let private_key = self.private_key.ok_or_else(|| {
            Error::build("missing merchant private key (ClientBuilder::merchant_private_key_pem)")
        })?;
        if self.public_keys.is_empty() && self.certificate_refresh.is_none() {
            return Err(Error::build(
                "missing WeChat Pay key: configure a public key (ClientBuilder::wechatpay_public_key_pem) \
                 or platform certificates (ClientBuilder::platform_certificates)",
            ));
        }
        let certificates = match (self.certificate_refresh, &self.apiv3_key) {
            (None, _) => None,
            (Some(interval), Some(key)) => Some(CertificateMode::new(key.clone(), interval)),
            (Some(_), None) => {
                return Err(Error::build(
                    "platform certificates need the APIv3 key (ClientBuilder::apiv3_key)",
                ));
            }
        };
        for (text, what) in [(&mchid, "mchid"), (&serial_no, "merchant serial number")] {
            header_value(text, what)?;
        }
        for (id, _) in &self.public_keys {
            header_value(id, "WeChat Pay public key id")?;
        }
        // The first call must not pay one-time set-up: seed the RNG and set up the key now.
        crate::random::warm_up(&private_key)?;
        let keys = KeyStore::new();
        for (id, key) in self.public_keys {
            keys.insert(id, key);
        }
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: self.transport.build()?,
                provider: WechatPayV3 {
                    signer: Signer::new(mchid, serial_no, private_key),
                    verifier: Verifier::new(keys),
                    certificates,
                },
                apiv3_key: self.apiv3_key,
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
            .field("apiv3_key", &self.apiv3_key)
            .field("certificate_refresh", &self.certificate_refresh)
            .field("transport", &self.transport)
            .finish()
    }
}
