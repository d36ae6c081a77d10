//! WeChat Pay notifications (webhooks) as the mock would send them: the resource sealed with the
//! APIv3 key (AES-256-GCM), the envelope signed like a response, for testing a webhook handler.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::MockServer;
use crate::platform::{cst, seal};
use crate::server::lock;
use crate::sign::{self, SIGNATURE_TYPE};

/// A signed notification, not sent: hand [`SignedNotification::headers`] and
/// [`SignedNotification::body`] to the webhook handler under test (or POST them to it).
#[derive(Clone, Debug)]
pub struct SignedNotification {
    /// `Wechatpay-Timestamp`, `-Nonce`, `-Serial`, `-Signature`, `-Signature-Type` and
    /// `Content-Type: application/json`.
    pub headers: HeaderMap,
    /// The envelope JSON, exactly the bytes signed.
    pub body: Vec<u8>,
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
            "summary": "mock notification",
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
