//! Typed APIv2 (XML) notifications: how a generated crate describes its documented events
//! ([`EventShape`], [`XmlEventSet`]), how a document is told apart ([`classify`]), and the
//! verified, decoded [`Notification`] that [`Client::notification`] gives.
//!
//! APIv2 notifications have no envelope naming the event. The payscore notifications sent as
//! XML carry an `event_type` member; the others are told apart by the members only they
//! declare. Some carry a document inside one member ([`Carriage`]): the refund notification's
//! `req_info` (AES-256-ECB), the payscore `event_ciphertext` (AEAD_AES_256_GCM with the APIv3
//! key), the combined payment's `sub_order_list` (JSON text).
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)"),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7> (payment),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16> (refund),
//! <https://pay.weixin.qq.com/wiki/doc/api/combine.php?chapter=24_4> (combined payment),
//! <https://pay.weixin.qq.com/wiki/doc/apiv3/payscore.php?chapter=18_7&index=7> (payscore).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::client::Client;
use crate::wechatpay::NotificationReply;
use crate::{Error, EventSet};

/// How a notification carries a document inside one of its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carriage {
    /// Standard base64 of AES-256-ECB (PKCS#7), keyed by the lowercase hex MD5 of the APIv2 key;
    /// the plaintext is a flat `<root>…</root>` document. The refund notification's `req_info`
    /// ([`Client::decrypt_req_info`]).
    AesEcb,
    /// AEAD_AES_256_GCM with the merchant's APIv3 key
    /// ([`ClientBuilder::apiv3_key`](super::ClientBuilder::apiv3_key)): the member is the
    /// base64 ciphertext, the nonce is `event_nonce`, the associated data
    /// `event_associated_data`, and `event_algorithm` must be `AEAD_AES_256_GCM`; the plaintext
    /// is a flat `<xml>…</xml>` document. The payscore notifications' `event_ciphertext`.
    AeadAesGcm,
    /// JSON text (an object or an array), e.g. the combined payment's `sub_order_list`.
    Json,
}

/// The reply an event's sender expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyStyle {
    /// `<xml><return_code>…</return_code><return_msg>…</return_msg></xml>`: most APIv2
    /// notifications ([`NotificationReply::v2_success`]).
    ReturnCode,
    /// `<xml><code>…</code><message>…</message></xml>`: the payscore notifications sent as XML
    /// ([`NotificationReply::v2_code_success`]).
    Code,
}

/// One documented APIv2 event, as a generated crate describes it (in its
/// [`XmlEventSet::SHAPES`] table), e.g.
///
/// ```
/// use sdk_runtime::wechatpay::v2::{Carriage, EventShape, ReplyStyle};
///
/// const REFUND: EventShape = EventShape {
///     name: "refund-processed",
///     event_type: None,
///     members: &["req_info"],
///     inner: Some(("req_info", Carriage::AesEcb)),
///     reply: ReplyStyle::ReturnCode,
/// };
/// const CHECK_FAIL: EventShape = EventShape {
///     name: "CHECK.FAIL",
///     event_type: Some("CHECK.FAIL"),
///     members: &[],
///     inner: Some(("event_ciphertext", Carriage::AeadAesGcm)),
///     reply: ReplyStyle::Code,
/// };
/// # let _ = (REFUND, CHECK_FAIL);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventShape {
    /// The event's name, passed to [`EventSet::decode_event`]: `"CHECK.FAIL"`,
    /// `"refund-processed"`.
    pub name: &'static str,
    /// The `event_type` member's literal when the event carries one (payscore), else `None`.
    pub event_type: Option<&'static str>,
    /// The members only this event declares among the set: they tell it apart (see
    /// [`classify`]).
    pub members: &'static [&'static str],
    /// The member that carries a document, and how: e.g. `("req_info", AesEcb)`,
    /// `("event_ciphertext", AeadAesGcm)`, `("sub_order_list", Json)`.
    pub inner: Option<(&'static str, Carriage)>,
    /// The reply the sender expects.
    pub reply: ReplyStyle,
}

/// A crate's typed APIv2 (XML) events: an [`EventSet`] (its `Unknown` variant for any other
/// name, including `""`) with the table of its documented events' shapes, for
/// [`Client::notification`].
pub trait XmlEventSet: EventSet {
    /// The documented events: at most one per `event_type` literal, and for those without one,
    /// members that tell them apart.
    const SHAPES: &'static [EventShape];
}

/// The shape of the event a notification's `fields` are, if it is one of `shapes`:
///
/// - with an `event_type` member: the shape whose [`EventShape::event_type`] is that value, else
///   `None`;
/// - otherwise, among the shapes without an `event_type`, the one with the most of its
///   [`EventShape::members`] present (at least one); a tie for the most is `None` (an ambiguous
///   document is an unknown one).
pub fn classify<'a>(shapes: &'a [EventShape], fields: &BTreeMap<String, String>) -> Option<&'a EventShape> {
    if let Some(event_type) = fields.get("event_type") {
        return shapes
            .iter()
            .find(|shape| shape.event_type == Some(event_type.as_str()));
    }
    let mut best: Option<&EventShape> = None;
    let (mut most, mut tied) = (0, false);
    for shape in shapes.iter().filter(|shape| shape.event_type.is_none()) {
        let present = shape
            .members
            .iter()
            .filter(|member| fields.contains_key(**member))
            .count();
        if present == 0 || present < most {
            continue;
        }
        tied = present == most;
        if present > most {
            (best, most) = (Some(shape), present);
        }
    }
    if tied { None } else { best }
}

/// The JSON text [`EventSet::decode_event`] gets: every field as a JSON string, `inner` (a
/// member and its decoded document) in place of that member's text. Personal data: the caller
/// zeroes it once decoded.
pub(super) fn payload(fields: BTreeMap<String, String>, inner: Option<(&str, Value)>) -> String {
    let mut object: Map<String, Value> = fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    if let Some((member, value)) = inner {
        object.insert(member.to_owned(), value);
    }
    // Serializing a map of JSON values cannot fail.
    serde_json::to_string(&Value::Object(object)).unwrap_or_default()
}

/// A flat document's fields as a JSON object of strings.
pub(super) fn object_of_strings(fields: BTreeMap<String, String>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

/// An APIv2 notification that was checked (`return_code`, `sign`, the inner document's
/// decryption) and decoded into the typed event `E` (e.g. a generated crate's `events::Event`),
/// from [`Client::notification`].
///
/// WeChat Pay retries a notification until it gets a success reply, so handlers must be
/// idempotent. Answer with [`Notification::success_reply`] or [`Notification::failure_reply`]
/// (the reply style the event's sender expects). `Debug` shows the event type only, never the
/// event (it holds personal data).
///
/// Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7>.
#[derive(Clone)]
pub struct Notification<E> {
    event_type: String,
    reply: ReplyStyle,
    event: E,
}

impl<E> Notification<E> {
    pub(super) fn new(event_type: String, reply: ReplyStyle, event: E) -> Self {
        Self {
            event_type,
            reply,
            event,
        }
    }

    /// The typed event.
    pub fn event(&self) -> &E {
        &self.event
    }

    /// The typed event, dropping the rest.
    pub fn into_event(self) -> E {
        self.event
    }

    /// The name the event was decoded under: its shape's [`EventShape::name`] (e.g.
    /// `refund-processed`, `CHECK.FAIL`); for an event no shape matched, the `event_type` member
    /// as sent, or `""`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The reply style the sender expects: its shape's [`EventShape::reply`]; for an event no
    /// shape matched, [`ReplyStyle::Code`] if it carries an `event_type` member (the payscore
    /// family), else [`ReplyStyle::ReturnCode`].
    pub fn reply_style(&self) -> ReplyStyle {
        self.reply
    }

    /// 200 OK in the expected style: [`NotificationReply::v2_success`] or
    /// [`NotificationReply::v2_code_success`]. WeChat Pay stops sending the notification.
    pub fn success_reply(&self) -> NotificationReply {
        match self.reply {
            ReplyStyle::ReturnCode => NotificationReply::v2_success(),
            ReplyStyle::Code => NotificationReply::v2_code_success(),
        }
    }

    /// 500 with `FAIL` and `message` in the expected style: [`NotificationReply::v2_failure`] or
    /// [`NotificationReply::v2_code_failure`]. WeChat Pay sends the notification again. Keep
    /// `message` short and free of personal data.
    pub fn failure_reply(&self, message: impl AsRef<str>) -> NotificationReply {
        match self.reply {
            ReplyStyle::ReturnCode => NotificationReply::v2_failure(message),
            ReplyStyle::Code => NotificationReply::v2_code_failure(message),
        }
    }
}

impl<E> fmt::Debug for Notification<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// [`Client::notification`] on a whole request as a framework hands it over (its body
    /// bytes exactly as received; the headers play no part in APIv2), for frameworks other than
    /// axum (for axum, enable the cargo feature `axum` and extract `v2::Notification<E>`). Bound
    /// the body's size while reading it, e.g. to [`xml::MAX_XML_BYTES`](super::xml::MAX_XML_BYTES).
    ///
    /// # Errors
    /// As [`Client::notification`].
    pub fn notification_from_request<E: XmlEventSet, B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<Notification<E>, Error> {
        self.notification(request.body().as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn shape(name: &'static str, members: &'static [&'static str]) -> EventShape {
        EventShape {
            name,
            event_type: None,
            members,
            inner: None,
            reply: ReplyStyle::ReturnCode,
        }
    }

    const SHAPES: &[EventShape] = &[
        shape("a", &["a1", "a2", "a3"]),
        shape("b", &["b1", "b2"]),
        shape("c", &["c1"]),
        EventShape {
            event_type: Some("X.Y"),
            ..shape("X.Y", &["a1", "a2", "a3", "b1"])
        },
    ];

    fn fields(keys: &[&str]) -> BTreeMap<String, String> {
        keys.iter().map(|k| ((*k).to_owned(), String::new())).collect()
    }

    fn name(keys: &[&str]) -> Option<&'static str> {
        classify(SHAPES, &fields(keys)).map(|s| s.name)
    }

    #[test]
    fn the_most_members_win_and_ties_are_unknown() {
        assert_eq!(name(&["a1", "z"]), Some("a"));
        assert_eq!(name(&["a1", "b1", "b2"]), Some("b"));
        assert_eq!(name(&["a1", "a2", "b1", "b2"]), None);
        assert_eq!(name(&["a1", "c1"]), None);
        assert_eq!(name(&["a1", "a2", "c1", "b1"]), Some("a"));
        assert_eq!(name(&["z"]), None);
        assert_eq!(name(&[]), None);
        // `event_type` decides alone: the members of a shape with one are never counted.
        assert_eq!(name(&["event_type"]), None);
        let mut x = fields(&["c1"]);
        x.insert("event_type".into(), "X.Y".into());
        assert_eq!(classify(SHAPES, &x).map(|s| s.name), Some("X.Y"));
        x.insert("event_type".into(), "X.Z".into());
        assert_eq!(classify(SHAPES, &x), None);
    }

    #[test]
    fn the_payload_replaces_the_inner_member() {
        let mut map = fields(&["a"]);
        map.insert("inner".into(), "{\"n\":1}".into());
        let text = payload(map, Some(("inner", serde_json::json!({"n": 1}))));
        assert_eq!(text, r#"{"a":"","inner":{"n":1}}"#);
    }
}
