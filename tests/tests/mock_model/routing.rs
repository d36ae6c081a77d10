//! Every operation answers its sample; routing, query signing and request checks against the model.

use serde_json::{Value, json};
use wechatpay_mock::download::expected_download;
use wechatpay_mock::model::operation_id;

use super::SERIAL_HEADER;
use crate::support;
use crate::support::{Client, Payload, platform_spki, sample_request, send_sample, start, start_generic};

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
