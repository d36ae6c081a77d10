//! What a provider plugs into the [`Transport`](super::Transport): how a request is signed,
//! how a 2xx response is verified, what a non-2xx body means, and what happens before a call
//! (WeChat Pay's scheduled certificate download). The transport owns the rest: URLs, timeouts,
//! retries, the backup host, tracing, bodies and downloads.
//!
//! Modelled on smithy-rs, where an auth scheme plugs a pure signer (`aws-sigv4`) into one
//! orchestrator: here each provider's signer stays transport-agnostic (bytes in, header values
//! out) and this trait adapts it.

use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use url::Url;

use super::{Operation, Response, Transport};
use crate::Error;

/// How the 2xx response of a call is checked and handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Read the whole body and have the provider verify it.
    Verified,
    /// Read the whole body; the caller verifies it (WeChat Pay's certificate download, signed by
    /// the certificates it carries). No [`Provider::prepare`] either.
    Unverified,
    /// An unsigned download: no verification, the body is streamed to the caller.
    Stream,
}

/// One attempt of a request, as its signer sees it: what is signed, and the headers it may add.
pub(crate) struct SignableRequest<'a> {
    /// The method.
    pub method: &'a Method,
    /// The full URL of this attempt; its path and query are what is signed (never the host).
    pub url: &'a Url,
    /// The signed bytes: the JSON body, a media upload's `meta` part, or empty.
    pub body: &'a [u8],
    /// The headers of the attempt so far (`Accept`, `User-Agent`, `Content-Type`, the
    /// operation's own); the signer adds its own.
    pub headers: &'a mut HeaderMap,
}

impl SignableRequest<'_> {
    /// The path and, if any, `?` and query of the URL, exactly as sent (no scheme, host or
    /// fragment): what both WeChat Pay and Wonder sign.
    pub fn path_and_query(&self) -> &str {
        path_and_query(self.url)
    }
}

/// The path and, if any, `?` and query of `url`, exactly as it serializes on the wire.
pub(crate) fn path_and_query(url: &Url) -> &str {
    &url[url::Position::BeforePath..url::Position::AfterQuery]
}

/// A provider: WeChat Pay APIv3 or Wonder. Implemented inside this crate, one per protocol.
pub(crate) trait Provider: Send + Sync {
    /// The provider's name in log messages (`WeChat Pay`).
    const LABEL: &'static str;

    /// The `tracing` span of one call (see `request_span!`).
    fn span(&self, op: &Operation) -> tracing::Span;

    /// Runs before the first attempt of a call expecting `expect`.
    fn prepare(
        &self,
        transport: &Transport,
        expect: Expect,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Signs one attempt, adding its headers.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) when the request cannot be signed; nothing is sent.
    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<(), Error>;

    /// Verifies a whole 2xx response of `op`.
    ///
    /// # Errors
    /// [`Signature`](crate::ErrorKind::Signature) when it fails: the response is never data.
    fn verify(
        &self,
        transport: &Transport,
        op: &Operation,
        response: &Response,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// The error a non-2xx response stands for.
    fn api_error(&self, status: StatusCode, request_id: Option<String>, body: Bytes) -> Error {
        Error::api(status, request_id, body)
    }

    /// The `Request-ID` of a response, the id the provider's support asks for.
    fn request_id(&self, headers: &HeaderMap) -> Option<String> {
        super::response::request_id(headers)
    }
}

/// The span of one call of a provider, named `$name` (`wechatpay.request`), with `method`,
/// `path` (the template, never the filled path: path parameters can be personal data) and the
/// fields the transport records: `status`, `request_id`, `attempts`, `latency_ms`. No headers,
/// no bodies.
macro_rules! request_span {
    ($name:literal, $op:expr) => {
        ::tracing::info_span!(
            $name,
            method = %$op.method(),
            path = $op.path_template(),
            status = ::tracing::field::Empty,
            request_id = ::tracing::field::Empty,
            attempts = ::tracing::field::Empty,
            latency_ms = ::tracing::field::Empty,
        )
    };
}
pub(crate) use request_span;
