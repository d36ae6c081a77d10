//! End to end, what the merged model (docs + the official SDK's facts + errata) changes for a
//! caller: a refund built with only the fields the official SDK requires, one-of groups, sealed
//! sensitive fields, and responses that keep every field when one has an unexpected shape.

use serde_json::{Value, json};
use wechatpay_mock::{MockConfig, MockServer, default_shared_dir};
use wechatpay_typed::v3::pay::transactions::id::by_transaction_id as order_by_id;
use wechatpay_typed::v3::profitsharing::receivers::add;
use wechatpay_typed::v3::refund::domestic::refunds;

fn key(name: &str) -> String {
    let path = default_shared_dir().join("test-vectors/keys").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mock() -> MockServer {
    let config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
    MockServer::start(config).expect("mock starts")
}

fn client_for(server: &MockServer) -> wechatpay_typed::Client {
    wechatpay_typed::Client::builder()
        .mchid(wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key("merchant.pem"))
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

/// Every string anywhere in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(list) => list.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_refund_with_only_the_required_fields_sends_no_empty_value_and_is_accepted() {
    let server = mock();
    let client = client_for(&server);
    // What the official SDKs send for an ordinary refund: one order id, the refund number and
    // the amount; nothing else.
    let refund = refunds::PostRequest::new(
        refunds::PostRequestOrder::TransactionId("1217752501201407033233368018".into()),
        "1217752501201407033233368999",
        refunds::PostRequestAmount::new(100, 100, "CNY"),
    );
    let answer = refunds::post(&client, &refund)
        .await
        .expect("the mock accepts it");
    assert!(answer.refund_id.is_some());

    let recorded = server.requests_to("/v3/refund/domestic/refunds");
    let body = recorded[0].body_json().expect("a JSON body");
    assert_eq!(
        body,
        json!({
            "transaction_id": "1217752501201407033233368018",
            "out_refund_no": "1217752501201407033233368999",
            "amount": {"refund": 100, "total": 100, "currency": "CNY"}
        })
    );
    let mut values = Vec::new();
    strings(&body, &mut values);
    assert!(values.iter().all(|s| !s.is_empty()), "{body}");
}

#[tokio::test]
async fn the_mock_takes_exactly_one_order_id() {
    let server = mock();
    let client = client_for(&server);
    let refund = |order: Value| {
        let mut body = json!({
            "out_refund_no": "R1",
            "amount": {"refund": 1, "total": 1, "currency": "CNY"}
        });
        body.as_object_mut()
            .expect("object")
            .extend(order.as_object().expect("object").clone());
        body
    };
    // Sent as raw JSON (what a hand-built request could do), the mock enforces the group.
    for (order, status) in [
        (json!({"out_trade_no": "T1"}), 200),
        (json!({"transaction_id": "4200", "out_trade_no": "T1"}), 400),
        (json!({}), 400),
    ] {
        let op =
            sdk_runtime::wechatpay::Operation::new(sdk_runtime::Method::POST, "/v3/refund/domestic/refunds")
                .json(&refund(order.clone()))
                .expect("body");
        let result = client.json::<Value>(op).await;
        match status {
            200 => assert!(result.is_ok(), "{order}: {result:?}"),
            _ => {
                let err = result.expect_err("refused");
                assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{order}: {err}");
            }
        }
    }
}

#[tokio::test]
async fn sensitive_fields_are_encrypted_by_the_call_and_never_shown() {
    let server = mock();
    let client = client_for(&server);
    let receiver = add::PostRequest {
        name: Some("张三".into()),
        ..add::PostRequest::new(
            "wx8888888888888888",
            "PERSONAL_OPENID",
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "PARTNER",
        )
    };
    let debug = format!("{receiver:?}");
    assert!(!debug.contains("张三"), "{debug}");
    add::post(&client, &receiver).await.expect("accepted");
    let recorded = server.requests_to("/v3/profitsharing/receivers/add");
    let r = &recorded[0];
    assert_eq!(r.decrypted_body.get("/name").map(String::as_str), Some("张三"));
    assert!(!String::from_utf8_lossy(&r.body).contains("张三"));
    assert_eq!(
        r.header("wechatpay-serial"),
        Some(wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID)
    );
    // Outside a generated call, a sensitive value cannot be serialized at all.
    assert!(serde_json::to_string(&receiver).is_err());
}

#[test]
fn a_response_field_of_another_shape_loses_nothing_else() {
    let body = json!({
        "appid": "wxd678efh567hg6787",
        "mchid": "1230000109",
        "transaction_id": "1217752501201407033233368018",
        "trade_state": "SUCCESS",
        "success_time": "yesterday at noon",
        "amount": "100",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "a_field_added_later": {"x": 1}
    });
    let order: order_by_id::GetResponse = serde_json::from_value(body).expect("decodes");
    assert_eq!(order.appid.as_deref(), Some("wxd678efh567hg6787"));
    assert_eq!(
        order.transaction_id.as_deref(),
        Some("1217752501201407033233368018")
    );
    assert_eq!(order.trade_state.as_ref().map(|s| s.as_str()), Some("SUCCESS"));
    assert_eq!(
        order.payer.as_ref().and_then(|p| p.openid.as_deref()),
        Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    );
    // The two fields that did not decode, and the unknown one, are kept raw.
    assert!(order.success_time.is_none() && order.amount.is_none());
    assert_eq!(order.unparsed.get("amount"), Some(&json!("100")));
    assert_eq!(
        order.unparsed.get("success_time"),
        Some(&json!("yesterday at noon"))
    );
    assert_eq!(order.unparsed.get("a_field_added_later"), Some(&json!({"x": 1})));
    // `Debug` names them, never their values.
    let debug = format!("{:?}", order.unparsed);
    assert!(
        debug.contains("success_time") && !debug.contains("yesterday"),
        "{debug}"
    );
}
