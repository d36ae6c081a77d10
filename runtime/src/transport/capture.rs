//! [`RequestCapture`]: a client that never touches the network (dry runs, tests), after
//! smithy-rs's `capture_request` test connector.
//!
//! A client built with `ClientBuilder::capture_requests` builds, signs and encodes each request
//! exactly as it would send it, hands it to the capture instead of the network, and gets the
//! capture's canned answer back; that answer then goes through the client's usual response path
//! (status handling, the provider's error body reading, signature verification, decoding), so a
//! dry run fails where the real call would, and a canned 2xx without a valid WeChat Pay signature
//! is a [`Signature`](crate::ErrorKind::Signature) error, never data.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt as _;
use url::Url;

use super::provider;
use crate::Error;

/// Records every request a client would send and answers each with the same canned response.
///
/// Cheap to clone: clones share the log, so keep one clone to read [`RequestCapture::requests`]
/// after handing another to `ClientBuilder::capture_requests`. `Send + Sync`.
///
/// Every request is recorded: retries (a canned 5xx or 429 to a `GET` is retried as the
/// [`RetryPolicy`](super::RetryPolicy) says, each attempt recorded and answered), and, in WeChat
/// Pay certificate mode, the certificate download before the first call. `Debug` shows the
/// canned status, header names, body length and how many requests were recorded.
///
/// ```no_run
/// use sdk_runtime::transport::RequestCapture;
/// use sdk_runtime::wonder::{Client, Operation};
/// use sdk_runtime::{ErrorKind, Method};
/// # async fn demo(app_id: &str, key_pem: &str) -> Result<(), sdk_runtime::Error> {
/// let capture = RequestCapture::new(
///     http::StatusCode::OK,
///     http::HeaderMap::new(),
///     r#"{"code":"E000001","message":"dry run","data":null}"#,
/// );
/// let client = Client::builder()
///     .app_id(app_id)
///     .private_key_pem(key_pem)?
///     .capture_requests(capture.clone())
///     .build()?;
/// let op = Operation::new(Method::POST, "/svc/payment/api/v1/openapi/echo")
///     .json(&serde_json::json!({"message": "hi"}))?;
/// let err = client.json::<serde_json::Value>(op).await.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Api); // the canned envelope's `code`
/// let sent = capture.requests();
/// assert_eq!(sent[0].path_and_query(), "/svc/payment/api/v1/openapi/echo");
/// assert_eq!(&sent[0].body[..], br#"{"message":"hi"}"#);
/// assert!(sent[0].header("Signature").is_some());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RequestCapture {
    inner: Arc<Inner>,
}

struct Inner {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    requests: Mutex<Vec<CapturedRequest>>,
}

impl RequestCapture {
    /// Records requests and answers each with `status`, `headers` and `body` (the raw body
    /// bytes, e.g. a JSON error object or an APIv2 XML document).
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            inner: Arc::new(Inner {
                status,
                headers,
                body: body.into(),
                requests: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The requests recorded so far, oldest first (each attempt of a retried call is one).
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.log().clone()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Vec<CapturedRequest>> {
        // A panic while pushing cannot leave the log half-written: its content stays usable.
        self.inner.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `request` (its body read whole, as the network would have received it) and
    /// returns the canned answer as a response of the HTTP client.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the request body cannot be read (nothing recorded).
    pub(crate) async fn answer(&self, mut request: reqwest::Request) -> Result<reqwest::Response, Error> {
        let body = match request.body_mut().take() {
            None => Bytes::new(),
            Some(body) => body
                .collect()
                .await
                .map_err(|e| Error::build_with("cannot read the captured request body", e))?
                .to_bytes(),
        };
        self.log().push(CapturedRequest {
            method: request.method().clone(),
            url: request.url().clone(),
            headers: request.headers().clone(),
            body,
        });
        let mut response = http::Response::new(self.inner.body.clone());
        *response.status_mut() = self.inner.status;
        *response.headers_mut() = self.inner.headers.clone();
        Ok(reqwest::Response::from(response))
    }
}

impl fmt::Debug for RequestCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestCapture")
            .field("status", &self.inner.status)
            .field("headers", &self.inner.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.inner.body.len())
            .field("requests", &self.log().len())
            .finish()
    }
}

/// One request as the client would have sent it: after signing, with its final headers and the
/// exact body bytes.
///
/// `Debug` shows the method, the URL, the header names and the body length: never a header value
/// (`Authorization`, Wonder's `Signature`) nor the body.
#[derive(Clone)]
pub struct CapturedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL as it would be sent: the host the client chose (its base URL, the backup
    /// host on a retry after a connection failure, or the operation's own host), then the path
    /// and query exactly as signed.
    pub url: Url,
    /// The headers as the client set them, signature headers included (`Authorization`, Wonder's
    /// `Credential`, `Nonce`, `Signature`), and `Content-Type` (with the boundary of a multipart
    /// body). The connection adds `Host` (and `Content-Length` when not set here) on the wire.
    pub headers: HeaderMap,
    /// The exact body bytes: the JSON or XML body, or the whole `multipart/form-data` body of a
    /// media upload (boundaries and part headers included); empty when there is none.
    pub body: Bytes,
}

impl CapturedRequest {
    /// The path and, if any, `?` and query of [`CapturedRequest::url`], exactly as sent (no
    /// scheme, host or fragment): what WeChat Pay APIv3 and Wonder sign, e.g.
    /// `/v3/refund/domestic/refunds?limit=10` (the same slice the signer signed).
    pub fn path_and_query(&self) -> &str {
        provider::path_and_query(&self.url)
    }

    /// The value of header `name` (any case), if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Debug for CapturedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapturedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(url: &str) -> CapturedRequest {
        CapturedRequest {
            method: Method::GET,
            url: Url::parse(url).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    #[test]
    fn path_and_query_is_the_request_target() {
        assert_eq!(
            at("https://h.example/v3/a%2Fb?x=1+2").path_and_query(),
            "/v3/a%2Fb?x=1+2"
        );
        assert_eq!(at("http://127.0.0.1:8080/p/v3/x").path_and_query(), "/p/v3/x");
        assert_eq!(at("https://h.example/v3/x#frag").path_and_query(), "/v3/x");
        assert_eq!(at("https://h.example").path_and_query(), "/");
        assert_eq!(at("https://h.example?a=1").path_and_query(), "/?a=1");
    }

    #[tokio::test]
    async fn answer_records_and_replays_the_canned_response() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", "R-1".parse().unwrap());
        let capture = RequestCapture::new(StatusCode::ACCEPTED, headers, "canned");
        let request = reqwest::Client::new()
            .post("https://h.example/v3/x?a=1")
            .header("authorization", "secret-signature")
            .body("payload")
            .build()
            .unwrap();
        let mut response = capture.answer(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        assert_eq!(response.headers()["request-id"], "R-1");
        assert_eq!(response.chunk().await.unwrap().unwrap(), "canned");

        let recorded = capture.clone().requests();
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].method, Method::POST);
        assert_eq!(recorded[0].url.as_str(), "https://h.example/v3/x?a=1");
        assert_eq!(recorded[0].header("Authorization"), Some("secret-signature"));
        assert_eq!(&recorded[0].body[..], b"payload");
        let debug = format!("{:?} {capture:?}", recorded[0]);
        assert!(
            !debug.contains("secret-signature") && !debug.contains("payload"),
            "{debug}"
        );
        assert!(
            debug.contains("body_len: 7") && debug.contains("requests: 1"),
            "{debug}"
        );
    }
}
