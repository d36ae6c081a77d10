//! Response signing as WeChat Pay does it, plus the random values the server hands out.

use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::keys::load_private_key;

/// The value of the `Wechatpay-Signature-Type` header (and of the `Authorization` scheme).
pub const SIGNATURE_TYPE: &str = "WECHATPAY2-SHA256-RSA2048";

/// Builds the message a response signature covers: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(nonce.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// Signs response messages with the WeChat Pay platform private key
/// (RSASSA-PKCS1-v1_5 with SHA-256, base64).
pub struct ResponseSigner {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl ResponseSigner {
    /// Loads the platform private key from PEM (PKCS#8 or PKCS#1).
    pub fn from_pem(pem: &str) -> io::Result<Self> {
        Ok(Self {
            key: load_private_key(pem)?,
            rng: SystemRandom::new(),
        })
    }

    /// A signer with an already loaded key pair.
    pub fn from_key_pair(key: RsaKeyPair) -> Self {
        Self {
            key,
            rng: SystemRandom::new(),
        }
    }

    /// Signs `message` and returns the base64 signature.
    pub fn sign(&self, message: &[u8]) -> String {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .expect("RSA signing with a loaded key does not fail");
        STANDARD.encode(signature)
    }
}

impl std::fmt::Debug for ResponseSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseSigner(<private key redacted>)")
    }
}

/// Fills `buf` from the system CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) {
    SystemRandom::new()
        .fill(buf)
        .expect("the system random generator is available");
}

/// A random 32-character `[0-9A-Za-z]` nonce, as WeChat Pay sends in `Wechatpay-Nonce`.
pub fn random_nonce() -> String {
    random_alphanumeric(32)
}

/// `len` random characters `[0-9A-Za-z]` from the system CSPRNG, uniformly distributed.
pub fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        random_bytes(&mut buf);
        // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
        for &b in buf.iter().filter(|&&b| b < 248).take(len - out.len()) {
            out.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    out
}

/// A fresh `Request-ID` in WeChat Pay's shape: 40 upper-case hex digits, `-0`.
pub fn request_id() -> String {
    let mut buf = [0u8; 20];
    random_bytes(&mut buf);
    let mut id: String = buf.iter().map(|b| format!("{b:02X}")).collect();
    id.push_str("-0");
    id
}

/// The current time in Unix seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
