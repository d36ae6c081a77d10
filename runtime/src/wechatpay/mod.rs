//! WeChat Pay APIv3 (JSON): request signing, response verification, transport. APIv2 (XML)
//! lives in [`v2`].
//!
//! Generated code builds an [`Operation`] and calls [`Client::json`], [`Client::execute`] or
//! [`Client::download`]. The signer ([`sign`]) and verifier ([`verify`]) are transport-agnostic
//! (bytes in, header values out) and can be used on their own, e.g. by a mock server or a
//! webhook handler.
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv3") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html>.

mod apiv3_key;
pub mod bill;
pub mod certificates;
mod client;
pub mod keys;
mod provider;
mod refresh;
mod request_payment;
mod sensitive;
pub mod sign;
pub mod v2;
pub mod verify;
mod webhook;

pub use crate::rsa::{PrivateKey, PublicKey};
pub use crate::transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, MAX_RETRY_AFTER, RetryPolicy};
pub use crate::transport::{DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_GZIP_RATIO, DEFAULT_MAX_RESPONSE_BYTES};
pub use crate::transport::{Download, HEADER_REQUEST_ID, Response};
pub use crate::transport::{MediaUpload, Operation, encode_path_segment};
pub use apiv3_key::{APIV3_KEY_LEN, ApiV3Key};
pub use certificates::PlatformCertificate;
pub use client::{BACKUP_BASE_URL, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};
pub use keys::KeyStore;
pub use refresh::{DEFAULT_CERTIFICATE_REFRESH_INTERVAL, MIN_CERTIFICATE_REFRESH_GAP};
pub use request_payment::{AppPayment, JsapiPayment};
pub use sensitive::{Encryptor, Sensitive};
pub use sign::{Authorization, Signer};
pub use verify::{SignedHeaders, Verifier};
pub use webhook::{MAX_NOTIFICATION_BYTES, Notification, NotificationReply, Resource};
