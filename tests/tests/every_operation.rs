//! End to end, every operation of the API model: called through the generated
//! `wechatpay-typed-conformance` crate (`call(client, "METHOD /path", input)`) with the mock's
//! [`sample_input`], over real HTTP on 127.0.0.1, against the mock. For each operation the
//! decoded response must equal the mock's [`sample_response_for_input`] (downloads: the exact bytes),
//! and the mock must have recorded exactly one verified request carrying the sample (with the
//! encrypted fields decrypting to the sample's plaintexts). All failures are listed at once.

use serde_json::{Map, Value};
use wechatpay_mock::download::expected_download;
use wechatpay_mock::model::operation_id;
use wechatpay_mock::{
    MockConfig, MockServer, RecordedRequest, default_shared_dir,
    sample::{sample_response_for_input, sensitive_pointers},
    sample_input,
};
use wechatpay_typed_conformance::{OPERATIONS, Outcome, call};

/// The documented host of the one operation that is not on the default host.
const PAY_WECHATPAY_CN: &str = "https://pay.wechatpay.cn/";

fn key(name: &str) -> String {
    let path = default_shared_dir().join("test-vectors/keys").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn client_for(server: &MockServer) -> sdk_runtime::wechatpay::Client {
    sdk_runtime::wechatpay::Client::builder()
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
        .alternate_base_url(PAY_WECHATPAY_CN, &server.base_url())
        .build()
        .expect("client")
}

/// A sample value as it travels in a URL.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `{"a/b": 1}` → `["a~1b"]`-escaped pointer token.
fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A template with every `{param}` written as `{}` (operations of the same shape cannot be
/// told apart on the wire).
fn shape(id: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in id.chars() {
        match c {
            '{' => {
                skip = true;
                out.push(c);
            }
            '}' => {
                skip = false;
                out.push(c);
            }
            _ if !skip => out.push(c),
            _ => {}
        }
    }
    out
}

/// Everything wrong with the request the mock recorded for `input`.
fn check_recorded(id: &str, input: &Value, sensitive: &[String], r: &RecordedRequest) -> Vec<String> {
    let mut problems = Vec::new();
    if !r.signature_verified {
        problems.push("the request signature did not verify".to_owned());
    }
    if r.operation.as_deref().map(shape) != Some(shape(id)) {
        problems.push(format!("the mock matched {:?}", r.operation));
    }
    let encrypt: Vec<&str> = input["encrypt"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let has_body = !input["body"].is_null();

    let want_path: Vec<(String, String)> = input["path"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    let mut got_path = r.path_params.clone();
    let mut want_sorted = want_path;
    if r.operation.as_deref() != Some(id) {
        // Another template of the same shape (e.g. `…/{applyment_id}/cancel` and
        // `…/{business_code}/cancel`): the wire carries values, not names.
        got_path.iter_mut().for_each(|(name, _)| name.clear());
        want_sorted.iter_mut().for_each(|(name, _)| name.clear());
    }
    got_path.sort();
    want_sorted.sort();
    if got_path != want_sorted {
        problems.push(format!("path parameters {got_path:?}, want {want_sorted:?}"));
    }

    // Query: every sample value arrives (decrypted where the client encrypted it).
    let mut got_query: Map<String, Value> = Map::new();
    for (k, v) in &r.query {
        let plain = r.decrypted_query.get(&format!("/{}", token(k))).unwrap_or(v);
        got_query.insert(k.clone(), Value::String(plain.clone()));
    }
    let want_query: Map<String, Value> = input["query"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::String(text(v))))
                .collect()
        })
        .unwrap_or_default();
    if got_query != want_query {
        problems.push(format!("query {got_query:?}, want {want_query:?}"));
    }
    if !has_body {
        for pointer in &encrypt {
            let want = input["query"].pointer(pointer).map(text);
            if r.decrypted_query.get(*pointer) != want.as_ref() {
                problems.push(format!("query {pointer} was not sent encrypted"));
            }
        }
    }

    if has_body {
        let mut got = r.body_json().unwrap_or(Value::Null);
        for (pointer, plain) in &r.decrypted_body {
            if let Some(slot) = got.pointer_mut(pointer) {
                *slot = Value::String(plain.clone());
            }
        }
        if got != input["body"] {
            problems.push(format!("body {got}, want {}", input["body"]));
        }
        for pointer in &encrypt {
            let want = input["body"].pointer(pointer).map(text);
            if r.decrypted_body.get(*pointer) != want.as_ref() {
                problems.push(format!("body {pointer} was not sent encrypted"));
            }
        }
        // Fields the model marks sensitive: sealed by the generated call, opened by the mock.
        for pointer in sensitive {
            let want = input["body"].pointer(pointer).map(text);
            if want.is_none() || r.decrypted_body.get(pointer) != want.as_ref() {
                problems.push(format!("sensitive body field {pointer} was not sent encrypted"));
            }
        }
    } else if !r.body.is_empty() && input["upload"].is_null() {
        problems.push(format!("{} body bytes sent, none expected", r.body.len()));
    }

    if let Some(upload) = input["upload"].as_object() {
        match &r.upload {
            Some(u)
                if Some(u.filename.as_str()) == upload["filename"].as_str()
                    && Some(u.content.as_slice()) == upload["content"].as_str().map(str::as_bytes) => {}
            other => problems.push(format!("upload recorded as {other:?}")),
        }
    }
    if let Some(headers) = input["headers"].as_object() {
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("Wechatpay-Serial") {
                continue;
            }
            if r.header(name) != value.as_str() {
                problems.push(format!("header {name}: {:?}, want {value}", r.header(name)));
            }
        }
    }
    problems
}

#[tokio::test]
async fn every_operation_through_the_generated_client() {
    let mut config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
    config.plausible_seeds = false;
    let server = MockServer::start(config).expect("mock starts");
    let client = client_for(&server);
    let model_ids: Vec<String> = server.operations().iter().map(operation_id).collect();

    let mut failures: Vec<String> = Vec::new();
    for id in OPERATIONS {
        if !model_ids.iter().any(|m| m == id) {
            failures.push(format!("{id}: in the conformance crate, not in the model"));
        }
    }
    let mut exercised = 0;
    for op in server.operations().to_vec() {
        let id = operation_id(&op);
        if !OPERATIONS.contains(&id.as_str()) {
            failures.push(format!(
                "{id}: missing from wechatpay_typed_conformance::OPERATIONS"
            ));
            continue;
        }
        exercised += 1;
        let input = sample_input(&op);
        server.clear_requests();
        let outcome = call(&client, &id, &input).await;
        let recorded = server.requests();
        let mut problems = Vec::new();
        match outcome {
            Err(e) => problems.push(format!("call failed: {e}")),
            Ok(Outcome::Bytes(_)) => problems.push("an APIv3 call answered an APIv2 file".to_owned()),
            Ok(Outcome::Json(got)) => {
                let want = if id == "GET /v3/certificates" {
                    server.certificates_json()
                } else {
                    sample_response_for_input(&op, &input)
                };
                let empty = want
                    .as_ref()
                    .is_some_and(|w| w.as_object().is_some_and(Map::is_empty));
                let fine = want.as_ref() == Some(&got) || (empty && got.is_null());
                if !fine {
                    problems.push(format!("response {got}, want {want:?}"));
                }
            }
            Ok(Outcome::Download(download)) => match (download.bytes().await, recorded.first()) {
                (Err(e), _) => problems.push(format!("download body: {e}")),
                (Ok(bytes), Some(r)) if bytes[..] == expected_download(&r.target)[..] => {}
                (Ok(bytes), Some(r)) => problems.push(format!(
                    "download of {} bytes differs from the {} expected for {}",
                    bytes.len(),
                    expected_download(&r.target).len(),
                    r.target
                )),
                (Ok(_), None) => problems.push("download, but no request recorded".to_owned()),
            },
        }
        match recorded.as_slice() {
            [r] => problems.extend(check_recorded(&id, &input, &sensitive_pointers(&op), r)),
            other => problems.push(format!("{} requests recorded, want 1", other.len())),
        }
        if !problems.is_empty() {
            failures.push(format!("{id}:\n    {}", problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        model_ids.len(),
        failures.join("\n")
    );
    assert_eq!(exercised, model_ids.len());
    assert_eq!(
        exercised,
        wechatpay_mock::model::recorded_operation_count(),
        "every operation the import recorded"
    );
}
