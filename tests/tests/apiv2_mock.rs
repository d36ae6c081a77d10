//! The APIv2 (XML) mock, called over HTTPS with plain `reqwest` (not the generated client):
//! every operation of the model, signs, checks, failures on request, mutual TLS.

use codegen::ir::{Operation, ResponseBody, Type};
use wechatpay_mock::Model;
use wechatpay_mock::apiv2::{
    ApiV2Credentials, ApiV2Server, FAIL_HEADER, Failure, MOCK_ERR_CODE, Params, SignType, nonce_str,
    parse_xml, sample, sample_request, sign, to_xml, verify,
};

const VECTOR_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// A client that trusts the test CA; with the merchant certificate when `mutual_tls`.
fn client(creds: &ApiV2Credentials, mutual_tls: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(creds.ca_certificate_pem.as_bytes()).expect("CA PEM");
    let mut builder = reqwest::Client::builder().tls_certs_only([ca]);
    if mutual_tls {
        let pem = format!("{}\n{}", creds.merchant_certificate_pem, creds.merchant_key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity PEM"));
    }
    builder.build().expect("client")
}

/// A well-signed request to `op` from the model's required fields, changed by `tweak` before
/// it is signed; `sign_type` HMAC-SHA256 is sent as such, MD5 is the default (or what a
/// required `sign_type` of the model says).
fn signed_request(op: &Operation, key: &str, sign_type: SignType, tweak: impl FnOnce(&mut Params)) -> Params {
    let mut params = sample_request(op);
    params.insert("nonce_str".into(), nonce_str());
    if sign_type == SignType::HmacSha256 {
        params.insert("sign_type".into(), sign_type.as_str().into());
    }
    tweak(&mut params);
    let sign_type =
        SignType::from_param(params.get("sign_type").map(String::as_str)).expect("a known sign type");
    let signature = sign(&params, key, sign_type);
    params.insert("sign".into(), signature);
    params
}

struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

impl Reply {
    fn params(&self) -> Params {
        parse_xml(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn post(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    body: String,
    fail: Option<&str>,
) -> Reply {
    let mut request = client
        .post(format!("{}{}", base_url.trim_end_matches('/'), path))
        .header("content-type", "text/xml")
        .body(body);
    if let Some(kind) = fail {
        request = request.header(FAIL_HEADER, kind);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e:?}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Reply {
        status,
        content_type,
        body: response.text().await.expect("body"),
    }
}

fn has_indexed_list(op: &Operation) -> bool {
    matches!(&op.response, ResponseBody::Xml { fields } if fields.iter().any(|f| matches!(&f.ty, Type::Array { .. })))
}

/// An operation without mutual TLS, answered signed, with an XML answer.
fn plain_signed_op(model: &Model) -> Operation {
    model
        .xml_operations()
        .iter()
        .find(|op| {
            !op.mutual_tls
                && sample::answer_is_signed(&op.path)
                && matches!(op.response, ResponseBody::Xml { .. })
        })
        .expect("a plain signed operation")
        .clone()
}

#[test]
fn sign_reproduces_the_documented_vectors() {
    let params = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    assert_eq!(
        sign(params, VECTOR_KEY, SignType::Md5),
        "9A0A8659F005D6984697E2CA0A9CF3B7"
    );
    assert_eq!(
        sign(params, VECTOR_KEY, SignType::HmacSha256),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

#[tokio::test]
async fn every_operation_answers_a_signed_success_over_mutual_tls() {
    let mock = ApiV2Server::start_default().expect("mock starts");
    let creds = mock.credentials();
    assert_eq!(creds.key, VECTOR_KEY);
    let client = client(&creds, true);
    let operations = mock.operations().to_vec();
    assert!(operations.len() > 40, "{} APIv2 operations", operations.len());
    for op in &operations {
        let request = signed_request(op, &creds.key, SignType::Md5, |_| {});
        let reply = post(&client, &creds.base_url, &op.path, to_xml(&request), None).await;
        assert_eq!(reply.status, 200, "{}: {}", op.path, reply.body);
        if matches!(op.response, ResponseBody::Binary) {
            assert!(reply.content_type.starts_with("text/plain"), "{}", op.path);
            assert!(
                reply.body.contains('`') && !reply.body.contains("<xml>"),
                "{}",
                op.path
            );
            continue;
        }
        let answer = reply.params();
        assert_eq!(answer["return_code"], "SUCCESS", "{}: {}", op.path, reply.body);
        assert_eq!(answer["result_code"], "SUCCESS", "{}", op.path);
        assert!(answer["nonce_str"].len() <= 32);
        if sample::answer_is_signed(&op.path) {
            // MD5 unless the model requires `sign_type` and names HMAC-SHA256 first.
            let sign_type = SignType::from_param(request.get("sign_type").map(String::as_str)).unwrap();
            assert_eq!(SignType::of_sign(&answer["sign"]), sign_type, "{}", op.path);
            assert!(
                verify(&answer, &creds.key, sign_type),
                "{}: {}",
                op.path,
                reply.body
            );
            assert!(
                reply.body.ends_with("]]></sign></xml>"),
                "sign last: {}",
                reply.body
            );
        } else {
            assert!(!answer.contains_key("sign"), "{} answers unsigned", op.path);
        }
        for name in ["appid", "mch_id", "out_trade_no"] {
            if let (Some(sent), Some(got)) = (request.get(name), answer.get(name)) {
                assert_eq!(sent, got, "{}: {name} echoed", op.path);
            }
        }
    }
    let log = mock.requests();
    assert_eq!(log.len(), operations.len());
    assert!(
        log.iter()
            .all(|r| r.client_certificate && r.sign_verified && r.rejection.is_none())
    );
    assert!(
        log.iter()
            .all(|r| r.sign_type.is_some() && r.param("nonce_str").is_some())
    );
    assert!(log.iter().any(|r| r.sign_type == Some(SignType::Md5)));
}

#[tokio::test]
async fn hmac_sha256_requests_get_hmac_sha256_signs() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let op = plain_signed_op(mock.model());
    let request = signed_request(&op, &creds.key, SignType::HmacSha256, |_| {});
    let reply = post(
        &client(&creds, true),
        &creds.base_url,
        &op.path,
        to_xml(&request),
        None,
    )
    .await;
    let answer = reply.params();
    assert_eq!(answer["return_code"], "SUCCESS", "{}", reply.body);
    assert_eq!(answer["sign"].len(), 64);
    assert_eq!(SignType::of_sign(&answer["sign"]), SignType::HmacSha256);
    assert!(verify(&answer, &creds.key, SignType::HmacSha256));
    assert_eq!(mock.requests()[0].sign_type, Some(SignType::HmacSha256));
}

#[tokio::test]
async fn a_wrong_sign_or_a_missing_field_is_an_unsigned_return_code_fail() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let client = client(&creds, true);
    let op = plain_signed_op(mock.model());

    let mut request = signed_request(&op, &creds.key, SignType::Md5, |_| {});
    request.insert("sign".into(), sign(&request, "another key", SignType::Md5));
    let reply = post(&client, &creds.base_url, &op.path, to_xml(&request), None).await;
    let answer = reply.params();
    assert_eq!(reply.status, 200);
    assert_eq!(answer["return_code"], "FAIL");
    assert!(answer["return_msg"].contains("签名错误"), "{}", reply.body);
    assert!(!answer.contains_key("sign") && !answer.contains_key("result_code"));
    assert!(!mock.requests()[0].sign_verified);

    let required = sample_request(&op).into_keys().next().expect("a required field");
    let request = signed_request(&op, &creds.key, SignType::Md5, |p| {
        p.remove(&required);
    });
    let answer = post(&client, &creds.base_url, &op.path, to_xml(&request), None)
        .await
        .params();
    assert_eq!(answer["return_code"], "FAIL");
    assert_eq!(answer["return_msg"], format!("missing field {required}"));
    assert!(!answer.contains_key("sign"));
    let seen = &mock.requests()[1];
    assert!(seen.sign_verified);
    assert_eq!(seen.rejection.as_deref(), Some(answer["return_msg"].as_str()));

    let doctype = "<!DOCTYPE xml [<!ENTITY x \"y\">]><xml><a>&x;</a></xml>".to_owned();
    let answer = post(&client, &creds.base_url, &op.path, doctype, None)
        .await
        .params();
    assert_eq!(answer["return_code"], "FAIL");
    assert!(answer["return_msg"].contains("DOCTYPE"));

    let reply = post(&client, &creds.base_url, "/pay/nothing-here", String::new(), None).await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn failures_on_request_by_header() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let client = client(&creds, true);
    let op = plain_signed_op(mock.model());
    let body = || to_xml(&signed_request(&op, &creds.key, SignType::Md5, |_| {}));

    let answer = post(&client, &creds.base_url, &op.path, body(), Some("return_code"))
        .await
        .params();
    assert_eq!(answer["return_code"], "FAIL");
    assert_eq!(answer["return_msg"], "mock failure");
    assert!(!answer.contains_key("sign"));

    let answer = post(&client, &creds.base_url, &op.path, body(), Some("result_code"))
        .await
        .params();
    assert_eq!(answer["return_code"], "SUCCESS");
    assert_eq!(answer["result_code"], "FAIL");
    assert_eq!(answer["err_code"], MOCK_ERR_CODE);
    assert_eq!(answer["err_code_des"], "mock business failure");
    assert!(verify(&answer, &creds.key, SignType::Md5));

    let answer = post(&client, &creds.base_url, &op.path, body(), Some("bad_sign"))
        .await
        .params();
    assert_eq!(answer["return_code"], "SUCCESS");
    assert_eq!(answer["result_code"], "SUCCESS");
    assert_eq!(answer["sign"].len(), 32);
    assert!(!verify(&answer, &creds.key, SignType::Md5));

    let failures: Vec<_> = mock.requests().iter().map(|r| r.failure).collect();
    assert_eq!(
        failures,
        [
            Some(Failure::ReturnCode),
            Some(Failure::ResultCode),
            Some(Failure::BadSign)
        ]
    );
}

#[tokio::test]
async fn queued_failures_are_one_shot() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let client = client(&creds, true);
    let op = plain_signed_op(mock.model());
    let body = || to_xml(&signed_request(&op, &creds.key, SignType::Md5, |_| {}));
    mock.fail_next(Failure::ResultCode);
    mock.fail_next(Failure::BadSign);
    assert_eq!(mock.pending_failures(), [Failure::ResultCode, Failure::BadSign]);

    let first = post(&client, &creds.base_url, &op.path, body(), None)
        .await
        .params();
    assert_eq!(first["result_code"], "FAIL");
    let second = post(&client, &creds.base_url, &op.path, body(), None)
        .await
        .params();
    assert!(second["result_code"] == "SUCCESS" && !verify(&second, &creds.key, SignType::Md5));
    let third = post(&client, &creds.base_url, &op.path, body(), None)
        .await
        .params();
    assert!(third["result_code"] == "SUCCESS" && verify(&third, &creds.key, SignType::Md5));
    assert!(mock.pending_failures().is_empty());
}

#[tokio::test]
async fn mutual_tls_operations_fail_without_a_client_certificate_and_only_they() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let no_cert = client(&creds, false);
    let model = mock.model();
    let secured = model
        .xml_operations()
        .iter()
        .find(|op| op.mutual_tls && matches!(op.response, ResponseBody::Xml { .. }))
        .expect("a mutual TLS operation");
    let open = plain_signed_op(model);

    let body = to_xml(&signed_request(secured, &creds.key, SignType::Md5, |_| {}));
    let reply = post(&no_cert, &creds.base_url, &secured.path, body, None).await;
    assert_eq!(reply.status, 403, "{}: {}", secured.path, reply.body);
    let answer = reply.params();
    assert_eq!(answer["return_code"], "FAIL");
    assert!(answer["return_msg"].contains("client certificate is required"));

    let body = to_xml(&signed_request(&open, &creds.key, SignType::Md5, |_| {}));
    let reply = post(&no_cert, &creds.base_url, &open.path, body, None).await;
    assert_eq!(reply.status, 200, "{}: {}", open.path, reply.body);
    assert_eq!(reply.params()["return_code"], "SUCCESS");

    let log = mock.requests();
    assert!(log.iter().all(|r| !r.client_certificate));
    assert_eq!(log[0].status, 403);
}

#[tokio::test]
async fn indexed_lists_are_answered_with_indices() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let client = client(&creds, true);
    let op = mock
        .operations()
        .iter()
        .find(|op| has_indexed_list(op) && sample::answer_is_signed(&op.path))
        .expect("an operation with an indexed list")
        .clone();
    let ResponseBody::Xml { fields } = &op.response else {
        unreachable!()
    };
    let list = fields
        .iter()
        .find(|f| matches!(f.ty, Type::Array { .. }))
        .unwrap();
    let Type::Array { items } = &list.ty else {
        unreachable!()
    };
    let Type::Object { fields: members } = items.as_ref() else {
        panic!("{} is a list of objects", list.name)
    };
    let scalar = members
        .iter()
        .find(|m| !matches!(m.ty, Type::Array { .. }))
        .expect("a scalar member");

    let body = to_xml(&signed_request(&op, &creds.key, SignType::Md5, |_| {}));
    let answer = post(&client, &creds.base_url, &op.path, body, None)
        .await
        .params();
    assert!(verify(&answer, &creds.key, SignType::Md5));
    for i in 0..2 {
        assert!(
            answer.contains_key(&format!("{}_{i}", scalar.name)),
            "{}: {answer:?}",
            op.path
        );
    }
    assert!(!answer.contains_key(&format!("{}_2", scalar.name)));
    assert!(!answer.contains_key(&list.name));
}

#[test]
fn runs_outside_a_runtime_and_stops_when_dropped() {
    let mock = ApiV2Server::start_default().unwrap();
    let creds = mock.credentials();
    let op = plain_signed_op(mock.model());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = to_xml(&signed_request(&op, &creds.key, SignType::Md5, |_| {}));
    let reply = runtime.block_on(post(&client(&creds, true), &creds.base_url, &op.path, body, None));
    assert_eq!(reply.params()["return_code"], "SUCCESS");
    let addr = mock.addr();
    drop(mock);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port is closed after drop"
    );
}
