//! [`NotificationReply`]: the HTTP answer WeChat Pay expects from a notification handler, APIv3
//! (JSON) or APIv2 (XML).
//!
//! Source: `shared/design/protocols.md` ("Webhooks (APIv3)", "WeChat Pay APIv2 (XML)") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::{Error, ErrorKind};

/// The answer to a notification: a status and a body (JSON for APIv3, XML for APIv2) with its
/// [`content_type`](NotificationReply::content_type).
///
/// - [`NotificationReply::success`]: 200 with `{"code":"SUCCESS"}`; WeChat Pay stops retrying.
/// - [`NotificationReply::failure`]: 500 with `{"code":"FAIL","message":"…"}`; WeChat Pay
///   retries (for about 24 hours), so answer this when the notification could not be handled
///   yet (e.g. the database is down).
/// - [`NotificationReply::from_error`]: the answer to a [`Client::notification`] or
///   [`Client::verify_notification`] error, with a fixed message per kind (never the error's
///   text).
///
/// APIv2 notifications ([`v2::Client::verify_notification`]) expect XML instead:
/// [`NotificationReply::v2_success`] (200 with `return_code` `SUCCESS`),
/// [`NotificationReply::v2_failure`] (500 with `return_code` `FAIL`; WeChat Pay sends the
/// notification again) and [`NotificationReply::v2_from_error`]; the payscore notifications
/// sent as XML expect `code`/`message` instead: [`NotificationReply::v2_code_success`] and
/// [`NotificationReply::v2_code_failure`] (or let [`v2::Notification::success_reply`] choose).
///
/// Turn it into an [`http::Response`] with [`NotificationReply::into_response`], or (cargo
/// feature `axum`) return it from an axum handler.
///
/// Source: <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.
///
/// [`Client::notification`]: crate::wechatpay::Client::notification
/// [`Client::verify_notification`]: crate::wechatpay::Client::verify_notification
/// [`v2::Client::verify_notification`]: crate::wechatpay::v2::Client::verify_notification
/// [`v2::Notification::success_reply`]: crate::wechatpay::v2::Notification::success_reply
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationReply {
    status: StatusCode,
    body: Bytes,
    content_type: &'static str,
}

/// `Content-Type` of APIv3 replies.
const JSON: &str = "application/json";
/// `Content-Type` of APIv2 replies.
const XML: &str = "text/xml; charset=utf-8";
/// The members of most APIv2 replies.
const RETURN_CODE: [&str; 2] = ["return_code", "return_msg"];
/// The members of the replies to payscore notifications sent as APIv2 XML.
const CODE: [&str; 2] = ["code", "message"];

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
        let (status, message) = error_reply(error);
        Self::fail(status, message)
    }

    /// APIv2: 200 OK with
    /// `<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>`
    /// (`text/xml`): the notification was handled; WeChat Pay stops sending it.
    ///
    /// Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7>.
    pub fn v2_success() -> Self {
        Self::xml(StatusCode::OK, RETURN_CODE, "SUCCESS", "OK")
    }

    /// APIv2: 500 Internal Server Error with `return_code` `FAIL` and `return_msg` `message`
    /// (in CDATA, `text/xml`): the notification could not be handled now; WeChat Pay sends it
    /// again. Keep `message` short and free of personal data.
    pub fn v2_failure(message: impl AsRef<str>) -> Self {
        Self::v2_fail(StatusCode::INTERNAL_SERVER_ERROR, message.as_ref())
    }

    /// APIv2, payscore notifications sent as XML (`CHECK.SUCCESS`, `CHECK.FAIL`,
    /// `TRANSACTION.SUCCESS`, `TRANSACTION.FAIL`), which expect `code`/`message` instead of
    /// `return_code`/`return_msg`: 200 OK with
    /// `<xml><code><![CDATA[SUCCESS]]></code><message><![CDATA[OK]]></message></xml>`
    /// (`text/xml`): the notification was handled; WeChat Pay stops sending it.
    ///
    /// Source: <https://pay.weixin.qq.com/wiki/doc/apiv3/payscore.php?chapter=18_7&index=7>.
    pub fn v2_code_success() -> Self {
        Self::xml(StatusCode::OK, CODE, "SUCCESS", "OK")
    }

    /// APIv2, payscore notifications (see [`NotificationReply::v2_code_success`]): 500 Internal
    /// Server Error with `code` `FAIL` and `message` `message` (in CDATA, `text/xml`): the
    /// notification could not be handled now; WeChat Pay sends it again. Keep `message` short
    /// and free of personal data.
    pub fn v2_code_failure(message: impl AsRef<str>) -> Self {
        Self::xml(StatusCode::INTERNAL_SERVER_ERROR, CODE, "FAIL", message.as_ref())
    }

    /// APIv2: the answer to an error of [`v2::Client::notification`],
    /// [`v2::Client::verify_notification`], [`v2::Client::refund_notification`] and the like:
    /// the status and fixed message of [`NotificationReply::from_error`], as a `FAIL` XML
    /// document (`return_code`/`return_msg`).
    ///
    /// [`v2::Client::notification`]: crate::wechatpay::v2::Client::notification
    /// [`v2::Client::verify_notification`]: crate::wechatpay::v2::Client::verify_notification
    /// [`v2::Client::refund_notification`]: crate::wechatpay::v2::Client::refund_notification
    pub fn v2_from_error(error: &Error) -> Self {
        let (status, message) = error_reply(error);
        Self::v2_fail(status, message)
    }

    /// An APIv2 FAIL reply (`return_code`/`return_msg`) with any status (4xx/5xx) and message.
    pub(crate) fn v2_fail(status: StatusCode, message: &str) -> Self {
        Self::xml(status, RETURN_CODE, "FAIL", message)
    }

    /// An APIv2 document of two members, `[code member, message member]`, as `text/xml`.
    fn xml(status: StatusCode, members: [&str; 2], code: &str, message: &str) -> Self {
        let fields = [(members[0], code), (members[1], message)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Self {
            status,
            body: Bytes::from(crate::wechatpay::v2::xml::write(&fields)),
            content_type: XML,
        }
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
            content_type: JSON,
        }
    }

    /// The `Content-Type` of the body: `application/json`, or `text/xml; charset=utf-8` for the
    /// APIv2 replies.
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// The HTTP status: 200 for [`NotificationReply::success`], 4xx/5xx otherwise.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body, e.g. `{"code":"SUCCESS"}`, `{"code":"FAIL","message":"internal error"}`, or an
    /// APIv2 `<xml>…</xml>` document.
    pub fn body(&self) -> Bytes {
        self.body.clone()
    }

    /// Whether this is a success (2xx) reply.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The HTTP response: the status, the [`content_type`](NotificationReply::content_type)
    /// and the body.
    pub fn into_response(self) -> http::Response<Bytes> {
        let content_type = HeaderValue::from_static(self.content_type);
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        response.headers_mut().insert(header::CONTENT_TYPE, content_type);
        response
    }
}

/// The status and fixed message of the reply to `error` (never the error's text).
fn error_reply(error: &Error) -> (StatusCode, &'static str) {
    match error.kind() {
        ErrorKind::Signature(_) => (StatusCode::UNAUTHORIZED, "signature verification failed"),
        ErrorKind::Decode => (StatusCode::BAD_REQUEST, "malformed notification"),
        ErrorKind::Crypto => (StatusCode::BAD_REQUEST, "cannot decrypt the notification"),
        ErrorKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "notification too large"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
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
    fn v2_replies_are_xml() {
        let reply = NotificationReply::v2_success();
        assert_eq!(reply.status(), StatusCode::OK);
        assert_eq!(
            &reply.body()[..],
            &b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"[..]
        );
        assert_eq!(reply.content_type(), "text/xml; charset=utf-8");
        let reply = NotificationReply::v2_failure("db ]]> down");
        assert_eq!(reply.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let fields = crate::wechatpay::v2::xml::parse(&reply.body()).expect("XML");
        assert_eq!(
            (fields["return_code"].as_str(), fields["return_msg"].as_str()),
            ("FAIL", "db ]]> down")
        );
        let reply = NotificationReply::v2_code_success();
        assert_eq!(reply.status(), StatusCode::OK);
        assert_eq!(
            &reply.body()[..],
            &b"<xml><code><![CDATA[SUCCESS]]></code><message><![CDATA[OK]]></message></xml>"[..]
        );
        let reply = NotificationReply::v2_code_failure("busy");
        assert_eq!(reply.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let fields = crate::wechatpay::v2::xml::parse(&reply.body()).expect("XML");
        assert_eq!(
            (fields["code"].as_str(), fields["message"].as_str()),
            ("FAIL", "busy")
        );
        let response = NotificationReply::v2_from_error(&Error::crypto("secret")).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/xml; charset=utf-8"
        );
        assert!(!String::from_utf8_lossy(response.body()).contains("secret"));
        assert_eq!(
            NotificationReply::success().into_response().headers()[header::CONTENT_TYPE],
            "application/json"
        );
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
