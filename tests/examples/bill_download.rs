//! Download yesterday's trade bill: apply for it (`GET /v3/bill/tradebill`), then stream the file,
//! gunzipped, checked against its SHA-1 `hash_value`, into a file.
//!
//! `cargo run -p wechatpay-mock --example bill_download`

mod common;

use wechatpay_typed::v3::bill::tradebill;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_mock, client) = common::mock_and_client()?;
    let query = tradebill::GetQuery {
        tar_type: Some(tradebill::GetQueryTarType::Gzip),
        ..tradebill::GetQuery::new("2024-11-20") // bill_date is required
    };
    let bill = tradebill::get(&client, &query).await?;
    let url = bill.download_url.as_deref().ok_or("no download_url")?;
    let hash_type = bill.hash_type.as_deref().unwrap_or("SHA1");
    let hash_value = bill.hash_value.as_deref().unwrap_or_default();
    // Any `tokio::io::AsyncWrite` will do (a `tokio::fs::File` in a service): use the content only
    // once the download ended with Ok, which means its SHA-1 matched.
    let mut csv: Vec<u8> = Vec::new();
    let download = client
        .download_url(url)
        .await?
        .gunzip()
        .verify_hash(hash_type, hash_value)?;
    let written = download.write_to(&mut csv).await?;
    let first_line = String::from_utf8_lossy(&csv)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    println!("{written} bytes of bill; header: {first_line}");
    Ok(())
}
