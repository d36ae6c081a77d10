//! The settings every provider's `ClientBuilder` shares (hosts, user agent, timeouts, retries,
//! body size limits), their checks, and the [`Transport`] they build; `transport_setters!` writes
//! the builder methods once for every provider, `download_setters!` those of providers with
//! downloads.

use std::fmt;
use std::time::Duration;

use http::HeaderValue;

use super::body::Limits;
use super::capture::RequestCapture;
use super::retry::RetryPolicy;
use super::send::Transport;
use crate::{Error, Secret};

/// Default timeout of one attempt (connect, send, receive the whole body): 30 s. A streamed
/// download is bounded per read instead (no read may wait longer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default connect timeout: 10 s (never more than the total timeout).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP settings of a client under construction.
#[derive(Clone)]
pub(crate) struct TransportSettings {
    pub(crate) base_url: String,
    pub(crate) backup_base_url: Option<String>,
    /// (documented base URL, replacement), both without a trailing `/`.
    pub(crate) alternate_base_urls: Vec<(String, String)>,
    pub(crate) user_agent: String,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
    /// Extra trusted root certificates (PEM), for every client of the transport.
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
    /// The TLS client identity (certificate chain and private key, PEM) of mutual-TLS calls.
    pub(crate) client_identity_pem: Option<Secret<Vec<u8>>>,
    /// When set, requests go to it instead of the network (`capture_requests`).
    pub(crate) capture: Option<RequestCapture>,
}

impl TransportSettings {
    /// Settings with the defaults and this provider's host and user agent.
    pub(crate) fn new(base_url: &str, user_agent: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            backup_base_url: None,
            alternate_base_urls: Vec::new(),
            user_agent: user_agent.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            root_certificates: Vec::new(),
            client_identity_pem: None,
            capture: None,
        }
    }

    /// Trusts `pem` (one or more `CERTIFICATE` blocks) as root certificates too, besides the
    /// platform's.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if it holds no valid PEM certificate.
    pub(crate) fn add_root_certificate_pem(&mut self, pem: &str) -> Result<(), Error> {
        let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| Error::build_with("invalid root certificate PEM", e))?;
        if certificates.is_empty() {
            return Err(Error::build("the root certificate PEM holds no certificate"));
        }
        self.root_certificates.extend(certificates);
        Ok(())
    }

    /// The TLS client identity of mutual-TLS calls: the certificate (chain) PEM and its private
    /// key PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if either is not valid PEM of its kind. The error
    /// never holds the key.
    pub(crate) fn client_identity_pem(&mut self, certificate_pem: &str, key_pem: &str) -> Result<(), Error> {
        use rustls_pki_types::pem::{PemObject as _, SectionKind};
        let mut certificates = 0;
        let mut keys = 0;
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(certificate_pem.as_bytes()) {
            match section {
                Ok((SectionKind::Certificate, _)) => certificates += 1,
                Ok(_) => {}
                Err(_) => return Err(Error::build("the merchant certificate is not valid PEM")),
            }
        }
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(key_pem.as_bytes()) {
            match section {
                Ok((SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey, _)) => {
                    keys += 1
                }
                Ok(_) => {}
                Err(_) => return Err(Error::build("the merchant private key is not valid PEM")),
            }
        }
        if certificates == 0 {
            return Err(Error::build("the merchant certificate PEM holds no CERTIFICATE"));
        }
        if keys != 1 {
            return Err(Error::build(
                "the merchant key PEM must hold exactly one private key",
            ));
        }
        // Only the certificates and the key go in: reqwest refuses any other PEM section.
        let mut pem = Vec::with_capacity(certificate_pem.len() + key_pem.len() + 1);
        for (kind, der) in <(SectionKind, Vec<u8>)>::pem_slice_iter(certificate_pem.as_bytes()).flatten() {
            if kind == SectionKind::Certificate {
                pem.extend_from_slice(&pem_block("CERTIFICATE", &der));
            }
        }
        for (kind, der) in <(SectionKind, Vec<u8>)>::pem_slice_iter(key_pem.as_bytes()).flatten() {
            let label = match kind {
                SectionKind::PrivateKey => "PRIVATE KEY",
                SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
                SectionKind::EcPrivateKey => "EC PRIVATE KEY",
                _ => continue,
            };
            pem.extend_from_slice(&pem_block(label, &der));
        }
        reqwest::Identity::from_pem(&pem)
            .map_err(|_| Error::build("the merchant certificate and key are not a usable TLS identity"))?;
        self.client_identity_pem = Some(Secret::new(pem));
        Ok(())
    }

    /// The transport: checked base URLs and user agent, and a reqwest client that never follows
    /// a redirect (it would change the signed URL; a 3xx is an API error instead).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if a base URL is not an absolute `http(s)` URL without
    /// query or fragment, the user agent is not a valid header value, or the HTTP client cannot
    /// be created.
    pub(crate) fn build(self) -> Result<Transport, Error> {
        let base_url = checked_base_url(&self.base_url)?;
        let backup_base_url = self
            .backup_base_url
            .as_deref()
            .map(checked_base_url)
            .transpose()?;
        for (_, to) in &self.alternate_base_urls {
            checked_base_url(to)?;
        }
        let user_agent = header_value(&self.user_agent, "user agent")?;
        let client = || {
            reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.min(self.timeout))
                .read_timeout(self.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .tls_certs_merge(self.root_certificates.iter().cloned())
        };
        let http = client()
            .build()
            .map_err(|e| Error::build_with("cannot create the HTTP client", e))?;
        let mutual_tls_http = match &self.client_identity_pem {
            None => None,
            Some(pem) => {
                let identity = reqwest::Identity::from_pem(pem.expose_secret()).map_err(|_| {
                    Error::build("the merchant certificate and key are not a usable TLS identity")
                })?;
                // reqwest's error would not hold the key, but says little more than this.
                let http = client().identity(identity).build().map_err(|_| {
                    Error::build(
                        "cannot create the mutual-TLS HTTP client (check the merchant certificate and key)",
                    )
                })?;
                Some(http)
            }
        };
        Ok(Transport {
            http,
            mutual_tls_http,
            base_url,
            backup_base_url,
            alternate_base_urls: self.alternate_base_urls,
            user_agent,
            timeout: self.timeout,
            retry: self.retry,
            limits: self.limits,
            capture: self.capture,
        })
    }
}

impl fmt::Debug for TransportSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportSettings")
            .field("base_url", &self.base_url)
            .field("backup_base_url", &self.backup_base_url)
            .field("alternate_base_urls", &self.alternate_base_urls)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .field("root_certificates", &self.root_certificates.len())
            .field(
                "client_identity",
                &self.client_identity_pem.as_ref().map(|_| "[redacted]"),
            )
            .field("capture", &self.capture)
            .finish()
    }
}

/// One PEM block `label` of `der` (base64 in 64-character lines).
fn pem_block(label: &str, der: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

/// `base_url` without a trailing `/`, if it is an absolute http(s) URL without query or fragment.
pub(crate) fn checked_base_url(base_url: &str) -> Result<String, Error> {
    let base_url = base_url.trim_end_matches('/').to_owned();
    match url::Url::parse(&base_url) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.has_host()
                && u.query().is_none()
                && u.fragment().is_none() =>
        {
            Ok(base_url)
        }
        _ => Err(Error::build(format!(
            "base URL `{base_url}` is not an absolute http(s) URL"
        ))),
    }
}

/// `value`, unless it is missing or empty (a [`Build`](crate::ErrorKind::Build) error naming `what`).
pub(crate) fn required(value: Option<String>, what: &str) -> Result<String, Error> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::build(format!("missing {what}"))),
    }
}

/// `text` as a header value, or a [`Build`](crate::ErrorKind::Build) error naming `what`.
pub(crate) fn header_value(text: &str, what: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(text)
        .map_err(|e| Error::build_with(format!("the {what} is not a valid header value"), e))
}

/// The builder methods of the HTTP settings, for a provider's `ClientBuilder` whose
/// `transport` field holds its [`TransportSettings`]; its module defines `DEFAULT_BASE_URL`.
macro_rules! transport_setters {
    () => {
        /// The base URL (scheme, host, optional port and path prefix; no query or fragment);
        /// default [`DEFAULT_BASE_URL`]. A trailing `/` is ignored.
        pub fn base_url(mut self, base_url: &str) -> Self {
            self.transport.base_url = base_url.to_owned();
            self
        }

        /// A backup base URL: after a connection failure to the main host (nothing was sent),
        /// the retries go there. Off by default.
        pub fn backup_base_url(mut self, base_url: &str) -> Self {
            self.transport.backup_base_url = Some(base_url.to_owned());
            self
        }

        /// Sends the operations the docs place on another host (`documented`, e.g.
        /// `https://pay.wechatpay.cn/`) to `replacement` instead, e.g. a test server or a proxy.
        pub fn alternate_base_url(mut self, documented: &str, replacement: &str) -> Self {
            self.transport.alternate_base_urls.push((
                documented.trim_end_matches('/').to_owned(),
                replacement.trim_end_matches('/').to_owned(),
            ));
            self
        }

        /// The `User-Agent` header; default [`DEFAULT_USER_AGENT`].
        pub fn user_agent(mut self, user_agent: &str) -> Self {
            self.transport.user_agent = user_agent.to_owned();
            self
        }

        /// The timeout of one attempt (connect, send, and receive the whole body); default 30 s.
        /// A streamed download is bounded per read by it instead (and in total by the
        /// download deadline, if set). With retries, a call may take
        /// up to `(retries + 1) × timeout` plus the backoff waits.
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.transport.timeout = timeout;
            self
        }

        /// The TCP + TLS connect timeout; default 10 s (never more than the timeout).
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.transport.connect_timeout = timeout;
            self
        }

        /// When to retry; default [`RetryPolicy::default`](crate::transport::RetryPolicy::default)
        /// (2 retries, only where safe). [`RetryPolicy::none`](crate::transport::RetryPolicy::none)
        /// turns retries off.
        pub fn retry_policy(mut self, retry: crate::transport::RetryPolicy) -> Self {
            self.transport.retry = retry;
            self
        }

        /// The largest response body read into memory, in bytes; default
        /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::transport::DEFAULT_MAX_RESPONSE_BYTES) (16 MiB).
        /// Applies to every API response (read whole to be verified and decoded), and to
        /// downloads held in memory. A larger body fails with
        /// [`TooLarge`](crate::ErrorKind::TooLarge) as soon as its `Content-Length`, or the
        /// count of bytes read, passes the limit: no more than the limit is ever held. A non-2xx
        /// body is read only up to
        /// [`MAX_ERROR_BODY_BYTES`](crate::transport::MAX_ERROR_BODY_BYTES) (64 KiB).
        pub fn max_response_bytes(mut self, bytes: u64) -> Self {
            self.transport.limits.max_response_bytes = bytes;
            self
        }

        /// The client never sends: every request is recorded by `capture` and answered by its
        /// canned response (dry runs, tests). Each request is built, signed and encoded as it
        /// would be sent (read it back with
        /// [`RequestCapture::requests`](crate::transport::RequestCapture::requests)), and the
        /// canned answer goes through the same checks as a real one: a non-2xx status is an
        /// [`Api`](crate::ErrorKind::Api) error, a 2xx is verified (a WeChat Pay APIv3 answer
        /// without a valid signature is a [`Signature`](crate::ErrorKind::Signature) error),
        /// retries and limits apply. Off by default.
        pub fn capture_requests(mut self, capture: crate::transport::RequestCapture) -> Self {
            self.transport.capture = Some(capture);
            self
        }
    };
}
pub(crate) use transport_setters;

/// The builder methods of streamed downloads' limits, for a provider's `ClientBuilder` whose
/// client has downloads (see `transport_setters!`).
macro_rules! download_setters {
    () => {
        /// The default [`Download::max_bytes`](crate::transport::Download::max_bytes) of every
        /// streamed download: the most content handed out (decompressed bytes after
        /// `gunzip`), and body bytes read, in bytes; default
        /// [`DEFAULT_MAX_DOWNLOAD_BYTES`](crate::transport::DEFAULT_MAX_DOWNLOAD_BYTES) (8 GiB).
        /// Memory use does not depend on it (downloads stream); raise it for bills larger than
        /// 8 GiB.
        pub fn max_download_bytes(mut self, bytes: u64) -> Self {
            self.transport.limits.max_download_bytes = bytes;
            self
        }

        /// The default [`Download::deadline`](crate::transport::Download::deadline) of every
        /// streamed download: the most time reading it may take, from when its response headers
        /// arrived; off by default (each read is still bounded by the timeout). With a
        /// deadline, a server sending one byte per second cannot hold a download past it.
        pub fn download_deadline(mut self, deadline: ::std::time::Duration) -> Self {
            self.transport.limits.download_deadline = Some(deadline);
            self
        }
    };
}
pub(crate) use download_setters;
