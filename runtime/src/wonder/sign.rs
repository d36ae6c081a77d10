//! `Wonder-RSA-SHA256` request signing and verification, transport-agnostic: bytes in, header
//! values out (and back).
//!
//! ```text
//! k1        = HMAC-SHA256(key = NONCE, msg = REQUEST_TIME)
//! k2        = HMAC-SHA256(key = k1, msg = "Wonder-RSA-SHA256")
//! content   = UPPER(METHOD) + "\n" + PATH_AND_QUERY [+ "\n" + BODY, only when BODY is not empty]
//! digest    = lowercase hex(HMAC-SHA256(key = k2, msg = content))          (64 ASCII chars)
//! Signature = base64(RSASSA-PKCS1-v1_5-SHA256(app private key, digest))
//! ```
//!
//! Sent as the headers `Credential: APPID/REQUEST_TIME/Wonder-RSA-SHA256` (REQUEST_TIME is UTC
//! `yyyymmddHHMMSS`), `Nonce` (16 chars `[0-9A-Za-z]`) and `Signature`.
//!
//! Source: `shared/design/protocols.md` ("Wonder Open API") and `shared/design/wonder-api.md`
//! ("Signing"); checked against Wonder's PHP SDK through the `wonder_*` test vectors.

use std::fmt;
use std::time::Duration;

use aws_lc_rs::hmac;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::rsa::{PrivateKey, PublicKey};
use crate::{Error, SignatureError, SignatureErrorKind};

/// The algorithm name, last part of `Credential` and the HMAC message of `k2`.
pub const ALGORITHM: &str = "Wonder-RSA-SHA256";

/// Header `Credential`: `APPID/REQUEST_TIME/Wonder-RSA-SHA256` (see [`Credential`]).
pub const HEADER_CREDENTIAL: &str = "Credential";
/// Header `Nonce`: 16 characters `[0-9A-Za-z]` (see [`generate_nonce`]).
pub const HEADER_NONCE: &str = "Nonce";
/// Header `Signature`: standard base64 (with padding) of the RSA signature of [`digest`].
pub const HEADER_SIGNATURE: &str = "Signature";

/// Length of a nonce, in characters.
pub const NONCE_LEN: usize = 16;

/// Largest accepted distance between `REQUEST_TIME` and the verifier's clock: 30 minutes (what
/// Wonder's server enforces on requests). Webhooks have no time window.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(30 * 60);

/// `REQUEST_TIME` of Unix time `unix_seconds`: UTC `yyyymmddHHMMSS`, e.g. `1732175101` →
/// `20241121074501`.
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the time is outside the years 0000 to 9999.
pub fn request_time(unix_seconds: i64) -> Result<String, Error> {
    let t = OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or_else(|| Error::build(format!("Unix time {unix_seconds} is outside the years 0000-9999")))?;
    t.format(format_description!("[year][month][day][hour][minute][second]"))
        .map_err(|e| Error::build_with("cannot format REQUEST_TIME", e))
}

/// Unix seconds of a `REQUEST_TIME` (exactly 14 ASCII digits, a valid UTC date and time).
fn parse_request_time(s: &str) -> Option<i64> {
    let d = s.as_bytes();
    if d.len() != 14 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| (d[i] - b'0') * 10 + (d[i + 1] - b'0');
    let year = i32::from(two(0)) * 100 + i32::from(two(2));
    let date = Date::from_calendar_date(year, Month::try_from(two(4)).ok()?, two(6)).ok()?;
    let time = Time::from_hms(two(8), two(10), two(12)).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc().unix_timestamp())
}

/// The signed content: `UPPER(method)` + `\n` + `path_and_query`, then `\n` + `body` only when
/// `body` is not empty.
///
/// - `method`: HTTP method, any case (`put` → `PUT`).
/// - `path_and_query`: the URI exactly as sent, no scheme or host, e.g.
///   `/svc/payment/api/v1/openapi/recurring_payments/plan?offset=0&limit=10`.
/// - `body`: the exact body bytes sent (no re-encoding); empty for GET.
pub fn content(method: &str, path_and_query: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(method.len() + path_and_query.len() + body.len() + 2);
    out.extend(method.bytes().map(|b| b.to_ascii_uppercase()));
    out.push(b'\n');
    out.extend_from_slice(path_and_query.as_bytes());
    if !body.is_empty() {
        out.push(b'\n');
        out.extend_from_slice(body);
    }
    out
}

/// The digest the RSA key signs: lowercase hex (64 chars) of `HMAC-SHA256(k2, content)` with
/// `k1 = HMAC-SHA256(nonce, request_time)` and `k2 = HMAC-SHA256(k1, "Wonder-RSA-SHA256")`.
///
/// `request_time` is the `yyyymmddHHMMSS` text (see [`request_time`]); `content` comes from
/// [`content`].
pub fn digest(nonce: &str, request_time: &str, content: &[u8]) -> String {
    let mac = |key: &[u8], msg: &[u8]| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg);
    let k1 = mac(nonce.as_bytes(), request_time.as_bytes());
    let k2 = mac(k1.as_ref(), ALGORITHM.as_bytes());
    hex::encode(mac(k2.as_ref(), content))
}

/// Whether `nonce` is exactly 16 characters of `[0-9A-Za-z]`.
pub fn is_valid_nonce(nonce: &str) -> bool {
    nonce.len() == NONCE_LEN && nonce.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A fresh nonce: 16 characters from `[0-9A-Za-z]`, drawn uniformly from the system CSPRNG
/// (aws-lc-rs `SystemRandom`, rejection sampling so there is no modulo bias).
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the system random generator fails.
pub fn generate_nonce() -> Result<String, Error> {
    crate::random::alphanumeric(NONCE_LEN)
}

/// The `Credential` header: `APPID/REQUEST_TIME/Wonder-RSA-SHA256`, e.g.
/// `d900da8b-6e16-4a85-8a66-05d29ac53f24/20241121074501/Wonder-RSA-SHA256`. `Display` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    app_id: String,
    request_time: String,
    unix_seconds: i64,
}

impl Credential {
    /// The credential of app `app_id` (a UUID issued by Wonder; non-empty visible ASCII) at Unix
    /// time `unix_seconds`.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if `app_id` is empty or not visible ASCII,
    /// or the time is outside the years 0000 to 9999.
    pub fn new(app_id: impl Into<String>, unix_seconds: i64) -> Result<Self, Error> {
        let app_id = app_id.into();
        if !is_app_id(&app_id) {
            return Err(Error::build("the Wonder app id must be non-empty visible ASCII"));
        }
        let request_time = request_time(unix_seconds)?;
        Ok(Self {
            app_id,
            request_time,
            unix_seconds,
        })
    }

    /// Parses `APPID/REQUEST_TIME/Wonder-RSA-SHA256`. `None` if the algorithm is not exactly
    /// `Wonder-RSA-SHA256`, `REQUEST_TIME` is not a valid `yyyymmddHHMMSS`, or `APPID` is empty.
    pub fn parse(header: &str) -> Option<Self> {
        Self::parse_checked(header).ok()
    }

    /// [`Credential::parse`] that says what is wrong, for [`verify`].
    fn parse_checked(header: &str) -> Result<Self, SignatureError> {
        use SignatureErrorKind as K;
        let malformed = || {
            SignatureError::new(
                K::MissingHeader,
                format!("`{HEADER_CREDENTIAL}` `{header}` is not APPID/REQUEST_TIME/{ALGORITHM}"),
            )
        };
        let (rest, algorithm) = header.rsplit_once('/').ok_or_else(malformed)?;
        let (app_id, time) = rest.rsplit_once('/').ok_or_else(malformed)?;
        if algorithm != ALGORITHM {
            return Err(SignatureError::new(
                K::UnsupportedSignatureType,
                format!("`{HEADER_CREDENTIAL}` names algorithm `{algorithm}` (expected {ALGORITHM})"),
            ));
        }
        if !is_app_id(app_id) {
            return Err(malformed());
        }
        let unix_seconds = parse_request_time(time).ok_or_else(|| {
            SignatureError::new(
                K::BadTimestamp,
                format!("`{HEADER_CREDENTIAL}` REQUEST_TIME `{time}` is not UTC yyyymmddHHMMSS"),
            )
        })?;
        Ok(Self {
            app_id: app_id.to_owned(),
            request_time: time.to_owned(),
            unix_seconds,
        })
    }

    /// The app id (`APPID`).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// `REQUEST_TIME`: UTC `yyyymmddHHMMSS`.
    pub fn request_time(&self) -> &str {
        &self.request_time
    }

    /// `REQUEST_TIME` as Unix seconds.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }
}

fn is_app_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{ALGORITHM}", self.app_id, self.request_time)
    }
}

/// The three signature header values of a request (or webhook): what [`Signer::sign`] returns
/// and [`verify`] checks. `Debug` shows the signature's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Credential`: `APPID/REQUEST_TIME/Wonder-RSA-SHA256`.
    pub credential: String,
    /// `Nonce`: 16 characters `[0-9A-Za-z]`.
    pub nonce: String,
    /// `Signature`: standard base64 (344 chars for RSA-2048).
    pub signature: String,
}

impl SignedHeaders {
    /// `(header name, value)` pairs in the order `Credential`, `Nonce`, `Signature`.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (HEADER_CREDENTIAL, &self.credential),
            (HEADER_NONCE, &self.nonce),
            (HEADER_SIGNATURE, &self.signature),
        ]
    }
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeaders")
            .field("credential", &self.credential)
            .field("nonce", &self.nonce)
            .field("signature", &format_args!("[{} chars]", self.signature.len()))
            .finish()
    }
}

/// Signs requests for one Wonder app: its app id and its RSA private key (PKCS#8 or PKCS#1).
/// `Debug` never prints the key.
#[derive(Debug)]
pub struct Signer {
    app_id: String,
    key: PrivateKey,
}

impl Signer {
    /// A signer for app `app_id` (e.g. `d900da8b-6e16-4a85-8a66-05d29ac53f24`) with `key`.
    pub fn new(app_id: impl Into<String>, key: PrivateKey) -> Self {
        Self {
            app_id: app_id.into(),
            key,
        }
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The signature headers of a request (see [`content`] for `method`, `path_and_query`,
    /// `body`) sent at Unix time `unix_seconds` with `nonce` (see [`generate_nonce`]).
    /// Deterministic for given inputs.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if `nonce` is not 16 chars `[0-9A-Za-z]`,
    /// the app id is empty or not visible ASCII, the time is outside the years 0000 to 9999, or
    /// RSA signing fails.
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        unix_seconds: i64,
        nonce: &str,
    ) -> Result<SignedHeaders, Error> {
        if !is_valid_nonce(nonce) {
            return Err(Error::build("the Wonder nonce must be 16 characters [0-9A-Za-z]"));
        }
        let credential = Credential::new(self.app_id.as_str(), unix_seconds)?;
        let digest = digest(
            nonce,
            credential.request_time(),
            &content(method, path_and_query, body),
        );
        Ok(SignedHeaders {
            credential: credential.to_string(),
            nonce: nonce.to_owned(),
            signature: self.key.sign_base64(digest.as_bytes())?,
        })
    }
}

/// Verifies the signature `headers` of a request (or webhook) `method path_and_query` with
/// `body` (exact bytes) under `key` (the app's public key, or Wonder's webhook key). When
/// `now_unix_seconds` is given, `REQUEST_TIME` must be at most `max_skew` (normally
/// [`MAX_CLOCK_SKEW`]) away from it in either direction; `None` skips the time check (webhooks).
/// Returns the parsed credential (app id and time).
///
/// The app id is not covered by the signature (only nonce, `REQUEST_TIME`, method, URI and
/// body are): choose `key` by the credential's app id (see [`Credential::parse`]); the key alone
/// authenticates it.
///
/// # Errors
/// A [`SignatureError`] of kind `MissingHeader` (credential not `APPID/REQUEST_TIME/ALGORITHM`
/// with a non-empty visible-ASCII app id, or nonce not 16 chars `[0-9A-Za-z]`),
/// `UnsupportedSignatureType` (algorithm not exactly `Wonder-RSA-SHA256`), `BadTimestamp`
/// (`REQUEST_TIME` not a valid `yyyymmddHHMMSS`), `Expired` (too far from `now_unix_seconds`) or
/// `InvalidSignature` (not base64, or does not verify). The signature is checked last.
pub fn verify(
    key: &PublicKey,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    headers: &SignedHeaders,
    now_unix_seconds: Option<i64>,
    max_skew: Duration,
) -> Result<Credential, SignatureError> {
    use SignatureErrorKind as K;
    let credential = Credential::parse_checked(&headers.credential)?;
    if !is_valid_nonce(&headers.nonce) {
        return Err(SignatureError::new(
            K::MissingHeader,
            format!("`{HEADER_NONCE}` is not {NONCE_LEN} characters [0-9A-Za-z]"),
        ));
    }
    if let Some(now) = now_unix_seconds {
        let skew = now.abs_diff(credential.unix_seconds);
        if skew > max_skew.as_secs() {
            return Err(SignatureError::new(
                K::Expired,
                format!(
                    "REQUEST_TIME {} is {skew} s away from the local clock {now} (limit {} s)",
                    credential.request_time,
                    max_skew.as_secs()
                ),
            ));
        }
    }
    let digest = digest(
        &headers.nonce,
        &credential.request_time,
        &content(method, path_and_query, body),
    );
    if !key.verify_base64(digest.as_bytes(), &headers.signature) {
        return Err(SignatureError::new(
            K::InvalidSignature,
            format!("`{HEADER_SIGNATURE}` does not verify over the method, path, query and body"),
        ));
    }
    Ok(credential)
}
