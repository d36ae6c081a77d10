//! Drives the mock WeChat Pay server over real HTTP with a minimal hand-written signing client
//! (reqwest + aws-lc-rs, merchant private key), and checks responses with the platform public key.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use wechatpay_mock::{Fault, FaultScope, MockConfig, MockServer};

const MCHID: &str = "1900000109";
const SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD00000000";
const PLATFORM_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
const STOP_PLAN: &str = "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop";
const STOP_SIGN_PLAN: &str = "/v3/payscore/sign-plan/user-sign-plans/merchant-sign-plan-no/SIGN20241121/stop";
const CREATE_SIGN_PLAN: &str = "/v3/payscore/sign-plan/partner/user-sign-plans";

fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

fn read_key(name: &str) -> String {
    std::fs::read_to_string(shared_dir().join("test-vectors/keys").join(name)).unwrap()
}

fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn start() -> MockServer {
    MockServer::start(MockConfig::from_test_vectors(&shared_dir()).unwrap()).unwrap()
}

/// What goes into one request's `Authorization`; each field can be spoiled by a test.
struct Signing {
    mchid: String,
    serial: String,
    timestamp: i64,
    nonce: String,
    /// Sign this body instead of the one sent.
    signed_body: Option<Vec<u8>>,
}

impl Default for Signing {
    fn default() -> Self {
        Self {
            mchid: MCHID.into(),
            serial: SERIAL.into(),
            timestamp: now(),
            nonce: "593BEC0C930BF1AFEB40B4A08C8FB242".into(),
            signed_body: None,
        }
    }
}

fn sign_merchant(message: &[u8]) -> String {
    let key = RsaKeyPair::from_pkcs8(&pem_der(&read_key("merchant.pem"))).unwrap();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
        .unwrap();
    STANDARD.encode(sig)
}

fn authorization(method: &str, target: &str, body: &[u8], s: &Signing) -> String {
    let signed = s.signed_body.as_deref().unwrap_or(body);
    let mut message = format!("{method}\n{target}\n{}\n{}\n", s.timestamp, s.nonce).into_bytes();
    message.extend_from_slice(signed);
    message.push(b'\n');
    format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"{}\"",
        s.mchid,
        s.nonce,
        s.timestamp,
        s.serial,
        sign_merchant(&message)
    )
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

async fn send_raw(
    server: &MockServer,
    method: &str,
    target: &str,
    authorization: Option<String>,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}{target}", server.base_url());
    let mut req = client
        .request(method.parse().unwrap(), &url)
        .header("Accept", "application/json")
        .header("User-Agent", "mock-protocol-test/0.1");
    if !body.is_empty() {
        req = req.header("Content-Type", "application/json").body(body.to_vec());
    }
    if let Some(auth) = authorization {
        req = req.header("Authorization", auth);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    Reply {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.bytes().await.unwrap().to_vec(),
    }
}

async fn send(server: &MockServer, method: &str, target: &str, body: &str, s: &Signing) -> Reply {
    let auth = authorization(method, target, body.as_bytes(), s);
    send_raw(server, method, target, Some(auth), &[], body.as_bytes()).await
}

async fn post(server: &MockServer, target: &str, body: &str) -> Reply {
    send(server, "POST", target, body, &Signing::default()).await
}

/// Verifies a response as a client must: serial, 300 s window, signature over `TS\nNONCE\nBODY\n`.
fn verify_response(r: &Reply) -> Result<(), String> {
    let get = |n: &str| r.header(n).ok_or(format!("missing {n}"));
    let (ts, nonce, serial, sig) = (
        get("Wechatpay-Timestamp")?,
        get("Wechatpay-Nonce")?,
        get("Wechatpay-Serial")?,
        get("Wechatpay-Signature")?,
    );
    if serial != PLATFORM_KEY_ID {
        return Err(format!("unknown serial {serial}"));
    }
    if sig.starts_with("WECHATPAY/SIGNTEST/") {
        return Err("signtest probe".into());
    }
    let ts_num: i64 = ts.parse().map_err(|_| "bad timestamp")?;
    if (now() - ts_num).abs() > 300 {
        return Err("stale timestamp".into());
    }
    let mut message = format!("{ts}\n{nonce}\n").into_bytes();
    message.extend_from_slice(&r.body);
    message.push(b'\n');
    let key = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        pem_der(&read_key("platform.pub.pem")),
    );
    let sig = STANDARD.decode(sig).map_err(|_| "bad base64")?;
    key.verify(&message, &sig).map_err(|_| "bad signature".into())
}

fn assert_error(r: &Reply, status: u16, code: &str) -> Value {
    assert_eq!(r.status, status, "body: {}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    assert_eq!(body["code"], code, "body: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(r.header("Request-ID").is_some_and(|id| !id.is_empty()));
    body
}

#[tokio::test]
async fn from_test_vectors_uses_vector_identities() {
    let config = MockConfig::from_test_vectors(&shared_dir()).unwrap();
    assert_eq!(config.mchid, MCHID);
    assert_eq!(config.merchant_serial_no, SERIAL);
    assert_eq!(config.platform_public_key_id, PLATFORM_KEY_ID);
    assert!(config.merchant_public_key_pem.contains("BEGIN PUBLIC KEY"));
    assert!(!format!("{config:?}").contains("BEGIN PRIVATE KEY"));
    let server = MockServer::start(config).unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn signed_stop_plan_gets_200_with_verifiable_signature() {
    let server = start();
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    assert_eq!(
        r.header("Wechatpay-Signature-Type"),
        Some("WECHATPAY2-SHA256-RSA2048")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("Wechatpay-Nonce").unwrap().len(), 32);
    assert!(r.header("Request-ID").unwrap().ends_with("-0"));
    let body = r.json();
    for field in [
        "plan_id",
        "service_id",
        "mchid",
        "appid",
        "merchant_plan_no",
        "plan_name",
        "plan_duration",
        "plan_state",
        "total_original_price",
        "deduction_quantity",
        "total_actual_price",
        "plan_detail_list",
        "stop_mchid",
        "stop_time",
    ] {
        assert!(body.get(field).is_some(), "missing {field} in {body}");
    }
    assert_eq!(body["merchant_plan_no"], "PLAN20241121");
    assert_eq!(body["plan_state"], "STOPPED");
    assert_eq!(body["mchid"], MCHID);
    assert_eq!(body["appid"], "wxd678efh567hg6787");
    assert!(body["total_original_price"].is_u64());
    let details = body["plan_detail_list"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    for d in details {
        for field in [
            "plan_detail_no",
            "plan_detail_name",
            "original_price",
            "plan_discount_description",
            "actual_price",
        ] {
            assert!(d.get(field).is_some(), "missing {field} in {d}");
        }
    }
    let stop_time = body["stop_time"].as_str().unwrap();
    assert_eq!(stop_time.len(), "2024-11-21T15:40:01+08:00".len());
    assert!(stop_time.ends_with("+08:00") && stop_time.as_bytes()[10] == b'T');
}

#[tokio::test]
async fn path_parameters_are_decoded_and_the_raw_target_is_signed() {
    let server = start();
    // (The query is signed as sent too: see `mock_model.rs`; this operation declares none.)
    let target = "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN%2F2024%20A/stop";
    let r = post(&server, target, "{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    assert_eq!(r.json()["merchant_plan_no"], "PLAN/2024 A");
    assert_eq!(server.requests()[0].target, target);
}

#[tokio::test]
async fn stop_user_sign_plan_echoes_number_and_reason() {
    let server = start();
    let r = post(&server, STOP_SIGN_PLAN, r#"{"stop_reason":"用户退课"}"#).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    let body = r.json();
    assert_eq!(body["merchant_sign_plan_no"], "SIGN20241121");
    assert_eq!(body["cancel_reason"], "用户退课");
    for field in [
        "sign_plan_id",
        "openid",
        "service_id",
        "mchid",
        "appid",
        "merchant_sign_plan_no",
        "merchant_callback_url",
        "plan_id",
        "going_detail_no",
        "sign_state",
        "cancel_sign_time",
        "cancel_sign_type",
        "cancel_reason",
        "plan_name",
        "plan_over_time",
        "total_origin_price",
        "deduction_quantity",
        "total_actual_price",
        "signed_detail_list",
        "sign_time",
    ] {
        assert!(body.get(field).is_some(), "missing {field} in {body}");
    }
    assert_eq!(body["signed_detail_list"][0].as_object().unwrap().len(), 12);
}

#[tokio::test]
async fn create_partner_user_sign_plan_echoes_request() {
    let server = start();
    let req = json!({
        "service_id": "2002000000000558128851361561536",
        "plan_id": "01000033210032606914000000007983",
        "appid": "wxd678efh567hg6787",
        "sub_mchid": "1900000110",
        "sub_appid": "wxd678efh567hg6999",
        "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "sub_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "merchant_sign_plan_no": "SIGN-0001",
        "notify_url": "https://example.com/notify",
        "sign_plan_detail": [
            {"plan_detail_no": 1, "merchant_plan_detail_no": "D1"},
            {"plan_detail_no": 2, "merchant_plan_detail_no": "D2"}
        ]
    });
    let r = post(&server, CREATE_SIGN_PLAN, &req.to_string()).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    verify_response(&r).unwrap();
    let body = r.json();
    let plan = &body["sign_plan"];
    for field in [
        "service_id",
        "plan_id",
        "appid",
        "sub_mchid",
        "sub_appid",
        "sub_openid",
        "merchant_sign_plan_no",
    ] {
        assert_eq!(plan[field], req[field], "{field}");
    }
    assert_eq!(plan["merchant_callback_url"], req["notify_url"]);
    assert_eq!(plan["mchid"], MCHID);
    let signed = plan["signed_detail_list"].as_array().unwrap();
    assert_eq!(signed.len(), 2);
    assert_eq!(signed[1]["plan_detail_no"], 2);
    assert_eq!(signed[1]["merchant_plan_detail_no"], "D2");
    assert!(body["package"].as_str().is_some_and(|p| !p.is_empty()));
}

#[tokio::test]
async fn authorization_pairs_in_any_order_verify() {
    let server = start();
    let s = Signing::default();
    let auth = authorization("POST", STOP_PLAN, b"{}", &s);
    let params = auth.strip_prefix("WECHATPAY2-SHA256-RSA2048 ").unwrap();
    let mut pairs: Vec<&str> = params.split(',').collect();
    pairs.reverse();
    let reordered = format!("WECHATPAY2-SHA256-RSA2048 {}", pairs.join(","));
    let r = send_raw(&server, "POST", STOP_PLAN, Some(reordered), &[], b"{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn wrong_signature_is_sign_error() {
    let server = start();
    let s = Signing::default();
    let auth = authorization("POST", STOP_PLAN, b"{}", &s);
    // Sign for another path: a well-formed but wrong signature.
    let other = authorization("POST", STOP_SIGN_PLAN, b"{}", &s);
    let good_sig = auth.rsplit_once("signature=").unwrap().1;
    let bad_sig = other.rsplit_once("signature=").unwrap().1;
    let forged = auth.replace(good_sig, bad_sig);
    let r = send_raw(&server, "POST", STOP_PLAN, Some(forged), &[], b"{}").await;
    assert_error(&r, 401, "SIGN_ERROR");
    let r = send_raw(&server, "POST", STOP_PLAN, None, &[], b"{}").await;
    assert_error(&r, 401, "SIGN_ERROR");
}

#[tokio::test]
async fn wrong_mchid_or_serial_is_sign_error() {
    let server = start();
    let s = Signing {
        mchid: "1900000110".into(),
        ..Signing::default()
    };
    assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
    let s = Signing {
        serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into(),
        ..Signing::default()
    };
    assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
}

#[tokio::test]
async fn stale_or_future_timestamp_is_sign_error() {
    let server = start();
    let s = Signing {
        timestamp: now() - 301 - 5,
        ..Signing::default()
    };
    let body = assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
    assert!(body["message"].as_str().unwrap().contains("timestamp"));
    let s = Signing {
        timestamp: now() + 400,
        ..Signing::default()
    };
    assert_error(
        &send(&server, "POST", STOP_PLAN, "{}", &s).await,
        401,
        "SIGN_ERROR",
    );
    let s = Signing {
        timestamp: now() - 250,
        ..Signing::default()
    };
    assert_eq!(send(&server, "POST", STOP_PLAN, "{}", &s).await.status, 200);
}

#[tokio::test]
async fn altered_body_is_sign_error() {
    let server = start();
    let s = Signing {
        signed_body: Some(br#"{"stop_reason":"a"}"#.to_vec()),
        ..Signing::default()
    };
    let r = send(&server, "POST", STOP_SIGN_PLAN, r#"{"stop_reason":"b"}"#, &s).await;
    assert_error(&r, 401, "SIGN_ERROR");
    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    assert!(!recorded[0].signature_verified);
}

#[tokio::test]
async fn missing_required_field_or_bad_json_is_param_error() {
    let server = start();
    let body = assert_error(&post(&server, STOP_SIGN_PLAN, "{}").await, 400, "PARAM_ERROR");
    assert!(body["detail"].is_object(), "{body}");
    assert_eq!(body["detail"]["field"], "/stop_reason");
    assert_eq!(body["detail"]["location"], "body");

    assert_error(&post(&server, STOP_PLAN, "{not json").await, 400, "PARAM_ERROR");
    assert_error(
        &post(&server, STOP_SIGN_PLAN, r#"{"stop_reason":1}"#).await,
        400,
        "PARAM_ERROR",
    );

    let missing_detail = json!({
        "service_id": "s", "plan_id": "p", "appid": "wx1", "sub_mchid": "1900000110",
        "sub_appid": "wx2", "openid": "o1", "merchant_sign_plan_no": "n"
    });
    let body = assert_error(
        &post(&server, CREATE_SIGN_PLAN, &missing_detail.to_string()).await,
        400,
        "PARAM_ERROR",
    );
    assert_eq!(body["detail"]["field"], "/sign_plan_detail");
}

#[tokio::test]
async fn unknown_route_is_not_found() {
    let server = start();
    assert_error(&post(&server, "/v3/no/such/thing", "{}").await, 404, "NOT_FOUND");
    let r = send(&server, "GET", STOP_PLAN, "", &Signing::default()).await;
    assert_error(&r, 404, "NOT_FOUND");
}

#[tokio::test]
async fn wechatpay_serial_request_header_must_name_platform_key() {
    let server = start();
    let s = Signing::default();
    let auth = authorization("POST", STOP_PLAN, b"{}", &s);
    let ok = [("Wechatpay-Serial", PLATFORM_KEY_ID)];
    let r = send_raw(&server, "POST", STOP_PLAN, Some(auth.clone()), &ok, b"{}").await;
    assert_eq!(r.status, 200);
    let bad = [("Wechatpay-Serial", "PUB_KEY_ID_0000000000000000000000000000")];
    let r = send_raw(&server, "POST", STOP_PLAN, Some(auth), &bad, b"{}").await;
    assert_error(&r, 400, "PARAM_ERROR");
}

#[tokio::test]
async fn fault_tamper_breaks_verification_once() {
    let server = start();
    server.set_fault_for(Fault::Tamper, 1);
    assert_eq!(server.fault(), Some((Fault::Tamper, FaultScope::Next(1))));
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_eq!(r.status, 200);
    serde_json::from_slice::<Value>(&r.body).expect("tampered body is still JSON");
    assert_eq!(verify_response(&r), Err("bad signature".into()));
    assert_eq!(server.fault(), None);
    verify_response(&post(&server, STOP_PLAN, "{}").await).unwrap();
}

#[tokio::test]
async fn fault_stale_timestamp_is_600_seconds_old_and_signed() {
    let server = start();
    server.set_fault(Fault::StaleTimestamp);
    let r = post(&server, STOP_PLAN, "{}").await;
    let ts: i64 = r.header("Wechatpay-Timestamp").unwrap().parse().unwrap();
    assert!((now() - 600 - ts).abs() <= 2, "timestamp {ts}");
    assert_eq!(verify_response(&r), Err("stale timestamp".into()));
    // Honest signature over the stale timestamp.
    let mut message = format!("{ts}\n{}\n", r.header("Wechatpay-Nonce").unwrap()).into_bytes();
    message.extend_from_slice(&r.body);
    message.push(b'\n');
    let key = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        pem_der(&read_key("platform.pub.pem")),
    );
    let sig = STANDARD.decode(r.header("Wechatpay-Signature").unwrap()).unwrap();
    key.verify(&message, &sig).unwrap();
    // Applies to all responses until cleared.
    assert_eq!(
        verify_response(&post(&server, STOP_PLAN, "{}").await),
        Err("stale timestamp".into())
    );
    server.clear_fault();
    verify_response(&post(&server, STOP_PLAN, "{}").await).unwrap();
}

#[tokio::test]
async fn fault_signtest_probe_wrong_serial_missing_signature() {
    let server = start();
    server.set_fault_for(Fault::SignTestProbe, 1);
    let r = post(&server, STOP_PLAN, "{}").await;
    let sig = r.header("Wechatpay-Signature").unwrap();
    let garbage = sig.strip_prefix("WECHATPAY/SIGNTEST/").expect("probe prefix");
    assert!(STANDARD.decode(garbage).is_ok());
    assert_eq!(verify_response(&r), Err("signtest probe".into()));

    server.set_fault_for(Fault::WrongSerial, 1);
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_ne!(r.header("Wechatpay-Serial"), Some(PLATFORM_KEY_ID));
    assert!(verify_response(&r).unwrap_err().starts_with("unknown serial"));

    server.set_fault_for(Fault::MissingSignature, 1);
    let r = post(&server, STOP_PLAN, "{}").await;
    assert_eq!(r.status, 200);
    assert!(r.header("Wechatpay-Signature").is_none());
    assert!(r.header("Wechatpay-Timestamp").is_none());
    assert!(r.header("Request-ID").is_some());
}

#[tokio::test]
async fn fault_status_answers_error_body_for_n_responses() {
    let server = start();
    server.set_fault_for(Fault::Status(500, "SYSTEM_ERROR".into()), 2);
    for _ in 0..2 {
        let r = post(&server, STOP_PLAN, "{}").await;
        assert_error(&r, 500, "SYSTEM_ERROR");
    }
    assert_eq!(post(&server, STOP_PLAN, "{}").await.status, 200);
}

#[tokio::test]
async fn faults_can_be_set_over_http() {
    let server = start();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let admin = format!("{}/__mock/fault", server.base_url());
    let put = |body: Value| client.put(&admin).body(body.to_string()).send();

    assert_eq!(put(json!({"fault": "tamper"})).await.unwrap().status(), 200);
    assert_eq!(server.fault(), Some((Fault::Tamper, FaultScope::All)));
    put(json!({"fault": "status", "status": 429, "code": "RATELIMIT_EXCEEDED", "count": 1}))
        .await
        .unwrap();
    assert_error(&post(&server, STOP_PLAN, "{}").await, 429, "RATELIMIT_EXCEEDED");
    for name in [
        "stale_timestamp",
        "sign_test_probe",
        "wrong_serial",
        "missing_signature",
    ] {
        let res = put(json!({"fault": name, "count": 3})).await.unwrap();
        assert_eq!(res.status(), 200, "{name}");
        let (fault, scope) = server.fault().unwrap();
        assert_eq!((fault.name(), scope), (name, FaultScope::Next(3)));
    }
    assert_eq!(put(json!({"fault": "bogus"})).await.unwrap().status(), 400);
    client.delete(&admin).send().await.unwrap();
    assert_eq!(server.fault(), None);
    verify_response(&post(&server, STOP_PLAN, "{}").await).unwrap();
    assert!(server.requests().iter().all(|r| !r.target.starts_with("/__mock")));
}

#[tokio::test]
async fn received_requests_are_recorded() {
    let server = start();
    let target = format!("{STOP_PLAN}?mchid=1900000109");
    let body = r#"{}"#;
    post(&server, &target, body).await;
    let s = Signing {
        mchid: "1".into(),
        ..Signing::default()
    };
    send(&server, "POST", STOP_SIGN_PLAN, r#"{"stop_reason":"x"}"#, &s).await;
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, target);
    assert_eq!(seen[0].body, b"{}");
    assert!(seen[0].signature_verified);
    assert!(
        seen[0]
            .header("authorization")
            .unwrap()
            .starts_with("WECHATPAY2-SHA256-RSA2048 ")
    );
    assert_eq!(seen[0].header("Content-Type"), Some("application/json"));
    assert!(!seen[1].signature_verified);
    assert_eq!(seen[1].body_json().unwrap()["stop_reason"], "x");

    let listed = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/__mock/requests", server.base_url()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let list: Value = serde_json::from_slice(&listed).unwrap();
    assert_eq!(list[0]["target"], target.as_str());
    assert_eq!(list[0]["signature_verified"], true);
    assert_eq!(list.as_array().unwrap().len(), 2);
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn dropping_the_server_shuts_it_down() {
    let server = start();
    let addr = server.addr();
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn start_works_outside_a_runtime() {
    let server = start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(post(&server, STOP_PLAN, "{}"));
    assert_eq!(r.status, 200);
    verify_response(&r).unwrap();
}

/// Values copied from `shared/test-vectors/vectors.json`, entry `v3_verify_response_ok`.
#[test]
fn vector_v3_verify_response_ok_format_and_signature() {
    let timestamp = "1732174802";
    let nonce = "fdasfwqewlkja484w";
    let body = "{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}";
    let string_to_verify = "1732174802\nfdasfwqewlkja484w\n{\"plan_id\":\"1234323JKHDFE1243252\",\"merchant_plan_no\":\"PLAN20241121\",\"plan_state\":\"STOPPED\",\"stop_time\":\"2024-11-21T15:40:01+08:00\"}\n";
    let signature = "cDVeiMIXGeup65/LkhJUW8Z1HZgpY3HVjg+wgSWoI7nu+FPv5hsXsEy4n8w23VnypwwJB+Y9N2qeyMIf5Ity7Z9J54TkJ+Hio8N0uJY4jzMasKxZWBLHK2sgyzJtAOlwKl4J7qBcvcv4E+CNmXvnkMJWL22VOrQQ+w9k6HyqnQ9XEcZV8HxXTfMGnjWB4g2Q+lZ7x04W2imsKHhQ2dLUIBn3oICozOrRQkjgGsKYViLBg+qF7ZGcml3VRKtMKlGlf7uoBbcSJWrYGpn+/cMjDyJ0npE75w3VCC+s3sID5FVApEH1mtecrWq+OA2aGls7KorRuZ0gkWOssg+IyiPtlA==";

    let message = wechatpay_mock::sign::response_message(timestamp, nonce, body.as_bytes());
    assert_eq!(message, string_to_verify.as_bytes());
    let signer = wechatpay_mock::sign::ResponseSigner::from_pem(&read_key("platform.pem")).unwrap();
    assert_eq!(signer.sign(&message), signature);
}

/// Values copied from `shared/test-vectors/vectors.json`, entry `v3_sign_post_json`.
#[test]
fn vector_v3_sign_post_json_verifies_at_its_time() {
    let header = "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"5K8264ILTKCH16CQ2502SI8ZNMTM67VS\",timestamp=\"1732174800\",serial_no=\"3775B6A45ACD588826D15E583A95F5DD00000000\",signature=\"nDOcACF2YQFC2V2zqseHzhj8EIGE4fQj2gT1j4OzLmk+ggMc1hdBCu9coeWuykos4ysRPZSISCA9hGUrVFVXQsfn7dtqGGG9Jzwp4kuQYpsguatN0lUa8Znk/h2t4RLpMD3Bmvpjv9v60kWkEoZO4/aIkZckWT/JDH3//CquzZaHfAGEuh7aABG0EiwmSCfIpu0elSsngwQ/0NYsfhM4mE49wh5VKNUs8HSdU5g/xMIkTI4hTD9tuZfrRp2AYrfdbmb++Jn3FmaqE1Qav7doMImaFuqMaPilaqxJjNbgM4rVLQXw7kq9tDFFySjfG0MADtY9jQaHFgixR6ktuhpqeg==\"";
    let string_to_sign = "POST\n/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop\n1732174800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{}\n";
    let target = "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop";

    let message = wechatpay_mock::auth::request_message(
        "POST",
        target,
        "1732174800",
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        b"{}",
    );
    assert_eq!(message, string_to_sign.as_bytes());
    let config = MockConfig::from_test_vectors(&shared_dir()).unwrap();
    let verifier = wechatpay_mock::auth::RequestVerifier::new(&config).unwrap();
    let auth = verifier
        .verify("POST", target, Some(header), b"{}", 1_732_174_800 + 299)
        .unwrap();
    assert_eq!(auth.nonce_str, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
    assert!(
        verifier
            .verify("POST", target, Some(header), b"{}", 1_732_174_800 + 301)
            .is_err()
    );
    assert!(
        verifier
            .verify("POST", target, Some(header), b"{ }", 1_732_174_800)
            .is_err()
    );
}
