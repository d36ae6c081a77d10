//! A plain reqwest client for the mock, signing with the mock's own test helpers
//! (`wechatpay_mock::testing`), and an independent response check with the platform public key.

#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::HeaderMap;
use serde_json::Value;
use wechatpay_mock::testing::{
    MerchantSigner, encrypt_sensitive, multipart_body, upload_meta, verify_response,
};
use wechatpay_mock::{MockConfig, MockServer, TEST_PLATFORM_PUBLIC_KEY_ID, default_shared_dir};

/// Unreserved characters stay; everything else is percent-encoded.
pub const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

pub fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

pub fn read_key(name: &str) -> String {
    std::fs::read_to_string(default_shared_dir().join("test-vectors/keys").join(name)).unwrap()
}

/// The test-vector platform public key, SubjectPublicKeyInfo DER.
pub fn platform_spki() -> Vec<u8> {
    pem_der(&read_key("platform.pub.pem"))
}

pub fn start() -> MockServer {
    MockServer::start(MockConfig::from_test_vectors(&default_shared_dir()).unwrap()).unwrap()
}

/// A mock whose seed operations answer with the model's samples like all others.
pub fn start_generic() -> MockServer {
    let mut config = MockConfig::from_test_vectors(&default_shared_dir()).unwrap();
    config.plausible_seeds = false;
    MockServer::start(config).unwrap()
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Verifies the signature with `spki` (the key the test believes `Wechatpay-Serial` names).
    pub fn verify_with(&self, spki: &[u8]) -> Result<(), String> {
        let get = |n: &str| self.header(n).ok_or(format!("missing {n}"));
        let ok = verify_response(
            spki,
            get("Wechatpay-Timestamp")?,
            get("Wechatpay-Nonce")?,
            &self.body,
            get("Wechatpay-Signature")?,
        );
        if ok { Ok(()) } else { Err("bad signature".into()) }
    }

    /// Verifies under the test-vector platform key, named by its public key id.
    pub fn verify(&self) -> Result<(), String> {
        if self.header("Wechatpay-Serial") != Some(TEST_PLATFORM_PUBLIC_KEY_ID) {
            return Err(format!("serial {:?}", self.header("Wechatpay-Serial")));
        }
        self.verify_with(&platform_spki())
    }

    /// An error answer with this status and code; returns the body.
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        body
    }
}

/// What goes into one request.
pub enum Payload<'a> {
    None,
    Json(&'a [u8]),
    Upload {
        meta: Vec<u8>,
        filename: &'a str,
        content: &'a [u8],
    },
}

pub struct Client {
    pub http: reqwest::Client,
    pub signer: MerchantSigner,
    pub base: String,
}

impl Client {
    pub fn new(server: &MockServer) -> Client {
        Self::with_timeout(server, Duration::from_secs(10))
    }

    pub fn with_timeout(server: &MockServer, timeout: Duration) -> Client {
        Client {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(timeout)
                .build()
                .unwrap(),
            signer: MerchantSigner::from_test_vectors(&default_shared_dir()).unwrap(),
            base: server.base_url(),
        }
    }

    /// Sends a signed request; `headers` are added as given.
    pub async fn try_send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        payload: Payload<'_>,
    ) -> reqwest::Result<reqwest::Response> {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{target}", self.base))
            .header("Accept", "application/json")
            .header("User-Agent", "wechatpay-mock-tests/0.1");
        let signed: Vec<u8> = match payload {
            Payload::None => Vec::new(),
            Payload::Json(body) => {
                req = req.header("Content-Type", "application/json").body(body.to_vec());
                body.to_vec()
            }
            Payload::Upload {
                meta,
                filename,
                content,
            } => {
                let (content_type, body) = multipart_body(&meta, filename, content);
                req = req.header("Content-Type", content_type).body(body);
                meta
            }
        };
        req = req.header(
            "Authorization",
            self.signer.authorization(method, target, &signed),
        );
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await
    }

    pub async fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        payload: Payload<'_>,
    ) -> Reply {
        let res = self.try_send(method, target, headers, payload).await.unwrap();
        Reply {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.bytes().await.unwrap().to_vec(),
        }
    }

    pub async fn get(&self, target: &str) -> Reply {
        self.send("GET", target, &[], Payload::None).await
    }

    pub async fn post_json(&self, target: &str, body: &Value) -> Reply {
        self.send("POST", target, &[], Payload::Json(body.to_string().as_bytes()))
            .await
    }
}

/// A request built from `wechatpay_mock::sample_input`: method, target, headers, payload, and
/// the plaintexts of the encrypted fields (pointer → plaintext).
pub struct SampleRequest {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub upload: Option<(String, Vec<u8>)>,
    pub encrypted: Vec<(String, String)>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Builds the wire request for `op` from its sample input, encrypting the `encrypt` fields and
/// the sensitive ones with the platform key `spki`.
pub fn sample_request(op: &codegen::ir::Operation, spki: &[u8]) -> SampleRequest {
    let mut input = wechatpay_mock::sample_input(op);
    let has_body = !input["body"].is_null();
    let mut encrypted = Vec::new();
    // The fields a closure encrypts, and those the model marks sensitive (a generated call
    // seals them itself; this raw client does it by hand).
    let mut pointers: Vec<String> = input["encrypt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    pointers.extend(wechatpay_mock::sample::sensitive_pointers(op));
    for pointer in pointers {
        let root = if has_body { "body" } else { "query" };
        let slot = input[root].pointer_mut(&pointer).unwrap();
        let plain = slot.as_str().unwrap().to_owned();
        *slot = Value::String(encrypt_sensitive(spki, &plain).unwrap());
        encrypted.push((pointer, plain));
    }
    let mut path = op.path.clone();
    for (name, value) in input["path"].as_object().unwrap() {
        path = path.replace(&format!("{{{name}}}"), &encode(&text(value)));
    }
    let query: Vec<String> = input["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(&text(v))))
        .collect();
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let headers = input["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), text(v)))
        .collect();
    let upload = input["upload"].as_object().map(|u| {
        (
            u["filename"].as_str().unwrap().to_owned(),
            u["content"].as_str().unwrap().as_bytes().to_vec(),
        )
    });
    SampleRequest {
        method: op.method.as_str().to_owned(),
        target,
        headers,
        body: has_body.then(|| input["body"].to_string().into_bytes()),
        upload,
        encrypted,
    }
}

/// Reads one DER TLV at `pos`: (tag, content start, content end).
pub fn der_tlv(buf: &[u8], pos: usize) -> (u8, usize, usize) {
    let tag = buf[pos];
    let first = buf[pos + 1] as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        let len = buf[pos + 2..pos + 2 + n]
            .iter()
            .fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, 2 + n)
    };
    (tag, pos + header, pos + header + len)
}

/// The serial (upper-case hex, leading zero bytes dropped) and the SubjectPublicKeyInfo DER of
/// an X.509 certificate.
pub fn certificate_serial_and_spki(der: &[u8]) -> (String, Vec<u8>) {
    let (_, cert, _) = der_tlv(der, 0);
    let (_, tbs, _) = der_tlv(der, cert);
    let mut pos = tbs;
    if der[pos] == 0xA0 {
        pos = der_tlv(der, pos).2; // [0] version
    }
    let (tag, start, end) = der_tlv(der, pos);
    assert_eq!(tag, 0x02, "serial INTEGER");
    let mut serial = &der[start..end];
    while serial.len() > 1 && serial[0] == 0 {
        serial = &serial[1..];
    }
    let hex: String = serial.iter().map(|b| format!("{b:02X}")).collect();
    pos = end;
    for _ in 0..4 {
        pos = der_tlv(der, pos).2; // signature algorithm, issuer, validity, subject
    }
    let spki_end = der_tlv(der, pos).2;
    (hex, der[pos..spki_end].to_vec())
}

/// Opens an AES-256-GCM sealed certificate (`ciphertext ‖ tag`, base64) with the APIv3 key.
pub fn open_certificate(apiv3_key: &str, nonce: &str, aad: &str, ciphertext_b64: &str) -> Option<String> {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, apiv3_key.as_bytes()).ok()?);
    let mut data = STANDARD.decode(ciphertext_b64).ok()?;
    let nonce = Nonce::try_assume_unique_for_key(nonce.as_bytes()).ok()?;
    let plain = key
        .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut data)
        .ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// Sends the sample request (and upload) of an operation.
pub async fn send_sample(client: &Client, sample: &SampleRequest) -> Reply {
    let headers: Vec<(&str, &str)> = sample
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(
            sample
                .headers
                .iter()
                .all(|(k, _)| !k.eq_ignore_ascii_case("Wechatpay-Serial"))
                .then_some(("Wechatpay-Serial", TEST_PLATFORM_PUBLIC_KEY_ID)),
        )
        .collect();
    let payload = match (&sample.body, &sample.upload) {
        (Some(body), _) => Payload::Json(body),
        (None, Some((filename, content))) => Payload::Upload {
            meta: upload_meta(filename, content),
            filename,
            content,
        },
        (None, None) => Payload::None,
    };
    client
        .send(&sample.method, &sample.target, &headers, payload)
        .await
}
