//! Every APIv2 (XML) operation of the model, end to end: the generated function (through the
//! conformance crate's `call_xml`) signs, sends over HTTPS (mutual TLS where the docs say
//! `security: true`), and the APIv2 mock verifies the sign, checks the model's required fields
//! and answers a signed sample, which the client checks and decodes. Then the error kinds of
//! the answers, and mutual TLS required exactly where the docs say.

use codegen::ir::{Field, Operation, RequestBody, Type};
use serde_json::{Map, Value, json};
use wechatpay_mock::Model;
use wechatpay_mock::apiv2::{ApiV2Credentials, ApiV2Server, Failure, MOCK_ERR_CODE, sample_request};
use wechatpay_typed::v2::Client;
use wechatpay_typed::{ErrorKind, SignatureErrorKind};
use wechatpay_typed_conformance::{Outcome, XML_OPERATIONS, call_xml};

#[path = "common/apiv2.rs"]
mod common_apiv2;

/// A client of the mock, every documented host of `operations` sent to it.
fn client(creds: &ApiV2Credentials, operations: &[Operation], certificate: bool) -> Client {
    let hosts = operations.iter().filter_map(|op| op.base_url.as_deref());
    common_apiv2::apiv2_client(creds, hosts, certificate)
}

fn request_fields(op: &Operation) -> &[Field] {
    match &op.request {
        RequestBody::Xml { fields } => fields,
        _ => &[],
    }
}

/// The conformance input of `op`: the mock's sample request (its required fields, as text) typed
/// as the model says, the first member of each one-of group, and every declared header.
fn input(op: &Operation) -> Value {
    let sample = sample_request(op);
    let fields = request_fields(op);
    let mut body = Map::new();
    let mut groups = Vec::new();
    for field in fields {
        let text = match (&field.one_of, sample.get(&field.name)) {
            (Some(group), _) if !groups.contains(group) => {
                groups.push(group.clone());
                format!("sample-{}", field.name)
            }
            (_, Some(text)) => text.clone(),
            _ => continue,
        };
        let value = match &field.ty {
            Type::Integer => json!(text.parse::<i64>().expect("integer sample")),
            Type::Boolean => json!(text.parse::<bool>().expect("boolean sample")),
            _ => Value::String(text),
        };
        body.insert(field.name.clone(), value);
    }
    let headers: Map<String, Value> = op
        .headers
        .iter()
        .map(|h| (h.name.clone(), Value::String(format!("sample-{}", h.name))))
        .collect();
    json!({"body": body, "headers": headers})
}

fn setup() -> (ApiV2Server, ApiV2Credentials, Vec<Operation>) {
    let server = ApiV2Server::start_default().expect("APIv2 mock");
    let creds = server.credentials();
    let operations = Model::load_default().expect("model").xml_operations().to_vec();
    (server, creds, operations)
}

#[tokio::test]
async fn every_v2_operation_is_signed_sent_verified_and_decoded_with_tls_where_the_docs_say() {
    let (server, creds, operations) = setup();
    assert!(!operations.is_empty());
    let names: Vec<String> = operations.iter().map(|op| format!("POST {}", op.path)).collect();
    assert_eq!(
        XML_OPERATIONS, names,
        "the crate calls every APIv2 operation of the model"
    );
    let client = client(&creds, &operations, true);
    let mut exercised = 0;
    let mut failures = Vec::new();
    for (op, name) in operations.iter().zip(&names) {
        server.clear_requests();
        let input = input(op);
        let outcome = call_xml(&client, name, &input).await;
        let recorded = server.requests();
        let Some(seen) = recorded.first() else {
            failures.push(format!("{name}: nothing reached the mock ({outcome:?})"));
            continue;
        };
        if !seen.sign_verified || seen.rejection.is_some() {
            failures.push(format!("{name}: the mock refused it: {:?}", seen.rejection));
        }
        if seen.client_certificate != op.mutual_tls {
            failures.push(format!(
                "{name}: client certificate {} but security: {}",
                seen.client_certificate, op.mutual_tls
            ));
        }
        match outcome {
            Ok(Outcome::Json(answer)) => {
                // The request's order number comes back decoded.
                if let (Some(sent), Some(got)) = (seen.param("out_trade_no"), answer.get("out_trade_no")) {
                    if got != sent {
                        failures.push(format!("{name}: out_trade_no {got} for {sent}"));
                    }
                }
                if !answer.is_object() {
                    failures.push(format!("{name}: answer {answer}"));
                }
            }
            Ok(Outcome::Bytes(file)) => {
                if file.is_empty() {
                    failures.push(format!("{name}: empty file"));
                }
            }
            Ok(Outcome::Download(_)) => failures.push(format!("{name}: an APIv3 download")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        exercised += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(exercised, operations.len());
}

#[tokio::test]
async fn indexed_lists_arrive_as_lists() {
    let (_server, creds, operations) = setup();
    let client = client(&creds, &operations, true);
    let op = operations
        .iter()
        .find(|op| op.path == "/pay/orderquery")
        .expect("order query in the model");
    let Outcome::Json(answer) = call_xml(&client, "POST /pay/orderquery", &input(op))
        .await
        .expect("order query")
    else {
        panic!("a JSON answer")
    };
    let coupons = answer["coupons"].as_array().expect("coupons as a list");
    assert_eq!(coupons.len(), 2, "{answer}");
    assert_eq!(coupons[1]["coupon_id"], "sample-coupon_id_1", "{answer}");
    // The docs type the count as text on this page; it says 2 either way.
    assert_eq!(
        answer["coupon_count"].to_string().trim_matches('"'),
        "2",
        "{answer}"
    );
}

/// `hblist` of the red packet query is, on the wire, a nested element
/// (`<hblist><hbinfo><openid>…</openid><amount>…</amount></hbinfo>…</hblist>`), as the mock
/// answers it: the generated function decodes it as a list.
#[tokio::test]
async fn a_nested_list_arrives_as_a_list() {
    use wechatpay_typed::v2::mmpaymkttransfers::gethbinfo;
    let (server, creds, operations) = setup();
    let client = client(&creds, &operations, true);
    let request =
        gethbinfo::PostRequest::new("10000098201411111234567890", &creds.mch_id, &creds.appid, "MCHT");
    let answer = gethbinfo::post(&client, &request)
        .await
        .expect("red packet query");
    let body = &server.requests()[0];
    assert_eq!(body.param("bill_type"), Some("MCHT"));
    let hblist = answer.hblist.expect("hblist decoded");
    let got: Vec<(Option<&str>, Option<String>)> = hblist
        .iter()
        .map(|hb| (hb.openid.as_deref(), hb.amount.as_ref().map(ToString::to_string)))
        .collect();
    assert_eq!(
        got,
        [
            (Some("sample-openid_0"), Some("100".to_owned())),
            (Some("sample-openid_1"), Some("100".to_owned())),
        ]
    );
    assert!(hblist.iter().all(|hb| hb.unparsed.is_empty()));
    // Only the answer's `nonce_str` is not in the model.
    assert_eq!(answer.unparsed.names().collect::<Vec<_>>(), ["nonce_str"]);
    assert_eq!(answer.mch_id.as_deref(), Some(creds.mch_id.as_str()));
}

#[tokio::test]
async fn return_code_result_code_and_sign_failures_are_three_error_kinds() {
    let (server, creds, operations) = setup();
    let client = client(&creds, &operations, true);
    let op = operations
        .iter()
        .find(|op| op.path == "/pay/micropay")
        .expect("micropay in the model");
    let sample = input(op);
    let call = || call_xml(&client, "POST /pay/micropay", &sample);

    server.fail_next(Failure::ReturnCode);
    let error = call().await.expect_err("return_code FAIL");
    assert_eq!(error.kind(), ErrorKind::Api, "{error}");

    server.fail_next(Failure::ResultCode);
    let error = call().await.expect_err("result_code FAIL");
    assert_eq!(error.kind(), ErrorKind::Business, "{error}");
    assert_eq!(error.code(), Some(MOCK_ERR_CODE));

    server.fail_next(Failure::BadSign);
    let error = call().await.expect_err("bad sign");
    assert_eq!(
        error.kind(),
        ErrorKind::Signature(SignatureErrorKind::InvalidSignature),
        "{error}"
    );
    call().await.expect("a clean answer after the failures");
}

#[tokio::test]
async fn without_the_merchant_certificate_only_the_mutual_tls_operations_fail() {
    let (server, creds, operations) = setup();
    let client = client(&creds, &operations, false);
    let secured = operations
        .iter()
        .find(|op| op.mutual_tls)
        .expect("a security: true operation");
    let plain = operations
        .iter()
        .find(|op| !op.mutual_tls)
        .expect("an operation without");

    server.clear_requests();
    let error = call_xml(&client, &format!("POST {}", secured.path), &input(secured))
        .await
        .expect_err("needs the certificate");
    assert_eq!(error.kind(), ErrorKind::Build, "{error}");
    assert!(
        server.requests().is_empty(),
        "nothing is sent without the certificate"
    );

    call_xml(&client, &format!("POST {}", plain.path), &input(plain))
        .await
        .expect("no certificate needed");
}
