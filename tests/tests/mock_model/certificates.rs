//! Platform certificates: AES-GCM with the APIv3 key, rotation, 404 and broken modes.

use serde_json::Value;
use wechatpay_mock::{CertificatesMode, SignWith, TEST_APIV3_KEY, TEST_PLATFORM_CERT_SERIAL};

use crate::support::{
    Client, Payload, certificate_serial_and_spki, open_certificate, pem_der, platform_spki, start,
};

/// Decrypts every entry of a `/v3/certificates` answer; returns (serial_no, PEM or None).
fn open_all(body: &Value) -> Vec<(String, Option<String>)> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let e = &c["encrypt_certificate"];
            assert_eq!(e["algorithm"], "AEAD_AES_256_GCM");
            assert_eq!(e["nonce"].as_str().unwrap().len(), 12);
            let pem = open_certificate(
                TEST_APIV3_KEY,
                e["nonce"].as_str().unwrap(),
                e["associated_data"].as_str().unwrap(),
                e["ciphertext"].as_str().unwrap(),
            );
            (c["serial_no"].as_str().unwrap().to_owned(), pem)
        })
        .collect()
}

#[tokio::test]
async fn certificates_decrypt_with_the_apiv3_key_to_the_platform_certificate() {
    let server = start();
    let client = Client::new(&server);
    let r = client.get("/v3/certificates").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.verify().unwrap();
    let body = r.json();
    let item = &body["data"][0];
    assert_eq!(item["effective_time"], "2024-01-01T00:00:00+08:00");
    assert_eq!(item["expire_time"], "2029-01-01T00:00:00+08:00");
    let opened = open_all(&body);
    assert_eq!(opened.len(), 1);
    let (serial_no, pem) = &opened[0];
    assert_eq!(serial_no, TEST_PLATFORM_CERT_SERIAL);
    let pem = pem.as_deref().expect("decrypts");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let (serial, spki) = certificate_serial_and_spki(&pem_der(pem));
    assert_eq!(&serial, serial_no);
    assert_eq!(
        spki,
        platform_spki(),
        "the certificate holds the platform public key"
    );
    assert!(open_certificate("0123456789abcdefghijABCDEFGHIJ02", "x", "certificate", "AA").is_none());

    // Responses may be signed under the certificate serial instead of the public key id.
    server.set_sign_with(SignWith::Certificate);
    let r = client.get("/v3/certificates").await;
    assert_eq!(r.header("Wechatpay-Serial"), Some(TEST_PLATFORM_CERT_SERIAL));
    r.verify_with(&platform_spki()).unwrap();
    // The certificate serial is accepted in Wechatpay-Serial, too.
    let r = client
        .send(
            "GET",
            "/v3/certificates",
            &[("Wechatpay-Serial", TEST_PLATFORM_CERT_SERIAL)],
            Payload::None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), server.certificates_json().unwrap(), "stable answer");
}

#[tokio::test]
async fn rotation_adds_a_certificate_and_signs_with_its_new_key() {
    let server = start();
    let client = Client::new(&server);
    let new_serial = server.rotate_platform_certificate().unwrap();
    assert_eq!(new_serial.len(), 40);
    assert!(
        new_serial
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
    );
    assert_ne!(new_serial, TEST_PLATFORM_CERT_SERIAL);
    assert_eq!(server.sign_with(), SignWith::Certificate);
    assert_eq!(server.signing_serial(), new_serial);

    let r = client.get("/v3/certificates").await;
    assert_eq!(r.header("Wechatpay-Serial"), Some(new_serial.as_str()));
    assert!(r.verify_with(&platform_spki()).is_err(), "no longer the old key");
    let opened = open_all(&r.json());
    let serials: Vec<&str> = opened.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(serials, [TEST_PLATFORM_CERT_SERIAL, new_serial.as_str()]);
    // Verify with the key inside the new certificate, found by the response's serial.
    let (_, pem) = opened.iter().find(|(s, _)| *s == new_serial).unwrap();
    let (serial, spki) = certificate_serial_and_spki(&pem_der(pem.as_deref().unwrap()));
    assert_eq!(serial, new_serial);
    r.verify_with(&spki).unwrap();

    // Over the admin route: another rotation; then back to the public key.
    let admin = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = admin
        .post(format!("{}/__mock/certificates/rotate", server.base_url()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let res: Value = serde_json::from_slice(&res).unwrap();
    let third = res["serial_no"].as_str().unwrap().to_owned();
    assert_eq!(server.platform_certificates().len(), 3);
    assert_eq!(server.signing_serial(), third);
    let res = admin
        .put(format!("{}/__mock/sign-with", server.base_url()))
        .body(r#"{"sign_with":"public_key_id"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    client.get("/v3/certificates").await.verify().unwrap();
}

#[tokio::test]
async fn certificate_modes_not_found_mismatched_serial_corrupt_ciphertext() {
    let server = start();
    let client = Client::new(&server);
    server.set_certificates_mode(CertificatesMode::NotFound);
    let body = client
        .get("/v3/certificates")
        .await
        .assert_error(404, "NOT_FOUND");
    assert!(!body["message"].as_str().unwrap().is_empty());
    assert_eq!(server.certificates_json(), None);

    server.set_certificates_mode(CertificatesMode::MismatchedSerial);
    let r = client.get("/v3/certificates").await;
    r.verify().unwrap();
    let (serial_no, pem) = open_all(&r.json()).remove(0);
    let (inside, _) = certificate_serial_and_spki(&pem_der(&pem.unwrap()));
    assert_eq!(inside, TEST_PLATFORM_CERT_SERIAL);
    assert_ne!(serial_no, inside);

    let admin = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = admin
        .put(format!("{}/__mock/certificates/mode", server.base_url()))
        .body(r#"{"mode":"corrupt_ciphertext"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let r = client.get("/v3/certificates").await;
    r.verify().unwrap();
    let (serial_no, pem) = open_all(&r.json()).remove(0);
    assert_eq!(serial_no, TEST_PLATFORM_CERT_SERIAL);
    assert_eq!(pem, None, "the GCM tag no longer verifies");

    // After a rotation only the newest entry is broken.
    let new_serial = server.rotate_platform_certificate().unwrap();
    let opened = open_all(&client.get("/v3/certificates").await.json());
    assert!(opened[0].1.is_some());
    assert_eq!(opened[1].0, new_serial);
    assert!(opened[1].1.is_none());
}
