//! End to end: the three seed operations called through the generated `wechatpay-typed` crate, over
//! real HTTP on 127.0.0.1, against the mock server, which verifies each request's signature
//! with the merchant public key and signs its responses with the WeChat Pay (platform) key.

use sdk_runtime::{ErrorKind, SignatureErrorKind};
use wechatpay_typed::v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop as stop_plan;
use wechatpay_typed::v3::payscore::sign_plan::partner::user_sign_plans;
use wechatpay_typed::v3::payscore::sign_plan::user_sign_plans::merchant_sign_plan_no::by_merchant_sign_plan_no::stop as stop_sign_plan;
use wechatpay_mock::InjectFaults;
use wechatpay_mock::{Fault, MockConfig, MockServer, default_shared_dir};

fn key(name: &str) -> String {
    let path = default_shared_dir().join("test-vectors/keys").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mock() -> MockServer {
    let config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
    MockServer::start(config).expect("mock starts")
}

/// A client configured as the merchant of the test vectors, pointed at `server`.
fn client_for(server: &MockServer, merchant_key: &str) -> wechatpay_typed::Client {
    wechatpay_typed::Client::builder()
        .mchid(wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key(merchant_key))
        .expect("merchant key")
        .wechatpay_public_key_pem(
            wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID,
            &key("platform.pub.pem"),
        )
        .expect("platform key")
        .base_url(&server.base_url())
        .build()
        .expect("client")
}

fn partner_sign_plan() -> user_sign_plans::PostRequest {
    user_sign_plans::PostRequest {
        service_id: "2002000000000558128851361561536".into(),
        plan_id: "1234324324".into(),
        appid: "wxd678efh567hg6787".into(),
        sub_mchid: "1900000109".into(),
        sub_appid: "wxd678efh567hg6788".into(),
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
        // Optional through specs/overrides/wechatpay.yaml (the docs' TypeScript marks it required).
        sub_openid: None,
        merchant_sign_plan_no: "SP20241121001".into(),
        notify_url: Some("https://example.com/notify".into()),
        sign_plan_detail: vec![user_sign_plans::PostRequestSignPlanDetail {
            plan_detail_no: 1,
            merchant_plan_detail_no: "D1".into(),
        }],
    }
}

#[tokio::test]
async fn stop_plan_returns_the_typed_plan() {
    let server = mock();
    let client = client_for(&server, "merchant.pem");
    let plan = stop_plan::post(&client, "PLAN20241121").await.expect("stop plan");
    assert_eq!(plan.merchant_plan_no.as_deref(), Some("PLAN20241121"));
    assert_eq!(plan.plan_state.as_deref(), Some("STOPPED"));
    assert_eq!(plan.mchid.as_deref(), Some(wechatpay_mock::TEST_MCHID));
    let details = plan.plan_detail_list.expect("plan_detail_list");
    assert_eq!(details.len(), 2);
    assert!(
        details
            .iter()
            .all(|d| d.plan_detail_no.is_some() && d.actual_price.is_some())
    );
    let stop_time = plan.stop_time.expect("stop_time");
    assert_eq!(stop_time.as_offset_date_time().offset().whole_hours(), 8);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert!(sent.signature_verified, "the mock verified the request signature");
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.target,
        "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop"
    );
    assert_eq!(sent.body, b"{}");
    assert_eq!(
        sent.header("wechatpay-serial"),
        Some(wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID)
    );
}

#[tokio::test]
async fn path_parameters_are_encoded_as_one_segment() {
    let server = mock();
    let client = client_for(&server, "merchant.pem");
    let plan = stop_plan::post(&client, "PLAN 2024/11?#")
        .await
        .expect("stop plan");
    assert_eq!(plan.merchant_plan_no.as_deref(), Some("PLAN 2024/11?#"));
    let sent = &server.requests()[0];
    assert!(sent.signature_verified);
    assert_eq!(
        sent.target,
        "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN%202024%2F11%3F%23/stop"
    );
}

#[tokio::test]
async fn stop_user_sign_plan_sends_the_reason() {
    let server = mock();
    let client = client_for(&server, "merchant.pem");
    let body = stop_sign_plan::PostRequest {
        stop_reason: "用户退出".into(),
    };
    let plan = stop_sign_plan::post(&client, "SP20241121001", &body)
        .await
        .expect("stop sign plan");
    assert_eq!(plan.merchant_sign_plan_no.as_deref(), Some("SP20241121001"));
    assert_eq!(plan.cancel_reason.as_deref(), Some("用户退出"));
    assert!(plan.signed_detail_list.is_some_and(|l| !l.is_empty()));
    let sent = &server.requests()[0];
    assert!(sent.signature_verified);
    assert_eq!(
        sent.body_json(),
        Some(serde_json::json!({"stop_reason": "用户退出"}))
    );
}

#[tokio::test]
async fn create_partner_sign_plan_round_trips_and_tolerates_omitted_fields() {
    let server = mock();
    let client = client_for(&server, "merchant.pem");
    let created = user_sign_plans::post(&client, &partner_sign_plan())
        .await
        .expect("create");
    let plan = created.sign_plan.expect("sign_plan");
    assert_eq!(plan.merchant_sign_plan_no.as_deref(), Some("SP20241121001"));
    assert_eq!(plan.plan_id.as_deref(), Some("1234324324"));
    assert_eq!(plan.sub_mchid.as_deref(), Some("1900000109"));
    assert_eq!(plan.sub_openid, None);
    // The mock omits the fields of a plan not yet signed, as WeChat Pay does.
    assert_eq!(plan.sign_time, None);
    assert_eq!(plan.cancel_reason, None);
    assert!(created.package.is_some_and(|p| !p.is_empty()));
    let sent = server.requests()[0].body_json().expect("json body");
    assert_eq!(sent["sign_plan_detail"][0]["plan_detail_no"], 1);
    assert_eq!(sent["service_id"], "2002000000000558128851361561536");
    assert!(
        sent.get("sub_openid").is_none(),
        "an unset optional field is not sent: {sent}"
    );
}

/// Each response fault the mock can inject, and the signature error kind it must produce.
#[tokio::test]
async fn a_response_that_fails_verification_is_an_error_never_data() {
    let cases = [
        (Fault::Tamper, SignatureErrorKind::InvalidSignature),
        (Fault::StaleTimestamp, SignatureErrorKind::Expired),
        (Fault::SignTestProbe, SignatureErrorKind::SignTest),
        (Fault::WrongSerial, SignatureErrorKind::UnknownSerial),
        (Fault::MissingSignature, SignatureErrorKind::MissingHeader),
    ];
    let server = mock();
    let client = client_for(&server, "merchant.pem");
    for (fault, kind) in cases {
        server.set_fault(fault.clone());
        let err = stop_plan::post(&client, "PLAN1")
            .await
            .expect_err("must not yield data");
        assert_eq!(err.kind(), ErrorKind::Signature(kind), "{fault:?}: {err}");
        let body = stop_sign_plan::PostRequest {
            stop_reason: "r".into(),
        };
        let err = stop_sign_plan::post(&client, "SP1", &body)
            .await
            .expect_err("must not yield data");
        assert_eq!(err.kind(), ErrorKind::Signature(kind), "{fault:?}: {err}");
        let err = user_sign_plans::post(&client, &partner_sign_plan())
            .await
            .expect_err("no data");
        assert_eq!(err.kind(), ErrorKind::Signature(kind), "{fault:?}: {err}");
    }
    server.clear_fault();
    stop_plan::post(&client, "PLAN1")
        .await
        .expect("honest responses verify again");
}

#[tokio::test]
async fn a_request_signed_with_the_wrong_key_is_rejected_with_sign_error() {
    let server = mock();
    // The platform's private key is not the merchant's: the mock must refuse the signature.
    let client = client_for(&server, "platform.pem");
    let err = stop_plan::post(&client, "PLAN1").await.expect_err("rejected");
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.code(), Some("SIGN_ERROR"));
    assert!(err.request_id().is_some());
    assert!(!server.requests()[0].signature_verified);
}

#[tokio::test]
async fn api_errors_carry_status_code_message_and_request_id() {
    let server = mock();
    let client = client_for(&server, "merchant.pem");
    server.set_fault(Fault::Status(404, "ORDER_NOT_EXIST".into()));
    let err = stop_plan::post(&client, "PLAN1").await.expect_err("404");
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.code(), Some("ORDER_NOT_EXIST"));
    assert!(err.message().is_some_and(|m| !m.is_empty()));
    assert!(err.request_id().is_some());
}
