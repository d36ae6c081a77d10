//! axum integration (cargo feature `axum`): [`Notification<E>`] as an extractor, and
//! [`NotificationReply`] as a response.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use sdk_runtime::wechatpay::{Client, Notification, NotificationReply};
//! # #[derive(Debug)] enum Event { Unknown(String) }
//! # impl sdk_runtime::EventSet for Event {
//! #     fn decode_event(t: &str, _: &str) -> Result<Self, sdk_runtime::Error> { Ok(Event::Unknown(t.into())) }
//! #     fn event_type(&self) -> &str { match self { Event::Unknown(t) => t } }
//! # }
//!
//! // A request that does not verify never reaches the handler: the extractor answers it.
//! async fn notify(notification: Notification<Event>) -> NotificationReply {
//!     println!("{} {:?}", notification.id(), notification.event_type());
//!     NotificationReply::success()
//! }
//!
//! # fn app(client: Client) -> Router {
//! Router::new().route("/notify", post(notify)).with_state(client)
//! # }
//! ```
//!
//! Source: <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.

use ::axum::body::Body;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{StatusCode, header};
use http_body_util::LengthLimitError;

use super::{MAX_NOTIFICATION_BYTES, Notification, NotificationReply};
use crate::EventSet;
use crate::wechatpay::Client;

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S, E> FromRequest<S> for Notification<E>
where
    E: EventSet + Send,
    S: Send + Sync,
    Client: FromRef<S>,
{
    /// The answer to a rejected notification ([`NotificationReply::from_error`]): 401 if the
    /// signature does not verify, 400 if it is malformed or does not decrypt, 413 if the body is
    /// longer than [`MAX_NOTIFICATION_BYTES`], 500 otherwise (e.g. no APIv3 key configured).
    type Rejection = NotificationReply;

    /// Reads the body (at most [`MAX_NOTIFICATION_BYTES`]), then verifies, decrypts and decodes
    /// it with the state's [`Client`] ([`Client::notification`]). A rejection is logged (at
    /// `warn`, the error's kind and text, which hold no personal data).
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let client = Client::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = read_body(&parts.headers, body, MAX_NOTIFICATION_BYTES)
            .await
            .map_err(|(status, message)| NotificationReply::fail(status, message))?;
        client
            .notification::<E>(&parts.headers, &body)
            .await
            .map_err(|error| {
                tracing::warn!(kind = ?error.kind(), %error, "rejected a WeChat Pay notification");
                NotificationReply::from_error(&error)
            })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl IntoResponse for NotificationReply {
    /// The status, the [`content_type`](NotificationReply::content_type) (`application/json`,
    /// or `text/xml` for the APIv2 replies) and the body.
    fn into_response(self) -> Response {
        (
            self.status(),
            [(header::CONTENT_TYPE, self.content_type())],
            self.body(),
        )
            .into_response()
    }
}

/// The whole body, or the status and fixed message of a FAIL reply: 413 as soon as the body (or
/// its declared `Content-Length`) goes past `limit` bytes, 400 if reading it fails. The caller
/// writes the reply in its protocol's format (JSON for APIv3, XML for APIv2); the rejection is
/// logged here (at `warn`).
pub(crate) async fn read_body(
    headers: &http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, (StatusCode, &'static str)> {
    let too_large = || {
        tracing::warn!(limit, "rejected a WeChat Pay notification: body too large");
        (StatusCode::PAYLOAD_TOO_LARGE, "notification too large")
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    ::axum::body::to_bytes(body, limit).await.map_err(|error| {
        if error.into_inner().is::<LengthLimitError>() {
            too_large()
        } else {
            tracing::warn!("rejected a WeChat Pay notification: cannot read its body");
            (StatusCode::BAD_REQUEST, "cannot read the notification body")
        }
    })
}
