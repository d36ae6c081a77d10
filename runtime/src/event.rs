//! Typed webhook events: [`EventSet`], the trait each generated crate's `events::Event` enum
//! implements, so that a verified notification decodes straight into a matchable enum.
//!
//! - WeChat Pay: [`Client::notification`](crate::wechatpay::Client::notification) (verify,
//!   decrypt and decode in one call), or
//!   [`Notification::typed`](crate::wechatpay::Notification::typed) on an already verified one.
//! - Wonder: [`Webhook::event`](crate::wonder::Webhook::event).
//!
//! Source: `shared/design/protocols.md` ("Webhooks (APIv3)") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.

use serde::de::DeserializeOwned;

use crate::Error;

/// A crate's typed webhook events (each generated crate's `events::Event` implements it).
///
/// Implementations are enums with one variant per known event and an `Unknown` variant for any
/// other name, so that a new event WeChat Pay or Wonder starts sending never fails a handler.
///
/// ```
/// use sdk_runtime::{Error, EventSet};
///
/// #[derive(serde::Deserialize)]
/// struct Paid {
///     out_trade_no: String,
/// }
///
/// enum Event {
///     Paid(Paid),
///     Unknown(String),
/// }
///
/// impl EventSet for Event {
///     fn decode_event(event_type: &str, payload: &str) -> Result<Self, Error> {
///         match event_type {
///             "TRANSACTION.SUCCESS" => sdk_runtime::decode_event_payload(payload).map(Event::Paid),
///             other => Ok(Event::Unknown(other.to_owned())),
///         }
///     }
///
///     fn event_type(&self) -> &str {
///         match self {
///             Event::Paid(_) => "TRANSACTION.SUCCESS",
///             Event::Unknown(name) => name,
///         }
///     }
/// }
///
/// let event = Event::decode_event("TRANSACTION.SUCCESS", r#"{"out_trade_no":"T1"}"#).unwrap();
/// assert!(matches!(&event, Event::Paid(p) if p.out_trade_no == "T1"));
/// let event = Event::decode_event("REFUND.SUCCESS", "{}").unwrap();
/// assert_eq!(event.event_type(), "REFUND.SUCCESS");
/// ```
pub trait EventSet: Sized {
    /// Decodes the payload (JSON text: WeChat Pay's decrypted resource, Wonder's body) of the
    /// event named `event_type`. An unknown name gives the `Unknown` variant, holding the
    /// payload as JSON.
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode) when a known event's payload is not its JSON, or
    /// an unknown event's payload is not JSON at all (see [`decode_event_payload`]).
    fn decode_event(event_type: &str, payload: &str) -> Result<Self, crate::Error>;

    /// The event's name on the wire, e.g. `TRANSACTION.SUCCESS` (WeChat Pay) or `order.paid`
    /// (Wonder); for an unknown event, its name as sent.
    fn event_type(&self) -> &str;
}

/// Decodes an event payload (JSON text) as `T`: the helper [`EventSet::decode_event`]
/// implementations call for each known event.
///
/// # Errors
/// [`Decode`](crate::ErrorKind::Decode), in the "decoding a notification" context, if `payload`
/// is not that JSON. The error names what did not fit and where, never a value of the payload
/// (it holds personal data).
pub fn decode_event_payload<T: DeserializeOwned>(payload: &str) -> Result<T, Error> {
    serde_json::from_str(payload).map_err(|e| Error::decode(e, None, None).decoding_notification())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[derive(Debug, serde::Deserialize)]
    struct Paid {
        #[allow(dead_code)]
        total: u64,
    }

    #[test]
    fn decode_event_payload_redacts_values_and_marks_the_context() {
        let err = decode_event_payload::<Paid>(r#"{"total":"secret-value"}"#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        let text = format!("{err} {err:?}");
        assert!(text.starts_with("decoding a notification: "), "{text}");
        assert!(!text.contains("secret-value"), "{text}");
        assert!(decode_event_payload::<Paid>(r#"{"total":1}"#).is_ok());
    }
}
