//! `Wonder-RSA-SHA256`, implemented here independently of the `sdk-runtime` crate under test
//! (aws-lc-rs HMAC and RSA only): the signed content and digest, request verification as
//! Wonder's gateway does it, and signing (the mock signs its webhooks with it).
//!
//! ```text
//! k1        = HMAC-SHA256(key = NONCE, msg = REQUEST_TIME)
//! k2        = HMAC-SHA256(key = k1, msg = "Wonder-RSA-SHA256")
//! content   = UPPER(METHOD) + "\n" + PATH_AND_QUERY [+ "\n" + BODY when BODY is not empty]
//! digest    = lowercase hex(HMAC-SHA256(key = k2, msg = content))
//! Signature = base64(RSASSA-PKCS1-v1_5-SHA256(private key, digest as ASCII))
//! ```
//!
//! Headers: `Credential: APPID/REQUEST_TIME/Wonder-RSA-SHA256` (REQUEST_TIME is UTC
//! `yyyymmddHHMMSS`), `Nonce` (16 chars `[0-9A-Za-z]`), `Signature`.

use std::fmt;
use std::io;
use std::time::Duration;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::keys::{load_private_key, load_public_key};

/// The algorithm: last part of `Credential`, and the HMAC message of `k2`.
pub const ALGORITHM: &str = "Wonder-RSA-SHA256";
/// Header `Credential`.
pub const HEADER_CREDENTIAL: &str = "Credential";
/// Header `Nonce`.
pub const HEADER_NONCE: &str = "Nonce";
/// Header `Signature`.
pub const HEADER_SIGNATURE: &str = "Signature";
/// Length of a nonce in characters.
pub const NONCE_LEN: usize = 16;
/// How far `REQUEST_TIME` may be from the server's clock: 30 minutes.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(30 * 60);

/// The signed content: `UPPER(method)` `\n` `path_and_query`, then `\n` `body` when the body is
/// not empty.
pub fn content(method: &str, path_and_query: &str, body: &[u8]) -> Vec<u8> {
    let mut out = method.to_ascii_uppercase().into_bytes();
    out.push(b'\n');
    out.extend_from_slice(path_and_query.as_bytes());
    if !body.is_empty() {
        out.push(b'\n');
        out.extend_from_slice(body);
    }
    out
}

/// The digest the RSA key signs: lowercase hex (64 chars) of `HMAC-SHA256(k2, content)`.
pub fn digest(nonce: &str, request_time: &str, content: &[u8]) -> String {
    let mac = |key: &[u8], msg: &[u8]| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg);
    let k1 = mac(nonce.as_bytes(), request_time.as_bytes());
    let k2 = mac(k1.as_ref(), ALGORITHM.as_bytes());
    mac(k2.as_ref(), content)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `REQUEST_TIME` of Unix time `unix_seconds`: UTC `yyyymmddHHMMSS` (`1732175101` →
/// `20241121074501`). Times outside the years 0000-9999 are clamped to the Unix epoch.
pub fn request_time(unix_seconds: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Unix seconds of a `REQUEST_TIME`: exactly 14 ASCII digits forming a valid UTC date and time.
pub fn parse_request_time(text: &str) -> Option<i64> {
    let d = text.as_bytes();
    if d.len() != 14 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| (d[i] - b'0') * 10 + (d[i + 1] - b'0');
    let year = i32::from(two(0)) * 100 + i32::from(two(2));
    let date = Date::from_calendar_date(year, Month::try_from(two(4)).ok()?, two(6)).ok()?;
    let time = Time::from_hms(two(8), two(10), two(12)).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc().unix_timestamp())
}

/// Whether `nonce` is exactly 16 characters `[0-9A-Za-z]`.
pub fn is_valid_nonce(nonce: &str) -> bool {
    nonce.len() == NONCE_LEN && nonce.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A fresh random nonce: 16 characters `[0-9A-Za-z]` from the system CSPRNG.
pub fn random_nonce() -> String {
    crate::sign::random_alphanumeric(NONCE_LEN)
}

/// The three signature headers of a request or webhook.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    /// `Credential`: `APPID/REQUEST_TIME/Wonder-RSA-SHA256`.
    pub credential: String,
    /// `Nonce`: 16 characters `[0-9A-Za-z]`.
    pub nonce: String,
    /// `Signature`: standard base64 of the RSA signature.
    pub signature: String,
}

impl SignatureHeaders {
    /// The headers of `headers`, each required exactly once and visible ASCII.
    ///
    /// # Errors
    /// [`Rejection::MissingHeader`] naming the first header that is absent, repeated or not
    /// visible ASCII.
    pub fn from_headers(headers: &HeaderMap) -> Result<SignatureHeaders, Rejection> {
        let once = |name: &'static str| {
            let mut values = headers.get_all(name).iter();
            match (values.next(), values.next()) {
                (Some(v), None) => v
                    .to_str()
                    .map(str::to_owned)
                    .map_err(|_| Rejection::MissingHeader(name)),
                _ => Err(Rejection::MissingHeader(name)),
            }
        };
        Ok(SignatureHeaders {
            credential: once(HEADER_CREDENTIAL)?,
            nonce: once(HEADER_NONCE)?,
            signature: once(HEADER_SIGNATURE)?,
        })
    }

    /// `(name, value)` pairs: `Credential`, `Nonce`, `Signature`.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (HEADER_CREDENTIAL, &self.credential),
            (HEADER_NONCE, &self.nonce),
            (HEADER_SIGNATURE, &self.signature),
        ]
    }
}

impl fmt::Debug for SignatureHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureHeaders")
            .field("credential", &self.credential)
            .field("nonce", &self.nonce)
            .field("signature", &format_args!("[{} chars]", self.signature.len()))
            .finish()
    }
}

/// A parsed `Credential` that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// `APPID`.
    pub app_id: String,
    /// `REQUEST_TIME`, UTC `yyyymmddHHMMSS`.
    pub request_time: String,
    /// `REQUEST_TIME` as Unix seconds.
    pub unix_seconds: i64,
}

/// Why a request's signature was rejected. The messages name what failed and never echo the
/// nonce, the signature or the app id sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// This header is absent, repeated or not visible ASCII.
    MissingHeader(&'static str),
    /// `Credential` is not `APPID/REQUEST_TIME/ALGORITHM`.
    MalformedCredential,
    /// `Credential` names another algorithm than `Wonder-RSA-SHA256`.
    UnsupportedAlgorithm,
    /// `Credential` names an app id the server does not know.
    UnknownAppId,
    /// `REQUEST_TIME` is not a valid UTC `yyyymmddHHMMSS`.
    BadRequestTime,
    /// `Nonce` is not 16 characters `[0-9A-Za-z]`.
    MalformedNonce,
    /// `REQUEST_TIME` is this many seconds away from the server's clock (more than allowed).
    Expired {
        /// The distance, in seconds.
        skew_secs: u64,
    },
    /// `Signature` is not base64 or does not verify with the app's public key.
    InvalidSignature,
}

impl Rejection {
    /// A short stable name, e.g. `expired`, `invalid_signature`.
    pub fn name(&self) -> &'static str {
        match self {
            Rejection::MissingHeader(_) => "missing_header",
            Rejection::MalformedCredential => "malformed_credential",
            Rejection::UnsupportedAlgorithm => "unsupported_algorithm",
            Rejection::UnknownAppId => "unknown_app_id",
            Rejection::BadRequestTime => "bad_request_time",
            Rejection::MalformedNonce => "malformed_nonce",
            Rejection::Expired { .. } => "expired",
            Rejection::InvalidSignature => "invalid_signature",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingHeader(name) => {
                write!(f, "header {name} is missing, repeated or not visible ASCII")
            }
            Rejection::MalformedCredential => {
                write!(f, "header Credential is not APPID/REQUEST_TIME/{ALGORITHM}")
            }
            Rejection::UnsupportedAlgorithm => {
                write!(
                    f,
                    "header Credential names an unsupported algorithm (expected {ALGORITHM})"
                )
            }
            Rejection::UnknownAppId => f.write_str("header Credential names an unknown app id"),
            Rejection::BadRequestTime => {
                f.write_str("REQUEST_TIME of header Credential is not UTC yyyymmddHHMMSS")
            }
            Rejection::MalformedNonce => write!(f, "header Nonce is not {NONCE_LEN} characters [0-9A-Za-z]"),
            Rejection::Expired { skew_secs } => write!(
                f,
                "REQUEST_TIME is {skew_secs} s away from the server clock (limit {} s)",
                MAX_CLOCK_SKEW.as_secs()
            ),
            Rejection::InvalidSignature => {
                f.write_str("header Signature does not verify over the method, path, query and body")
            }
        }
    }
}

impl std::error::Error for Rejection {}

/// Verifies requests as Wonder's gateway does, for one app: its id and RSA public key.
pub struct RequestVerifier {
    app_id: String,
    key: ParsedPublicKey,
    max_skew: Duration,
}

impl RequestVerifier {
    /// A verifier for app `app_id` with its public key (SPKI or PKCS#1 PEM), accepting a
    /// `REQUEST_TIME` at most `max_skew` away from the clock.
    ///
    /// # Errors
    /// The PEM holds no RSA public key.
    pub fn new(app_id: &str, public_key_pem: &str, max_skew: Duration) -> io::Result<RequestVerifier> {
        Ok(RequestVerifier {
            app_id: app_id.to_owned(),
            key: load_public_key(public_key_pem)?,
            max_skew,
        })
    }

    /// Verifies a request: `path_and_query` exactly as received, raw `body`, its `headers`,
    /// at Unix time `now`. Checks, in order: the three headers; the `Credential` format,
    /// algorithm and `REQUEST_TIME`; the nonce; the app id; the time window; the signature.
    ///
    /// # Errors
    /// The first check that fails.
    pub fn verify(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Credential, Rejection> {
        let signed = SignatureHeaders::from_headers(headers)?;
        self.verify_values(method, path_and_query, body, &signed, Some(now))
    }

    /// [`RequestVerifier::verify`] with the header values given; `now: None` skips the time
    /// window.
    ///
    /// # Errors
    /// The first check that fails.
    pub fn verify_values(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        signed: &SignatureHeaders,
        now: Option<i64>,
    ) -> Result<Credential, Rejection> {
        let credential = verify_with(&self.key, method, path_and_query, body, signed, |c| {
            if c.app_id != self.app_id {
                return Err(Rejection::UnknownAppId);
            }
            match now.map(|now| now.abs_diff(c.unix_seconds)) {
                Some(skew_secs) if skew_secs > self.max_skew.as_secs() => {
                    Err(Rejection::Expired { skew_secs })
                }
                _ => Ok(()),
            }
        })?;
        Ok(credential)
    }
}

impl fmt::Debug for RequestVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestVerifier")
            .field("app_id", &self.app_id)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

/// Parses the credential, runs `accept` on it (app id, clock), checks the nonce, then the
/// signature under `key`.
fn verify_with(
    key: &ParsedPublicKey,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signed: &SignatureHeaders,
    accept: impl FnOnce(&Credential) -> Result<(), Rejection>,
) -> Result<Credential, Rejection> {
    let mut parts = signed.credential.rsplitn(3, '/');
    let (Some(algorithm), Some(time), Some(app_id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Rejection::MalformedCredential);
    };
    if app_id.is_empty() || !app_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Rejection::MalformedCredential);
    }
    if algorithm != ALGORITHM {
        return Err(Rejection::UnsupportedAlgorithm);
    }
    let unix_seconds = parse_request_time(time).ok_or(Rejection::BadRequestTime)?;
    let credential = Credential {
        app_id: app_id.to_owned(),
        request_time: time.to_owned(),
        unix_seconds,
    };
    if !is_valid_nonce(&signed.nonce) {
        return Err(Rejection::MalformedNonce);
    }
    accept(&credential)?;
    let digest = digest(&signed.nonce, time, &content(method, path_and_query, body));
    let signature = STANDARD
        .decode(&signed.signature)
        .map_err(|_| Rejection::InvalidSignature)?;
    key.verify_sig(digest.as_bytes(), &signature)
        .map_err(|_| Rejection::InvalidSignature)?;
    Ok(credential)
}

/// Verifies a webhook-style signature (no app id or time check) with a public key PEM: what a
/// merchant's webhook handler does with Wonder's webhook key.
///
/// # Errors
/// The key does not load ([`Rejection::InvalidSignature`]), or the first check that fails.
pub fn verify_webhook_signature(
    public_key_pem: &str,
    path_and_query: &str,
    body: &[u8],
    signed: &SignatureHeaders,
) -> Result<Credential, Rejection> {
    let key = load_public_key(public_key_pem).map_err(|_| Rejection::InvalidSignature)?;
    verify_with(&key, "POST", path_and_query, body, signed, |_| Ok(()))
}

/// Signs requests or webhooks for one app id with an RSA private key.
pub struct WonderSigner {
    app_id: String,
    key: RsaKeyPair,
}

impl WonderSigner {
    /// A signer for `app_id` with a private key PEM (PKCS#8 or PKCS#1).
    ///
    /// # Errors
    /// The PEM holds no RSA private key.
    pub fn new(app_id: &str, private_key_pem: &str) -> io::Result<WonderSigner> {
        Ok(WonderSigner {
            app_id: app_id.to_owned(),
            key: load_private_key(private_key_pem)?,
        })
    }

    /// The app id put in `Credential`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The signature headers of `method path_and_query` with `body`, at Unix time
    /// `unix_seconds` with `nonce` (not checked: a malformed one makes a malformed request).
    /// Deterministic for given inputs (RSASSA-PKCS1-v1_5).
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        unix_seconds: i64,
        nonce: &str,
    ) -> SignatureHeaders {
        let time = request_time(unix_seconds);
        let digest = digest(nonce, &time, &content(method, path_and_query, body));
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                digest.as_bytes(),
                &mut signature,
            )
            .expect("RSA signing with a loaded key does not fail");
        SignatureHeaders {
            credential: format!("{}/{time}/{ALGORITHM}", self.app_id),
            nonce: nonce.to_owned(),
            signature: STANDARD.encode(signature),
        }
    }
}

impl fmt::Debug for WonderSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WonderSigner")
            .field("app_id", &self.app_id)
            .field("key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_time_round_trips() {
        assert_eq!(request_time(1_732_175_101), "20241121074501");
        assert_eq!(parse_request_time("20241121074501"), Some(1_732_175_101));
        assert_eq!(parse_request_time("20241321074501"), None);
        assert_eq!(parse_request_time("2024112107450"), None);
    }

    #[test]
    fn nonces_are_sixteen_alphanumerics() {
        let a = random_nonce();
        assert!(is_valid_nonce(&a), "{a}");
        assert_ne!(a, random_nonce());
        assert!(!is_valid_nonce("0123456789abcde-"));
    }
}
