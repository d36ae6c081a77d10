//! What the client logs: one `wechatpay.request` span per call with method, path template,
//! status, Request-ID, attempts and latency; never keys, signatures, bodies, path parameter
//! values or sensitive fields.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::capture::Captured;
use common::keys::*;
use common::server::{MockServer, public_key_builder, signed_reply, with_header};
use sdk_runtime::Method;
use sdk_runtime::wechatpay::{Operation, RetryPolicy};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;

#[tokio::test]
async fn spans_carry_the_call_and_no_secret_or_personal_data() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(captured.clone())
                .with_ansi(false)
                .with_span_events(FmtSpan::CLOSE),
        )
        .with(Targets::new().with_target("sdk_runtime", LevelFilter::TRACE));
    let _guard = tracing::subscriber::set_default(subscriber);

    let first = Arc::new(Mutex::new(true));
    let server = MockServer::start(move |_| {
        let mut first = first.lock().unwrap();
        if std::mem::replace(&mut *first, false) {
            common::server::Reply {
                status: 503,
                ..Default::default()
            }
        } else {
            with_header(
                signed_reply(200, r#"{"name":"cipher"}"#, 0),
                "Request-ID",
                "REQ-LOG-1",
            )
        }
    })
    .await;
    let client = public_key_builder(&server.base_url)
        .apiv3_key("0123456789abcdefghijABCDEFGHIJ01")
        .unwrap()
        .retry_policy(RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let encryptor = client.encryptor().await.unwrap();
    let openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    let op = Operation::new(Method::GET, "/v3/payscore/permissions/openid/{openid}")
        .path_param("openid", openid)
        .query(&[
            ("appid", "wxd678efh567hg6787"),
            ("name", &encryptor.encrypt("张三").unwrap()),
        ])
        .unwrap()
        .encrypted_with(&encryptor);
    client.execute(op).await.unwrap();
    tracing::debug!(client = ?client, "client state");

    let logs = captured.text();
    for expected in [
        "wechatpay.request",
        "method=GET",
        "path=\"/v3/payscore/permissions/openid/{openid}\"",
        "status=200",
        "request_id=\"REQ-LOG-1\"",
        "attempts=2",
        "latency_ms=",
        "retrying WeChat Pay request",
    ] {
        assert!(logs.contains(expected), "missing {expected:?} in:\n{logs}");
    }
    let signature_line = server.requests()[0].header("authorization").unwrap().to_owned();
    let signature = signature_line
        .split("signature=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"');
    for secret in [
        openid,
        "张三",
        "wxd678efh567hg6787",
        signature,
        "0123456789abcdefghijABCDEFGHIJ01",
        &MERCHANT_PRIVATE_PKCS8_PEM[28..80],
        "cipher",
    ] {
        assert!(!logs.contains(secret), "{secret:?} leaked into:\n{logs}");
    }
}
