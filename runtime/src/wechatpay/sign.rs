//! Request signing (transport-agnostic: bytes in, header value out).
//!
//! String to sign = `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n`, signed with
//! RSASSA-PKCS1-v1_5 + SHA-256 by the merchant API private key, sent as
//! `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`.
//!
//! Source: `shared/design/protocols.md` ("Request signing") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html>.

use std::fmt;

use url::Url;

use crate::Error;
use crate::rsa::{PrivateKey, PublicKey};

/// The authorization scheme and signature type of APIv3: `WECHATPAY2-SHA256-RSA2048`.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// Length of a generated nonce, in characters.
pub const NONCE_LEN: usize = 32;

/// The request string to sign: `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n`.
///
/// - `method`: upper-case HTTP method, e.g. `GET`.
/// - `canonical_url`: path plus `?query` exactly as sent, no host (see [`canonical_url`]).
/// - `timestamp`: Unix time in seconds.
/// - `nonce`: the request nonce (see [`generate_nonce`]).
/// - `body`: the exact body bytes sent; empty for GET, the `meta` JSON for media uploads.
pub fn string_to_sign(
    method: &str,
    canonical_url: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let timestamp = timestamp.to_string();
    let mut out = Vec::with_capacity(
        method.len() + canonical_url.len() + timestamp.len() + nonce.len() + body.len() + 5,
    );
    for line in [
        method.as_bytes(),
        canonical_url.as_bytes(),
        timestamp.as_bytes(),
        nonce.as_bytes(),
        body,
    ] {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// The CANONICAL_URL of a request URL: its path and, if any, `?` and query, exactly as the URL
/// serializes them on the wire (no scheme, host or fragment). E.g.
/// `https://api.mch.weixin.qq.com/v3/pay/transactions/id/1?mchid=1` → `/v3/pay/transactions/id/1?mchid=1`.
pub fn canonical_url(url: &Url) -> &str {
    crate::transport::provider::path_and_query(url)
}

/// A fresh nonce: 32 characters from `[0-9A-Za-z]`, drawn uniformly from the system CSPRNG
/// (aws-lc-rs `SystemRandom`, rejection sampling so there is no modulo bias).
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the system random generator fails.
pub fn generate_nonce() -> Result<String, Error> {
    crate::random::alphanumeric(NONCE_LEN)
}

/// Signs requests for one merchant: its `mchid`, the serial number of its API certificate, and
/// its API private key. `Debug` never prints the key.
#[derive(Debug)]
pub struct Signer {
    mchid: String,
    serial_no: String,
    key: PrivateKey,
}

impl Signer {
    /// A signer for merchant `mchid` (e.g. `1900000109`) whose API certificate has serial number
    /// `serial_no` (hex, e.g. `3775B6A45ACD588826D15E583A95F5DD00000000`).
    pub fn new(mchid: impl Into<String>, serial_no: impl Into<String>, key: PrivateKey) -> Self {
        Self {
            mchid: mchid.into(),
            serial_no: serial_no.into(),
            key,
        }
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The merchant API certificate serial number.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// Base64 RSASSA-PKCS1-v1_5 + SHA-256 signature of `message` with the merchant key (also
    /// used for front-end pay parameters).
    ///
    /// # Errors
    /// As [`PrivateKey::sign`].
    pub fn sign(&self, message: &[u8]) -> Result<String, Error> {
        self.key.sign_base64(message)
    }

    /// The merchant private key (also decrypts encrypted response fields).
    pub(crate) fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// The parsed `Authorization` for a request (see [`string_to_sign`] for the arguments).
    ///
    /// # Errors
    /// As [`PrivateKey::sign`].
    pub fn authorize(
        &self,
        method: &str,
        canonical_url: &str,
        timestamp: i64,
        nonce: &str,
        body: &[u8],
    ) -> Result<Authorization, Error> {
        let message = string_to_sign(method, canonical_url, timestamp, nonce, body);
        Ok(Authorization {
            mchid: self.mchid.clone(),
            nonce_str: nonce.to_owned(),
            timestamp: timestamp.to_string(),
            serial_no: self.serial_no.clone(),
            signature: self.sign(&message)?,
        })
    }

    /// The `Authorization` header value for a request:
    /// `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`.
    ///
    /// # Errors
    /// As [`PrivateKey::sign`].
    pub fn authorization(
        &self,
        method: &str,
        canonical_url: &str,
        timestamp: i64,
        nonce: &str,
        body: &[u8],
    ) -> Result<String, Error> {
        self.authorize(method, canonical_url, timestamp, nonce, body)
            .map(|a| a.to_string())
    }
}

/// The fields of an APIv3 `Authorization` header. `Display` writes the header value;
/// [`Authorization::parse`] reads one (pairs in any order). `Debug` hides the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Merchant id.
    pub mchid: String,
    /// The request nonce.
    pub nonce_str: String,
    /// Unix time in seconds, as a decimal string.
    pub timestamp: String,
    /// Merchant API certificate serial number.
    pub serial_no: String,
    /// Base64 signature over [`string_to_sign`].
    pub signature: String,
}

impl Authorization {
    /// Parses `WECHATPAY2-SHA256-RSA2048 k="v",k="v",…` with the five keys `mchid`, `nonce_str`,
    /// `timestamp`, `serial_no`, `signature` in any order (spaces after commas tolerated, unknown
    /// keys ignored). `None` if the scheme differs, a pair is malformed, or a key is missing.
    pub fn parse(header: &str) -> Option<Self> {
        let params = header.strip_prefix(SCHEME)?.strip_prefix(' ')?;
        let (mut mchid, mut nonce_str, mut timestamp, mut serial_no, mut signature) =
            (None, None, None, None, None);
        for pair in params.split(',') {
            let (key, value) = pair.trim().split_once('=')?;
            let value = value.strip_prefix('"')?.strip_suffix('"')?.to_owned();
            match key {
                "mchid" => mchid = Some(value),
                "nonce_str" => nonce_str = Some(value),
                "timestamp" => timestamp = Some(value),
                "serial_no" => serial_no = Some(value),
                "signature" => signature = Some(value),
                _ => {}
            }
        }
        Some(Self {
            mchid: mchid?,
            nonce_str: nonce_str?,
            timestamp: timestamp?,
            serial_no: serial_no?,
            signature: signature?,
        })
    }

    /// Whether this authorization's signature is valid for the request `method`, `canonical_url`
    /// and `body` under the merchant public key `key` (what WeChat Pay, or a mock server, checks).
    /// The timestamp is not checked against a clock here.
    pub fn verify(&self, key: &PublicKey, method: &str, canonical_url: &str, body: &[u8]) -> bool {
        let Ok(timestamp) = self.timestamp.parse::<i64>() else {
            return false;
        };
        let message = string_to_sign(method, canonical_url, timestamp, &self.nonce_str, body);
        key.verify_base64(&message, &self.signature)
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME} mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"{}\"",
            self.mchid, self.nonce_str, self.timestamp, self.serial_no, self.signature
        )
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("mchid", &self.mchid)
            .field("nonce_str", &self.nonce_str)
            .field("timestamp", &self.timestamp)
            .field("serial_no", &self.serial_no)
            .field("signature", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_get_ends_with_empty_body_line() {
        let s = string_to_sign("GET", "/v3/x?a=1", 1554208460, "N", b"");
        assert_eq!(s, b"GET\n/v3/x?a=1\n1554208460\nN\n\n");
    }

    #[test]
    fn nonce_shape_and_uniqueness() {
        let a = generate_nonce().unwrap();
        let b = generate_nonce().unwrap();
        assert_eq!(a.len(), NONCE_LEN);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn canonical_url_keeps_wire_form() {
        let url = Url::parse("https://h.example/v3/a%2Fb?x=1+2&y=%E4%B8%AD#frag").unwrap();
        assert_eq!(canonical_url(&url), "/v3/a%2Fb?x=1+2&y=%E4%B8%AD");
        let url = Url::parse("https://h.example/v3/a").unwrap();
        assert_eq!(canonical_url(&url), "/v3/a");
    }

    #[test]
    fn authorization_parse_any_order_and_rejects_bad() {
        let a = Authorization::parse(
            "WECHATPAY2-SHA256-RSA2048 signature=\"S\",timestamp=\"1\",serial_no=\"X\", nonce_str=\"N\",mchid=\"M\"",
        )
        .unwrap();
        assert_eq!(
            (
                &*a.mchid,
                &*a.nonce_str,
                &*a.timestamp,
                &*a.serial_no,
                &*a.signature
            ),
            ("M", "N", "1", "X", "S")
        );
        assert_eq!(Authorization::parse(&a.to_string()), Some(a.clone()));
        assert!(!format!("{a:?}").contains("\"S\""));
        assert!(Authorization::parse("Bearer x").is_none());
        assert!(Authorization::parse("WECHATPAY2-SHA256-RSA2048 mchid=\"M\"").is_none());
        assert!(Authorization::parse("WECHATPAY2-SHA256-RSA2048 mchid=M").is_none());
    }
}
