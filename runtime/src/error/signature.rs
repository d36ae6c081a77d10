//! [`SignatureError`]: why a response or webhook signature was rejected.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// Why a response signature was rejected. See [`SignatureError`].
///
/// Source: `shared/design/protocols.md` ("Response verification").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureErrorKind {
    /// One of `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature`,
    /// `Wechatpay-Serial` is absent (or not visible ASCII).
    MissingHeader,
    /// A signature-related header (`Wechatpay-Timestamp`, `Wechatpay-Nonce`,
    /// `Wechatpay-Signature`, `Wechatpay-Serial`, `Wechatpay-Signature-Type`, or a provider's
    /// equivalent) appears more than once: which one was signed is ambiguous, so none is trusted.
    DuplicateHeader,
    /// `Wechatpay-Timestamp` is not an integer number of seconds.
    BadTimestamp,
    /// `Wechatpay-Timestamp` is more than 300 s away from the local clock (either direction).
    Expired,
    /// `Wechatpay-Serial` names no key in the key store.
    UnknownSerial,
    /// `Wechatpay-Signature-Type` is present and not `WECHATPAY2-SHA256-RSA2048`.
    UnsupportedSignatureType,
    /// The signature is not valid base64 or does not verify over `TIMESTAMP\nNONCE\nBODY\n`;
    /// for WeChat Pay APIv2, the `sign` field does not match the MD5 or HMAC-SHA256 of the other
    /// fields under the APIv2 key.
    InvalidSignature,
    /// The signature starts with `WECHATPAY/SIGNTEST/`: a deliberate probe by WeChat Pay to check
    /// that clients verify signatures. Never accepted.
    SignTest,
    /// A WeChat Pay APIv2 (XML) response or notification has no `sign` field, or an empty one,
    /// where one is required.
    MissingSignature,
}

/// A rejected response (or webhook) signature: its [`SignatureErrorKind`] and a message that
/// names the header or value at fault. Contains no key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError {
    kind: SignatureErrorKind,
    message: Cow<'static, str>,
}

impl SignatureError {
    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: SignatureErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Why the signature was rejected.
    pub fn kind(&self) -> SignatureErrorKind {
        self.kind
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for SignatureError {}
