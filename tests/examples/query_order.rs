//! Query an order by the merchant's order number
//! (`GET /v3/pay/transactions/out-trade-no/{out_trade_no}`).
//!
//! `cargo run -p wechatpay-mock --example query_order`

mod common;

use wechatpay_typed::v3::pay::transactions::out_trade_no::by_out_trade_no as order;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_mock, client) = common::mock_and_client()?;
    let query = order::GetQuery {
        mchid: "1900000109".into(),
    };
    let paid = order::get(&client, "1217752501201407033233368018", &query).await?;
    let total = paid.amount.as_ref().and_then(|a| a.total); // fen
    println!("trade_state {:?}, total {total:?} fen", paid.trade_state);
    Ok(())
}
