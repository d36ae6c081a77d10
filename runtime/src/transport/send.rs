//! The reqwest transport: per attempt, build the URL, sign it, send it and read the response;
//! across attempts, the [`RetryPolicy`](super::RetryPolicy) and the backup host; at the end,
//! signature verification (with one lazy certificate refresh on an unknown serial).

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use time::OffsetDateTime;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::client::ClientInner;
use super::refresh;
use super::sign::{canonical_url, generate_nonce};
use crate::transport::operation::{Body, Operation};
use crate::transport::response::{Download, Response, request_id};
use crate::transport::retry::{self, is_retryable_status, is_retryable_transport};
use crate::{Error, SignatureErrorKind};

/// How the 2xx response of an operation is checked and handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Read the whole body and verify its signature.
    Verified,
    /// An unsigned download endpoint: no verification, the body is streamed to the caller.
    UnsignedStream,
    /// `GET /v3/certificates`: read the whole body, verified by the caller with the certificates
    /// it carries; no scheduled refresh before it.
    CertificateDownload,
}

/// What a successful exchange produced.
pub(crate) enum Reply {
    Whole(Response),
    Stream(Box<Download>),
}

pub(crate) fn now_unix_seconds() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Sends `op` inside a `wechatpay.request` span with `method`, `path` (the template, never the
/// filled path: path parameters can be personal data), `status`, `request_id`, `attempts` and
/// `latency_ms`. No headers, no bodies.
pub(crate) async fn send(client: &ClientInner, op: Operation, mode: Mode) -> Result<Reply, Error> {
    let span = tracing::info_span!(
        "wechatpay.request",
        method = %op.method(),
        path = op.path_template(),
        status = Empty,
        request_id = Empty,
        attempts = Empty,
        latency_ms = Empty,
    );
    async move {
        let started = Instant::now();
        let result = send_with_retries(client, &op, mode).await;
        let span = tracing::Span::current();
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(_) => tracing::debug!("WeChat Pay request succeeded"),
            Err(e) => tracing::debug!(kind = ?e.kind(), "WeChat Pay request failed"),
        }
        result
    }
    .instrument(span)
    .await
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

async fn send_with_retries(client: &ClientInner, op: &Operation, mode: Mode) -> Result<Reply, Error> {
    if mode != Mode::CertificateDownload {
        refresh::before_request(client).await?;
    }
    let policy = client.retry;
    let mut use_backup = false;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        tracing::Span::current().record("attempts", attempt);
        let failure = match attempt_once(client, op, mode, use_backup).await {
            Ok(reply) => return finish(client, op, mode, reply).await,
            Err(failure) => failure,
        };
        match failure {
            Failure::Final(error) => return Err(error),
            Failure::Retryable { error, .. } if attempt > policy.retries() => return Err(error),
            Failure::Retryable { error, connect, wait } => {
                if connect && client.backup_base_url.is_some() && op.base_url_override().is_none() {
                    use_backup = true;
                }
                let delay = wait.unwrap_or_else(|| policy.delay(attempt, retry::jitter_unit()));
                tracing::warn!(
                    attempt,
                    kind = ?error.kind(),
                    status = error.status().map(|s| s.as_u16()),
                    delay_ms = delay.as_millis() as u64,
                    backup_host = use_backup,
                    "retrying WeChat Pay request"
                );
                tokio::time::sleep(delay).await;
            }
        }
    }
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

async fn attempt_once(
    client: &ClientInner,
    op: &Operation,
    mode: Mode,
    use_backup: bool,
) -> Result<Raw, Failure> {
    let method = op.method().clone();
    let request = build_request(client, op, mode, use_backup).map_err(Failure::Final)?;
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
    let response = request.send().await.map_err(transport_failure)?;
    let status = response.status();
    let span = tracing::Span::current();
    span.record("status", status.as_u16());
    let request_id = request_id(response.headers());
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    if status.is_success() && mode == Mode::UnsignedStream {
        return Ok(Raw::Stream(Box::new(response)));
    }
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(transport_failure)?;
    if status.is_success() {
        return Ok(Raw::Whole {
            status,
            headers,
            body,
        });
    }
    let error = Error::api(status, request_id, body);
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

fn build_request(
    client: &ClientInner,
    op: &Operation,
    mode: Mode,
    use_backup: bool,
) -> Result<reqwest::RequestBuilder, Error> {
    // The URL is built once per attempt: its path and query are what is signed and what is sent.
    let base = match op.base_url_override() {
        Some(documented) => client.alternate_base_url(documented).unwrap_or(documented),
        None if use_backup => client.backup_base_url.as_deref().unwrap_or(&client.base_url),
        None => &client.base_url,
    };
    let url = op.url_on(base)?;
    let method = op.method().clone();
    let authorization = client.signer.authorization(
        method.as_str(),
        canonical_url(&url),
        now_unix_seconds(),
        &generate_nonce()?,
        op.signed_body(),
    )?;
    let mut authorization = HeaderValue::try_from(authorization).map_err(|e| {
        Error::build_with(
            "the Authorization header is not a valid header value (check mchid and serial number)",
            e,
        )
    })?;
    authorization.set_sensitive(true);

    let mut headers = HeaderMap::with_capacity(6 + op.extra_headers().len());
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, client.user_agent.clone());
    if let Some(serial) = client.default_wechatpay_serial() {
        headers.insert(HeaderName::from_static("wechatpay-serial"), serial);
    }
    if matches!(op.body(), Body::Json(_)) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    for (name, value) in op.extra_headers() {
        headers.insert(name.clone(), value.clone());
    }
    for (name, value) in op.pinned_headers() {
        headers.insert(name.clone(), value.clone());
    }
    headers.insert(AUTHORIZATION, authorization);

    let mut request = client.http.request(method, url).headers(headers);
    if mode != Mode::UnsignedStream {
        // A streamed download is bounded per read (the client's read timeout), not in total.
        request = request.timeout(client.timeout);
    }
    Ok(match op.body() {
        Body::Empty => request,
        Body::Json(bytes) => request.body(bytes.clone()),
        Body::Multipart {
            meta,
            filename,
            content,
        } => request.multipart(multipart_form(meta, filename, content)?),
    })
}

/// Verifies a whole 2xx response (refreshing certificates once on an unknown serial).
async fn finish(client: &ClientInner, op: &Operation, mode: Mode, raw: Raw) -> Result<Reply, Error> {
    let (status, headers, body) = match raw {
        Raw::Stream(response) => return Ok(Reply::Stream(Box::new(Download::streaming(*response)))),
        Raw::Whole {
            status,
            headers,
            body,
        } => (status, headers, body),
    };
    if mode == Mode::Verified {
        let mut verified = client.verifier.verify(&headers, &body, now_unix_seconds());
        if let Err(e) = &verified
            && e.kind() == SignatureErrorKind::UnknownSerial
            && refresh::on_unknown_serial(client).await
        {
            verified = client.verifier.verify(&headers, &body, now_unix_seconds());
        }
        if let Err(e) = verified {
            tracing::warn!(reason = ?e.kind(), path = op.path_template(), "WeChat Pay response signature rejected");
            return Err(Error::signature(e, Some(status), request_id(&headers)));
        }
    }
    Ok(Reply::Whole(Response::new(status, headers, body)))
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
