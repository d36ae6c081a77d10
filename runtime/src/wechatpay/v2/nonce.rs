//! `nonce_str`: the random string every APIv2 request carries (except the few endpoints sent
//! without one, see [`Operation::no_nonce`](super::Operation::no_nonce)).
//!
//! Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3> (随机数生成算法).

use crate::Error;

/// Length of the `nonce_str` this client sends: 32 characters, the most the docs allow.
pub const NONCE_STR_LEN: usize = 32;

/// A fresh `nonce_str`: 32 characters drawn uniformly from `[0-9A-Za-z]` with the system CSPRNG.
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the system random generator fails.
pub fn nonce_str() -> Result<String, Error> {
    crate::random::alphanumeric(NONCE_STR_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_two_alphanumerics_each_time_new() {
        let a = nonce_str().expect("nonce");
        assert_eq!(a.len(), NONCE_STR_LEN);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, nonce_str().expect("nonce"));
    }
}
