//! WeChat Pay notifications as WeChat Pay sends them, for webhook tests: the `resource` sealed
//! with the APIv3 key (AEAD_AES_256_GCM), the envelope signed with the platform key over
//! `TIMESTAMP\nNONCE\nBODY\n`, and the `v3_webhook_verify_and_decrypt` vector of
//! `shared/test-vectors/vectors.json` (values copied).

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderName, HeaderValue};
use sdk_runtime::wechatpay::verify::string_to_verify;
use sdk_runtime::wechatpay::{Client, PrivateKey};

use super::keys::*;
use super::server::{MCHID, MERCHANT_SERIAL, now};

/// `v3_webhook_verify_and_decrypt.apiv3_key`.
pub const APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";

/// `v3_webhook_verify_and_decrypt`: the request headers (timestamp, nonce, serial, signature).
pub const VECTOR_TIMESTAMP: i64 = 1732174801;
pub const VECTOR_NONCE: &str = "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz";
pub const VECTOR_SIGNATURE: &str = "ZGgLAk7WJLFS8mbF3fErdpBMUJ2PJ59Qw4lUoMH8QnbBX7Od8ovE2ebcyg+mRT9b/1mTz+zReUtocLh+TN4WAptoXtBuYjOZGSavlkDbmrDVb1OlhDZ+KZbfMk4CTngeWf9vEUHIB8eriCllkd2qVuUrZUDFEBCdkg8XLat83gpCC/H98jDEguGh5uLfdYvfs9XoI6Daz6f9y8G475eaY8gOn2EDQq2pmU/zfsy9JBa82Bd1XZcKzDiwx7GGcl3EhGff2FVSuzKIliFIJGPj7nK4y+3v1uce3Y0SFwh0mv4a6pfuUqs3YASIkZV5zco5eQF13eXJFXjBuQD37ZrF3g==";
/// `v3_webhook_verify_and_decrypt`: the raw body (a `PAYSCORE.USER_OPEN_SERVICE` envelope).
pub const VECTOR_BODY: &str = "{\"id\":\"EV-2024112115400100001\",\"create_time\":\"2024-11-21T15:40:01+08:00\",\"resource_type\":\"encrypt-resource\",\"event_type\":\"PAYSCORE.USER_OPEN_SERVICE\",\"summary\":\"签约成功\",\"resource\":{\"original_type\":\"payscore\",\"algorithm\":\"AEAD_AES_256_GCM\",\"ciphertext\":\"u2RwJ29svtaLSXFJANHmZ7JNby4gv6k07jx3/rM6DJR6nNUEkWcZjJQukfnYJwg2INJQFTU8xkLsD1VrKLn1kiiZvjEdGdfzKHShKFT/IgNHzcsrO9Cm3o3Lv9lUryOfpI80XQ1VXy61fBTTjv/e3X9hLcWpCoKeBLevbiaqgL8plCwvxwN1tG95Fu1MAon/HTgQW7hVZsIRQW1sDkGlehetd0mgf07sklgmwW4pjiYy13rux17+ZvfZnCgSFk32+o6UWFDZ8PAHc/2l9HJJCV3fR2gJc8Q5sgdVRBk5wHERNj39zPERww==\",\"associated_data\":\"payscore\",\"nonce\":\"Kj7QIyUiYx1q\"}}";
/// `v3_webhook_verify_and_decrypt`: the decrypted resource.
pub const VECTOR_PLAINTEXT: &str = r#"{"mchid":"1900000109","appid":"wxd678efh567hg6787","out_contract_code":"SP20241121001","service_id":"2002000000000558128851361561536","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","user_service_status":"USER_OPEN_SERVICE"}"#;

/// The vector's headers.
pub fn vector_headers() -> HeaderMap {
    headers(
        &VECTOR_TIMESTAMP.to_string(),
        VECTOR_NONCE,
        PLATFORM_PUBLIC_KEY_ID,
        VECTOR_SIGNATURE,
    )
}

/// A client with the test merchant, the test WeChat Pay public key and [`APIV3_KEY`]; requests
/// would go to `http://127.0.0.1:9` (nothing listens: notifications need no request).
pub fn webhook_client() -> Client {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_number(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap()
        .apiv3_key(APIV3_KEY)
        .unwrap()
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

/// A notification of `event_type` whose resource is `plaintext` (sealed with [`APIV3_KEY`]),
/// signed with the platform key at `now + skew_seconds`. Returns the headers and the raw body.
pub fn notification(event_type: &str, plaintext: &str, skew_seconds: i64) -> (HeaderMap, String) {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, APIV3_KEY.as_bytes()).unwrap());
    let nonce = "typednonce01";
    let mut sealed = plaintext.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce.as_bytes().try_into().unwrap()),
        Aad::from(b"transaction"),
        &mut sealed,
    )
    .unwrap();
    let body = serde_json::json!({
        "id": "EV-2026113010000000001",
        "create_time": "2026-11-30T10:00:00+08:00",
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "支付成功",
        "resource": {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": BASE64.encode(sealed),
            "associated_data": "transaction",
            "nonce": nonce,
        }
    })
    .to_string();
    let timestamp = (now() + skew_seconds).to_string();
    let signing_nonce = "typedsigningnonce0123456789abcde";
    let platform = PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap();
    let signature = platform
        .sign_base64(&string_to_verify(&timestamp, signing_nonce, body.as_bytes()))
        .unwrap();
    let headers = headers(&timestamp, signing_nonce, PLATFORM_PUBLIC_KEY_ID, &signature);
    (headers, body)
}

/// The four `Wechatpay-*` headers, `Wechatpay-Signature-Type` and `Content-Type`.
pub fn headers(timestamp: &str, nonce: &str, serial: &str, signature: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("content-type", "application/json"),
        ("wechatpay-timestamp", timestamp),
        ("wechatpay-nonce", nonce),
        ("wechatpay-serial", serial),
        ("wechatpay-signature", signature),
        ("wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048"),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}
