//! Signed requests get verifiable answers that echo what they were sent.

use serde_json::json;
use wechatpay_mock::{MockConfig, MockServer};

use super::{
    CREATE_SIGN_PLAN, MCHID, PLATFORM_KEY_ID, SERIAL, STOP_PLAN, STOP_SIGN_PLAN, post, shared_dir, start,
    verify_response,
};

#[tokio::test]
async fn from_test_vectors_uses_vector_identities() {
    let config = MockConfig::from_test_vectors(&shared_dir()).unwrap();
    assert_eq!(config.mchid, MCHID);
    assert_eq!(config.merchant_serial_no, SERIAL);
    assert_eq!(config.platform_public_key_id, PLATFORM_KEY_ID);
    assert!(config.merchant_public_key_pem.contains("BEGIN PUBLIC KEY"));
    assert!(!format!("{config:?}").contains("BEGIN PRIVATE KEY"));
    let server = MockServer::start(config).unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn signed_stop_plan_gets_200_with_verifiable_signature() {
    let server = start();
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    assert_eq!(
        r.header("Wechatpay-Signature-Type"),
        Some("WECHATPAY2-SHA256-RSA2048")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("Wechatpay-Nonce").unwrap().len(), 32);
    assert!(r.header("Request-ID").unwrap().ends_with("-0"));
    let body = r.json();
    for field in [
        "plan_id",
        "service_id",
        "mchid",
        "appid",
        "merchant_plan_no",
        "plan_name",
        "plan_duration",
        "plan_state",
        "total_original_price",
        "deduction_quantity",
        "total_actual_price",
        "plan_detail_list",
        "stop_mchid",
        "stop_time",
    ] {
        assert!(body.get(field).is_some(), "missing {field} in {body}");
    }
    assert_eq!(body["merchant_plan_no"], "PLAN20241121");
    assert_eq!(body["plan_state"], "STOPPED");
    assert_eq!(body["mchid"], MCHID);
    assert_eq!(body["appid"], "wxd678efh567hg6787");
    assert!(body["total_original_price"].is_u64());
    let details = body["plan_detail_list"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    for d in details {
        for field in [
            "plan_detail_no",
            "plan_detail_name",
            "original_price",
            "plan_discount_description",
            "actual_price",
        ] {
            assert!(d.get(field).is_some(), "missing {field} in {d}");
        }
    }
    let stop_time = body["stop_time"].as_str().unwrap();
    assert_eq!(stop_time.len(), "2024-11-21T15:40:01+08:00".len());
    assert!(stop_time.ends_with("+08:00") && stop_time.as_bytes()[10] == b'T');
}

#[tokio::test]
async fn path_parameters_are_decoded_and_the_raw_target_is_signed() {
    let server = start();
    // (The query is signed as sent too: see `mock_model.rs`; this operation declares none.)
    let target = "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN%2F2024%20A/stop";
    let r = post(&server, target, "{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    assert_eq!(r.json()["merchant_plan_no"], "PLAN/2024 A");
    assert_eq!(server.requests()[0].target, target);
}

#[tokio::test]
async fn stop_user_sign_plan_echoes_number_and_reason() {
    let server = start();
    let r = post(&server, STOP_SIGN_PLAN, r#"{"stop_reason":"用户退课"}"#).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    let body = r.json();
    assert_eq!(body["merchant_sign_plan_no"], "SIGN20241121");
    assert_eq!(body["cancel_reason"], "用户退课");
    for field in [
        "sign_plan_id",
        "openid",
        "service_id",
        "mchid",
        "appid",
        "merchant_sign_plan_no",
        "merchant_callback_url",
        "plan_id",
        "going_detail_no",
        "sign_state",
        "cancel_sign_time",
        "cancel_sign_type",
        "cancel_reason",
        "plan_name",
        "plan_over_time",
        "total_origin_price",
        "deduction_quantity",
        "total_actual_price",
        "signed_detail_list",
        "sign_time",
    ] {
        assert!(body.get(field).is_some(), "missing {field} in {body}");
    }
    assert_eq!(body["signed_detail_list"][0].as_object().unwrap().len(), 12);
}

#[tokio::test]
async fn create_partner_user_sign_plan_echoes_request() {
    let server = start();
    let req = json!({
        "service_id": "2002000000000558128851361561536",
        "plan_id": "01000033210032606914000000007983",
        "appid": "wxd678efh567hg6787",
        "sub_mchid": "1900000110",
        "sub_appid": "wxd678efh567hg6999",
        "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "sub_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "merchant_sign_plan_no": "SIGN-0001",
        "notify_url": "https://example.com/notify",
        "sign_plan_detail": [
            {"plan_detail_no": 1, "merchant_plan_detail_no": "D1"},
            {"plan_detail_no": 2, "merchant_plan_detail_no": "D2"}
        ]
    });
    let r = post(&server, CREATE_SIGN_PLAN, &req.to_string()).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    let body = r.json();
    let plan = &body["sign_plan"];
    for field in [
        "service_id",
        "plan_id",
        "appid",
        "sub_mchid",
        "sub_appid",
        "sub_openid",
        "merchant_sign_plan_no",
    ] {
        assert_eq!(plan[field], req[field], "{field}");
    }
    assert_eq!(plan["merchant_callback_url"], req["notify_url"]);
    assert_eq!(plan["mchid"], MCHID);
    let signed = plan["signed_detail_list"].as_array().unwrap();
    assert_eq!(signed.len(), 2);
    assert_eq!(signed[1]["plan_detail_no"], 2);
    assert_eq!(signed[1]["merchant_plan_detail_no"], "D2");
    assert!(body["package"].as_str().is_some_and(|p| !p.is_empty()));
}
