//! Platform-certificate mode end to end against a local server on 127.0.0.1: first download,
//! single flight, 404, rotation with a lazy rate-limited refresh, scheduled refresh, and
//! sensitive-field encryption bound to the certificate's serial.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::certs::{certificate_pem, certificate_pem_der, certificates_body, generate_pkcs8_der};
use common::keys::*;
use common::server::{
    MCHID, MockServer, Recorded, Reply, merchant_builder, request_signature_ok, signed_reply_by,
};
use sdk_runtime::wechatpay::{ClientBuilder, Operation, PrivateKey};
use sdk_runtime::{ErrorKind, Method, SignatureErrorKind};

const APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";
const SERIAL_A: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const SERIAL_B: &str = "6B8F1A2C3D4E5F60718293A4B5C6D7E8F9012345";

/// One platform key of the fake WeChat Pay: its certificate serial, private key and PEM cert.
struct PlatformKey {
    serial: &'static str,
    key: PrivateKey,
    cert_pem: String,
}

impl PlatformKey {
    fn test_vector_key() -> Self {
        Self {
            serial: SERIAL_A,
            key: PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap(),
            cert_pem: certificate_pem(PLATFORM_PRIVATE_PKCS8_PEM, SERIAL_A),
        }
    }

    fn fresh(serial: &'static str) -> Self {
        let der = generate_pkcs8_der();
        Self {
            serial,
            key: PrivateKey::from_pkcs8_der(&der).unwrap(),
            cert_pem: certificate_pem_der(&der, serial),
        }
    }
}

/// What the fake WeChat Pay does now: which certificates it lists (`None` = 404), which key
/// signs responses.
struct World {
    listed: Option<Vec<Arc<PlatformKey>>>,
    signer: Arc<PlatformKey>,
}

fn signed(key: &PlatformKey, status: u16, body: &str) -> Reply {
    signed_reply_by(&key.key, key.serial, status, body, 0)
}

/// A world listing `key`'s certificate and signing with it.
fn world_of(key: &Arc<PlatformKey>) -> Arc<Mutex<World>> {
    Arc::new(Mutex::new(World {
        listed: Some(vec![key.clone()]),
        signer: key.clone(),
    }))
}

async fn fake_wechatpay(world: Arc<Mutex<World>>) -> MockServer {
    MockServer::start(move |r: &Recorded| {
        if !request_signature_ok(r) {
            return Reply {
                status: 401,
                body: br#"{"code":"SIGN_ERROR","message":"bad signature"}"#.to_vec(),
                ..Reply::default()
            };
        }
        let world = world.lock().unwrap();
        if r.target == "/v3/certificates" {
            return match &world.listed {
                None => Reply {
                    status: 404,
                    body: br#"{"code":"NOT_FOUND","message":"no certificates"}"#.to_vec(),
                    ..Reply::default()
                },
                Some(keys) => {
                    let certs: Vec<(&str, &str)> =
                        keys.iter().map(|k| (k.serial, k.cert_pem.as_str())).collect();
                    signed(&world.signer, 200, &certificates_body(APIV3_KEY, &certs))
                }
            };
        }
        // A business endpoint: echo which serial the request named, so tests can check it.
        let serial = r.header("wechatpay-serial").unwrap_or("");
        signed(&world.signer, 200, &format!(r#"{{"request_serial":"{serial}"}}"#))
    })
    .await
}

fn builder(base_url: &str) -> ClientBuilder {
    merchant_builder(base_url).apiv3_key(APIV3_KEY).unwrap()
}

fn certificate_requests(server: &MockServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.target == "/v3/certificates")
        .count()
}

fn query() -> Operation {
    Operation::new(Method::GET, "/v3/pay/transactions/out-trade-no/{out_trade_no}")
        .path_param("out_trade_no", "T1")
        .query(&[("mchid", MCHID)])
        .unwrap()
}

#[tokio::test]
async fn first_use_downloads_once_even_under_concurrency() {
    let a = Arc::new(PlatformKey::test_vector_key());
    let world = world_of(&a);
    let server = fake_wechatpay(world).await;
    let client = builder(&server.base_url).platform_certificates().build().unwrap();
    assert_eq!(
        client.wechatpay_serial(),
        None,
        "nothing downloaded at build time"
    );
    assert_eq!(certificate_requests(&server), 0);

    let calls = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.json::<serde_json::Value>(query()).await })
    });
    for call in calls {
        let body = call.await.unwrap().unwrap();
        // Requests name the certificate in Wechatpay-Serial.
        assert_eq!(body["request_serial"], SERIAL_A);
    }
    assert_eq!(certificate_requests(&server), 1, "single flight");
    assert_eq!(client.certificate_downloads(), 1);
    assert_eq!(client.wechatpay_serial().as_deref(), Some(SERIAL_A));
    assert_eq!(
        client.verifier().keys().certificate_serials(),
        vec![SERIAL_A.to_owned()]
    );
}

#[tokio::test]
async fn rotation_triggers_one_lazy_rate_limited_refresh() {
    let a = Arc::new(PlatformKey::test_vector_key());
    let b = Arc::new(PlatformKey::fresh(SERIAL_B));
    let world = world_of(&a);
    let server = fake_wechatpay(world.clone()).await;
    let client = builder(&server.base_url).platform_certificates().build().unwrap();
    client.execute(query()).await.unwrap();
    assert_eq!(certificate_requests(&server), 1);

    // WeChat Pay rotates: lists A and B, signs with B.
    {
        let mut w = world.lock().unwrap();
        w.listed = Some(vec![a.clone(), b.clone()]);
        w.signer = b.clone();
    }
    let body: serde_json::Value = client.json(query()).await.unwrap();
    assert_eq!(
        certificate_requests(&server),
        2,
        "one lazy refresh on the unknown serial"
    );
    // The newer certificate is now the one requests name (and encrypt with).
    assert_eq!(
        body["request_serial"], SERIAL_A,
        "this request was sent before the refresh"
    );
    assert_eq!(client.wechatpay_serial().as_deref(), Some(SERIAL_B));
    assert_eq!(client.encryptor().await.unwrap().serial(), SERIAL_B);

    // Another unknown serial within the minute (e.g. forged responses): no new download, the
    // response is rejected as unknown, however often it comes.
    let c = Arc::new(PlatformKey::fresh("7C"));
    world.lock().unwrap().signer = c;
    for _ in 0..4 {
        let err = client.execute(query()).await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Signature(SignatureErrorKind::UnknownSerial)
        );
    }
    assert_eq!(certificate_requests(&server), 2, "rate-limited to one per minute");
}

#[tokio::test]
async fn refresh_on_a_schedule_without_timers() {
    let a = Arc::new(PlatformKey::test_vector_key());
    let world = world_of(&a);
    let server = fake_wechatpay(world).await;
    let client = builder(&server.base_url)
        .platform_certificates_every(Duration::from_millis(300))
        .build()
        .unwrap();
    client.execute(query()).await.unwrap();
    client.execute(query()).await.unwrap();
    assert_eq!(certificate_requests(&server), 1);
    // Idle past the interval: nothing happens by itself (no timer) ...
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(certificate_requests(&server), 1);
    // ... the next request refreshes first.
    client.execute(query()).await.unwrap();
    assert_eq!(certificate_requests(&server), 2);
    // And an explicit refresh is always possible.
    assert_eq!(client.refresh_certificates().await.unwrap(), 1);
    assert_eq!(certificate_requests(&server), 3);
}

#[tokio::test]
async fn not_found_means_no_certificates_and_the_public_key_is_used() {
    let a = Arc::new(PlatformKey::test_vector_key());
    let world = Arc::new(Mutex::new(World {
        listed: None,
        signer: Arc::new(PlatformKey {
            serial: PLATFORM_PUBLIC_KEY_ID,
            key: PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap(),
            cert_pem: a.cert_pem.clone(),
        }),
    }));
    let server = fake_wechatpay(world).await;
    let client = builder(&server.base_url)
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap()
        .platform_certificates()
        .build()
        .unwrap();
    assert_eq!(client.refresh_certificates().await.unwrap(), 0);
    let body: serde_json::Value = client.json(query()).await.unwrap();
    assert_eq!(body["request_serial"], PLATFORM_PUBLIC_KEY_ID);
    assert!(client.verifier().keys().certificate_serials().is_empty());
    assert_eq!(client.encryptor().await.unwrap().serial(), PLATFORM_PUBLIC_KEY_ID);
}

#[tokio::test]
async fn public_key_and_certificates_together_pick_by_serial() {
    let a = Arc::new(PlatformKey::test_vector_key());
    let world = world_of(&a);
    let server = fake_wechatpay(world.clone()).await;
    let client = builder(&server.base_url)
        .wechatpay_public_key_pem(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_SPKI_PEM)
        .unwrap()
        .platform_certificates()
        .build()
        .unwrap();
    // Signed by the certificate: verified with it.
    let body: serde_json::Value = client.json(query()).await.unwrap();
    // The public key is preferred for Wechatpay-Serial and encryption during a migration.
    assert_eq!(body["request_serial"], PLATFORM_PUBLIC_KEY_ID);
    let ids = client.verifier().keys().ids();
    assert!(ids.contains(&SERIAL_A.to_owned()) && ids.contains(&PLATFORM_PUBLIC_KEY_ID.to_owned()));
}

#[tokio::test]
async fn a_bad_certificate_download_fails_without_installing_anything() {
    // The listing says SERIAL_B but the certificate inside is SERIAL_A's.
    let mut forged = PlatformKey::test_vector_key();
    forged.serial = SERIAL_B;
    let forged = Arc::new(forged);
    let world = world_of(&forged);
    let server = fake_wechatpay(world).await;
    let client = builder(&server.base_url).platform_certificates().build().unwrap();
    let err = client.execute(query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");
    assert!(client.verifier().keys().ids().is_empty());
    assert_eq!(
        server.requests().len(),
        1,
        "the business request was not sent without a key"
    );

    // Decrypted with a wrong APIv3 key: also a crypto error.
    let a = Arc::new(PlatformKey::test_vector_key());
    let world = world_of(&a);
    let server = fake_wechatpay(world).await;
    let client = merchant_builder(&server.base_url)
        .apiv3_key("ABCDEFGHIJ0123456789abcdefghij01")
        .unwrap()
        .platform_certificates()
        .build()
        .unwrap();
    assert_eq!(
        client.refresh_certificates().await.unwrap_err().kind(),
        ErrorKind::Crypto
    );
}

#[tokio::test]
async fn encrypted_fields_name_the_encrypting_certificate() {
    let a = Arc::new(PlatformKey::test_vector_key());
    let world = world_of(&a);
    let server = fake_wechatpay(world).await;
    let client = builder(&server.base_url).platform_certificates().build().unwrap();
    let encryptor = client.encryptor().await.unwrap();
    assert_eq!(encryptor.serial(), SERIAL_A);
    let name = encryptor.encrypt("张三").unwrap();
    // Even a hand-set Wechatpay-Serial cannot contradict the encryptor.
    let op = Operation::new(Method::POST, "/v3/profitsharing/receivers/add")
        .json(&serde_json::json!({ "name": name }))
        .unwrap()
        .header("Wechatpay-Serial", "PUB_KEY_ID_SOMETHING_ELSE")
        .unwrap()
        .encrypted_with(&encryptor);
    let body: serde_json::Value = client.json(op).await.unwrap();
    assert_eq!(body["request_serial"], SERIAL_A);
    // The platform key decrypts what was sent.
    let sent = server
        .requests()
        .into_iter()
        .find(|r| r.target == "/v3/profitsharing/receivers/add")
        .unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        a.key.decrypt_oaep_base64(sent["name"].as_str().unwrap()).unwrap(),
        "张三"
    );
}

#[test]
fn certificate_mode_needs_the_apiv3_key() {
    let err = merchant_builder("http://127.0.0.1:1")
        .platform_certificates()
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Build);
    assert!(err.to_string().contains("APIv3 key"), "{err}");
    let debug = format!("{:?}", builder("http://127.0.0.1:1").platform_certificates());
    assert!(!debug.contains(APIV3_KEY), "{debug}");
}
