//! APIv2 notifications as WeChat Pay sends them to a `notify_url`: an `<xml>` document of an
//! event of the model ([`Model::xml_events`]), its members sampled or given, the member that
//! holds a document of its own sealed as the event says (`req_info`: AES-256-ECB keyed by the
//! MD5 of the APIv2 key; `event_ciphertext`: AEAD_AES_256_GCM with the APIv3 key;
//! `sub_order_list`: JSON text), and signed with the APIv2 key when the event declares a `sign`
//! (HMAC-SHA256 when its `sign_type` or `algorithm` says so, else MD5). Deliver it with
//! [`send_notification`](crate::notify::send_notification) like an APIv3 one.
//!
//! Written here, never taken from the runtime under test. Source: the `webhook/v2` pages of the
//! docs, and `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)").

use aws_lc_rs::cipher::{AES_256, PaddedBlockEncryptingKey, UnboundCipherKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use codegen::ir::{Carriage, Event, Field, Type};
use http::{HeaderMap, HeaderValue, header};
use md5::{Digest, Md5};
use serde_json::Value;

use super::sample::sample_scalar;
use super::sign::{SignType, nonce_str, sign};
use super::xml::{Params, to_xml};
use super::{ApiV2Config, ApiV2Server};
use crate::model::Model;
use crate::notify::SignedNotification;
use crate::platform::seal;
use crate::sample::sample_object;

/// The `sign_type` of the notifications the mock signs (WeChat Pay's newer notifications say
/// `HMAC-SHA256`; payscore's `algorithm` member says it too).
const HMAC_SHA256: &str = "HMAC-SHA256";

/// The keys a notification is sealed and signed with.
pub struct NotificationKeys<'a> {
    /// The APIv2 key: signs, and keys `req_info` by its MD5.
    pub apiv2_key: &'a str,
    /// The APIv3 key (32 bytes): seals `event_ciphertext`.
    pub apiv3_key: &'a str,
    /// Sent as `mch_id`.
    pub mch_id: &'a str,
    /// Sent as `appid` / `app_id`.
    pub appid: &'a str,
}

impl ApiV2Server {
    /// A notification of the APIv2 event `name` (`refund-processed`, `CHECK.SUCCESS`) with the
    /// mock's merchant and keys: every member of the model sampled, or as given in `members` (a
    /// JSON object; the opened member's document as an object).
    ///
    /// # Errors
    /// As [`model_xml_notification`].
    pub fn xml_notification(
        &self,
        name: &str,
        members: Option<&Value>,
    ) -> Result<SignedNotification, String> {
        model_xml_notification(self.model(), self.config(), name, members)
    }
}

impl ApiV2Config {
    /// The keys and ids this merchant's notifications are sealed and signed with.
    pub fn notification_keys(&self) -> NotificationKeys<'_> {
        NotificationKeys {
            apiv2_key: &self.key,
            apiv3_key: &self.apiv3_key,
            mch_id: &self.mch_id,
            appid: &self.appid,
        }
    }
}

/// A notification of `model`'s APIv2 event `name` for the merchant of `config`
/// ([`xml_notification`] with [`ApiV2Config::notification_keys`]), without a running server:
/// what [`ApiV2Server::xml_notification`] and the command lines send.
///
/// # Errors
/// The model documents no APIv2 event `name` (the message lists those it does), or `members`
/// is not an object.
pub fn model_xml_notification(
    model: &Model,
    config: &ApiV2Config,
    name: &str,
    members: Option<&Value>,
) -> Result<SignedNotification, String> {
    let event = model.xml_event(name).ok_or_else(|| {
        let names: Vec<&str> = model.xml_events().iter().map(|e| e.name.as_str()).collect();
        format!(
            "unknown APIv2 event `{name}` (the model documents {})",
            names.join(", ")
        )
    })?;
    xml_notification(event, members, &config.notification_keys())
}

/// A notification of `event` (see the module docs), its members sampled or taken from
/// `members`.
///
/// # Errors
/// `members` is not a JSON object, or a given opened document is not an object.
pub fn xml_notification(
    event: &Event,
    members: Option<&Value>,
    keys: &NotificationKeys<'_>,
) -> Result<SignedNotification, String> {
    let given = match members {
        None => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => return Err("the members must be a JSON object".to_owned()),
    };
    let fields: &[Field] = match &event.payload {
        Type::Object { fields } => fields,
        _ => &[],
    };
    let inner = event.xml.as_ref().and_then(|x| x.inner.as_ref());
    let mut params = Params::new();
    for field in fields {
        if inner.is_some_and(|i| i.member == field.name) || field.name == "sign" {
            continue;
        }
        let value = match given.and_then(|g| g.get(&field.name)) {
            Some(value) => text(value),
            None => sample_member(&field.name, &field.ty, keys),
        };
        params.insert(field.name.clone(), value);
    }
    if let Some(inner) = inner {
        let ty = fields
            .iter()
            .find(|f| f.name == inner.member)
            .map_or(&Type::String, |f| &f.ty);
        let document = match (given.and_then(|g| g.get(&inner.member)), ty) {
            (Some(Value::Object(map)), _) => Value::Object(map.clone()),
            (Some(_), _) => return Err(format!("`{}` must be given as an object", inner.member)),
            (None, Type::Object { fields }) => sample_object(fields),
            (None, _) => Value::Object(serde_json::Map::new()),
        };
        let sealed = match inner.carriage {
            Carriage::AesEcb => ecb_seal(keys.apiv2_key, &flat_xml("root", &document)),
            Carriage::AeadAesGcm => {
                let nonce = params
                    .get("event_nonce")
                    .cloned()
                    .unwrap_or_else(|| crate::sign::random_alphanumeric(12));
                let aad = params.get("event_associated_data").cloned().unwrap_or_default();
                let sealed = seal(
                    keys.apiv3_key.as_bytes(),
                    nonce.as_bytes(),
                    aad.as_bytes(),
                    flat_xml("xml", &document).as_bytes(),
                );
                STANDARD.encode(sealed)
            }
            Carriage::Json => document.to_string(),
        };
        params.insert(inner.member.clone(), sealed);
    }
    if fields.iter().any(|f| f.name == "sign") {
        let hmac = [params.get("sign_type"), params.get("algorithm")]
            .into_iter()
            .flatten()
            .any(|v| v == HMAC_SHA256);
        let sign_type = if hmac { SignType::HmacSha256 } else { SignType::Md5 };
        let sign = sign(&params, keys.apiv2_key, sign_type);
        params.insert("sign".to_owned(), sign);
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    Ok(SignedNotification {
        headers,
        body: to_xml(&params).into_bytes(),
    })
}

/// A sampled member: the merchant's ids, a fresh nonce, the HMAC-SHA256 sign type, `SUCCESS`
/// codes, a 12-byte AES-GCM nonce, else [`sample_scalar`].
fn sample_member(name: &str, ty: &Type, keys: &NotificationKeys<'_>) -> String {
    match name {
        "mch_id" => keys.mch_id.to_owned(),
        "appid" | "app_id" => keys.appid.to_owned(),
        "nonce_str" => nonce_str(),
        "sign_type" => HMAC_SHA256.to_owned(),
        "return_code" | "result_code" => "SUCCESS".to_owned(),
        "event_nonce" => crate::sign::random_alphanumeric(12),
        "event_associated_data" => "mock".to_owned(),
        _ => sample_scalar(name, ty),
    }
}

/// A JSON value as XML text: strings as they are, other scalars as JSON writes them.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A flat document `<{root}>…</{root}>` of `document`'s members as text.
fn flat_xml(root: &str, document: &Value) -> String {
    let params: Params = document
        .as_object()
        .map(|map| map.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    let xml = to_xml(&params);
    let inner = xml
        .strip_prefix("<xml>")
        .and_then(|x| x.strip_suffix("</xml>"))
        .unwrap_or(&xml);
    format!("<{root}>{inner}</{root}>")
}

/// `plaintext` sealed as a refund notification's `req_info`: base64 of AES-256-ECB with PKCS#7
/// padding, keyed by the lowercase hex MD5 of the APIv2 key.
pub fn ecb_seal(apiv2_key: &str, plaintext: &str) -> String {
    let key = hex::encode(Md5::digest(apiv2_key.as_bytes()));
    let Ok(cipher) =
        UnboundCipherKey::new(&AES_256, key.as_bytes()).and_then(PaddedBlockEncryptingKey::ecb_pkcs7)
    else {
        return String::new();
    };
    let mut in_out = plaintext.as_bytes().to_vec();
    match cipher.encrypt(&mut in_out) {
        Ok(_) => STANDARD.encode(in_out),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `v2_refund_req_info_decrypt` (shared/test-vectors): the mock seals the vector's plaintext
    /// into the vector's `req_info`.
    #[test]
    fn ecb_seal_reproduces_the_vector() {
        let key = "192006250b4c09247ec02edce69f6a2d";
        let plaintext = "<root><out_refund_no><![CDATA[R20241121001]]></out_refund_no><refund_status><![CDATA[SUCCESS]]></refund_status></root>";
        let req_info = "WBzGpzQuNpcFxIlFjUUD9BfnwwNUlVAs7bwvgHME4/Qye/B0ApBITf0W/GPotPSOEzEQIOaZs9EYO4DOrifmCRYlj0HSKB+gKdjJchMaqd95xSi6GXW4jpxoab571C/sOcKr/e7RWL1s5iSUuEU8AmIujMJ1h2zkNN3cfkkqWpA=";
        assert_eq!(ecb_seal(key, plaintext), req_info);
    }
}
