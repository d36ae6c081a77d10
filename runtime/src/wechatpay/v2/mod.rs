//! WeChat Pay APIv2 (XML): signed `<xml>` documents over HTTPS, some endpoints with mutual TLS.
//!
//! Generated code describes a request as an [`Operation`] (path, flags, and the request type
//! flattened by [`to_params`]) and calls [`Client::xml`] or [`Client::download`]; the client
//! adds `nonce_str`, `sign_type` and `sign`, sends `text/xml`, and checks the answer
//! (`return_code`, then `sign`, then `result_code`) before decoding it with [`from_params`].
//!
//! - [`xml`]: the flat document, read defensively (no DTD, no entity expansion) and written
//!   with CDATA.
//! - [`sign`]: MD5 / HMAC-SHA256 signatures ([`SignType`], [`ApiV2Key`]).
//! - [`to_params`] / [`from_params`]: typed values to and from the flat map, indexed lists
//!   (`coupon_id_$n`) included (see also [`Lenient::take_indexed`](crate::Lenient::take_indexed)).
//! - Notifications: [`Client::notification`] checks, decrypts and decodes one into a generated
//!   crate's typed events ([`XmlEventSet`], told apart by [`classify`] over its [`EventShape`]s)
//!   as a [`Notification`], whose [`Notification::success_reply`] is the answer its sender
//!   expects ([`ReplyStyle`]); [`Client::notification_from_request`] takes an
//!   [`http::Request`], and with the cargo feature `axum`, `v2::Notification<E>` is an axum
//!   extractor. Untyped: [`Client::verify_notification`], [`Client::refund_notification`],
//!   [`Client::decrypt_req_info`]; answer with
//!   [`NotificationReply::v2_success`](crate::wechatpay::NotificationReply::v2_success).
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)") and
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2>.

#[cfg(feature = "axum")]
mod axum;
mod client;
mod event;
pub mod indexed;
mod key;
pub mod nonce;
mod notification;
mod operation;
mod provider;
pub mod sign;
pub mod xml;

/// A whole downloaded file ([`Client::download`]: bills, fund flows), as `bytes::Bytes`.
pub use bytes::Bytes;
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};
pub use event::{Carriage, EventShape, Notification, ReplyStyle, XmlEventSet, classify};
pub use indexed::{from_params, to_params};
pub use key::{APIV2_KEY_LEN, ApiV2Key};
pub use nonce::{NONCE_STR_LEN, nonce_str};
pub use operation::Operation;
pub use sign::SignType;
