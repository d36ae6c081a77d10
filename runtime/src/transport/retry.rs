//! [`RetryPolicy`]: when a failed attempt may be sent again, and how long to wait first.
//!
//! Only retries that cannot duplicate an effect are made:
//! - a connection failure (DNS, TCP connect, TLS handshake): the request never left, whatever its
//!   method — including a payment-creating `POST`;
//! - for idempotent reads (`GET`, `HEAD`) also a timeout or broken connection after sending, and
//!   the statuses 429, 500, 502, 503 and 504.
//!
//! A `POST`, `PUT`, `PATCH` or `DELETE` that reached the server is never sent again: its error
//! is returned to the caller, who knows whether the operation is safe to repeat (e.g. with the
//! same `out_trade_no`).

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};

/// Longest `Retry-After` the client honours before it gives up waiting and uses its own backoff.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// How often and how patiently a request is retried. Default: 2 retries (3 attempts), backoff
/// 200 ms doubling up to 2 s, with jitter (each wait is drawn between half and all of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned at once.
    pub const fn none() -> Self {
        Self {
            max_retries: 0,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    /// At most `max_retries` retries after the first attempt (the default backoff).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Backoff before retry *n* (1-based): `initial × 2^(n−1)`, capped at `max`, with jitter.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (1-based), jitter applied with `unit` in `[0, 1)`.
    pub(crate) fn delay(&self, retry: u32, unit: f64) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self.initial_backoff.saturating_mul(factor).min(self.max_backoff);
        full.mul_f64(0.5 + unit.clamp(0.0, 1.0) / 2.0)
    }
}

/// Whether `method` only reads, so that sending it twice has no extra effect.
pub(crate) fn is_idempotent_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

/// Whether a response status is worth retrying for an idempotent read.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || matches!(status.as_u16(), 500 | 502 | 503 | 504)
}

/// Whether a transport error may be retried for `method`: a connection failure always (nothing
/// was sent), anything else only for idempotent reads.
pub(crate) fn is_retryable_transport(error: &reqwest::Error, method: &Method) -> bool {
    error.is_connect() || is_idempotent_read(method)
}

/// The `Retry-After` of a response in whole seconds (the HTTP-date form is not used by WeChat
/// Pay), capped at [`MAX_RETRY_AFTER`].
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// A uniform number in `[0, 1)` from the system CSPRNG (0.5 if it fails).
pub(crate) fn jitter_unit() -> f64 {
    let mut bytes = [0u8; 4];
    match aws_lc_rs::rand::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(
            p.delay(1, 0.999_999),
            Duration::from_millis(100).mul_f64(0.999_999_5)
        );
        assert_eq!(p.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(100));
        assert_eq!(p.delay(3, 0.0), Duration::from_millis(175));
        assert_eq!(p.delay(30, 0.0), Duration::from_millis(175));
    }

    #[test]
    fn only_reads_are_idempotent() {
        assert!(is_idempotent_read(&Method::GET));
        assert!(!is_idempotent_read(&Method::POST));
        assert!(!is_idempotent_read(&Method::PATCH));
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }

    #[test]
    fn retry_after_is_capped() {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "1".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(1)));
        h.insert(http::header::RETRY_AFTER, "3600".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..100 {
            let u = jitter_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
