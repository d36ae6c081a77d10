//! The [`Transport`]: per attempt, build the URL, have the provider sign it, send it and read
//! the response; across attempts, the [`RetryPolicy`] and the backup host; at the end, the
//! provider's verification. One for every provider.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue, StatusCode};
use tracing::Instrument as _;

use super::body::{self, Limits, ReadError};
use super::capture::RequestCapture;
use super::download::Download;
use super::operation::{Body, Operation};
use super::provider::{Expect, Provider, SignableRequest};
use super::response::Response;
use super::retry::{self, RetryPolicy, is_retryable_status, is_retryable_transport};
use crate::Error;

/// The HTTP side of a client, the same for every provider: the reqwest client, hosts, user
/// agent, the per-attempt timeout, the retry policy and the body size limits.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    /// The same client with the merchant's TLS client certificate (APIv2 mutual TLS), when one
    /// was configured; operations marked for mutual TLS go through it.
    pub(crate) mutual_tls_http: Option<reqwest::Client>,
    pub(crate) base_url: String,
    pub(crate) backup_base_url: Option<String>,
    /// (documented base URL, replacement), both without a trailing `/`.
    pub(crate) alternate_base_urls: Vec<(String, String)>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
    /// Stands in for the network when set: requests are recorded and answered by it.
    pub(crate) capture: Option<RequestCapture>,
}

/// What a successful exchange produced.
pub(crate) enum Reply {
    Whole(Response),
    Stream(Box<Download>),
}

/// A failed attempt: whether it may be retried, and after how long at least.
enum Failure {
    Retryable {
        error: Error,
        connect: bool,
        wait: Option<Duration>,
    },
    Final(Error),
}

/// A response whose status and headers arrived: its body either read whole or left to stream.
enum Raw {
    Whole {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    Stream(Box<reqwest::Response>),
}

impl Transport {
    /// Where an operation documented on another host (e.g. `https://pay.wechatpay.cn/`) goes.
    pub(crate) fn alternate_base_url(&self, documented: &str) -> Option<&str> {
        let documented = documented.trim_end_matches('/');
        self.alternate_base_urls
            .iter()
            .find(|(from, _)| from == documented)
            .map(|(_, to)| to.as_str())
    }

    /// Sends `op` for `provider` inside the provider's span ([`Provider::span`]), recording
    /// `status`, `request_id`, `attempts` and `latency_ms`.
    pub(crate) async fn send<P: Provider>(
        &self,
        provider: &P,
        op: Operation,
        expect: Expect,
    ) -> Result<Reply, Error> {
        let span = provider.span(&op);
        async move {
            let started = Instant::now();
            let result = (self.send_with_retries(provider, &op, expect).await)
                .map_err(|e| e.calling(op.method(), op.path_template()));
            let span = tracing::Span::current();
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok(_) => tracing::debug!("{} request succeeded", P::LABEL),
                Err(e) => tracing::debug!(kind = ?e.kind(), "{} request failed", P::LABEL),
            }
            result
        }
        .instrument(span)
        .await
    }

    /// [`Transport::send`] expecting a verified response, read whole.
    pub(crate) async fn execute<P: Provider>(&self, provider: &P, op: Operation) -> Result<Response, Error> {
        match self.send(provider, op, Expect::Verified).await? {
            Reply::Whole(response) => Ok(response),
            Reply::Stream(_) => unreachable!("verified responses are read whole"),
        }
    }

    async fn send_with_retries<P: Provider>(
        &self,
        provider: &P,
        op: &Operation,
        expect: Expect,
    ) -> Result<Reply, Error> {
        provider.prepare(self, expect).await?;
        let policy = self.retry;
        let mut use_backup = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempts", attempt);
            let failure = match self.attempt_once(provider, op, expect, use_backup).await {
                Ok(raw) => return self.finish(provider, op, expect, raw).await,
                Err(failure) => failure,
            };
            match failure {
                Failure::Final(error) => return Err(error),
                Failure::Retryable { error, .. } if attempt > policy.retries() => return Err(error),
                Failure::Retryable { error, connect, wait } => {
                    if connect && self.backup_base_url.is_some() && op.base_url_override().is_none() {
                        use_backup = true;
                    }
                    let delay = wait.unwrap_or_else(|| policy.delay(attempt, retry::jitter_unit()));
                    tracing::warn!(
                        attempt,
                        kind = ?error.kind(),
                        status = error.status().map(|s| s.as_u16()),
                        delay_ms = delay.as_millis() as u64,
                        backup_host = use_backup,
                        "retrying {} request",
                        P::LABEL
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt_once<P: Provider>(
        &self,
        provider: &P,
        op: &Operation,
        expect: Expect,
        use_backup: bool,
    ) -> Result<Raw, Failure> {
        let method = op.method().clone();
        let request = self
            .build_request(provider, op, expect, use_backup)
            .map_err(Failure::Final)?;
        let transport_failure = |e: reqwest::Error| {
            if is_retryable_transport(&e, &method) {
                Failure::Retryable {
                    connect: e.is_connect(),
                    error: Error::transport(e),
                    wait: None,
                }
            } else {
                Failure::Final(Error::transport(e))
            }
        };
        let response = match &self.capture {
            None => request.send().await.map_err(transport_failure)?,
            Some(capture) => {
                let request = request
                    .build()
                    .map_err(|e| Failure::Final(Error::build_with("cannot build the request", e)))?;
                capture.answer(request).await.map_err(Failure::Final)?
            }
        };
        let status = response.status();
        let span = tracing::Span::current();
        span.record("status", status.as_u16());
        let request_id = provider.request_id(response.headers());
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        if status.is_success() && expect == Expect::Stream {
            return Ok(Raw::Stream(Box::new(response)));
        }
        let headers = response.headers().clone();
        if status.is_success() {
            let limit = self.limits.max_response_bytes;
            let body = match body::read_whole(response, limit).await {
                Ok(body) => body,
                Err(ReadError::Transport(e)) => return Err(transport_failure(e)),
                Err(ReadError::TooLarge) => {
                    tracing::warn!(limit, "{} response body exceeds max_response_bytes", P::LABEL);
                    return Err(Failure::Final(Error::too_large(
                        "the response body",
                        limit,
                        "bytes",
                        Some(status),
                        request_id,
                    )));
                }
            };
            return Ok(Raw::Whole {
                status,
                headers,
                body,
            });
        }
        // Enough of an error body for the API's code and message; the rest is never read.
        let body = body::read_prefix(response, self.limits.error_body_bytes())
            .await
            .map_err(transport_failure)?;
        let error = provider.api_error(status, request_id, body);
        if retry::is_idempotent_read(&method) && is_retryable_status(status) {
            Err(Failure::Retryable {
                error,
                connect: false,
                wait: retry::retry_after(&headers),
            })
        } else {
            Err(Failure::Final(error))
        }
    }

    fn build_request<P: Provider>(
        &self,
        provider: &P,
        op: &Operation,
        expect: Expect,
        use_backup: bool,
    ) -> Result<reqwest::RequestBuilder, Error> {
        // The URL is built once per attempt: its path and query are what is signed and what is sent.
        let base = match op.base_url_override() {
            Some(documented) => self.alternate_base_url(documented).unwrap_or(documented),
            None if use_backup => self.backup_base_url.as_deref().unwrap_or(&self.base_url),
            None => &self.base_url,
        };
        let url = op.url_on(base)?;
        let method = op.method().clone();

        let mut headers = HeaderMap::with_capacity(6 + op.extra_headers().len());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, self.user_agent.clone());
        match op.body() {
            Body::Json(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Body::Xml(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
            }
            Body::Empty | Body::Multipart { .. } => {}
        }
        for (name, value) in op.extra_headers() {
            headers.insert(name.clone(), value.clone());
        }
        for (name, value) in op.pinned_headers() {
            headers.insert(name.clone(), value.clone());
        }
        provider.sign(&mut SignableRequest {
            method: &method,
            url: &url,
            body: op.signed_body(),
            headers: &mut headers,
        })?;
        // Whatever the signer added, a pinned header is what the operation was built with.
        for (name, value) in op.pinned_headers() {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(value) = headers.get_mut(AUTHORIZATION) {
            value.set_sensitive(true);
        }

        let http = match (op.needs_mutual_tls(), &self.mutual_tls_http) {
            (false, _) => &self.http,
            (true, Some(http)) => http,
            (true, None) => {
                return Err(Error::build(format!(
                    "`{}` needs mutual TLS: configure the merchant certificate and key \
                     (ClientBuilder::merchant_certificate_pem)",
                    op.path_template()
                )));
            }
        };
        let mut request = http.request(method, url).headers(headers);
        if expect != Expect::Stream {
            // A streamed download is bounded per read (the client's read timeout) and, if set, by
            // its own total deadline (`Download::deadline`).
            request = request.timeout(self.timeout);
        }
        Ok(match op.body() {
            Body::Empty => request,
            Body::Json(bytes) | Body::Xml(bytes) => request.body(bytes.clone()),
            Body::Multipart {
                meta,
                filename,
                content,
            } => request.multipart(multipart_form(meta, filename, content)?),
        })
    }

    /// Has the provider verify a whole 2xx response.
    async fn finish<P: Provider>(
        &self,
        provider: &P,
        op: &Operation,
        expect: Expect,
        raw: Raw,
    ) -> Result<Reply, Error> {
        let response = match raw {
            Raw::Stream(response) => {
                return Ok(Reply::Stream(Box::new(Download::streaming(
                    *response,
                    self.limits,
                ))));
            }
            Raw::Whole {
                status,
                headers,
                body,
            } => Response::new(status, headers, body, self.limits),
        };
        if expect == Expect::Verified {
            provider.verify(self, op, &response).await?;
        }
        Ok(Reply::Whole(response))
    }
}

/// Part `meta` (the signed JSON, `application/json`) and part `file` (the content).
fn multipart_form(meta: &Bytes, filename: &str, content: &Bytes) -> Result<reqwest::multipart::Form, Error> {
    use reqwest::multipart::{Form, Part};
    let part =
        |bytes: &Bytes| Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64);
    let meta = part(meta)
        .mime_str("application/json")
        .map_err(|e| Error::build_with("invalid multipart meta part", e))?;
    let file = part(content)
        .file_name(filename.to_owned())
        .mime_str(media_type(filename))
        .map_err(|e| Error::build_with("invalid multipart file part", e))?;
    Ok(Form::new().part("meta", meta).part("file", file))
}

/// The media type of an uploaded file, from its extension.
fn media_type(filename: &str) -> &'static str {
    let extension = filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    match extension.as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("bmp") => "image/bmp",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("mp4") => "video/mp4",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn media_types() {
        assert_eq!(media_type("a.JPG"), "image/jpeg");
        assert_eq!(media_type("a.png"), "image/png");
        assert_eq!(media_type("noext"), "application/octet-stream");
    }
}
