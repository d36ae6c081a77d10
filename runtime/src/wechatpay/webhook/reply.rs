//! [`NotificationReply`]: the HTTP answer WeChat Pay expects from a notification handler.
//!
//! Source: `shared/design/protocols.md` ("Webhooks (APIv3)") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::{Error, ErrorKind};

/// The answer to a notification: a status and a JSON body.
///
/// - [`NotificationReply::success`]: 200 with `{"code":"SUCCESS"}`; WeChat Pay stops retrying.
/// - [`NotificationReply::failure`]: 500 with `{"code":"FAIL","message":"…"}`; WeChat Pay
///   retries (for about 24 hours), so answer this when the notification could not be handled
///   yet (e.g. the database is down).
/// - [`NotificationReply::from_error`]: the answer to a [`Client::notification`] or
///   [`Client::verify_notification`] error, with a fixed message per kind (never the error's
///   text).
///
/// Turn it into an [`http::Response`] with [`NotificationReply::into_response`], or (cargo
/// feature `axum`) return it from an axum handler.
///
/// Source: <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.
///
/// [`Client::notification`]: crate::wechatpay::Client::notification
/// [`Client::verify_notification`]: crate::wechatpay::Client::verify_notification
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationReply {
    status: StatusCode,
    body: Bytes,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl NotificationReply {
    /// 200 OK with `{"code":"SUCCESS"}`: the notification was handled.
    pub fn success() -> Self {
        Self::json(StatusCode::OK, "SUCCESS", None)
    }

    /// 500 Internal Server Error with `{"code":"FAIL","message":message}` (`message` JSON-escaped):
    /// the notification could not be handled now; WeChat Pay will send it again. Keep `message`
    /// short and free of personal data.
    pub fn failure(message: impl AsRef<str>) -> Self {
        Self::fail(StatusCode::INTERNAL_SERVER_ERROR, message.as_ref())
    }

    /// The answer to an error of verifying, decrypting or decoding a notification, with a FAIL
    /// body whose message is fixed per kind (never the error's text):
    ///
    /// | [`Error::kind`] | status | message |
    /// |---|---|---|
    /// | [`Signature`](ErrorKind::Signature) (any kind) | 401 | `signature verification failed` |
    /// | [`Decode`](ErrorKind::Decode) | 400 | `malformed notification` |
    /// | [`Crypto`](ErrorKind::Crypto) | 400 | `cannot decrypt the notification` |
    /// | [`TooLarge`](ErrorKind::TooLarge) | 413 | `notification too large` |
    /// | anything else | 500 | `internal error` |
    pub fn from_error(error: &Error) -> Self {
        let (status, message) = match error.kind() {
            ErrorKind::Signature(_) => (StatusCode::UNAUTHORIZED, "signature verification failed"),
            ErrorKind::Decode => (StatusCode::BAD_REQUEST, "malformed notification"),
            ErrorKind::Crypto => (StatusCode::BAD_REQUEST, "cannot decrypt the notification"),
            ErrorKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "notification too large"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        };
        Self::fail(status, message)
    }

    /// A FAIL reply with any status (4xx/5xx) and message.
    pub(crate) fn fail(status: StatusCode, message: &str) -> Self {
        Self::json(status, "FAIL", Some(message))
    }

    fn json(status: StatusCode, code: &str, message: Option<&str>) -> Self {
        // Serializing two strings cannot fail.
        let body = serde_json::to_vec(&Body { code, message }).unwrap_or_default();
        Self {
            status,
            body: Bytes::from(body),
        }
    }

    /// The HTTP status: 200 for [`NotificationReply::success`], 4xx/5xx otherwise.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The JSON body, e.g. `{"code":"SUCCESS"}` or `{"code":"FAIL","message":"internal error"}`.
    pub fn body(&self) -> Bytes {
        self.body.clone()
    }

    /// Whether this is a success (2xx) reply.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The HTTP response: the status, `Content-Type: application/json` and the JSON body.
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

impl From<&Error> for NotificationReply {
    /// As [`NotificationReply::from_error`].
    fn from(error: &Error) -> Self {
        Self::from_error(error)
    }
}

impl From<Error> for NotificationReply {
    /// As [`NotificationReply::from_error`], so that `?` works in a handler returning
    /// `Result<_, NotificationReply>`.
    fn from(error: Error) -> Self {
        Self::from_error(&error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_json_with_the_escaped_message() {
        assert_eq!(&NotificationReply::success().body()[..], br#"{"code":"SUCCESS"}"#);
        let reply = NotificationReply::failure(r#"db "down""#);
        assert_eq!(reply.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(&reply.body()[..], br#"{"code":"FAIL","message":"db \"down\""}"#);
        assert!(!reply.is_success());
    }

    #[test]
    fn errors_map_to_fixed_messages() {
        let reply = NotificationReply::from_error(&Error::crypto("secret detail"));
        assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
        assert!(!String::from_utf8_lossy(&reply.body()).contains("secret"));
        let reply = NotificationReply::from(Error::build("secret detail"));
        assert_eq!(reply.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            &reply.body()[..],
            br#"{"code":"FAIL","message":"internal error"}"#
        );
    }
}
