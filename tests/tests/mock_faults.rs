//! Each fault does what it says over real HTTP, and every request is counted, faulted or not.

mod support;

use std::time::{Duration, Instant};
use wechatpay_mock::InjectFaults;

use serde_json::{Value, json};
use support::{Client, Payload, start};
use wechatpay_mock::{Fault, FaultRule, FaultScope};

const CERTS: &str = "/v3/certificates";
const TRANSACTION: &str = "/v3/pay/transactions/id/{transaction_id}";

async fn admin_put(server: &wechatpay_mock::MockServer, body: Value) -> (u16, Value) {
    let res = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(format!("{}/__mock/fault", server.base_url()))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (
        status,
        serde_json::from_slice(&res.bytes().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn reset_closes_the_connection_without_a_response() {
    let server = start();
    let client = Client::new(&server);
    server.set_fault_for(Fault::Reset, 2);
    for _ in 0..2 {
        let err = client
            .try_send("GET", CERTS, &[], Payload::None)
            .await
            .expect_err("no response");
        assert!(!err.is_timeout() && !err.is_status(), "{err:?}");
    }
    // The fault is spent: the next attempt (on a new connection) is answered.
    let r = client.get(CERTS).await;
    assert_eq!(r.status, 200);
    r.verify().unwrap();
    assert_eq!(server.request_count(CERTS), 3);
    let faults: Vec<Option<String>> = server.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(faults, [Some("reset".to_owned()), Some("reset".to_owned()), None]);
}

#[tokio::test]
async fn truncated_body_promises_more_bytes_than_it_sends() {
    let server = start();
    let client = Client::new(&server);
    server.set_fault_for(Fault::TruncatedBody, 1);
    let res = client.try_send("GET", CERTS, &[], Payload::None).await.unwrap();
    assert_eq!(res.status(), 200);
    let declared = res.content_length().expect("Content-Length");
    assert!(declared > 1024, "{declared}");
    let err = res.bytes().await.expect_err("body error");
    assert!(err.is_body() || err.is_decode() || err.is_request(), "{err:?}");
    // A download too, and an empty (204) answer.
    server.set_fault_for(Fault::TruncatedBody, 2);
    let res = client
        .try_send("GET", "/v3/billdownload/file?token=t", &[], Payload::None)
        .await
        .unwrap();
    assert_eq!(res.content_length(), Some(200 * 1024 + 1024));
    assert!(res.bytes().await.is_err());
    let res = client
        .try_send(
            "POST",
            "/v3/apply4subject/applyment/A1/cancel",
            &[],
            Payload::Json(b"{}"),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "not a body-less 204");
    assert!(res.bytes().await.is_err());
    assert_eq!(client.get(CERTS).await.status, 200);
}

#[tokio::test]
async fn delay_holds_the_answer_past_a_client_timeout() {
    let server = start();
    server.set_fault_for(Fault::Delay(Duration::from_millis(300)), 1);
    let client = Client::new(&server);
    let started = Instant::now();
    let r = client.get(CERTS).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.status, 200);
    r.verify().unwrap();

    server.set_fault_for(Fault::Delay(Duration::from_millis(400)), 1);
    let impatient = Client::with_timeout(&server, Duration::from_millis(100));
    let err = impatient
        .try_send("GET", CERTS, &[], Payload::None)
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.request_count(CERTS), 2);
}

#[tokio::test]
async fn status_faults_answer_wechat_error_bodies() {
    let server = start();
    let client = Client::new(&server);
    server.set_fault_for(Fault::StatusRetryAfter(429, "RATELIMIT_EXCEEDED".into(), 1), 1);
    let r = client.get(CERTS).await;
    r.assert_error(429, "RATELIMIT_EXCEEDED");
    assert_eq!(r.header("Retry-After"), Some("1"));
    assert!(r.header("Request-ID").is_some());

    server.set_fault_for(Fault::status(503), 1);
    let r = client.get(CERTS).await;
    r.assert_error(503, "SYSTEM_ERROR");
    assert_eq!(r.header("Retry-After"), None);
    server.set_fault_for(Fault::status(500), 1);
    client.get(CERTS).await.assert_error(500, "SYSTEM_ERROR");
    assert_eq!(client.get(CERTS).await.status, 200);
}

#[tokio::test]
async fn faults_can_be_limited_to_a_path_and_counted() {
    let server = start();
    let client = Client::new(&server);
    server.set_fault_on(TRANSACTION, Fault::status(500), FaultScope::Next(2));
    server.push_fault(FaultRule::new(Fault::Tamper, FaultScope::Next(1)).on_path(CERTS));
    assert_eq!(server.fault_rules().len(), 2);

    let tx = "/v3/pay/transactions/id/4200001?mchid=1900000109";
    client.get(tx).await.assert_error(500, "SYSTEM_ERROR");
    let r = client.get(CERTS).await;
    assert_eq!(r.status, 200);
    assert!(r.verify().is_err(), "tampered");
    client.get(tx).await.assert_error(500, "SYSTEM_ERROR");
    assert_eq!(client.get(tx).await.status, 200);
    client.get(CERTS).await.verify().unwrap();
    assert!(server.fault_rules().is_empty());

    assert_eq!(server.request_count(TRANSACTION), 3);
    assert_eq!(
        server.request_count("GET /v3/pay/transactions/id/{transaction_id}"),
        3
    );
    assert_eq!(server.request_count("/v3/pay/transactions/id/4200001"), 3);
    assert_eq!(server.request_count(CERTS), 2);
    assert_eq!(
        server.requests_to(TRANSACTION)[0].fault.as_deref(),
        Some("status")
    );

    let count = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/__mock/requests/count?path={TRANSACTION}",
            server.base_url()
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let count: Value = serde_json::from_slice(&count).unwrap();
    assert_eq!(count["count"], 3);
}

#[tokio::test]
async fn the_new_faults_can_be_set_over_http() {
    let server = start();
    let (status, body) = admin_put(&server, json!({"fault": "delay", "ms": 250, "count": 1})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        server.fault(),
        Some((Fault::Delay(Duration::from_millis(250)), FaultScope::Next(1)))
    );

    let (_, body) = admin_put(
        &server,
        json!({"fault": "status", "status": 429, "retry_after": 1, "count": 1, "path": CERTS}),
    )
    .await;
    assert_eq!(body["rules"].as_array().unwrap().len(), 1, "replaced: {body}");
    assert_eq!(
        server.fault_rules(),
        [FaultRule::new(
            Fault::StatusRetryAfter(429, "RATELIMIT_EXCEEDED".into(), 1),
            FaultScope::Next(1)
        )
        .on_path(CERTS)]
    );
    let (_, body) = admin_put(
        &server,
        json!({"fault": "reset", "path": TRANSACTION, "append": true}),
    )
    .await;
    assert_eq!(body["rules"][1], json!({"fault": "reset", "path": TRANSACTION}));
    let (_, body) = admin_put(&server, json!({"fault": "truncated_body", "count": 2})).await;
    assert_eq!(body["fault"], "truncated_body");
    assert_eq!(admin_put(&server, json!({"fault": "delay"})).await.0, 400);
    assert_eq!(
        admin_put(&server, json!({"fault": "reset", "path": "v3/x"}))
            .await
            .0,
        400
    );

    // Applied: the 429 with Retry-After over HTTP.
    admin_put(
        &server,
        json!({"fault": "status", "status": 429, "retry_after": 1, "count": 1}),
    )
    .await;
    let r = Client::new(&server).get(CERTS).await;
    r.assert_error(429, "RATELIMIT_EXCEEDED");
    assert_eq!(r.header("Retry-After"), Some("1"));
}
