//! Delivering a [`SignedNotification`] as WeChat Pay does: POST it to the merchant's
//! `notify_url`; a 2xx answer ends it, anything else (another status, no connection, no answer
//! within [`ATTEMPT_TIMEOUT`]) is retried on [`WECHATPAY_RETRY_SCHEDULE`] with the very same
//! body and signature (the same notification id, so the receiver can dedupe by it).

use std::time::Duration;

use super::SignedNotification;

/// How long one attempt may take (connect, send, read the answer).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a reply body an [`Attempt`] keeps: 1 KiB.
pub const MAX_REPLY_BODY: usize = 1024;

/// A minute, in seconds.
const MIN: u64 = 60;
/// An hour, in seconds.
const HOUR: u64 = 60 * MIN;

/// The waits before WeChat Pay's 15 retries of an undelivered notification:
/// 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24 h 4 min in all).
pub const WECHATPAY_RETRY_SCHEDULE: [Duration; 15] = [
    Duration::from_secs(15),
    Duration::from_secs(15),
    Duration::from_secs(30),
    Duration::from_secs(3 * MIN),
    Duration::from_secs(10 * MIN),
    Duration::from_secs(20 * MIN),
    Duration::from_secs(30 * MIN),
    Duration::from_secs(30 * MIN),
    Duration::from_secs(30 * MIN),
    Duration::from_secs(60 * MIN),
    Duration::from_secs(3 * HOUR),
    Duration::from_secs(3 * HOUR),
    Duration::from_secs(3 * HOUR),
    Duration::from_secs(6 * HOUR),
    Duration::from_secs(6 * HOUR),
];

/// When to try again after an attempt that was not answered 2xx.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The wait before each retry, in order: one first attempt and at most `schedule.len()`
    /// retries. Default [`WECHATPAY_RETRY_SCHEDULE`].
    pub schedule: Vec<Duration>,
    /// Multiplies every wait: `1.0` is real time (the default), `0.001` turns 15 s into 15 ms.
    /// Must be finite and not negative.
    pub time_scale: f64,
    /// Whether to retry at all; `false` makes one attempt. Default `true`.
    pub retries: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            schedule: WECHATPAY_RETRY_SCHEDULE.to_vec(),
            time_scale: 1.0,
            retries: true,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn once() -> RetryPolicy {
        RetryPolicy {
            retries: false,
            ..RetryPolicy::default()
        }
    }

    /// WeChat Pay's schedule with every wait multiplied by `time_scale`.
    pub fn scaled(time_scale: f64) -> RetryPolicy {
        RetryPolicy {
            time_scale,
            ..RetryPolicy::default()
        }
    }

    /// The waits actually taken before the retries: the scaled schedule, or none without
    /// retries. An overlong scaled wait is capped at [`Duration::MAX`].
    pub fn waits(&self) -> Vec<Duration> {
        if !self.retries {
            return Vec::new();
        }
        self.schedule
            .iter()
            .map(|wait| {
                Duration::try_from_secs_f64(wait.as_secs_f64() * self.time_scale).unwrap_or(Duration::MAX)
            })
            .collect()
    }
}

/// One POST of the notification and what came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The HTTP status of the reply; `None` when none came (no connection, timeout).
    pub status: Option<u16>,
    /// The reply body, at most its first [`MAX_REPLY_BODY`] bytes (cut at a character
    /// boundary, invalid UTF-8 replaced); empty without a reply.
    pub body: String,
    /// What went wrong: no connection, no reply in time, or the body could not be read.
    pub error: Option<String>,
}

impl Attempt {
    /// Whether the reply was a 2xx: the notification is delivered.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The outcome of [`send_notification`]: every attempt, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The attempts made, oldest first (the last one is 2xx when delivered).
    pub attempts: Vec<Attempt>,
    /// Whether an attempt was answered 2xx.
    pub delivered: bool,
}

/// POSTs `notification` (its headers and body, unchanged) to `to`, and again after each wait
/// of `retry` while the answer is not 2xx, as WeChat Pay does. Redirects are not followed (a
/// 3xx is a failed attempt); each attempt may take [`ATTEMPT_TIMEOUT`]. Prints nothing.
///
/// # Errors
/// `to` is not an `http(s)://` URL, `retry.time_scale` is negative or not finite, or no HTTP
/// client can be built. A receiver that fails is not an error: see [`Delivery::delivered`].
pub async fn send_notification(
    to: &str,
    notification: &SignedNotification,
    retry: &RetryPolicy,
) -> Result<Delivery, String> {
    send_notification_with(to, notification, retry, |_, _| {}).await
}

/// [`send_notification`], calling `on_attempt(attempt, next_wait)` after each attempt, with
/// the wait before the next one (`None` after the last attempt), e.g. to report progress.
///
/// # Errors
/// As [`send_notification`].
pub async fn send_notification_with(
    to: &str,
    notification: &SignedNotification,
    retry: &RetryPolicy,
    mut on_attempt: impl FnMut(&Attempt, Option<Duration>),
) -> Result<Delivery, String> {
    let url = reqwest::Url::parse(to).map_err(|e| format!("bad notification URL {to:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("bad notification URL {to:?}: not http:// or https://"));
    }
    if !retry.time_scale.is_finite() || retry.time_scale < 0.0 {
        return Err(format!(
            "bad time scale {}: it must be a finite number, 0 or more",
            retry.time_scale
        ));
    }
    let client = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let waits = retry.waits();
    let mut attempts = Vec::with_capacity(waits.len() + 1);
    for n in 0..=waits.len() {
        let attempt = attempt(&client, url.clone(), notification).await;
        let delivered = attempt.delivered();
        let next_wait = if delivered { None } else { waits.get(n).copied() };
        on_attempt(&attempt, next_wait);
        attempts.push(attempt);
        if delivered {
            return Ok(Delivery {
                attempts,
                delivered: true,
            });
        }
        if let Some(wait) = next_wait {
            tokio::time::sleep(wait).await;
        }
    }
    Ok(Delivery {
        attempts,
        delivered: false,
    })
}

/// One POST of `notification` to `url`.
async fn attempt(client: &reqwest::Client, url: reqwest::Url, notification: &SignedNotification) -> Attempt {
    let sent = client
        .post(url)
        .headers(notification.headers.clone())
        .body(notification.body.clone())
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(e) => {
            return Attempt {
                status: None,
                body: String::new(),
                error: Some(describe(&e)),
            };
        }
    };
    let status = Some(response.status().as_u16());
    let mut bytes = Vec::new();
    let mut error = None;
    while bytes.len() <= MAX_REPLY_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                error = Some(format!("reading the reply body: {}", describe(&e)));
                break;
            }
        }
    }
    Attempt {
        status,
        body: truncate(&String::from_utf8_lossy(&bytes), MAX_REPLY_BODY),
        error,
    }
}

/// `e` with its sources, e.g. `error sending request: … : connection refused`.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("no reply within {} s: {e}", ATTEMPT_TIMEOUT.as_secs())
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_wechat_pays_24_hours_4_minutes() {
        let total: Duration = WECHATPAY_RETRY_SCHEDULE.iter().sum();
        assert_eq!(total, Duration::from_secs(24 * HOUR + 4 * MIN));
        assert_eq!(RetryPolicy::default().waits().len(), 15);
        assert!(RetryPolicy::once().waits().is_empty());
        assert_eq!(RetryPolicy::scaled(0.001).waits()[0], Duration::from_millis(15));
    }

    #[test]
    fn reply_bodies_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("abc", 2), "ab");
        assert_eq!(truncate("é", 1), "");
        assert_eq!(truncate("ab", 10), "ab");
    }
}
