//! Platform-certificate mode: downloading `GET /v3/certificates` into the [`KeyStore`]
//! (super::KeyStore), on a schedule and lazily, without any timer or background task.
//!
//! - **First use**: the first request of a client in certificate mode downloads the certificates
//!   before it is sent (it waits for a download already in flight).
//! - **Schedule**: a request finding the certificates older than the refresh interval (default
//!   6 h) downloads them again first; if another request is already doing so it does not wait.
//!   A service with 1,500 merchant clients thus runs no loop at all, and an idle client costs
//!   nothing; [`Client::refresh_certificates`](super::Client::refresh_certificates) lets it drive
//!   refreshes from one task of its own instead.
//! - **Lazily**: a response signed by an unknown serial (a rotation) triggers one download,
//!   rate-limited to one per minute, with one in flight at a time; the response is then verified
//!   again.
//! - A 404 from the download means the merchant has no platform certificates (new merchants use
//!   the WeChat Pay public key): the store is left with its public keys, and that is no failure.
//!
//! Source: `shared/design/protocols.md` ("Platform certificates").

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::StatusCode;

use std::future::Future;
use std::pin::Pin;

use super::apiv3_key::ApiV3Key;
use super::certificates::{CERTIFICATES_PATH, decrypt_certificates};
use super::verify::{SignedHeaders, Verifier};
use crate::transport::provider::{Expect, Provider};
use crate::transport::{Operation, Reply, Transport, now_unix_seconds};
use crate::{Error, ErrorKind, Method};

/// Default interval between scheduled certificate downloads: 6 hours.
pub const DEFAULT_CERTIFICATE_REFRESH_INTERVAL: Duration = Duration::from_secs(6 * 3600);

/// Least time between two downloads triggered by unknown serials (or retried after a failure).
pub const MIN_CERTIFICATE_REFRESH_GAP: Duration = Duration::from_secs(60);

/// Certificate-mode settings and state of one client.
pub(crate) struct CertificateMode {
    pub(crate) apiv3_key: ApiV3Key,
    pub(crate) interval: Duration,
    pub(crate) min_gap: Duration,
    state: Mutex<State>,
    /// Held while a download is in flight (single flight).
    flight: tokio::sync::Mutex<()>,
}

#[derive(Default, Clone, Copy)]
struct State {
    last_attempt: Option<Instant>,
    /// Last download triggered by an unknown serial (rate-limited on its own).
    last_lazy: Option<Instant>,
    last_success: Option<Instant>,
    downloads: u64,
}

impl CertificateMode {
    pub(crate) fn new(apiv3_key: ApiV3Key, interval: Duration) -> Self {
        Self {
            apiv3_key,
            interval,
            min_gap: MIN_CERTIFICATE_REFRESH_GAP.min(interval),
            state: Mutex::new(State::default()),
            flight: tokio::sync::Mutex::new(()),
        }
    }

    fn state(&self) -> State {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// How many downloads were attempted so far.
    pub(crate) fn downloads(&self) -> u64 {
        self.state().downloads
    }
}

/// Before a request: the first download (waited for), or a scheduled one (not waited for if
/// another is in flight). A failed scheduled download is logged and the request goes on with
/// the keys at hand; a failed first download is an error only if there is no key at all.
pub(crate) async fn before_request<P: Provider>(
    mode: &CertificateMode,
    verifier: &Verifier,
    transport: &Transport,
    provider: &P,
) -> Result<(), Error> {
    let state = mode.state();
    let now = Instant::now();
    let due = match state.last_success {
        None => state.last_attempt.is_none_or(|t| now - t >= mode.min_gap),
        Some(t) => now - t >= mode.interval && state.last_attempt.is_none_or(|t| now - t >= mode.min_gap),
    };
    if !due {
        return Ok(());
    }
    let first = state.last_attempt.is_none();
    let guard = if first {
        mode.flight.lock().await
    } else {
        match mode.flight.try_lock() {
            Ok(guard) => guard,
            Err(_) => return Ok(()),
        }
    };
    if mode.state().last_attempt != state.last_attempt {
        // Another request downloaded while this one waited.
        return Ok(());
    }
    let result = download(mode, verifier, transport, provider).await;
    drop(guard);
    match result {
        Ok(_) => Ok(()),
        Err(e) if verifier.keys().ids().is_empty() => Err(e),
        Err(e) => {
            tracing::warn!(kind = ?e.kind(), "platform certificate download failed; using the keys at hand");
            Ok(())
        }
    }
}

/// After a response named an unknown serial: one rate-limited download. Whether the keys may
/// have changed (a download succeeded, here or in a request this one waited for).
pub(crate) async fn on_unknown_serial<P: Provider>(
    mode: &CertificateMode,
    verifier: &Verifier,
    transport: &Transport,
    provider: &P,
) -> bool {
    let before = mode.state();
    let _guard = mode.flight.lock().await;
    let now_state = mode.state();
    if now_state.last_success != before.last_success {
        return true;
    }
    if now_state.last_lazy.is_some_and(|t| t.elapsed() < mode.min_gap) {
        tracing::debug!("unknown serial, but a refresh for an unknown serial ran less than a minute ago");
        return false;
    }
    mode.update(|s| s.last_lazy = Some(Instant::now()));
    match download(mode, verifier, transport, provider).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(kind = ?e.kind(), "platform certificate download after an unknown serial failed");
            false
        }
    }
}

/// A forced download (waits for one in flight, then downloads again).
pub(crate) async fn force<P: Provider>(
    mode: Option<&CertificateMode>,
    verifier: &Verifier,
    transport: &Transport,
    provider: &P,
) -> Result<usize, Error> {
    let Some(mode) = mode else {
        return Err(Error::build(
            "platform certificates are not enabled (ClientBuilder::platform_certificates)",
        ));
    };
    let _guard = mode.flight.lock().await;
    download(mode, verifier, transport, provider).await
}

/// Downloads, decrypts, checks and installs the certificates; the number installed. The caller
/// holds the flight lock.
async fn download<P: Provider>(
    mode: &CertificateMode,
    verifier: &Verifier,
    transport: &Transport,
    provider: &P,
) -> Result<usize, Error> {
    mode.update(|s| {
        s.last_attempt = Some(Instant::now());
        s.downloads += 1;
    });
    let op = Operation::new(Method::GET, CERTIFICATES_PATH);
    // Boxed, its type erased: this is reached from inside `Transport::send` (lazy refresh).
    let send: Pin<Box<dyn Future<Output = Result<Reply, Error>> + Send + '_>> =
        Box::pin(transport.send(provider, op, Expect::Unverified));
    let reply = send.await;
    let response = match reply {
        Ok(Reply::Whole(response)) => response,
        Ok(Reply::Stream(_)) => unreachable!("the certificate download is read whole"),
        Err(e) if e.kind() == ErrorKind::Api && e.status() == Some(StatusCode::NOT_FOUND) => {
            tracing::info!("no platform certificates for this merchant (404); using the public key");
            verifier.keys().set_certificates(&[]);
            mode.update(|s| s.last_success = Some(Instant::now()));
            return Ok(0);
        }
        Err(e) => return Err(e),
    };
    let certificates = decrypt_certificates(&mode.apiv3_key, response.body())?;
    // The download is signed by one of the certificates it carries (or a key already held).
    let parts = SignedHeaders::from_headers(response.headers())
        .map_err(|e| Error::signature(e, Some(response.status()), response.request_id()))?;
    verifier
        .verify_parts_with(&parts, response.body(), now_unix_seconds(), |serial| {
            certificates
                .iter()
                .find(|c| c.has_serial(serial))
                .map(|c| c.public_key().clone())
                .or_else(|| verifier.keys().get(serial))
        })
        .map_err(|e| Error::signature(e, Some(response.status()), response.request_id()))?;
    verifier.keys().set_certificates(&certificates);
    mode.update(|s| s.last_success = Some(Instant::now()));
    tracing::info!(
        count = certificates.len(),
        serials = ?certificates.iter().map(|c| c.serial_no()).collect::<Vec<_>>(),
        "platform certificates installed"
    );
    Ok(certificates.len())
}
