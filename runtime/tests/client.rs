//! `Client` end to end against a local server on 127.0.0.1 that checks request signatures with
//! the merchant public key and signs responses with the platform key.

mod common;

use std::time::Duration;

use common::keys::*;
use common::server::{
    MCHID, MERCHANT_SERIAL, MockServer, Reply, client, multipart_part, request_signature_ok, signed_reply,
    with_header,
};
use sdk_runtime::wechatpay::{Client, MediaUpload, Operation};
use sdk_runtime::{DateTime, ErrorKind, Method, SignatureErrorKind};

const PLAN_BODY: &str = r#"{"plan_id":"1234323JKHDFE1243252","merchant_plan_no":"PLAN20241121","plan_state":"STOPPED","stop_time":"2024-11-21T15:40:01+08:00"}"#;

#[derive(Debug, serde::Deserialize)]
struct StopResponse {
    plan_id: String,
    merchant_plan_no: String,
    plan_state: String,
    stop_time: DateTime,
}

#[derive(Debug, serde::Serialize)]
struct StopRequest<'a> {
    sub_mchid: &'a str,
}

/// What generated code looks like.
async fn stop_plan(
    client: &Client,
    merchant_plan_no: &str,
    body: &StopRequest<'_>,
) -> Result<StopResponse, sdk_runtime::Error> {
    let op = Operation::new(
        Method::POST,
        "/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop",
    )
    .path_param("merchant_plan_no", merchant_plan_no)
    .json(body)?;
    client.json(op).await
}

const STOP: StopRequest<'static> = StopRequest {
    sub_mchid: "1900000109",
};

#[tokio::test]
async fn verified_2xx_response_decodes() {
    let server = MockServer::start(|r| {
        if request_signature_ok(r) {
            signed_reply(200, PLAN_BODY, 0)
        } else {
            Reply {
                status: 401,
                body: br#"{"code":"SIGN_ERROR","message":"bad signature"}"#.to_vec(),
                ..Reply::default()
            }
        }
    })
    .await;
    let client = client(&server.base_url);
    let plan = stop_plan(&client, "PLAN20241121", &STOP).await.unwrap();
    assert_eq!(plan.plan_id, "1234323JKHDFE1243252");
    assert_eq!(plan.merchant_plan_no, "PLAN20241121");
    assert_eq!(plan.plan_state, "STOPPED");
    assert_eq!(plan.stop_time.to_string(), "2024-11-21T15:40:01+08:00");

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("wechatpay-serial"), Some(PLATFORM_PUBLIC_KEY_ID));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("sdk-runtime/")),
        "{:?}",
        request.header("user-agent")
    );
    assert_eq!(&request.body[..], br#"{"sub_mchid":"1900000109"}"#);
}

#[tokio::test]
async fn execute_returns_status_headers_and_raw_body() {
    let server = MockServer::start(|_| signed_reply(202, PLAN_BODY, 0)).await;
    let response = client(&server.base_url)
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(response.request_id().as_deref(), Some("MOCK-REQUEST-ID-1"));
    assert_eq!(&response.body()[..], PLAN_BODY.as_bytes());
    let request = server.single_request();
    assert_eq!(request.header("content-type"), None, "no body, no content type");
    assert!(request.body.is_empty());
    assert!(request_signature_ok(&request));
}

#[tokio::test]
async fn tampered_body_is_a_signature_error() {
    let server = MockServer::start(|_| {
        let mut reply = signed_reply(200, PLAN_BODY, 0);
        reply.body = PLAN_BODY.replace("STOPPED", "EFFECTIVE").into_bytes();
        reply
    })
    .await;
    let err = stop_plan(&client(&server.base_url), "PLAN20241121", &STOP)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::InvalidSignature)
    );
    assert_eq!(err.status(), Some(http::StatusCode::OK));
    assert_eq!(err.request_id(), Some("MOCK-REQUEST-ID-1"));
}

#[tokio::test]
async fn stale_timestamp_is_a_signature_error() {
    let server = MockServer::start(|_| signed_reply(200, PLAN_BODY, -301)).await;
    let err = stop_plan(&client(&server.base_url), "PLAN20241121", &STOP)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature(SignatureErrorKind::Expired));
}

#[tokio::test]
async fn signtest_probe_has_its_own_kind() {
    let server = MockServer::start(|_| {
        let reply = signed_reply(200, PLAN_BODY, 0);
        let signature = reply
            .headers
            .iter()
            .find(|(n, _)| n == "Wechatpay-Signature")
            .map(|(_, v)| v.clone())
            .unwrap();
        with_header(
            reply,
            "Wechatpay-Signature",
            &format!("WECHATPAY/SIGNTEST/{}", &signature[19..]),
        )
    })
    .await;
    let err = stop_plan(&client(&server.base_url), "PLAN20241121", &STOP)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature(SignatureErrorKind::SignTest));
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(cause.contains("SIGNTEST"), "{cause}");
}

#[tokio::test]
async fn unknown_serial_and_missing_headers_are_signature_errors() {
    let server = MockServer::start(|r| {
        let reply = signed_reply(200, PLAN_BODY, 0);
        if r.target.ends_with("/serial") {
            with_header(reply, "Wechatpay-Serial", "PUB_KEY_ID_UNKNOWN")
        } else {
            Reply {
                status: 200,
                body: PLAN_BODY.as_bytes().to_vec(),
                ..Reply::default()
            }
        }
    })
    .await;
    let client = client(&server.base_url);
    let err = client
        .execute(Operation::new(Method::GET, "/v3/serial"))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::UnknownSerial)
    );
    let err = client
        .execute(Operation::new(Method::GET, "/v3/unsigned"))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::MissingHeader)
    );
}

#[tokio::test]
async fn api_error_4xx_json() {
    let server = MockServer::start(|_| Reply {
        status: 400,
        headers: vec![
            ("Request-ID".into(), "08F78BB5AF0610D302189F99DD5C20BA56F89845-0".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: br#"{"code":"PARAM_ERROR","message":"sub_mchid is invalid","detail":{"field":"/sub_mchid","value":"x","issue":"bad","location":"body"}}"#.to_vec(),
        delay: None,
    })
    .await;
    let err = stop_plan(&client(&server.base_url), "PLAN20241121", &STOP)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(err.code(), Some("PARAM_ERROR"));
    assert_eq!(err.message(), Some("sub_mchid is invalid"));
    assert_eq!(err.detail_field(), Some("/sub_mchid"));
    assert_eq!(
        err.request_id(),
        Some("08F78BB5AF0610D302189F99DD5C20BA56F89845-0")
    );
    let shown = err.to_string();
    assert!(shown.contains("PARAM_ERROR") && shown.contains("400"), "{shown}");
    assert!(!shown.contains("WECHATPAY2-SHA256-RSA2048"), "{shown}");
}

#[tokio::test]
async fn api_error_non_json_body_is_summarized_not_kept() {
    let server = MockServer::start(|_| Reply {
        status: 502,
        body: b"<html>Bad Gateway</html>".to_vec(),
        ..Reply::default()
    })
    .await;
    let err = client(&server.base_url)
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.code(), None);
    assert_eq!(err.operation(), Some((&Method::GET, "/v3/x")));
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("24 bytes") && !shown.contains("<html>"), "{shown}");
}

#[tokio::test]
async fn no_content_204_decodes_into_empty_struct() {
    #[derive(Debug, serde::Deserialize)]
    struct Empty {}
    #[derive(Debug, serde::Deserialize)]
    struct AllOptional {
        #[allow(dead_code)]
        plan_id: Option<String>,
    }
    let server = MockServer::start(|_| signed_reply(204, "", 0)).await;
    let client = client(&server.base_url);
    let _: Empty = client.json(Operation::new(Method::POST, "/v3/x")).await.unwrap();
    let all: AllOptional = client.json(Operation::new(Method::POST, "/v3/x")).await.unwrap();
    assert!(all.plan_id.is_none());
}

#[tokio::test]
async fn undecodable_body_is_a_decode_error() {
    let server = MockServer::start(|_| signed_reply(200, r#"{"plan_id":1}"#, 0)).await;
    let err = stop_plan(&client(&server.base_url), "PLAN20241121", &STOP)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        cause.starts_with("invalid type: integer `…`, expected a string"),
        "{cause}"
    );
    assert_eq!(err.request_id(), Some("MOCK-REQUEST-ID-1"));
}

#[tokio::test]
async fn download_of_unsigned_path_skips_verification() {
    let csv = "交易时间,公众账号ID\n`2024-11-21 15:40:01,`wx8888888888888888\n";
    let server = MockServer::start(move |_| Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/plain;charset=utf-8".into())],
        body: csv.as_bytes().to_vec(),
        delay: None,
    })
    .await;
    let client = client(&server.base_url);
    let op = || {
        Operation::new(Method::GET, "/v3/billdownload/file")
            .query(&[(
                "token",
                "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO",
            )])
            .unwrap()
    };
    let download = client.download(op()).await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.content_type(), Some("text/plain;charset=utf-8"));
    assert!(
        format!("{download:?}").contains("streaming: true"),
        "{download:?}"
    );
    assert_eq!(&download.bytes().await.unwrap()[..], csv.as_bytes());

    // The same unsigned response through `execute` (or to a signed path) is rejected.
    let err = client.execute(op()).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::MissingHeader)
    );
    let err = client
        .download(Operation::new(Method::GET, "/v3/bill/tradebill"))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::MissingHeader)
    );

    // Image download by media id: unsigned too.
    let image = client
        .download(
            Operation::new(Method::GET, "/v3/merchant-service/images/{media_id}")
                .path_param("media_id", "ChsyMDAwMDAwMjAxOTA3MTcxNjM5MjM="),
        )
        .await
        .unwrap();
    assert_eq!(&image.bytes().await.unwrap()[..], csv.as_bytes());
    assert!(server.requests().iter().all(request_signature_ok));
}

#[tokio::test]
async fn multipart_upload_signs_meta_and_sends_it_byte_identical() {
    let server = MockServer::start(|r| {
        if request_signature_ok(r) {
            signed_reply(200, r#"{"media_id":"MEDIA-1"}"#, 0)
        } else {
            Reply {
                status: 401,
                body: br#"{"code":"SIGN_ERROR","message":"bad signature"}"#.to_vec(),
                ..Reply::default()
            }
        }
    })
    .await;
    let content = vec![0xFF_u8, 0xD8, 0xFF, 0xE0, 1, 2, 3];
    let upload = MediaUpload::new("photo.jpg", content.clone());
    let op = Operation::new(Method::POST, "/v3/merchant/media/upload").multipart(&upload);
    let meta = op.signed_body().to_vec();
    let reply: serde_json::Value = client(&server.base_url).json(op).await.unwrap();
    assert_eq!(reply["media_id"], "MEDIA-1");

    let request = server.single_request();
    let content_type = request.header("content-type").unwrap().to_owned();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let (meta_head, meta_part) = multipart_part(&request.body, boundary, "meta").unwrap();
    assert_eq!(&meta_part[..], &meta[..]);
    assert!(meta_head.contains("application/json"), "{meta_head}");
    let (file_head, file_part) = multipart_part(&request.body, boundary, "file").unwrap();
    assert_eq!(&file_part[..], &content[..]);
    assert!(file_head.contains("filename=\"photo.jpg\""), "{file_head}");
    assert!(file_head.contains("image/jpeg"), "{file_head}");
}

#[tokio::test]
async fn extra_headers_are_sent_and_may_override_wechatpay_serial() {
    let server = MockServer::start(|_| signed_reply(200, "{}", 0)).await;
    let op = Operation::new(Method::POST, "/v3/x")
        .header("Idempotency-Key", "IDEMP-1")
        .unwrap()
        .header("Wechatpay-Serial", "PUB_KEY_ID_FOR_ENCRYPTION")
        .unwrap();
    client(&server.base_url).execute(op).await.unwrap();
    let request = server.single_request();
    assert_eq!(request.header("idempotency-key"), Some("IDEMP-1"));
    assert_eq!(
        request.header("wechatpay-serial"),
        Some("PUB_KEY_ID_FOR_ENCRYPTION")
    );
    assert!(request_signature_ok(&request));
}

#[tokio::test]
async fn per_operation_base_url_override() {
    let default = MockServer::start(|_| signed_reply(200, r#"{"host":"default"}"#, 0)).await;
    let other = MockServer::start(|_| signed_reply(200, r#"{"host":"other"}"#, 0)).await;
    let base: &'static str = Box::leak(format!("{}/", other.base_url).into_boxed_str());
    let reply: serde_json::Value = client(&default.base_url)
        .json(Operation::new(Method::GET, "/v3/x").base_url(base))
        .await
        .unwrap();
    assert_eq!(reply["host"], "other");
    assert!(default.requests().is_empty());
    assert!(request_signature_ok(&other.single_request()));
}

#[tokio::test]
async fn build_error_sends_nothing() {
    let server = MockServer::start(|_| signed_reply(200, "{}", 0)).await;
    let op = Operation::new(Method::GET, "/v3/x/{id}");
    let err = client(&server.base_url).execute(op).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn transport_errors_and_timeouts() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client(&closed)
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.is_timeout());

    let server = MockServer::start(|_| Reply {
        delay: Some(Duration::from_secs(3)),
        ..signed_reply(200, "{}", 0)
    })
    .await;
    let slow = Client::builder()
        .mchid(MCHID)
        .merchant_serial_number(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap()
        .base_url(&server.base_url)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = slow
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[test]
fn builder_requires_credentials_and_keys() {
    let full = || {
        Client::builder()
            .mchid(MCHID)
            .merchant_serial_number(MERCHANT_SERIAL)
            .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
            .unwrap()
            .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
            .unwrap()
    };
    let client = full().build().unwrap();
    assert_eq!(client.base_url(), "https://api.mch.weixin.qq.com");
    assert_eq!(client.wechatpay_serial().as_deref(), Some(PLATFORM_PUBLIC_KEY_ID));
    assert_eq!(client.signer().mchid(), MCHID);
    assert!(client.verifier().keys().contains(PLATFORM_PUBLIC_KEY_ID));

    let no_key = Client::builder()
        .mchid(MCHID)
        .merchant_serial_number(MERCHANT_SERIAL)
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap();
    let no_public = Client::builder()
        .mchid(MCHID)
        .merchant_serial_number(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap();
    let no_mchid = Client::builder()
        .merchant_serial_number(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS1_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap();
    let no_serial = Client::builder()
        .mchid(MCHID)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap();
    for (what, builder) in [
        ("private key", no_key),
        ("public key", no_public),
        ("mchid", no_mchid),
        ("serial", no_serial),
    ] {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Build, "{what}");
        assert!(err.to_string().contains("missing"), "{what}: {err}");
    }
    for bad_base in ["not a url", "ftp://x.example", "/v3", "https://x.example/?a=1"] {
        let err = full().base_url(bad_base).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Build, "{bad_base}");
    }
    let err = full().user_agent("bad\nagent").build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    let err = Client::builder()
        .merchant_private_key_pem(PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
}

#[test]
fn debug_never_prints_key_material() {
    // Recognizable pieces of the PEM bodies (and the whole PEM texts).
    let private_chunk = MERCHANT_PRIVATE_PKCS8_PEM.lines().nth(5).unwrap();
    let pkcs1_chunk = MERCHANT_PRIVATE_PKCS1_PEM.lines().nth(5).unwrap();
    let builder = Client::builder()
        .mchid(MCHID)
        .merchant_serial_number(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap();
    let builder_debug = format!("{builder:?} {builder:#?}");
    let client = builder.build().unwrap();
    let pkcs1 = sdk_runtime::wechatpay::PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS1_PEM).unwrap();
    let signer = client.signer();
    let all = format!(
        "{builder_debug} {client:?} {client:#?} {pkcs1:?} {signer:?} {:?}",
        client.verifier()
    );
    for secret in [private_chunk, pkcs1_chunk, "PRIVATE KEY", "MIIEv", "MIIEo"] {
        assert!(!all.contains(secret), "`{secret}` leaked in {all}");
    }
    assert!(all.contains("[redacted]"));
    assert!(all.contains(MCHID) && all.contains(PLATFORM_PUBLIC_KEY_ID));
}

#[test]
fn client_is_cheap_send_sync_and_futures_are_send() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let client = client("http://127.0.0.1:9");
    assert_send_sync(&client);
    let fut = client.json::<serde_json::Value>(Operation::new(Method::GET, "/v3/x"));
    assert_send(&fut);
    let fut = client.download(Operation::new(Method::GET, "/v3/x"));
    assert_send(&fut);
}
