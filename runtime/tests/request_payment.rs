//! Request-payment parameters (JSAPI / mini-program `paySign`, APP `sign`) against the vectors
//! `v3_jsapi_request_payment` and `v3_app_request_payment` of `shared/test-vectors/vectors.json`.

mod common;

use common::keys::*;
use sdk_runtime::wechatpay::{AppPayment, Client, JsapiPayment, PrivateKey, PublicKey, Signer};

const APP_ID: &str = "wxd678efh567hg6787";
const MCHID: &str = "1900000109";
const PREPAY_ID: &str = "wx201410272009395522657a690389285100";
const TIMESTAMP: i64 = 1732174800;
const NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
/// `v3_jsapi_request_payment.paySign`.
const JSAPI_PAY_SIGN: &str = "RzrfnEAzqinO4hsGSbZZN/Qe/zgLKZ1bddr2Z/8kY0BNFXdW+MBcFL5mN6iJf2ojO+2r3zmkPWZrm51sWECvsyBhZ0/+GWf4FtEcPoIOj+RkZkA6vaPeK8Z5HWp/gZXxFYGyTqJnWm2AM8mRfrjYQKhMO+vYr9xojWGW7/amlXDEqLtes+FbT8Daju5lvtvMwBfIE+dd/L3UgCbYp+IhaKgj8lz6WxSruuCmRDBu81EsoVYxrBydB12Oyyon4HL1hlAdOxqRUuEsxIjVCbYfzVom7lmzeY1KRyT9qA+t4A2h3Dn8ElaRlhltQJoEKuHrPZxZ8L1Gxsx6/izwwoGM5w==";
/// `v3_app_request_payment.sign`.
const APP_SIGN: &str = "C8vVgLC4xXh066KbK3Bxn/vcIWmLKaUl7OXVk89YGjYP4BdGHTe6KpaAyXySEKaxv/C4la6OwBa6pPUJqcnpPALhegTxL+GXZhDdJNHI1+11ySu3IbzwBPmEnoMxOYBR+e0vNII4xYs8crqSU/OmbUqYdxWZEvpnbhpuFM8wmByOU8qZzIe8Qa35tz/ZLcKXRQlCRxOY7u8124Trdb6ge81K2cDMs5FK9EnIb+TVC+DiAF4jdEdAqmSo5uRwlDXtENFca1Zjy/p2mvQlaEqU703OJVWaem6nqcHQjGRzje/AHtgRgnyu3SW6ojKVq8NXaRVC4D0YLtiC4R//fYDiQA==";

fn signer() -> Signer {
    let key = PrivateKey::from_pem(MERCHANT_PRIVATE_PKCS8_PEM).unwrap();
    Signer::new(MCHID, "3775B6A45ACD588826D15E583A95F5DD00000000", key)
}

#[test]
fn v3_jsapi_request_payment() {
    let p = JsapiPayment::sign(&signer(), APP_ID, PREPAY_ID, TIMESTAMP, NONCE).unwrap();
    assert_eq!(p.pay_sign, JSAPI_PAY_SIGN);
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        serde_json::json!({
            "appId": APP_ID,
            "timeStamp": "1732174800",
            "nonceStr": NONCE,
            "package": "prepay_id=wx201410272009395522657a690389285100",
            "signType": "RSA",
            "paySign": JSAPI_PAY_SIGN,
        })
    );
    assert!(
        !format!("{p:?}").contains(&JSAPI_PAY_SIGN[..20]),
        "Debug hides the signature"
    );
}

#[test]
fn v3_app_request_payment() {
    let p = AppPayment::sign(&signer(), APP_ID, PREPAY_ID, TIMESTAMP, NONCE).unwrap();
    assert_eq!(p.sign, APP_SIGN);
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        serde_json::json!({
            "appid": APP_ID,
            "partnerid": MCHID,
            "prepayid": PREPAY_ID,
            "package": "Sign=WXPay",
            "noncestr": NONCE,
            "timestamp": "1732174800",
            "sign": APP_SIGN,
        })
    );
    assert!(
        !format!("{p:?}").contains(&APP_SIGN[..20]),
        "Debug hides the signature"
    );
}

#[test]
fn the_client_signs_now_with_a_fresh_nonce() {
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial_number("3775B6A45ACD588826D15E583A95F5DD00000000")
        .merchant_private_key_pem(MERCHANT_PRIVATE_PKCS8_PEM)
        .unwrap()
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap()
        .build()
        .unwrap();
    let merchant = PublicKey::from_pem(MERCHANT_PUBLIC_SPKI_PEM).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let a = client.jsapi_payment(APP_ID, PREPAY_ID).unwrap();
    let b = client.jsapi_payment(APP_ID, PREPAY_ID).unwrap();
    assert_ne!(a.nonce_str, b.nonce_str);
    assert_eq!(a.nonce_str.len(), 32);
    assert!((a.time_stamp.parse::<i64>().unwrap() - now).abs() <= 5);
    let message = format!(
        "{APP_ID}\n{}\n{}\nprepay_id={PREPAY_ID}\n",
        a.time_stamp, a.nonce_str
    );
    assert!(merchant.verify_base64(message.as_bytes(), &a.pay_sign));

    let app = client.app_payment(APP_ID, PREPAY_ID).unwrap();
    let message = format!("{APP_ID}\n{}\n{}\n{PREPAY_ID}\n", app.timestamp, app.noncestr);
    assert!(merchant.verify_base64(message.as_bytes(), &app.sign));
    assert_eq!(app.partnerid, MCHID);
}
