//! Request-payment parameters: what a JSAPI page, a mini-program or an APP needs to open WeChat
//! Pay's cashier for an order placed with a prepay call (`POST /v3/pay/transactions/jsapi`,
//! `…/app`, or their partner and combine variants), signed with the merchant private key.
//!
//! The equivalent of the official Go SDK's `PrepayWithRequestPayment`: call the generated prepay
//! operation, then [`Client::jsapi_payment`] or [`Client::app_payment`] with its `prepay_id`,
//! and hand the result (it serializes to the exact field names the front end expects) to the page
//! or the app.
//!
//! Sources: the docs' signature guide, "前台数据交换"
//! (`guide/digital-signature.md` of the docs repository), citing
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012365339> (JSAPI and mini-program) and
//! <https://pay.weixin.qq.com/doc/v3/merchant/4013070351>
//! (APP `PayReq`); the string to sign is four lines, each ending in `\n`.

use std::fmt;

use serde::Serialize;

use super::{Client, Signer, sign::generate_nonce};
use crate::Error;

/// The parameters of `wx.requestPayment` (mini-program) and of `getBrandWCPayRequest` (JSAPI,
/// inside WeChat), field names as the front end expects them (`appId`, `timeStamp`, …).
///
/// `paySign` is RSA-SHA256 by the merchant private key over
/// `appId\ntimeStamp\nnonceStr\npackage\n`, base64. `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct JsapiPayment {
    /// The `appid` the order was placed with (公众号 or 小程序 AppID).
    #[serde(rename = "appId")]
    pub app_id: String,
    /// Unix time in seconds, as decimal text.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// A random string of 32 characters `[0-9A-Za-z]`.
    #[serde(rename = "nonceStr")]
    pub nonce_str: String,
    /// `prepay_id=` followed by the prepay id.
    pub package: String,
    /// Always `RSA`.
    #[serde(rename = "signType")]
    pub sign_type: String,
    /// The signature, base64.
    #[serde(rename = "paySign")]
    pub pay_sign: String,
}

impl JsapiPayment {
    /// Signs the parameters for `app_id` and `prepay_id` with a given Unix time (seconds) and
    /// nonce; [`Client::jsapi_payment`] takes both from the clock and the system random source.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if signing fails.
    pub fn sign(
        signer: &Signer,
        app_id: &str,
        prepay_id: &str,
        unix_seconds: i64,
        nonce: &str,
    ) -> Result<Self, Error> {
        let time_stamp = unix_seconds.to_string();
        let package = format!("prepay_id={prepay_id}");
        let pay_sign = signer.sign(lines(&[app_id, &time_stamp, nonce, &package]).as_bytes())?;
        Ok(Self {
            app_id: app_id.to_owned(),
            time_stamp,
            nonce_str: nonce.to_owned(),
            package,
            sign_type: "RSA".to_owned(),
            pay_sign,
        })
    }
}

impl fmt::Debug for JsapiPayment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsapiPayment")
            .field("app_id", &self.app_id)
            .field("time_stamp", &self.time_stamp)
            .field("sign_type", &self.sign_type)
            .finish_non_exhaustive()
    }
}

/// The parameters of the APP SDK's `PayReq`, field names as the SDK expects them (`appid`,
/// `partnerid`, …).
///
/// `sign` is RSA-SHA256 by the merchant private key over `appid\ntimestamp\nnoncestr\nprepayid\n`,
/// base64. `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AppPayment {
    /// The mobile application's `appid` the order was placed with.
    pub appid: String,
    /// The merchant id (`mchid`) that placed the order.
    pub partnerid: String,
    /// The prepay id.
    pub prepayid: String,
    /// Always `Sign=WXPay`.
    pub package: String,
    /// A random string of 32 characters `[0-9A-Za-z]`.
    pub noncestr: String,
    /// Unix time in seconds, as decimal text.
    pub timestamp: String,
    /// The signature, base64.
    pub sign: String,
}

impl AppPayment {
    /// Signs the parameters for `appid` and `prepay_id` with a given Unix time (seconds) and
    /// nonce; `partnerid` is the signer's mchid. [`Client::app_payment`] takes the time and the
    /// nonce from the clock and the system random source.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if signing fails.
    pub fn sign(
        signer: &Signer,
        appid: &str,
        prepay_id: &str,
        unix_seconds: i64,
        nonce: &str,
    ) -> Result<Self, Error> {
        let timestamp = unix_seconds.to_string();
        let sign = signer.sign(lines(&[appid, &timestamp, nonce, prepay_id]).as_bytes())?;
        Ok(Self {
            appid: appid.to_owned(),
            partnerid: signer.mchid().to_owned(),
            prepayid: prepay_id.to_owned(),
            package: "Sign=WXPay".to_owned(),
            noncestr: nonce.to_owned(),
            timestamp,
            sign,
        })
    }
}

impl fmt::Debug for AppPayment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppPayment")
            .field("appid", &self.appid)
            .field("partnerid", &self.partnerid)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// Each part followed by `\n`.
fn lines(parts: &[&str]) -> String {
    parts.iter().flat_map(|p| [*p, "\n"]).collect()
}

fn now_unix_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Client {
    /// The parameters a JSAPI page (`getBrandWCPayRequest`) or a mini-program
    /// (`wx.requestPayment`) needs to pay the order `prepay_id` (from
    /// `POST /v3/pay/transactions/jsapi` or its partner variant), for the `app_id` the order was
    /// placed with (`sub_appid` in partner mode when the payer pays under the sub-merchant's app).
    /// Signed now, with a fresh nonce.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the random source or signing fails.
    pub fn jsapi_payment(&self, app_id: &str, prepay_id: &str) -> Result<JsapiPayment, Error> {
        JsapiPayment::sign(
            self.signer(),
            app_id,
            prepay_id,
            now_unix_seconds(),
            &generate_nonce()?,
        )
    }

    /// The parameters an APP needs (`PayReq`) to pay the order `prepay_id` (from
    /// `POST /v3/pay/transactions/app` or its partner variant) for the mobile application
    /// `appid`. Signed now, with a fresh nonce.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the random source or signing fails.
    pub fn app_payment(&self, appid: &str, prepay_id: &str) -> Result<AppPayment, Error> {
        AppPayment::sign(
            self.signer(),
            appid,
            prepay_id,
            now_unix_seconds(),
            &generate_nonce()?,
        )
    }
}
