//! Refund part of a payment (`POST /v3/refund/domestic/refunds`), then query the refund.
//!
//! `cargo run -p wechatpay-mock --example refund`

mod common;

use wechatpay_typed::v3::refund::domestic::refunds;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_mock, client) = common::mock_and_client()?;
    let request = refunds::PostRequest {
        reason: Some("商品已售完".into()),
        ..refunds::PostRequest::new(
            refunds::PostRequestOrder::TransactionId("1217752501201407033233368018".into()),
            "1217752501201407033233368999",                   // out_refund_no
            refunds::PostRequestAmount::new(100, 100, "CNY"), // refund, total (fen), currency
        )
    };
    let refund = refunds::post(&client, &request).await?;
    println!("refund {:?}: {:?}", refund.refund_id, refund.status);
    let again =
        refunds::by_out_refund_no::get(&client, "1217752501201407033233368999", &Default::default()).await?;
    println!("queried: {:?}", again.status);
    Ok(())
}
