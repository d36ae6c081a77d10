//! Webhooks (notifications): verify the signature over the raw request body, then decrypt the
//! `resource` with the APIv3 key.
//!
//! Source: `shared/design/protocols.md` ("Webhooks (APIv3)") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.

use std::fmt;

use http::HeaderMap;
use serde::Deserialize;

use super::client::Client;
use crate::transport::now_unix_seconds;
use crate::{Error, SignatureErrorKind};

/// A notification whose signature verified and whose `resource` decrypted.
///
/// WeChat Pay retries a notification for about 24 hours until it gets a 2xx answer, so handlers
/// must be idempotent (key them on [`Notification::id`]). Answer 200 or 204 on success, and a
/// 4xx/5xx with `{"code":"FAIL","message":"…"}` otherwise. `Debug` omits the decrypted resource
/// (it holds personal data).
#[derive(Clone)]
pub struct Notification {
    envelope: Envelope,
    plaintext: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Envelope {
    id: String,
    create_time: String,
    #[serde(default)]
    resource_type: String,
    event_type: String,
    #[serde(default)]
    summary: String,
    resource: Resource,
}

#[derive(Clone, Debug, Deserialize)]
struct Resource {
    #[serde(default)]
    original_type: String,
    algorithm: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: String,
    nonce: String,
}

impl Notification {
    /// The notification id, e.g. `EV-2018022511223320873` (the same on every retry).
    pub fn id(&self) -> &str {
        &self.envelope.id
    }

    /// When it was created, RFC 3339 as sent, e.g. `2024-11-21T15:40:01+08:00`.
    pub fn create_time(&self) -> &str {
        &self.envelope.create_time
    }

    /// The event, e.g. `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `PAYSCORE.USER_OPEN_SERVICE`.
    pub fn event_type(&self) -> &str {
        &self.envelope.event_type
    }

    /// The resource type, `encrypt-resource`.
    pub fn resource_type(&self) -> &str {
        &self.envelope.resource_type
    }

    /// The human-readable summary, e.g. `支付成功`.
    pub fn summary(&self) -> &str {
        &self.envelope.summary
    }

    /// The kind of object in the resource, e.g. `transaction`, `refund`, `payscore`.
    pub fn original_type(&self) -> &str {
        &self.envelope.resource.original_type
    }

    /// The decrypted resource: JSON text (personal data: do not log it).
    pub fn plaintext(&self) -> &str {
        &self.plaintext
    }

    /// The decrypted resource decoded as `T` (e.g. a generated response struct).
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode) if it is not that JSON.
    pub fn resource<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(&self.plaintext)
            .map_err(|e| Error::decode(e, None, None).decoding_notification())
    }
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.envelope.id)
            .field("create_time", &self.envelope.create_time)
            .field("event_type", &self.envelope.event_type)
            .field("original_type", &self.envelope.resource.original_type)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Verifies a notification (the `Wechatpay-*` headers over the raw body, 300 s window, key
    /// chosen by `Wechatpay-Serial`, one lazy certificate refresh on an unknown serial in
    /// certificate mode) and decrypts its `resource` with the APIv3 key.
    ///
    /// Pass the body bytes exactly as received, before any JSON parsing.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if no APIv3 key is configured;
    /// [`Signature`](crate::ErrorKind::Signature) if verification fails (answer 401 and do not
    /// act on it); [`Decode`](crate::ErrorKind::Decode) if the body is not a notification;
    /// [`Crypto`](crate::ErrorKind::Crypto) if the algorithm is not `AEAD_AES_256_GCM` or the
    /// resource does not decrypt.
    pub async fn verify_notification(&self, headers: &HeaderMap, body: &[u8]) -> Result<Notification, Error> {
        self.verify_notification_at(headers, body, now_unix_seconds())
            .await
    }

    /// [`Client::verify_notification`] against a given clock (`now_unix_seconds`), e.g. to
    /// check a recorded notification in a test.
    ///
    /// # Errors
    /// As [`Client::verify_notification`].
    pub async fn verify_notification_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_unix_seconds: i64,
    ) -> Result<Notification, Error> {
        self.verify_and_decrypt(headers, body, now_unix_seconds)
            .await
            .map_err(Error::verifying_notification)
    }

    async fn verify_and_decrypt(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_unix_seconds: i64,
    ) -> Result<Notification, Error> {
        let apiv3_key = self
            .apiv3_key()
            .ok_or_else(|| Error::build("notifications need the APIv3 key (ClientBuilder::apiv3_key)"))?;
        let verifier = self.verifier();
        let mut verified = verifier.verify(headers, body, now_unix_seconds);
        if let Err(e) = &verified
            && e.kind() == SignatureErrorKind::UnknownSerial
            && self.inner.provider.unknown_serial(&self.inner.transport).await
        {
            verified = verifier.verify(headers, body, now_unix_seconds);
        }
        verified.map_err(|e| Error::signature(e, None, None))?;
        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| Error::decode(e, None, None))?;
        let resource = &envelope.resource;
        if resource.algorithm != "AEAD_AES_256_GCM" {
            return Err(Error::crypto(format!(
                "notification resource uses unsupported algorithm `{}`",
                resource.algorithm
            )));
        }
        let plaintext =
            apiv3_key.decrypt(&resource.nonce, &resource.associated_data, &resource.ciphertext)?;
        let plaintext = String::from_utf8(plaintext)
            .map_err(|_| Error::crypto("the decrypted notification resource is not UTF-8"))?;
        Ok(Notification { envelope, plaintext })
    }
}
