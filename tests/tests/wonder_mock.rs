//! The Wonder mock over real HTTP: requests signed by the `sdk-runtime` Wonder client or signer
//! are verified (the test vectors too), every failure of the signature is answered `E000002`,
//! bodies and queries are checked against the lowered model, every operation of the model is
//! routed and answered with a type-valid envelope, faults apply, and the mock's webhooks verify
//! with `sdk_runtime::wonder::verify_webhook`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wechatpay_mock::InjectFaults;

use codegen::ir::{Document, RequestBody, ResponseBody, Type};
use sdk_runtime::wonder::sign::{SignedHeaders, Signer};
use sdk_runtime::wonder::{
    Client, Operation, PrivateKey, PublicKey, RetryPolicy, generate_nonce, verify_webhook,
};
use sdk_runtime::{ErrorKind, Method};
use serde_json::{Value, json};
use wechatpay_mock::sample::{Types, sample_object_in, sample_value_in};
use wechatpay_mock::wonder::{
    self, APP_PRIVATE_KEY_FILE, CODE_PARAM, CODE_SIGNATURE, RequestVerifier, TEST_APP_ID,
    WEBHOOK_PUBLIC_KEY_FILE, WonderConfig, WonderServer, WonderSigner, test_key_path,
};
use wechatpay_mock::{Fault, default_shared_dir};

const ECHO: &str = "/svc/payment/api/v1/openapi/echo";
const RECURRING: &str = "/svc/payment/api/v1/openapi/recurring_payments";
const ITEMS: &str = "/svc/payment/api/v1/openapi/recurring_payments/items";
const PLAN_ID: &str = "6f1a2b3c-0000-4000-8000-000000000001";

/// One `wonder_sign_*` vector of `shared/test-vectors/vectors.json` (all share credential and
/// nonce), values copied from there.
struct Vector {
    method: &'static str,
    uri: &'static str,
    body: &'static str,
    content: &'static str,
    hmac_hex: &'static str,
    signature_b64: &'static str,
}

const CREDENTIAL: &str = "d900da8b-6e16-4a85-8a66-05d29ac53f24/20241121074501/Wonder-RSA-SHA256";
const NONCE: &str = "0123456789abcdef";
/// `20241121074501` UTC as Unix seconds.
const REQUEST_UNIX: i64 = 1_732_175_101;

const VECTORS: [Vector; 3] = [
    Vector {
        method: "PUT",
        uri: "/svc/payment/api/v1/openapi/recurring_payments/plan/6f1a2b3c-0000-4000-8000-000000000001/cancel",
        body: "{\"activate_type\":\"immediate\",\"refund_credit\":true}",
        content: "PUT\n/svc/payment/api/v1/openapi/recurring_payments/plan/6f1a2b3c-0000-4000-8000-000000000001/cancel\n{\"activate_type\":\"immediate\",\"refund_credit\":true}",
        hmac_hex: "6a37d5ccc4f3d009d67447948fda19292860b05971ebc22830d72d82b07ce820",
        signature_b64: "hzFDbGkglduYUwESBVmVMwfUNEb3nYSpbrei3CZgWMf6JBGAKhim3Mx965EZ1LjlEcN/CjwpItHne8Tp5clklSDxg6ANR+AH58yR++3+KbX5Yvc0VtIj17ltcY98ag5KkOaPCPMGm4zUIjHTvNhkfsDe91D5ZB1q9NjzRXTZlGjL08Lv7PGXsD7Ug4lMcJa3BTyam8QxCfSxGxJbIcFsCVTzX1rcyqpYlsLpxY8WwdsEym56zCCsbMrUWGvGEt1KpRgHI2gH6XklNkRWkQDH7QJTFL0WRKVCpNbK7S6dFSBHgmffc1wtBLq9Bklmg3u4ELj1HZDVPLERh++oi9ptRQ==",
    },
    Vector {
        method: "GET",
        uri: "/svc/payment/api/v1/openapi/recurring_payments/plan?offset=0&limit=10",
        body: "",
        content: "GET\n/svc/payment/api/v1/openapi/recurring_payments/plan?offset=0&limit=10",
        hmac_hex: "528e7192e1f6a762304f2676a65d62e56bf981226c3f56271769f0236e33d419",
        signature_b64: "l80S3N0NAVp1Lxdvvnw3rKxcGRI7ryP6qXBKS6agMBKJ9zqdoHr5VDgrAQei6yguF8VfmIXcYKPjej6LxI1dcIdmjtRYCuyj8Vco8ARnQKCGbp9/42Pl8+LfM7jOcNs7xq3te2qqvfJxYc8fFPhtPpXkVC69Swk05wSUupsuz7HLmkwPjdjASDM/RDtu2dIlLAX0aRvy1pU4dk/CoME3H7UnzNpPDdPKWyHMQnT7Im2M+s+5/jd+VNzlhMJrT71lDNzQ9q/TF3edOBdrNCKW4TX6DltUTs6bAVfC2j1FtOyw+grqO7pbWDLcFyZaBlY3K7VC1FqqIkDQh1naY4+pFg==",
    },
    Vector {
        method: "POST",
        uri: "/svc/payment/api/v1/openapi/echo",
        body: "{\"message\":\"Hello, Wonder!\"}",
        content: "POST\n/svc/payment/api/v1/openapi/echo\n{\"message\":\"Hello, Wonder!\"}",
        hmac_hex: "c8e301772254c883ad82917e9ebeccbcd31c94656703e86799e758ae00834c01",
        signature_b64: "AWvylvEWZTPjYs78VrkkSMQ0tztPx7YNePMesYCZx2oDMgimsWAxp4SwbXhkeE3NkRrmhKTRW9Ohk4r4MxrRLOYgFakEABT+92zifGWDRkfaNhcczziDZ4b09LVmFd4LgkgtnVaanF/OG8QxAaHT86BS88isLdY8Nac5vqstcOZ/0Qet4c8lvbebwkuZPiQLj7D0SZqXu4gV0D8auk5/gdtjKd7Cd5SRha7mmC7use9J4/+yNygvrILtGpy+eSjDvu9DwhY1IsfWFvXGtehxNo1Fiz1BMy9JPhwjXIU3uLqN6xKVTmfe1BUzTkqEq4+nqCscdmZ5AgCPm1/S2/b9Zg==",
    },
];

fn key(file: &str) -> String {
    let path = test_key_path(&default_shared_dir(), file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> WonderConfig {
    WonderConfig::from_test_vectors(&default_shared_dir()).expect("test-vector keys")
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn signer(private_key_file: &str) -> Signer {
    Signer::new(TEST_APP_ID, PrivateKey::from_pem(&key(private_key_file)).unwrap())
}

fn client(server: &WonderServer) -> Client {
    Client::builder()
        .app_id(TEST_APP_ID)
        .private_key_pem(&key(APP_PRIVATE_KEY_FILE))
        .unwrap()
        .base_url(&server.base_url())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap()
}

/// An answer: HTTP status, the envelope's `code` as text (`0` on success), the envelope.
type Answer = (u16, String, Value);

/// Sends `method target` with `body` and the given signature headers.
async fn send(
    server: &WonderServer,
    method: &str,
    target: &str,
    body: &str,
    signed: &SignedHeaders,
) -> Answer {
    let url = format!("{}{target}", server.base_url());
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http.request(method.parse().unwrap(), url).body(body.to_owned());
    for (name, value) in signed.pairs() {
        request = request.header(name, value);
    }
    let res = request
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let envelope: Value = serde_json::from_slice(&res.bytes().await.unwrap()).expect("JSON");
    let code = envelope["code"].to_string().trim_matches('"').to_owned();
    (status, code, envelope)
}

/// Signs as the test-vector app, now, with a fresh nonce, then sends.
async fn signed_send(server: &WonderServer, method: &str, target: &str, body: &str) -> Answer {
    let nonce = generate_nonce().unwrap();
    let signed = signer(APP_PRIVATE_KEY_FILE).sign(method, target, body.as_bytes(), now(), &nonce);
    send(server, method, target, body, &signed.unwrap()).await
}

/// `(kind, HTTP status, code)` of a client error.
fn api_error(err: &sdk_runtime::Error) -> (ErrorKind, Option<u16>, Option<&str>) {
    (err.kind(), err.status().map(|s| s.as_u16()), err.code())
}

#[tokio::test]
async fn a_request_signed_by_the_runtime_client_is_answered_in_the_envelope() {
    let server = WonderServer::start(config()).unwrap();
    let client = client(&server);
    let message = json!({ "message": "Hello, Wonder!" });
    let echo: Value = client
        .json(Operation::new(Method::POST, ECHO).json(&message).unwrap())
        .await
        .expect("a verified call");
    assert_eq!(echo, message);

    let item = json!({ "label": "Gold", "price": 10.5, "currency": "HKD" });
    let op = Operation::new(Method::POST, ITEMS).json(&item).unwrap();
    let response = client.execute(op).await.expect("a verified call");
    let envelope: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(
        (&envelope["code"], &envelope["message"]),
        (&json!(0), &json!("success"))
    );
    assert!(envelope["data"]["price"].is_number(), "{envelope}");
    assert!(envelope["data"]["id"].is_string(), "{envelope}");

    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter().all(|r| r.signature_verified && r.status == 200),
        "{seen:?}"
    );
    assert_eq!(seen[0].operation_id.as_deref(), Some("echo"));
    assert_eq!(seen[1].operation_id.as_deref(), Some("create_item"));
    assert_eq!(seen[1].body_json(), Some(item));
}

#[tokio::test]
async fn the_mock_verifies_and_reproduces_the_signature_vectors() {
    let fixed_now = Some(REQUEST_UNIX + 60);
    let replay = WonderServer::start(WonderConfig {
        fixed_now,
        ..config()
    })
    .unwrap();
    let live = WonderServer::start(config()).unwrap();
    let wonder_signer = WonderSigner::new(TEST_APP_ID, &key(APP_PRIVATE_KEY_FILE)).unwrap();
    let public_key = config().app_public_key_pem;
    let verifier = RequestVerifier::new(TEST_APP_ID, &public_key, wonder::MAX_CLOCK_SKEW).unwrap();
    for v in &VECTORS {
        let content = wonder::verify::content(v.method, v.uri, v.body.as_bytes());
        assert_eq!(content, v.content.as_bytes(), "{}", v.uri);
        let digest = wonder::verify::digest(NONCE, "20241121074501", &content);
        assert_eq!(digest, v.hmac_hex);
        // RSASSA-PKCS1-v1_5 signatures are deterministic.
        let signed = wonder_signer.sign(v.method, v.uri, v.body.as_bytes(), REQUEST_UNIX, NONCE);
        assert_eq!(
            (signed.credential.as_str(), signed.signature.as_str()),
            (CREDENTIAL, v.signature_b64)
        );
        let credential = verifier
            .verify_values(v.method, v.uri, v.body.as_bytes(), &signed, Some(REQUEST_UNIX))
            .expect("the vector verifies");
        assert_eq!(credential.unix_seconds, REQUEST_UNIX);

        let credential = CREDENTIAL.to_owned();
        let (nonce, signature) = (NONCE.to_owned(), v.signature_b64.to_owned());
        let sent = SignedHeaders {
            credential,
            nonce,
            signature,
        };
        let (status, code, answer) = send(&replay, v.method, v.uri, v.body, &sent).await;
        assert_eq!((status, code.as_str()), (200, "0"), "{}: {answer}", v.uri);
        // Replayed today, the 2024 REQUEST_TIME is far outside the 30-minute window.
        let (status, code, answer) = send(&live, v.method, v.uri, v.body, &sent).await;
        assert_eq!((status, code.as_str()), (401, CODE_SIGNATURE), "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains("REQUEST_TIME"),
            "{answer}"
        );
    }
    let replayed = replay.requests();
    assert!(replayed.iter().all(|r| r.signature_verified));
    assert_eq!(replayed[0].operation_id.as_deref(), Some("cancel_plan"));
    assert_eq!(replayed[0].path_params, [("id".to_owned(), PLAN_ID.to_owned())]);
}

const BODY: &str = r#"{"message":"Hello, Wonder!"}"#;

/// A request to the echo endpoint with [`BODY`], signed with one part wrong.
struct Attempt {
    /// The body the signature covers.
    signed_body: &'static str,
    unix: i64,
    /// The nonce sent (a valid fresh one when `None`).
    nonce: Option<&'static str>,
    key_file: &'static str,
    app_id: &'static str,
}

/// An attempt with nothing wrong yet.
fn attempt() -> Attempt {
    let (signed_body, unix, nonce) = (BODY, now(), None);
    let (key_file, app_id) = (APP_PRIVATE_KEY_FILE, TEST_APP_ID);
    Attempt {
        signed_body,
        unix,
        nonce,
        key_file,
        app_id,
    }
}

/// Sends the attempt; checks it is answered and recorded as `E000002` without echoing the
/// signature or nonce; returns the message.
async fn rejected(a: Attempt) -> String {
    let server = WonderServer::start(config()).unwrap();
    let signer = Signer::new(a.app_id, PrivateKey::from_pem(&key(a.key_file)).unwrap());
    let nonce = a.nonce.map_or_else(|| generate_nonce().unwrap(), str::to_owned);
    let body = a.signed_body.as_bytes();
    let mut signed = signer
        .sign("POST", ECHO, body, a.unix, &generate_nonce().unwrap())
        .unwrap();
    signed.nonce = nonce.clone();
    let (status, code, answer) = send(&server, "POST", ECHO, BODY, &signed).await;
    assert_eq!((status, code.as_str()), (401, CODE_SIGNATURE), "{answer}");
    assert_eq!(answer["data"], Value::Null, "{answer}");
    let message = answer["message"].as_str().unwrap().to_owned();
    assert!(!message.contains(&signed.signature), "{message}");
    assert!(!message.contains(&nonce), "{message}");
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].signature_verified);
    assert_eq!(seen[0].error_code.as_deref(), Some(CODE_SIGNATURE));
    let reason = message.strip_prefix("signature verification failed: ");
    assert_eq!(seen[0].rejection.as_deref(), reason);
    message
}

#[tokio::test]
async fn a_tampered_body_is_rejected() {
    let mut a = attempt();
    a.signed_body = r#"{"message":"Hello, Wondes!"}"#;
    let message = rejected(a).await;
    assert!(message.contains("Signature does not verify"), "{message}");
}

#[tokio::test]
async fn a_stale_request_time_is_rejected() {
    let mut a = attempt();
    a.unix = now() - 31 * 60;
    let message = rejected(a).await;
    assert!(message.contains("REQUEST_TIME"), "{message}");
    // 29 minutes off, either way, is within the window.
    let server = WonderServer::start(config()).unwrap();
    for unix in [now() - 29 * 60, now() + 29 * 60] {
        let nonce = generate_nonce().unwrap();
        let signed = signer(APP_PRIVATE_KEY_FILE).sign("POST", ECHO, BODY.as_bytes(), unix, &nonce);
        assert_eq!(send(&server, "POST", ECHO, BODY, &signed.unwrap()).await.0, 200);
    }
}

#[tokio::test]
async fn a_signature_by_another_key_is_rejected() {
    let mut a = attempt();
    a.key_file = "merchant.pem";
    let message = rejected(a).await;
    assert!(message.contains("Signature does not verify"), "{message}");
}

#[tokio::test]
async fn a_malformed_nonce_or_unknown_app_id_is_rejected() {
    for nonce in ["0123456789abcde", "0123456789abcde-", "0123456789abcdef0"] {
        let mut a = attempt();
        a.nonce = Some(nonce);
        let message = rejected(a).await;
        assert!(message.contains("Nonce"), "{message}");
    }
    let mut a = attempt();
    a.app_id = "another-app";
    let message = rejected(a).await;
    assert!(message.contains("unknown app id"), "{message}");
    assert!(!message.contains("another-app"), "{message}");
}

/// `METHOD PATH BODY FIELD` per line: a request under the recurring-payments base that does
/// not fit the model (`-`: no body), and the field its error must name.
const MISFITS: &str = r#"
POST items {"label":"Gold","currency":"HKD"} /price
POST items {"label":"Gold","price":"10.5","currency":"HKD"} /price
POST items {"label":"Gold","price":1,"currency":"HKD","colour":1} /colour
PUT plan/6f1a2b3c-0000-4000-8000-000000000001/cancel {"activate_type":"someday","refund_credit":true} /activate_type
PUT plan/6f1a2b3c-0000-4000-8000-000000000001/cancel {"activate_type":"immediate"} /refund_credit
GET items?limit=ten - limit
GET items?colour=red - colour
GET items?filter%5Bid%5D%5B_like%5D=1 - filter[id][_like]
GET items {"unexpected":true} body
"#;

#[tokio::test]
async fn a_request_that_does_not_fit_the_model_is_rejected_naming_the_field() {
    let server = WonderServer::start(config()).unwrap();
    for line in MISFITS.lines().filter(|l| !l.is_empty()) {
        let [method, path, body, field] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("{line}");
        };
        let body = if body == "-" { "" } else { body };
        let target = format!("{RECURRING}/{path}");
        let (status, code, answer) = signed_send(&server, method, &target, body).await;
        assert_eq!((status, code.as_str()), (400, CODE_PARAM), "{line}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(field), "{line}: {message}");
    }
    let target = format!("{ITEMS}?filter%5Bid%5D%5B_eq%5D=1&limit=5");
    let (status, code, answer) = signed_send(&server, "GET", &target, "").await;
    assert_eq!((status, code.as_str()), (200, "0"), "{answer}");
    let (status, code, _) = signed_send(&server, "GET", &format!("{RECURRING}/nowhere"), "").await;
    assert_eq!((status, code.as_str()), (404, wonder::CODE_NOT_FOUND));
    assert!(server.requests().iter().all(|r| r.signature_verified));
}

/// Whether `value` is a `ty` with every required field, lists of one item, decimals numbers.
fn conforms(doc: &Document, ty: &Type, value: &Value, at: &str) -> Result<(), String> {
    let ok = match (ty, value) {
        (Type::Named { name }, _) => return conforms(doc, &doc.named(name).unwrap().ty, value, at),
        (Type::Json, _) | (Type::String | Type::DateTime, Value::String(_)) => true,
        (Type::Enum { values }, Value::String(s)) => values.contains(s),
        (Type::Integer, Value::Number(n)) => n.is_i64(),
        (Type::Decimal, Value::Number(_)) | (Type::Boolean, Value::Bool(_)) => true,
        (Type::Array { items }, Value::Array(list)) if list.len() == 1 => {
            return conforms(doc, items, &list[0], &format!("{at}/0"));
        }
        (Type::Object { fields }, Value::Object(map)) => {
            for field in fields {
                match map.get(&field.name) {
                    None if field.optional => {}
                    None => return Err(format!("{at}/{} is missing", field.name)),
                    Some(v) => conforms(doc, &field.ty, v, &format!("{at}/{}", field.name))?,
                }
            }
            true
        }
        _ => false,
    };
    ok.then_some(())
        .ok_or_else(|| format!("{at}: {value} is not a {ty:?}"))
}

/// A request for `op` that fits the model: path `id` [`PLAN_ID`], every query parameter, one
/// filter condition, every body field.
fn sample_request(op: &codegen::ir::Operation, types: Types<'_>) -> (String, String) {
    let mut query: Vec<String> = op
        .query
        .iter()
        .map(|f| match sample_value_in(&f.name, &f.ty, types) {
            Value::String(s) => format!("{}={s}", f.name),
            other => format!("{}={other}", f.name),
        })
        .collect();
    if let Some(filter) = &op.filter {
        let field = filter.fields.first().map_or("id", String::as_str);
        query.push(format!(
            "{}%5B{field}%5D%5B{}%5D=x",
            filter.name, filter.operators[0]
        ));
    }
    let path = op.path.replace("{id}", PLAN_ID);
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let body = match &op.request {
        RequestBody::None => String::new(),
        RequestBody::Value { ty } => sample_value_in("body", ty, types).to_string(),
        RequestBody::Json { fields } => sample_object_in(fields, types).to_string(),
        RequestBody::Multipart | RequestBody::Xml { .. } => {
            panic!("no Wonder operation uploads or sends XML")
        }
    };
    (target, body)
}

#[tokio::test]
async fn every_operation_of_the_model_is_routed_and_answered() {
    let server = WonderServer::start(config()).unwrap();
    let doc = Arc::clone(server.document());
    let types = Types::new(&doc.types);
    assert!(!doc.operations.is_empty());
    assert_eq!(server.operations().len(), doc.operations.len());
    for op in &doc.operations {
        let (target, body) = sample_request(op, types);
        let id = op.operation_id.clone().expect("every Wonder operation has an id");
        let (status, code, answer) = signed_send(&server, op.method.as_str(), &target, &body).await;
        assert_eq!((status, code.as_str()), (200, "0"), "{id} {target}: {answer}");
        assert_eq!(answer["message"], "success");
        let ty = match &op.response {
            ResponseBody::Value { ty } => ty.clone(),
            ResponseBody::Json { fields } => Type::Object {
                fields: fields.clone(),
            },
            ResponseBody::Binary | ResponseBody::Xml { .. } => {
                panic!("{id}: no Wonder operation downloads or answers XML")
            }
        };
        let data = &answer["data"];
        conforms(&doc, &ty, data, "/data").unwrap_or_else(|e| panic!("{id}: {e}\n{answer}"));
        if op.path_params.iter().any(|p| p.name == "id") && data.get("id").is_some() {
            assert_eq!(data["id"], PLAN_ID, "{id}: the path id is echoed");
        }
        let seen = server.requests().pop().unwrap();
        assert_eq!(seen.operation_id.as_deref(), Some(id.as_str()));
        assert!(seen.signature_verified);
    }
    assert_eq!(server.requests().len(), doc.operations.len());
}

#[tokio::test]
async fn faults_change_the_answers() {
    let server = WonderServer::start(config()).unwrap();
    let client = client(&server);
    let echo = || {
        Operation::new(Method::POST, ECHO)
            .json(&json!({ "message": "x" }))
            .unwrap()
    };

    server.set_fault_for(wonder::status_fault(503), 1);
    let err = client.json::<Value>(echo()).await.expect_err("503");
    assert_eq!(
        api_error(&err),
        (ErrorKind::Api, Some(503), Some(wonder::CODE_SYSTEM))
    );

    server.set_fault_for(Fault::EnvelopeError(CODE_SIGNATURE.to_owned()), 1);
    let err = client
        .json::<Value>(echo())
        .await
        .expect_err("an error under 200");
    assert_eq!(api_error(&err), (ErrorKind::Api, Some(200), Some(CODE_SIGNATURE)));

    server.set_fault_for(Fault::Reset, 1);
    let err = client.json::<Value>(echo()).await.expect_err("no answer");
    assert_eq!(err.kind(), ErrorKind::Transport);

    server.set_fault_for(Fault::TruncatedBody, 1);
    let err = client.json::<Value>(echo()).await.expect_err("a short body");
    assert_eq!(err.kind(), ErrorKind::Transport);

    server.set_fault_for(Fault::Delay(Duration::from_secs(3)), 1);
    let err = client.json::<Value>(echo()).await.expect_err("past the timeout");
    assert!(err.is_timeout(), "{err:?}");

    let data: Value = client.json(echo()).await.expect("faults spent");
    assert_eq!(data, json!({ "message": "x" }));
    let faults: Vec<Option<String>> = server.requests().into_iter().map(|r| r.fault).collect();
    let names = ["status", "envelope_error", "reset", "truncated_body", "delay"];
    let mut expected: Vec<Option<String>> = names.iter().map(|n| Some((*n).to_owned())).collect();
    expected.push(None);
    assert_eq!(faults, expected);
}

/// What the webhook receiver saw: `action app_id body` of each webhook that verified.
type Received = Arc<Mutex<Vec<Result<String, String>>>>;

/// A webhook receiver on 127.0.0.1 that verifies with Wonder's webhook key: 200 or 403.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    let key = PublicKey::from_pem(&key(WEBHOOK_PUBLIC_KEY_FILE)).unwrap();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (log, key) = (Arc::clone(&log), key.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let target = parts.uri.path_and_query().unwrap().as_str().to_owned();
            let method = parts.method.as_str();
            let verified = verify_webhook(&key, method, &target, &parts.headers, &body);
            let status = if verified.is_ok() { 200 } else { 403 };
            let seen = verified.map(|w| {
                let body = String::from_utf8_lossy(w.body());
                format!("{} {} {body}", w.action(), w.app_id())
            });
            log.lock().unwrap().push(seen.map_err(|e| e.to_string()));
            http::StatusCode::from_u16(status).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wonder/webhook?shop=1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn webhooks_from_the_mock_verify_and_tampered_ones_do_not() {
    let server = WonderServer::start(config()).unwrap();
    let (url, received) = receiver().await;
    let body = br#"{"order":{"number":"O1","state":"paid"}}"#;
    assert_eq!(server.send_webhook(&url, "order.paid", body).await.unwrap(), 200);

    let mut tampered = server.sign_webhook(&url, "order.paid", body).unwrap();
    let headers = tampered.headers();
    assert!(headers.iter().any(|(k, v)| *k == "X-Action" && v == "order.paid"));
    tampered.body = br#"{"order":{"number":"O2","state":"paid"}}"#.to_vec();
    assert_eq!(tampered.deliver().await.unwrap(), 403);

    let mut other_path = server.sign_webhook(&url, "order.paid", body).unwrap();
    other_path.url = url.replace("shop=1", "shop=2");
    assert_eq!(other_path.deliver().await.unwrap(), 403);

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let expected = format!("order.paid {TEST_APP_ID} {}", String::from_utf8_lossy(body));
    assert_eq!(received[0], Ok(expected));
    assert!(received[1].is_err() && received[2].is_err(), "{received:?}");
}
