//! Nothing secret or personal leaks: secrets are planted (the merchant private key, the APIv3
//! key, request and response signatures, an openid, order numbers in the path and the query, a
//! decrypted resource) and every error kind is provoked through real calls over HTTP on
//! 127.0.0.1. The `Display`, alternate `Debug` and the whole `source()` chain of each error,
//! and a TRACE-level log of every crate (the `log` records of reqwest and hyper included), are
//! scanned for each planted value.

mod common;

use std::collections::BTreeSet;
use std::error::Error as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::capture::Captured;
use common::keys::*;
use common::server::{MockServer, Recorded, Reply, now, public_key_builder, signed_reply};
use http::{HeaderMap, HeaderName, HeaderValue};
use sdk_runtime::wechatpay::verify::string_to_verify;
use sdk_runtime::wechatpay::{Client, Operation, PrivateKey, RetryPolicy};
use sdk_runtime::{Error, Method};
use tracing_subscriber::layer::SubscriberExt as _;

const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const OUT_TRADE_NO: &str = "ORDER-LEAK-20261130-0001";
const OUT_REFUND_NO: &str = "REFUND-LEAK-20261130-0002";
const APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";
const PLAINTEXT_MARKER: &str = "PLAINTEXT-PERSONAL-张三-13800138000";

/// A writer that always fails, for [`ErrorKind::Io`].
struct FailingWriter;

impl tokio::io::AsyncWrite for FailingWriter {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::Error::other("disk full")))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// What the server answers for each path: every reply carries the planted personal data.
fn answer(r: &Recorded) -> Reply {
    let echo = format!(r#"{{"openid":"{OPENID}","out_trade_no":"{OUT_TRADE_NO}"}}"#);
    let path = r.target.split('?').next().unwrap_or_default();
    match path.rsplit('/').next().unwrap_or_default() {
        "param-error" => Reply {
            status: 400,
            headers: vec![("Request-ID".into(), "REQ-LEAK".into())],
            body: format!(
                r#"{{"code":"PARAM_ERROR","message":"参数错误","detail":{{"field":"/openid","value":"{OPENID}","issue":"{OUT_TRADE_NO}","location":"body"}}}}"#
            )
            .into_bytes(),
            delay: None,
        },
        "sign-error" => Reply {
            status: 401,
            body: format!(
                r#"{{"code":"SIGN_ERROR","message":"签名错误","detail":{{"detail":{{"issue":"sign not match"}},"field":"signature","location":"authorization","sign_information":{{"truncated_sign_message":"GET\n{}\n","sign_message_length":1}}}}}}"#,
                r.target
            )
            .into_bytes(),
            ..Reply::default()
        },
        "gateway" => Reply {
            status: 502,
            body: format!("<html>upstream failed for {OPENID} {OUT_TRADE_NO}</html>").into_bytes(),
            ..Reply::default()
        },
        "forged" => {
            // Signed by the wrong key: the signature does not verify.
            let mut reply = signed_reply(200, &echo, 0);
            let merchant = PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS8_PEM).unwrap();
            let ts = reply.headers[0].1.clone();
            let forged = merchant
                .sign_base64(&string_to_verify(&ts, "mocknonce0123456789", echo.as_bytes()))
                .unwrap();
            for (name, value) in &mut reply.headers {
                if name == "Wechatpay-Signature" {
                    *value = forged.clone();
                }
            }
            reply
        }
        "slow" => Reply {
            delay: Some(Duration::from_secs(5)),
            ..signed_reply(200, &echo, 0)
        },
        _ => signed_reply(200, &echo, 0),
    }
}

/// A notification as WeChat Pay sends it: `resource` encrypted with `apiv3_key`, the body signed
/// with the platform key. Returns the headers and the body.
fn notification(apiv3_key: &str, plaintext: &str) -> (HeaderMap, String) {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, apiv3_key.as_bytes()).unwrap());
    let nonce = "leaknonce012";
    let mut in_out = plaintext.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce.as_bytes().try_into().unwrap()),
        Aad::from(b"transaction"),
        &mut in_out,
    )
    .unwrap();
    let body = serde_json::json!({
        "id": "EV-LEAK-1",
        "create_time": "2026-11-30T10:00:00+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": BASE64.encode(in_out),
            "associated_data": "transaction",
            "nonce": nonce,
        }
    })
    .to_string();
    let timestamp = now().to_string();
    let platform = PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap();
    let signature = platform
        .sign_base64(&string_to_verify(&timestamp, "notifynonce", body.as_bytes()))
        .unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("wechatpay-timestamp", timestamp.as_str()),
        ("wechatpay-nonce", "notifynonce"),
        ("wechatpay-serial", PLATFORM_PUBLIC_KEY_ID),
        ("wechatpay-signature", signature.as_str()),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    (headers, body)
}

/// A call carrying personal values: the order number in the path, the openid and a refund number
/// in the query. The template's last segment picks the server's answer.
fn op(answer: &str) -> Operation {
    let template: &'static str =
        Box::leak(format!("/v3/pay/transactions/out-trade-no/{{out_trade_no}}/{answer}").into_boxed_str());
    Operation::new(Method::GET, template)
        .path_param("out_trade_no", OUT_TRADE_NO)
        .raw_query(&format!("openid={OPENID}&out_refund_no={OUT_REFUND_NO}"))
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Strict {
    openid: u64,
}

async fn provoke_every_error(server: &MockServer) -> Vec<(&'static str, Error)> {
    let mut errors = Vec::new();
    let client = |timeout: Duration| -> Client {
        public_key_builder(&server.base_url)
            .apiv3_key(APIV3_KEY)
            .unwrap()
            .timeout(timeout)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let c = client(Duration::from_secs(2));

    // Build: a private key PEM that is not a key, and an APIv3 key of the wrong length.
    let garbage_pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        BASE64.encode(APIV3_KEY)
    );
    let e = Client::builder()
        .merchant_private_key_pem(&garbage_pem)
        .unwrap_err();
    errors.push(("build: bad private key", e));
    let e = Client::builder().apiv3_key(&APIV3_KEY[..31]).unwrap_err();
    errors.push(("build: bad APIv3 key", e));
    let e = c
        .execute(Operation::new(
            Method::GET,
            "/v3/refund/domestic/refunds/{out_refund_no}",
        ))
        .await
        .unwrap_err();
    errors.push(("build: unset path parameter", e));

    // Transport: nothing listens; and a reply slower than the timeout.
    let refused = public_key_builder("http://127.0.0.1:9")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(("transport: refused", refused.execute(op("ok")).await.unwrap_err()));
    let impatient = client(Duration::from_millis(200));
    errors.push((
        "transport: timeout",
        impatient.execute(op("slow")).await.unwrap_err(),
    ));

    // Api: a JSON error echoing the values, a SIGN_ERROR quoting the signed URL, an HTML page.
    for (label, path) in [
        ("api: PARAM_ERROR", "param-error"),
        ("api: SIGN_ERROR", "sign-error"),
        ("api: gateway page", "gateway"),
    ] {
        errors.push((label, c.execute(op(path)).await.unwrap_err()));
    }

    // A body past the client's limit.
    let small = public_key_builder(&server.base_url)
        .max_response_bytes(16)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(("too large", small.execute(op("ok")).await.unwrap_err()));

    // Signature and decode of a response carrying personal data.
    errors.push(("signature: forged", c.execute(op("forged")).await.unwrap_err()));
    errors.push(("decode: response", c.json::<Strict>(op("ok")).await.unwrap_err()));

    // Notifications: tampered, wrong APIv3 key, a resource that is not the expected type.
    let plaintext =
        format!(r#"{{"openid":"{OPENID}","out_trade_no":"{OUT_TRADE_NO}","note":"{PLAINTEXT_MARKER}"}}"#);
    let (headers, body) = notification(APIV3_KEY, &plaintext);
    let tampered = body.replace("支付成功", "支付失败");
    let e = c
        .verify_notification(&headers, tampered.as_bytes())
        .await
        .unwrap_err();
    errors.push(("notification: tampered", e));
    let (other_headers, other_body) = notification("ABCDEFGHIJ0123456789abcdefghij01", &plaintext);
    let e = c
        .verify_notification(&other_headers, other_body.as_bytes())
        .await
        .unwrap_err();
    errors.push(("notification: wrong APIv3 key", e));
    let verified = c.verify_notification(&headers, body.as_bytes()).await.unwrap();
    errors.push(("notification: decode", verified.resource::<Strict>().unwrap_err()));

    // Downloads: a hash mismatch, and a writer that fails.
    let download = c.download(op("ok")).await.unwrap().verify_sha1(&"0".repeat(40));
    errors.push(("integrity", download.bytes().await.unwrap_err()));
    let download = c.download(op("ok")).await.unwrap();
    errors.push(("io", download.write_to(&mut FailingWriter).await.unwrap_err()));
    errors
}

/// `Display`, alternate `Debug`, and the `Display` and `Debug` of every source in the chain.
fn everything_shown(e: &Error) -> String {
    let mut text = format!("{e}\n{e:#?}\n");
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn no_error_or_log_holds_a_secret_or_personal_data() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_writer(captured.clone())
            .with_ansi(false),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    // `log` records (reqwest, hyper-util) reach the subscriber too, as a user's TRACE log would.
    let _ = tracing_log::LogTracer::init_with_filter(log::LevelFilter::Trace);

    let server = MockServer::start(answer).await;
    let errors = provoke_every_error(&server).await;

    let kinds: BTreeSet<String> = errors
        .iter()
        .map(|(_, e)| format!("{:?}", e.kind()).split('(').next().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = [
        "Build",
        "Transport",
        "Api",
        "Signature",
        "Decode",
        "Crypto",
        "Integrity",
        "Io",
        "TooLarge",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(kinds, expected, "every error kind is provoked");

    let authorization = server
        .requests()
        .iter()
        .find_map(|r| r.header("authorization").map(str::to_owned))
        .unwrap();
    let request_signature = authorization
        .split("signature=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"');
    let key_body: String = MERCHANT_PRIVATE_PKCS8_PEM.lines().nth(3).unwrap().to_owned();
    let secrets = [
        ("openid", OPENID),
        ("out_trade_no", OUT_TRADE_NO),
        ("out_refund_no", OUT_REFUND_NO),
        ("APIv3 key", APIV3_KEY),
        ("APIv3 key prefix", &APIV3_KEY[..31]),
        ("private key", key_body.as_str()),
        ("request signature", request_signature),
        ("decrypted plaintext", PLAINTEXT_MARKER),
    ];

    for (label, error) in &errors {
        let shown = everything_shown(error);
        for (what, secret) in secrets {
            assert!(
                !shown.contains(secret),
                "{label}: the {what} leaked into:\n{shown}"
            );
        }
    }
    // The call is named by its template, never by its filled path.
    let (_, api) = errors.iter().find(|(l, _)| *l == "api: PARAM_ERROR").unwrap();
    assert_eq!(
        api.operation().map(|(_, p)| p),
        Some("/v3/pay/transactions/out-trade-no/{out_trade_no}/param-error")
    );
    assert_eq!(
        (api.code(), api.detail_field()),
        (Some("PARAM_ERROR"), Some("/openid"))
    );

    let logs = captured.text();
    assert!(
        logs.contains("wechatpay.request"),
        "the calls were logged:\n{logs}"
    );
    for (what, secret) in secrets {
        assert!(
            !logs.contains(secret),
            "the {what} leaked into the TRACE log:\n{logs}"
        );
    }
}
