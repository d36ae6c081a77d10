//! Receive a payment notification: verify its signature, decrypt its resource with the APIv3 key,
//! decode it as the order it reports. The mock signs and seals one as WeChat Pay would.
//!
//! `cargo run -p wechatpay-mock --example notification`

mod common;

use wechatpay_typed::v3::pay::transactions::out_trade_no::by_out_trade_no as order;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mock, client) = common::mock_and_client()?;
    let resource = serde_json::json!({
        "mchid": "1900000109",
        "appid": "wxd678efh567hg6787",
        "out_trade_no": "1217752501201407033233368018",
        "transaction_id": "4200000000000000000000000001",
        "trade_state": "SUCCESS",
        "amount": { "total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY" },
    });
    // What arrives at your notify_url: headers and the raw body.
    let sent = mock.notification("TRANSACTION.SUCCESS", "transaction", &resource);

    let notification = client.verify_notification(&sent.headers, &sent.body).await?;
    let paid: order::GetResponse = notification.resource()?; // the order, as a query returns it
    println!(
        "{} {}: {:?} {:?}",
        notification.id(),
        notification.event_type(),
        paid.out_trade_no,
        paid.trade_state
    );
    // Answer 200 (or 204) with no body to acknowledge; any other answer makes WeChat Pay retry.
    Ok(())
}
