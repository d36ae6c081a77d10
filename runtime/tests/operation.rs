//! `Operation`: path parameters, query, headers, bodies, and the canonical URL as sent on the wire.

mod common;

use common::server::{MockServer, client, request_signature_ok, signed_reply};
use sdk_runtime::wechatpay::{MediaUpload, Operation, encode_path_segment};
use sdk_runtime::{DateTime, ErrorKind, Method};

const DEFAULT_BASE: &str = "https://api.mch.weixin.qq.com";

#[test]
fn path_param_is_one_encoded_segment() {
    let op = Operation::new(Method::GET, "/v3/x/{id}/y").path_param("id", "a/b c");
    assert_eq!(op.path(), "/v3/x/a%2Fb%20c/y");
    assert_eq!(
        op.url(DEFAULT_BASE).unwrap().as_str(),
        "https://api.mch.weixin.qq.com/v3/x/a%2Fb%20c/y"
    );
    assert_eq!(encode_path_segment("?#%"), "%3F%23%25");
    assert_eq!(encode_path_segment("订单"), "%E8%AE%A2%E5%8D%95");
    assert_eq!(encode_path_segment("PLAN-2024_11.21~x"), "PLAN-2024_11.21~x");
}

#[test]
fn path_param_problems_are_build_errors_at_url_time() {
    let missing = Operation::new(Method::GET, "/v3/x/{id}").path_param("other", "1");
    assert_eq!(missing.url(DEFAULT_BASE).unwrap_err().kind(), ErrorKind::Build);
    let unfilled = Operation::new(Method::GET, "/v3/x/{id}/{sub}").path_param("id", "1");
    let err = unfilled.url(DEFAULT_BASE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    assert!(err.to_string().contains("{sub}"), "{err}");
    for bad in ["", ".", ".."] {
        let op = Operation::new(Method::GET, "/v3/x/{id}").path_param("id", bad);
        assert_eq!(op.url(DEFAULT_BASE).unwrap_err().kind(), ErrorKind::Build);
    }
}

#[derive(serde::Serialize)]
struct ListQuery<'a> {
    mchid: &'a str,
    offset: u32,
    limit: Option<u32>,
    note: Option<&'a str>,
}

#[test]
fn query_serialization() {
    let q = ListQuery {
        mchid: "1900000109",
        offset: 0,
        limit: Some(10),
        note: Some("a b&c=d/中"),
    };
    let op = Operation::new(Method::GET, "/v3/list").query(&q).unwrap();
    assert_eq!(
        op.query_string(),
        "mchid=1900000109&offset=0&limit=10&note=a+b%26c%3Dd%2F%E4%B8%AD"
    );
    let url = op.url(DEFAULT_BASE).unwrap();
    assert_eq!(
        url.query(),
        Some("mchid=1900000109&offset=0&limit=10&note=a+b%26c%3Dd%2F%E4%B8%AD")
    );

    // None fields are skipped; an empty query adds no `?`.
    #[derive(serde::Serialize)]
    struct Empty {
        limit: Option<u32>,
    }
    let op = Operation::new(Method::GET, "/v3/list")
        .query(&Empty { limit: None })
        .unwrap();
    assert_eq!(
        op.url(DEFAULT_BASE).unwrap().as_str(),
        "https://api.mch.weixin.qq.com/v3/list"
    );

    // Two calls append.
    let op = Operation::new(Method::GET, "/v3/list")
        .query(&[("a", "1")])
        .unwrap()
        .query(&[("b", "2")])
        .unwrap();
    assert_eq!(op.query_string(), "a=1&b=2");

    // Nested values cannot be URL-encoded.
    #[derive(serde::Serialize)]
    struct Nested {
        inner: ListQuery<'static>,
    }
    let nested = Nested {
        inner: ListQuery {
            mchid: "1",
            offset: 0,
            limit: None,
            note: None,
        },
    };
    let err = Operation::new(Method::GET, "/v3/list")
        .query(&nested)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
}

#[test]
fn base_url_override_and_trailing_slash() {
    let op = Operation::new(Method::GET, "/v3/x").base_url("https://pay.wechatpay.cn/");
    assert_eq!(
        op.url(DEFAULT_BASE).unwrap().as_str(),
        "https://pay.wechatpay.cn/v3/x"
    );
    let op = Operation::new(Method::GET, "/v3/x");
    assert_eq!(
        op.url("http://127.0.0.1:8080/prefix/").unwrap().as_str(),
        "http://127.0.0.1:8080/prefix/v3/x"
    );
}

#[test]
fn header_validation() {
    let op = Operation::new(Method::POST, "/v3/x")
        .header("Idempotency-Key", "abc-123")
        .unwrap();
    assert!(format!("{op:?}").contains("idempotency-key"));
    let err = Operation::new(Method::POST, "/v3/x")
        .header("Idempotency-Key", "bad\r\nvalue")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    assert!(!err.to_string().contains("bad"), "{err}");
    let err = Operation::new(Method::POST, "/v3/x")
        .header("Bad Name", "v")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    let with = Operation::new(Method::POST, "/v3/x")
        .header_opt("Idempotency-Key", Some("k-1"))
        .unwrap();
    assert!(format!("{with:?}").contains("idempotency-key"));
    let without = Operation::new(Method::POST, "/v3/x")
        .header_opt("Idempotency-Key", None)
        .unwrap();
    assert!(!format!("{without:?}").contains("idempotency-key"));
}

#[test]
fn json_body_is_serialized_once() {
    #[derive(serde::Serialize)]
    struct Body {
        b: u8,
        a: &'static str,
    }
    let op = Operation::new(Method::POST, "/v3/x")
        .json(&Body { b: 1, a: "中" })
        .unwrap();
    assert_eq!(op.signed_body(), "{\"b\":1,\"a\":\"中\"}".as_bytes());
    assert_eq!(Operation::new(Method::GET, "/v3/x").signed_body(), b"");
}

#[test]
fn multipart_meta_json() {
    let upload = MediaUpload::new("photo.jpg", &b"abc"[..]);
    let op = Operation::new(Method::POST, "/v3/merchant/media/upload").multipart(&upload);
    assert_eq!(
        op.signed_body(),
        br#"{"filename":"photo.jpg","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}"#
    );
    let shown = format!("{upload:?}");
    assert!(shown.contains("content_len: 3"), "{shown}");
}

#[tokio::test]
async fn canonical_url_is_what_goes_on_the_wire() {
    let server = MockServer::start(|_| signed_reply(200, "{}", 0)).await;
    let client = client(&server.base_url);
    let op = Operation::new(Method::GET, "/v3/pay/transactions/out-trade-no/{out_trade_no}")
        .path_param("out_trade_no", "a/b c?#%订单*'()")
        .query(&[("mchid", "1900000109"), ("q", "x y+z*~'中")])
        .unwrap();
    let expected_url = op.url(&server.base_url).unwrap();
    let _: serde_json::Value = client.json(op).await.unwrap();

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.target,
        &expected_url[url::Position::BeforePath..url::Position::AfterQuery]
    );
    assert_eq!(
        request.target,
        "/v3/pay/transactions/out-trade-no/a%2Fb%20c%3F%23%25%E8%AE%A2%E5%8D%95*'()\
         ?mchid=1900000109&q=x+y%2Bz*%7E%27%E4%B8%AD"
    );
    assert!(
        request_signature_ok(&request),
        "signature over the raw target must verify"
    );
    // The check is meaningful: any other target fails.
    let mut forged = request.clone();
    forged.target = forged.target.replace("%20", "+");
    assert!(!request_signature_ok(&forged));
}

#[tokio::test]
async fn post_json_signature_covers_the_sent_bytes() {
    let server = MockServer::start(|_| signed_reply(200, "{}", 0)).await;
    let op = Operation::new(
        Method::POST,
        "/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop",
    )
    .path_param("merchant_plan_no", "PLAN20241121")
    .json(&serde_json::json!({"sub_mchid": "1900000109", "reason": "用户取消"}))
    .unwrap();
    let sent = op.signed_body().to_vec();
    let _: serde_json::Value = client(&server.base_url).json(op).await.unwrap();
    let request = server.single_request();
    assert_eq!(
        request.target,
        "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop"
    );
    assert_eq!(&request.body[..], &sent[..]);
    assert!(request_signature_ok(&request));
}

#[test]
fn datetime_round_trips_wechat_form() {
    let dt: DateTime = "2024-11-21T15:40:01+08:00".parse().unwrap();
    assert_eq!(dt.to_string(), "2024-11-21T15:40:01+08:00");
    assert_eq!(
        serde_json::to_string(&dt).unwrap(),
        "\"2024-11-21T15:40:01+08:00\""
    );
    let utc: DateTime = serde_json::from_str("\"2024-11-21T07:40:01Z\"").unwrap();
    assert_eq!(utc.to_string(), "2024-11-21T07:40:01+00:00");
    assert_eq!(utc, dt);
    assert_eq!(
        *dt.as_offset_date_time(),
        time::macros::datetime!(2024-11-21 15:40:01 +8)
    );
}
