//! Typed webhook notifications: [`EventSet`] decoding of WeChat Pay notifications (verify,
//! decrypt and decode in one call), every rejection's error kind and context,
//! [`NotificationReply`], Wonder's `Webhook::event`, and (feature `axum`) the axum extractor end
//! to end over HTTP on 127.0.0.1. Values from `shared/test-vectors/vectors.json` are copied into
//! `common/notify.rs` and this file.

mod common;

use common::notify::*;
use http::{HeaderValue, StatusCode};
use sdk_runtime::wechatpay::{Notification, NotificationReply, Resource};
use sdk_runtime::{Error, ErrorKind, EventSet, SignatureErrorKind};

const PAID: &str = r#"{"mchid":"1900000109","out_trade_no":"ORDER-20261130-0001","trade_state":"SUCCESS","payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}"#;

/// A hand-written event set: one known event and the rest.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    Paid { out_trade_no: String },
    Unknown { name: String },
}

#[derive(serde::Deserialize)]
struct Transaction {
    out_trade_no: String,
}

impl EventSet for Event {
    fn decode_event(event_type: &str, payload: &str) -> Result<Self, Error> {
        match event_type {
            "TRANSACTION.SUCCESS" => {
                sdk_runtime::decode_event_payload::<Transaction>(payload).map(|t| Event::Paid {
                    out_trade_no: t.out_trade_no,
                })
            }
            other => Ok(Event::Unknown {
                name: other.to_owned(),
            }),
        }
    }

    fn event_type(&self) -> &str {
        match self {
            Event::Paid { .. } => "TRANSACTION.SUCCESS",
            Event::Unknown { name } => name,
        }
    }
}

async fn rejection(headers: &http::HeaderMap, body: &str) -> Error {
    webhook_client()
        .notification::<Event>(headers, body.as_bytes())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_valid_notification_decodes_into_its_variant() {
    let (headers, body) = notification("TRANSACTION.SUCCESS", PAID, 0);
    let n: Notification<Event> = webhook_client()
        .notification(&headers, body.as_bytes())
        .await
        .unwrap();
    let paid = Event::Paid {
        out_trade_no: "ORDER-20261130-0001".into(),
    };
    assert_eq!(n.event(), &paid);
    assert_eq!(n.event().event_type(), "TRANSACTION.SUCCESS");
    assert_eq!(
        (n.id(), n.create_time(), n.summary()),
        ("EV-2026113010000000001", "2026-11-30T10:00:00+08:00", "支付成功")
    );
    assert_eq!(
        (n.event_type(), n.resource_type(), n.original_type()),
        ("TRANSACTION.SUCCESS", "encrypt-resource", "transaction")
    );
    // Debug shows the envelope's names, never the event.
    let debug = format!("{n:?}");
    assert!(debug.contains("EV-2026113010000000001"), "{debug}");
    assert!(
        !debug.contains("ORDER-20261130") && !debug.contains("oUpF8"),
        "{debug}"
    );
    assert_eq!(n.into_event(), paid);

    // The same, in two steps, and from an http::Request.
    let client = webhook_client();
    let untyped = client
        .verify_notification(&headers, body.as_bytes())
        .await
        .unwrap();
    assert_eq!(untyped.plaintext(), PAID);
    assert_eq!(untyped.event().plaintext(), PAID);
    let value: serde_json::Value = untyped.resource().unwrap();
    assert_eq!(value["trade_state"], "SUCCESS");
    assert_eq!(untyped.typed::<Event>().unwrap().event(), &paid);
    let mut request = http::Request::new(body.clone().into_bytes());
    *request.headers_mut() = headers.clone();
    let n = client
        .notification_from_request::<Event, _>(&request)
        .await
        .unwrap();
    assert_eq!(n.event(), &paid);
}

#[tokio::test]
async fn the_vector_decodes_and_its_unknown_event_type_gives_unknown() {
    let client = webhook_client();
    let n = client
        .notification_at::<Event>(&vector_headers(), VECTOR_BODY.as_bytes(), VECTOR_TIMESTAMP)
        .await
        .unwrap();
    let unknown = Event::Unknown {
        name: "PAYSCORE.USER_OPEN_SERVICE".into(),
    };
    assert_eq!(n.event(), &unknown);
    assert_eq!(n.event().event_type(), "PAYSCORE.USER_OPEN_SERVICE");
    assert_eq!((n.id(), n.summary()), ("EV-2024112115400100001", "签约成功"));
    assert_eq!(n.create_time(), "2024-11-21T15:40:01+08:00");
    assert_eq!(n.original_type(), "payscore");

    let n = client
        .verify_notification_at(&vector_headers(), VECTOR_BODY.as_bytes(), VECTOR_TIMESTAMP)
        .await
        .unwrap();
    let resource: &Resource = n.event();
    assert_eq!(resource.plaintext(), VECTOR_PLAINTEXT);
    // Resource's Debug shows its length only.
    let debug = format!("{resource:?} {n:?}");
    assert!(debug.contains(&VECTOR_PLAINTEXT.len().to_string()), "{debug}");
    assert!(
        !debug.contains("oUpF8uMuAJO") && !debug.contains("SP2024"),
        "{debug}"
    );
    let value: serde_json::Value = resource.decode().unwrap();
    assert_eq!(value["out_contract_code"], "SP20241121001");
}

#[tokio::test]
async fn rejections_have_their_signature_kind_and_the_verifying_context() {
    let (headers, body) = notification("TRANSACTION.SUCCESS", PAID, 0);
    let with = |name: &'static str, value: Option<&'static str>| {
        let mut h = headers.clone();
        match value {
            Some(value) => h.insert(name, HeaderValue::from_static(value)),
            None => h.remove(name),
        };
        h
    };
    let tampered = body.replace("支付成功", "支付失败");
    let stale = notification("TRANSACTION.SUCCESS", PAID, -301);
    let future = notification("TRANSACTION.SUCCESS", PAID, 400);
    let probe = with("wechatpay-signature", Some("WECHATPAY/SIGNTEST/c2lnbmF0dXJl"));
    let serial = with(
        "wechatpay-serial",
        Some("PUB_KEY_ID_0000000000000000000000000000"),
    );
    let missing = with("wechatpay-nonce", None);
    let cases = [
        (
            "tampered body",
            &headers,
            &tampered,
            SignatureErrorKind::InvalidSignature,
        ),
        ("stale (301 s)", &stale.0, &stale.1, SignatureErrorKind::Expired),
        (
            "future (400 s)",
            &future.0,
            &future.1,
            SignatureErrorKind::Expired,
        ),
        ("SIGNTEST probe", &probe, &body, SignatureErrorKind::SignTest),
        (
            "unknown serial",
            &serial,
            &body,
            SignatureErrorKind::UnknownSerial,
        ),
        ("no nonce", &missing, &body, SignatureErrorKind::MissingHeader),
    ];
    for (label, headers, body, kind) in cases {
        let e = rejection(headers, body).await;
        assert_eq!(e.kind(), ErrorKind::Signature(kind), "{label}: {e}");
        assert!(
            e.to_string().starts_with("verifying a notification: "),
            "{label}: {e}"
        );
        // Nothing of the body or the resource in any rejection.
        let text = format!("{e} {e:?}");
        assert!(
            !text.contains("ORDER-20261130") && !text.contains("oUpF8"),
            "{label}: {text}"
        );
    }
}

#[tokio::test]
async fn a_payload_that_is_not_the_events_json_is_a_decode_error() {
    // The resource of a known event with the wrong shape: out_trade_no is a number.
    let (headers, body) = notification(
        "TRANSACTION.SUCCESS",
        r#"{"out_trade_no":20261130,"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}"#,
        0,
    );
    let e = rejection(&headers, &body).await;
    assert_eq!(e.kind(), ErrorKind::Decode);
    let text = format!("{e} {e:?}");
    assert!(text.starts_with("decoding a notification: "), "{text}");
    assert!(!text.contains("20261130") && !text.contains("oUpF8"), "{text}");
    // The same resource under an unknown event type is fine: Unknown.
    let (headers, body) = notification("TRANSACTION.CLOSED", r#"{"out_trade_no":1}"#, 0);
    let n = webhook_client()
        .notification::<Event>(&headers, body.as_bytes())
        .await
        .unwrap();
    assert!(matches!(n.event(), Event::Unknown { name } if name == "TRANSACTION.CLOSED"));
    // A resource that is not JSON at all.
    let (headers, body) = notification("TRANSACTION.SUCCESS", "not json", 0);
    assert_eq!(rejection(&headers, &body).await.kind(), ErrorKind::Decode);
}

fn body_json(reply: &NotificationReply) -> serde_json::Value {
    serde_json::from_slice(&reply.body()).unwrap()
}

#[tokio::test]
async fn notification_replies() {
    let ok = NotificationReply::success();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.is_success());
    assert_eq!(&ok.body()[..], br#"{"code":"SUCCESS"}"#);
    let response = ok.into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(&response.body()[..], br#"{"code":"SUCCESS"}"#);

    let fail = NotificationReply::failure("database unavailable");
    assert_eq!(fail.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!fail.is_success());
    assert_eq!(
        body_json(&fail),
        serde_json::json!({"code": "FAIL", "message": "database unavailable"})
    );

    // from_error: 401 signature, 400 decode and crypto, 500 otherwise; fixed messages.
    let (headers, body) = notification("TRANSACTION.SUCCESS", PAID, 0);
    let tampered = body.replace("EV-2026", "EV-2027");
    let (bad_headers, bad_body) = notification("TRANSACTION.SUCCESS", r#"{"out_trade_no":7}"#, 0);
    let builder = || {
        sdk_runtime::wechatpay::Client::builder()
            .mchid(common::server::MCHID)
            .merchant_serial_number(common::server::MERCHANT_SERIAL)
            .merchant_private_key_pem(common::keys::MERCHANT_PRIVATE_PKCS8_PEM)
            .unwrap()
            .wechatpay_public_key_pem(
                common::keys::PLATFORM_PUBLIC_KEY_ID,
                common::keys::PLATFORM_PUBLIC_SPKI_PEM,
            )
            .unwrap()
    };
    let no_apiv3 = builder().build().unwrap();
    let wrong_apiv3 = builder()
        .apiv3_key("ABCDEFGHIJ0123456789abcdefghij01")
        .unwrap()
        .build()
        .unwrap();
    let cases = [
        (
            rejection(&headers, &tampered).await,
            401,
            "signature verification failed",
        ),
        (
            rejection(&bad_headers, &bad_body).await,
            400,
            "malformed notification",
        ),
        (
            wrong_apiv3
                .notification::<Event>(&headers, body.as_bytes())
                .await
                .unwrap_err(),
            400,
            "cannot decrypt the notification",
        ),
        (
            no_apiv3
                .notification::<Event>(&headers, body.as_bytes())
                .await
                .unwrap_err(),
            500,
            "internal error",
        ),
    ];
    for (error, status, message) in cases {
        let reply = NotificationReply::from_error(&error);
        assert_eq!(reply.status().as_u16(), status, "{error}");
        assert_eq!(
            body_json(&reply),
            serde_json::json!({"code": "FAIL", "message": message})
        );
        assert!(!reply.is_success());
        assert_eq!(NotificationReply::from(error), reply);
    }
}

#[test]
fn wonder_webhooks_decode_into_events() {
    use sdk_runtime::wonder::sign::Signer;
    use sdk_runtime::wonder::{PrivateKey, PublicKey, verify_webhook};

    #[derive(Debug, PartialEq)]
    enum Hook {
        Paid(serde_json::Value),
        Unknown(String),
    }
    impl EventSet for Hook {
        fn decode_event(event_type: &str, payload: &str) -> Result<Self, Error> {
            match event_type {
                "order.paid" => sdk_runtime::decode_event_payload(payload).map(Hook::Paid),
                other => Ok(Hook::Unknown(other.to_owned())),
            }
        }
        fn event_type(&self) -> &str {
            match self {
                Hook::Paid(_) => "order.paid",
                Hook::Unknown(name) => name,
            }
        }
    }

    let signer = Signer::new(
        "d900da8b-6e16-4a85-8a66-05d29ac53f24",
        PrivateKey::from_pem(common::keys::WONDER_APP_PRIVATE_PKCS8_PEM).unwrap(),
    );
    let key = PublicKey::from_pem(common::keys::WONDER_APP_PUBLIC_SPKI_PEM).unwrap();
    let verify = |action: &str, body: &[u8]| {
        let path = "/wonder/webhook";
        let signed = signer
            .sign("POST", path, body, 1_732_175_101, "0123456789abcdef")
            .unwrap();
        let mut headers = http::HeaderMap::new();
        for (name, value) in signed.pairs().into_iter().chain([("X-Action", action)]) {
            headers.insert(name, HeaderValue::from_str(value).unwrap());
        }
        verify_webhook(&key, "POST", path, &headers, body).unwrap()
    };
    let body = br#"{"order":{"number":"R1","state":"paid"}}"#;
    let hook = verify("Order.Paid", body);
    let event: Hook = hook.event().unwrap();
    assert!(matches!(&event, Hook::Paid(v) if v["order"]["state"] == "paid"));
    assert_eq!(
        verify("order.shipped", body).event::<Hook>().unwrap(),
        Hook::Unknown("order.shipped".into())
    );
    let e = verify("order.paid", b"[1,2]").event::<Hook>();
    assert!(e.is_ok(), "any JSON is a JsonValue");
    let e = verify("order.paid", b"{\"a\":").event::<Hook>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().starts_with("decoding a notification: "), "{e}");
    let e = verify("order.paid", b"\xff\xfe{}").event::<Hook>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}

#[cfg(feature = "axum")]
mod axum_extractor {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::State;
    use axum::routing::post;
    use sdk_runtime::wechatpay::{Client, MAX_NOTIFICATION_BYTES};

    use super::*;

    #[derive(Clone)]
    struct AppState {
        client: Client,
        seen: Arc<Mutex<Vec<Event>>>,
    }

    impl axum::extract::FromRef<AppState> for Client {
        fn from_ref(state: &AppState) -> Client {
            state.client.clone()
        }
    }

    async fn notify(State(state): State<AppState>, notification: Notification<Event>) -> NotificationReply {
        state.seen.lock().unwrap().push(notification.into_event());
        NotificationReply::success()
    }

    /// A server on 127.0.0.1 with `/notify` (an app state holding the client) and `/plain`
    /// (the client itself as the state); returns its base URL and what the handler saw.
    async fn serve() -> (String, Arc<Mutex<Vec<Event>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            client: webhook_client(),
            seen: seen.clone(),
        };
        let plain = Router::new()
            .route(
                "/plain",
                post(|n: Notification<Event>| async move {
                    assert_eq!(n.id(), "EV-2026113010000000001");
                    NotificationReply::success()
                }),
            )
            .with_state(webhook_client());
        let app = Router::new()
            .route("/notify", post(notify))
            .with_state(state)
            .merge(plain);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://{addr}"), seen)
    }

    async fn post_to(
        url: &str,
        headers: &http::HeaderMap,
        body: impl Into<reqwest::Body>,
    ) -> (u16, String, String) {
        let response = reqwest::Client::new()
            .post(url)
            .headers(headers.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        (status, content_type, response.text().await.unwrap())
    }

    #[tokio::test]
    async fn the_extractor_verifies_decodes_and_answers_over_http() {
        let (base, seen) = serve().await;
        let (headers, body) = notification("TRANSACTION.SUCCESS", PAID, 0);

        let (status, content_type, text) = post_to(&format!("{base}/notify"), &headers, body.clone()).await;
        assert_eq!((status, text.as_str()), (200, r#"{"code":"SUCCESS"}"#));
        assert_eq!(content_type, "application/json");
        let paid = Event::Paid {
            out_trade_no: "ORDER-20261130-0001".into(),
        };
        assert_eq!(*seen.lock().unwrap(), vec![paid]);
        let (status, _, _) = post_to(&format!("{base}/plain"), &headers, body.clone()).await;
        assert_eq!(status, 200);

        // Tampered: 401 with a FAIL body; the handler never runs.
        let tampered = body.replace("支付成功", "支付失败");
        let (status, content_type, text) = post_to(&format!("{base}/notify"), &headers, tampered).await;
        assert_eq!(status, 401);
        assert_eq!(content_type, "application/json");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["code"], "FAIL");
        assert_eq!(json["message"], "signature verification failed");

        // A known event whose resource is not its JSON: 400.
        let (bad_headers, bad_body) = notification("TRANSACTION.SUCCESS", r#"{"out_trade_no":1}"#, 0);
        let (status, _, text) = post_to(&format!("{base}/notify"), &bad_headers, bad_body).await;
        assert_eq!(status, 400, "{text}");

        // Over the limit: 413, with a Content-Length and streamed without one.
        let oversized = format!("{body}{}", " ".repeat(MAX_NOTIFICATION_BYTES));
        let (status, _, text) = post_to(&format!("{base}/notify"), &headers, oversized.clone()).await;
        assert_eq!(status, 413, "{text}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["code"],
            "FAIL"
        );
        let status = post_chunked(&base, &headers, oversized.as_bytes()).await;
        assert_eq!(status, 413);

        // Exactly at the limit is read (and then rejected only by its signature).
        let at_limit = " ".repeat(MAX_NOTIFICATION_BYTES);
        let (status, _, _) = post_to(&format!("{base}/notify"), &headers, at_limit).await;
        assert_eq!(status, 401);
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    /// POSTs `body` to `/notify` as `Transfer-Encoding: chunked` (no `Content-Length`) over a
    /// raw socket; returns the response status.
    async fn post_chunked(base: &str, headers: &http::HeaderMap, body: &[u8]) -> u16 {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let socket = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
            .await
            .unwrap();
        let (mut reader, mut writer) = socket.into_split();
        // Read while writing: the server answers 413 and closes before the body ends.
        let reading = tokio::spawn(async move {
            let mut response = Vec::new();
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = reader.read(&mut buffer).await {
                response.extend_from_slice(&buffer[..n]);
            }
            response
        });
        let mut head = String::from("POST /notify HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
        }
        head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        writer.write_all(head.as_bytes()).await.unwrap();
        for chunk in body.chunks(64 * 1024) {
            let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
        let _ = writer.write_all(b"0\r\n\r\n").await;
        let response = reading.await.unwrap();
        let text = String::from_utf8_lossy(&response);
        text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}
