//! Sensitive fields and query values, decrypted with the key `Wechatpay-Serial` names.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use wechatpay_mock::testing::encrypt_sensitive;

use super::SERIAL_HEADER;
use crate::support::{Client, Payload, encode, platform_spki, start};

#[tokio::test]
async fn sensitive_fields_are_decrypted_with_the_key_wechatpay_serial_names() {
    let server = start();
    let client = Client::new(&server);
    let target = "/v3/profitsharing/receivers/add";
    let mut body = json!({
        "appid": "wx8888888888888888", "type": "PERSONAL_OPENID", "account": "o1",
        "name": encrypt_sensitive(&platform_spki(), "张三").unwrap(), "relation_type": "STORE"
    });
    if let Some(op) = server.model().operation(&format!("POST {target}")) {
        let fields = match &op.request {
            codegen::ir::RequestBody::Json { fields } => fields.clone(),
            _ => unreachable!(),
        };
        for f in fields.iter().filter(|f| !f.optional) {
            if body.get(&f.name).is_none() {
                body[&f.name] = wechatpay_mock::sample::sample_value(&f.name, &f.ty);
            }
        }
    }
    let bytes = body.to_string();
    let r = client
        .send("POST", target, &[SERIAL_HEADER], Payload::Json(bytes.as_bytes()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        server.requests()[0]
            .decrypted_body
            .get("/name")
            .map(String::as_str),
        Some("张三")
    );

    // The operation declares Wechatpay-Serial: it is required.
    let r = client
        .send("POST", target, &[], Payload::Json(bytes.as_bytes()))
        .await;
    let err = r.assert_error(400, "PARAM_ERROR");
    assert!(
        err["message"].as_str().unwrap().contains("Wechatpay-Serial"),
        "{err}"
    );

    // 256 bytes that are no OAEP ciphertext of this key.
    let mut garbage = body.clone();
    garbage["name"] = json!(STANDARD.encode([7u8; 256]));
    let r = client
        .send(
            "POST",
            target,
            &[SERIAL_HEADER],
            Payload::Json(garbage.to_string().as_bytes()),
        )
        .await;
    let err = r.assert_error(400, "PARAM_ERROR");
    assert!(err["message"].as_str().unwrap().contains("/name"), "{err}");

    // Encrypted for a rotated key and named by its certificate serial.
    let serial = server.rotate_platform_certificate().unwrap();
    let new_key = server.platform_public_key_der(&serial).unwrap();
    let mut rotated = body.clone();
    rotated["name"] = json!(encrypt_sensitive(&new_key, "李四").unwrap());
    let rotated = rotated.to_string();
    let r = client
        .send(
            "POST",
            target,
            &[("Wechatpay-Serial", &serial)],
            Payload::Json(rotated.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Wechatpay-Serial"), Some(serial.as_str()));
    assert_eq!(server.requests().last().unwrap().decrypted_body["/name"], "李四");
    // The old key's ciphertext under the new serial does not decrypt.
    let r = client
        .send(
            "POST",
            target,
            &[("Wechatpay-Serial", &serial)],
            Payload::Json(bytes.as_bytes()),
        )
        .await;
    r.assert_error(400, "PARAM_ERROR");
    // And an unknown serial is refused outright.
    let r = client
        .send(
            "POST",
            target,
            &[("Wechatpay-Serial", "PUB_KEY_ID_0000")],
            Payload::Json(bytes.as_bytes()),
        )
        .await;
    r.assert_error(400, "PARAM_ERROR");
}

#[tokio::test]
async fn encrypted_query_values_are_decrypted() {
    let server = start();
    let client = Client::new(&server);
    let cipher = encrypt_sensitive(&platform_spki(), "6222021234567890").unwrap();
    let target = format!(
        "/v3/capital/capitallhh/banks/search-banks-by-bank-account?account_number={}",
        encode(&cipher)
    );
    let r = client.send("GET", &target, &[SERIAL_HEADER], Payload::None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        server.requests()[0].decrypted_query["/account_number"],
        "6222021234567890"
    );
}
