//! The README's bill-download example runs against the mock as written: its function below is
//! the README's, and a test checks that the README still holds it line for line.

use wechatpay_mock::download::{BILL_DOWNLOAD_PATH, download_content};
use wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

/// The README's example, verbatim.
const EXAMPLE: &str = r#"async fn trade_bill(client: &wechatpay_typed::Client, out: &mut (impl tokio::io::AsyncWrite + Unpin)) -> Result<u64, wechatpay_typed::Error> {
    use wechatpay_typed::v3::bill::tradebill;
    let query = tradebill::GetQuery {
        tar_type: Some(tradebill::GetQueryTarType::Gzip),
        ..tradebill::GetQuery::new("2024-11-20") // bill_date is required
    };
    let bill = tradebill::get(client, &query).await?;
    let url = bill.download_url.as_deref().unwrap_or_default();
    let (hash_type, hash_value) = (bill.hash_type.as_deref().unwrap_or("SHA1"), bill.hash_value.as_deref().unwrap_or_default());
    client.download_url(url).await?.gunzip().verify_hash(hash_type, hash_value)?.write_to(out).await
}"#;

#[rustfmt::skip]
async fn trade_bill(client: &wechatpay_typed::Client, out: &mut (impl tokio::io::AsyncWrite + Unpin)) -> Result<u64, wechatpay_typed::Error> {
    use wechatpay_typed::v3::bill::tradebill;
    let query = tradebill::GetQuery {
        tar_type: Some(tradebill::GetQueryTarType::Gzip),
        ..tradebill::GetQuery::new("2024-11-20") // bill_date is required
    };
    let bill = tradebill::get(client, &query).await?;
    let url = bill.download_url.as_deref().unwrap_or_default();
    let (hash_type, hash_value) = (bill.hash_type.as_deref().unwrap_or("SHA1"), bill.hash_value.as_deref().unwrap_or_default());
    client.download_url(url).await?.gunzip().verify_hash(hash_type, hash_value)?.write_to(out).await
}

fn key(name: &str) -> String {
    let path = default_shared_dir().join("test-vectors/keys").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_readme_holds_this_example() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    assert!(
        readme.contains(EXAMPLE),
        "README.md no longer holds the bill example of this test"
    );
    // And this file's function is the same text.
    let this = include_str!("e2e_readme.rs");
    assert!(this.contains(&format!("#[rustfmt::skip]\n{EXAMPLE}")));
}

#[tokio::test]
async fn the_readme_bill_download_runs_against_the_mock() {
    let config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
    let server = MockServer::start(config).expect("mock starts");
    let client = wechatpay_typed::Client::builder()
        .mchid(wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key("merchant.pem"))
        .expect("merchant key")
        .wechatpay_public_key_pem(
            wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID,
            &key("platform.pub.pem"),
        )
        .expect("platform key")
        .base_url(&server.base_url())
        .build()
        .expect("client");
    let mut out = Vec::new();
    let written = trade_bill(&client, &mut out)
        .await
        .expect("the bill downloads and its hash checks");
    let plain = download_content(BILL_DOWNLOAD_PATH);
    assert_eq!(out, plain);
    assert_eq!(written, plain.len() as u64);
    // The download went to the configured host, asking for the gzip file the apply promised.
    let downloads = server.requests_to(BILL_DOWNLOAD_PATH);
    assert_eq!(downloads.len(), 1);
    assert!(
        downloads[0].target.contains("tartype=GZIP"),
        "{}",
        downloads[0].target
    );
}
