//! Typed APIv2 notifications end to end: every APIv2 event of the model, made by the mock as
//! WeChat Pay sends it (members sampled from the model, `req_info` / `event_ciphertext` sealed,
//! signed with the APIv2 key), decodes through the generated `v2::events::Event` into its own
//! variant with every member kept; tampered and unsigned ones are refused with their error
//! kinds; an axum handler receives the mock sender's notification over HTTP and replies in the
//! members its event expects.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use codegen::ir::{Carriage, Event as ModelEvent, Type, XmlReply};
use serde_json::Value;
use wechatpay_mock::apiv2::{ApiV2Config, ApiV2Server, parse_xml, to_xml};
use wechatpay_mock::{RetryPolicy, SignedNotification, send_notification};
use wechatpay_typed::ErrorKind;
use wechatpay_typed::v2::events::{Event, Notification};

/// A client of the mock's merchant: its APIv2 key, and its APIv3 key for payscore's
/// `event_ciphertext`.
fn client(config: &ApiV2Config) -> wechatpay_typed::v2::Client {
    wechatpay_typed::v2::Client::builder()
        .apiv2_key(&config.key)
        .expect("APIv2 key")
        .apiv3_key(&config.apiv3_key)
        .expect("APIv3 key")
        .build()
        .expect("client")
}

fn members(event: &ModelEvent) -> &[codegen::ir::Field] {
    match &event.payload {
        Type::Object { fields } => fields,
        _ => &[],
    }
}

/// A JSON value as the XML text it was sent as.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `notification` with member `name` set to `value`, its sign left as it was.
fn with_member(notification: &SignedNotification, name: &str, value: Option<&str>) -> SignedNotification {
    let mut params = parse_xml(std::str::from_utf8(&notification.body).expect("UTF-8")).expect("XML");
    match value {
        Some(value) => params.insert(name.to_owned(), value.to_owned()),
        None => params.remove(name),
    };
    SignedNotification {
        headers: notification.headers.clone(),
        body: to_xml(&params).into_bytes(),
    }
}

#[test]
fn every_apiv2_event_of_the_model_decodes_into_its_own_variant_keeping_every_member() {
    let mock = ApiV2Server::start_default().expect("the mock starts");
    let client = client(mock.config());
    let events = mock.model().xml_events().to_vec();
    assert!(!events.is_empty(), "the model has no APIv2 events");
    let mut typed = 0;
    for event in &events {
        let sent = mock.xml_notification(&event.name, None).expect("made");
        let params = parse_xml(std::str::from_utf8(&sent.body).expect("UTF-8")).expect("XML");
        let notification: Notification = client
            .notification(&sent.body)
            .unwrap_or_else(|e| panic!("{}: {e} ({:?})", event.name, e.kind()));
        assert_eq!(notification.event_type(), event.name);
        assert_eq!(notification.event().event_type(), event.name);
        assert!(
            !matches!(notification.event(), Event::Unknown { .. }),
            "{}",
            event.name
        );
        typed += 1;
        let decoded = serde_json::to_value(notification.event()).expect("serializes");
        let inner = event.xml.as_ref().and_then(|x| x.inner.as_ref());
        for field in members(event) {
            let got = decoded
                .get(&field.name)
                .unwrap_or_else(|| panic!("{}: `{}` lost", event.name, field.name));
            match inner.filter(|i| i.member == field.name) {
                // The opened document: every member of the model, decrypted or parsed.
                Some(inner) => {
                    let Type::Object { fields } = &field.ty else {
                        panic!("an object")
                    };
                    for f in fields {
                        assert!(
                            got.get(&f.name).is_some(),
                            "{}: `{}.{}` lost",
                            event.name,
                            field.name,
                            f.name
                        );
                    }
                    if inner.carriage == Carriage::Json {
                        let sent: Value = serde_json::from_str(&params[&field.name]).expect("JSON");
                        assert_eq!(&sent, got, "{}", event.name);
                    }
                }
                None => assert_eq!(text(got), params[&field.name], "{}: `{}`", event.name, field.name),
            }
        }
        // The reply in the members the event's sender expects.
        let reply = notification.success_reply();
        let body = String::from_utf8(reply.body().to_vec()).expect("UTF-8");
        let code = event.xml.as_ref().map(|x| x.reply) == Some(XmlReply::Code);
        let tag = if code { "<code>" } else { "<return_code>" };
        assert!(
            body.contains(tag) && body.contains("SUCCESS"),
            "{}: {body}",
            event.name
        );
        assert_eq!(reply.status(), 200);
        // Debug names the event only: no member value.
        let debug = format!("{notification:?}");
        assert!(!debug.contains(&mock.config().mch_id), "{debug}");
    }
    assert_eq!(typed, events.len());
}

#[test]
fn tampered_unsigned_and_failed_notifications_are_refused_by_kind() {
    let mock = ApiV2Server::start_default().expect("the mock starts");
    let client = client(mock.config());
    let model = mock.model().clone();
    for event in model.xml_events() {
        let sent = mock.xml_notification(&event.name, None).expect("made");
        let signed = members(event).iter().any(|f| f.name == "sign");
        let inner = event.xml.as_ref().and_then(|x| x.inner.as_ref());
        if signed {
            let tampered = with_member(&sent, "mch_id", Some("10000999"));
            let e = client
                .notification::<Event>(&tampered.body)
                .expect_err("tampered");
            assert!(matches!(e.kind(), ErrorKind::Signature(_)), "{}: {e}", event.name);
            let unsigned = with_member(&sent, "sign", None);
            let e = client
                .notification::<Event>(&unsigned.body)
                .expect_err("unsigned");
            assert!(matches!(e.kind(), ErrorKind::Signature(_)), "{}: {e}", event.name);
        }
        if let Some(inner) = inner.filter(|i| i.carriage != Carriage::Json) {
            // A sealed document that does not open: Crypto (a signed one is caught by its
            // sign first, so it is re-signed here by dropping nothing but the sealed text).
            if !signed {
                let broken = with_member(&sent, &inner.member, Some("AAAAAAAAAAAAAAAAAAAAAA=="));
                let e = client.notification::<Event>(&broken.body).expect_err("broken");
                assert_eq!(e.kind(), ErrorKind::Crypto, "{}: {e}", event.name);
            }
        }
        if members(event).iter().any(|f| f.name == "return_code") {
            let failed = mock
                .xml_notification(&event.name, Some(&serde_json::json!({"return_code": "FAIL"})))
                .expect("made");
            let e = client
                .notification::<Event>(&failed.body)
                .expect_err("return_code FAIL");
            assert_eq!(e.kind(), ErrorKind::Api, "{}: {e}", event.name);
        }
    }
    // Payscore events need the APIv3 key: without one, a Build error, not data.
    let payscore = model
        .xml_events()
        .iter()
        .find(|e| {
            e.xml
                .as_ref()
                .and_then(|x| x.inner.as_ref())
                .is_some_and(|i| i.carriage == Carriage::AeadAesGcm)
        })
        .expect("a payscore event");
    let sent = mock.xml_notification(&payscore.name, None).expect("made");
    let without = wechatpay_typed::v2::Client::builder()
        .apiv2_key(&mock.config().key)
        .expect("key")
        .build()
        .expect("client");
    let e = without
        .notification::<Event>(&sent.body)
        .expect_err("no APIv3 key");
    assert_eq!(e.kind(), ErrorKind::Build, "{e}");
}

#[test]
fn a_notification_the_model_does_not_know_is_kept_as_unknown() {
    let mock = ApiV2Server::start_default().expect("the mock starts");
    let client = client(mock.config());
    let key = &mock.config().key;
    let mut params = wechatpay_mock::apiv2::Params::new();
    for (k, v) in [
        ("return_code", "SUCCESS"),
        ("mch_id", "10000100"),
        ("new_member", "N1"),
    ] {
        params.insert(k.to_owned(), v.to_owned());
    }
    let sign = wechatpay_mock::apiv2::sign(&params, key, wechatpay_mock::apiv2::SignType::Md5);
    params.insert("sign".to_owned(), sign);
    let notification: Notification = client.notification(to_xml(&params).as_bytes()).expect("verified");
    let Event::Unknown { resource, .. } = notification.event() else {
        panic!("not Unknown: {:?}", notification.event());
    };
    assert_eq!(resource.get("new_member"), Some(&serde_json::json!("N1")));
}

/// A handler as a user writes it: acts on the event, answers in its sender's members.
async fn notify(
    notification: Notification,
    seen: Arc<Mutex<Vec<String>>>,
) -> wechatpay_typed::NotificationReply {
    let what = match notification.event() {
        Event::RefundProcessed(refund) => format!(
            "refund {}",
            refund
                .req_info
                .as_ref()
                .and_then(|r| r.out_refund_no.as_deref())
                .unwrap_or("")
        ),
        other => other.event_type().to_owned(),
    };
    seen.lock().expect("lock").push(what);
    notification.success_reply()
}

#[tokio::test]
async fn an_axum_handler_receives_the_mock_senders_apiv2_notification() {
    let mock = ApiV2Server::start_default().expect("the mock starts");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new()
        .route("/notify", post(move |n: Notification| notify(n, log.clone())))
        .with_state(client(mock.config()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let members = serde_json::json!({"req_info": {"out_refund_no": "R-7", "refund_status": "SUCCESS"}});
    let sent = mock
        .xml_notification("refund-processed", Some(&members))
        .expect("made");
    let delivery = send_notification(&url, &sent, &RetryPolicy::default())
        .await
        .expect("sent");
    assert!(delivery.delivered, "{delivery:?}");
    assert_eq!(delivery.attempts[0].status, Some(200));
    let reply = parse_xml(&delivery.attempts[0].body).expect("XML reply");
    assert_eq!(reply.get("return_code").map(String::as_str), Some("SUCCESS"));
    assert_eq!(seen.lock().expect("lock").clone(), ["refund R-7"]);

    // A payscore event is answered with `code`/`message`.
    let sent = mock.xml_notification("CHECK.SUCCESS", None).expect("made");
    let delivery = send_notification(&url, &sent, &RetryPolicy::default())
        .await
        .expect("sent");
    let reply = parse_xml(&delivery.attempts[0].body).expect("XML reply");
    assert_eq!(
        reply.get("code").map(String::as_str),
        Some("SUCCESS"),
        "{reply:?}"
    );

    // A bad sign never reaches the handler: 401 with a FAIL reply.
    let sent = mock.xml_notification("transaction-success", None).expect("made");
    let tampered = with_member(&sent, "total_fee", Some("1"));
    let no_retry = RetryPolicy {
        retries: false,
        ..RetryPolicy::default()
    };
    let delivery = send_notification(&url, &tampered, &no_retry).await.expect("sent");
    assert!(!delivery.delivered);
    assert_eq!(delivery.attempts[0].status, Some(401));
    let reply = parse_xml(&delivery.attempts[0].body).expect("XML reply");
    assert_eq!(reply.get("return_code").map(String::as_str), Some("FAIL"));
    assert_eq!(
        seen.lock().expect("lock").len(),
        2,
        "the tampered one reached the handler"
    );
}

#[tokio::test]
async fn the_command_line_sends_an_apiv2_notification_the_typed_handler_accepts() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new()
        .route("/notify", post(move |n: Notification| notify(n, log.clone())))
        .with_state(client(&ApiV2Config::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_wechatpay-mock"))
                .args(args)
                .output()
                .expect("runs")
        })
    };
    let members = r#"{"req_info": {"out_refund_no": "R-CLI"}}"#;
    let args = [
        "notify",
        "--apiv2",
        "refund-processed",
        "--to",
        &url,
        "--resource",
        members,
    ];
    let out = run(args.iter().map(|a| a.to_string()).collect())
        .await
        .expect("joins");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("delivered"), "{stdout}");
    assert_eq!(seen.lock().expect("lock").clone(), ["refund R-CLI"]);
    // An event the model does not document: a usage error (2) naming it.
    let args = ["notify", "--apiv2", "NO.SUCH", "--to", &url];
    let out = run(args.iter().map(|a| a.to_string()).collect())
        .await
        .expect("joins");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NO.SUCH"));
}
