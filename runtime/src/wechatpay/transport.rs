//! The reqwest transport: build the URL once, sign it, send it, read and verify the response.

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};
use time::OffsetDateTime;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::client::ClientInner;
use super::operation::{Body, Operation};
use super::response::{Response, request_id};
use super::sign::{canonical_url, generate_nonce};
use crate::Error;

/// Whether a 2xx response must carry a valid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verification {
    Required,
    /// Only for the unsigned download endpoints.
    Skip,
}

fn now_unix_seconds() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Signs, sends and checks `op` inside a `wechatpay.request` span.
pub(crate) async fn send(
    client: &ClientInner,
    op: Operation,
    verification: Verification,
) -> Result<Response, Error> {
    let span = tracing::info_span!(
        "wechatpay.request",
        method = %op.method(),
        path = op.path_template(),
        status = Empty,
        request_id = Empty,
    );
    send_in_span(client, op, verification).instrument(span).await
}

async fn send_in_span(
    client: &ClientInner,
    op: Operation,
    verification: Verification,
) -> Result<Response, Error> {
    // The URL is built once: its path and query are what is signed and what goes on the wire.
    let url = op.url(&client.base_url)?;
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
    headers.insert(
        HeaderName::from_static("wechatpay-serial"),
        client.wechatpay_serial.clone(),
    );
    if matches!(op.body(), Body::Json(_)) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    for (name, value) in op.extra_headers() {
        headers.insert(name.clone(), value.clone());
    }
    if let Some(serial) = op.encryption_header() {
        headers.insert(HeaderName::from_static("wechatpay-serial"), serial.clone());
    }
    headers.insert(AUTHORIZATION, authorization);

    let request = client.http.request(method, url).headers(headers);
    let request = match op.body() {
        Body::Empty => request,
        Body::Json(bytes) => request.body(bytes.clone()),
        Body::Multipart {
            meta,
            filename,
            content,
        } => request.multipart(multipart_form(meta, filename, content)?),
    };
    let response = request.send().await.map_err(Error::transport)?;

    let status = response.status();
    let headers = response.headers().clone();
    let request_id = request_id(&headers);
    let span = tracing::Span::current();
    span.record("status", status.as_u16());
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    let body = response.bytes().await.map_err(Error::transport)?;

    if !status.is_success() {
        tracing::debug!("WeChat Pay API error response");
        return Err(Error::api(status, request_id, body));
    }
    let verified = match verification {
        Verification::Required => client.verifier.verify(&headers, &body, now_unix_seconds()),
        Verification::Skip => Ok(()),
    };
    if let Err(e) = verified {
        tracing::warn!(reason = ?e.kind(), "WeChat Pay response signature rejected");
        return Err(Error::signature(e, Some(status), request_id));
    }
    tracing::debug!(verified = ?verification, "WeChat Pay response accepted");
    Ok(Response::new(status, headers, body))
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
