//! [`Response`] (a verified 2xx response) and [`Download`] (a downloaded file).

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::Error;

/// Name of the response header WeChat Pay uses to identify a request for support.
pub const HEADER_REQUEST_ID: &str = "Request-ID";

/// The `Request-ID` header of `headers`, if present and visible ASCII.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(HEADER_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A 2xx response whose signature was verified: status, headers and the raw body bytes.
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status (200, 202 or 204 in practice).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }

    /// The raw body bytes, exactly as verified.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The raw body bytes.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// The bytes to decode as JSON: the body, or `{}` when it is empty or only whitespace
    /// (e.g. 204 No Content), so that a response struct with no required fields decodes.
    pub fn json_bytes(&self) -> &[u8] {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        }
    }

    /// A [`ErrorKind::Decode`](crate::ErrorKind::Decode) error for this response.
    pub fn decode_error(&self, source: serde_json::Error) -> Error {
        Error::decode(source, Some(self.status), self.request_id(), &self.body)
    }

    /// Decodes [`Response::json_bytes`] as `T`.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) with the serde error and the start of
    /// the body.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(self.json_bytes()).map_err(|e| self.decode_error(e))
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A downloaded file (bill, statement, image): status, headers and the body bytes.
///
/// Buffered in memory for now; a streaming variant will come later. Bills should be checked
/// against `hash_value`/`hash_type` from the bill-apply response.
pub struct Download {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Download {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (e.g. `Content-Type`, `Content-Disposition`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Type` header, if present and visible ASCII.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }

    /// The file bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The file bytes.
    pub fn into_bytes(self) -> Bytes {
        self.body
    }
}

impl From<Response> for Download {
    fn from(r: Response) -> Self {
        Self {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("len", &self.body.len())
            .finish()
    }
}
