//! [`ApiV2Key`]: the merchant's APIv2 key, which signs APIv2 requests and verifies responses
//! (MD5 or HMAC-SHA256), and, through its MD5, decrypts refund notifications' `req_info`.
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)") and
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3>.

use std::fmt;

use crate::{Error, Secret};

/// Length of the APIv2 key: 32 ASCII characters.
pub const APIV2_KEY_LEN: usize = 32;

/// The APIv2 key set in the merchant platform (账户中心 → API安全 → API密钥): 32 printable ASCII
/// characters (in practice `[0-9A-Za-z]`). Appended as `&key=…` to the string to sign for MD5,
/// and the HMAC key for HMAC-SHA256.
///
/// `Debug` prints `ApiV2Key([redacted])`; errors never echo the key.
#[derive(Clone)]
pub struct ApiV2Key(Secret<String>);

impl ApiV2Key {
    /// Takes the key as configured in the merchant platform.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) unless `key` is exactly 32 printable ASCII
    /// characters (no spaces or controls): a key of another shape is a configuration error,
    /// not something to trim or pad.
    pub fn new(key: &str) -> Result<Self, Error> {
        if key.len() != APIV2_KEY_LEN {
            return Err(Error::build(format!(
                "the APIv2 key must be exactly {APIV2_KEY_LEN} ASCII characters (got {} bytes)",
                key.len()
            )));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::build(
                "the APIv2 key must be printable ASCII (no spaces, controls or non-ASCII characters)",
            ));
        }
        Ok(Self(Secret::new(key.to_owned())))
    }

    /// The key's bytes, for signing and key derivation only.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiV2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ApiV2Key").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn length_and_charset_are_checked_and_debug_is_redacted() {
        let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").expect("a 32-character key");
        assert_eq!(format!("{key:?}"), "ApiV2Key([redacted])");
        for bad in [
            "short",
            "192006250b4c09247ec02edce69f6a2d0",
            "192006250b4c09247ec02edce69f6a2 ",
        ] {
            let e = ApiV2Key::new(bad).expect_err(bad);
            assert_eq!(e.kind(), ErrorKind::Build);
            assert!(!e.to_string().contains(bad), "{e}");
        }
        // 32 bytes, but not ASCII.
        assert!(ApiV2Key::new("中中中中中中中中中中ab").is_err());
    }
}
