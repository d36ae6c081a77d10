//! Faults: tampered, stale, probe and error answers, set in code or over HTTP.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use wechatpay_mock::InjectFaults;
use wechatpay_mock::{Fault, FaultScope};

use super::{PLATFORM_KEY_ID, STOP_PLAN, assert_error, now, pem_der, post, read_key, start, verify_response};

#[tokio::test]
async fn fault_tamper_breaks_verification_once() {
    let server = start();
    server.set_fault_for(Fault::Tamper, 1);
    assert_eq!(server.fault(), Some((Fault::Tamper, FaultScope::Next(1))));
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_eq!(r.status, 200);
    serde_json::from_slice::<Value>(&r.body).expect("tampered body is still JSON");
    assert_eq!(verify_response(&r), Err("bad signature".into()));
    assert_eq!(server.fault(), None);
    verify_response(&post(&server, STOP_PLAN, "{}").await).unwrap();
}

#[tokio::test]
async fn fault_stale_timestamp_is_600_seconds_old_and_signed() {
    let server = start();
    server.set_fault(Fault::StaleTimestamp);
    let r = post(&server, STOP_PLAN, "{}").await;
    let ts: i64 = r.header("Wechatpay-Timestamp").unwrap().parse().unwrap();
    assert!((now() - 600 - ts).abs() <= 2, "timestamp {ts}");
    assert_eq!(verify_response(&r), Err("stale timestamp".into()));
    // Honest signature over the stale timestamp.
    let mut message = format!("{ts}\n{}\n", r.header("Wechatpay-Nonce").unwrap()).into_bytes();
    message.extend_from_slice(&r.body);
    message.push(b'\n');
    let key = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        pem_der(&read_key("platform.pub.pem")),
    );
    let sig = STANDARD.decode(r.header("Wechatpay-Signature").unwrap()).unwrap();
    key.verify(&message, &sig).unwrap();
    // Applies to all responses until cleared.
    assert_eq!(
        verify_response(&post(&server, STOP_PLAN, "{}").await),
        Err("stale timestamp".into())
    );
    server.clear_fault();
    verify_response(&post(&server, STOP_PLAN, "{}").await).unwrap();
}

#[tokio::test]
async fn fault_signtest_probe_wrong_serial_missing_signature() {
    let server = start();
    server.set_fault_for(Fault::SignTestProbe, 1);
    let r = post(&server, STOP_PLAN, "{}").await;
    let sig = r.header("Wechatpay-Signature").unwrap();
    let garbage = sig.strip_prefix("WECHATPAY/SIGNTEST/").expect("probe prefix");
    assert!(STANDARD.decode(garbage).is_ok());
    assert_eq!(verify_response(&r), Err("signtest probe".into()));

    server.set_fault_for(Fault::WrongSerial, 1);
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_ne!(r.header("Wechatpay-Serial"), Some(PLATFORM_KEY_ID));
    assert!(verify_response(&r).unwrap_err().starts_with("unknown serial"));

    server.set_fault_for(Fault::MissingSignature, 1);
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_eq!(r.status, 200);
    assert!(r.header("Wechatpay-Signature").is_none());
    assert!(r.header("Wechatpay-Timestamp").is_none());
    assert!(r.header("Request-ID").is_some());
}

#[tokio::test]
async fn fault_status_answers_error_body_for_n_responses() {
    let server = start();
    server.set_fault_for(Fault::Status(500, "SYSTEM_ERROR".into()), 2);
    for _ in 0..2 {
        let r = post(&server, STOP_PLAN, "{}").await;
        assert_error(&r, 500, "SYSTEM_ERROR");
    }
    assert_eq!(post(&server, STOP_PLAN, "{}").await.status, 200);
}

#[tokio::test]
async fn faults_can_be_set_over_http() {
    let server = start();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let admin = format!("{}/__mock/fault", server.base_url());
    let put = |body: Value| client.put(&admin).body(body.to_string()).send();

    assert_eq!(put(json!({"fault": "tamper"})).await.unwrap().status(), 200);
    assert_eq!(server.fault(), Some((Fault::Tamper, FaultScope::All)));
    put(json!({"fault": "status", "status": 429, "code": "RATELIMIT_EXCEEDED", "count": 1}))
        .await
        .unwrap();
    assert_error(&post(&server, STOP_PLAN, "{}").await, 429, "RATELIMIT_EXCEEDED");
    for name in [
        "stale_timestamp",
        "sign_test_probe",
        "wrong_serial",
        "missing_signature",
    ] {
        let res = put(json!({"fault": name, "count": 3})).await.unwrap();
        assert_eq!(res.status(), 200, "{name}");
        let (fault, scope) = server.fault().unwrap();
        assert_eq!((fault.name(), scope), (name, FaultScope::Next(3)));
    }
    assert_eq!(put(json!({"fault": "bogus"})).await.unwrap().status(), 400);
    client.delete(&admin).send().await.unwrap();
    assert_eq!(server.fault(), None);
    verify_response(&post(&server, STOP_PLAN, "{}").await).unwrap();
    assert!(server.requests().iter().all(|r| !r.target.starts_with("/__mock")));
}
