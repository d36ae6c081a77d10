//! [`Operation`]: one request as described by generated code, before signing.

use std::fmt;

use aws_lc_rs::digest::{SHA256, digest};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::Error;

/// Bytes kept as is in a path segment: RFC 3986 `pchar` = unreserved / sub-delims / `:` / `@`.
/// Everything else (including `/ ? # % [ ] space`, controls and non-ASCII) is percent-encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Percent-encodes `value` as one RFC 3986 path segment, e.g. `a/b c` → `a%2Fb%20c`.
pub fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// The checked header `name: value` of a request a generated function describes.
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if `name` is not a valid header name or
/// `value` not a valid header value. The value is not echoed.
pub(crate) fn header_pair(name: &'static str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|e| Error::build_with(format!("invalid header name `{name}`"), e))?;
    let header_value = HeaderValue::from_str(value)
        .map_err(|e| Error::build_with(format!("invalid value for header `{name}`"), e))?;
    Ok((header_name, header_value))
}

/// A file for a multipart media upload endpoint (e.g. `/v3/merchant/media/upload`).
///
/// `Debug` shows the file name and the content length, never the content.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaUpload {
    /// File name with extension, e.g. `photo.jpg`; sent in the `meta` JSON and the `file` part.
    pub filename: String,
    /// The file bytes.
    pub content: Bytes,
}

impl MediaUpload {
    /// A file named `filename` with `content`.
    pub fn new(filename: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self {
            filename: filename.into(),
            content: content.into(),
        }
    }
}

impl fmt::Debug for MediaUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaUpload")
            .field("filename", &self.filename)
            .field("content_len", &self.content.len())
            .finish()
    }
}

/// The request body of an [`Operation`].
#[derive(Clone)]
pub(crate) enum Body {
    /// No body (GET, or a POST without one). Signed as empty.
    Empty,
    /// `application/json`; these exact bytes are signed and sent.
    Json(Bytes),
    /// `text/xml; charset=utf-8`: a WeChat Pay APIv2 document, already signed (its `sign` field).
    Xml(Bytes),
    /// `multipart/form-data` with part `meta` (these bytes, signed) and part `file`.
    Multipart {
        meta: Bytes,
        filename: String,
        content: Bytes,
    },
}

/// One request, described by generated code: method, path template, path parameters, query,
/// extra headers and body. Built by value; a provider's client (e.g. [`wechatpay::Client`](crate::wechatpay::Client)) signs and sends it.
///
/// Builder steps that cannot return an error (`path_param`) record the first problem and the
/// client reports it as [`ErrorKind::Build`](crate::ErrorKind::Build) without sending anything.
#[derive(Clone)]
pub struct Operation {
    method: Method,
    path_template: &'static str,
    path: String,
    base_url: Option<&'static str>,
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Body,
    /// Headers sent whatever else sets them (see [`Operation::pin_header`]).
    pinned_headers: Vec<(HeaderName, HeaderValue)>,
    /// Sent with the client's TLS client certificate (WeChat Pay APIv2 mutual TLS).
    mutual_tls: bool,
    error: Option<String>,
}

impl Operation {
    /// A request `method` to `path_template`, e.g.
    /// `"/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop"`; each
    /// `{name}` must be filled with [`Operation::path_param`].
    pub fn new(method: Method, path_template: &'static str) -> Self {
        Self {
            method,
            path_template,
            path: path_template.to_owned(),
            base_url: None,
            query: String::new(),
            headers: Vec::new(),
            body: Body::Empty,
            pinned_headers: Vec::new(),
            mutual_tls: false,
            error: None,
        }
    }

    /// Overrides the client's base URL for this operation, e.g. `"https://pay.wechatpay.cn/"`
    /// (a trailing `/` is fine).
    pub fn base_url(mut self, base: &'static str) -> Self {
        self.base_url = Some(base);
        self
    }

    /// Replaces `{name}` in the path with `value` percent-encoded as one path segment
    /// (see [`encode_path_segment`]). An empty, `.` or `..` value, or a `{name}` absent from
    /// the template, is a build error reported when the operation is executed.
    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        let placeholder = format!("{{{name}}}");
        if matches!(value, "" | "." | "..") {
            self.fail(format!(
                "path parameter `{name}` must not be empty, `.` or `..` (got `{value}`)"
            ));
        } else if !self.path.contains(&placeholder) {
            self.fail(format!(
                "path template `{}` has no parameter `{name}`",
                self.path_template
            ));
        } else {
            self.path = self.path.replace(&placeholder, &encode_path_segment(value));
        }
        self
    }

    /// Appends `query` serialized with `serde_urlencoded` (a struct or a map of scalars;
    /// `None` fields are skipped). An empty result adds nothing, so no `?` is sent.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if `query` cannot be URL-encoded
    /// (e.g. nested structs or sequences).
    pub fn query<Q: serde::Serialize + ?Sized>(self, query: &Q) -> Result<Self, Error> {
        let encoded = serde_urlencoded::to_string(query);
        self.push_query(encoded)
    }

    /// Appends an already URL-encoded query (without `?`), sent and signed exactly as given, e.g.
    /// the query of a `download_url` WeChat Pay returned.
    pub fn raw_query(mut self, encoded: &str) -> Self {
        if !encoded.is_empty() {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(encoded);
        }
        self
    }

    pub(crate) fn push_query(
        mut self,
        encoded: Result<String, serde_urlencoded::ser::Error>,
    ) -> Result<Self, Error> {
        let encoded = encoded.map_err(|e| Error::build_with("cannot URL-encode the query", e))?;
        if !encoded.is_empty() {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(&encoded);
        }
        Ok(self)
    }

    /// Adds a request header, e.g. `("Idempotency-Key", "…")` or `("Wechatpay-Serial", "…")`;
    /// it replaces a default header of the same name (`Authorization` is always the client's).
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if `name` is not a valid header name or
    /// `value` not a valid header value (e.g. contains a newline). The value is not echoed.
    pub fn header(mut self, name: &'static str, value: &str) -> Result<Self, Error> {
        self.headers.push(header_pair(name, value)?);
        Ok(self)
    }

    /// Adds a request header when `value` is `Some` (an optional header the docs declare);
    /// `None` leaves the request as it is.
    ///
    /// # Errors
    /// As [`Operation::header`].
    pub fn header_opt(self, name: &'static str, value: Option<&str>) -> Result<Self, Error> {
        match value {
            Some(value) => self.header(name, value),
            None => Ok(self),
        }
    }

    /// Sets a JSON body: `body` is serialized once with `serde_json`, and those exact bytes are
    /// signed and sent with `Content-Type: application/json`.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if serialization fails.
    pub fn json<B: serde::Serialize + ?Sized>(self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body);
        self.set_json(bytes)
    }

    pub(crate) fn set_json(mut self, bytes: Result<Vec<u8>, serde_json::Error>) -> Result<Self, Error> {
        let bytes = bytes.map_err(|e| Error::build_with("cannot serialize the JSON body", e))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a media upload body: the `meta` JSON `{"filename":"…","sha256":"<lowercase hex of
    /// content>"}` is signed and sent byte-identical as part `meta` (`application/json`); the
    /// file goes in part `file`.
    pub fn multipart(mut self, upload: &MediaUpload) -> Self {
        #[derive(serde::Serialize)]
        struct Meta<'a> {
            filename: &'a str,
            sha256: &'a str,
        }
        let sha256 = hex::encode(digest(&SHA256, &upload.content));
        match serde_json::to_vec(&Meta {
            filename: &upload.filename,
            sha256: &sha256,
        }) {
            Ok(meta) => {
                self.body = Body::Multipart {
                    meta: Bytes::from(meta),
                    filename: upload.filename.clone(),
                    content: upload.content.clone(),
                };
            }
            Err(e) => self.fail(format!("cannot serialize the media meta JSON: {e}")),
        }
        self
    }

    pub(crate) fn fail(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template as given to [`Operation::new`] (used for logging and to recognize
    /// unsigned download endpoints).
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The path with the parameters filled in so far (percent-encoded).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The URL-encoded query (without `?`), empty when there is none.
    pub fn query_string(&self) -> &str {
        &self.query
    }

    /// The bytes that are signed as BODY: the JSON body, the `meta` JSON of an upload, or empty
    /// (an APIv2 XML body, signed inside, is given as is).
    pub fn signed_body(&self) -> &[u8] {
        match &self.body {
            Body::Empty => b"",
            Body::Json(bytes) | Body::Xml(bytes) | Body::Multipart { meta: bytes, .. } => bytes,
        }
    }

    /// The full request URL: the operation's base URL (if set) or `default_base_url`, with a
    /// trailing `/` trimmed, then the path and the query. Sign and send this same URL.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if a builder step failed, a `{param}` is
    /// left unfilled, or the result is not a valid absolute URL.
    pub fn url(&self, default_base_url: &str) -> Result<Url, Error> {
        self.url_on(self.base_url.unwrap_or(default_base_url))
    }

    /// The operation's own base URL ([`Operation::base_url`]), if it overrides the client's.
    pub fn base_url_override(&self) -> Option<&'static str> {
        self.base_url
    }

    /// Like [`Operation::url`], but on `base` whatever the operation's own base URL is.
    ///
    /// # Errors
    /// As [`Operation::url`].
    pub fn url_on(&self, base: &str) -> Result<Url, Error> {
        if let Some(message) = &self.error {
            return Err(Error::build(message.clone()));
        }
        if let Some(start) = self.path.find('{') {
            let rest = &self.path[start..];
            let param = rest.find('}').map_or(rest, |end| &rest[..=end]);
            return Err(Error::build(format!(
                "path parameter `{param}` of `{}` was not set",
                self.path_template
            )));
        }
        let base = base.trim_end_matches('/');
        let mut url = Url::parse(&format!("{base}{}", self.path))
            .map_err(|e| Error::build_with(format!("invalid request URL for base `{base}`"), e))?;
        if !self.query.is_empty() {
            url.set_query(Some(&self.query));
        }
        Ok(url)
    }

    pub(crate) fn extra_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// Sends `name: value` whatever other header of that name the operation or the signer sets
    /// (WeChat Pay's `Wechatpay-Serial` naming the key that encrypted the body).
    pub(crate) fn pin_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.pinned_headers.retain(|(n, _)| *n != name);
        self.pinned_headers.push((name, value));
        self
    }

    /// The value pinned for `name` by [`Operation::pin_header`].
    pub(crate) fn pinned_header(&self, name: &str) -> Option<&HeaderValue> {
        self.pinned_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    pub(crate) fn pinned_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.pinned_headers
    }

    pub(crate) fn body(&self) -> &Body {
        &self.body
    }

    /// Sets an XML body (an APIv2 document, signed in its `sign` field), sent as is.
    pub(crate) fn xml_body(mut self, bytes: Bytes) -> Self {
        self.body = Body::Xml(bytes);
        self
    }

    /// Adds a header already checked by its caller (an APIv2 operation's).
    pub(crate) fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sends this operation with the client's TLS client certificate (mutual TLS).
    pub(crate) fn with_mutual_tls(mut self, mutual_tls: bool) -> Self {
        self.mutual_tls = mutual_tls;
        self
    }

    /// Whether this operation needs the client's TLS client certificate.
    pub(crate) fn needs_mutual_tls(&self) -> bool {
        self.mutual_tls
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            Body::Empty => "empty".to_owned(),
            Body::Json(b) => format!("json, {} bytes", b.len()),
            Body::Xml(b) => format!("xml, {} bytes", b.len()),
            Body::Multipart { content, .. } => format!("multipart, {} bytes", content.len()),
        };
        f.debug_struct("Operation")
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("path", &self.path)
            .field("base_url", &self.base_url)
            .field("query", &self.query)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body", &body)
            .field("pinned_headers", &self.pinned_headers)
            .field("mutual_tls", &self.mutual_tls)
            .field("error", &self.error)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_set() {
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_path_segment("?#%[]"), "%3F%23%25%5B%5D");
        assert_eq!(encode_path_segment("中"), "%E4%B8%AD");
        assert_eq!(
            encode_path_segment("A-z_0.9~!$&'()*+,;=:@"),
            "A-z_0.9~!$&'()*+,;=:@"
        );
        assert_eq!(
            encode_path_segment("{x}|\"<>`^\\"),
            "%7Bx%7D%7C%22%3C%3E%60%5E%5C"
        );
    }
}
