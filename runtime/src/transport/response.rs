//! [`Response`]: a verified 2xx response, read whole (within the client's size limit).

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use super::body::Limits;
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
    /// The client's limits, for a [`Download`](super::Download) made from this response.
    limits: Limits,
}

impl Response {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes, limits: Limits) -> Self {
        Self {
            status,
            headers,
            body,
            limits,
        }
    }

    /// Status, headers, body and the client's limits.
    pub(crate) fn into_parts(self) -> (StatusCode, HeaderMap, Bytes, Limits) {
        (self.status, self.headers, self.body, self.limits)
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
        Error::decode(source, Some(self.status), self.request_id())
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
