//! Fixtures of the typed APIv2 notification tests (`wechatpay_v2_events.rs`): a hand-written
//! event set mirroring the 8 documented notifications, documents as the pages show them, and
//! redaction checks.

pub use std::collections::BTreeMap;

pub use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
pub use base64::Engine as _;
pub use base64::engine::general_purpose::STANDARD as BASE64;
pub use http::StatusCode;
pub use sdk_runtime::wechatpay::NotificationReply;
pub use sdk_runtime::wechatpay::v2::{
    ApiV2Key, Carriage, Client, EventShape, Notification, ReplyStyle, SignType, XmlEventSet, classify, sign,
    xml,
};
pub use sdk_runtime::{Error, ErrorKind, EventSet, SignatureErrorKind, decode_event_payload};
pub use serde::Deserialize;

/// `v2_refund_req_info_decrypt` (shared/test-vectors/vectors.json).
pub const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
pub const REQ_INFO: &str = "WBzGpzQuNpcFxIlFjUUD9BfnwwNUlVAs7bwvgHME4/Qye/B0ApBITf0W/GPotPSOEzEQIOaZs9EYO4DOrifmCRYlj0HSKB+gKdjJchMaqd95xSi6GXW4jpxoab571C/sOcKr/e7RWL1s5iSUuEU8AmIujMJ1h2zkNN3cfkkqWpA=";
/// A test APIv3 key (32 ASCII bytes).
pub const APIV3_KEY: &str = "Te5tApiV3Key0123456789abcdefGHIJ";
pub const NONCE: &str = "n0nce12chars";
pub const AAD: &str = "payscore";
pub const INVALID: ErrorKind = ErrorKind::Signature(SignatureErrorKind::InvalidSignature);
pub const MISSING: ErrorKind = ErrorKind::Signature(SignatureErrorKind::MissingSignature);

// ---- The event set: one struct per page, members from the pages' typedefs. ----

#[derive(Debug, PartialEq, Deserialize)]
pub struct RefundInfo {
    pub out_refund_no: String,
    pub refund_status: String,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct RefundProcessed {
    pub return_code: String,
    pub mch_id: String,
    pub req_info: RefundInfo,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct PayscorePlain {
    pub state: String,
    pub service_id: String,
    pub out_order_no: String,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct Payscore {
    pub event_type: String,
    pub event_id: String,
    pub mch_id: String,
    pub event_ciphertext: PayscorePlain,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct SubOrders {
    pub order_num: u32,
    pub order_list: Vec<serde_json::Value>,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct Combined {
    pub combine_out_trade_no: String,
    pub result_code: String,
    pub sub_order_list: SubOrders,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct Paid {
    pub out_trade_no: String,
    pub total_fee: String,
    pub result_code: String,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct Vehicle {
    pub plate_number: String,
    pub vehicle_event_type: String,
}

#[derive(Debug, PartialEq)]
pub enum Event {
    CheckSuccess(Payscore),
    CheckFail(Payscore),
    PayscorePaid(Payscore),
    PayscoreFailed(Payscore),
    Combined(Combined),
    Refund(RefundProcessed),
    Paid(Paid),
    Vehicle(Vehicle),
    Unknown(String),
}

impl EventSet for Event {
    fn decode_event(name: &str, payload: &str) -> Result<Self, Error> {
        Ok(match name {
            "CHECK.SUCCESS" => Event::CheckSuccess(decode_event_payload(payload)?),
            "CHECK.FAIL" => Event::CheckFail(decode_event_payload(payload)?),
            "TRANSACTION.SUCCESS" => Event::PayscorePaid(decode_event_payload(payload)?),
            "TRANSACTION.FAIL" => Event::PayscoreFailed(decode_event_payload(payload)?),
            "combined-transactions-success" => Event::Combined(decode_event_payload(payload)?),
            "refund-processed" => Event::Refund(decode_event_payload(payload)?),
            "transaction-success" => Event::Paid(decode_event_payload(payload)?),
            "vehicle-state-changed-for-parking" => Event::Vehicle(decode_event_payload(payload)?),
            other => Event::Unknown(other.to_owned()),
        })
    }

    fn event_type(&self) -> &str {
        match self {
            Event::CheckSuccess(_) => "CHECK.SUCCESS",
            Event::CheckFail(_) => "CHECK.FAIL",
            Event::PayscorePaid(_) => "TRANSACTION.SUCCESS",
            Event::PayscoreFailed(_) => "TRANSACTION.FAIL",
            Event::Combined(_) => "combined-transactions-success",
            Event::Refund(_) => "refund-processed",
            Event::Paid(_) => "transaction-success",
            Event::Vehicle(_) => "vehicle-state-changed-for-parking",
            Event::Unknown(name) => name,
        }
    }
}

pub const fn shape(name: &'static str, members: &'static [&'static str]) -> EventShape {
    EventShape {
        name,
        event_type: None,
        members,
        inner: None,
        reply: ReplyStyle::ReturnCode,
    }
}

pub const fn payscore_shape(name: &'static str) -> EventShape {
    EventShape {
        event_type: Some(name),
        inner: Some(("event_ciphertext", Carriage::AeadAesGcm)),
        reply: ReplyStyle::Code,
        // The four payscore events declare the same members: none is theirs alone.
        ..shape(name, &[])
    }
}

impl XmlEventSet for Event {
    #[rustfmt::skip]
    const SHAPES: &'static [EventShape] = &[
        payscore_shape("CHECK.FAIL"),
        payscore_shape("CHECK.SUCCESS"),
        payscore_shape("TRANSACTION.FAIL"),
        payscore_shape("TRANSACTION.SUCCESS"),
        EventShape {
            inner: Some(("sub_order_list", Carriage::Json)),
            ..shape("combined-transactions-success", &[
                "combine_appid", "combine_mch_id", "device_info", "combine_openid", "combine_out_trade_no",
                "result_msg", "err_code", "err_code_des", "sub_order_list",
            ])
        },
        EventShape {
            inner: Some(("req_info", Carriage::AesEcb)),
            ..shape("refund-processed", &["req_info"])
        },
        shape("transaction-success", &[
            "attach", "fee_type", "is_subscribe", "openid", "out_trade_no", "time_end", "total_fee",
            "coupon_fee", "coupon_count", "coupon_type", "coupon_id", "transaction_id",
        ]),
        shape("vehicle-state-changed-for-parking", &[
            "sub_mch_id", "plate_number", "vehicle_event_type", "vehicle_event_des", "deduct_mode",
            "vehicle_event_createtime",
        ]),
    ];
}

// ---- Documents, as the pages show them. ----

pub fn key() -> ApiV2Key {
    ApiV2Key::new(KEY).unwrap()
}

/// `map` with its `sign`, as XML.
pub fn signed(mut map: BTreeMap<String, String>, sign_type: SignType) -> String {
    map.remove("sign");
    map.insert("sign".into(), sign::sign(&map, &key(), sign_type));
    xml::write(&map)
}

/// A client with another APIv2 key and no APIv3 key.
pub fn other_client() -> Client {
    let builder = Client::builder().apiv2_key("00000000000000000000000000000000");
    builder.unwrap().build().unwrap()
}

pub fn client() -> Client {
    Client::builder()
        .apiv2_key(KEY)
        .unwrap()
        .apiv3_key(APIV3_KEY)
        .unwrap()
        .build()
        .unwrap()
}

/// A document written `name=value` separated by whitespace (no value here has a space).
pub fn doc(text: &str) -> BTreeMap<String, String> {
    text.split_whitespace()
        .map(|pair| pair.split_once('=').expect("name=value"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// 普通支付通知 (transaction-success.md).
pub fn paid_fields() -> BTreeMap<String, String> {
    doc(
        "appid=wx2421b1c4370ec43b attach=支付测试 bank_type=CFT fee_type=CNY is_subscribe=N \
         mch_id=10000100 nonce_str=5d2b6c2a8db53831f7eda20af46e531c openid=oSECRET-OPENID \
         out_trade_no=SECRET-TRADE-1409811653 result_code=SUCCESS return_code=SUCCESS \
         time_end=20140903131540 total_fee=101 coupon_fee=10 coupon_count=1 coupon_type=CASH \
         coupon_id=10000 trade_type=JSAPI transaction_id=1004400740201409030005092168",
    )
}

pub const SUB_ORDERS: &str = r#"{"order_num": 3,"order_list": [{},{},{}]}"#;

/// 合单支付通知 (combined-transactions-success.md), with `sub_order_list`.
pub fn combined_fields(sub_order_list: &str) -> BTreeMap<String, String> {
    let map = doc(
        "return_code=SUCCESS return_msg=OK combine_appid=wx8888888888888888 \
         combine_mch_id=1900000109 nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS device_info=000077 \
         combine_openid=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o combine_out_trade_no=1217752501201407033233368018 \
         trade_type=MWEB bank_type=CMC sign_type=HMAC-SHA256 result_code=SUCCESS result_msg=OK \
         err_code=SYSTEMERROR err_code_des=系统错误",
    );
    with(map, &[("sub_order_list", sub_order_list)])
}

/// 车牌状态变更通知 (vehicle-state-changed-for-parking.md).
pub fn vehicle_fields() -> BTreeMap<String, String> {
    doc("mch_id=100000981 sub_mch_id=10000100 appid=wxcbda96de0b165486 \
         nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS sign_type=HMAC-SHA256 plate_number=粤A00000 \
         vehicle_event_type=NORMAL vehicle_event_des=OVERDUE deduct_mode=PROACTIVE \
         vehicle_event_createtime=20180101100000")
}

/// 退款结果通知 (refund-processed.md), `req_info` from the vector; no `sign`.
pub fn refund_fields() -> BTreeMap<String, String> {
    let map = doc("return_code=SUCCESS appid=wx8888888888888888 mch_id=1900000109 \
         nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS return_msg=90");
    with(map, &[("req_info", REQ_INFO)])
}

/// AEAD_AES_256_GCM under `apiv3_key`, as WeChat Pay encrypts `event_ciphertext`.
pub fn encrypt(apiv3_key: &str, plaintext: &str) -> String {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, apiv3_key.as_bytes()).unwrap());
    let mut in_out = plaintext.as_bytes().to_vec();
    let nonce = Nonce::try_assume_unique_for_key(NONCE.as_bytes()).unwrap();
    key.seal_in_place_append_tag(nonce, Aad::from(AAD.as_bytes()), &mut in_out)
        .unwrap();
    BASE64.encode(in_out)
}

pub const PAYSCORE_PLAIN: &str = "<xml><state>USER_ACCEPTED</state><service_id>1234352342</service_id>\
    <out_order_no>SECRET-ORDER-1234352342545345454</out_order_no><order_id>1234352342545345454</order_id>\
    <room>豪华双人房</room><start_time>20091225091010</start_time><deposit_amount>10000</deposit_amount>\
    <finish_ticket>XXXXX</finish_ticket></xml>";

/// A payscore notification sent as XML (CHECK.SUCCESS.md and the three others).
pub fn payscore_fields(event_type: &str, ciphertext: &str) -> BTreeMap<String, String> {
    let map = doc(
        "mch_id=10000100 app_id=wx2134213414324 event_id=EV-2018022511223320873 \
         event_create_time=20180225112233 event_algorithm=AEAD_AES_256_GCM algorithm=HMAC-SHA256 \
         nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    );
    let inner = [
        ("event_nonce", NONCE),
        ("event_associated_data", AAD),
        ("event_ciphertext", ciphertext),
    ];
    with(with(map, &inner), &[("event_type", event_type)])
}

pub fn payscore(event_type: &str) -> String {
    signed(
        payscore_fields(event_type, &encrypt(APIV3_KEY, PAYSCORE_PLAIN)),
        SignType::HmacSha256,
    )
}

pub fn decode(client: &Client, body: &str) -> Notification<Event> {
    client.notification::<Event>(body.as_bytes()).expect("decodes")
}

pub fn rejection(client: &Client, body: &str) -> Error {
    client
        .notification::<Event>(body.as_bytes())
        .expect_err("rejected")
}

/// `map` with `pairs` set.
pub fn with(mut map: BTreeMap<String, String>, pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    map.extend(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    map
}

/// Values of the documents above that must never appear in an error or a `Debug`.
pub const VALUES: &str = "SECRET USER_ACCEPTED R20241121001 粤A00000";

/// The error's text, `Debug` and sources hold none of the document's values; its context.
pub fn assert_redacted(e: &Error, context: &str) {
    assert!(e.to_string().starts_with(context), "{e}");
    let mut text = format!("{e} {e:?}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(" {s}"));
        source = s.source();
    }
    for value in VALUES.split(' ') {
        assert!(!text.contains(value), "{value} in {text}");
    }
}

pub const VERIFYING: &str = "verifying a notification: ";
pub const DECODING: &str = "decoding a notification: ";
