//! axum integration (cargo feature `axum`): a typed APIv2 (XML) [`Notification<E>`] as an
//! extractor.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use sdk_runtime::wechatpay::NotificationReply;
//! use sdk_runtime::wechatpay::v2::{Client, EventShape, Notification, XmlEventSet};
//! # #[derive(Debug)] enum Event { Unknown(String) }
//! # impl sdk_runtime::EventSet for Event {
//! #     fn decode_event(t: &str, _: &str) -> Result<Self, sdk_runtime::Error> { Ok(Event::Unknown(t.into())) }
//! #     fn event_type(&self) -> &str { match self { Event::Unknown(t) => t } }
//! # }
//! # impl XmlEventSet for Event { const SHAPES: &'static [EventShape] = &[]; }
//!
//! // A request that does not verify never reaches the handler: the extractor answers it.
//! async fn notify(notification: Notification<Event>) -> NotificationReply {
//!     println!("{:?}", notification.event_type());
//!     notification.success_reply()
//! }
//!
//! # fn app(client: Client) -> Router {
//! Router::new().route("/notify", post(notify)).with_state(client)
//! # }
//! ```
//!
//! Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7>.

use ::axum::extract::{FromRef, FromRequest, Request};

use super::client::Client;
use super::event::{Notification, XmlEventSet};
use super::xml::MAX_XML_BYTES;
use crate::wechatpay::NotificationReply;
use crate::wechatpay::webhook::axum::read_body;

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S, E> FromRequest<S> for Notification<E>
where
    E: XmlEventSet + Send,
    S: Send + Sync,
    Client: FromRef<S>,
{
    /// The answer to a rejected notification
    /// ([`NotificationReply::v2_from_error`], `return_code` `FAIL` in XML): 401 if the `sign`
    /// is wrong or missing, 400 if it is malformed or does not decrypt, 413 if the body is
    /// longer than [`MAX_XML_BYTES`], 500 otherwise (e.g. `return_code` `FAIL`, or no APIv3 key
    /// configured for a payscore event).
    type Rejection = NotificationReply;

    /// Reads the body (at most [`MAX_XML_BYTES`]), then checks, decrypts and decodes it with
    /// the state's [`Client`] ([`Client::notification`]). A rejection is logged (at `warn`, the
    /// error's kind and text, which hold no personal data).
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let client = Client::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = read_body(&parts.headers, body, MAX_XML_BYTES)
            .await
            .map_err(|(status, message)| NotificationReply::v2_fail(status, message))?;
        client.notification::<E>(&body).map_err(|error| {
            tracing::warn!(kind = ?error.kind(), %error, "rejected a WeChat Pay APIv2 notification");
            NotificationReply::v2_from_error(&error)
        })
    }
}
