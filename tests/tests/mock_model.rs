//! The model-driven mock over real HTTP with a plain reqwest client: every operation answers
//! its sample, routing, request checks, media uploads, sensitive fields, downloads, and the
//! platform certificates (AES-GCM with the APIv3 key, rotation, 404 and broken modes).

mod support;

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use support::{
    Client, Payload, certificate_serial_and_spki, encode, open_certificate, pem_der, platform_spki,
    sample_request, send_sample, start, start_generic,
};
use wechatpay_mock::download::{download_content, download_sha1_hex, expected_download};
use wechatpay_mock::model::operation_id;
use wechatpay_mock::testing::{encrypt_sensitive, upload_meta};
use wechatpay_mock::{
    CertificatesMode, SignWith, TEST_APIV3_KEY, TEST_PLATFORM_CERT_SERIAL, TEST_PLATFORM_PUBLIC_KEY_ID,
};

const SERIAL_HEADER: (&str, &str) = ("Wechatpay-Serial", TEST_PLATFORM_PUBLIC_KEY_ID);

/// A template with every `{param}` written as `{}`: two operations with the same shape are
/// indistinguishable on the wire.
fn shape(op_id: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in op_id.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[tokio::test]
async fn every_operation_answers_its_sample_and_records_the_request() {
    let server = start_generic();
    let client = Client::new(&server);
    let spki = platform_spki();
    let operations = server.operations().to_vec();
    assert_eq!(
        operations.len(),
        wechatpay_mock::model::recorded_operation_count()
    );
    let mut failures = Vec::new();
    for op in &operations {
        let id = operation_id(op);
        let sample = sample_request(op, &spki);
        server.clear_requests();
        let reply = send_sample(&client, &sample).await;
        let mut fail = |why: String| failures.push(format!("{id}: {why}"));
        let expected = if id == "GET /v3/certificates" {
            server.certificates_json()
        } else {
            wechatpay_mock::sample::sample_response_for_input(op, &wechatpay_mock::sample_input(op))
        };
        match &expected {
            Some(Value::Object(map)) if map.is_empty() => {
                if reply.status != 204 || !reply.body.is_empty() {
                    fail(format!(
                        "want 204 and no body, got {} {}",
                        reply.status,
                        reply.text()
                    ));
                }
            }
            Some(want) => {
                if reply.status != 200 {
                    fail(format!("status {}: {}", reply.status, reply.text()));
                } else if serde_json::from_slice::<Value>(&reply.body).ok().as_ref() != Some(want) {
                    fail(format!("body {} is not the sample {want}", reply.text()));
                }
            }
            None => {
                if reply.status != 200 || reply.body != expected_download(&sample.target) {
                    fail(format!(
                        "download: status {}, {} bytes",
                        reply.status,
                        reply.body.len()
                    ));
                }
            }
        }
        let unsigned = expected.is_none() && wechatpay_mock::download::is_unsigned_download(&op.path);
        if unsigned {
            if reply.header("Wechatpay-Signature").is_some() {
                fail("unsigned download carries a signature".into());
            }
        } else if let Err(e) = reply.verify() {
            fail(format!("response signature: {e}"));
        }
        let recorded = server.requests();
        if recorded.len() != 1 {
            fail(format!("{} requests recorded", recorded.len()));
            continue;
        }
        let r = &recorded[0];
        if !r.signature_verified {
            fail("request signature not verified".into());
        }
        if r.operation.as_deref().map(shape) != Some(shape(&id)) {
            fail(format!("matched {:?}", r.operation));
        }
        if let Some(body) = &sample.body {
            let mut sent: Value = serde_json::from_slice(body).unwrap();
            for (pointer, plain) in &sample.encrypted {
                *sent.pointer_mut(pointer).unwrap() = Value::String(plain.clone());
                if r.decrypted_body.get(pointer) != Some(plain) {
                    fail(format!(
                        "{pointer} decrypted as {:?}",
                        r.decrypted_body.get(pointer)
                    ));
                }
            }
            let mut got = r.body_json().unwrap_or(Value::Null);
            for (pointer, plain) in &r.decrypted_body {
                *got.pointer_mut(pointer).unwrap() = Value::String(plain.clone());
            }
            if got != sent {
                fail(format!("recorded body {got} differs from {sent}"));
            }
        } else {
            for (pointer, plain) in &sample.encrypted {
                if r.decrypted_query.get(pointer) != Some(plain) {
                    fail(format!(
                        "query {pointer} decrypted as {:?}",
                        r.decrypted_query.get(pointer)
                    ));
                }
            }
        }
        if let Some((filename, content)) = &sample.upload {
            match &r.upload {
                Some(u) if &u.filename == filename && &u.content == content => {}
                other => fail(format!("upload recorded as {other:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        operations.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn literal_segments_win_over_parameters_and_trailing_slashes_match_exactly() {
    let server = start();
    let client = Client::new(&server);
    let r = client
        .get("/v3/ecommerce/refunds/out-refund-no/return-advance?sub_mchid=1")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = client
        .get("/v3/ecommerce/refunds/R1/return-advance?sub_mchid=1")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let ops: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.operation.unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "GET /v3/ecommerce/refunds/out-refund-no/{out_refund_no}",
            "GET /v3/ecommerce/refunds/{refund_id}/return-advance"
        ]
    );
    assert_eq!(
        server.requests()[1].path_params,
        [("refund_id".to_owned(), "R1".to_owned())]
    );

    let op = server
        .model()
        .operation("POST /v3/ecommerce/applyments/")
        .unwrap();
    let body = wechatpay_mock::sample::sample_object(match &op.request {
        codegen::ir::RequestBody::Json { fields } => fields,
        _ => unreachable!(),
    });
    let r = client
        .send(
            "POST",
            "/v3/ecommerce/applyments/",
            &[SERIAL_HEADER],
            Payload::Json(body.to_string().as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.verify().unwrap();
    // Without the trailing slash there is no such operation.
    let r = client
        .send(
            "POST",
            "/v3/ecommerce/applyments",
            &[SERIAL_HEADER],
            Payload::Json(body.to_string().as_bytes()),
        )
        .await;
    r.assert_error(404, "NOT_FOUND");
    // GET …/applyments/{applyment_id} with an empty id: the parameter is named.
    let body = client
        .get("/v3/ecommerce/applyments/")
        .await
        .assert_error(400, "PARAM_ERROR");
    assert!(
        body["message"].as_str().unwrap().contains("applyment_id"),
        "{body}"
    );
}

#[tokio::test]
async fn the_query_is_signed_and_decoded_as_sent() {
    let server = start();
    let client = Client::new(&server);
    let target = "/v3/pay/transactions/id/4200%2B01?mchid=1900000109";
    let r = client.get(target).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.verify().unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.target, target);
    assert_eq!(
        seen.path_params,
        [("transaction_id".to_owned(), "4200+01".to_owned())]
    );
    assert_eq!(seen.query_json(), json!({"mchid": "1900000109"}));
}

#[tokio::test]
async fn requests_that_do_not_fit_the_model_are_param_errors_naming_the_field() {
    let server = start();
    let client = Client::new(&server);
    let op = server
        .model()
        .operation("POST /v3/refund/domestic/refunds")
        .unwrap()
        .clone();
    let good = wechatpay_mock::sample_input(&op)["body"].clone();
    let target = "/v3/refund/domestic/refunds";
    assert_eq!(client.post_json(target, &good).await.status, 200);

    let message = |r: support::Reply| {
        r.assert_error(400, "PARAM_ERROR")["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("out_refund_no");
    let m = message(client.post_json(target, &missing).await);
    assert!(m.contains("/out_refund_no") && m.contains("missing"), "{m}");

    let mut wrong = good.clone();
    wrong["amount"]["refund"] = json!("100");
    let m = message(client.post_json(target, &wrong).await);
    assert!(m.contains("/amount/refund") && m.contains("integer"), "{m}");

    let mut unknown = good.clone();
    unknown["amount"]["tip"] = json!(1);
    let m = message(client.post_json(target, &unknown).await);
    assert!(m.contains("/amount/tip") && m.contains("unknown"), "{m}");

    let mut in_list = good.clone();
    in_list["goods_detail"][0]["refund_quantity"] = json!(true);
    let m = message(client.post_json(target, &in_list).await);
    assert!(m.contains("/goods_detail/0/refund_quantity"), "{m}");

    let m = message(client.post_json(target, &json!([1])).await);
    assert!(m.contains("object"), "{m}");

    // Query: required, typed, declared; no body on a GET.
    let m = message(client.get("/v3/ecommerce/refunds/R1/return-advance").await);
    assert!(m.contains("sub_mchid") && m.contains("missing"), "{m}");
    let m = message(
        client
            .get("/v3/ecommerce/refunds/R1/return-advance?sub_mchid=1&x=2")
            .await,
    );
    assert!(m.contains("query field x") && m.contains("unknown"), "{m}");
    let m = message(
        client
            .get("/v3/merchant-service/complaints-v2?limit=ten&offset=0&begin_date=a&end_date=b")
            .await,
    );
    assert!(m.contains("limit") && m.contains("integer"), "{m}");
    let m = message(
        client
            .send(
                "GET",
                "/v3/pay/transactions/id/1?mchid=1",
                &[],
                Payload::Json(b"{}"),
            )
            .await,
    );
    assert!(m.contains("no body"), "{m}");
    assert_eq!(server.request_count(target), 6);
}

#[tokio::test]
async fn media_uploads_are_signed_over_meta_and_checked_against_their_sha256() {
    let server = start();
    let client = Client::new(&server);
    let target = "/v3/merchant/media/upload";
    let content = b"\xff\xd8\xff\xe0 a tiny jpeg";
    let r = client
        .send(
            "POST",
            target,
            &[],
            Payload::Upload {
                meta: upload_meta("tiny.jpg", content),
                filename: "tiny.jpg",
                content,
            },
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.verify().unwrap();
    assert_eq!(r.json()["media_id"], "sample-media_id");
    let upload = server.requests()[0].upload.clone().unwrap();
    assert_eq!(upload.filename, "tiny.jpg");
    assert_eq!(upload.content, content);
    assert_eq!(upload.meta, upload_meta("tiny.jpg", content));

    let wrong = upload_meta("tiny.jpg", b"another file");
    let r = client
        .send(
            "POST",
            target,
            &[],
            Payload::Upload {
                meta: wrong,
                filename: "tiny.jpg",
                content,
            },
        )
        .await;
    let body = r.assert_error(400, "PARAM_ERROR");
    assert!(body["message"].as_str().unwrap().contains("sha256"), "{body}");

    // A JSON body where a multipart upload is expected.
    let r = client.post_json(target, &json!({"filename": "x.jpg"})).await;
    r.assert_error(400, "PARAM_ERROR");
}

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

#[tokio::test]
async fn downloads_stream_the_expected_bytes_signed_or_not_as_wechat_pay_does() {
    let server = start();
    let client = Client::new(&server);
    let bill = "/v3/billdownload/file";
    let res = client
        .try_send("GET", &format!("{bill}?token=T1"), &[], Payload::None)
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.content_length(), None, "streamed in chunks");
    assert!(res.headers().get("Wechatpay-Signature").is_none());
    assert!(res.headers().get("Wechatpay-Serial").is_none());
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..], &download_content(bill)[..]);
    assert_eq!(bytes.len(), 200 * 1024);
    assert_eq!(
        download_sha1_hex(bill),
        wechatpay_mock::download::sha1_hex(&bytes)
    );

    let r = client.get(&format!("{bill}?token=T1&tartype=GZIP")).await;
    assert_eq!(r.status, 200);
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, download_content(bill));
    assert!(r.body.len() < plain.len());
    server.set_gzip_bill_downloads(true);
    let r = client.get(&format!("{bill}?token=T1")).await;
    assert_eq!(r.header("Content-Type"), Some("application/x-gzip"));

    let image = "/v3/merchant-service/images/MEDIA%201";
    let r = client.get(image).await;
    assert_eq!(r.body, download_content(image));
    assert!(r.header("Wechatpay-Signature").is_none());

    // The fapiao file (docs page `/v3/new-tax-control-fapiao/download`, on the wire
    // `/invoicing/fapiao/fapiao-file` on https://pay.wechatpay.cn/) is unsigned too.
    let q = "token=t&mchid=1&openid=o&invoice_code=c&invoice_no=n&fapiao_id=f";
    let r = client.get(&format!("/invoicing/fapiao/fapiao-file?{q}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, download_content("/invoicing/fapiao/fapiao-file"));
    assert!(r.header("Wechatpay-Signature").is_none());
}

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
