//! [`Error`]: the one error type of the runtime, with a matchable [`ErrorKind`].

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use http::StatusCode;

mod signature;

pub use signature::{SignatureError, SignatureErrorKind};

/// How many bytes of a body are kept in a decode error and shown in messages.
const BODY_SNIPPET_LIMIT: usize = 1024;
/// How many characters of a non-JSON API error body are shown by `Display`.
const DISPLAY_SNIPPET_CHARS: usize = 200;

/// What went wrong, for matching. See [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built or the client is misconfigured: missing or invalid
    /// credentials, a key that is not valid PEM/RSA, an unserializable body or query, an invalid
    /// header value, a malformed URL. Nothing was sent.
    Build,
    /// The HTTP exchange failed: connection, TLS, timeout ([`Error::is_timeout`]), or reading the
    /// body. The request may or may not have reached WeChat Pay.
    Transport,
    /// The server answered with a non-2xx status. See [`Error::status`], [`Error::code`],
    /// [`Error::message`], [`Error::detail`], [`Error::request_id`], [`Error::body`].
    Api,
    /// A 2xx response failed signature verification; its body must not be trusted.
    Signature(SignatureErrorKind),
    /// A verified 2xx body is not the expected JSON (or a download is not valid gzip).
    /// [`Error::body`] holds the start of it.
    Decode,
    /// Encryption or decryption failed: a sensitive field too long for RSA-OAEP, a ciphertext
    /// that does not decrypt under the key (wrong key, tampered), a platform certificate that does
    /// not decrypt with the APIv3 key or whose serial does not match. Never echoes plaintext.
    Crypto,
    /// A download's content does not match the digest it was checked against (e.g. the SHA-1
    /// `hash_value` of a bill). The content must not be used.
    Integrity,
    /// Writing downloaded content to the caller's writer failed (e.g. disk full).
    Io,
}

/// The error of every runtime call: building, sending, verifying and decoding a request.
///
/// Match on [`Error::kind`]. API errors (non-2xx) carry the HTTP status, WeChat Pay's `code`,
/// `message` and raw `detail` JSON, the `Request-ID` response header, and the raw body (which may
/// not be JSON, e.g. a gateway's HTML page). Never contains private keys or `Authorization`
/// header values. `Send + Sync + 'static`.
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    repr: Repr,
    status: Option<StatusCode>,
    request_id: Option<String>,
}

#[derive(Debug)]
enum Repr {
    Build {
        message: Cow<'static, str>,
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
    Transport(reqwest::Error),
    Api(ApiBody),
    Signature(SignatureError),
    Decode {
        source: Box<dyn StdError + Send + Sync>,
        body: String,
    },
    Crypto(Cow<'static, str>),
    Integrity(Cow<'static, str>),
    Io(std::io::Error),
}

/// The parsed parts of a non-2xx body `{"code": "...", "message": "...", "detail": {...}}`.
#[derive(Debug)]
struct ApiBody {
    code: Option<String>,
    message: Option<String>,
    detail: Option<serde_json::Value>,
    raw: Bytes,
}

impl ApiBody {
    fn parse(raw: Bytes) -> Self {
        #[derive(serde::Deserialize)]
        struct Wire {
            code: Option<serde_json::Value>,
            message: Option<serde_json::Value>,
            detail: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        match serde_json::from_slice::<Wire>(&raw) {
            Ok(w) => Self {
                code: text(w.code),
                message: text(w.message),
                detail: w.detail,
                raw,
            },
            Err(_) => Self {
                code: None,
                message: None,
                detail: None,
                raw,
            },
        }
    }
}

impl Error {
    fn from_repr(repr: Repr, status: Option<StatusCode>, request_id: Option<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                repr,
                status,
                request_id,
            }),
        }
    }

    /// A [`ErrorKind::Build`] error with a message (no secrets in it, please).
    pub fn build(message: impl Into<Cow<'static, str>>) -> Self {
        Self::from_repr(
            Repr::Build {
                message: message.into(),
                source: None,
            },
            None,
            None,
        )
    }

    /// A [`ErrorKind::Build`] error with a message and an underlying cause.
    pub fn build_with(
        message: impl Into<Cow<'static, str>>,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self::from_repr(
            Repr::Build {
                message: message.into(),
                source: Some(source.into()),
            },
            None,
            None,
        )
    }

    /// A [`ErrorKind::Transport`] error from reqwest.
    pub(crate) fn transport(source: reqwest::Error) -> Self {
        let status = source.status();
        Self::from_repr(Repr::Transport(source), status, None)
    }

    /// A [`ErrorKind::Api`] error from a non-2xx response.
    pub(crate) fn api(status: StatusCode, request_id: Option<String>, body: Bytes) -> Self {
        Self::from_repr(Repr::Api(ApiBody::parse(body)), Some(status), request_id)
    }

    /// A [`ErrorKind::Signature`] error for a response.
    pub(crate) fn signature(
        source: SignatureError,
        status: Option<StatusCode>,
        request_id: Option<String>,
    ) -> Self {
        Self::from_repr(Repr::Signature(source), status, request_id)
    }

    /// A [`ErrorKind::Decode`] error; keeps at most 1 KiB of `body` (lossy UTF-8).
    pub(crate) fn decode(
        source: impl Into<Box<dyn StdError + Send + Sync>>,
        status: Option<StatusCode>,
        request_id: Option<String>,
        body: &[u8],
    ) -> Self {
        let body = snippet(body, BODY_SNIPPET_LIMIT);
        let source = source.into();
        Self::from_repr(Repr::Decode { source, body }, status, request_id)
    }

    /// A [`ErrorKind::Crypto`] error with a message (never plaintext or key material).
    pub fn crypto(message: impl Into<Cow<'static, str>>) -> Self {
        Self::from_repr(Repr::Crypto(message.into()), None, None)
    }

    /// A [`ErrorKind::Io`] error.
    pub(crate) fn io(source: std::io::Error) -> Self {
        Self::from_repr(Repr::Io(source), None, None)
    }

    /// A [`ErrorKind::Integrity`] error with a message.
    pub(crate) fn integrity(message: impl Into<Cow<'static, str>>, request_id: Option<String>) -> Self {
        Self::from_repr(Repr::Integrity(message.into()), None, request_id)
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match &self.inner.repr {
            Repr::Build { .. } => ErrorKind::Build,
            Repr::Transport(_) => ErrorKind::Transport,
            Repr::Api(_) => ErrorKind::Api,
            Repr::Signature(e) => ErrorKind::Signature(e.kind()),
            Repr::Decode { .. } => ErrorKind::Decode,
            Repr::Crypto(_) => ErrorKind::Crypto,
            Repr::Integrity(_) => ErrorKind::Integrity,
            Repr::Io(_) => ErrorKind::Io,
        }
    }

    /// The HTTP status of the response, when there was one (API, signature and decode errors).
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// WeChat Pay's error `code` (e.g. `PARAM_ERROR`, `SIGN_ERROR`) of an API error.
    pub fn code(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Api(a) => a.code.as_deref(),
            _ => None,
        }
    }

    /// WeChat Pay's error `message` of an API error.
    pub fn message(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Api(a) => a.message.as_deref(),
            _ => None,
        }
    }

    /// WeChat Pay's error `detail` of an API error, as raw JSON (its shape varies by endpoint).
    pub fn detail(&self) -> Option<&serde_json::Value> {
        match &self.inner.repr {
            Repr::Api(a) => a.detail.as_ref(),
            _ => None,
        }
    }

    /// The `Request-ID` response header: quote it to WeChat Pay support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The response body: the full raw body of an API error (JSON or not), or the first 1 KiB
    /// of a body that failed to decode. `None` for other kinds.
    pub fn body(&self) -> Option<&[u8]> {
        match &self.inner.repr {
            Repr::Api(a) => Some(&a.raw),
            Repr::Decode { body, .. } => Some(body.as_bytes()),
            _ => None,
        }
    }

    /// The signature error, for [`ErrorKind::Signature`].
    pub fn signature_error(&self) -> Option<&SignatureError> {
        match &self.inner.repr {
            Repr::Signature(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a transport error caused by the client's timeout.
    pub fn is_timeout(&self) -> bool {
        match &self.inner.repr {
            Repr::Transport(e) => e.is_timeout(),
            _ => false,
        }
    }

    fn write_response_context(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.inner.status, self.inner.request_id.as_deref()) {
            (Some(s), Some(id)) => write!(f, " (HTTP {s}, Request-ID {id})"),
            (Some(s), None) => write!(f, " (HTTP {s})"),
            (None, Some(id)) => write!(f, " (Request-ID {id})"),
            (None, None) => Ok(()),
        }
    }
}

/// Lossy UTF-8 of at most `limit` bytes of `body`, cut at a character boundary, `…` if cut.
fn snippet(body: &[u8], limit: usize) -> String {
    let mut text = String::from_utf8_lossy(&body[..body.len().min(limit)]).into_owned();
    if body.len() > limit {
        // The cut may have split a character into U+FFFD; that is fine for a diagnostic.
        text.push('…');
    }
    text
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.repr {
            Repr::Build { message, source } => {
                write!(f, "cannot build the request: {message}")?;
                if let Some(source) = source {
                    write!(f, ": {source}")?;
                }
                Ok(())
            }
            Repr::Transport(e) => {
                let what = if e.is_timeout() { "timed out" } else { "failed" };
                write!(f, "HTTP transport {what}: {e}")
            }
            Repr::Api(a) => {
                f.write_str("API error")?;
                self.write_response_context(f)?;
                match (&a.code, &a.message) {
                    (None, None) if !a.raw.is_empty() => {
                        let shown: String = String::from_utf8_lossy(&a.raw)
                            .chars()
                            .take(DISPLAY_SNIPPET_CHARS)
                            .collect();
                        write!(f, ": {shown}")
                    }
                    (None, None) => Ok(()),
                    (code, message) => {
                        write!(f, ": {}", code.as_deref().unwrap_or("(no code)"))?;
                        if let Some(m) = message {
                            write!(f, ": {m}")?;
                        }
                        Ok(())
                    }
                }
            }
            Repr::Signature(e) => {
                write!(f, "response signature rejected: {e}")?;
                self.write_response_context(f)
            }
            Repr::Decode { source, .. } => {
                write!(f, "cannot decode the response body: {source}")?;
                self.write_response_context(f)
            }
            Repr::Crypto(message) => write!(f, "encryption or decryption failed: {message}"),
            Repr::Io(e) => write!(f, "cannot write the downloaded content: {e}"),
            Repr::Integrity(message) => {
                write!(f, "integrity check failed: {message}")?;
                self.write_response_context(f)
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind())
            .field("status", &self.inner.status)
            .field("request_id", &self.inner.request_id)
            .field("repr", &self.inner.repr)
            .finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.inner.repr {
            Repr::Build { source, .. } => source.as_deref().map(|s| s as &(dyn StdError + 'static)),
            Repr::Transport(e) => Some(e),
            Repr::Api(_) => None,
            Repr::Signature(e) => Some(e),
            Repr::Decode { source, .. } => Some(&**source),
            Repr::Io(e) => Some(e),
            Repr::Crypto(_) | Repr::Integrity(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn error_is_send_sync_static() {
        assert_send_sync::<Error>();
    }

    #[test]
    fn api_error_json_body() {
        let body = Bytes::from_static(
            br#"{"code":"PARAM_ERROR","message":"bad openid","detail":{"field":"openid","location":"body"}}"#,
        );
        let e = Error::api(StatusCode::BAD_REQUEST, Some("REQ-1".into()), body.clone());
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(e.code(), Some("PARAM_ERROR"));
        assert_eq!(e.message(), Some("bad openid"));
        assert_eq!(e.detail().unwrap()["field"], "openid");
        assert_eq!(e.request_id(), Some("REQ-1"));
        assert_eq!(e.body(), Some(&body[..]));
        assert_eq!(
            e.to_string(),
            "API error (HTTP 400 Bad Request, Request-ID REQ-1): PARAM_ERROR: bad openid"
        );
    }

    #[test]
    fn api_error_non_json_body_is_kept_raw() {
        let e = Error::api(
            StatusCode::BAD_GATEWAY,
            None,
            Bytes::from_static(b"<html>bad gateway</html>"),
        );
        assert_eq!(e.code(), None);
        assert_eq!(e.detail(), None);
        assert_eq!(e.body(), Some(&b"<html>bad gateway</html>"[..]));
        assert_eq!(
            e.to_string(),
            "API error (HTTP 502 Bad Gateway): <html>bad gateway</html>"
        );
    }

    #[test]
    fn decode_error_truncates_body() {
        let body = vec![b'x'; 5000];
        let source = serde_json::from_slice::<u8>(&body).unwrap_err();
        let e = Error::decode(source, Some(StatusCode::OK), None, &body);
        assert_eq!(e.kind(), ErrorKind::Decode);
        let kept = std::str::from_utf8(e.body().unwrap()).unwrap();
        assert!(kept.starts_with("xxx") && kept.ends_with('…'));
        assert!(kept.len() <= BODY_SNIPPET_LIMIT + '…'.len_utf8());
        assert!(e.source().is_some());
        assert!(!e.to_string().contains("xxxx"), "body is not in Display");
    }

    #[test]
    fn signature_error_kind_and_message() {
        let e = Error::signature(
            SignatureError::new(SignatureErrorKind::SignTest, "probe"),
            Some(StatusCode::OK),
            Some("R".into()),
        );
        assert_eq!(e.kind(), ErrorKind::Signature(SignatureErrorKind::SignTest));
        assert_eq!(
            e.to_string(),
            "response signature rejected: probe (HTTP 200 OK, Request-ID R)"
        );
        assert_eq!(
            e.signature_error().map(SignatureError::kind),
            Some(SignatureErrorKind::SignTest)
        );
    }

    #[test]
    fn build_error_display_and_source() {
        let e = Error::build("missing mchid");
        assert_eq!(e.kind(), ErrorKind::Build);
        assert_eq!(e.to_string(), "cannot build the request: missing mchid");
        assert!(e.source().is_none());
        let cause = serde_json::from_str::<u8>("x").unwrap_err();
        let e = Error::build_with("cannot serialize the body", cause);
        assert!(e.source().is_some());
        assert!(format!("{e:?}").contains("Build"));
    }
}
