//! [`ApiV3Key`]: the merchant's APIv3 key, which decrypts platform certificates and webhook
//! resources with AEAD_AES_256_GCM.
//!
//! Source: `shared/design/protocols.md` ("Platform certificates") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/certificate-callback-decryption.html>.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::{Error, Secret};

/// Length of the APIv3 key in bytes: 32 ASCII characters, used as an AES-256 key.
pub const APIV3_KEY_LEN: usize = 32;

/// The APIv3 key set in the merchant platform: 32 ASCII characters whose bytes are the
/// AES-256-GCM key for `encrypt_certificate` and webhook `resource` objects.
///
/// `Debug` prints `ApiV3Key([redacted])`; errors never echo the key.
#[derive(Clone)]
pub struct ApiV3Key(Secret<[u8; APIV3_KEY_LEN]>);

impl ApiV3Key {
    /// Takes the key as configured in the merchant platform.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) unless `key` is exactly 32 bytes (a key of
    /// another length is a configuration error, not something to pad or truncate).
    pub fn new(key: &str) -> Result<Self, Error> {
        let bytes: [u8; APIV3_KEY_LEN] = key.as_bytes().try_into().map_err(|_| {
            Error::build(format!(
                "the APIv3 key must be exactly {APIV3_KEY_LEN} bytes (got {})",
                key.len()
            ))
        })?;
        Ok(Self(Secret::new(bytes)))
    }

    /// Decrypts an AEAD_AES_256_GCM object: `nonce` (12 characters, used as bytes),
    /// `associated_data` (bytes, may be empty) and `ciphertext` (standard base64 of the
    /// ciphertext followed by the 16-byte tag). Returns the plaintext bytes.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if the nonce is not 12 bytes, the
    /// ciphertext is not base64, or authentication fails (wrong key, tampered data).
    pub fn decrypt(
        &self,
        nonce: &str,
        associated_data: &str,
        ciphertext_b64: &str,
    ) -> Result<Vec<u8>, Error> {
        let nonce: [u8; NONCE_LEN] = nonce.as_bytes().try_into().map_err(|_| {
            Error::crypto(format!(
                "the AES-GCM nonce must be {NONCE_LEN} bytes (got {})",
                nonce.len()
            ))
        })?;
        let mut in_out = BASE64
            .decode(ciphertext_b64.trim())
            .map_err(|_| Error::crypto("the AES-GCM ciphertext is not valid base64"))?;
        let key = UnboundKey::new(&AES_256_GCM, self.0.expose_secret())
            .map(LessSafeKey::new)
            .map_err(|_| Error::crypto("cannot use the APIv3 key as an AES-256 key"))?;
        let plaintext = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| {
                Error::crypto("AES-256-GCM authentication failed (wrong APIv3 key or tampered data)")
            })?;
        Ok(plaintext.to_vec())
    }
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ApiV3Key").field(&self.0).finish()
    }
}
