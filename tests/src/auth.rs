//! Request verification: the `Authorization: WECHATPAY2-SHA256-RSA2048 …` header.

use std::fmt;
use std::io;

use aws_lc_rs::signature::ParsedPublicKey;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::MockConfig;
use crate::keys::load_public_key;
use crate::sign::SIGNATURE_TYPE;

/// How far (in seconds) a request timestamp may be from the server clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Why a request's `Authorization` was rejected (becomes a 401 `SIGN_ERROR` message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError(pub String);

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AuthError {}

fn fail<T>(message: impl Into<String>) -> Result<T, AuthError> {
    Err(AuthError(message.into()))
}

/// The five parameters of a `WECHATPAY2-SHA256-RSA2048` `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// Merchant id (`mchid`).
    pub mchid: String,
    /// The request nonce (`nonce_str`).
    pub nonce_str: String,
    /// Unix seconds, as sent (`timestamp`).
    pub timestamp: String,
    /// Serial number of the merchant API certificate (`serial_no`).
    pub serial_no: String,
    /// Base64 signature (`signature`).
    pub signature: String,
}

/// Parses `WECHATPAY2-SHA256-RSA2048 k="v",k="v",…` (pairs in any order; all five required,
/// none repeated; unknown keys ignored; optional spaces after commas).
pub fn parse_authorization(value: &str) -> Result<Authorization, AuthError> {
    let Some(params) = value
        .strip_prefix(SIGNATURE_TYPE)
        .and_then(|rest| rest.strip_prefix(' '))
    else {
        return fail(format!(
            "Authorization scheme must be {SIGNATURE_TYPE} followed by a space"
        ));
    };
    let mut slots: [(&str, Option<String>); 5] = [
        ("mchid", None),
        ("nonce_str", None),
        ("timestamp", None),
        ("serial_no", None),
        ("signature", None),
    ];
    let mut rest = params.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            return fail(format!("malformed Authorization parameter near {rest:?}"));
        };
        let key = key.trim();
        let Some(after) = after.strip_prefix('"') else {
            return fail(format!("Authorization value of {key} must be quoted"));
        };
        let Some((val, tail)) = after.split_once('"') else {
            return fail(format!("unterminated quote in Authorization value of {key}"));
        };
        if let Some(slot) = slots.iter_mut().find(|(name, _)| *name == key) {
            if slot.1.is_some() {
                return fail(format!("Authorization parameter {key} is repeated"));
            }
            slot.1 = Some(val.to_owned());
        }
        let tail = tail.trim_start();
        rest = match tail.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if tail.is_empty() => tail,
            None => return fail(format!("expected ',' after Authorization value of {key}")),
        };
    }
    let mut take = |i: usize| -> Result<String, AuthError> {
        let (name, value) = &mut slots[i];
        match value.take() {
            Some(v) if !v.is_empty() => Ok(v),
            _ => fail(format!("Authorization parameter {name} is missing or empty")),
        }
    };
    Ok(Authorization {
        mchid: take(0)?,
        nonce_str: take(1)?,
        timestamp: take(2)?,
        serial_no: take(3)?,
        signature: take(4)?,
    })
}

/// Builds the message a request signature covers:
/// `METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n`.
pub fn request_message(method: &str, target: &str, timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(method.len() + target.len() + body.len() + 80);
    for part in [method, target, timestamp, nonce] {
        message.extend_from_slice(part.as_bytes());
        message.push(b'\n');
    }
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// Verifies merchant request signatures for one configured merchant.
pub struct RequestVerifier {
    mchid: String,
    serial_no: String,
    key: ParsedPublicKey,
}

impl RequestVerifier {
    /// Builds a verifier from the merchant id, serial and public key of `config`.
    pub fn new(config: &MockConfig) -> io::Result<Self> {
        Ok(Self {
            mchid: config.mchid.clone(),
            serial_no: config.merchant_serial_no.clone(),
            key: load_public_key(&config.merchant_public_key_pem)?,
        })
    }

    /// Verifies a request as WeChat Pay does: `authorization` is the header value (if any),
    /// `target` the request path and `?query` exactly as received, `body` the raw bytes and
    /// `now` the server clock in Unix seconds.
    pub fn verify(
        &self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Authorization, AuthError> {
        let Some(header) = authorization else {
            return fail("missing Authorization header");
        };
        let auth = parse_authorization(header)?;
        if auth.mchid != self.mchid {
            return fail(format!("mchid {:?} is not the configured merchant", auth.mchid));
        }
        if !auth.serial_no.eq_ignore_ascii_case(&self.serial_no) {
            return fail(format!(
                "serial_no {:?} does not name the merchant's API certificate",
                auth.serial_no
            ));
        }
        let digits = !auth.timestamp.is_empty() && auth.timestamp.bytes().all(|b| b.is_ascii_digit());
        let Some(timestamp) = auth.timestamp.parse::<i64>().ok().filter(|_| digits) else {
            return fail(format!("timestamp {:?} is not Unix seconds", auth.timestamp));
        };
        if (now - timestamp).abs() > MAX_CLOCK_SKEW_SECS {
            return fail(format!(
                "timestamp {timestamp} is more than {MAX_CLOCK_SKEW_SECS} s from server time {now}"
            ));
        }
        let Ok(signature) = STANDARD.decode(auth.signature.as_bytes()) else {
            return fail("signature is not valid base64");
        };
        let message = request_message(method, target, &auth.timestamp, &auth.nonce_str, body);
        if self.key.verify_sig(&message, &signature).is_err() {
            return fail("signature does not verify with the merchant public key");
        }
        Ok(auth)
    }
}

impl fmt::Debug for RequestVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestVerifier")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .finish_non_exhaustive()
    }
}
