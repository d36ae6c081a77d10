//! Response (and webhook) signature verification, transport-agnostic: headers and body bytes in,
//! `Ok(())` or a [`SignatureError`] out. The clock is a parameter, so it is testable.
//!
//! String to verify = `TIMESTAMP\nNONCE\nBODY\n` from `Wechatpay-Timestamp`, `Wechatpay-Nonce`
//! and the raw body; `Wechatpay-Signature` is base64 RSASSA-PKCS1-v1_5 + SHA-256 under the key
//! named by `Wechatpay-Serial`.
//!
//! Source: `shared/design/protocols.md` ("Response verification").

use http::HeaderMap;

use super::keys::KeyStore;
use super::sign::SCHEME;
use crate::rsa::PublicKey;
use crate::{SignatureError, SignatureErrorKind};

/// `Wechatpay-Timestamp`: Unix seconds at which WeChat Pay signed.
pub const HEADER_TIMESTAMP: &str = "Wechatpay-Timestamp";
/// `Wechatpay-Nonce`: the response nonce.
pub const HEADER_NONCE: &str = "Wechatpay-Nonce";
/// `Wechatpay-Signature`: base64 signature over [`string_to_verify`].
pub const HEADER_SIGNATURE: &str = "Wechatpay-Signature";
/// `Wechatpay-Serial`: id of the signing key (public key id or platform certificate serial).
pub const HEADER_SERIAL: &str = "Wechatpay-Serial";
/// `Wechatpay-Signature-Type`: optional; if present must be `WECHATPAY2-SHA256-RSA2048`.
pub const HEADER_SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";

/// The headers a signature depends on; each may appear at most once on a response or webhook.
pub const SIGNATURE_HEADERS: [&str; 5] = [
    HEADER_TIMESTAMP,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_SERIAL,
    HEADER_SIGNATURE_TYPE,
];

/// Largest accepted distance between `Wechatpay-Timestamp` and the local clock, in seconds.
pub const MAX_CLOCK_SKEW_SECONDS: u64 = 300;

/// Prefix of WeChat Pay's deliberate probe signatures; such a response is always rejected
/// with [`SignatureErrorKind::SignTest`].
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Download endpoints whose responses are not signed (path templates; `{…}` matches any
/// parameter name). Source: `shared/design/protocols.md` ("Unsigned downloads").
pub const UNSIGNED_DOWNLOAD_PATHS: &[&str] = &[
    "/v3/billdownload/file",
    "/v3/statements",
    "/v3/global/statements",
    "/v3/new-tax-control-fapiao/download",
    // The docs page `/v3/new-tax-control-fapiao/download` is served on the wire as this path
    // (on `https://pay.wechatpay.cn/`).
    "/invoicing/fapiao/fapiao-file",
    "/v3/transferdownload/signfile",
    "/v3/transferdownload/elecvoucherfile",
    "/v3/merchant-service/images/{media_id}",
];

/// Whether `path_template` (e.g. `/v3/merchant-service/images/{media_id}`) is one of
/// [`UNSIGNED_DOWNLOAD_PATHS`]. A `{…}` segment matches a `{…}` segment of any name; a literal
/// segment only itself (so `/v3/merchant-service/images/upload` is signed).
pub fn is_unsigned_download(path_template: &str) -> bool {
    let is_param = |s: &str| s.starts_with('{') && s.ends_with('}');
    UNSIGNED_DOWNLOAD_PATHS.iter().any(|known| {
        let (mut a, mut b) = (known.split('/'), path_template.split('/'));
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y || (is_param(x) && is_param(y)) => {}
                _ => return false,
            }
        }
    })
}

/// The response string to verify: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn string_to_verify(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for line in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// The signature headers of a response or webhook request, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedHeaders<'a> {
    /// `Wechatpay-Timestamp`.
    pub timestamp: &'a str,
    /// `Wechatpay-Nonce`.
    pub nonce: &'a str,
    /// `Wechatpay-Signature`.
    pub signature: &'a str,
    /// `Wechatpay-Serial`.
    pub serial: &'a str,
    /// `Wechatpay-Signature-Type`, if sent.
    pub signature_type: Option<&'a str>,
}

impl<'a> SignedHeaders<'a> {
    /// Reads the signature headers from `headers` (names are case-insensitive).
    ///
    /// # Errors
    /// [`SignatureErrorKind::DuplicateHeader`] naming the first of [`SIGNATURE_HEADERS`] sent
    /// more than once (which value was signed would be ambiguous: none is trusted), then
    /// [`SignatureErrorKind::MissingHeader`] naming the first required header that is absent or
    /// not visible ASCII.
    pub fn from_headers(headers: &'a HeaderMap) -> Result<Self, SignatureError> {
        if let Some(name) = SIGNATURE_HEADERS
            .iter()
            .find(|name| headers.get_all(**name).iter().nth(1).is_some())
        {
            return Err(SignatureError::new(
                SignatureErrorKind::DuplicateHeader,
                format!("header `{name}` is sent more than once"),
            ));
        }
        let get = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok());
        let require = |name: &'static str| {
            get(name).ok_or_else(|| {
                SignatureError::new(
                    SignatureErrorKind::MissingHeader,
                    format!("missing response header `{name}`"),
                )
            })
        };
        Ok(Self {
            timestamp: require(HEADER_TIMESTAMP)?,
            nonce: require(HEADER_NONCE)?,
            signature: require(HEADER_SIGNATURE)?,
            serial: require(HEADER_SERIAL)?,
            signature_type: get(HEADER_SIGNATURE_TYPE),
        })
    }
}

/// Verifies WeChat Pay signatures with the keys of a [`KeyStore`].
#[derive(Debug, Default)]
pub struct Verifier {
    keys: KeyStore,
}

impl Verifier {
    /// A verifier over `keys`.
    pub fn new(keys: KeyStore) -> Self {
        Self { keys }
    }

    /// The key store (add platform certificate keys here).
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// Verifies a response (or webhook request) given its headers and raw body;
    /// `now_unix_seconds` is the local clock in Unix seconds.
    ///
    /// # Errors
    /// A [`SignatureError`] whose kind is, in the order checked: `DuplicateHeader` (one of
    /// [`SIGNATURE_HEADERS`] sent twice), `MissingHeader`, `SignTest`
    /// (signature starts `WECHATPAY/SIGNTEST/`), `UnsupportedSignatureType`, `BadTimestamp`,
    /// `Expired` (|now − timestamp| > 300 s), `UnknownSerial`, `InvalidSignature`.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_unix_seconds: i64,
    ) -> Result<(), SignatureError> {
        self.verify_parts(&SignedHeaders::from_headers(headers)?, body, now_unix_seconds)
    }

    /// [`Verifier::verify`] over already extracted header values.
    ///
    /// # Errors
    /// As [`Verifier::verify`], minus `DuplicateHeader` and `MissingHeader`.
    pub fn verify_parts(
        &self,
        parts: &SignedHeaders<'_>,
        body: &[u8],
        now_unix_seconds: i64,
    ) -> Result<(), SignatureError> {
        self.verify_parts_with(parts, body, now_unix_seconds, |id| self.keys.get(id))
    }

    /// [`Verifier::verify_parts`] with the key looked up by `lookup` instead of the store (used to
    /// verify the certificate download with the certificates it carries).
    pub(crate) fn verify_parts_with(
        &self,
        parts: &SignedHeaders<'_>,
        body: &[u8],
        now_unix_seconds: i64,
        lookup: impl Fn(&str) -> Option<PublicKey>,
    ) -> Result<(), SignatureError> {
        use SignatureErrorKind as K;
        if parts.signature.starts_with(SIGNTEST_PREFIX) {
            return Err(SignatureError::new(
                K::SignTest,
                "WECHATPAY/SIGNTEST/ probe signature (a deliberate test by WeChat Pay; never accepted)",
            ));
        }
        if let Some(kind) = parts.signature_type.filter(|kind| *kind != SCHEME) {
            return Err(SignatureError::new(
                K::UnsupportedSignatureType,
                format!("unsupported `{HEADER_SIGNATURE_TYPE}` `{kind}` (expected {SCHEME})"),
            ));
        }
        let timestamp = parse_timestamp(parts.timestamp).ok_or_else(|| {
            SignatureError::new(
                K::BadTimestamp,
                format!("`{HEADER_TIMESTAMP}` `{}` is not Unix seconds", parts.timestamp),
            )
        })?;
        let skew = now_unix_seconds.abs_diff(timestamp);
        if skew > MAX_CLOCK_SKEW_SECONDS {
            return Err(SignatureError::new(
                K::Expired,
                format!(
                    "`{HEADER_TIMESTAMP}` {timestamp} is {skew} s away from the local clock \
                     {now_unix_seconds} (limit {MAX_CLOCK_SKEW_SECONDS} s)"
                ),
            ));
        }
        let key = lookup(parts.serial).ok_or_else(|| {
            SignatureError::new(
                K::UnknownSerial,
                format!(
                    "unknown `{HEADER_SERIAL}` `{}` (known: {})",
                    parts.serial,
                    self.keys.ids().join(", ")
                ),
            )
        })?;
        // The string to verify, `TIMESTAMP\nNONCE\nBODY\n`, hashed in pieces (no copy of the body).
        let message = [
            parts.timestamp.as_bytes(),
            b"\n",
            parts.nonce.as_bytes(),
            b"\n",
            body,
            b"\n",
        ];
        if key.verify_parts_base64(&message, parts.signature) {
            Ok(())
        } else {
            Err(SignatureError::new(
                K::InvalidSignature,
                format!("`{HEADER_SIGNATURE}` does not verify with key `{}`", parts.serial),
            ))
        }
    }
}

/// Unix seconds from a string of ASCII digits only (no sign, no spaces).
fn parse_timestamp(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_download_templates() {
        for t in UNSIGNED_DOWNLOAD_PATHS {
            assert!(is_unsigned_download(t), "{t}");
        }
        assert!(is_unsigned_download("/v3/merchant-service/images/{mediaId}"));
        assert!(!is_unsigned_download("/v3/merchant-service/images/upload"));
        assert!(!is_unsigned_download("/v3/billdownload"));
        assert!(!is_unsigned_download("/v3/billdownload/file/x"));
        assert!(!is_unsigned_download("/v3/bill/tradebill"));
    }

    #[test]
    fn timestamp_parsing_is_strict() {
        assert_eq!(parse_timestamp("1732174802"), Some(1_732_174_802));
        for bad in ["", "+1", "-1", " 1", "1.0", "99999999999999999999"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn missing_headers_are_named() {
        let mut h = HeaderMap::new();
        h.insert("wechatpay-timestamp", "1".parse().unwrap());
        let e = SignedHeaders::from_headers(&h).unwrap_err();
        assert_eq!(e.kind(), SignatureErrorKind::MissingHeader);
        assert!(e.to_string().contains("Wechatpay-Nonce"), "{e}");
    }

    #[test]
    fn duplicate_signature_headers_are_rejected() {
        let mut h = HeaderMap::new();
        for name in SIGNATURE_HEADERS {
            h.insert(name, "1".parse().unwrap());
        }
        assert!(SignedHeaders::from_headers(&h).is_ok());
        for name in SIGNATURE_HEADERS {
            let mut twice = h.clone();
            twice.append(name, "2".parse().unwrap());
            let e = SignedHeaders::from_headers(&twice).unwrap_err();
            assert_eq!(e.kind(), SignatureErrorKind::DuplicateHeader, "{name}");
            assert!(e.to_string().contains(name), "{e}");
        }
        // Case does not make a header name different.
        let mut mixed = h.clone();
        mixed.append("WECHATPAY-SIGNATURE", "2".parse().unwrap());
        let e = SignedHeaders::from_headers(&mixed).unwrap_err();
        assert_eq!(e.kind(), SignatureErrorKind::DuplicateHeader);
    }

    #[test]
    fn string_to_verify_shape() {
        assert_eq!(string_to_verify("1", "n", b"{}"), b"1\nn\n{}\n");
    }
}
