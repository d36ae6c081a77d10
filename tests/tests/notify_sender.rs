//! The notification sender over real HTTP on 127.0.0.1: an axum receiver on a free port gets
//! what [`send_notification`] POSTs, answers as scripted, and the runtime client verifies and
//! decrypts what arrived; failed deliveries are retried (same id, same body) on a compressed
//! schedule. Events come from the model: one built here, and every event the specs document.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use wechatpay_mock::model::Model;
use wechatpay_mock::sample::sample_event;
use wechatpay_mock::{
    MockConfig, MockServer, RetryPolicy, SignedNotification, default_shared_dir, original_type_of,
    send_notification,
};

#[allow(dead_code)] // the Wonder client is not used here
mod common;
use common::wechat_client as client;

/// What a receiver got, oldest first.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// The statuses a receiver answers, in order; the last one repeats.
#[derive(Clone)]
struct Receiver {
    script: Arc<Vec<u16>>,
    received: Received,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let n = {
        let mut received = receiver.received.lock().unwrap();
        received.push((headers, body));
        received.len()
    };
    let script = &receiver.script;
    let status = script[(n - 1).min(script.len() - 1)];
    let reply = if (200..300).contains(&status) {
        String::new()
    } else {
        json!({ "code": "FAIL", "message": format!("attempt {n} refused") }).to_string()
    };
    (StatusCode::from_u16(status).unwrap(), reply)
}

/// Starts a receiver on a free port of 127.0.0.1 answering `script`; returns its `/notify` URL.
async fn receiver(script: &[u16]) -> (String, Received) {
    let received = Received::default();
    let state = Receiver {
        script: Arc::new(script.to_vec()),
        received: Arc::clone(&received),
    };
    let app = Router::new().route("/notify", post(receive)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// Two documents declaring events as the importer writes them (YAML of the IR).
const EVENT_DOCUMENTS: [&str; 2] = [
    r#"
source: openapi/v3/pay/transactions/notify.md
title: 支付成功通知
operations: []
events:
- name: TRANSACTION.SUCCESS
  summary: 支付成功通知
  original_types: [transaction]
  payload:
    type: object
    fields:
    - name: mchid
      type: string
    - name: out_trade_no
      type: string
    - name: trade_state
      type: enum
      values: [SUCCESS, REFUND]
    - name: attach
      optional: true
      type: string
    - name: amount
      type: object
      fields:
      - name: total
        type: integer
      - name: currency
        optional: true
        type: string
"#,
    r#"
source: openapi/v3/refund/domestic/notify.md
title: 退款结果通知
operations: []
events:
- name: REFUND.SUCCESS
  summary: 退款成功通知
  payload:
    type: object
    fields:
    - name: refund_id
      type: string
    - name: refund_status
      type: enum
      values: [SUCCESS, CLOSED, ABNORMAL]
- name: REFUND.ABNORMAL
  payload:
    type: object
    fields:
    - name: refund_id
      type: string
"#,
];

/// A mock whose model holds the events of [`EVENT_DOCUMENTS`] (and no operations).
fn mock_with_events() -> MockServer {
    let documents = EVENT_DOCUMENTS
        .iter()
        .map(|text| codegen::model::document_from_yaml(text).expect("event document"))
        .collect();
    let mut config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test vectors");
    config.model = Some(Arc::new(Model::from_documents(documents)));
    MockServer::start(config).expect("the mock starts")
}

/// The id of a notification body.
fn id_of(body: &[u8]) -> String {
    let envelope: Value = serde_json::from_slice(body).expect("JSON envelope");
    envelope["id"].as_str().expect("id").to_owned()
}

/// Verifies `notification` with a client built from `mock`'s credentials and returns the
/// decrypted resource and its `original_type`.
async fn open(mock: &MockServer, headers: &HeaderMap, body: &[u8]) -> (Value, String) {
    let verified = client(&mock.credentials())
        .verify_notification(headers, body)
        .await
        .expect("the notification verifies and decrypts");
    let resource = verified.resource().expect("JSON resource");
    (resource, verified.original_type().to_owned())
}

/// Milliseconds instead of WeChat Pay's 15 s … 6 h.
fn compressed() -> RetryPolicy {
    RetryPolicy::scaled(0.0001)
}

#[tokio::test]
async fn a_notification_answered_2xx_is_delivered_once_and_verifies_as_received() {
    let mock = mock_with_events();
    let notification = mock
        .event_notification("TRANSACTION.SUCCESS", None)
        .expect("a documented event");
    let (url, received) = receiver(&[200]).await;
    let delivery = send_notification(&url, &notification, &RetryPolicy::default())
        .await
        .expect("sent");
    assert!(delivery.delivered);
    assert_eq!(delivery.attempts.len(), 1);
    assert_eq!(delivery.attempts[0].status, Some(200));
    assert_eq!(delivery.attempts[0].error, None);
    let (headers, body) = received.lock().unwrap()[0].clone();
    assert_eq!(&body[..], &notification.body[..]);
    let (resource, original_type) = open(&mock, &headers, &body).await;
    let event = mock.model().event("TRANSACTION.SUCCESS").unwrap();
    assert_eq!(resource, sample_event(event));
    assert_eq!(original_type, "transaction");
    // Every field, optional ones too; enums their first value.
    assert_eq!(resource["trade_state"], "SUCCESS");
    assert!(resource["attach"].is_string());
    assert!(resource["amount"]["currency"].is_string());
    let envelope: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(envelope["summary"], "支付成功通知");
    assert_eq!(envelope["event_type"], "TRANSACTION.SUCCESS");
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_notification_again_until_it_answers_2xx() {
    let mock = mock_with_events();
    let notification = mock.event_notification("REFUND.SUCCESS", None).unwrap();
    let (url, received) = receiver(&[500, 500, 200]).await;
    let delivery = send_notification(&url, &notification, &compressed())
        .await
        .expect("sent");
    assert!(delivery.delivered);
    let statuses: Vec<_> = delivery.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    assert!(delivery.attempts[0].body.contains("\"code\":\"FAIL\""));
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let id = notification.id().expect("id");
    for (headers, body) in &received {
        assert_eq!(&body[..], &notification.body[..], "the same body every time");
        assert_eq!(id_of(body), id);
        assert_eq!(
            headers["wechatpay-signature"],
            notification.headers["wechatpay-signature"]
        );
    }
    let (headers, body) = &received[2];
    let (resource, original_type) = open(&mock, headers, body).await;
    assert_eq!(
        original_type, "refund",
        "the first segment of the name, lower case"
    );
    assert_eq!(resource["refund_status"], "SUCCESS");
}

#[tokio::test]
async fn a_receiver_that_always_fails_gets_one_attempt_and_every_retry() {
    let mock = mock_with_events();
    let notification = mock.event_notification("REFUND.ABNORMAL", None).unwrap();
    let (url, received) = receiver(&[503]).await;
    let policy = RetryPolicy {
        schedule: vec![
            Duration::from_millis(1),
            Duration::from_millis(2),
            Duration::from_millis(3),
        ],
        time_scale: 1.0,
        retries: true,
    };
    let delivery = send_notification(&url, &notification, &policy).await.unwrap();
    assert!(!delivery.delivered);
    assert_eq!(delivery.attempts.len(), 1 + policy.schedule.len());
    assert!(delivery.attempts.iter().all(|a| a.status == Some(503)));
    assert_eq!(received.lock().unwrap().len(), 1 + policy.schedule.len());

    // Without retries: one attempt.
    let once = send_notification(&url, &notification, &RetryPolicy::once())
        .await
        .unwrap();
    assert_eq!((once.attempts.len(), once.delivered), (1, false));
}

#[tokio::test]
async fn no_connection_is_a_failed_attempt_with_an_error() {
    let mock = mock_with_events();
    let notification = mock.event_notification("REFUND.ABNORMAL", None).unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let policy = RetryPolicy {
        schedule: vec![Duration::from_millis(1)],
        ..RetryPolicy::default()
    };
    let url = format!("http://127.0.0.1:{port}/notify");
    let delivery = send_notification(&url, &notification, &policy).await.unwrap();
    assert!(!delivery.delivered);
    assert_eq!(delivery.attempts.len(), 2);
    for attempt in &delivery.attempts {
        assert_eq!(attempt.status, None);
        assert!(attempt.error.is_some());
    }
    assert!(
        send_notification("ftp://127.0.0.1/x", &notification, &policy)
            .await
            .is_err()
    );
    let bad_scale = RetryPolicy {
        time_scale: f64::NAN,
        ..policy
    };
    assert!(send_notification(&url, &notification, &bad_scale).await.is_err());
}

#[tokio::test]
async fn an_unknown_event_without_a_resource_is_an_error_naming_it_and_close_names() {
    let mock = mock_with_events();
    let error = mock
        .event_notification("TRANSACTION.SUCESS", None)
        .expect_err("not documented");
    assert!(error.contains("TRANSACTION.SUCESS"), "{error}");
    assert!(error.contains("TRANSACTION.SUCCESS"), "{error}");
    let error = mock.event_notification("NO.SUCH_EVENT", None).unwrap_err();
    assert!(error.contains("NO.SUCH_EVENT"), "{error}");

    let names: Vec<String> = mock.documented_events().into_iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        ["REFUND.ABNORMAL", "REFUND.SUCCESS", "TRANSACTION.SUCCESS"]
    );
}

#[tokio::test]
async fn a_given_resource_is_sent_for_any_event_and_decrypts_to_itself() {
    let mock = mock_with_events();
    let (url, received) = receiver(&[204]).await;
    let resource = json!({ "stock_id": "9856000", "coupon_id": "C1", "amount": 100 });
    for (event, original_type) in [
        ("MARKETING.BUSIFAVOR.SEND", "marketing"),
        ("TRANSACTION.SUCCESS", "transaction"),
    ] {
        let notification = mock.event_notification(event, Some(resource.clone())).unwrap();
        let delivery = send_notification(&url, &notification, &compressed())
            .await
            .unwrap();
        assert!(delivery.delivered);
        let (headers, body) = received.lock().unwrap().last().unwrap().clone();
        let (decrypted, original) = open(&mock, &headers, &body).await;
        assert_eq!(decrypted, resource);
        assert_eq!(original, original_type);
    }
}

/// Asserts that `notification` verifies and decrypts to the sample of `event`, with its
/// `original_type` and name.
async fn check_event_notification(
    mock: &MockServer,
    notification: &SignedNotification,
    event: &codegen::ir::Event,
) {
    let (resource, original_type) = open(mock, &notification.headers, &notification.body).await;
    assert_eq!(resource, sample_event(event), "{}", event.name);
    assert_eq!(original_type, original_type_of(event), "{}", event.name);
    assert_eq!(notification.event_type().as_deref(), Some(event.name.as_str()));
}

#[tokio::test]
async fn every_event_of_the_model_yields_a_notification_of_its_sample() {
    // The events built here, then every event the specs document (none until they are
    // imported): the first event of each name is the one sampled.
    let default = MockServer::start_default().expect("the mock starts");
    let webhooks = wechatpay_mock::model::default_specs_dir()
        .join("wechatpay")
        .join("webhook");
    if webhooks.is_dir() {
        assert!(
            !default.documented_events().is_empty(),
            "{} exists, yet the model has no events",
            webhooks.display()
        );
    }
    for mock in [mock_with_events(), default] {
        let model = Arc::clone(mock.model());
        for listed in mock.documented_events() {
            let event = model.event(&listed.name).expect("listed events are in the model");
            let notification = mock.event_notification(&event.name, None).expect("documented");
            check_event_notification(&mock, &notification, event).await;
        }
    }
}
