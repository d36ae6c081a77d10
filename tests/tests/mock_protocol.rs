//! Drives the mock WeChat Pay server over real HTTP with a minimal hand-written signing client
//! (reqwest + aws-lc-rs, merchant private key), and checks responses with the platform public key.

#[path = "mock_protocol/answers.rs"]
mod answers;
#[path = "mock_protocol/faults.rs"]
mod faults;
#[path = "mock_protocol/request_checks.rs"]
mod request_checks;
#[path = "mock_protocol/server.rs"]
mod server;
#[path = "mock_protocol/vectors.rs"]
mod vectors;

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderMap;
use serde_json::Value;
use wechatpay_mock::{MockConfig, MockServer};

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
