//! [`Error`]: the one error type of the runtime, with a matchable [`ErrorKind`].
//!
//! Errors follow the Rust API guidelines (C-GOOD-ERR): `Display` says what this error adds
//! (what was being done, what went wrong, the HTTP status and `Request-ID`), `source()` gives the
//! cause; print the chain (e.g. `std::error::Report`, anyhow's `{:#}`) to see it all. No error,
//! in `Display` or `Debug`, holds a key, a signature, a response body beyond the API's `code` and
//! `message`, a decrypted value, or a path or query value: an operation is named by its path
//! template (`/v3/refund/domestic/refunds/{out_refund_no}`), never by its filled URL.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};

mod api;
mod decode;
mod signature;
#[cfg(test)]
mod tests;

use crate::wechatpay::bill::BillError;
use api::ApiBody;
pub use decode::DecodeError;
pub use signature::{SignatureError, SignatureErrorKind};

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
    /// The server answered with a non-2xx status (or Wonder with a non-zero envelope `code`).
    /// See [`Error::status`], [`Error::code`], [`Error::message`], [`Error::detail_field`],
    /// [`Error::request_id`].
    ///
    /// WeChat Pay APIv2 (XML): a response whose `return_code` is not `SUCCESS` (a communication or
    /// signature failure on WeChat Pay's side, usually with HTTP 200): [`Error::code`] is the
    /// `return_code` (`FAIL`), [`Error::message`] the `return_msg`.
    Api,
    /// A WeChat Pay APIv2 (XML) call reached WeChat Pay and its signed answer says the business
    /// operation failed: `return_code` is `SUCCESS` but `result_code` is not (e.g. `ORDERPAID`,
    /// `NOTENOUGH`). [`Error::code`] is the `err_code`, [`Error::message`] the `err_code_des`.
    /// The response's signature was verified before this was reported.
    ///
    /// Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2>.
    Business,
    /// A 2xx response failed signature verification; its body must not be trusted.
    Signature(SignatureErrorKind),
    /// A verified 2xx body (or a decrypted notification resource) is not the expected JSON, or a
    /// download is not valid gzip, or an APIv2 body is not the flat XML document expected (or
    /// holds a DTD, an entity other than the predefined ones, or nested elements). The source is a [`DecodeError`]: where and what, no values.
    ///
    /// Also a bill file that is not the CSV expected (`Error::from(BillError)`: a malformed line,
    /// a missing column or summary, a broken gzip stream): `Display` names the line and the
    /// column, the source is the [`BillError`] (never a value either).
    Decode,
    /// Encryption or decryption failed: a sensitive field too long for RSA-OAEP, a ciphertext
    /// that does not decrypt under the key (wrong key, tampered), a platform certificate that does
    /// not decrypt with the APIv3 key or whose serial does not match. Never echoes plaintext.
    Crypto,
    /// A download's content does not match the digest it was checked against (e.g. the SHA-1
    /// `hash_value` of a bill). The content must not be used.
    Integrity,
    /// Writing downloaded content to the caller's writer failed (e.g. disk full), or reading a
    /// bill file failed (`Error::from(BillError)` of a [`BillErrorKind::Io`](crate::wechatpay::bill::BillErrorKind::Io)
    /// that is not a broken gzip stream; the source is the [`BillError`]).
    Io,
    /// A response body, a download or its decompressed content went past its configured limit:
    /// `ClientBuilder::max_response_bytes` (bodies read whole, default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::transport::DEFAULT_MAX_RESPONSE_BYTES)),
    /// `max_download_bytes` / `Download::max_bytes` (streamed content), or
    /// `Download::max_gzip_ratio` (gunzip output per compressed byte). Nothing past the limit
    /// was read into memory or handed to the caller.
    TooLarge,
}

/// The error of every runtime call: building a client, building, sending, verifying and decoding
/// a request, verifying and decrypting a notification, downloading a file.
///
/// Match on [`Error::kind`]. API errors (non-2xx) carry the HTTP status, the API's `code` and
/// `message`, the field the API named ([`Error::detail_field`]) and the `Request-ID` response
/// header; nothing else of the body is kept. [`Error::operation`] names the call (method and path
/// template). Never contains private keys, the APIv3 key, signatures, `Authorization` header
/// values, path or query values, or decrypted plaintext. `Send + Sync + 'static`.
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    repr: Repr,
    context: Option<Context>,
    status: Option<StatusCode>,
    request_id: Option<String>,
}

/// What the runtime was doing: the start of `Display`.
#[derive(Debug, Clone)]
enum Context {
    BuildingClient,
    Calling {
        method: Method,
        path_template: Cow<'static, str>,
    },
    VerifyingNotification,
    DecodingNotification,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BuildingClient => f.write_str("building the client"),
            Self::Calling {
                method,
                path_template,
            } => write!(f, "{method} {path_template}"),
            Self::VerifyingNotification => f.write_str("verifying a notification"),
            Self::DecodingNotification => f.write_str("decoding a notification"),
        }
    }
}

#[derive(Debug)]
enum Repr {
    Build {
        message: Cow<'static, str>,
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
    Transport(reqwest::Error),
    Deadline(Duration),
    Api(ApiBody),
    Business(ApiBody),
    Signature(SignatureError),
    Decode(DecodeError),
    /// A bill file that cannot be read (kind [`ErrorKind::Io`]) or is not the CSV expected
    /// (kind [`ErrorKind::Decode`]).
    Bill(BillError),
    Crypto(Cow<'static, str>),
    Integrity(Cow<'static, str>),
    Io(std::io::Error),
    TooLarge {
        what: &'static str,
        limit: u64,
        unit: &'static str,
    },
}

impl Error {
    fn from_repr(repr: Repr, status: Option<StatusCode>, request_id: Option<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                repr,
                context: None,
                status,
                request_id,
            }),
        }
    }

    fn with_context(mut self, context: Context) -> Self {
        self.inner.context.get_or_insert(context);
        self
    }

    /// This error, marked as happening while building a client (unless already marked).
    pub(crate) fn building_client(self) -> Self {
        self.with_context(Context::BuildingClient)
    }

    /// This error, marked as happening in the call `method path_template` (unless already marked).
    pub(crate) fn calling(self, method: &Method, path_template: impl Into<Cow<'static, str>>) -> Self {
        self.with_context(Context::Calling {
            method: method.clone(),
            path_template: path_template.into(),
        })
    }

    /// This error, marked as happening while verifying a notification (unless already marked).
    pub(crate) fn verifying_notification(self) -> Self {
        self.with_context(Context::VerifyingNotification)
    }

    /// This error, marked as happening while decoding a verified notification's content.
    pub(crate) fn decoding_notification(self) -> Self {
        self.with_context(Context::DecodingNotification)
    }

    /// A [`ErrorKind::Build`] error with a message (no secrets or personal data in it, please).
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

    /// A [`ErrorKind::Build`] error with a message and an underlying cause (its `source()`).
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

    /// A [`ErrorKind::Transport`] error from reqwest, without the request URL (it holds path
    /// and query values).
    pub(crate) fn transport(source: reqwest::Error) -> Self {
        let status = source.status();
        Self::from_repr(Repr::Transport(source.without_url()), status, None)
    }

    /// A [`ErrorKind::Transport`] timeout ([`Error::is_timeout`]): a download did not end
    /// within its total deadline `limit`.
    pub(crate) fn deadline(limit: Duration, status: Option<StatusCode>, request_id: Option<String>) -> Self {
        Self::from_repr(Repr::Deadline(limit), status, request_id)
    }

    /// A [`ErrorKind::Api`] error from a non-2xx response (or a Wonder envelope with a non-zero
    /// `code`): keeps the API's `code`, `message` and `detail.field`, and the body's length.
    pub(crate) fn api(status: StatusCode, request_id: Option<String>, body: Bytes) -> Self {
        Self::from_repr(Repr::Api(ApiBody::parse(&body)), Some(status), request_id)
    }

    /// A [`ErrorKind::Api`] error from an APIv2 answer whose `return_code` is not `SUCCESS`:
    /// `code` is the `return_code`, `message` the `return_msg`.
    pub(crate) fn api_fields(
        status: Option<StatusCode>,
        request_id: Option<String>,
        code: Option<String>,
        message: Option<String>,
    ) -> Self {
        Self::from_repr(Repr::Api(ApiBody::fields(code, message)), status, request_id)
    }

    /// A [`ErrorKind::Business`] error from a signed APIv2 answer whose `result_code` is not
    /// `SUCCESS`: `code` is the `err_code`, `message` the `err_code_des`.
    pub(crate) fn business(
        status: Option<StatusCode>,
        request_id: Option<String>,
        code: Option<String>,
        message: Option<String>,
    ) -> Self {
        Self::from_repr(Repr::Business(ApiBody::fields(code, message)), status, request_id)
    }

    /// This error with the HTTP status and `Request-ID` of the response it is about, unless it
    /// already has them.
    pub(crate) fn at_response(mut self, status: Option<StatusCode>, request_id: Option<String>) -> Self {
        if self.inner.status.is_none() {
            self.inner.status = status;
        }
        if self.inner.request_id.is_none() {
            self.inner.request_id = request_id;
        }
        self
    }

    /// A [`ErrorKind::Signature`] error for a response.
    pub(crate) fn signature(
        source: SignatureError,
        status: Option<StatusCode>,
        request_id: Option<String>,
    ) -> Self {
        Self::from_repr(Repr::Signature(source), status, request_id)
    }

    /// A [`ErrorKind::Decode`] error: `source`'s message with every quoted value redacted
    /// ([`DecodeError`]). The body itself is never kept.
    pub(crate) fn decode(
        source: impl Into<Box<dyn StdError + Send + Sync>>,
        status: Option<StatusCode>,
        request_id: Option<String>,
    ) -> Self {
        let source: Box<dyn StdError + Send + Sync> = source.into();
        let cause = DecodeError::other(&*source);
        Self::from_repr(Repr::Decode(cause), status, request_id)
    }

    /// A [`ErrorKind::Decode`] error about an APIv2 XML body ([`DecodeError::xml`]).
    pub(crate) fn decode_xml(cause: DecodeError) -> Self {
        Self::from_repr(Repr::Decode(cause), None, None)
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

    /// A [`ErrorKind::TooLarge`] error: `what` (e.g. "the response body") went past `limit`
    /// `unit`s (e.g. `"bytes"`).
    pub(crate) fn too_large(
        what: &'static str,
        limit: u64,
        unit: &'static str,
        status: Option<StatusCode>,
        request_id: Option<String>,
    ) -> Self {
        Self::from_repr(Repr::TooLarge { what, limit, unit }, status, request_id)
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match &self.inner.repr {
            Repr::Build { .. } => ErrorKind::Build,
            Repr::Transport(_) | Repr::Deadline(_) => ErrorKind::Transport,
            Repr::Api(_) => ErrorKind::Api,
            Repr::Business(_) => ErrorKind::Business,
            Repr::Signature(e) => ErrorKind::Signature(e.kind()),
            Repr::Decode(_) => ErrorKind::Decode,
            Repr::Bill(e) if e.is_read_failure() => ErrorKind::Io,
            Repr::Bill(_) => ErrorKind::Decode,
            Repr::Crypto(_) => ErrorKind::Crypto,
            Repr::Integrity(_) => ErrorKind::Integrity,
            Repr::Io(_) => ErrorKind::Io,
            Repr::TooLarge { .. } => ErrorKind::TooLarge,
        }
    }

    /// The call this error happened in: its HTTP method and path template (e.g. `POST`,
    /// `/v3/refund/domestic/refunds`), never the filled path. `None` outside a call.
    pub fn operation(&self) -> Option<(&Method, &str)> {
        match &self.inner.context {
            Some(Context::Calling {
                method,
                path_template,
            }) => Some((method, path_template)),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one (API, signature and decode errors).
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The API's error `code` of an API error (WeChat Pay's `PARAM_ERROR`, `SIGN_ERROR`, …;
    /// Wonder's `E000002`, …; an APIv2 `return_code`), or the `err_code` of an APIv2
    /// [`Business`](ErrorKind::Business) error (`ORDERPAID`, …).
    pub fn code(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Api(a) | Repr::Business(a) => a.code.as_deref(),
            _ => None,
        }
    }

    /// The API's error `message` of an API error (an APIv2 `return_msg`), or the `err_code_des`
    /// of an APIv2 [`Business`](ErrorKind::Business) error.
    pub fn message(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Api(a) | Repr::Business(a) => a.message.as_deref(),
            _ => None,
        }
    }

    /// The request field an API error names in its `detail.field` (a JSON pointer such as
    /// `/sub_mchid`), when it names one. The rest of `detail` (which may echo the value sent)
    /// is not kept.
    pub fn detail_field(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Api(a) => a.field.as_deref(),
            _ => None,
        }
    }

    /// The `Request-ID` response header: quote it to WeChat Pay support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The signature error, for [`ErrorKind::Signature`].
    pub fn signature_error(&self) -> Option<&SignatureError> {
        match &self.inner.repr {
            Repr::Signature(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a transport error caused by a timeout: the client's per-attempt timeout,
    /// or a download's total deadline.
    pub fn is_timeout(&self) -> bool {
        match &self.inner.repr {
            Repr::Transport(e) => e.is_timeout(),
            Repr::Deadline(_) => true,
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(context) = &self.inner.context {
            write!(f, "{context}: ")?;
        }
        match &self.inner.repr {
            Repr::Build { message, .. } => f.write_str(message)?,
            Repr::Transport(e) if e.is_timeout() => f.write_str("the HTTP request timed out")?,
            Repr::Transport(_) => f.write_str("the HTTP request failed")?,
            Repr::Deadline(limit) => write!(f, "the download did not end within its deadline of {limit:?}")?,
            Repr::Api(a) => {
                f.write_str("API error")?;
                self.write_response_context(f)?;
                return a.write_summary(f);
            }
            Repr::Business(a) => {
                f.write_str("business error")?;
                self.write_response_context(f)?;
                return a.write_summary(f);
            }
            Repr::Signature(_) => f.write_str("signature rejected")?,
            Repr::Decode(e) => write!(f, "the body is not the expected {}", e.format())?,
            Repr::Bill(e) => {
                f.write_str(match e.is_read_failure() {
                    true => "cannot read the bill",
                    false => "the bill is not the expected CSV",
                })?;
                if let Some(line) = e.line() {
                    write!(f, " at line {line}")?;
                }
                if let Some(column) = e.column() {
                    write!(f, ", column `{column}`")?;
                }
            }
            Repr::Crypto(message) | Repr::Integrity(message) => f.write_str(message)?,
            Repr::Io(_) => f.write_str("cannot write the downloaded content")?,
            Repr::TooLarge { what, limit, unit } => write!(f, "{what} exceeds its limit of {limit} {unit}")?,
        }
        self.write_response_context(f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind());
        if let Some(context) = &self.inner.context {
            d.field("context", &format_args!("{context}"));
        }
        d.field("status", &self.inner.status)
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
            Repr::Signature(e) => Some(e),
            Repr::Decode(e) => Some(e),
            Repr::Bill(e) => Some(e),
            Repr::Io(e) => Some(e),
            Repr::Api(_)
            | Repr::Business(_)
            | Repr::Crypto(_)
            | Repr::Integrity(_)
            | Repr::TooLarge { .. }
            | Repr::Deadline(_) => None,
        }
    }
}

/// A bill that cannot be read: a [`Decode`](ErrorKind::Decode) error when the file is not the
/// CSV expected (a malformed line, a missing column or summary, a broken gzip stream), an
/// [`Io`](ErrorKind::Io) error when reading it failed (e.g. the file cannot be opened). `Display`
/// names the line and the column (by its header name), never a value; the source is the
/// [`BillError`].
impl From<BillError> for Error {
    fn from(error: BillError) -> Self {
        Self::from_repr(Repr::Bill(error), None, None)
    }
}
