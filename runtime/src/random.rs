//! Random text for nonces, from the system CSPRNG (aws-lc-rs `SystemRandom`).

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};

use crate::Error;

/// The 62 characters of a nonce: `[0-9A-Za-z]`.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` characters drawn uniformly from `[0-9A-Za-z]` (rejection sampling, so no modulo bias):
/// WeChat Pay's 32-character and Wonder's 16-character nonces.
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the system random generator fails.
pub(crate) fn alphanumeric(len: usize) -> Result<String, Error> {
    // 248 = 4 * 62: bytes below it map uniformly onto the alphabet.
    const LIMIT: u8 = 248;
    let rng = SystemRandom::new();
    let mut text = String::with_capacity(len);
    let mut buf = [0_u8; 48];
    while text.len() < len {
        rng.fill(&mut buf)
            .map_err(|e| Error::build_with("the system random generator failed", e))?;
        let fresh = buf.iter().filter(|b| **b < LIMIT).take(len - text.len());
        text.extend(fresh.map(|b| char::from(ALPHABET[usize::from(b % 62)])));
    }
    Ok(text)
}
