//! WeChat Pay APIv2 mutual TLS (`security: true` endpoints, e.g. `/secapi/pay/refund`): against
//! a local HTTPS server (test CA, tokio-rustls) that requires a client certificate the CA signed.

mod support;

use std::collections::BTreeMap;

use axum::body::Bytes;
use sdk_runtime::transport::RetryPolicy;
use sdk_runtime::wechatpay::v2::{ApiV2Key, Client, ClientBuilder, Operation, SignType, sign, xml};
use sdk_runtime::{ErrorKind, Method};
use support::tls::{TestPki, TlsServer};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// Answers every request with a signed SUCCESS when its sign verifies, a FAIL otherwise.
fn router() -> axum::Router {
    axum::Router::new().fallback(|body: Bytes| async move {
        let key = ApiV2Key::new(KEY).unwrap();
        let verified = xml::parse(&body).is_ok_and(|request| sign::verify(&request, &key).is_ok());
        let mut answer: BTreeMap<String, String> = if verified {
            [
                ("return_code", "SUCCESS"),
                ("result_code", "SUCCESS"),
                ("refund_id", "50000000382019052709732678859"),
            ]
        } else {
            [
                ("return_code", "FAIL"),
                ("return_msg", "签名错误"),
                ("result_code", "FAIL"),
            ]
        }
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        answer.insert("sign".into(), sign::sign(&answer, &key, SignType::Md5));
        xml::write(&answer)
    })
}

fn builder(server: &TlsServer, pki: &TestPki) -> ClientBuilder {
    Client::builder()
        .apiv2_key(KEY)
        .unwrap()
        .base_url(&server.base_url)
        .retry_policy(RetryPolicy::none())
        .add_root_certificate_pem(&pki.ca_pem)
        .unwrap()
}

fn refund() -> Operation {
    Operation::new(Method::POST, "/secapi/pay/refund")
        .mutual_tls()
        .xml(&serde_json::json!({
            "appid": "wxd930ea5d5a258f4f", "mch_id": "10000100",
            "out_trade_no": "1217752501201407033233368018", "out_refund_no": "R20241121001",
            "total_fee": 100, "refund_fee": 100,
        }))
        .unwrap()
}

#[tokio::test]
async fn a_mutual_tls_operation_presents_the_merchant_certificate() {
    let pki = TestPki::new();
    let server = TlsServer::start(router(), &pki, true).await;
    let client = builder(&server, &pki)
        .merchant_certificate_pem(&pki.client.certificate_pem, &pki.client.key_pem)
        .unwrap()
        .build()
        .unwrap();
    assert!(client.has_merchant_certificate());
    let answer: BTreeMap<String, String> = client.xml(refund()).await.expect("mutual TLS");
    assert_eq!(answer["refund_id"], "50000000382019052709732678859");
    assert_eq!(server.handshakes_ok(), 1);

    let debug = format!("{client:?}");
    assert!(!debug.contains(KEY) && !debug.contains("PRIVATE KEY"), "{debug}");
    let key_body = pki.client.key_pem.lines().nth(1).unwrap();
    let builder_debug = format!(
        "{:?}",
        builder(&server, &pki)
            .merchant_certificate_pem(&pki.client.certificate_pem, &pki.client.key_pem)
            .unwrap()
    );
    assert!(
        !builder_debug.contains(key_body) && !builder_debug.contains(KEY),
        "{builder_debug}"
    );
}

#[tokio::test]
async fn without_a_client_certificate_the_handshake_fails() {
    let pki = TestPki::new();
    let server = TlsServer::start(router(), &pki, true).await;
    let client = builder(&server, &pki).build().unwrap();
    // Not marked mutual_tls: sent without a certificate, refused by the server's TLS.
    let op = Operation::new(Method::POST, "/secapi/pay/refund")
        .xml(&serde_json::json!({"out_refund_no": "R1"}))
        .unwrap();
    let e = client
        .xml::<BTreeMap<String, String>>(op)
        .await
        .expect_err("no certificate");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(server.handshakes_ok(), 0);

    // A certificate the server's CA did not sign is refused too.
    let stranger = builder(&server, &pki)
        .merchant_certificate_pem(&pki.stranger.certificate_pem, &pki.stranger.key_pem)
        .unwrap()
        .build()
        .unwrap();
    let e = stranger
        .xml::<BTreeMap<String, String>>(refund())
        .await
        .expect_err("unknown CA");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(server.handshakes_ok(), 0);
    assert!(server.handshakes_failed() >= 2);
}

#[tokio::test]
async fn a_mutual_tls_operation_without_a_certificate_is_not_sent() {
    let pki = TestPki::new();
    let server = TlsServer::start(router(), &pki, true).await;
    let client = builder(&server, &pki).build().unwrap();
    assert!(!client.has_merchant_certificate());
    let e = client
        .xml::<BTreeMap<String, String>>(refund())
        .await
        .expect_err("no certificate");
    assert_eq!(e.kind(), ErrorKind::Build);
    assert!(e.to_string().contains("/secapi/pay/refund"), "{e}");
    assert_eq!(server.connections(), 0, "nothing was sent");
}

#[test]
fn invalid_certificates_and_keys_are_build_errors() {
    let pki = TestPki::new();
    let base = || Client::builder().apiv2_key(KEY).unwrap();
    for (certificate, key) in [
        ("not a PEM", pki.client.key_pem.as_str()),
        (pki.client.certificate_pem.as_str(), "not a PEM"),
        (pki.client.key_pem.as_str(), pki.client.key_pem.as_str()),
        (
            pki.client.certificate_pem.as_str(),
            pki.client.certificate_pem.as_str(),
        ),
    ] {
        let e = base()
            .merchant_certificate_pem(certificate, key)
            .expect_err("invalid");
        assert_eq!(e.kind(), ErrorKind::Build);
        assert!(!format!("{e} {e:?}").contains("PRIVATE KEY-----\n"), "{e:?}");
    }
    let e = base().add_root_certificate_pem("not a PEM").expect_err("invalid");
    assert_eq!(e.kind(), ErrorKind::Build);
}
