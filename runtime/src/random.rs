//! Random text for nonces, from the system CSPRNG (aws-lc-rs `SystemRandom`), and the warm-up
//! that does while a client is built the one-time set-up its first call would otherwise pay.

use std::cell::Cell;

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};

use crate::Error;
use crate::rsa::PrivateKey;

/// The 62 characters of a nonce: `[0-9A-Za-z]`.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

thread_local! {
    /// Whether this thread has drawn from the system generator through [`fill`] (aws-lc seeds
    /// a thread's generator on its first draw).
    static DRAWN: Cell<bool> = const { Cell::new(false) };
}

/// Fills `buf` from the system CSPRNG.
fn fill(buf: &mut [u8]) -> Result<(), Error> {
    SystemRandom::new()
        .fill(buf)
        .map_err(|e| Error::build_with("the system random generator failed", e))?;
    DRAWN.with(|drawn| drawn.set(true));
    Ok(())
}

/// `len` characters drawn uniformly from `[0-9A-Za-z]` (rejection sampling, so no modulo bias):
/// WeChat Pay's 32-character and Wonder's 16-character nonces.
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the system random generator fails.
pub(crate) fn alphanumeric(len: usize) -> Result<String, Error> {
    // 248 = 4 * 62: bytes below it map uniformly onto the alphabet.
    const LIMIT: u8 = 248;
    let mut text = String::with_capacity(len);
    let mut buf = [0_u8; 48];
    while text.len() < len {
        fill(&mut buf)?;
        let fresh = buf.iter().filter(|b| **b < LIMIT).take(len - text.len());
        text.extend(fresh.map(|b| char::from(ALPHABET[usize::from(b % 62)])));
    }
    Ok(text)
}

/// Does now, while a client is built, the one-time set-up its first call would otherwise pay,
/// so the first call costs what the next ones do (plus opening its connection):
/// - draws from the system random generator, which aws-lc seeds on first use (process-wide, and
///   for the building thread);
/// - signs once with `private_key`: aws-lc finishes an RSA private key's set-up (its Montgomery
///   contexts and blinding) on the key's first signature, about a third of a signature's time
///   for RSA-2048 (`cargo xtask bench`, `first_sign`). A public key's first verification sets
///   up little (`first_verify`), so public keys are left alone.
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if the random generator or the signature fails.
pub(crate) fn warm_up(private_key: &PrivateKey) -> Result<(), Error> {
    fill(&mut [0_u8; 32])?;
    private_key.sign(b"sdk-runtime warm-up")?;
    Ok(())
}

/// Whether this thread has drawn from the system generator through this module.
#[cfg(test)]
pub(crate) fn drawn_on_this_thread() -> bool {
    DRAWN.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::encoding::AsDer as _;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;

    use super::*;

    fn fresh_key() -> PrivateKey {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        PrivateKey::from_pkcs8_der(pair.as_der().expect("PKCS#8").as_ref()).expect("key")
    }

    #[test]
    fn nonces_are_alphanumeric_of_the_length_asked() {
        let nonce = alphanumeric(32).expect("nonce");
        assert_eq!(nonce.len(), 32);
        assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(nonce, alphanumeric(32).expect("nonce"));
    }

    /// The first call after `build()` does not seed the generator: building did, on the thread
    /// that built the client (a fresh thread here, which had never drawn).
    #[test]
    fn building_a_client_seeds_the_generator_on_the_building_thread() {
        let (merchant, wechatpay_key) = (fresh_key(), fresh_key().public_key());
        let app = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let app_pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            BASE64.encode(app.as_der().expect("PKCS#8").as_ref())
        );
        std::thread::spawn(move || {
            assert!(!drawn_on_this_thread());
            let client = crate::wechatpay::Client::builder()
                .mchid("1900000109")
                .merchant_serial_number("3775B6A45ACD588826D15E583A95F5DD00000000")
                .merchant_private_key(merchant)
                .wechatpay_public_key("PUB_KEY_ID_0114232134912410000000000000", wechatpay_key)
                .build()
                .expect("client");
            assert!(drawn_on_this_thread());
            drop(client);
        })
        .join()
        .expect("WeChat Pay client thread");
        std::thread::spawn(move || {
            assert!(!drawn_on_this_thread());
            let _client = crate::wonder::Client::builder()
                .app_id("d900da8b-6e16-4a85-8a66-05d29ac53f24")
                .private_key_pem(&app_pem)
                .expect("app key")
                .build()
                .expect("client");
            assert!(drawn_on_this_thread());
        })
        .join()
        .expect("Wonder client thread");
    }

    #[test]
    fn the_key_signs_and_verifies_as_before_after_the_warm_up() {
        let key = fresh_key();
        warm_up(&key).expect("warm-up");
        let signature = key.sign(b"after the warm-up").expect("sign");
        assert!(key.public_key().verify(b"after the warm-up", &signature));
    }
}
