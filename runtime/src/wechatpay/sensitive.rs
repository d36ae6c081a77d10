//! Sensitive fields: [`Encryptor`] encrypts request fields with a WeChat Pay key (RSAES-OAEP,
//! SHA-1 and MGF1-SHA-1) and names that same key in the `Wechatpay-Serial` request header.
//!
//! Source: `shared/design/protocols.md` ("Sensitive fields") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html>.

use std::fmt;

use super::keys::PublicKey;
use crate::Error;

/// Encrypts sensitive request fields (names, ID numbers, phone numbers, bank accounts) with one
/// WeChat Pay key, and tells the request which key that was.
///
/// Obtained from [`Client::encryptor`](super::Client::encryptor), or handed to the body-building
/// closure of a generated operation whose docs declare the `Wechatpay-Serial` header; that
/// operation then sends `Wechatpay-Serial: <this encryptor's serial>`, so the header always names
/// the key that encrypted. Cheap to clone. `Debug` shows the serial only.
///
/// Use one encryptor for one request, the one handed to you: after a key rotation the client's
/// next encryptor names the new key, and ciphertexts made with an older one would no longer match
/// the request's `Wechatpay-Serial`.
#[derive(Clone)]
pub struct Encryptor {
    serial: String,
    key: PublicKey,
}

impl Encryptor {
    pub(crate) fn new(serial: String, key: PublicKey) -> Self {
        Self { serial, key }
    }

    /// The id of the key that encrypts: a WeChat Pay public key id (`PUB_KEY_ID_…`) or a
    /// platform certificate serial number; sent as `Wechatpay-Serial`.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Encrypts one field value: RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label), standard base64.
    /// Randomized, so two calls give different ciphertexts.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if `plaintext` is over 214 bytes (UTF-8)
    /// for an RSA-2048 key. The error never contains the plaintext.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, Error> {
        self.key.encrypt_oaep_base64(plaintext.as_bytes())
    }
}

impl fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encryptor")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}
