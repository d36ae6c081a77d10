//! APIv2 signatures: `sign` = uppercase hex MD5 or HMAC-SHA256 of the parameters, sorted and
//! joined, with the APIv2 key appended.
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)") and
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3>.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use aws_lc_rs::{constant_time, hmac};
use md5::{Digest as _, Md5};

use super::key::ApiV2Key;
use crate::{Error, SignatureError, SignatureErrorKind};

/// The name of the signature field.
pub const SIGN_FIELD: &str = "sign";

/// The name of the field that says which algorithm signed a request (itself signed).
pub const SIGN_TYPE_FIELD: &str = "sign_type";

/// An APIv2 signature algorithm, as named in the `sign_type` field.
///
/// A request without `sign_type` is signed with MD5; a response sign of 64 hex characters is
/// HMAC-SHA256, any other MD5 (see [`verify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// `MD5`: uppercase hex MD5 of `string_to_sign&key=KEY` (32 characters). The default.
    #[default]
    Md5,
    /// `HMAC-SHA256`: uppercase hex HMAC-SHA256, keyed by the APIv2 key, of
    /// `string_to_sign&key=KEY` (64 characters).
    HmacSha256,
}

impl SignType {
    /// The `sign_type` value: `"MD5"` or `"HMAC-SHA256"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::HmacSha256 => "HMAC-SHA256",
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignType {
    type Err = Error;

    /// `"MD5"` or `"HMAC-SHA256"`, exactly as the docs spell them.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) for any other text.
    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "MD5" => Ok(Self::Md5),
            "HMAC-SHA256" => Ok(Self::HmacSha256),
            _ => Err(Error::build(
                "unsupported sign_type: APIv2 signs with `MD5` or `HMAC-SHA256`",
            )),
        }
    }
}

/// The string the signature covers, without the key: every parameter except `sign` and those
/// with an empty value, sorted by key byte-wise, as `k=v` joined by `&` (values raw, not
/// URL-encoded), e.g. `appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA`.
pub fn string_to_sign(params: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    // A BTreeMap<String, _> iterates in byte-wise key order.
    for (key, value) in params {
        if key == SIGN_FIELD || value.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The `sign` of `params` under `key` with `sign_type`: uppercase hex of MD5 (32 characters) or
/// HMAC-SHA256 (64 characters) over [`string_to_sign`]`&key=KEY`. A `sign` already in `params`
/// is ignored; a `sign_type` in `params` is signed like any field but does not choose the
/// algorithm (`sign_type` does).
pub fn sign(params: &BTreeMap<String, String>, key: &ApiV2Key, sign_type: SignType) -> String {
    let mut message = string_to_sign(params);
    message.push_str(if message.is_empty() { "key=" } else { "&key=" });
    message.push_str(key.expose());
    let digest = match sign_type {
        SignType::Md5 => hex::encode_upper(Md5::digest(message.as_bytes())),
        SignType::HmacSha256 => {
            let hmac_key = hmac::Key::new(hmac::HMAC_SHA256, key.expose().as_bytes());
            hex::encode_upper(hmac::sign(&hmac_key, message.as_bytes()))
        }
    };
    drop(message);
    digest
}

/// Verifies the `sign` field of a response or notification: HMAC-SHA256 when it is 64
/// characters long, MD5 otherwise, compared in constant time with the expected uppercase hex
/// (case matters, as in the official SDKs).
///
/// # Errors
/// [`Signature`](crate::ErrorKind::Signature) with
/// [`MissingSignature`](SignatureErrorKind::MissingSignature) if `sign` is absent or empty, or
/// [`InvalidSignature`](SignatureErrorKind::InvalidSignature) if it does not match. Neither
/// error holds the signature or a value.
pub fn verify(params: &BTreeMap<String, String>, key: &ApiV2Key) -> Result<(), Error> {
    let received = match params.get(SIGN_FIELD) {
        Some(sign) if !sign.is_empty() => sign,
        _ => {
            return Err(Error::signature(
                SignatureError::new(
                    SignatureErrorKind::MissingSignature,
                    "the APIv2 `sign` field is missing or empty",
                ),
                None,
                None,
            ));
        }
    };
    let sign_type = if received.len() == 64 {
        SignType::HmacSha256
    } else {
        SignType::Md5
    };
    let expected = sign(params, key, sign_type);
    constant_time::verify_slices_are_equal(expected.as_bytes(), received.as_bytes()).map_err(|_| {
        Error::signature(
            SignatureError::new(
                SignatureErrorKind::InvalidSignature,
                format!("the APIv2 `sign` ({}) does not match", sign_type.as_str()),
            ),
            None,
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    /// `v2_sign_official` (shared/test-vectors): the signature guide's example.
    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
    const STRING_A: &str =
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA";
    const MD5: &str = "9A0A8659F005D6984697E2CA0A9CF3B7";
    const HMAC_SHA256: &str = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";

    fn params() -> BTreeMap<String, String> {
        [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn the_official_example_both_ways() {
        let key = ApiV2Key::new(KEY).expect("key");
        let mut p = params();
        assert_eq!(string_to_sign(&p), STRING_A);
        assert_eq!(sign(&p, &key, SignType::Md5), MD5);
        assert_eq!(sign(&p, &key, SignType::HmacSha256), HMAC_SHA256);
        // `sign` and empty values are not signed.
        p.insert("sign".into(), "anything".into());
        p.insert("detail".into(), String::new());
        assert_eq!(string_to_sign(&p), STRING_A);
        assert_eq!(sign(&p, &key, SignType::Md5), MD5);
    }

    #[test]
    fn verify_picks_the_algorithm_by_length() {
        let key = ApiV2Key::new(KEY).expect("key");
        for good in [MD5, HMAC_SHA256] {
            let mut p = params();
            p.insert("sign".into(), good.into());
            verify(&p, &key).expect(good);
            p.insert("sign".into(), good.to_ascii_lowercase());
            let e = verify(&p, &key).expect_err("lowercase");
            assert_eq!(
                e.kind(),
                ErrorKind::Signature(SignatureErrorKind::InvalidSignature)
            );
            p.insert("sign".into(), good.into());
            p.insert("body".into(), "tampered".into());
            let e = verify(&p, &key).expect_err("tampered");
            assert_eq!(
                e.kind(),
                ErrorKind::Signature(SignatureErrorKind::InvalidSignature)
            );
            assert!(!format!("{e:?}").contains(good), "{e:?}");
        }
        let mut p = params();
        let e = verify(&p, &key).expect_err("no sign");
        assert_eq!(
            e.kind(),
            ErrorKind::Signature(SignatureErrorKind::MissingSignature)
        );
        p.insert("sign".into(), String::new());
        let e = verify(&p, &key).expect_err("empty sign");
        assert_eq!(
            e.kind(),
            ErrorKind::Signature(SignatureErrorKind::MissingSignature)
        );
        let other = ApiV2Key::new("00000000000000000000000000000000").expect("key");
        p.insert("sign".into(), MD5.into());
        assert!(verify(&p, &other).is_err());
    }

    #[test]
    fn sign_type_names() {
        for t in [SignType::Md5, SignType::HmacSha256] {
            assert_eq!(t.as_str().parse::<SignType>().expect("parses"), t);
            assert_eq!(t.to_string(), t.as_str());
        }
        assert_eq!(
            "md5".parse::<SignType>().expect_err("case").kind(),
            ErrorKind::Build
        );
        assert_eq!(SignType::default(), SignType::Md5);
    }
}
