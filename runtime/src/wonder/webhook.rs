//! Webhooks: Wonder POSTs an event to the merchant's URL, signed with `Wonder-RSA-SHA256` by
//! Wonder's key over the path+query as received and the raw body; verify it with the webhook
//! public key from the Wonder portal. The header `X-Action` names the event. There is no time
//! window (Wonder retries a webhook up to 15 times within 24 hours until it gets a 2xx answer).
//!
//! Answer 200 after a successful [`verify_webhook`], 403 after a failed one.
//!
//! Source: `shared/design/protocols.md` ("Wonder Open API", Webhooks: as verified by Wonder's
//! WooCommerce plugin) and `shared/design/wonder-api.md` ("Signing").

use std::fmt;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::sign::{self, Credential, SignedHeaders};
use crate::rsa::PublicKey;
use crate::{Error, EventSet, SignatureError, SignatureErrorKind};

/// Header `X-Action`: the webhook event, e.g. `order.paid` (see [`Action`]).
pub const HEADER_ACTION: &str = "X-Action";

/// The event of a webhook (header `X-Action`). Open: an event this version does not know is kept
/// as [`Action::Unknown`] with the header value as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// `order.created`.
    OrderCreated,
    /// `order.paid`.
    OrderPaid,
    /// `order.payment_failure`.
    OrderPaymentFailure,
    /// `order.voided`.
    OrderVoided,
    /// `order.refunded`.
    OrderRefunded,
    /// `transaction.voided`.
    TransactionVoided,
    /// Any other value, as sent.
    Unknown(String),
}

impl Action {
    /// The action named by an `X-Action` value, compared case-insensitively (`Order.Paid` →
    /// [`Action::OrderPaid`]); anything else → [`Action::Unknown`].
    pub fn parse(value: &str) -> Self {
        match value.to_ascii_lowercase().as_str() {
            "order.created" => Self::OrderCreated,
            "order.paid" => Self::OrderPaid,
            "order.payment_failure" => Self::OrderPaymentFailure,
            "order.voided" => Self::OrderVoided,
            "order.refunded" => Self::OrderRefunded,
            "transaction.voided" => Self::TransactionVoided,
            _ => Self::Unknown(value.to_owned()),
        }
    }

    /// The lower-case wire name, e.g. `order.paid`; the value as sent for [`Action::Unknown`].
    pub fn as_str(&self) -> &str {
        match self {
            Self::OrderCreated => "order.created",
            Self::OrderPaid => "order.paid",
            Self::OrderPaymentFailure => "order.payment_failure",
            Self::OrderVoided => "order.voided",
            Self::OrderRefunded => "order.refunded",
            Self::TransactionVoided => "transaction.voided",
            Self::Unknown(value) => value,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A webhook whose signature verified: its event, the credential Wonder signed with, and the raw
/// body. Only [`verify_webhook`] makes one. `Debug` shows the action, app id and body length,
/// never the body (it holds personal data).
#[derive(Clone)]
pub struct Webhook {
    action: Action,
    credential: Credential,
    body: Bytes,
}

impl Webhook {
    /// The event (header `X-Action`). Note the header is not covered by the signature; the body
    /// is.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The app id of the `Credential` header (not covered by the signature; Wonder's key
    /// authenticates the webhook).
    pub fn app_id(&self) -> &str {
        self.credential.app_id()
    }

    /// The `Credential` header: app id and `REQUEST_TIME` (not checked against a clock).
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The raw body as received (JSON; personal data: do not log it).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body decoded as `T` (e.g. a generated order struct, or [`crate::JsonValue`]).
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode) if it is not that JSON (the error keeps no body).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::decode(e, None, None).decoding_notification())
    }

    /// The webhook decoded as the typed event `E` (e.g. the generated crate's `events::Event`),
    /// by [`Action::as_str`] (`order.paid`, …; an unknown action as sent) and the body text. An
    /// action `E` does not know gives its `Unknown` variant.
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode), in the "decoding a notification" context, if the
    /// body is not UTF-8 or a known event's body is not its JSON (the error keeps no body).
    pub fn event<E: EventSet>(&self) -> Result<E, Error> {
        let text = std::str::from_utf8(&self.body)
            .map_err(|e| Error::decode(e, None, None).decoding_notification())?;
        E::decode_event(self.action.as_str(), text).map_err(Error::decoding_notification)
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("action", &self.action)
            .field("app_id", &self.app_id())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Verifies a webhook request: `method` (must be `POST`), `path_and_query` exactly as received
/// (e.g. `/wonder/webhook?shop=1`, no host), its `headers` (`Credential`, `Nonce`, `Signature`,
/// `X-Action`, each exactly once) and the raw `body` bytes (before any JSON parsing), under
/// Wonder's webhook public key `key`. No time window.
///
/// # Errors
/// [`Signature`](crate::ErrorKind::Signature) (answer 403 and do not act on it), of kind:
/// `InvalidSignature` if the method is not `POST` or the signature does not verify;
/// `DuplicateHeader` if one of the four headers is sent more than once; `MissingHeader` if one
/// is absent or not visible ASCII, the credential is malformed or the nonce is not 16 chars
/// `[0-9A-Za-z]`; `BadTimestamp` or
/// `UnsupportedSignatureType` for a credential with a bad `REQUEST_TIME` or algorithm.
pub fn verify_webhook(
    key: &PublicKey,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Webhook, Error> {
    let rejected = |e: SignatureError| Error::signature(e, None, None);
    if method != "POST" {
        return Err(rejected(SignatureError::new(
            SignatureErrorKind::InvalidSignature,
            format!("webhooks are POST only, got `{method}`"),
        )));
    }
    let once = |name| header_once(headers, name).map_err(rejected);
    let signed = SignedHeaders {
        credential: once(sign::HEADER_CREDENTIAL)?.to_owned(),
        nonce: once(sign::HEADER_NONCE)?.to_owned(),
        signature: once(sign::HEADER_SIGNATURE)?.to_owned(),
    };
    let action = once(HEADER_ACTION)?;
    let credential = sign::verify(
        key,
        method,
        path_and_query,
        body,
        &signed,
        None,
        sign::MAX_CLOCK_SKEW,
    )
    .map_err(rejected)?;
    Ok(Webhook {
        action: Action::parse(action),
        credential,
        body: Bytes::copy_from_slice(body),
    })
}

/// The value of header `name`, which must be present exactly once and visible ASCII.
fn header_once<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let (kind, problem) = match (values.next(), values.next()) {
        (Some(value), None) => match value.to_str() {
            Ok(text) => return Ok(text),
            Err(_) => (SignatureErrorKind::MissingHeader, "is not visible ASCII"),
        },
        (None, _) => (SignatureErrorKind::MissingHeader, "is missing"),
        // Which value was signed would be ambiguous: none is trusted.
        (Some(_), Some(_)) => (SignatureErrorKind::DuplicateHeader, "is sent more than once"),
    };
    let message = format!("webhook header `{name}` {problem}");
    Err(SignatureError::new(kind, message))
}
