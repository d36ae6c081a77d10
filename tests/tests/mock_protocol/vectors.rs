//! Values from `shared/test-vectors/vectors.json`.

use wechatpay_mock::MockConfig;

use super::{read_key, shared_dir};

/// Values copied from `shared/test-vectors/vectors.json`, entry `v3_verify_response_ok`.
#[test]
fn vector_v3_verify_response_ok_format_and_signature() {
    let timestamp = "1732174802";
    let nonce = "fdasfwqewlkja484w";
    let body = "{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}";
    let string_to_verify = "1732174802\nfdasfwqewlkja484w\n{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}\n";
    let signature = "cDVeiMIXGeup65/LkhJUW8Z1HZgpY3HVjg+wgSWoI7nu+FPv5hsXsEy4n8w23VnypwwJB+Y9N2qeyMIf5Ity7Z9J54TkJ+Hio8N0uJY4jzMasKxZWBLHK2sgyzJtAOlwKl4J7qBcvcv4E+CNmXvnkMJWL22VOrQQ+w9k6HyqnQ9XEcZV8HxXTfMGnjWB4g2Q+lZ7x04W2imsKHhQ2dLUIBn3oICozOrRQkjgGsKYViLBg+qF7ZGcml3VRKtMKlGlf7uoBbcSJWrYGpn+/cMjDyJ0npE75w3VCC+s3sID5FVApEH1mtecrWq+OA2aGls7KorRuZ0gkWOssg+IyiPtlA==";

    let message = wechatpay_mock::sign::response_message(timestamp, nonce, body.as_bytes());
    assert_eq!(message, string_to_verify.as_bytes());
    let signer = wechatpay_mock::sign::ResponseSigner::from_pem(&read_key("platform.pem")).unwrap();
    assert_eq!(signer.sign(&message), signature);
}

/// Values copied from `shared/test-vectors/vectors.json`, entry `v3_sign_post_json`.
#[test]
fn vector_v3_sign_post_json_verifies_at_its_time() {
    let header = "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"5K8264ILTKCH16CQ2502SI8ZNMTM67VS\",timestamp=\"1732174800\",serial_no=\"3775B6A45ACD588826D15E583A95F5DD00000000\",signature=\"nDOcACF2YQFC2V2zqseHzhj8EIGE4fQj2gT1j4OzLmk+ggMc1hdBCu9coeWuykos4ysRPZSISCA9hGUrVFVXQsfn7dtqGGG9Jzwp4kuQYpsguatN0lUa8Znk/h2t4RLpMD3Bmvpjv9v60kWkEoZO4/aIkZckWT/JDH3//CquzZaHfAGEuh7aABG0EiwmSCfIpu0elSsngwQ/0NYsfhM4mE49wh5VKNUs8HSdU5g/xMIkTI4hTD9tuZfrRp2AYrfdbmb++Jn3FmaqE1Qav7doMImaFuqMaPilaqxJjNbgM4rVLQXw7kq9tDFFySjfG0MADtY9jQaHFgixR6ktuhpqeg==\"";
    let string_to_sign = "POST\n/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop\n1732174800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{}\n";
    let target = "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop";

    let message = wechatpay_mock::auth::request_message(
        "POST",
        target,
        "1732174800",
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        b"{}",
    );
    assert_eq!(message, string_to_sign.as_bytes());
    let config = MockConfig::from_test_vectors(&shared_dir()).unwrap();
    let verifier = wechatpay_mock::auth::RequestVerifier::new(&config).unwrap();
    let auth = verifier
        .verify("POST", target, Some(header), b"{}", 1_732_174_800 + 299)
        .unwrap();
    assert_eq!(auth.nonce_str, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
    assert!(
        verifier
            .verify("POST", target, Some(header), b"{}", 1_732_174_800 + 301)
            .is_err()
    );
    assert!(
        verifier
            .verify("POST", target, Some(header), b"{ }", 1_732_174_800)
            .is_err()
    );
}
