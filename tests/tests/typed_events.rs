//! Typed webhook events end to end: every event of the model, sent by the mock as WeChat Pay
//! sends it (a sample resource built from the model, sealed and signed), decodes through the
//! generated `events::Event` into its own variant with every member kept; an axum handler
//! receives the mock sender's notification over HTTP and replies as WeChat Pay expects.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use serde_json::Value;
use wechatpay_mock::{MockServer, RetryPolicy, send_notification};
use wechatpay_typed::NotificationReply;
use wechatpay_typed::events::{Event, Notification};

#[allow(dead_code)] // the Wonder client is not used here
mod common;
use common::wechat_client as client;

/// The members of `sample` missing from `decoded`, or with another value, by JSON pointer.
fn lost(sample: &Value, decoded: &Value, at: &str, out: &mut Vec<String>) {
    match (sample, decoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => lost(v, w, &format!("{at}/{k}"), out),
                    None => out.push(format!("{at}/{k} missing")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                lost(v, w, &format!("{at}/{i}"), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{at}: sent {a}, decoded {b}")),
    }
}

#[tokio::test]
async fn every_event_of_the_model_decodes_into_its_own_variant_keeping_every_member() {
    let mock = MockServer::start_default().expect("the mock starts");
    let client = client(&mock.credentials());
    let events = mock.model().events().to_vec();
    assert!(!events.is_empty(), "the model has no webhook events");
    let mut failures = Vec::new();
    for event in &events {
        let sent = mock
            .event_notification(&event.name, None)
            .unwrap_or_else(|e| panic!("{}: {e}", event.name));
        let notification: Notification = match client.notification(&sent.headers, &sent.body).await {
            Ok(n) => n,
            Err(e) => {
                failures.push(format!("{}: {e}", event.name));
                continue;
            }
        };
        assert_eq!(notification.event_type(), event.name);
        let decoded = notification.event();
        assert_eq!(decoded.event_type(), event.name);
        assert!(
            !matches!(decoded, Event::Unknown { .. }),
            "{} decoded as Unknown",
            event.name
        );
        // Every member of the sample the mock sealed survives decoding, with its value.
        let plaintext = client
            .verify_notification(&sent.headers, &sent.body)
            .await
            .expect("verifies");
        let sample: Value = serde_json::from_str(plaintext.plaintext()).expect("JSON");
        let mut missing = Vec::new();
        lost(
            &sample,
            &serde_json::to_value(decoded).expect("serializes"),
            "",
            &mut missing,
        );
        if !missing.is_empty() {
            failures.push(format!("{}: {}", event.name, missing.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn an_unknown_event_is_kept_with_its_resource() {
    let mock = MockServer::start_default().expect("the mock starts");
    let client = client(&mock.credentials());
    let resource = serde_json::json!({"out_trade_no": "T1", "new_member": 1});
    let sent = mock
        .event_notification("SOMETHING.NEW", Some(resource.clone()))
        .expect("any event with a resource given");
    let notification: Notification = client
        .notification(&sent.headers, &sent.body)
        .await
        .expect("decodes");
    let Event::Unknown {
        event_type,
        resource: kept,
    } = notification.event()
    else {
        panic!("not Unknown")
    };
    assert_eq!(event_type, "SOMETHING.NEW");
    assert_eq!(kept.get("new_member"), Some(&serde_json::json!(1)));
    // Debug shows member names, never values.
    assert!(!format!("{:?}", notification.event()).contains("T1"));
}

/// The README's handler, as a user writes it.
async fn notify(notification: Notification, seen: Arc<Mutex<Vec<String>>>) -> NotificationReply {
    let what = match notification.event() {
        Event::TransactionSuccess(paid) => format!("paid {}", paid.out_trade_no.as_deref().unwrap_or("")),
        other => other.event_type().to_owned(),
    };
    seen.lock()
        .expect("lock")
        .push(format!("{} {what}", notification.id()));
    NotificationReply::success()
}

#[tokio::test]
async fn an_axum_handler_receives_the_mock_senders_notification_and_replies_success() {
    let mock = MockServer::start_default().expect("the mock starts");
    let client = client(&mock.credentials());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new()
        .route("/notify", post(move |n: Notification| notify(n, log.clone())))
        .with_state(client);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let resource =
        serde_json::json!({"out_trade_no": "ORDER-7", "trade_state": "SUCCESS", "amount": {"total": 100}});
    let sent = mock
        .event_notification("TRANSACTION.SUCCESS", Some(resource))
        .expect("signed");
    let delivery = send_notification(&url, &sent, &RetryPolicy::default())
        .await
        .expect("sent");
    assert!(delivery.delivered, "{delivery:?}");
    assert_eq!(delivery.attempts.len(), 1);
    assert_eq!(delivery.attempts[0].status, Some(200));
    let reply: Value = serde_json::from_str(&delivery.attempts[0].body).expect("JSON reply");
    assert_eq!(reply["code"], "SUCCESS");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].ends_with("paid ORDER-7"), "{seen:?}");

    // A tampered notification is refused by the extractor with WeChat Pay's failure reply, and
    // never reaches the handler.
    let mut tampered = sent.clone();
    tampered.body = String::from_utf8(sent.body.clone())
        .expect("UTF-8")
        .replacen("EV-", "EV-X", 1)
        .into_bytes();
    let no_retry = RetryPolicy {
        retries: false,
        ..RetryPolicy::default()
    };
    let delivery = send_notification(&url, &tampered, &no_retry).await.expect("sent");
    assert!(!delivery.delivered);
    assert_eq!(delivery.attempts[0].status, Some(401));
    let reply: Value = serde_json::from_str(&delivery.attempts[0].body).expect("JSON reply");
    assert_eq!(reply["code"], "FAIL");
}
