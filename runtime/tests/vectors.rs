//! Test vectors from `shared/test-vectors/vectors.json`, values copied into this file.
//!
//! Covers RSA-SHA256 signing (official wechatpay-go value), APIv3 request signing (string to sign,
//! signature, Authorization header) and APIv3 response verification (valid, expired, tampered,
//! SIGNTEST probe).

mod common;

use common::keys::*;
use http::{HeaderMap, HeaderName, HeaderValue};
use sdk_runtime::wechatpay::sign::{self, Authorization, Signer};
use sdk_runtime::wechatpay::verify::{self, Verifier};
use sdk_runtime::wechatpay::{KeyStore, PrivateKey, PublicKey};
use sdk_runtime::{ErrorKind, SignatureErrorKind};

struct SignVector {
    mchid: &'static str,
    serial_no: &'static str,
    method: &'static str,
    canonical_url: &'static str,
    timestamp: i64,
    nonce: &'static str,
    body: &'static str,
    string_to_sign: &'static str,
    signature_b64: &'static str,
    authorization_header_example: &'static str,
}

struct VerifyVector {
    timestamp: &'static str,
    nonce: &'static str,
    serial: &'static str,
    signature: &'static str,
    body: &'static str,
}

/// `rsa_sha256_sign_official` (wechatpay-go utils/sign_test.go), key `go_sdk_test_key`.
const RSA_SHA256_MESSAGE: &str = "source";
const RSA_SHA256_SIGNATURE_B64: &str = "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

/// `v3_sign_get_with_query`, key `merchant`.
const V3_SIGN_GET_WITH_QUERY: SignVector = SignVector {
    mchid: "1900000109",
    serial_no: "3775B6A45ACD588826D15E583A95F5DD00000000",
    method: "GET",
    canonical_url: "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900000109",
    timestamp: 1554208460,
    nonce: "593BEC0C930BF1AFEB40B4A08C8FB242",
    body: "",
    string_to_sign: "GET\n/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900000109\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
    signature_b64: "K9c3L9vUwpEUD0Xng0RO6TX6HgSgjJKEdAjqmPuZ1VzREWHPcaTaroNsbNkqDvCYW4mJ4v1zRhT/HV7yPR6fR+Uzqcc2K5RU8bYHy9M/AoAndCfxcSavly5+svvyDT3Nxy9AuMKI/qDHmHafLHsyIvROL6NhtHuyxjSYnpUqewGc/YCQ6BGXE9RT0GQQ/fdb1HHombSyo7rL73RR89VAv+X7BQx6MB/ORoxUBAtVzLMP9t4uJ7KPAWzQDTr8f2sW+tHXZX54qT7igvAS91fesXZiv8LIMDDs/pz3R0xO3yMVHz0ojQbICRbpcJPQiIp6ymFZRha2XtsoAsFFlOwk5Q==",
    authorization_header_example: "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",timestamp=\"1554208460\",serial_no=\"3775B6A45ACD588826D15E583A95F5DD00000000\",signature=\"K9c3L9vUwpEUD0Xng0RO6TX6HgSgjJKEdAjqmPuZ1VzREWHPcaTaroNsbNkqDvCYW4mJ4v1zRhT/HV7yPR6fR+Uzqcc2K5RU8bYHy9M/AoAndCfxcSavly5+svvyDT3Nxy9AuMKI/qDHmHafLHsyIvROL6NhtHuyxjSYnpUqewGc/YCQ6BGXE9RT0GQQ/fdb1HHombSyo7rL73RR89VAv+X7BQx6MB/ORoxUBAtVzLMP9t4uJ7KPAWzQDTr8f2sW+tHXZX54qT7igvAS91fesXZiv8LIMDDs/pz3R0xO3yMVHz0ojQbICRbpcJPQiIp6ymFZRha2XtsoAsFFlOwk5Q==\"",
};

/// `v3_sign_post_json`, key `merchant`.
const V3_SIGN_POST_JSON: SignVector = SignVector {
    mchid: "1900000109",
    serial_no: "3775B6A45ACD588826D15E583A95F5DD00000000",
    method: "POST",
    canonical_url: "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop",
    timestamp: 1732174800,
    nonce: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    body: "{}",
    string_to_sign: "POST\n/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop\n1732174800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{}\n",
    signature_b64: "nDOcACF2YQFC2V2zqseHzhj8EIGE4fQj2gT1j4OzLmk+ggMc1hdBCu9coeWuykos4ysRPZSISCA9hGUrVFVXQsfn7dtqGGG9Jzwp4kuQYpsguatN0lUa8Znk/h2t4RLpMD3Bmvpjv9v60kWkEoZO4/aIkZckWT/JDH3//CquzZaHfAGEuh7aABG0EiwmSCfIpu0elSsngwQ/0NYsfhM4mE49wh5VKNUs8HSdU5g/xMIkTI4hTD9tuZfrRp2AYrfdbmb++Jn3FmaqE1Qav7doMImaFuqMaPilaqxJjNbgM4rVLQXw7kq9tDFFySjfG0MADtY9jQaHFgixR6ktuhpqeg==",
    authorization_header_example: "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"5K8264ILTKCH16CQ2502SI8ZNMTM67VS\",timestamp=\"1732174800\",serial_no=\"3775B6A45ACD588826D15E583A95F5DD00000000\",signature=\"nDOcACF2YQFC2V2zqseHzhj8EIGE4fQj2gT1j4OzLmk+ggMc1hdBCu9coeWuykos4ysRPZSISCA9hGUrVFVXQsfn7dtqGGG9Jzwp4kuQYpsguatN0lUa8Znk/h2t4RLpMD3Bmvpjv9v60kWkEoZO4/aIkZckWT/JDH3//CquzZaHfAGEuh7aABG0EiwmSCfIpu0elSsngwQ/0NYsfhM4mE49wh5VKNUs8HSdU5g/xMIkTI4hTD9tuZfrRp2AYrfdbmb++Jn3FmaqE1Qav7doMImaFuqMaPilaqxJjNbgM4rVLQXw7kq9tDFFySjfG0MADtY9jQaHFgixR6ktuhpqeg==\"",
};

/// `v3_sign_post_seed_partner_sign_plan`, key `merchant`.
const V3_SIGN_POST_SEED_PARTNER_SIGN_PLAN: SignVector = SignVector {
    mchid: "1900000109",
    serial_no: "3775B6A45ACD588826D15E583A95F5DD00000000",
    method: "POST",
    canonical_url: "/v3/payscore/sign-plan/partner/user-sign-plans",
    timestamp: 1732174801,
    nonce: "H5T1K0ZQ0D0W6N3Y2F9Q8R7E6W5T4Y3U",
    body: "{\"service_id\":\"2002000000000558128851361561536\",\"plan_id\":\"1234324324\",\"sub_mchid\":\"1900000109\",\"merchant_sign_plan_no\":\"SP20241121001\",\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\",\"sign_plan_detail\":[{\"plan_detail_no\":1,\"merchant_plan_detail_no\":\"D1\"}]}",
    string_to_sign: "POST\n/v3/payscore/sign-plan/partner/user-sign-plans\n1732174801\nH5T1K0ZQ0D0W6N3Y2F9Q8R7E6W5T4Y3U\n{\"service_id\":\"2002000000000558128851361561536\",\"plan_id\":\"1234324324\",\"sub_mchid\":\"1900000109\",\"merchant_sign_plan_no\":\"SP20241121001\",\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\",\"sign_plan_detail\":[{\"plan_detail_no\":1,\"merchant_plan_detail_no\":\"D1\"}]}\n",
    signature_b64: "b9GjFTrJKg+dFjgbCXOcEwPUCrPAYQS8xX0g16RyskwyQkCHQuwKYvXEAoy3Ijf6vB+xj+CNHltJEfQ39urPL62syqlNb6EZJ4zl19lUMDCLKHP170nVfp3gqSU5PyNg6e8isw4i/K2y5pD/A9u0eudUBLm0i+hueIkruRoKUAv2q/WyAIFE4MA4h/EarufD4WN/reDTm6/QgrWcLnaVKAZ6Nd8uyzrYYNk3gKdD4P8hCyQvL/2ox96UyhAl7JI5c376a6Gg2+zgy+yu7kAa55AINrdYAeNkfoMjqbsxdXNL1mi4ci8BaMlWNjwpmA/uAR3veonixvIVPs7bQbpUzg==",
    authorization_header_example: "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"H5T1K0ZQ0D0W6N3Y2F9Q8R7E6W5T4Y3U\",timestamp=\"1732174801\",serial_no=\"3775B6A45ACD588826D15E583A95F5DD00000000\",signature=\"b9GjFTrJKg+dFjgbCXOcEwPUCrPAYQS8xX0g16RyskwyQkCHQuwKYvXEAoy3Ijf6vB+xj+CNHltJEfQ39urPL62syqlNb6EZJ4zl19lUMDCLKHP170nVfp3gqSU5PyNg6e8isw4i/K2y5pD/A9u0eudUBLm0i+hueIkruRoKUAv2q/WyAIFE4MA4h/EarufD4WN/reDTm6/QgrWcLnaVKAZ6Nd8uyzrYYNk3gKdD4P8hCyQvL/2ox96UyhAl7JI5c376a6Gg2+zgy+yu7kAa55AINrdYAeNkfoMjqbsxdXNL1mi4ci8BaMlWNjwpmA/uAR3veonixvIVPs7bQbpUzg==\"",
};

/// `v3_verify_response_ok`, key `platform`; expect: valid (when now is within 300 s of the timestamp).
const V3_VERIFY_RESPONSE_OK: VerifyVector = VerifyVector {
    timestamp: "1732174802",
    nonce: "fdasfwqewlkja484w",
    serial: "PUB_KEY_ID_0114232134912410000000000000",
    signature: "cDVeiMIXGeup65/LkhJUW8Z1HZgpY3HVjg+wgSWoI7nu+FPv5hsXsEy4n8w23VnypwwJB+Y9N2qeyMIf5Ity7Z9J54TkJ+Hio8N0uJY4jzMasKxZWBLHK2sgyzJtAOlwKl4J7qBcvcv4E+CNmXvnkMJWL22VOrQQ+w9k6HyqnQ9XEcZV8HxXTfMGnjWB4g2Q+lZ7x04W2imsKHhQ2dLUIBn3oICozOrRQkjgGsKYViLBg+qF7ZGcml3VRKtMKlGlf7uoBbcSJWrYGpn+/cMjDyJ0npE75w3VCC+s3sID5FVApEH1mtecrWq+OA2aGls7KorRuZ0gkWOssg+IyiPtlA==",
    body: "{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}",
};

/// `v3_verify_response_tampered`, key `platform`; expect: invalid signature.
const V3_VERIFY_RESPONSE_TAMPERED: VerifyVector = VerifyVector {
    timestamp: "1732174802",
    nonce: "fdasfwqewlkja484w",
    serial: "PUB_KEY_ID_0114232134912410000000000000",
    signature: "cDVeiMIXGeup65/LkhJUW8Z1HZgpY3HVjg+wgSWoI7nu+FPv5hsXsEy4n8w23VnypwwJB+Y9N2qeyMIf5Ity7Z9J54TkJ+Hio8N0uJY4jzMasKxZWBLHK2sgyzJtAOlwKl4J7qBcvcv4E+CNmXvnkMJWL22VOrQQ+w9k6HyqnQ9XEcZV8HxXTfMGnjWB4g2Q+lZ7x04W2imsKHhQ2dLUIBn3oICozOrRQkjgGsKYViLBg+qF7ZGcml3VRKtMKlGlf7uoBbcSJWrYGpn+/cMjDyJ0npE75w3VCC+s3sID5FVApEH1mtecrWq+OA2aGls7KorRuZ0gkWOssg+IyiPtlA==",
    body: "{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"EFFECTIVE\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}",
};

/// `v3_verify_signtest_probe`, key `platform`; expect: invalid signature (a deliberate probe: never accept).
const V3_VERIFY_SIGNTEST_PROBE: VerifyVector = VerifyVector {
    timestamp: "1732174802",
    nonce: "fdasfwqewlkja484w",
    serial: "PUB_KEY_ID_0114232134912410000000000000",
    signature: "WECHATPAY/SIGNTEST/UW8Z1HZgpY3HVjg+wgSWoI7nu+FPv5hsXsEy4n8w23VnypwwJB+Y9N2qeyMIf5Ity7Z9J54TkJ+Hio8N0uJY4jzMasKxZWBLHK2sgyzJtAOlwKl4J7qBcvcv4E+CNmXvnkMJWL22VOrQQ+w9k6HyqnQ9XEcZV8HxXTfMGnjWB4g2Q+lZ7x04W2imsKHhQ2dLUIBn3oICozOrRQkjgGsKYViLBg+qF7ZGcml3VRKtMKlGlf7uoBbcSJWrYGpn+/cMjDyJ0npE75w3VCC+s3sID5FVApEH1mtecrWq+OA2aGls7KorRuZ0gkWOssg+IyiPtlA==",
    body: "{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}",
};

/// `v3_verify_response_ok.string_to_verify`.
const V3_VERIFY_RESPONSE_OK_STRING_TO_VERIFY: &str = "1732174802\nfdasfwqewlkja484w\n{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}\n";
/// `v3_verify_response_ok.headers.Request-ID`.
const V3_VERIFY_RESPONSE_OK_REQUEST_ID: &str = "08F78BB5AF0610D302189F99DD5C20BA56F89845-0";

fn merchant_key() -> PrivateKey {
    PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS8_PEM).unwrap()
}

fn platform_verifier() -> Verifier {
    let keys = KeyStore::new();
    keys.insert(
        PLATFORM_PUBLIC_KEY_ID,
        PublicKey::from_pem(PLATFORM_PUBLIC_SPKI_PEM).unwrap(),
    );
    Verifier::new(keys)
}

fn headers_of(v: &VerifyVector) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in [
        ("Wechatpay-Timestamp", v.timestamp),
        ("Wechatpay-Nonce", v.nonce),
        ("Wechatpay-Serial", v.serial),
        ("Wechatpay-Signature", v.signature),
    ] {
        h.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_static(value),
        );
    }
    h
}

fn timestamp_of(v: &VerifyVector) -> i64 {
    v.timestamp.parse().unwrap()
}

#[test]
fn rsa_sha256_sign_official() {
    let key = PrivateKey::from_pem(GO_SDK_PRIVATE_PKCS8_PEM).unwrap();
    let signature = key.sign_base64(RSA_SHA256_MESSAGE.as_bytes()).unwrap();
    assert_eq!(signature, RSA_SHA256_SIGNATURE_B64);
    let public = PublicKey::from_pem(GO_SDK_PUBLIC_SPKI_PEM).unwrap();
    assert!(public.verify_base64(RSA_SHA256_MESSAGE.as_bytes(), RSA_SHA256_SIGNATURE_B64));
    assert!(!public.verify_base64(b"sourcE", RSA_SHA256_SIGNATURE_B64));
}

fn check_sign_vector(v: &SignVector, key: PrivateKey) {
    let string_to_sign =
        sign::string_to_sign(v.method, v.canonical_url, v.timestamp, v.nonce, v.body.as_bytes());
    assert_eq!(String::from_utf8(string_to_sign).unwrap(), v.string_to_sign);

    let signer = Signer::new(v.mchid, v.serial_no, key);
    let header = signer
        .authorization(v.method, v.canonical_url, v.timestamp, v.nonce, v.body.as_bytes())
        .unwrap();
    // Field order is free, but ours happens to match the example exactly.
    assert_eq!(header, v.authorization_header_example);

    let parsed = Authorization::parse(&header).expect("Authorization parses");
    assert_eq!(parsed.mchid, v.mchid);
    assert_eq!(parsed.nonce_str, v.nonce);
    assert_eq!(parsed.timestamp, v.timestamp.to_string());
    assert_eq!(parsed.serial_no, v.serial_no);
    assert_eq!(parsed.signature, v.signature_b64);
    assert_eq!(
        Authorization::parse(v.authorization_header_example),
        Some(parsed.clone())
    );

    let merchant_public = PublicKey::from_pem(MERCHANT_PUBLIC_SPKI_PEM).unwrap();
    assert!(parsed.verify(&merchant_public, v.method, v.canonical_url, v.body.as_bytes()));
    assert!(!parsed.verify(&merchant_public, v.method, "/v3/other", v.body.as_bytes()));
}

#[test]
fn v3_sign_get_with_query() {
    check_sign_vector(&V3_SIGN_GET_WITH_QUERY, merchant_key());
}

#[test]
fn v3_sign_post_json() {
    check_sign_vector(&V3_SIGN_POST_JSON, merchant_key());
}

#[test]
fn v3_sign_post_seed_partner_sign_plan() {
    check_sign_vector(&V3_SIGN_POST_SEED_PARTNER_SIGN_PLAN, merchant_key());
}

#[test]
fn pkcs1_merchant_key_signs_like_pkcs8() {
    let key = PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS1_PEM).unwrap();
    check_sign_vector(&V3_SIGN_POST_JSON, key);
    let key = PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS1_PEM).unwrap();
    check_sign_vector(&V3_SIGN_GET_WITH_QUERY, key);
}

#[test]
fn merchant_public_key_derived_from_private_key_verifies() {
    let key = merchant_key();
    let signature = key.sign(b"hello").unwrap();
    assert_eq!(signature.len(), 256);
    assert!(key.public_key().verify(b"hello", &signature));
    let spki = PublicKey::from_pem(MERCHANT_PUBLIC_SPKI_PEM).unwrap();
    assert!(spki.verify(b"hello", &signature));
}

#[test]
fn bad_key_material_is_a_build_error_without_echo() {
    for pem in [
        "",
        "not a pem",
        MERCHANT_PUBLIC_SPKI_PEM,
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIB!!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
    ] {
        let err = PrivateKey::from_pem(pem).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Build, "{pem}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("MIIEvQIB"), "{shown}");
    }
    assert_eq!(
        PublicKey::from_pem(MERCHANT_PRIVATE_PKCS8_PEM)
            .unwrap_err()
            .kind(),
        ErrorKind::Build
    );
}

#[test]
fn v3_verify_response_ok() {
    let v = &V3_VERIFY_RESPONSE_OK;
    assert_eq!(
        verify::string_to_verify(v.timestamp, v.nonce, v.body.as_bytes()),
        V3_VERIFY_RESPONSE_OK_STRING_TO_VERIFY.as_bytes()
    );
    let verifier = platform_verifier();
    let mut headers = headers_of(v);
    headers.insert(
        "Request-ID",
        HeaderValue::from_static(V3_VERIFY_RESPONSE_OK_REQUEST_ID),
    );
    let ts = timestamp_of(v);
    for now in [ts, ts + 300, ts - 300] {
        verifier
            .verify(&headers, v.body.as_bytes(), now)
            .unwrap_or_else(|e| panic!("now = {now}: {e}"));
    }
    for now in [ts + 301, ts - 301] {
        let err = verifier.verify(&headers, v.body.as_bytes(), now).unwrap_err();
        assert_eq!(err.kind(), SignatureErrorKind::Expired, "now = {now}");
    }
    // The signature type header: the supported one is accepted, another one is not.
    headers.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"),
    );
    verifier.verify(&headers, v.body.as_bytes(), ts).unwrap();
    headers.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"),
    );
    let err = verifier.verify(&headers, v.body.as_bytes(), ts).unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::UnsupportedSignatureType);
}

#[test]
fn v3_verify_response_ok_fails_with_unknown_serial_bad_timestamp_or_missing_header() {
    let v = &V3_VERIFY_RESPONSE_OK;
    let ts = timestamp_of(v);
    let verifier = platform_verifier();

    let mut headers = headers_of(v);
    headers.insert("Wechatpay-Serial", HeaderValue::from_static("PUB_KEY_ID_OTHER"));
    let err = verifier.verify(&headers, v.body.as_bytes(), ts).unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::UnknownSerial);

    let mut headers = headers_of(v);
    headers.insert("Wechatpay-Timestamp", HeaderValue::from_static("17321748O2"));
    let err = verifier.verify(&headers, v.body.as_bytes(), ts).unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::BadTimestamp);

    for name in [
        "Wechatpay-Timestamp",
        "Wechatpay-Nonce",
        "Wechatpay-Serial",
        "Wechatpay-Signature",
    ] {
        let mut headers = headers_of(v);
        headers.remove(name);
        let err = verifier.verify(&headers, v.body.as_bytes(), ts).unwrap_err();
        assert_eq!(err.kind(), SignatureErrorKind::MissingHeader, "{name}");
        assert!(err.to_string().contains(name), "{err}");
    }

    // A signature that is not base64 is simply invalid.
    let mut headers = headers_of(v);
    headers.insert("Wechatpay-Signature", HeaderValue::from_static("%%%"));
    let err = verifier.verify(&headers, v.body.as_bytes(), ts).unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::InvalidSignature);
}

#[test]
fn v3_verify_response_tampered() {
    let v = &V3_VERIFY_RESPONSE_TAMPERED;
    let err = platform_verifier()
        .verify(&headers_of(v), v.body.as_bytes(), timestamp_of(v))
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::InvalidSignature);
}

#[test]
fn v3_verify_signtest_probe() {
    let v = &V3_VERIFY_SIGNTEST_PROBE;
    let verifier = platform_verifier();
    let err = verifier
        .verify(&headers_of(v), v.body.as_bytes(), timestamp_of(v))
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::SignTest);
    // Its own kind even when the clock is off or the serial is unknown.
    let err = verifier
        .verify(&headers_of(v), v.body.as_bytes(), timestamp_of(v) + 10_000)
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::SignTest);
    let empty = Verifier::new(KeyStore::new());
    let err = empty
        .verify(&headers_of(v), v.body.as_bytes(), timestamp_of(v))
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::SignTest);
}

/// `v3_webhook_verify_and_decrypt`, key `platform`: the notification's signature (over the raw
/// request body, as for a response). Decrypting its `resource` belongs to the webhook support.
const V3_WEBHOOK: VerifyVector = VerifyVector {
    timestamp: "1732174801",
    nonce: "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz",
    serial: "PUB_KEY_ID_0114232134912410000000000000",
    signature: "ZGgLAk7WJLFS8mbF3fErdpBMUJ2PJ59Qw4lUoMH8QnbBX7Od8ovE2ebcyg+mRT9b/1mTz+zReUtocLh+TN4WAptoXtBuYjOZGSavlkDbmrDVb1OlhDZ+KZbfMk4CTngeWf9vEUHIB8eriCllkd2qVuUrZUDFEBCdkg8XLat83gpCC/H98jDEguGh5uLfdYvfs9XoI6Daz6f9y8G475eaY8gOn2EDQq2pmU/zfsy9JBa82Bd1XZcKzDiwx7GGcl3EhGff2FVSuzKIliFIJGPj7nK4y+3v1uce3Y0SFwh0mv4a6pfuUqs3YASIkZV5zco5eQF13eXJFXjBuQD37ZrF3g==",
    body: "{\"id\":\"EV-2024112115400100001\",\"create_time\":\"2024-11-21T15:40:01+08:00\",\"resource_type\":\"encrypt-resource\",\"event_type\":\"PAYSCORE.USER_OPEN_SERVICE\",\"summary\":\"签约成功\",\"resource\":{\"original_type\":\"payscore\",\"algorithm\":\"AEAD_AES_256_GCM\",\"ciphertext\":\"u2RwJ29svtaLSXFJANHmZ7JNby4gv6k07jx3/rM6DJR6nNUEkWcZjJQukfnYJwg2INJQFTU8xkLsD1VrKLn1kiiZvjEdGdfzKHShKFT/IgNHzcsrO9Cm3o3Lv9lUryOfpI80XQ1VXy61fBTTjv/e3X9hLcWpCoKeBLevbiaqgL8plCwvxwN1tG95Fu1MAon/HTgQW7hVZsIRQW1sDkGlehetd0mgf07sklgmwW4pjiYy13rux17+ZvfZnCgSFk32+o6UWFDZ8PAHc/2l9HJJCV3fR2gJc8Q5sgdVRBk5wHERNj39zPERww==\",\"associated_data\":\"payscore\",\"nonce\":\"Kj7QIyUiYx1q\"}}",
};

#[test]
fn v3_webhook_signature_verifies_over_the_raw_body() {
    let v = &V3_WEBHOOK;
    let verifier = platform_verifier();
    let mut headers = headers_of(v);
    headers.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"),
    );
    verifier
        .verify(&headers, v.body.as_bytes(), timestamp_of(v))
        .expect("the vector's notification verifies");
    // One changed byte of the body, or the notification replayed after the window, fails.
    let altered = v.body.replace("USER_OPEN_SERVICE", "USER_CLOSE_SERVICE");
    let err = verifier
        .verify(&headers, altered.as_bytes(), timestamp_of(v))
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::InvalidSignature);
    let err = verifier
        .verify(&headers, v.body.as_bytes(), timestamp_of(v) + 301)
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::Expired);
}

/// `v3_webhook_verify_and_decrypt`: the APIv3 key and the decrypted `resource`.
const V3_WEBHOOK_APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";
const V3_WEBHOOK_RESOURCE_PLAINTEXT: &str = r#"{"mchid":"1900000109","appid":"wxd678efh567hg6787","out_contract_code":"SP20241121001","service_id":"2002000000000558128851361561536","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","user_service_status":"USER_OPEN_SERVICE"}"#;

fn webhook_client(apiv3_key: Option<&str>) -> sdk_runtime::wechatpay::Client {
    let mut builder = sdk_runtime::wechatpay::Client::builder()
        .mchid("1900000109")
        .merchant_serial_number("3775B6A45ACD588826D15E583A95F5DD00000000")
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap();
    if let Some(key) = apiv3_key {
        builder = builder.apiv3_key(key).unwrap();
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn v3_webhook_verify_and_decrypt() {
    let v = &V3_WEBHOOK;
    let client = webhook_client(Some(V3_WEBHOOK_APIV3_KEY));
    let headers = headers_of(v);
    let notification = client
        .verify_notification_at(&headers, v.body.as_bytes(), timestamp_of(v))
        .await
        .unwrap();
    assert_eq!(notification.id(), "EV-2024112115400100001");
    assert_eq!(notification.event_type(), "PAYSCORE.USER_OPEN_SERVICE");
    assert_eq!(notification.original_type(), "payscore");
    assert_eq!(notification.summary(), "签约成功");
    assert_eq!(notification.plaintext(), V3_WEBHOOK_RESOURCE_PLAINTEXT);
    let resource: serde_json::Value = notification.resource().unwrap();
    assert_eq!(resource["openid"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    // Debug never shows the decrypted personal data.
    assert!(!format!("{notification:?}").contains("oUpF8uMuAJO"));

    // With the real clock the vector is long expired: never accepted.
    let err = client
        .verify_notification(&headers, v.body.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature(SignatureErrorKind::Expired));
    // A tampered body fails before any decryption.
    let altered = v.body.replace("签约成功", "签约失败");
    let err = client
        .verify_notification_at(&headers, altered.as_bytes(), timestamp_of(v))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::InvalidSignature)
    );
    // Another APIv3 key cannot decrypt it; no key at all is a configuration error.
    let other = webhook_client(Some("ABCDEFGHIJ0123456789abcdefghij01"));
    let err = other
        .verify_notification_at(&headers, v.body.as_bytes(), timestamp_of(v))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    let err = webhook_client(None)
        .verify_notification_at(&headers, v.body.as_bytes(), timestamp_of(v))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
}
