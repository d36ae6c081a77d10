//! The APIv2 sign, written here from the protocol (never `sdk_runtime`'s), so the mock checks
//! the client independently.
//!
//! Drop `sign` and empty values, sort the rest by name (byte-wise), join `name=value` with `&`
//! (values raw, not URL-encoded), append `&key=<APIv2 key>`, then MD5 (or HMAC-SHA256 keyed by
//! the APIv2 key) as upper-case hex. `sign_type`, when present, is signed like any field.

use std::fmt;

use aws_lc_rs::hmac;
use md5::{Digest, Md5};

/// The hash of an APIv2 sign, named by the request's `sign_type` (default MD5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignType {
    /// `MD5` (what WeChat Pay assumes without `sign_type`): 32 upper-case hex digits.
    #[default]
    Md5,
    /// `HMAC-SHA256`, keyed by the APIv2 key: 64 upper-case hex digits.
    HmacSha256,
}

impl SignType {
    /// The `sign_type` value: `MD5` or `HMAC-SHA256`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// The sign type a request's `sign_type` names: absent or empty → MD5, `MD5`,
    /// `HMAC-SHA256`; `None` for anything else.
    pub fn from_param(value: Option<&str>) -> Option<SignType> {
        match value {
            None | Some("" | "MD5") => Some(SignType::Md5),
            Some("HMAC-SHA256") => Some(SignType::HmacSha256),
            Some(_) => None,
        }
    }

    /// The sign type of a sign, as clients tell an answer's: 64 characters → HMAC-SHA256,
    /// otherwise MD5.
    pub fn of_sign(sign: &str) -> SignType {
        if sign.len() == 64 {
            SignType::HmacSha256
        } else {
            SignType::Md5
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string that is hashed: `a=1&b=2&key=KEY` (without `sign` and empty values, sorted
/// byte-wise by name).
pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(
    params: impl IntoIterator<Item = (K, V)>,
    key: &str,
) -> String {
    let mut pairs: Vec<(K, V)> = params
        .into_iter()
        .filter(|(k, v)| k.as_ref() != "sign" && !v.as_ref().is_empty())
        .collect();
    pairs.sort_by(|(a, _), (b, _)| a.as_ref().as_bytes().cmp(b.as_ref().as_bytes()));
    let mut out = String::new();
    for (k, v) in &pairs {
        out.push_str(k.as_ref());
        out.push('=');
        out.push_str(v.as_ref());
        out.push('&');
    }
    out.push_str("key=");
    out.push_str(key);
    out
}

/// The APIv2 sign of `params` with the APIv2 `key`: upper-case hex of the MD5 or HMAC-SHA256
/// of [`string_to_sign`]. A `sign` among the params is ignored.
///
/// ```
/// use wechatpay_mock::apiv2::{SignType, sign};
/// let params = [("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("device_info", "1000"),
///     ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA")];
/// let key = "192006250b4c09247ec02edce69f6a2d";
/// assert_eq!(sign(params, key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
/// ```
pub fn sign<K: AsRef<str>, V: AsRef<str>>(
    params: impl IntoIterator<Item = (K, V)>,
    key: &str,
    sign_type: SignType,
) -> String {
    let message = string_to_sign(params, key);
    match sign_type {
        SignType::Md5 => upper_hex(&Md5::digest(message.as_bytes())),
        SignType::HmacSha256 => {
            let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
            upper_hex(hmac::sign(&key, message.as_bytes()).as_ref())
        }
    }
}

/// Whether `params` carry a `sign` that matches their other fields under `key`, with the given
/// sign type (compared in constant time).
pub fn verify<K: AsRef<str>, V: AsRef<str>>(
    params: impl IntoIterator<Item = (K, V)> + Clone,
    key: &str,
    sign_type: SignType,
) -> bool {
    let Some(given) = params
        .clone()
        .into_iter()
        .find(|(k, _)| k.as_ref() == "sign")
        .map(|(_, v)| v.as_ref().to_owned())
    else {
        return false;
    };
    let expected = sign(params, key, sign_type);
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok()
}

/// A fresh `nonce_str`: 32 random characters `[0-9A-Za-z]` (the most WeChat Pay allows).
pub fn nonce_str() -> String {
    crate::sign::random_alphanumeric(32)
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
    const VECTOR: [(&str, &str); 5] = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];

    #[test]
    fn reproduces_the_documented_vector() {
        assert_eq!(
            string_to_sign(VECTOR, KEY),
            "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d"
        );
        assert_eq!(
            sign(VECTOR, KEY, SignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        assert_eq!(
            sign(VECTOR, KEY, SignType::HmacSha256),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn sign_and_empty_values_are_not_signed() {
        let mut params: Vec<(&str, &str)> = VECTOR.to_vec();
        params.push(("sign", "WHATEVER"));
        params.push(("attach", ""));
        assert_eq!(
            sign(params.clone(), KEY, SignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        assert!(!verify(params.clone(), KEY, SignType::Md5));
        params.retain(|(k, _)| *k != "sign");
        params.push(("sign", "9A0A8659F005D6984697E2CA0A9CF3B7"));
        assert!(verify(params, KEY, SignType::Md5));
    }

    #[test]
    fn sign_types() {
        assert_eq!(SignType::from_param(None), Some(SignType::Md5));
        assert_eq!(
            SignType::from_param(Some("HMAC-SHA256")),
            Some(SignType::HmacSha256)
        );
        assert_eq!(SignType::from_param(Some("SHA1")), None);
        assert_eq!(SignType::of_sign(&"A".repeat(64)), SignType::HmacSha256);
        assert_eq!(nonce_str().len(), 32);
    }
}
