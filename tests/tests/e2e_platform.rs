//! End to end with the real runtime client against the mock: platform-certificate mode (the
//! mock's `/v3/certificates`, rotation, 404, broken entries), retries counted by the mock, and a
//! streamed gzip bill download checked against the mock's SHA-1.

use std::time::Duration;
use wechatpay_mock::InjectFaults;

use sdk_runtime::ErrorKind;
use sdk_runtime::wechatpay::{Client, ClientBuilder, Operation, RetryPolicy};
use wechatpay_mock::download::{download_content, download_sha1_hex};
use wechatpay_mock::{
    CertificatesMode, Fault, FaultScope, MockConfig, MockServer, SignWith, TEST_APIV3_KEY,
    TEST_PLATFORM_CERT_SERIAL, default_shared_dir,
};

const CERTS: &str = "/v3/certificates";
const TRANSACTION: &str = "/v3/pay/transactions/id/{transaction_id}";

fn key(name: &str) -> String {
    std::fs::read_to_string(default_shared_dir().join("test-vectors/keys").join(name)).unwrap()
}

fn mock() -> MockServer {
    MockServer::start(MockConfig::from_test_vectors(&default_shared_dir()).unwrap()).unwrap()
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .mchid(wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key("merchant.pem"))
        .unwrap()
        .base_url(&server.base_url())
        .retry_policy(RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
}

fn with_public_key(b: ClientBuilder) -> ClientBuilder {
    b.wechatpay_public_key_pem(
        wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID,
        &key("platform.pub.pem"),
    )
    .unwrap()
}

fn certificate_mode(b: ClientBuilder) -> ClientBuilder {
    b.apiv3_key(TEST_APIV3_KEY).unwrap().platform_certificates()
}

fn get_transaction() -> Operation {
    Operation::new(sdk_runtime::Method::GET, TRANSACTION)
        .path_param("transaction_id", "4200000001")
        .query(&[("mchid", "1900000109")])
        .unwrap()
}

#[tokio::test]
async fn certificate_mode_client_follows_the_mock_through_a_rotation() {
    let server = mock();
    server.set_sign_with(SignWith::Certificate);
    let client = certificate_mode(builder(&server)).build().unwrap();
    let response = client
        .execute(get_transaction())
        .await
        .expect("verified under the certificate");
    assert_eq!(response.status(), 200);
    assert_eq!(server.request_count(CERTS), 1);
    assert_eq!(
        client.wechatpay_serial().as_deref(),
        Some(TEST_PLATFORM_CERT_SERIAL)
    );

    let new_serial = server.rotate_platform_certificate().unwrap();
    client
        .execute(get_transaction())
        .await
        .expect("an unknown serial makes the client fetch the certificates again");
    assert_eq!(server.request_count(CERTS), 2);
    assert!(client.verifier().keys().contains(&new_serial));
}

#[tokio::test]
async fn no_certificates_404_leaves_the_public_key_in_use() {
    let server = mock();
    server.set_certificates_mode(CertificatesMode::NotFound);
    let client = certificate_mode(with_public_key(builder(&server)))
        .build()
        .unwrap();
    assert_eq!(
        client.refresh_certificates().await.expect("404 is not a failure"),
        0
    );
    client
        .execute(get_transaction())
        .await
        .expect("public key verifies");
}

#[tokio::test]
async fn broken_certificate_answers_are_refused() {
    for mode in [
        CertificatesMode::MismatchedSerial,
        CertificatesMode::CorruptCiphertext,
    ] {
        let server = mock();
        server.set_certificates_mode(mode);
        let client = certificate_mode(builder(&server)).build().unwrap();
        let err = client.refresh_certificates().await.expect_err("refused");
        assert_ne!(err.kind(), ErrorKind::Transport, "{mode:?}: {err}");
    }
}

#[tokio::test]
async fn the_mock_counts_the_clients_retries() {
    let server = mock();
    let client = with_public_key(builder(&server)).build().unwrap();

    server.set_fault_on(TRANSACTION, Fault::status(503), FaultScope::Next(2));
    client
        .execute(get_transaction())
        .await
        .expect("third attempt answers");
    assert_eq!(server.request_count(TRANSACTION), 3);

    server.clear_requests();
    server.set_fault_on(TRANSACTION, Fault::Reset, FaultScope::Next(1));
    client
        .execute(get_transaction())
        .await
        .expect("retried after the reset");
    assert_eq!(server.request_count(TRANSACTION), 2);

    // A POST that reached the server is not sent again.
    let stop = "/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop";
    server.set_fault_on(stop, Fault::status(503), FaultScope::Next(1));
    let op = Operation::new(sdk_runtime::Method::POST, stop)
        .path_param("merchant_plan_no", "P1")
        .json(&serde_json::json!({}))
        .unwrap();
    let err = client.execute(op).await.expect_err("503");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.request_count(stop), 1);
}

#[tokio::test]
async fn gzip_bill_download_streams_and_matches_the_sha1() {
    let server = mock();
    let client = with_public_key(builder(&server)).build().unwrap();
    let bill = "/v3/billdownload/file";
    let url = format!("https://api.mch.weixin.qq.com{bill}?token=T1&tartype=GZIP");
    let bytes = client
        .download_url(&url)
        .await
        .unwrap()
        .gunzip()
        .verify_sha1(&download_sha1_hex(bill))
        .bytes()
        .await
        .expect("gunzipped, SHA-1 checked");
    assert_eq!(&bytes[..], &download_content(bill)[..]);

    let err = client
        .download_url(&url)
        .await
        .unwrap()
        .gunzip()
        .verify_sha1(&"0".repeat(40))
        .bytes()
        .await
        .expect_err("hash mismatch");
    assert_eq!(err.kind(), ErrorKind::Integrity);

    server.set_fault_for(Fault::TruncatedBody, 1);
    let read = match client
        .download_url(&format!("https://api.mch.weixin.qq.com{bill}?token=T1"))
        .await
    {
        Ok(download) => download.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(read.is_err(), "a truncated download is an error");
}
