//! Webhooks (notifications): verify the signature over the raw request body, decrypt the
//! `resource` with the APIv3 key, and optionally decode it into a typed event ([`EventSet`]).
//!
//! - [`Client::verify_notification`]: verify and decrypt, giving a [`Notification`] whose event
//!   is the decrypted [`Resource`] (JSON text).
//! - [`Client::notification`]: verify, decrypt and decode into a generated crate's
//!   `events::Event` in one call ([`Notification<E>`]); [`Client::notification_from_request`]
//!   takes an [`http::Request`] for any framework, and with the cargo feature `axum`,
//!   `Notification<E>` is an axum extractor.
//! - [`NotificationReply`]: the answer WeChat Pay expects (200 `{"code":"SUCCESS"}`, or a
//!   4xx/5xx with `{"code":"FAIL","message":"…"}`).
//!
//! Source: `shared/design/protocols.md` ("Webhooks (APIv3)") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.

use std::fmt;

use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::client::Client;
use crate::transport::now_unix_seconds;
use crate::{Error, EventSet, SignatureErrorKind};

#[cfg(feature = "axum")]
pub(crate) mod axum;
mod reply;

pub use reply::NotificationReply;

/// The largest notification body the axum extractor reads: 1 MiB (1 048 576 bytes). A longer
/// body is rejected with 413 and a `FAIL` reply before any verification. Real notifications are
/// a few KiB; use the same limit when reading bodies in another framework.
pub const MAX_NOTIFICATION_BYTES: usize = 1024 * 1024;

/// A notification whose signature verified and whose `resource` decrypted, with its event `E`:
/// the decrypted [`Resource`] (JSON text, the default), or a typed event ([`EventSet`], e.g. a
/// generated crate's `events::Event`).
///
/// WeChat Pay retries a notification for about 24 hours until it gets a 2xx answer, so handlers
/// must be idempotent (key them on [`Notification::id`]). Answer with [`NotificationReply`]:
/// 200 on success, a 4xx/5xx with `{"code":"FAIL","message":"…"}` otherwise. `Debug` shows the
/// id, create time, event type and original type, never the event (it holds personal data).
///
/// Source: <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/notification.html>.
#[derive(Clone)]
pub struct Notification<E = Resource> {
    meta: Meta,
    event: E,
}

/// The envelope's fields other than the encrypted resource.
#[derive(Clone, Debug)]
struct Meta {
    id: String,
    create_time: String,
    resource_type: String,
    event_type: String,
    summary: String,
    original_type: String,
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    create_time: String,
    #[serde(default)]
    resource_type: String,
    event_type: String,
    #[serde(default)]
    summary: String,
    resource: EncryptedResource,
}

#[derive(Deserialize)]
struct EncryptedResource {
    #[serde(default)]
    original_type: String,
    algorithm: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: String,
    nonce: String,
}

/// The decrypted `resource` of a notification: JSON text, e.g.
/// `{"mchid":"1900000109","out_trade_no":"…","trade_state":"SUCCESS",…}` for
/// `TRANSACTION.SUCCESS`. It holds personal data (openids, order numbers): `Debug` shows only
/// its length in bytes; do not log [`Resource::plaintext`].
#[derive(Clone, PartialEq, Eq)]
pub struct Resource {
    plaintext: String,
}

impl Resource {
    /// The decrypted JSON text (UTF-8; personal data: do not log it).
    pub fn plaintext(&self) -> &str {
        &self.plaintext
    }

    /// The JSON text decoded as `T` (e.g. a generated response struct, or
    /// [`crate::JsonValue`]).
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode), in the "decoding a notification" context, if it is
    /// not that JSON (the error keeps no value of it).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        crate::event::decode_event_payload(&self.plaintext)
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource")
            .field("len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

impl<E> Notification<E> {
    /// The notification id, e.g. `EV-2018022511223320873` (the same on every retry).
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    /// When it was created, RFC 3339 as sent, e.g. `2024-11-21T15:40:01+08:00`.
    pub fn create_time(&self) -> &str {
        &self.meta.create_time
    }

    /// The event type as sent, e.g. `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`,
    /// `PAYSCORE.USER_OPEN_SERVICE`.
    pub fn event_type(&self) -> &str {
        &self.meta.event_type
    }

    /// The resource type, `encrypt-resource`.
    pub fn resource_type(&self) -> &str {
        &self.meta.resource_type
    }

    /// The human-readable summary, e.g. `支付成功`.
    pub fn summary(&self) -> &str {
        &self.meta.summary
    }

    /// The kind of object in the resource, e.g. `transaction`, `refund`, `payscore`.
    pub fn original_type(&self) -> &str {
        &self.meta.original_type
    }

    /// The event: the decrypted [`Resource`], or the typed event.
    pub fn event(&self) -> &E {
        &self.event
    }

    /// The event, dropping the envelope.
    pub fn into_event(self) -> E {
        self.event
    }
}

impl Notification<Resource> {
    /// The decrypted resource: JSON text (personal data: do not log it).
    pub fn plaintext(&self) -> &str {
        self.event.plaintext()
    }

    /// The decrypted resource decoded as `T` (e.g. a generated response struct).
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode), in the "decoding a notification" context, if it is
    /// not that JSON.
    pub fn resource<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.event.decode()
    }

    /// This notification with its resource decoded as the typed event `E` (by
    /// [`Notification::event_type`]); the envelope is kept. An event type `E` does not know gives
    /// its `Unknown` variant.
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode), in the "decoding a notification" context, if the
    /// resource of a known event is not its JSON.
    pub fn typed<E: EventSet>(self) -> Result<Notification<E>, Error> {
        let event = E::decode_event(&self.meta.event_type, &self.event.plaintext)
            .map_err(Error::decoding_notification)?;
        Ok(Notification {
            meta: self.meta,
            event,
        })
    }
}

impl<E> fmt::Debug for Notification<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.meta.id)
            .field("create_time", &self.meta.create_time)
            .field("event_type", &self.meta.event_type)
            .field("original_type", &self.meta.original_type)
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
    /// In the "verifying a notification" context:
    /// [`Build`](crate::ErrorKind::Build) if no APIv3 key is configured;
    /// [`Signature`](crate::ErrorKind::Signature) if verification fails (answer 401 and do not
    /// act on it); [`Decode`](crate::ErrorKind::Decode) if the body is not a notification;
    /// [`Crypto`](crate::ErrorKind::Crypto) if the algorithm is not `AEAD_AES_256_GCM` or the
    /// resource does not decrypt. [`NotificationReply::from_error`] gives the answer for each.
    pub async fn verify_notification(&self, headers: &HeaderMap, body: &[u8]) -> Result<Notification, Error> {
        self.verify_notification_at(headers, body, now_unix_seconds())
            .await
    }

    /// [`Client::verify_notification`] against a given clock (`now_unix_seconds`, seconds since
    /// the Unix epoch), e.g. to check a recorded notification in a test.
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

    /// Verifies and decrypts a notification ([`Client::verify_notification`]) and decodes its
    /// resource as the typed event `E` (e.g. a generated crate's `events::Event`), in one call.
    ///
    /// ```no_run
    /// # async fn handle<E: sdk_runtime::EventSet>(
    /// #     client: &sdk_runtime::wechatpay::Client, headers: &http::HeaderMap, body: &[u8],
    /// # ) -> http::Response<bytes::Bytes> {
    /// use sdk_runtime::wechatpay::NotificationReply;
    /// match client.notification::<E>(headers, body).await {
    ///     Ok(notification) => {
    ///         // act on notification.event(), idempotently (key on notification.id())
    ///         NotificationReply::success().into_response()
    ///     }
    ///     Err(e) => NotificationReply::from_error(&e).into_response(),
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::verify_notification`] (in the "verifying a notification" context), and
    /// [`Decode`](crate::ErrorKind::Decode) in the "decoding a notification" context if the
    /// resource of a known event is not its JSON.
    pub async fn notification<E: EventSet>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<E>, Error> {
        self.notification_at(headers, body, now_unix_seconds()).await
    }

    /// [`Client::notification`] against a given clock (`now_unix_seconds`, seconds since the
    /// Unix epoch).
    ///
    /// # Errors
    /// As [`Client::notification`].
    pub async fn notification_at<E: EventSet>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_unix_seconds: i64,
    ) -> Result<Notification<E>, Error> {
        self.verify_notification_at(headers, body, now_unix_seconds)
            .await?
            .typed()
    }

    /// [`Client::notification`] on a whole request as a framework hands it over (its headers
    /// and its body bytes exactly as received), for frameworks other than axum (for axum, enable
    /// the cargo feature `axum` and extract `Notification<E>`). Bound the body's size while
    /// reading it, e.g. to [`MAX_NOTIFICATION_BYTES`].
    ///
    /// # Errors
    /// As [`Client::notification`].
    pub async fn notification_from_request<E: EventSet, B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<Notification<E>, Error> {
        self.notification(request.headers(), request.body().as_ref())
            .await
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
        let meta = Meta {
            id: envelope.id,
            create_time: envelope.create_time,
            resource_type: envelope.resource_type,
            event_type: envelope.event_type,
            summary: envelope.summary,
            original_type: envelope.resource.original_type,
        };
        Ok(Notification {
            meta,
            event: Resource { plaintext },
        })
    }
}
