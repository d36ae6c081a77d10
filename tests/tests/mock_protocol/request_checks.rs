//! Requests the mock refuses: bad signatures, identities, timestamps, bodies and routes.

use serde_json::json;

use super::{
    CREATE_SIGN_PLAN, PLATFORM_KEY_ID, STOP_PLAN, STOP_SIGN_PLAN, Signing, assert_error, authorization, now,
    post, send, send_raw, start,
};

#[tokio::test]
async fn authorization_pairs_in_any_order_verify() {
    let server = start();
    let s = Signing::default();
    let auth = authorization("POST", STOP_PLAN, b"{}", &s);
    let params = auth.strip_prefix("WECHATPAY2-SHA256-RSA2048 ").unwrap();
    let mut pairs: Vec<&str> = params.split(',').collect();
    pairs.reverse();
    let reordered = format!("WECHATPAY2-SHA256-RSA2048 {}", pairs.join(","));
    let r = send_raw(&server, "POST", STOP_PLAN, Some(reordered), &[], b"{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn wrong_signature_is_sign_error() {
    let server = start();
    let s = Signing::default();
    let auth = authorization("POST", STOP_PLAN, b"{}", &s);
    // Sign for another path: a well-formed but wrong signature.
    let other = authorization("POST", STOP_SIGN_PLAN, b"{}", &s);
    let good_sig = auth.rsplit_once("signature=").unwrap().1;
    let bad_sig = other.rsplit_once("signature=").unwrap().1;
    let forged = auth.replace(good_sig, bad_sig);
    let r = send_raw(&server, "POST", STOP_PLAN, Some(forged), &[], b"{}").await;
    assert_error(&r, 401, "SIGN_ERROR");
    let r = send_raw(&server, "POST", STOP_PLAN, None, &[], b"{}").await;
    assert_error(&r, 401, "SIGN_ERROR");
}

#[tokio::test]
async fn wrong_mchid_or_serial_is_sign_error() {
    let server = start();
    let s = Signing {
        mchid: "1900000110".into(),
        ..Signing::default()
    };
    assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
    let s = Signing {
        serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into(),
        ..Signing::default()
    };
    assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
}

#[tokio::test]
async fn stale_or_future_timestamp_is_sign_error() {
    let server = start();
    let s = Signing {
        timestamp: now() - 301 - 5,
        ..Signing::default()
    };
    let body = assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
    assert!(body["message"].as_str().unwrap().contains("timestamp"));
    let s = Signing {
        timestamp: now() + 400,
        ..Signing::default()
    };
    assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
    let s = Signing {
        timestamp: now() - 250,
        ..Signing::default()
    };
    assert_eq!(send(&server, "POST", STOP_PLAN, "{}", &s).await.status, 200);
}

#[tokio::test]
async fn altered_body_is_sign_error() {
    let server = start();
    let s = Signing {
        signed_body: Some(br#"{"stop_reason":"a"}"#.to_vec()),
        ..Signing::default()
    };
    let r = send(&server, "POST", STOP_SIGN_PLAN, r#"{"stop_reason":"b"}"#, &s).await;
    assert_error(&r, 401, "SIGN_ERROR");
    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    assert!(!recorded[0].signature_verified);
}

#[tokio::test]
async fn missing_required_field_or_bad_json_is_param_error() {
    let server = start();
    let body = assert_error(&post(&server, STOP_SIGN_PLAN, "{}").await, 400, "PARAM_ERROR");
    assert!(body["detail"].is_object(), "{body}");
    assert_eq!(body["detail"]["field"], "/stop_reason");
    assert_eq!(body["detail"]["location"], "body");

    assert_error(&post(&server, STOP_PLAN, "{not json").await, 400, "PARAM_ERROR");
    assert_error(
        &post(&server, STOP_SIGN_PLAN, r#"{"stop_reason":1}"#).await,
        400,
        "PARAM_ERROR",
    );

    let missing_detail = json!({
        "service_id": "s", "plan_id": "p", "appid": "wx1", "sub_mchid": "1900000110",
        "sub_appid": "wx2", "openid": "o1", "merchant_sign_plan_no": "n"
    });
    let body = assert_error(
        &post(&server, CREATE_SIGN_PLAN, &missing_detail.to_string()).await,
        400,
        "PARAM_ERROR",
    );
    assert_eq!(body["detail"]["field"], "/sign_plan_detail");
}

#[tokio::test]
async fn unknown_route_is_not_found() {
    let server = start();
    assert_error(&post(&server, "/v3/no/such/thing", "{}").await, 404, "NOT_FOUND");
    let r = send(&server, "GET", STOP_PLAN, "", &Signing::default()).await;
    assert_error(&r, 404, "NOT_FOUND");
}

#[tokio::test]
async fn wechatpay_serial_request_header_must_name_platform_key() {
    let server = start();
    let s = Signing::default();
    let auth = authorization("POST", STOP_PLAN, b"{}", &s);
    let ok = [("Wechatpay-Serial", PLATFORM_KEY_ID)];
    let r = send_raw(&server, "POST", STOP_PLAN, Some(auth.clone()), &ok, b"{}").await;
    assert_eq!(r.status, 200);
    let bad = [("Wechatpay-Serial", "PUB_KEY_ID_0000000000000000000000000000")];
    let r = send_raw(&server, "POST", STOP_PLAN, Some(auth), &bad, b"{}").await;
    assert_error(&r, 400, "PARAM_ERROR");
}
