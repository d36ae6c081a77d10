//! Hand-written runtime for the generated SDK crates.
//!
//! The generated code only *describes* requests (method, path template, parameters, body) as a
//! [`wechatpay::Operation`] and hands them to a [`wechatpay::Client`], which signs, sends, verifies
//! and decodes. This crate is the only place that knows about keys, clocks and sockets.
//!
//! - [`wechatpay`]: WeChat Pay APIv3 (JSON): request signing, response verification, transport;
//!   [`wechatpay::v2`]: WeChat Pay APIv2 (XML), its signatures, mutual TLS and notifications.
//! - [`EventSet`]: typed webhook events (a generated crate's `events::Event`), decoded from a
//!   verified WeChat Pay notification or Wonder webhook; [`decode_event_payload`] decodes one
//!   event's payload.
//! - [`Error`]: the one error type of every call, with a matchable [`ErrorKind`].
//! - [`Decimal`]: an exact non-integer number (money) sent as a JSON number.
//! - [`DateTime`]: RFC 3339 date-time that round-trips WeChat's `2024-11-21T15:40:01+08:00` form.
//! - [`StringOrNumber`]: the TypeScript `string | number` union.
//! - [`Secret`]: a wrapper that keeps key material out of `Debug` output.
//! - [`Lenient`], [`Unparsed`]: response objects decode field by field, so one field of an
//!   unexpected shape is kept raw instead of failing the whole verified response.
//!
//! Protocol reference: `shared/design/protocols.md` and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html>.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod datetime;
mod decimal;
mod error;
mod event;
mod lenient;
mod random;
mod rsa;
mod secret;
mod string_or_number;
pub mod transport;
pub mod wechatpay;
pub mod wonder;

pub use datetime::{DateTime, ParseDateTimeError};
pub use decimal::Decimal;
pub use error::{DecodeError, Error, ErrorKind, SignatureError, SignatureErrorKind};
pub use event::{EventSet, decode_event_payload};
/// HTTP method of an operation (re-export of [`http::Method`]), e.g. `Method::POST`.
pub use http::Method;
pub use lenient::{Lenient, Unparsed};
pub use rsa::{PrivateKey, PublicKey};
/// The decimal library [`Decimal`] wraps, for its constructors and arithmetic.
pub use rust_decimal;
pub use secret::Secret;
pub use string_or_number::StringOrNumber;

/// Any JSON value, for fields the docs declare without an element type (`serde_json::Value`).
pub type JsonValue = serde_json::Value;
