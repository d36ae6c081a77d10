//! Crypto vectors from `shared/test-vectors/vectors.json` (values copied here): AES-256-GCM with
//! the APIv3 key, RSA-OAEP-SHA1 for sensitive fields, the webhook resource, and platform
//! certificates (made here with rcgen for the test platform key).

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::certs::{certificate_pem, certificates_body};
use common::keys::*;
use sdk_runtime::ErrorKind;
use sdk_runtime::wechatpay::certificates::decrypt_certificates;
use sdk_runtime::wechatpay::{ApiV3Key, PlatformCertificate, PrivateKey, PublicKey};

/// `aes_256_gcm_official` (wechatpay-java AeadAesCipherTest).
const AES_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const AES_NONCE: &str = "uluk4a9R25RW";
const AES_ASSOCIATED_DATA: &str = "associatedData";
const AES_PLAINTEXT: &str = "message";
const AES_CIPHERTEXT_B64: &str = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=";

/// `rsa_oaep_sha1_decrypt_official` (wechatpay-go wechat_pay_decryptor_test.go), key `go_sdk_test_key`.
const OAEP_PLAINTEXT: &str = "hello world";
const OAEP_CIPHERTEXT_B64: &str = "k/ASStqPXJikowOxiCddi8QeBhMcpLV4bjVqvNM9jnoqt1MPvbKSAmaEgYhIP07KUC8suaTCKw6IWsng/BIR2wLicfm1m7mPSosC3xnMb2tU0uA/DQTggN+e0G/akhIZ7d9gL6dj56BYkcy/RgTGHvs9ybIoD6dgCWL/pApgZRnowhKU2ZY1bQbBpudyiWmfBE6kZ+zISN8eb9tNOGucOTkkqz7C0BgGkkUAtu/qVUMo9t/597tGUde7uqVSdrV68XA4FTk9Jxjb3mXSB1u+huX99pY/ku/8evvtR/rhtebQNzHmghiFtEDpPQKwdf3m1akilb3Eum/MvV0Ouxn2dg==";

/// `v3_webhook_verify_and_decrypt`: the `resource` of the body and its plaintext.
const WEBHOOK_APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";
const WEBHOOK_BODY: &str = r#"{"id":"EV-2024112115400100001","create_time":"2024-11-21T15:40:01+08:00","resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功","resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM","ciphertext":"u2RwJ29svtaLSXFJANHmZ7JNby4gv6k07jx3/rM6DJR6nNUEkWcZjJQukfnYJwg2INJQFTU8xkLsD1VrKLn1kiiZvjEdGdfzKHShKFT/IgNHzcsrO9Cm3o3Lv9lUryOfpI80XQ1VXy61fBTTjv/e3X9hLcWpCoKeBLevbiaqgL8plCwvxwN1tG95Fu1MAon/HTgQW7hVZsIRQW1sDkGlehetd0mgf07sklgmwW4pjiYy13rux17+ZvfZnCgSFk32+o6UWFDZ8PAHc/2l9HJJCV3fR2gJc8Q5sgdVRBk5wHERNj39zPERww==","associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}"#;
const WEBHOOK_RESOURCE_PLAINTEXT: &str = r#"{"mchid":"1900000109","appid":"wxd678efh567hg6787","out_contract_code":"SP20241121001","service_id":"2002000000000558128851361561536","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","user_service_status":"USER_OPEN_SERVICE"}"#;

#[test]
fn aes_256_gcm_official() {
    let key = ApiV3Key::new(AES_KEY).unwrap();
    let plaintext = key
        .decrypt(AES_NONCE, AES_ASSOCIATED_DATA, AES_CIPHERTEXT_B64)
        .unwrap();
    assert_eq!(plaintext, AES_PLAINTEXT.as_bytes());
    // Wrong associated data, wrong key, or a flipped bit: authentication fails.
    let err = key.decrypt(AES_NONCE, "other", AES_CIPHERTEXT_B64).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    let other = ApiV3Key::new("b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    assert_eq!(
        other
            .decrypt(AES_NONCE, AES_ASSOCIATED_DATA, AES_CIPHERTEXT_B64)
            .unwrap_err()
            .kind(),
        ErrorKind::Crypto
    );
    let mut raw = BASE64.decode(AES_CIPHERTEXT_B64).unwrap();
    raw[0] ^= 1;
    let tampered = BASE64.encode(raw);
    assert_eq!(
        key.decrypt(AES_NONCE, AES_ASSOCIATED_DATA, &tampered)
            .unwrap_err()
            .kind(),
        ErrorKind::Crypto
    );
    assert_eq!(
        key.decrypt("short", AES_ASSOCIATED_DATA, AES_CIPHERTEXT_B64)
            .unwrap_err()
            .kind(),
        ErrorKind::Crypto
    );
}

#[test]
fn apiv3_key_must_be_32_bytes_and_is_never_printed() {
    for bad in [
        "",
        "0123456789abcdefghijABCDEFGHIJ0",
        "0123456789abcdefghijABCDEFGHIJ012",
    ] {
        let err = ApiV3Key::new(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Build, "{bad:?}");
        assert!(err.to_string().contains("32 bytes"), "{err}");
    }
    // 32 bytes but 31 characters: the key is bytes, not characters.
    assert_eq!(
        ApiV3Key::new("0123456789abcdefghijABCDEFGHIJ中")
            .unwrap_err()
            .kind(),
        ErrorKind::Build
    );
    let key = ApiV3Key::new(WEBHOOK_APIV3_KEY).unwrap();
    assert_eq!(format!("{key:?}"), "ApiV3Key([redacted])");
}

#[test]
fn rsa_oaep_sha1_decrypt_official() {
    let key = PrivateKey::from_pem(GO_SDK_PRIVATE_PKCS8_PEM).unwrap();
    assert_eq!(
        key.decrypt_oaep_base64(OAEP_CIPHERTEXT_B64).unwrap(),
        OAEP_PLAINTEXT
    );
    // Another key cannot decrypt it, and the error does not echo anything secret.
    let merchant = PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS8_PEM).unwrap();
    let err = merchant.decrypt_oaep_base64(OAEP_CIPHERTEXT_B64).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    assert!(!err.to_string().contains(OAEP_PLAINTEXT));
    assert_eq!(
        key.decrypt_oaep_base64("not base64!").unwrap_err().kind(),
        ErrorKind::Crypto
    );
}

#[test]
fn rsa_oaep_sha1_round_trip_is_randomized_and_bounded() {
    let platform_private = PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap();
    let platform_public = PublicKey::from_pem(PLATFORM_PUBLIC_SPKI_PEM).unwrap();
    let a = platform_public.encrypt_oaep_base64("张三".as_bytes()).unwrap();
    let b = platform_public.encrypt_oaep_base64("张三".as_bytes()).unwrap();
    assert_ne!(a, b, "OAEP is randomized");
    assert_eq!(BASE64.decode(&a).unwrap().len(), 256);
    assert_eq!(platform_private.decrypt_oaep_base64(&a).unwrap(), "张三");
    assert_eq!(platform_private.decrypt_oaep_base64(&b).unwrap(), "张三");
    // 214 bytes is the most RSA-2048 OAEP-SHA1 takes.
    assert!(platform_public.encrypt_oaep_base64(&[b'x'; 214]).is_ok());
    let err = platform_public.encrypt_oaep_base64(&[b'x'; 215]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    assert!(err.to_string().contains("214"), "{err}");
}

#[test]
fn webhook_resource_decrypts_with_the_apiv3_key() {
    let body: serde_json::Value = serde_json::from_str(WEBHOOK_BODY).unwrap();
    let resource = &body["resource"];
    assert_eq!(resource["algorithm"], "AEAD_AES_256_GCM");
    let key = ApiV3Key::new(WEBHOOK_APIV3_KEY).unwrap();
    let plaintext = key
        .decrypt(
            resource["nonce"].as_str().unwrap(),
            resource["associated_data"].as_str().unwrap(),
            resource["ciphertext"].as_str().unwrap(),
        )
        .unwrap();
    assert_eq!(String::from_utf8(plaintext).unwrap(), WEBHOOK_RESOURCE_PLAINTEXT);
}

const CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

#[test]
fn platform_certificates_decrypt_and_serials_are_checked() {
    let pem = certificate_pem(PLATFORM_PRIVATE_PKCS8_PEM, CERT_SERIAL);
    let key = ApiV3Key::new(WEBHOOK_APIV3_KEY).unwrap();
    let body = certificates_body(WEBHOOK_APIV3_KEY, &[(CERT_SERIAL, &pem)]);
    let certs = decrypt_certificates(&key, body.as_bytes()).unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].serial_no(), CERT_SERIAL);
    assert!(certs[0].is_valid_at(time::OffsetDateTime::now_utc()));
    // The certificate's key is the platform key: it verifies the platform's signatures.
    let signature = PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM)
        .unwrap()
        .sign(b"m")
        .unwrap();
    assert!(certs[0].public_key().verify(b"m", &signature));

    // Lowercase serial in the listing is the same serial.
    let lower = certificates_body(WEBHOOK_APIV3_KEY, &[(&CERT_SERIAL.to_lowercase(), &pem)]);
    assert_eq!(
        decrypt_certificates(&key, lower.as_bytes()).unwrap()[0].serial_no(),
        CERT_SERIAL
    );

    // A listing whose serial differs from the certificate's is rejected, whole.
    let other = certificate_pem(PLATFORM_PRIVATE_PKCS8_PEM, "11AA");
    let mismatched = certificates_body(WEBHOOK_APIV3_KEY, &[(CERT_SERIAL, &pem), (CERT_SERIAL, &other)]);
    let err = decrypt_certificates(&key, mismatched.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    assert!(err.to_string().contains("serial mismatch"), "{err}");

    // Encrypted with another APIv3 key: rejected.
    let foreign = certificates_body("ABCDEFGHIJ0123456789abcdefghij01", &[(CERT_SERIAL, &pem)]);
    assert_eq!(
        decrypt_certificates(&key, foreign.as_bytes()).unwrap_err().kind(),
        ErrorKind::Crypto
    );

    // Not the expected JSON: a decode error.
    assert_eq!(
        decrypt_certificates(&key, b"{}").unwrap_err().kind(),
        ErrorKind::Decode
    );
    // Not a certificate.
    assert_eq!(
        PlatformCertificate::from_pem(
            CERT_SERIAL,
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Crypto
    );
}
