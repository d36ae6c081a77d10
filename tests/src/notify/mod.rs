//! WeChat Pay notifications (webhooks) as the mock would send them: the resource sealed with the
//! APIv3 key (AES-256-GCM), the envelope signed like a response, for testing a webhook handler;
//! [`MockServer::event_notification`] makes one of an event the model documents, and
//! [`send_notification`] delivers it with WeChat Pay's retries.

mod send;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use codegen::ir::Event;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::MockServer;
use crate::platform::{cst, seal};
use crate::sample::sample_event;
use crate::server::lock;
use crate::sign::{self, SIGNATURE_TYPE};

pub use send::{
    ATTEMPT_TIMEOUT, Attempt, Delivery, MAX_REPLY_BODY, RetryPolicy, WECHATPAY_RETRY_SCHEDULE,
    send_notification, send_notification_with,
};

/// The envelope `summary` of a notification whose event the model does not document.
const DEFAULT_SUMMARY: &str = "mock notification";

/// A signed notification, not sent: hand [`SignedNotification::headers`] and
/// [`SignedNotification::body`] to the webhook handler under test, or POST them to it
/// ([`send_notification`]).
#[derive(Clone, Debug)]
pub struct SignedNotification {
    /// `Wechatpay-Timestamp`, `-Nonce`, `-Serial`, `-Signature`, `-Signature-Type` and
    /// `Content-Type: application/json`.
    pub headers: HeaderMap,
    /// The envelope JSON, exactly the bytes signed.
    pub body: Vec<u8>,
}

impl SignedNotification {
    /// The envelope's `id` (e.g. `EV-…`), the same on every retry: what a handler dedupes by.
    pub fn id(&self) -> Option<String> {
        self.envelope_field("id")
    }

    /// The envelope's `event_type`, e.g. `TRANSACTION.SUCCESS`.
    pub fn event_type(&self) -> Option<String> {
        self.envelope_field("event_type")
    }

    /// A string member of the envelope.
    fn envelope_field(&self, name: &str) -> Option<String> {
        let envelope: Value = serde_json::from_slice(&self.body).ok()?;
        envelope.get(name)?.as_str().map(str::to_owned)
    }
}

/// A webhook event the model documents, for listing (`wechatpay-mock notify --list`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// The `event_type`, e.g. `TRANSACTION.SUCCESS`.
    pub name: String,
    /// What happened (the docs page title, e.g. `支付成功通知`), when the model says.
    pub summary: Option<String>,
    /// The `original_type` its notifications carry (see [`original_type_of`]).
    pub original_type: String,
    /// How many documents declare an event of this name (the first one's payload is sampled).
    pub documents: usize,
}

/// The `original_type` a notification of `event` carries: the first of the model's
/// [`Event::original_types`], else [`original_type_for`] its name.
pub fn original_type_of(event: &Event) -> String {
    event
        .original_types
        .first()
        .cloned()
        .unwrap_or_else(|| original_type_for(&event.name))
}

/// The `original_type` guessed from an event name: its first dot-separated segment, lower
/// case (`REFUND.SUCCESS` → `refund`).
pub fn original_type_for(event_type: &str) -> String {
    event_type.split('.').next().unwrap_or(event_type).to_lowercase()
}

impl MockServer {
    /// A notification of `event_type` (e.g. `TRANSACTION.SUCCESS`) whose `resource` (of
    /// `original_type`, e.g. `transaction`) is `plaintext` sealed with the APIv3 key, signed now
    /// with the key the mock signs responses with, as WeChat Pay sends to a `notify_url`.
    pub fn notification(
        &self,
        event_type: &str,
        original_type: &str,
        plaintext: &Value,
    ) -> SignedNotification {
        self.notification_with_summary(event_type, original_type, DEFAULT_SUMMARY, plaintext)
    }

    /// A notification of an event of the model ([`MockServer::notification`] with its
    /// `original_type` from [`original_type_of`] and its summary): the resource is `resource`,
    /// or else a sample of the event's payload type ([`sample_event`]: every field, optional
    /// ones too). With `resource` given, `event_type` need not be in the model (an event
    /// documented later): its `original_type` is then [`original_type_for`] its name.
    ///
    /// # Errors
    /// `resource` is `None` and the model documents no event `event_type`: the message names
    /// it and the documented events with a similar name.
    pub fn event_notification(
        &self,
        event_type: &str,
        resource: Option<Value>,
    ) -> Result<SignedNotification, String> {
        let event = self.model().event(event_type);
        let (original_type, summary) = match event {
            Some(event) => (
                original_type_of(event),
                event.summary.as_deref().unwrap_or(DEFAULT_SUMMARY),
            ),
            None => (original_type_for(event_type), DEFAULT_SUMMARY),
        };
        let plaintext = match (resource, event) {
            (Some(resource), _) => resource,
            (None, Some(event)) => sample_event(event),
            (None, None) => return Err(self.unknown_event(event_type)),
        };
        Ok(self.notification_with_summary(event_type, &original_type, summary, &plaintext))
    }

    /// The events the model documents, one per name, sorted by name.
    pub fn documented_events(&self) -> Vec<EventInfo> {
        let mut list: Vec<EventInfo> = Vec::new();
        for event in self.model().events() {
            match list.last_mut() {
                Some(last) if last.name == event.name => last.documents += 1,
                _ => list.push(EventInfo {
                    name: event.name.clone(),
                    summary: event.summary.clone(),
                    original_type: original_type_of(event),
                    documents: 1,
                }),
            }
        }
        list
    }

    /// The error for an event the model does not document, naming similar ones.
    fn unknown_event(&self, event_type: &str) -> String {
        let names: Vec<String> = self.documented_events().into_iter().map(|e| e.name).collect();
        if names.is_empty() {
            return format!(
                "unknown event `{event_type}`: the model documents no events; give the resource \
                 to send it anyway"
            );
        }
        let close = close_names(event_type, &names);
        let hint = if close.is_empty() {
            format!("the model documents {} events", names.len())
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        format!("unknown event `{event_type}` ({hint}); give the resource to send it anyway")
    }

    /// [`MockServer::notification`] with the envelope's `summary`.
    fn notification_with_summary(
        &self,
        event_type: &str,
        original_type: &str,
        summary: &str,
        plaintext: &Value,
    ) -> SignedNotification {
        let nonce = sign::random_alphanumeric(12);
        let associated_data = original_type;
        let sealed = seal(
            self.config().apiv3_key.as_bytes(),
            nonce.as_bytes(),
            associated_data.as_bytes(),
            plaintext.to_string().as_bytes(),
        );
        let now = OffsetDateTime::now_utc();
        let envelope = json!({
            "id": format!("EV-{}", &sign::request_id()[..20]),
            "create_time": cst(now),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": STANDARD.encode(sealed),
                "associated_data": associated_data,
                "nonce": nonce,
            },
        });
        let body = envelope.to_string().into_bytes();
        let timestamp = now.unix_timestamp().to_string();
        let signing_nonce = sign::random_nonce();
        let (key, serial) = lock(&self.shared.platform).signing_key();
        let signature = key.sign(&sign::response_message(&timestamp, &signing_nonce, &body));
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("content-type", "application/json"),
            ("wechatpay-timestamp", &timestamp),
            ("wechatpay-nonce", &signing_nonce),
            ("wechatpay-serial", &serial),
            ("wechatpay-signature", &signature),
            ("wechatpay-signature-type", SIGNATURE_TYPE),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        SignedNotification { headers, body }
    }
}

/// Up to five of `names` close to `wanted` (case-insensitive edit distance within a third of
/// its length, or the same first segment), closest first.
fn close_names(wanted: &str, names: &[String]) -> Vec<String> {
    let wanted_upper = wanted.to_uppercase();
    let segment = |name: &str| name.split('.').next().unwrap_or(name).to_owned();
    let wanted_segment = segment(&wanted_upper);
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .filter_map(|name| {
            let upper = name.to_uppercase();
            let distance = edit_distance(&wanted_upper, &upper);
            (distance <= limit || segment(&upper) == wanted_segment).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, n)| n.clone()).collect()
}

/// The Levenshtein distance between `a` and `b`, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_types_come_from_the_first_segment() {
        assert_eq!(original_type_for("REFUND.SUCCESS"), "refund");
        assert_eq!(original_type_for("TRANSACTION.SUCCESS"), "transaction");
        assert_eq!(original_type_for("PLAIN"), "plain");
    }

    #[test]
    fn close_names_are_similar_or_share_the_first_segment() {
        let names: Vec<String> = ["REFUND.SUCCESS", "REFUND.ABNORMAL", "TRANSACTION.SUCCESS"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(close_names("TRANSACTION.SUCESS", &names), ["TRANSACTION.SUCCESS"]);
        assert_eq!(
            close_names("refund.closed", &names),
            ["REFUND.SUCCESS", "REFUND.ABNORMAL"]
        );
        assert!(close_names("PAYSCORE.USER_OPEN_SERVICE", &names).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
