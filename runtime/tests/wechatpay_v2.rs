//! WeChat Pay APIv2 (XML): the shared test vectors, hostile documents, and `v2::Client` end to
//! end against a local server on 127.0.0.1 that checks request signatures with the APIv2 key
//! and signs its answers with it, as WeChat Pay does. Mutual TLS: `wechatpay_v2_mtls.rs`.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::server::{MockServer, Recorded, Reply};
use sdk_runtime::wechatpay::NotificationReply;
use sdk_runtime::wechatpay::v2::{
    self, ApiV2Key, Client, Operation, SignType, from_params, sign, to_params, xml,
};
use sdk_runtime::{ErrorKind, Lenient, Method, SignatureErrorKind, Unparsed};

/// `v2_sign_official` and `v2_refund_req_info_decrypt` (shared/test-vectors/vectors.json).
const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
const STRING_A: &str =
    "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA";
const SIGN_MD5: &str = "9A0A8659F005D6984697E2CA0A9CF3B7";
const SIGN_HMAC_SHA256: &str = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";
const REQ_INFO: &str = "WBzGpzQuNpcFxIlFjUUD9BfnwwNUlVAs7bwvgHME4/Qye/B0ApBITf0W/GPotPSOEzEQIOaZs9EYO4DOrifmCRYlj0HSKB+gKdjJchMaqd95xSi6GXW4jpxoab571C/sOcKr/e7RWL1s5iSUuEU8AmIujMJ1h2zkNN3cfkkqWpA=";

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn key() -> ApiV2Key {
    ApiV2Key::new(KEY).unwrap()
}

/// An answer document, signed with the APIv2 key when `sign_type` is given.
fn answer(pairs: &[(&str, &str)], sign_type: Option<SignType>) -> Reply {
    let mut map = fields(pairs);
    if let Some(sign_type) = sign_type {
        map.insert("sign".into(), sign::sign(&map, &key(), sign_type));
    }
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: xml::write(&map).into_bytes(),
        delay: None,
    }
}

fn request_fields(r: &Recorded) -> BTreeMap<String, String> {
    xml::parse(&r.body).expect("the request is an APIv2 document")
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .apiv2_key(KEY)
        .unwrap()
        .base_url(base_url)
        .build()
        .unwrap()
}

#[derive(serde::Serialize)]
struct UnifiedOrderRequest<'a> {
    appid: &'a str,
    mch_id: &'a str,
    body: &'a str,
    out_trade_no: &'a str,
    /// Fen.
    total_fee: i64,
    attach: Option<&'a str>,
}

const ORDER: UnifiedOrderRequest<'static> = UnifiedOrderRequest {
    appid: "wxd930ea5d5a258f4f",
    mch_id: "10000100",
    body: "test",
    out_trade_no: "1217752501201407033233368018",
    total_fee: 1,
    attach: None,
};

/// A response type as generated code writes it: every field from text.
#[derive(Debug)]
struct UnifiedOrderResponse {
    prepay_id: Option<String>,
    total_fee: Option<i64>,
    unparsed: Unparsed,
}

impl<'de> serde::Deserialize<'de> for UnifiedOrderResponse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "UnifiedOrderResponse")?;
        Ok(Self {
            prepay_id: fields.take_text("prepay_id"),
            total_fee: fields.take_text("total_fee"),
            unparsed: fields.finish(),
        })
    }
}

const SUCCESS: [(&str, &str); 5] = [
    ("return_code", "SUCCESS"),
    ("result_code", "SUCCESS"),
    ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
    ("prepay_id", "wx201410272009395522657a690389285100"),
    ("total_fee", "1"),
];

fn unifiedorder() -> Operation {
    Operation::new(Method::POST, "/pay/unifiedorder")
        .xml(&ORDER)
        .unwrap()
}

#[test]
fn official_signature_vector_both_ways() {
    let params = fields(&[
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ]);
    assert_eq!(sign::string_to_sign(&params), STRING_A);
    assert_eq!(sign::sign(&params, &key(), SignType::Md5), SIGN_MD5);
    assert_eq!(
        sign::sign(&params, &key(), SignType::HmacSha256),
        SIGN_HMAC_SHA256
    );
    for signature in [SIGN_MD5, SIGN_HMAC_SHA256] {
        let mut signed = params.clone();
        signed.insert("sign".into(), signature.into());
        sign::verify(&signed, &key()).expect(signature);
    }
}

#[test]
fn refund_req_info_vector_decrypts_and_tampering_is_rejected() {
    let client = client("http://127.0.0.1:9");
    let plain = client.decrypt_req_info(REQ_INFO).expect("decrypts");
    assert_eq!(
        plain,
        fields(&[("out_refund_no", "R20241121001"), ("refund_status", "SUCCESS")])
    );

    // A changed last block decrypts to random padding.
    let mut bytes: Vec<u8> = REQ_INFO.bytes().collect();
    let at = bytes.len() - 6;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let e = client.decrypt_req_info(&tampered).expect_err("tampered");
    assert_eq!(e.kind(), ErrorKind::Crypto);
    assert!(!format!("{e} {e:?}").contains("R2024"), "{e:?}");

    // The refund notification carries it, unsigned.
    let body = xml::write(&fields(&[
        ("return_code", "SUCCESS"),
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("nonce_str", "TeqClE3i0mvn3DrK"),
        ("req_info", REQ_INFO),
    ]));
    assert_eq!(
        client.refund_notification(body.as_bytes()).expect("decrypts"),
        plain
    );
}

#[test]
fn xxe_and_billion_laughs_are_refused_quickly_without_expansion() {
    let xxe = r#"<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>"#;
    let mut laughs = String::from(r#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        laughs.push_str(&format!(r#"<!ENTITY lol{i} "{refs}">"#));
    }
    laughs.push_str("]><xml><a>&lol9;</a></xml>");
    let client = client("http://127.0.0.1:9");
    for body in [xxe, laughs.as_str(), "<xml><a>&xxe;</a></xml>"] {
        let started = Instant::now();
        let e = xml::parse(body.as_bytes()).expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Decode);
        let e = client.verify_notification(body.as_bytes()).expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Decode);
        let text = format!("{e} {e:?} {}", std::error::Error::source(&e).unwrap());
        assert!(!text.contains("root:") && !text.contains("lollol"), "{text}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}

#[tokio::test]
async fn signed_success_decodes_and_the_request_verifies() {
    let server = MockServer::start(|_| answer(&SUCCESS, Some(SignType::Md5))).await;
    let order: UnifiedOrderResponse = client(&server.base_url)
        .xml(unifiedorder())
        .await
        .expect("success");
    assert_eq!(
        order.prepay_id.as_deref(),
        Some("wx201410272009395522657a690389285100")
    );
    assert_eq!(order.total_fee, Some(1));
    assert!(
        order
            .unparsed
            .names()
            .all(|n| ["nonce_str", "result_code", "return_code", "sign"].contains(&n))
    );

    let request = server.single_request();
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/pay/unifiedorder")
    );
    assert_eq!(request.header("content-type"), Some("text/xml; charset=utf-8"));
    let sent = request_fields(&request);
    sign::verify(&sent, &key()).expect("the request's sign verifies with the key");
    assert_eq!(sent["sign"].len(), 32, "MD5 by default");
    assert!(!sent.contains_key("sign_type") && !sent.contains_key("attach"));
    assert_eq!(sent["nonce_str"].len(), 32);
    assert!(sent["nonce_str"].bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(
        (sent["total_fee"].as_str(), sent["out_trade_no"].as_str()),
        ("1", ORDER.out_trade_no)
    );
}

#[tokio::test]
async fn hmac_sha256_adds_a_signed_sign_type() {
    let server = MockServer::start(|_| answer(&SUCCESS, Some(SignType::HmacSha256))).await;
    let client = Client::builder()
        .apiv2_key(KEY)
        .unwrap()
        .sign_type(SignType::HmacSha256)
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let _: UnifiedOrderResponse = client.xml(unifiedorder()).await.expect("success");
    let sent = request_fields(&server.single_request());
    assert_eq!(sent["sign_type"], "HMAC-SHA256");
    assert_eq!(sent["sign"].len(), 64);
    sign::verify(&sent, &key()).expect("verifies");
    let mut without = sent.clone();
    without.remove("sign_type");
    assert_ne!(
        sign::sign(&without, &key(), SignType::HmacSha256),
        sent["sign"],
        "sign_type is signed"
    );

    // A request naming its own sign type is signed with it, whatever the client's default.
    let server = MockServer::start(|_| answer(&SUCCESS, Some(SignType::Md5))).await;
    let mut params = to_params(&ORDER).unwrap();
    params.insert("sign_type".into(), "HMAC-SHA256".into());
    let op = Operation::new(Method::POST, "/pay/unifiedorder").params(params);
    let _: BTreeMap<String, String> = self::client(&server.base_url).xml(op).await.expect("success");
    let sent = request_fields(&server.single_request());
    assert_eq!(
        (sent["sign_type"].as_str(), sent["sign"].len()),
        ("HMAC-SHA256", 64)
    );
    sign::verify(&sent, &key()).expect("verifies");
}

#[tokio::test]
async fn a_bad_or_missing_sign_is_a_signature_error() {
    let server = MockServer::start(|r| {
        let mut reply = answer(&SUCCESS, Some(SignType::Md5));
        if r.body.windows(7).any(|w| w == b"missing") {
            reply = answer(&SUCCESS, None);
        } else {
            let text = String::from_utf8(reply.body)
                .unwrap()
                .replace("<total_fee><![CDATA[1]]>", "<total_fee><![CDATA[100]]>");
            reply.body = text.into_bytes();
        }
        reply
    })
    .await;
    let client = client(&server.base_url);
    let e = client
        .xml::<UnifiedOrderResponse>(unifiedorder())
        .await
        .expect_err("tampered");
    assert_eq!(
        e.kind(),
        ErrorKind::Signature(SignatureErrorKind::InvalidSignature)
    );
    assert_eq!(e.operation().map(|(_, p)| p), Some("/pay/unifiedorder"));
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
    let op = Operation::new(Method::POST, "/pay/orderquery")
        .xml(&serde_json::json!({"out_trade_no": "missing"}))
        .unwrap();
    let e = client
        .xml::<UnifiedOrderResponse>(op)
        .await
        .expect_err("unsigned");
    assert_eq!(
        e.kind(),
        ErrorKind::Signature(SignatureErrorKind::MissingSignature)
    );
}

#[tokio::test]
async fn return_code_fail_is_an_api_error_with_code_and_message() {
    let server =
        MockServer::start(|_| answer(&[("return_code", "FAIL"), ("return_msg", "签名错误")], None)).await;
    let e = client(&server.base_url)
        .xml::<UnifiedOrderResponse>(unifiedorder())
        .await
        .expect_err("FAIL");
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!((e.code(), e.message()), (Some("FAIL"), Some("签名错误")));
    assert!(e.to_string().contains("FAIL: 签名错误"), "{e}");

    // A non-2xx answer that is an APIv2 document says the same.
    let server = MockServer::start(|_| Reply {
        status: 500,
        body: b"<xml><return_code>FAIL</return_code><return_msg>system busy</return_msg></xml>".to_vec(),
        ..Reply::default()
    })
    .await;
    let e = client(&server.base_url)
        .xml::<UnifiedOrderResponse>(unifiedorder())
        .await
        .expect_err("500");
    assert_eq!(
        (e.kind(), e.code(), e.message()),
        (ErrorKind::Api, Some("FAIL"), Some("system busy"))
    );
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn a_signed_result_code_fail_is_a_business_error_after_verification() {
    let fail = [
        ("return_code", "SUCCESS"),
        ("result_code", "FAIL"),
        ("err_code", "ORDERPAID"),
        ("err_code_des", "该订单已支付"),
    ];
    let server = MockServer::start(move |_| answer(&fail, Some(SignType::Md5))).await;
    let e = client(&server.base_url)
        .xml::<UnifiedOrderResponse>(unifiedorder())
        .await
        .expect_err("FAIL");
    assert_eq!(e.kind(), ErrorKind::Business);
    assert_eq!((e.code(), e.message()), (Some("ORDERPAID"), Some("该订单已支付")));
    assert!(e.to_string().contains("business error"), "{e}");

    // Forged (unsigned) FAIL results are not believed.
    let server = MockServer::start(move |_| answer(&fail, None)).await;
    let e = client(&server.base_url)
        .xml::<UnifiedOrderResponse>(unifiedorder())
        .await
        .expect_err("unsigned");
    assert_eq!(
        e.kind(),
        ErrorKind::Signature(SignatureErrorKind::MissingSignature)
    );
}

#[tokio::test]
async fn unsigned_responses_no_nonce_and_other_hosts() {
    let server = MockServer::start(|_| answer(&SUCCESS, None)).await;
    let client = Client::builder()
        .apiv2_key(KEY)
        .unwrap()
        .base_url("http://127.0.0.1:9")
        .alternate_base_url("https://fraud.mch.weixin.qq.com/", &server.base_url)
        .build()
        .unwrap();
    let op = Operation::new(Method::POST, "/risk/getpublickey")
        .base_url("https://fraud.mch.weixin.qq.com/")
        .unsigned_response()
        .no_nonce()
        .xml(&serde_json::json!({"mch_id": "10000100"}))
        .unwrap();
    let answer: BTreeMap<String, String> = client.xml(op).await.expect("not sign-checked");
    assert_eq!(answer["prepay_id"], SUCCESS[3].1);
    let sent = request_fields(&server.single_request());
    assert!(!sent.contains_key("nonce_str"));
    sign::verify(&sent, &key()).expect("still signed");
}

#[tokio::test]
async fn downloads_return_the_body_or_the_error_document() {
    const BILL: &str = "交易时间,公众账号ID,商户号\n`2014-11-10 16:33:45,`wx2421b1c4370ec43b,`10000100\n";
    let server = MockServer::start(|r| {
        if request_fields(r)["bill_date"] == "20141110" {
            Reply {
                status: 200,
                body: BILL.as_bytes().to_vec(),
                ..Reply::default()
            }
        } else {
            answer(
                &[
                    ("return_code", "FAIL"),
                    ("return_msg", "No Bill Exist"),
                    ("error_code", "20002"),
                ],
                None,
            )
        }
    })
    .await;
    let client = client(&server.base_url);
    let op = |date: &str| {
        Operation::new(Method::POST, "/pay/downloadbill")
            .unsigned_response()
            .xml(&serde_json::json!({"bill_date": date, "bill_type": "ALL"}))
            .unwrap()
    };
    assert_eq!(
        &client.download(op("20141110")).await.expect("the bill")[..],
        BILL.as_bytes()
    );
    let e = client.download(op("20991231")).await.expect_err("no bill");
    assert_eq!(
        (e.kind(), e.code(), e.message()),
        (ErrorKind::Api, Some("FAIL"), Some("No Bill Exist"))
    );
}

#[tokio::test]
async fn hostile_answers_are_decode_errors() {
    let server = MockServer::start(|_| Reply {
        status: 200,
        body: br#"<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><return_code>&xxe;</return_code></xml>"#.to_vec(),
        ..Reply::default()
    })
    .await;
    let e = client(&server.base_url)
        .xml::<UnifiedOrderResponse>(unifiedorder())
        .await
        .expect_err("XXE");
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("not the expected XML"), "{e}");
}

#[test]
fn notifications_verify_decode_and_reply_in_xml() {
    let client = client("http://127.0.0.1:9");
    let mut map = fields(&[
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("out_trade_no", "1409811653"),
        ("total_fee", "101"),
    ]);
    map.insert("sign".into(), sign::sign(&map, &key(), SignType::Md5));
    let body = xml::write(&map);
    assert_eq!(
        client.verify_notification(body.as_bytes()).expect("verifies"),
        map
    );
    let typed: UnifiedOrderResponse =
        from_params(client.verify_notification(body.as_bytes()).expect("verifies")).expect("decodes");
    assert_eq!(typed.total_fee, Some(101));

    let tampered = body.replace("101", "1");
    let e = client
        .verify_notification(tampered.as_bytes())
        .expect_err("tampered");
    assert_eq!(
        e.kind(),
        ErrorKind::Signature(SignatureErrorKind::InvalidSignature)
    );
    let reply = NotificationReply::v2_from_error(&e);
    assert_eq!(reply.status().as_u16(), 401);
    assert_eq!(xml::parse(&reply.body()).unwrap()["return_code"], "FAIL");
    assert_eq!(
        &NotificationReply::v2_success().body()[..],
        &b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
            [..]
    );
}

#[test]
fn debug_never_shows_the_key() {
    let builder = Client::builder().apiv2_key(KEY).unwrap();
    let client = builder.build().unwrap();
    for debug in [
        format!("{client:?}"),
        format!("{:?}", key()),
        format!("{:?}", Client::builder().apiv2_key(KEY).unwrap()),
    ] {
        assert!(!debug.contains(KEY) && debug.contains("redacted"), "{debug}");
    }
    assert_eq!(v2::DEFAULT_BASE_URL, client.base_url());
    assert_eq!(client.sign_type(), SignType::Md5);
}

// Indexed lists: a refund query's `refund_fee_$n`, `coupon_refund_fee_$n` and
// `coupon_refund_fee_$n_$m` round trip through to_params and from_params.

#[derive(Debug, PartialEq, serde::Serialize)]
struct RefundQuery {
    refund_count: Option<i64>,
    /// Fen, all refunds.
    refund_fee: Option<i64>,
    refunds: Option<Vec<Refund>>,
    #[serde(skip)]
    unparsed: Unparsed,
}

#[derive(Debug, PartialEq, serde::Serialize)]
struct Refund {
    out_refund_no: Option<String>,
    refund_fee: Option<i64>,
    coupon_refund_fee: Option<i64>,
    coupons: Option<Vec<CouponRefund>>,
}

#[derive(Debug, PartialEq, serde::Serialize)]
struct CouponRefund {
    coupon_refund_id: Option<String>,
    coupon_refund_fee: Option<i64>,
}

impl<'de> serde::Deserialize<'de> for RefundQuery {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Lenient::new(d, "RefundQuery")?;
        Ok(Self {
            refund_count: f.take_text("refund_count"),
            refund_fee: f.take_text("refund_fee"),
            refunds: f.take_indexed(
                "refunds",
                &[
                    "out_refund_no",
                    "refund_fee",
                    "coupon_refund_fee",
                    "coupon_refund_id",
                ],
            ),
            unparsed: f.finish(),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Refund {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Lenient::new(d, "Refund")?;
        Ok(Self {
            out_refund_no: f.take_text("out_refund_no"),
            refund_fee: f.take_text("refund_fee"),
            coupon_refund_fee: f.take_text("coupon_refund_fee"),
            coupons: f.take_indexed("coupons", &["coupon_refund_id", "coupon_refund_fee"]),
        })
    }
}

impl<'de> serde::Deserialize<'de> for CouponRefund {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Lenient::new(d, "CouponRefund")?;
        Ok(Self {
            coupon_refund_id: f.take_text("coupon_refund_id"),
            coupon_refund_fee: f.take_text("coupon_refund_fee"),
        })
    }
}

#[test]
fn indexed_lists_round_trip() {
    let coupon = |id: &str, fee| CouponRefund {
        coupon_refund_id: Some(id.into()),
        coupon_refund_fee: Some(fee),
    };
    let query = RefundQuery {
        refund_count: Some(2),
        refund_fee: Some(300),
        refunds: Some(vec![
            Refund {
                out_refund_no: Some("R1".into()),
                refund_fee: Some(100),
                coupon_refund_fee: Some(30),
                coupons: Some(vec![coupon("C0", 10), coupon("C1", 20)]),
            },
            Refund {
                out_refund_no: Some("R2".into()),
                refund_fee: Some(200),
                coupon_refund_fee: None,
                coupons: None,
            },
        ]),
        unparsed: Unparsed::default(),
    };
    let params = to_params(&query).unwrap();
    assert_eq!(params["coupon_refund_fee_0"], "30");
    assert_eq!(params["coupon_refund_fee_0_1"], "20");
    assert_eq!(params["coupon_refund_id_0_0"], "C0");
    assert_eq!(params["refund_fee_1"], "200");
    assert_eq!(params["refund_fee"], "300");
    let xml_text = xml::write(&params);
    let back: RefundQuery = from_params(xml::parse(xml_text.as_bytes()).unwrap()).unwrap();
    assert_eq!(back, query);
}
