//! [`Client`] and [`ClientBuilder`]: a Wonder app's credentials and the neutral transport in one
//! cheap handle; calls return the typed `data` of Wonder's `{code, message, data}` envelope.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::provider::{Lang, Wonder};
use super::sign::Signer;
use super::webhook::{Webhook, verify_webhook};
use crate::Error;
use crate::rsa::{PrivateKey, PublicKey};
use crate::transport::builder::{TransportSettings, required, transport_setters};
use crate::transport::{Operation, Response, Transport};

/// Production host: `https://gateway.wonder.today`.
pub const DEFAULT_BASE_URL: &str = "https://gateway.wonder.today";

/// Sandbox host: `https://gateway-stg.wonder.today` ([`ClientBuilder::sandbox`]).
pub const SANDBOX_BASE_URL: &str = "https://gateway-stg.wonder.today";

/// Default `User-Agent`: `sdk-runtime/<version> (Wonder-RSA-SHA256; Rust)`.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "sdk-runtime/",
    env!("CARGO_PKG_VERSION"),
    " (Wonder-RSA-SHA256; Rust)"
);

/// A Wonder Open API client: signs each [`Operation`] with `Wonder-RSA-SHA256`, sends it
/// (retrying only where safe), maps non-2xx responses and envelopes with a non-zero `code` to
/// [`ErrorKind::Api`](crate::ErrorKind::Api), and decodes the envelope's `data`.
///
/// Cheap to clone (one `Arc`), `Send + Sync`. `Debug` shows the app id, never the key. Each call
/// runs in a `tracing` span `wonder.request` with `method`, `path` (the template), `status`,
/// `request_id`, `attempts` and `latency_ms`; no bodies, no headers.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    transport: Transport,
    provider: Wonder,
    webhook_key: Option<PublicKey>,
}

/// The envelope of every Wonder answer: `{"code": 0, "message": "...", "data": ...}`; an error
/// has another `code` (a number, or a string such as `"E000002"`).
#[derive(serde::Deserialize)]
struct Envelope {
    code: serde_json::Value,
    #[serde(default)]
    data: serde_json::Value,
}

impl Client {
    /// A builder; the app id and its private key are required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Signs and sends `op`; returns the 2xx response (status, headers, raw body), its envelope
    /// not yet looked at.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the operation is invalid (nothing sent);
    /// [`Transport`](crate::ErrorKind::Transport) on connection/timeout failures;
    /// [`Api`](crate::ErrorKind::Api) on a non-2xx status (with Wonder's `code` and `message`).
    pub async fn execute(&self, op: Operation) -> Result<Response, Error> {
        let inner = &*self.inner;
        inner.transport.execute(&inner.provider, op).await
    }

    /// [`Client::execute`], then the envelope: `data` decoded as `T` when `code` is `0`.
    ///
    /// # Errors
    /// As [`Client::execute`]; [`Api`](crate::ErrorKind::Api) when the envelope's `code` is not
    /// `0`, even under HTTP 200 ([`Error::code`](crate::Error::code) gives it, e.g. `E000002`);
    /// [`Decode`](crate::ErrorKind::Decode) when the body is not an envelope or `data` is not a `T`.
    pub async fn json<T: DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        let (method, path_template) = (op.method().clone(), op.path_template());
        let response = self.execute(op).await?;
        let decode_error = |e| response.decode_error(e).calling(&method, path_template);
        let envelope: Envelope = serde_json::from_slice(response.json_bytes()).map_err(decode_error)?;
        if envelope.code != 0 {
            let error = Error::api(response.status(), response.request_id(), response.body().clone());
            return Err(error.calling(&method, path_template));
        }
        serde_json::from_value(envelope.data).map_err(decode_error)
    }

    /// Verifies a webhook Wonder sent (`Wonder-RSA-SHA256` by Wonder's key over `path_and_query`
    /// as received and the raw `body`) with the webhook public key of
    /// [`ClientBuilder::webhook_public_key_pem`]; answer 403 on an error and do not act on it.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if no webhook key is configured; otherwise as
    /// [`verify_webhook`].
    pub fn verify_webhook(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Webhook, Error> {
        let key = self.inner.webhook_key.as_ref().ok_or_else(|| {
            Error::build("no webhook public key (ClientBuilder::webhook_public_key_pem)")
                .verifying_notification()
        })?;
        verify_webhook(key, method, path_and_query, headers, body).map_err(Error::verifying_notification)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base_url
    }

    /// The request signer (app id and private key).
    pub fn signer(&self) -> &Signer {
        &self.inner.provider.signer
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("app_id", &inner.provider.signer.app_id())
            .field("private_key", &"[redacted]")
            .field("lang", &inner.provider.lang)
            .field("base_url", &inner.transport.base_url)
            .field("timeout", &inner.transport.timeout)
            .field("retry", &inner.transport.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Setters take and return the builder by value; key setters parse the
/// PEM at once and return `Result`. Required: the app id and its private key.
pub struct ClientBuilder {
    app_id: Option<String>,
    private_key: Option<PrivateKey>,
    webhook_key: Option<PublicKey>,
    lang: Option<Lang>,
    transport: TransportSettings,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            app_id: None,
            private_key: None,
            webhook_key: None,
            lang: None,
            transport: TransportSettings::new(DEFAULT_BASE_URL, DEFAULT_USER_AGENT),
        }
    }
}

impl ClientBuilder {
    /// The app id from the Wonder portal, e.g. `d900da8b-6e16-4a85-8a66-05d29ac53f24`
    /// (required): the first part of `Credential`.
    pub fn app_id(mut self, app_id: &str) -> Self {
        self.app_id = Some(app_id.to_owned());
        self
    }

    /// The app's private key, PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY` PEM (required).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the PEM holds no RSA private key aws-lc-rs accepts.
    pub fn private_key_pem(mut self, pem: &str) -> Result<Self, Error> {
        let key = PrivateKey::from_pem(pem).map_err(|e| {
            Error::build_with("invalid private key (ClientBuilder::private_key_pem)", e).building_client()
        })?;
        self.private_key = Some(key);
        Ok(self)
    }

    /// Wonder's webhook public key from the portal (SPKI `PUBLIC KEY` PEM), for
    /// [`Client::verify_webhook`].
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the PEM holds no RSA public key.
    pub fn webhook_public_key_pem(mut self, pem: &str) -> Result<Self, Error> {
        let key = PublicKey::from_pem(pem).map_err(|e| {
            Error::build_with(
                "invalid webhook public key (ClientBuilder::webhook_public_key_pem)",
                e,
            )
            .building_client()
        })?;
        self.webhook_key = Some(key);
        Ok(self)
    }

    /// The language of Wonder's messages (`x-i18n-lang`); not sent by default.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Sends to the sandbox, [`SANDBOX_BASE_URL`], instead of production.
    pub fn sandbox(self) -> Self {
        self.base_url(SANDBOX_BASE_URL)
    }

    transport_setters!();

    /// Builds the client. No request is sent.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the app id or private key is missing, the app id is
    /// not a valid header value, a base URL is not an absolute `http(s)` URL, or the HTTP client
    /// cannot be created.
    pub fn build(self) -> Result<Client, Error> {
        self.build_client().map_err(Error::building_client)
    }

    fn build_client(self) -> Result<Client, Error> {
        let app_id = required(self.app_id, "app id (ClientBuilder::app_id)")?;
        crate::transport::builder::header_value(&app_id, "app id")?;
        let key = self
            .private_key
            .ok_or_else(|| Error::build("missing private key (ClientBuilder::private_key_pem)"))?;
        // The first call must not pay one-time set-up: seed the RNG and set up the key now.
        crate::random::warm_up(&key)?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: self.transport.build()?,
                provider: Wonder {
                    signer: Signer::new(app_id, key),
                    lang: self.lang,
                },
                webhook_key: self.webhook_key,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field("private_key", &self.private_key.as_ref().map(|_| "[redacted]"))
            .field("webhook_key", &self.webhook_key.is_some())
            .field("lang", &self.lang)
            .field("transport", &self.transport)
            .finish()
    }
}
