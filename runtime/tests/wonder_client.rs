//! The Wonder client end to end over real HTTP on 127.0.0.1: every request signed as
//! `Wonder-RSA-SHA256` over what was sent (checked by the server), a fresh `X-Request-ID`, the
//! envelope unwrapped, and a non-zero `code` an API error even under HTTP 200.

mod common;

use common::keys::{WONDER_APP_PRIVATE_PKCS8_PEM, WONDER_APP_PUBLIC_SPKI_PEM};
use common::server::{MockServer, Recorded, Reply, now};
use sdk_runtime::wonder::sign::{self, MAX_CLOCK_SKEW, SignedHeaders};
use sdk_runtime::wonder::{Client, Lang, Operation, PublicKey};
use sdk_runtime::{ErrorKind, Method};

const APP_ID: &str = "d900da8b-6e16-4a85-8a66-05d29ac53f24";

fn client(base_url: &str) -> Client {
    Client::builder()
        .app_id(APP_ID)
        .private_key_pem(WONDER_APP_PRIVATE_PKCS8_PEM)
        .unwrap()
        .base_url(base_url)
        .lang(Lang::En)
        .build()
        .unwrap()
}

/// Checks the request's signature as Wonder would; the app id it names.
fn verified(r: &Recorded) -> Result<String, String> {
    let header = |name: &str| r.header(name).map(str::to_owned).ok_or(format!("no {name}"));
    let headers = SignedHeaders {
        credential: header("Credential")?,
        nonce: header("Nonce")?,
        signature: header("Signature")?,
    };
    let key = PublicKey::from_pem(WONDER_APP_PUBLIC_SPKI_PEM).unwrap();
    sign::verify(
        &key,
        &r.method,
        &r.target,
        &r.body,
        &headers,
        Some(now()),
        MAX_CLOCK_SKEW,
    )
    .map(|credential| credential.app_id().to_owned())
    .map_err(|e| format!("{e}"))
}

fn envelope(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
        delay: None,
    }
}

/// Answers the envelope `body` when the signature holds, Wonder's 401 otherwise.
fn answering(body: &'static str) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |r| match verified(r) {
        Ok(app_id) if app_id == APP_ID => envelope(200, body),
        _ => envelope(
            401,
            r#"{"code":"E000002","message":"signature verification failed","data":null}"#,
        ),
    }
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Echo {
    message: String,
}

#[tokio::test]
async fn a_signed_post_returns_the_envelopes_data() {
    let server = MockServer::start(answering(
        r#"{"code":0,"message":"OK","data":{"message":"Hello, Wonder!"}}"#,
    ))
    .await;
    let op = Operation::new(Method::POST, "/svc/payment/api/v1/openapi/echo")
        .json(&serde_json::json!({ "message": "Hello, Wonder!" }))
        .unwrap();
    let echo: Echo = client(&server.base_url).json(op).await.expect("a verified call");
    assert_eq!(echo.message, "Hello, Wonder!");

    let r = server.single_request();
    assert_eq!(r.body.as_ref(), br#"{"message":"Hello, Wonder!"}"#);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-i18n-lang"), Some("en"));
    let id = r.header("x-request-id").expect("an X-Request-ID");
    let uuid = uuid::Uuid::parse_str(id).expect("a UUID");
    assert_eq!(uuid.get_version_num(), 4, "{id}");
}

#[tokio::test]
async fn the_query_is_signed_and_each_request_has_its_own_id() {
    let server = MockServer::start(answering(r#"{"code":0,"message":"OK","data":[]}"#)).await;
    let client = client(&server.base_url);
    for _ in 0..2 {
        let op = Operation::new(Method::GET, "/svc/payment/api/v1/openapi/recurring_payments/plan")
            .query(&[("offset", "0"), ("limit", "10"), ("filter[state][_eq]", "open")])
            .unwrap();
        let plans: Vec<serde_json::Value> = client.json(op).await.expect("signed over path and query");
        assert!(plans.is_empty());
    }
    let requests = server.requests();
    assert!(
        requests[0].target.contains("?offset=0&limit=10&filter"),
        "{}",
        requests[0].target
    );
    assert!(requests[0].body.is_empty());
    assert_ne!(
        requests[0].header("x-request-id"),
        requests[1].header("x-request-id")
    );
    assert_ne!(requests[0].header("nonce"), requests[1].header("nonce"));
}

#[tokio::test]
async fn a_non_zero_code_under_200_is_an_api_error() {
    let server = MockServer::start(answering(
        r#"{"code":10001,"message":"plan not found","data":null}"#,
    ))
    .await;
    let op = Operation::new(
        Method::PUT,
        "/svc/payment/api/v1/openapi/recurring_payments/plan/{id}/cancel",
    )
    .path_param("id", "6f1a2b3c-0000-4000-8000-000000000001")
    .json(&serde_json::json!({ "activate_type": "immediate", "refund_credit": true }))
    .unwrap();
    let err = client(&server.base_url)
        .json::<serde_json::Value>(op)
        .await
        .expect_err("code 10001");
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.code(), Some("10001"));
    assert_eq!(err.message(), Some("plan not found"));
}

#[tokio::test]
async fn a_rejected_signature_is_an_api_error_with_wonders_code() {
    let server = MockServer::start(answering("{}")).await;
    let other_key = common::keys::MERCHANT_PRIVATE_PKCS8_PEM;
    let client = Client::builder()
        .app_id(APP_ID)
        .private_key_pem(other_key)
        .unwrap()
        .base_url(&server.base_url)
        .retry_policy(sdk_runtime::wonder::RetryPolicy::none())
        .build()
        .unwrap();
    let op = Operation::new(Method::POST, "/svc/payment/api/v1/openapi/echo")
        .json(&serde_json::json!({ "message": "x" }))
        .unwrap();
    let err = client.json::<Echo>(op).await.expect_err("the wrong key");
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.code(), Some("E000002"));
}

#[test]
fn debug_shows_no_key() {
    let client = client("http://127.0.0.1:9");
    let shown = format!("{client:?}");
    assert!(shown.contains(APP_ID), "{shown}");
    assert!(!shown.contains("PRIVATE"), "{shown}");
    let builder = Client::builder()
        .private_key_pem(WONDER_APP_PRIVATE_PKCS8_PEM)
        .unwrap();
    assert!(format!("{builder:?}").contains("[redacted]"));
}

#[test]
fn building_without_the_app_id_or_key_says_what_is_missing() {
    let err = Client::builder().build().expect_err("no app id");
    assert!(err.to_string().contains("app id"), "{err}");
    let err = Client::builder().app_id(APP_ID).build().expect_err("no key");
    assert!(err.to_string().contains("private key"), "{err}");
}
