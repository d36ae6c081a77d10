//! `ClientBuilder::capture_requests`: no network, each request recorded as it would be sent
//! (signed, final headers, exact body) and answered by the canned response, which goes through
//! the client's usual response path (status, error body, verification, decoding).

mod common;

use std::time::Duration;

use common::keys::*;
use common::server::{MCHID, MERCHANT_SERIAL, multipart_part, now, public_key_builder, signed_reply};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use sdk_runtime::transport::{CapturedRequest, RequestCapture};
use sdk_runtime::wechatpay::sign::Authorization;
use sdk_runtime::wechatpay::{self, MediaUpload, PublicKey, RetryPolicy};
use sdk_runtime::{ErrorKind, Method, SignatureErrorKind, wonder};

const BASE_URL: &str = "https://dry-run.example.com";

fn capture(status: u16, headers: HeaderMap, body: &str) -> RequestCapture {
    RequestCapture::new(StatusCode::from_u16(status).unwrap(), headers, body.to_owned())
}

fn headers(pairs: &[(String, String)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(n, v)| {
            (
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect()
}

fn apiv3_client(capture: &RequestCapture) -> wechatpay::Client {
    public_key_builder(BASE_URL)
        .capture_requests(capture.clone())
        .build()
        .unwrap()
}

/// Whether the request's `Authorization` verifies with the merchant public key over its method,
/// path and query, and `signed` (what WeChat Pay checks).
fn apiv3_signature_ok(r: &CapturedRequest, signed: &[u8]) -> bool {
    let auth = Authorization::parse(r.header("authorization").expect("an Authorization header"))
        .expect("a WECHATPAY2-SHA256-RSA2048 header");
    let key = PublicKey::from_pem(MERCHANT_PUBLIC_SPKI_PEM).unwrap();
    auth.mchid == MCHID
        && auth.serial_no == MERCHANT_SERIAL
        && auth.verify(&key, r.method.as_str(), r.path_and_query(), signed)
}

fn stop_op() -> wechatpay::Operation {
    wechatpay::Operation::new(Method::POST, "/v3/payscore/plans/{plan}/stop")
        .path_param("plan", "PLAN 1/2")
        .query(&[("sub_mchid", "1900000109")])
        .unwrap()
        .json(&serde_json::json!({ "reason": "dry run" }))
        .unwrap()
}

#[tokio::test]
async fn an_apiv3_post_is_recorded_signed_and_the_canned_400_is_an_api_error() {
    let capture = capture(400, HeaderMap::new(), r#"{"code":"CAPTURED","message":"m"}"#);
    let err = apiv3_client(&capture)
        .json::<serde_json::Value>(stop_op())
        .await
        .expect_err("the canned 400");
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!((err.code(), err.message()), (Some("CAPTURED"), Some("m")));
    assert_eq!(
        err.operation(),
        Some((&Method::POST, "/v3/payscore/plans/{plan}/stop"))
    );

    let requests = capture.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.method, Method::POST);
    assert_eq!(
        r.url.as_str(),
        "https://dry-run.example.com/v3/payscore/plans/PLAN%201%2F2/stop?sub_mchid=1900000109"
    );
    assert_eq!(r.url.host_str(), Some("dry-run.example.com"));
    assert_eq!(
        r.path_and_query(),
        "/v3/payscore/plans/PLAN%201%2F2/stop?sub_mchid=1900000109"
    );
    assert_eq!(&r.body[..], br#"{"reason":"dry run"}"#);
    assert!(apiv3_signature_ok(r, &r.body), "{r:?}");
    assert!(!apiv3_signature_ok(r, b"{}"), "the signature covers the body");
    let timestamp: i64 = Authorization::parse(r.header("authorization").unwrap())
        .unwrap()
        .timestamp
        .parse()
        .unwrap();
    assert!((now() - timestamp).abs() < 60);
    assert!(r.headers["authorization"].is_sensitive());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("wechatpay-serial"), Some(PLATFORM_PUBLIC_KEY_ID));
    assert!(
        r.header("user-agent")
            .is_some_and(|ua| ua.starts_with("sdk-runtime/"))
    );
}

#[tokio::test]
async fn an_apiv3_canned_200_is_verified_before_it_is_data() {
    let unsigned = capture(200, HeaderMap::new(), r#"{"plan_id":"P1"}"#);
    let err = apiv3_client(&unsigned)
        .json::<serde_json::Value>(stop_op())
        .await
        .expect_err("an unsigned 200 is never data");
    assert_eq!(
        err.kind(),
        ErrorKind::Signature(SignatureErrorKind::MissingHeader)
    );
    assert_eq!(unsigned.requests().len(), 1);

    // Signed with a key that is not WeChat Pay's: rejected too.
    let forged_key = sdk_runtime::PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS8_PEM).unwrap();
    let forged = common::server::signed_reply_by(&forged_key, PLATFORM_PUBLIC_KEY_ID, 200, "{}", 0);
    let forged = capture(200, headers(&forged.headers), "{}");
    let err = apiv3_client(&forged).execute(stop_op()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Signature(_)), "{err:?}");

    // Signed by the platform key: verified and decoded.
    let body = r#"{"plan_id":"P1"}"#;
    let signed = capture(200, headers(&signed_reply(200, body, 0).headers), body);
    let reply: serde_json::Value = apiv3_client(&signed).json(stop_op()).await.unwrap();
    assert_eq!(reply["plan_id"], "P1");
}

#[tokio::test]
async fn a_media_upload_is_captured_as_the_whole_multipart_body() {
    let capture = capture(400, HeaderMap::new(), r#"{"code":"CAPTURED","message":"m"}"#);
    let content = vec![0xFF_u8, 0xD8, 0xFF, 0xE0, 1, 2, 3];
    let op = wechatpay::Operation::new(Method::POST, "/v3/merchant/media/upload")
        .multipart(&MediaUpload::new("photo.jpg", content.clone()));
    let meta = op.signed_body().to_vec();
    let err = apiv3_client(&capture).execute(op).await.unwrap_err();
    assert_eq!(err.code(), Some("CAPTURED"));

    let r = capture.requests().pop().unwrap();
    let content_type = r.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("{content_type}"));
    assert!(!boundary.is_empty());
    assert_eq!(
        r.header("content-length").map(|l| l.parse::<usize>().unwrap()),
        Some(r.body.len())
    );
    let (meta_head, meta_part) = multipart_part(&r.body, boundary, "meta").unwrap();
    assert_eq!(&meta_part[..], &meta[..]);
    assert!(
        std::str::from_utf8(&meta)
            .unwrap()
            .contains(r#""filename":"photo.jpg""#)
    );
    assert!(meta_head.contains("application/json"), "{meta_head}");
    let (file_head, file_part) = multipart_part(&r.body, boundary, "file").unwrap();
    assert_eq!(&file_part[..], &content[..]);
    assert!(file_head.contains("filename=\"photo.jpg\"") && file_head.contains("image/jpeg"));
    assert!(r.body.ends_with(format!("--{boundary}--\r\n").as_bytes()));
    assert!(apiv3_signature_ok(&r, &meta), "the meta JSON is what is signed");
}

#[tokio::test]
async fn a_wonder_request_carries_its_signature_and_the_envelope_error_is_an_api_error() {
    const APP_ID: &str = "d900da8b-6e16-4a85-8a66-05d29ac53f24";
    let capture = capture(
        200,
        HeaderMap::new(),
        r#"{"code":"E000001","message":"dry","data":null}"#,
    );
    let client = wonder::Client::builder()
        .app_id(APP_ID)
        .private_key_pem(WONDER_APP_PRIVATE_PKCS8_PEM)
        .unwrap()
        .capture_requests(capture.clone())
        .build()
        .unwrap();
    let op = wonder::Operation::new(Method::POST, "/svc/payment/api/v1/openapi/echo")
        .json(&serde_json::json!({ "message": "hi" }))
        .unwrap();
    let err = client.json::<serde_json::Value>(op).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(
        (err.status(), err.code()),
        (Some(StatusCode::OK), Some("E000001"))
    );

    let r = capture.requests().pop().unwrap();
    assert_eq!(
        r.url.as_str(),
        "https://gateway.wonder.today/svc/payment/api/v1/openapi/echo"
    );
    assert_eq!(&r.body[..], br#"{"message":"hi"}"#);
    let signed = wonder::sign::SignedHeaders {
        credential: r.header("Credential").expect("Credential").to_owned(),
        nonce: r.header("Nonce").expect("Nonce").to_owned(),
        signature: r.header("Signature").expect("Signature").to_owned(),
    };
    let key = wonder::PublicKey::from_pem(WONDER_APP_PUBLIC_SPKI_PEM).unwrap();
    let credential = wonder::verify(
        &key,
        r.method.as_str(),
        r.path_and_query(),
        &r.body,
        &signed,
        Some(now()),
        wonder::MAX_CLOCK_SKEW,
    )
    .expect("the signature holds over what was captured");
    assert_eq!(credential.app_id(), APP_ID);
    assert!(r.header("x-request-id").is_some());
}

fn apiv2_client(capture: &RequestCapture) -> wechatpay::v2::Client {
    wechatpay::v2::Client::builder()
        .apiv2_key("192006250b4c09247ec02edce69f6a2d")
        .unwrap()
        .capture_requests(capture.clone())
        .build()
        .unwrap()
}

#[derive(serde::Serialize)]
struct OrderQuery<'a> {
    appid: &'a str,
    mch_id: &'a str,
    out_trade_no: &'a str,
}

fn order_query() -> wechatpay::v2::Operation {
    let query = OrderQuery {
        appid: "wxd930ea5d5a258f4f",
        mch_id: "10000100",
        out_trade_no: "T0001",
    };
    wechatpay::v2::Operation::new(Method::POST, "/pay/orderquery")
        .xml(&query)
        .unwrap()
}

#[tokio::test]
async fn an_apiv2_xml_body_is_signed_and_a_failed_return_code_is_an_api_error() {
    use wechatpay::v2::{ApiV2Key, xml};
    let answer = "<xml><return_code>FAIL</return_code><return_msg>dry run</return_msg></xml>";
    let capture = capture(200, HeaderMap::new(), answer);
    let err = apiv2_client(&capture)
        .xml::<std::collections::BTreeMap<String, String>>(order_query())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!((err.code(), err.message()), (Some("FAIL"), Some("dry run")));

    let r = capture.requests().pop().unwrap();
    assert_eq!(r.url.as_str(), "https://api.mch.weixin.qq.com/pay/orderquery");
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    let fields = xml::parse(&r.body).expect("an APIv2 document");
    assert!(fields.get("sign").is_some_and(|s| s.len() == 32), "{fields:?}");
    assert_eq!(fields.get("out_trade_no").map(String::as_str), Some("T0001"));
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    wechatpay::v2::sign::verify(&fields, &key).expect("the sign holds over the captured fields");

    // A SUCCESS answer without `sign` is rejected, as WeChat Pay's would be.
    let unsigned = capture_ok_unsigned();
    let err = apiv2_client(&unsigned)
        .xml::<std::collections::BTreeMap<String, String>>(order_query())
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Signature(_)), "{err:?}");
}

fn capture_ok_unsigned() -> RequestCapture {
    let answer = "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>";
    capture(200, HeaderMap::new(), answer)
}

#[tokio::test]
async fn a_mutual_tls_call_without_a_certificate_fails_before_the_capture() {
    let capture = capture_ok_unsigned();
    let op = wechatpay::v2::Operation::new(Method::POST, "/secapi/pay/refund").mutual_tls();
    let err = apiv2_client(&capture)
        .xml::<std::collections::BTreeMap<String, String>>(op)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    assert!(err.to_string().contains("mutual TLS"), "{err}");
    assert!(capture.requests().is_empty(), "nothing would have been sent");
}

#[tokio::test]
async fn a_retried_get_records_every_attempt() {
    let capture = capture(
        503,
        HeaderMap::new(),
        r#"{"code":"SYSTEM_ERROR","message":"busy"}"#,
    );
    let client = public_key_builder(BASE_URL)
        .capture_requests(capture.clone())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let op = wechatpay::Operation::new(Method::GET, "/v3/pay/transactions/id/{id}")
        .path_param("id", "4200000001")
        .query(&[("mchid", MCHID)])
        .unwrap();
    let err = client.execute(op).await.unwrap_err();
    assert_eq!((err.kind(), err.code()), (ErrorKind::Api, Some("SYSTEM_ERROR")));
    let requests = capture.requests();
    assert_eq!(requests.len(), 3, "the first attempt and two retries");
    let nonces: std::collections::HashSet<String> = requests
        .iter()
        .map(|r| {
            Authorization::parse(r.header("authorization").unwrap())
                .unwrap()
                .nonce_str
        })
        .collect();
    assert_eq!(nonces.len(), 3, "each attempt is signed anew");
    assert!(
        requests
            .iter()
            .all(|r| r.body.is_empty() && apiv3_signature_ok(r, b""))
    );
}

#[tokio::test]
async fn debug_of_a_captured_request_hides_signatures_and_the_body() {
    let capture = capture(400, HeaderMap::new(), r#"{"code":"CAPTURED","message":"m"}"#);
    apiv3_client(&capture).execute(stop_op()).await.unwrap_err();
    let r = capture.requests().pop().unwrap();
    let signature = Authorization::parse(r.header("authorization").unwrap())
        .unwrap()
        .signature;
    let shown = format!("{r:?} {r:#?} {capture:?}");
    assert!(!shown.contains(&signature), "{shown}");
    assert!(!shown.contains("WECHATPAY2-SHA256-RSA2048"), "{shown}");
    assert!(!shown.contains("dry run"), "no body: {shown}");
    assert!(
        shown.contains("authorization") && shown.contains("body_len: 20"),
        "{shown}"
    );
    assert!(shown.contains("/v3/payscore/plans/PLAN%201%2F2/stop"), "{shown}");
}
