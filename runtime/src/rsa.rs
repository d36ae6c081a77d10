//! RSA keys, provider-neutral: a private key that signs (RSASSA-PKCS1-v1_5 + SHA-256) and
//! decrypts (RSAES-OAEP, SHA-1), and a public key that verifies and encrypts. WeChat Pay signs
//! and encrypts with them; Wonder signs with them.
//!
//! All crypto goes through `aws-lc-rs`: keys of 2048 to 8192 bits; PKCS#8 and PKCS#1 private keys.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{PrivateKeyDer, SubjectPublicKeyInfoDer};

use crate::{Error, Secret};

/// An RSA private key that signs with RSASSA-PKCS1-v1_5 + SHA-256 and decrypts RSAES-OAEP
/// (SHA-1, MGF1-SHA-1): the merchant API key (`apiclient_key.pem`), or, in tests and mocks,
/// WeChat Pay's platform key.
///
/// `Debug` prints `PrivateKey([redacted])`; errors never echo key material.
pub struct PrivateKey {
    key_pair: Secret<RsaKeyPair>,
    decrypting: Secret<OaepPrivateDecryptingKey>,
}

impl PrivateKey {
    /// Parses a PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, what the WeChat Pay
    /// merchant platform issues) or PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). Other PEM sections
    /// (e.g. a certificate) in the same text are skipped.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) when there is no such PEM section, it is not
    /// valid base64, it is an EC key, or aws-lc-rs rejects the RSA key.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        match PrivateKeyDer::from_pem_slice(pem.as_bytes()) {
            Ok(PrivateKeyDer::Pkcs8(der)) => Self::from_pkcs8_der(der.secret_pkcs8_der()),
            Ok(PrivateKeyDer::Pkcs1(der)) => Self::from_pkcs1_der(der.secret_pkcs1_der()),
            Ok(_) => Err(Error::build(
                "the merchant private key is not an RSA key (found an EC/SEC1 key)",
            )),
            // The pem error is not chained: some variants quote input lines.
            Err(pem::Error::NoItemsFound) => Err(Error::build(
                "no `-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----` section \
                 found in the merchant private key PEM",
            )),
            Err(_) => Err(Error::build("the merchant private key PEM is malformed")),
        }
    }

    /// Parses a DER PKCS#8 `PrivateKeyInfo` holding an RSA key.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) when aws-lc-rs rejects the key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        RsaKeyPair::from_pkcs8(der)
            .map_err(|e| Error::build_with("invalid PKCS#8 RSA private key", e))
            .and_then(Self::from_key_pair)
    }

    /// Parses a DER PKCS#1 `RSAPrivateKey`.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) when aws-lc-rs rejects the key.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        RsaKeyPair::from_der(der)
            .map_err(|e| Error::build_with("invalid PKCS#1 RSA private key", e))
            .and_then(Self::from_key_pair)
    }

    fn from_key_pair(key_pair: RsaKeyPair) -> Result<Self, Error> {
        // The decrypting half is built from the same key, re-encoded as PKCS#8.
        let decrypting = key_pair
            .as_der()
            .ok()
            .and_then(|der| PrivateDecryptingKey::from_pkcs8(der.as_ref()).ok())
            .and_then(|key| OaepPrivateDecryptingKey::new(key).ok())
            .ok_or_else(|| Error::build("the RSA private key cannot be used for RSA-OAEP decryption"))?;
        Ok(Self {
            key_pair: Secret::new(key_pair),
            decrypting: Secret::new(decrypting),
        })
    }

    /// Decrypts an RSAES-OAEP ciphertext (SHA-1 and MGF1-SHA-1, empty label), the padding WeChat
    /// Pay uses for sensitive fields; returns the plaintext bytes.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if the ciphertext does not decrypt under
    /// this key (wrong key, wrong padding, tampered). The message never echoes the plaintext.
    pub fn decrypt_oaep(&self, ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
        let key = self.decrypting.expose_secret();
        let mut out = vec![0; key.min_output_size()];
        let plaintext = key
            .decrypt(&OAEP_SHA1_MGF1SHA1, ciphertext, &mut out, None)
            .map_err(|_| Error::crypto("RSA-OAEP decryption failed (wrong key or tampered ciphertext)"))?;
        Ok(plaintext.to_vec())
    }

    /// [`PrivateKey::decrypt_oaep`] of a standard-base64 ciphertext, as UTF-8 text: how encrypted
    /// response fields (e.g. a receiver's `name`) arrive.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if it is not base64, does not decrypt, or
    /// the plaintext is not UTF-8.
    pub fn decrypt_oaep_base64(&self, ciphertext_b64: &str) -> Result<String, Error> {
        let ciphertext = BASE64
            .decode(ciphertext_b64.trim())
            .map_err(|_| Error::crypto("the encrypted field is not valid base64"))?;
        String::from_utf8(self.decrypt_oaep(&ciphertext)?)
            .map_err(|_| Error::crypto("the decrypted field is not UTF-8 text"))
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 + SHA-256; returns the raw signature (as many
    /// bytes as the modulus, 256 for RSA-2048). Deterministic.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if aws-lc-rs fails to sign (not expected).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let key_pair = self.key_pair.expose_secret();
        let mut signature = vec![0; key_pair.public_modulus_len()];
        key_pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|e| Error::build_with("RSA signing failed", e))?;
        Ok(signature)
    }

    /// [`PrivateKey::sign`], then standard base64 (with padding): the form WeChat Pay uses in
    /// `Authorization` and `Wechatpay-Signature`.
    ///
    /// # Errors
    /// As [`PrivateKey::sign`].
    pub fn sign_base64(&self, message: &[u8]) -> Result<String, Error> {
        self.sign(message).map(|s| BASE64.encode(s))
    }

    /// The matching public key, e.g. for a mock server that verifies request signatures.
    pub fn public_key(&self) -> PublicKey {
        use aws_lc_rs::signature::KeyPair as _;
        let der = self.key_pair.expose_secret().public_key().as_ref();
        // An RSA key pair that aws-lc-rs accepted always yields a valid public key.
        PublicKey::from_der(der).expect("public half of a valid RSA key pair")
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PrivateKey").field(&self.key_pair).finish()
    }
}

/// An RSA public key that verifies RSASSA-PKCS1-v1_5 + SHA-256 signatures: the WeChat Pay public
/// key (`pub_key.pem`, id `PUB_KEY_ID_…`), a platform certificate's key, or the merchant's public
/// key in a mock server. Parsed once; cheap to clone.
#[derive(Clone)]
pub struct PublicKey {
    key: ParsedPublicKey,
    encrypting: Arc<OaepPublicEncryptingKey>,
}

impl PublicKey {
    /// Parses a PEM `-----BEGIN PUBLIC KEY-----` (X.509 SubjectPublicKeyInfo) section.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) when there is no such section, it is
    /// malformed, or it is not an RSA key of 2048 to 8192 bits.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| Error::build_with("invalid WeChat Pay public key PEM (expected PUBLIC KEY)", e))?;
        Self::from_der(der.as_ref())
    }

    /// Parses a DER RSA public key: SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) when aws-lc-rs rejects the key.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|e| Error::build_with("invalid RSA public key", e))?;
        // RSA-OAEP wants SubjectPublicKeyInfo; re-encode whichever form was given.
        let encrypting = aws_lc_rs::rsa::PublicKey::from_der(der)
            .ok()
            .and_then(|k| k.as_der().ok())
            .and_then(|spki| PublicEncryptingKey::from_der(spki.as_ref()).ok())
            .and_then(|k| OaepPublicEncryptingKey::new(k).ok())
            .ok_or_else(|| Error::build("the RSA public key cannot be used for RSA-OAEP encryption"))?;
        Ok(Self {
            key,
            encrypting: Arc::new(encrypting),
        })
    }

    /// Encrypts `plaintext` with RSAES-OAEP (SHA-1 and MGF1-SHA-1, empty label) and returns the
    /// standard-base64 ciphertext: how sensitive request fields (names, ID numbers, bank accounts)
    /// are sent. Randomized: two calls give different ciphertexts.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if `plaintext` is longer than the key
    /// allows (214 bytes for RSA-2048). The message never echoes the plaintext.
    pub fn encrypt_oaep_base64(&self, plaintext: &[u8]) -> Result<String, Error> {
        let key = &*self.encrypting;
        let max = key.max_plaintext_size(&OAEP_SHA1_MGF1SHA1);
        if plaintext.len() > max {
            return Err(Error::crypto(format!(
                "the field is {} bytes; RSA-OAEP with this key takes at most {max}",
                plaintext.len()
            )));
        }
        let mut out = vec![0; key.ciphertext_size()];
        let ciphertext = key
            .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext, &mut out, None)
            .map_err(|_| Error::crypto("RSA-OAEP encryption failed"))?;
        Ok(BASE64.encode(ciphertext))
    }

    /// Whether `signature` (raw bytes) is a valid RSASSA-PKCS1-v1_5 + SHA-256 signature of
    /// `message` under this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }

    /// Like [`PublicKey::verify_base64`] over the concatenation of `parts`, hashed piece by
    /// piece: a large signed body is never copied into one message buffer.
    pub(crate) fn verify_parts_base64(&self, parts: &[&[u8]], signature_b64: &str) -> bool {
        let Ok(signature) = BASE64.decode(signature_b64) else {
            return false;
        };
        let mut hasher = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for part in parts {
            hasher.update(part);
        }
        self.key.verify_digest_sig(&hasher.finish(), &signature).is_ok()
    }

    /// Like [`PublicKey::verify`] with a standard-base64 signature; invalid base64 → `false`.
    pub fn verify_base64(&self, message: &[u8], signature_b64: &str) -> bool {
        BASE64
            .decode(signature_b64)
            .is_ok_and(|sig| self.verify(message, &sig))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(RSA)")
    }
}
