//! Client-side helpers for tests that talk to the mock with a plain HTTP client: sign requests
//! as a merchant, encrypt sensitive fields for the platform key, build media uploads, and
//! verify response signatures. Independent of the `sdk-runtime` crate under test.

use std::fmt;
use std::io;
use std::path::Path;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OaepPublicEncryptingKey, PublicEncryptingKey};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::auth::request_message;
use crate::keys::load_private_key;
use crate::sign::{SIGNATURE_TYPE, random_nonce, response_message, unix_now};
use crate::{TEST_MCHID, TEST_MERCHANT_SERIAL_NO};

/// Signs requests as a merchant (`Authorization: WECHATPAY2-SHA256-RSA2048 …`).
pub struct MerchantSigner {
    mchid: String,
    serial_no: String,
    key: RsaKeyPair,
}

impl MerchantSigner {
    /// A signer for `mchid` with the merchant certificate `serial_no` and private key PEM.
    pub fn new(mchid: &str, serial_no: &str, private_key_pem: &str) -> io::Result<Self> {
        Ok(Self {
            mchid: mchid.to_owned(),
            serial_no: serial_no.to_owned(),
            key: load_private_key(private_key_pem)?,
        })
    }

    /// The merchant of the test vectors (`<shared>/test-vectors/keys/merchant.pem`).
    pub fn from_test_vectors(shared_dir: &Path) -> io::Result<Self> {
        let path = shared_dir.join("test-vectors/keys/merchant.pem");
        let pem = std::fs::read_to_string(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Self::new(TEST_MCHID, TEST_MERCHANT_SERIAL_NO, &pem)
    }

    /// The `Authorization` value for a request signed now with a fresh nonce; `target` is the
    /// path and `?query` as sent, `signed_body` the JSON body (or a media upload's `meta`).
    pub fn authorization(&self, method: &str, target: &str, signed_body: &[u8]) -> String {
        self.authorization_at(method, target, signed_body, unix_now(), &random_nonce())
    }

    /// [`MerchantSigner::authorization`] with a chosen timestamp and nonce.
    pub fn authorization_at(
        &self,
        method: &str,
        target: &str,
        signed_body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> String {
        let message = request_message(method, target, &timestamp.to_string(), nonce, signed_body);
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                &message,
                &mut signature,
            )
            .expect("RSA signing with a loaded key does not fail");
        format!(
            "{SIGNATURE_TYPE} mchid=\"{}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{}\",signature=\"{}\"",
            self.mchid,
            self.serial_no,
            STANDARD.encode(signature)
        )
    }
}

impl fmt::Debug for MerchantSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantSigner")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// Encrypts a sensitive field for the platform key (SubjectPublicKeyInfo DER): RSAES-OAEP with
/// SHA-1 and MGF1-SHA-1, empty label, base64.
pub fn encrypt_sensitive(public_key_der: &[u8], plaintext: &str) -> io::Result<String> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
    let key = PublicEncryptingKey::from_der(public_key_der).map_err(|_| bad("not an RSA public key"))?;
    let key = OaepPublicEncryptingKey::new(key).map_err(|_| bad("not an RSA public key"))?;
    let mut out = vec![0u8; key.ciphertext_size()];
    let ciphertext = key
        .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext.as_bytes(), &mut out, None)
        .map_err(|_| bad("plaintext too long for RSA-OAEP"))?;
    Ok(STANDARD.encode(ciphertext))
}

/// The `meta` JSON of a media upload: `{"filename":"…","sha256":"<lower-case hex>"}`.
pub fn upload_meta(filename: &str, content: &[u8]) -> Vec<u8> {
    let sha256: String = digest(&SHA256, content)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    serde_json::json!({ "filename": filename, "sha256": sha256 })
        .to_string()
        .into_bytes()
}

/// A `multipart/form-data` body with parts `meta` (JSON) and `file`; returns the
/// `Content-Type` (with the boundary) and the body.
pub fn multipart_body(meta: &[u8], filename: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("mock-boundary-{}", random_nonce());
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    body.extend_from_slice(meta);
    body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Verifies a response signature (`Wechatpay-Signature`, base64) over
/// `TIMESTAMP\nNONCE\nBODY\n` with the platform public key (SubjectPublicKeyInfo DER).
pub fn verify_response(
    public_key_der: &[u8],
    timestamp: &str,
    nonce: &str,
    body: &[u8],
    signature_b64: &str,
) -> bool {
    let Ok(signature) = STANDARD.decode(signature_b64) else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key_der)
        .verify(&response_message(timestamp, nonce, body), &signature)
        .is_ok()
}
