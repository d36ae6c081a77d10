//! Take a JSAPI / mini-program payment: place the order (`POST /v3/pay/transactions/jsapi`), then
//! sign the parameters the page passes to `wx.requestPayment` (`paySign`).
//!
//! `cargo run -p wechatpay-mock --example checkout`

mod common;

use wechatpay_typed::v3::pay::transactions::jsapi;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_mock, client) = common::mock_and_client()?;
    let amount = jsapi::PostRequestAmount::new(100); // fen: 1.00 yuan
    let payer = jsapi::PostRequestPayer {
        openid: Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into()),
    };
    let order = jsapi::PostRequest::new(
        "wxd678efh567hg6787",
        "1900000109",
        "Image形象店-深圳腾大-QQ公仔",
        "1217752501201407033233368018",
        "https://www.weixin.qq.com/wxpay/pay.php",
        amount,
        payer,
    );
    let prepay = jsapi::post(&client, &order).await?;
    let prepay_id = prepay.prepay_id.ok_or("no prepay_id in the answer")?;
    let params = client.jsapi_payment("wxd678efh567hg6787", &prepay_id)?;
    println!("{}", serde_json::to_string_pretty(&params)?);
    Ok(())
}
