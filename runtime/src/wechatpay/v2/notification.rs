//! APIv2 notifications (支付结果通知, 退款结果通知, payscore events sent as XML): an XML document
//! POSTed to the merchant's `notify_url`, checked like an answer (`return_code`, then `sign`),
//! the refund notification's encrypted `req_info`, the payscore `event_ciphertext`, and the
//! typed [`Client::notification`] (see [`super::event`]).
//!
//! Answer with [`NotificationReply::v2_success`](crate::wechatpay::NotificationReply::v2_success)
//! or [`NotificationReply::v2_failure`](crate::wechatpay::NotificationReply::v2_failure) (or, for
//! a typed notification, its [`Notification::success_reply`]).
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)"),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7> (payment) and
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16> (refund),
//! <https://pay.weixin.qq.com/wiki/doc/apiv3/payscore.php?chapter=18_7&index=7> (payscore).

use std::collections::BTreeMap;

use aws_lc_rs::cipher::{AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest as _, Md5};

use super::client::Client;
use super::event::{Carriage, Notification, ReplyStyle, XmlEventSet, classify, object_of_strings, payload};
use super::key::ApiV2Key;
use super::provider::return_code_failure;
use super::sign::SIGN_FIELD;
use super::xml;
use crate::{Error, JsonValue, Secret};

/// AES block length in bytes.
const BLOCK: usize = 16;

/// The only `event_algorithm` of payscore notifications.
const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";

/// A [`Decode`](crate::ErrorKind::Decode) error for a missing member, in the "verifying a
/// notification" context.
fn missing(member: &str) -> Error {
    Error::decode_xml(crate::DecodeError::xml(
        &format!("missing field `{member}`"),
        None,
    ))
    .verifying_notification()
}

impl Client {
    /// Parses and checks a notification body (at most [`xml::MAX_XML_BYTES`]): `return_code`
    /// must be `SUCCESS`, then `sign` must verify with the APIv2 key (MD5, or HMAC-SHA256 for a
    /// 64-character sign). Returns every field, `sign` included. `result_code` is left to the
    /// caller: a payment notification with `result_code=FAIL` is a genuine report of a failed
    /// payment.
    ///
    /// Refund notifications carry no `sign` (their content is encrypted instead): use
    /// [`Client::refund_notification`].
    ///
    /// # Errors
    /// [`TooLarge`](crate::ErrorKind::TooLarge) or [`Decode`](crate::ErrorKind::Decode) as
    /// [`xml::parse`] (or no `return_code`); [`Api`](crate::ErrorKind::Api) if `return_code` is
    /// not `SUCCESS`; [`Signature`](crate::ErrorKind::Signature) if `sign` is missing or wrong.
    pub fn verify_notification(&self, body: &[u8]) -> Result<BTreeMap<String, String>, Error> {
        let map = xml::parse(body).map_err(Error::verifying_notification)?;
        self.check_notification(&map, true)
            .map_err(Error::verifying_notification)?;
        Ok(map)
    }

    /// Checks an APIv2 notification body (at most [`xml::MAX_XML_BYTES`]), decrypts or parses
    /// the document one of its members carries, and decodes it as the typed event `E` (e.g. a
    /// generated crate's `events::Event`), telling the event apart with [`classify`] over
    /// [`XmlEventSet::SHAPES`]:
    ///
    /// 1. the body is parsed ([`xml::parse`]);
    /// 2. a `return_code` other than `SUCCESS` is an error (no `return_code` is fine: the
    ///    payscore notifications have none); `result_code` `FAIL` is content (a failed payment),
    ///    not an error;
    /// 3. a non-empty `sign` is verified with the APIv2 key (MD5, or HMAC-SHA256 for 64
    ///    characters); a missing one is accepted only for an event whose document travels
    ///    AES-256-ECB encrypted ([`Carriage::AesEcb`]: the refund notification, whose `req_info`
    ///    only the APIv2 key holder can make; its other members are not authenticated);
    /// 4. the shape's inner member is opened ([`Carriage`]): `req_info` decrypted
    ///    ([`Client::decrypt_req_info`]), `event_ciphertext` decrypted with the APIv3 key
    ///    ([`ClientBuilder::apiv3_key`](super::ClientBuilder::apiv3_key)) and parsed, or JSON
    ///    text parsed;
    /// 5. `E` is decoded ([`EventSet::decode_event`](crate::EventSet::decode_event)) from a JSON
    ///    object of every member as a string, the inner member replaced by its document (an
    ///    object of strings, or the parsed JSON), under the shape's name; a document no shape
    ///    matches is decoded under its `event_type` member, or `""`: `E`'s `Unknown` variant.
    ///
    /// ```no_run
    /// # fn handle<E: sdk_runtime::wechatpay::v2::XmlEventSet>(
    /// #     client: &sdk_runtime::wechatpay::v2::Client, body: &[u8],
    /// # ) -> http::Response<bytes::Bytes> {
    /// use sdk_runtime::wechatpay::NotificationReply;
    /// match client.notification::<E>(body) {
    ///     // act on notification.event(), idempotently
    ///     Ok(notification) => notification.success_reply().into_response(),
    ///     Err(e) => NotificationReply::v2_from_error(&e).into_response(),
    /// }
    /// # }
    /// ```
    ///
    /// Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7>,
    /// <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16>,
    /// <https://pay.weixin.qq.com/wiki/doc/apiv3/payscore.php?chapter=18_7&index=7>.
    ///
    /// # Errors
    /// In the "verifying a notification" context:
    /// [`TooLarge`](crate::ErrorKind::TooLarge) or [`Decode`](crate::ErrorKind::Decode) as
    /// [`xml::parse`]; [`Api`](crate::ErrorKind::Api) if `return_code` is not `SUCCESS`
    /// ([`Error::code`] the `return_code`, [`Error::message`] the `return_msg`);
    /// [`Signature`](crate::ErrorKind::Signature) if `sign` is wrong, or missing where it is
    /// required ([`MissingSignature`](crate::SignatureErrorKind::MissingSignature));
    /// [`Build`](crate::ErrorKind::Build) if an `event_ciphertext` must be decrypted and no
    /// APIv3 key is configured; [`Decode`](crate::ErrorKind::Decode) if the inner member (or
    /// `event_nonce`) is missing; [`Crypto`](crate::ErrorKind::Crypto) if `event_algorithm` is
    /// not `AEAD_AES_256_GCM` or the inner document does not decrypt (wrong key, tampered).
    /// In the "decoding a notification" context: [`Decode`](crate::ErrorKind::Decode) if the
    /// decrypted document is not a flat APIv2 document, JSON text is not an object or array, or
    /// a known event does not decode. No error or log holds a member's value.
    /// [`NotificationReply::v2_from_error`](crate::wechatpay::NotificationReply::v2_from_error)
    /// gives the answer for each.
    pub fn notification<E: XmlEventSet>(&self, body: &[u8]) -> Result<Notification<E>, Error> {
        let map = xml::parse(body).map_err(Error::verifying_notification)?;
        if let Some(error) = return_code_failure(&map, None, None) {
            return Err(error.verifying_notification());
        }
        let shape = classify(E::SHAPES, &map);
        let inner = shape.and_then(|shape| shape.inner);
        let signed = map.get(SIGN_FIELD).is_some_and(|s| !s.is_empty());
        if signed || !matches!(inner, Some((_, Carriage::AesEcb))) {
            super::sign::verify(&map, self.apiv2_key()).map_err(|e| {
                tracing::warn!(reason = ?e.kind(), "WeChat Pay APIv2 notification signature rejected");
                e.verifying_notification()
            })?;
        }
        let opened = match inner {
            Some((member, carriage)) => Some((member, self.open_inner(&map, member, carriage)?)),
            None => None,
        };
        let (name, reply) = match shape {
            Some(shape) => (shape.name.to_owned(), shape.reply),
            None => match map.get("event_type") {
                Some(event_type) => (event_type.clone(), ReplyStyle::Code),
                None => (String::new(), ReplyStyle::ReturnCode),
            },
        };
        let payload = payload(map, opened);
        let event = E::decode_event(&name, &payload).map_err(Error::decoding_notification);
        payload.into_bytes().fill(0);
        Ok(Notification::new(name, reply, event?))
    }

    /// The document `member` carries, decoded per `carriage` (see [`Client::notification`]).
    fn open_inner(
        &self,
        map: &BTreeMap<String, String>,
        member: &str,
        carriage: Carriage,
    ) -> Result<JsonValue, Error> {
        let text = map.get(member).ok_or_else(|| missing(member))?;
        match carriage {
            Carriage::AesEcb => self.decrypt_req_info(text).map(object_of_strings),
            Carriage::AeadAesGcm => self.decrypt_event(map, text).map(object_of_strings),
            Carriage::Json => {
                let value = serde_json::from_str::<JsonValue>(text)
                    .map_err(|e| Error::decode(e, None, None).decoding_notification())?;
                if value.is_object() || value.is_array() {
                    Ok(value)
                } else {
                    Err(Error::decode(
                        format!("the member {member} is not a JSON object or array"),
                        None,
                        None,
                    )
                    .decoding_notification())
                }
            }
        }
    }

    /// Decrypts a payscore notification's `event_ciphertext` (AEAD_AES_256_GCM with the APIv3
    /// key, nonce `event_nonce`, associated data `event_associated_data`) and parses the flat
    /// document it holds. Its fields are personal data: do not log them.
    fn decrypt_event(
        &self,
        map: &BTreeMap<String, String>,
        ciphertext: &str,
    ) -> Result<BTreeMap<String, String>, Error> {
        let key = self.inner.apiv3_key.as_ref().ok_or_else(|| {
            Error::build(
                "no APIv3 key configured: it decrypts the event_ciphertext of payscore \
                 notifications (v2::ClientBuilder::apiv3_key)",
            )
            .verifying_notification()
        })?;
        if map.get("event_algorithm").map(String::as_str) != Some(AEAD_AES_256_GCM) {
            return Err(
                Error::crypto("the notification's event_algorithm is not AEAD_AES_256_GCM")
                    .verifying_notification(),
            );
        }
        let nonce = map.get("event_nonce").ok_or_else(|| missing("event_nonce"))?;
        let associated_data = map.get("event_associated_data").map_or("", String::as_str);
        let mut plaintext = key
            .decrypt(nonce, associated_data, ciphertext)
            .map_err(Error::verifying_notification)?;
        let fields = xml::parse(&plaintext).map_err(Error::decoding_notification);
        plaintext.fill(0);
        fields
    }

    /// A refund notification (退款结果通知): checks `return_code`, verifies `sign` if there is
    /// one (WeChat Pay sends none), and returns the fields of its decrypted `req_info`
    /// (`out_refund_no`, `refund_status`, `settlement_refund_fee`, …). Only a holder of the APIv2
    /// key can produce a `req_info` that decrypts with valid padding into an APIv2 document.
    ///
    /// # Errors
    /// As [`Client::verify_notification`] (but for a missing `sign`); [`Decode`](crate::ErrorKind::Decode)
    /// if `req_info` is absent; the errors of [`Client::decrypt_req_info`].
    pub fn refund_notification(&self, body: &[u8]) -> Result<BTreeMap<String, String>, Error> {
        let map = xml::parse(body).map_err(Error::verifying_notification)?;
        let signed = map.get(super::sign::SIGN_FIELD).is_some_and(|s| !s.is_empty());
        self.check_notification(&map, signed)
            .map_err(Error::verifying_notification)?;
        let req_info = map.get("req_info").ok_or_else(|| missing("req_info"))?;
        self.decrypt_req_info(req_info)
    }

    /// Decrypts a refund notification's `req_info`: standard base64 of AES-256-ECB with PKCS#7
    /// padding (checked strictly), keyed by the lowercase hex MD5 of the APIv2 key (32 ASCII
    /// bytes). The plaintext is a `<root>…</root>` document, parsed with [`xml::parse`]. Its
    /// fields are personal data: do not log them.
    ///
    /// # Errors
    /// [`Crypto`](crate::ErrorKind::Crypto) if `req_info` is not base64, not a whole number of
    /// 16-byte blocks, or does not decrypt to valid padding (wrong key, tampered);
    /// [`Decode`](crate::ErrorKind::Decode) if the plaintext is not a flat APIv2 document. No
    /// error holds plaintext.
    pub fn decrypt_req_info(&self, req_info_b64: &str) -> Result<BTreeMap<String, String>, Error> {
        let plaintext =
            decrypt_req_info(self.apiv2_key(), req_info_b64).map_err(Error::verifying_notification)?;
        xml::parse(plaintext.expose_secret()).map_err(Error::decoding_notification)
    }

    fn check_notification(&self, map: &BTreeMap<String, String>, signed: bool) -> Result<(), Error> {
        // `return_code` first; `result_code` is the notification's content, not an error of
        // this call; the sign covers every field.
        let mut without_result = map.clone();
        without_result.remove("result_code");
        self.inner
            .provider
            .check_answer(&without_result, false, None, None)?;
        if signed {
            super::sign::verify(map, self.apiv2_key())?;
        }
        Ok(())
    }
}

/// The AES-256 key of `req_info`: the lowercase hex MD5 of the APIv2 key, as 32 ASCII bytes.
fn req_info_key(key: &ApiV2Key) -> Secret<String> {
    Secret::new(hex::encode(Md5::digest(key.expose().as_bytes())))
}

/// The plaintext bytes of `req_info_b64` (see [`Client::decrypt_req_info`]).
fn decrypt_req_info(key: &ApiV2Key, req_info_b64: &str) -> Result<Secret<Vec<u8>>, Error> {
    let mut in_out = BASE64
        .decode(req_info_b64.trim())
        .map_err(|_| Error::crypto("req_info is not valid base64"))?;
    if in_out.is_empty() || in_out.len() % BLOCK != 0 {
        return Err(Error::crypto("req_info is not a whole number of AES blocks"));
    }
    let aes_key = req_info_key(key);
    let cipher = UnboundCipherKey::new(&AES_256, aes_key.expose_secret().as_bytes())
        .and_then(PaddedBlockDecryptingKey::ecb_pkcs7)
        .map_err(|_| Error::crypto("cannot use the APIv2 key's MD5 as an AES-256 key"))?;
    let plaintext = cipher
        .decrypt(&mut in_out, DecryptionContext::None)
        .map_err(|_| Error::crypto("req_info does not decrypt (wrong APIv2 key or tampered data)"))?;
    let plaintext = plaintext.to_vec();
    in_out.fill(0);
    Ok(Secret::new(plaintext))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    /// `v2_refund_req_info_decrypt` (shared/test-vectors).
    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
    const ECB_KEY: &str = "d96eb16afdd491fa1e705096edbc2205";
    const REQ_INFO: &str = "WBzGpzQuNpcFxIlFjUUD9BfnwwNUlVAs7bwvgHME4/Qye/B0ApBITf0W/GPotPSOEzEQIOaZs9EYO4DOrifmCRYlj0HSKB+gKdjJchMaqd95xSi6GXW4jpxoab571C/sOcKr/e7RWL1s5iSUuEU8AmIujMJ1h2zkNN3cfkkqWpA=";
    const PLAINTEXT: &str = "<root><out_refund_no><![CDATA[R20241121001]]></out_refund_no><refund_status><![CDATA[SUCCESS]]></refund_status></root>";

    #[test]
    fn the_vector_decrypts_and_bad_input_is_a_crypto_error() {
        let key = ApiV2Key::new(KEY).expect("key");
        assert_eq!(req_info_key(&key).expose_secret(), ECB_KEY);
        let plaintext = decrypt_req_info(&key, REQ_INFO).expect("decrypts");
        assert_eq!(plaintext.expose_secret().as_slice(), PLAINTEXT.as_bytes());
        for bad in ["not base64!", "", "AAAA", &REQ_INFO[..REQ_INFO.len() - 4]] {
            let e = decrypt_req_info(&key, bad).expect_err(bad);
            assert_eq!(e.kind(), ErrorKind::Crypto, "{bad}");
        }
        let other = ApiV2Key::new("00000000000000000000000000000000").expect("key");
        // A wrong key gives random padding: rejected (2^-8 odds of a valid one-byte padding aside,
        // which this fixed key does not hit).
        let e = decrypt_req_info(&other, REQ_INFO).expect_err("wrong key");
        assert_eq!(e.kind(), ErrorKind::Crypto);
        assert!(!e.to_string().contains("R2024"), "{e}");
    }

    /// Blocks encrypted without padding, so that the padding is what the test says.
    fn ecb_encrypt_raw(key: &ApiV2Key, plaintext: &[u8]) -> String {
        use aws_lc_rs::cipher::EncryptingKey;
        let aes_key = req_info_key(key);
        let cipher =
            EncryptingKey::ecb(UnboundCipherKey::new(&AES_256, aes_key.expose_secret().as_bytes()).unwrap())
                .expect("ECB key");
        let mut in_out = plaintext.to_vec();
        cipher.encrypt(&mut in_out).expect("whole blocks");
        BASE64.encode(in_out)
    }

    #[test]
    fn padding_is_checked_strictly() {
        let key = ApiV2Key::new(KEY).expect("key");
        let body = b"<root><a>1</a></root>"; // 21 bytes: 11 bytes of padding in a 32-byte message
        let padded = |pad: &[u8]| [&body[..], pad].concat();
        let good = ecb_encrypt_raw(&key, &padded(&[11; 11]));
        assert_eq!(
            decrypt_req_info(&key, &good)
                .expect("valid")
                .expose_secret()
                .as_slice(),
            body
        );
        let mut inconsistent = [11_u8; 11];
        inconsistent[0] = 10;
        let mut zero = [11_u8; 11];
        zero[10] = 0;
        let mut too_long = [11_u8; 11];
        too_long[10] = 17;
        for pad in [inconsistent, zero, too_long] {
            let e = decrypt_req_info(&key, &ecb_encrypt_raw(&key, &padded(&pad))).expect_err("bad padding");
            assert_eq!(e.kind(), ErrorKind::Crypto);
        }
    }
}
