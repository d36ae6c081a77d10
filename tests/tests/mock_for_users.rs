//! The mock as a user's dev-dependency: started on a free port with the test merchant (or app),
//! a client built from the credentials it hands out (as values and as files), a webhook it
//! signs verified by the client; its request log stays bounded; and a slow client (headers or
//! body trickling in, or nothing sent at all) cannot hold a connection.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wechatpay_mock::wonder::{WonderConfig, WonderServer};
use wechatpay_mock::{
    Credentials, MAX_RECORDED_REQUESTS, MockConfig, MockServer, TEST_MCHID, default_shared_dir,
};
use wechatpay_typed::v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop;

mod common;
use common::{wechat_client, wonder_client};

/// How long a test waits for the mock to close a slow connection before failing (a guard
/// against hanging, far above the configured read timeout; not a timing assertion).
const GUARD: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_client_built_from_the_credentials_calls_the_mock_and_verifies_its_webhooks() {
    let mock = MockServer::start_default().expect("the mock starts");
    let creds = mock.credentials();
    assert_eq!(creds.base_url, mock.base_url());
    assert_eq!(creds.mchid, TEST_MCHID);
    let client = wechat_client(&creds);
    let plan = stop::post(&client, "PLAN20241121")
        .await
        .expect("a verified answer");
    assert_eq!(plan.merchant_plan_no.as_deref(), Some("PLAN20241121"));
    assert!(mock.requests()[0].signature_verified);

    let transaction = json!({ "mchid": TEST_MCHID, "out_trade_no": "T1", "trade_state": "SUCCESS" });
    let signed = mock.notification("TRANSACTION.SUCCESS", "transaction", &transaction);
    let notification = client
        .verify_notification(&signed.headers, &signed.body)
        .await
        .expect("the notification verifies and decrypts");
    assert_eq!(notification.event_type(), "TRANSACTION.SUCCESS");
    assert_eq!(notification.original_type(), "transaction");
    let resource: serde_json::Value = notification.resource().expect("JSON resource");
    assert_eq!(resource, transaction);
    let mut tampered = signed.body.clone();
    tampered[2] ^= 1;
    assert!(
        client
            .verify_notification(&signed.headers, &tampered)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_key_files_and_the_snippet_hold_the_same_credentials() {
    let mock = MockServer::start_default().expect("the mock starts");
    let creds = mock.credentials();
    let dir = std::env::temp_dir().join(format!("wechatpay-mock-test-{}", mock.addr().port()));
    let files = creds.write_files(&dir).expect("written");
    let read = |path: &std::path::Path| std::fs::read_to_string(path).expect("key file");
    assert_eq!(read(&files.merchant_private_key), creds.merchant_private_key_pem);
    assert_eq!(read(&files.wechatpay_public_key), creds.wechatpay_public_key_pem);
    assert_eq!(read(&files.platform_certificate), creds.platform_certificate_pem);
    assert_eq!(
        mock.platform_certificates()[0].pem,
        creds.platform_certificate_pem
    );
    // The files build a client that the mock accepts, as the snippet does.
    let from_files = Credentials {
        merchant_private_key_pem: read(&files.merchant_private_key),
        wechatpay_public_key_pem: read(&files.wechatpay_public_key),
        ..creds.clone()
    };
    stop::post(&wechat_client(&from_files), "PLAN1")
        .await
        .expect("a client from the files calls the mock");
    let snippet = creds.client_snippet(&files);
    for needle in [
        format!(".mchid({:?})", creds.mchid),
        format!(".merchant_serial_number({:?})", creds.merchant_serial_number),
        format!(
            "read_to_string({:?})",
            files.merchant_private_key.display().to_string()
        ),
        format!(".wechatpay_public_key_pem({:?}", creds.wechatpay_public_key_id),
        format!(
            "read_to_string({:?})",
            files.wechatpay_public_key.display().to_string()
        ),
        format!(".apiv3_key({:?})", creds.apiv3_key),
        format!(".base_url({:?})", creds.base_url),
    ] {
        assert!(snippet.contains(&needle), "{needle} not in\n{snippet}");
    }
    std::fs::remove_dir_all(&dir).expect("cleaned up");
}

#[tokio::test]
async fn a_wonder_client_built_from_the_credentials_calls_the_mock_and_verifies_its_webhooks() {
    let mock = WonderServer::start_default().expect("the mock starts");
    let creds = mock.credentials();
    let client = wonder_client(&creds);
    use wonder_typed::recurring_payments::{CancelActivateType, CancelPlanIn, cancel_plan};
    let body = CancelPlanIn::new(CancelActivateType::Immediate, true);
    cancel_plan(&client, "plan-1", &body).await.expect("answered");
    assert!(mock.requests()[0].signature_verified);

    let body = br#"{"number":"ORDER-1","state":"paid"}"#;
    let signed = mock
        .sign_webhook("http://127.0.0.1:9/hooks?shop=1", "order.paid", body)
        .expect("signed");
    let mut headers = http::HeaderMap::new();
    for (name, value) in signed.headers() {
        headers.insert(name, value.parse().expect("header value"));
    }
    client
        .verify_webhook("POST", "/hooks?shop=1", &headers, body)
        .expect("verifies with the credentials' webhook key");

    let dir = std::env::temp_dir().join(format!("wonder-mock-test-{}", mock.addr().port()));
    let files = creds.write_files(&dir).expect("written");
    let snippet = creds.client_snippet(&files);
    assert!(
        snippet.contains(&format!(".app_id({:?})", creds.app_id)),
        "{snippet}"
    );
    assert!(
        snippet.contains(&format!(".base_url({:?})", creds.base_url)),
        "{snippet}"
    );
    let key = std::fs::read_to_string(&files.app_private_key).expect("key file");
    assert_eq!(key, creds.app_private_key_pem);
    std::fs::remove_dir_all(&dir).expect("cleaned up");
}

#[tokio::test]
async fn the_request_log_keeps_the_newest_requests_up_to_the_documented_maximum() {
    let mock = MockServer::start_default().expect("the mock starts");
    assert_eq!(mock.config().request_log_capacity, MAX_RECORDED_REQUESTS);
    let http = reqwest::Client::new();
    let extra = 7;
    for i in 0..MAX_RECORDED_REQUESTS + extra {
        // Unsigned: answered 401, recorded all the same.
        let url = format!("{}/v3/certificates?i={i}", mock.base_url());
        let status = http.get(url).send().await.expect("answered").status();
        assert_eq!(status, 401);
    }
    let kept = mock.requests();
    assert_eq!(kept.len(), MAX_RECORDED_REQUESTS);
    assert_eq!(mock.evicted_requests(), extra as u64);
    assert_eq!(kept[0].target, format!("/v3/certificates?i={extra}"));
    let last = MAX_RECORDED_REQUESTS + extra - 1;
    assert_eq!(
        kept.last().expect("one").target,
        format!("/v3/certificates?i={last}")
    );
    let served = http
        .get(format!("{}/__mock/requests", mock.base_url()))
        .send()
        .await
        .expect("admin answer")
        .bytes()
        .await
        .expect("body");
    let served: serde_json::Value = serde_json::from_slice(&served).expect("JSON");
    assert_eq!(served.as_array().map(Vec::len), Some(MAX_RECORDED_REQUESTS));
    mock.clear_requests();
    assert_eq!((mock.requests().len(), mock.evicted_requests()), (0, 0));
}

#[tokio::test]
async fn a_smaller_log_capacity_bounds_the_wonder_log_too() {
    let config = WonderConfig {
        request_log_capacity: 3,
        ..WonderConfig::from_test_vectors(&default_shared_dir()).expect("keys")
    };
    let mock = WonderServer::start(config).expect("the mock starts");
    let http = reqwest::Client::new();
    for i in 0..10 {
        let url = format!("{}/svc/nothing?i={i}", mock.base_url());
        http.get(url).send().await.expect("answered");
        assert!(mock.requests().len() <= 3);
    }
    let targets: Vec<String> = mock.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        ["/svc/nothing?i=7", "/svc/nothing?i=8", "/svc/nothing?i=9"]
    );
    assert_eq!(mock.evicted_requests(), 7);
}

/// Reads until the peer closes the connection; returns what arrived.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(GUARD, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the mock did not close the slow connection");
    String::from_utf8_lossy(&received).into_owned()
}

fn quick_timeout_config() -> MockConfig {
    MockConfig {
        read_timeout: Duration::from_millis(300),
        ..MockConfig::from_test_vectors(&default_shared_dir()).expect("keys")
    }
}

#[tokio::test]
async fn slow_or_silent_connections_are_closed_while_others_are_served() {
    let mock = MockServer::start(quick_timeout_config()).expect("the mock starts");
    // Headers trickling in (slow loris), and a connection that sends nothing at all.
    let mut trickling = TcpStream::connect(mock.addr()).await.expect("connects");
    trickling
        .write_all(b"POST /v3/payscore/plan/payscore-plans HTTP/1.1\r\nHost: mock\r\nX-Slow: 1")
        .await
        .expect("partial headers");
    let mut silent = TcpStream::connect(mock.addr()).await.expect("connects");
    // Meanwhile the mock serves a real client.
    let client = wechat_client(&mock.credentials());
    stop::post(&client, "PLAN20241121")
        .await
        .expect("served while slow clients are connected");
    let answer = read_until_closed(&mut trickling).await;
    assert!(!answer.contains(" 200 "), "{answer}");
    let answer = read_until_closed(&mut silent).await;
    assert!(answer.is_empty() || !answer.contains(" 200 "), "{answer}");
    // The API requests recorded are the real client's only.
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_body_that_does_not_arrive_is_answered_408_and_the_connection_closed() {
    let mock = MockServer::start(quick_timeout_config()).expect("the mock starts");
    let mut stream = TcpStream::connect(mock.addr()).await.expect("connects");
    stream
        .write_all(
            b"POST /v3/payscore/plan/payscore-plans HTTP/1.1\r\nHost: mock\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"out_plan",
        )
        .await
        .expect("headers and the start of the body");
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    let config = WonderConfig {
        read_timeout: Duration::from_millis(300),
        ..WonderConfig::from_test_vectors(&default_shared_dir()).expect("keys")
    };
    let wonder = WonderServer::start(config).expect("the Wonder mock starts");
    let mut stream = TcpStream::connect(wonder.addr()).await.expect("connects");
    stream
        .write_all(b"POST /svc/x HTTP/1.1\r\nHost: mock\r\nContent-Length: 50\r\n\r\n{")
        .await
        .expect("headers and the start of the body");
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let mut silent = TcpStream::connect(wonder.addr()).await.expect("connects");
    assert_eq!(read_until_closed(&mut silent).await, "");
}
