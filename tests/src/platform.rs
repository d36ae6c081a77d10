//! The WeChat Pay (platform) side of the keys: the key pairs that sign responses and decrypt
//! sensitive request fields, their X.509 certificates, and the `GET /v3/certificates` answer
//! (each certificate PEM sealed with AES-256-GCM under the APIv3 key).

use std::fmt;
use std::io;
use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, PrivateDecryptingKey};
use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use time::macros::{datetime, format_description, offset};
use time::{Duration, OffsetDateTime};

use crate::keys::pem_to_der;
use crate::sign::{self, ResponseSigner};

/// The `associated_data` of every sealed certificate.
pub const CERTIFICATE_AAD: &str = "certificate";

/// What a request's `Wechatpay-Serial` and a response's signature refer to.
pub struct PlatformKey {
    signer: ResponseSigner,
    decrypter: OaepPrivateDecryptingKey,
    modulus_len: usize,
    public_key_der: Vec<u8>,
    /// The WeChat Pay public key id of this key (`PUB_KEY_ID_…`), if it has one.
    pub public_key_id: Option<String>,
    /// The key's platform certificate.
    pub certificate: PlatformCertificate,
}

/// A platform certificate and how it is served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformCertificate {
    /// Upper-case hex of the certificate serial number (40 digits).
    pub serial_no: String,
    /// The certificate, PEM.
    pub pem: String,
    /// `effective_time` (RFC 3339, +08:00): the certificate's notBefore.
    pub effective_time: String,
    /// `expire_time` (RFC 3339, +08:00): the certificate's notAfter.
    pub expire_time: String,
    /// The 12-character AES-GCM nonce it is sealed with (fixed per certificate, so the
    /// `/v3/certificates` answer is stable).
    pub nonce: String,
}

impl PlatformKey {
    /// A key from a PEM private key (PKCS#8 or PKCS#1), with a certificate of `serial_no`
    /// valid from `not_before` to `not_after`.
    pub fn from_pem(
        pem: &str,
        public_key_id: Option<String>,
        serial_no: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> io::Result<PlatformKey> {
        let (label, der) = pem_to_der(pem)?;
        let pair = match label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            other => {
                return Err(invalid(format!(
                    "unexpected PEM label {other:?} for a private key"
                )));
            }
        }
        .map_err(|e| invalid(format!("RSA private key rejected: {e}")))?;
        Self::from_pair(pair, public_key_id, serial_no, not_before, not_after)
    }

    /// A fresh RSA-2048 key with a certificate of a new random serial, valid from a day ago
    /// for five years.
    pub fn generate() -> io::Result<PlatformKey> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| invalid("cannot generate an RSA key".into()))?;
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self::from_pair(
            pair,
            None,
            &random_serial(),
            now - Duration::days(1),
            now + Duration::days(5 * 365),
        )
    }

    fn from_pair(
        pair: RsaKeyPair,
        public_key_id: Option<String>,
        serial_no: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> io::Result<PlatformKey> {
        let pkcs8 = pair
            .as_der()
            .map_err(|_| invalid("cannot encode the RSA key as PKCS#8".into()))?;
        let pkcs8 = pkcs8.as_ref();
        let private = PrivateDecryptingKey::from_pkcs8(pkcs8)
            .map_err(|e| invalid(format!("RSA key rejected for decryption: {e}")))?;
        let decrypter = OaepPrivateDecryptingKey::new(private)
            .map_err(|_| invalid("RSA key rejected for OAEP decryption".into()))?;
        let serial_bytes =
            hex_decode(serial_no).ok_or_else(|| invalid(format!("serial {serial_no:?} is not hex")))?;
        let pem = certificate_pem(pkcs8, &serial_bytes, not_before, not_after)?;
        let public_key_der = pair
            .public_key()
            .as_der()
            .map_err(|_| invalid("cannot encode the RSA public key".into()))?
            .as_ref()
            .to_vec();
        Ok(PlatformKey {
            public_key_der,
            modulus_len: pair.public_modulus_len(),
            signer: ResponseSigner::from_key_pair(pair),
            decrypter,
            public_key_id,
            certificate: PlatformCertificate {
                serial_no: serial_no.to_ascii_uppercase(),
                pem,
                effective_time: cst(not_before),
                expire_time: cst(not_after),
                nonce: sign::random_nonce()[..12].to_owned(),
            },
        })
    }

    /// Signs a response message (base64 RSASSA-PKCS1-v1_5 SHA-256).
    pub fn sign(&self, message: &[u8]) -> String {
        self.signer.sign(message)
    }

    /// The RSA modulus length in bytes (256 for RSA-2048): the length of every ciphertext.
    pub fn modulus_len(&self) -> usize {
        self.modulus_len
    }

    /// The public key, SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_key_der
    }

    /// Whether `id` (a public key id or a certificate serial, hex case-insensitive) names this key.
    pub fn is_named(&self, id: &str) -> bool {
        self.public_key_id.as_deref() == Some(id) || self.certificate.serial_no.eq_ignore_ascii_case(id)
    }

    /// Decrypts one RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) ciphertext.
    ///
    /// # Errors
    /// When the ciphertext was not made for this key with that padding, or is not UTF-8.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<String, &'static str> {
        let mut out = vec![0u8; self.decrypter.min_output_size()];
        let plain = self
            .decrypter
            .decrypt(&OAEP_SHA1_MGF1SHA1, ciphertext, &mut out, None)
            .map_err(|_| "does not decrypt (RSA-OAEP, SHA-1) with the platform key it names")?;
        String::from_utf8(plain.to_vec()).map_err(|_| "decrypts to bytes that are not UTF-8")
    }
}

impl fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformKey")
            .field("public_key_id", &self.public_key_id)
            .field("serial_no", &self.certificate.serial_no)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// Which identity signs responses (the `Wechatpay-Serial` of responses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SignWith {
    /// The configured key, named by its public key id (`PUB_KEY_ID_…`); the default.
    #[default]
    PublicKeyId,
    /// The newest platform certificate's key, named by the certificate serial.
    Certificate,
}

/// How `GET /v3/certificates` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CertificatesMode {
    /// Every certificate, honestly.
    #[default]
    Normal,
    /// `404 NOT_FOUND`: a merchant without platform certificates (public key mode only).
    NotFound,
    /// The newest certificate is listed under a `serial_no` that is not its serial.
    MismatchedSerial,
    /// The newest certificate's ciphertext is altered (its AES-GCM tag no longer verifies).
    CorruptCiphertext,
}

impl CertificatesMode {
    /// The admin name (`normal`, `not_found`, `mismatched_serial`, `corrupt_ciphertext`).
    pub fn name(self) -> &'static str {
        match self {
            CertificatesMode::Normal => "normal",
            CertificatesMode::NotFound => "not_found",
            CertificatesMode::MismatchedSerial => "mismatched_serial",
            CertificatesMode::CorruptCiphertext => "corrupt_ciphertext",
        }
    }

    /// Parses an admin name (see [`CertificatesMode::name`]).
    pub fn from_name(name: &str) -> Option<CertificatesMode> {
        [
            CertificatesMode::Normal,
            CertificatesMode::NotFound,
            CertificatesMode::MismatchedSerial,
            CertificatesMode::CorruptCiphertext,
        ]
        .into_iter()
        .find(|m| m.name() == name.to_ascii_lowercase().replace('-', "_"))
    }
}

/// The platform keys the server holds and how it uses them.
#[derive(Debug)]
pub(crate) struct Platform {
    /// Oldest first; the first is the configured key.
    pub keys: Vec<Arc<PlatformKey>>,
    pub sign_with: SignWith,
    pub certificates_mode: CertificatesMode,
}

impl Platform {
    /// The key that signs responses now, and the id sent in `Wechatpay-Serial`.
    pub fn signing_key(&self) -> (Arc<PlatformKey>, String) {
        match self.sign_with {
            SignWith::PublicKeyId => {
                let key = Arc::clone(&self.keys[0]);
                let id = key
                    .public_key_id
                    .clone()
                    .unwrap_or_else(|| key.certificate.serial_no.clone());
                (key, id)
            }
            SignWith::Certificate => {
                let key = Arc::clone(self.keys.last().unwrap_or(&self.keys[0]));
                let id = key.certificate.serial_no.clone();
                (key, id)
            }
        }
    }

    /// The key named by `id` (public key id or certificate serial).
    pub fn key_named(&self, id: &str) -> Option<Arc<PlatformKey>> {
        self.keys.iter().find(|k| k.is_named(id)).cloned()
    }
}

/// The `GET /v3/certificates` body for `keys` under `mode` (`None` for
/// [`CertificatesMode::NotFound`]).
pub(crate) fn certificates_body(
    keys: &[Arc<PlatformKey>],
    apiv3_key: &[u8],
    mode: CertificatesMode,
) -> Option<Value> {
    if mode == CertificatesMode::NotFound {
        return None;
    }
    let last = keys.len().saturating_sub(1);
    let data: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let cert = &key.certificate;
            let mut sealed = seal(
                apiv3_key,
                cert.nonce.as_bytes(),
                CERTIFICATE_AAD.as_bytes(),
                cert.pem.as_bytes(),
            );
            let mut serial_no = cert.serial_no.clone();
            if i == last {
                match mode {
                    CertificatesMode::MismatchedSerial => serial_no = flip_hex_digit(&serial_no),
                    CertificatesMode::CorruptCiphertext => {
                        if let Some(b) = sealed.first_mut() {
                            *b ^= 0x01;
                        }
                    }
                    CertificatesMode::Normal | CertificatesMode::NotFound => {}
                }
            }
            json!({
                "serial_no": serial_no,
                "effective_time": cert.effective_time,
                "expire_time": cert.expire_time,
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": cert.nonce,
                    "associated_data": CERTIFICATE_AAD,
                    "ciphertext": STANDARD.encode(&sealed),
                }
            })
        })
        .collect();
    Some(json!({ "data": data }))
}

/// AES-256-GCM: `ciphertext ‖ 16-byte tag`. A key that is not 32 bytes or a nonce that is not
/// 12 bytes seals nothing (an empty vector): the configuration is then wrong and the client
/// will say so.
pub fn seal(key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let Ok(unbound) = UnboundKey::new(&AES_256_GCM, key) else {
        return Vec::new();
    };
    let Ok(nonce) = Nonce::try_assume_unique_for_key(nonce) else {
        return Vec::new();
    };
    let mut in_out = plaintext.to_vec();
    match LessSafeKey::new(unbound).seal_in_place_append_tag(nonce, Aad::from(aad), &mut in_out) {
        Ok(()) => in_out,
        Err(_) => Vec::new(),
    }
}

/// A self-signed X.509 certificate (PEM) for the PKCS#8 RSA key, signed with it
/// (sha256WithRSAEncryption), with `serial` and the validity given.
fn certificate_pem(
    pkcs8: &[u8],
    serial: &[u8],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> io::Result<String> {
    // An RSA PKCS#8 key is taken with sha256WithRSAEncryption.
    let key =
        rcgen::KeyPair::try_from(pkcs8).map_err(|e| invalid(format!("rcgen rejects the RSA key: {e}")))?;
    let mut params = rcgen::CertificateParams::default();
    params.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
    params.not_before = not_before;
    params.not_after = not_after;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CountryName, "CN");
    name.push(rcgen::DnType::OrganizationName, "wechatpay-mock");
    name.push(
        rcgen::DnType::OrganizationalUnitName,
        "Tenpay.com mock platform certificate",
    );
    name.push(rcgen::DnType::CommonName, "wechatpay-mock platform");
    params.distinguished_name = name;
    params
        .self_signed(&key)
        .map(|c| c.pem())
        .map_err(|e| invalid(format!("cannot make the platform certificate: {e}")))
}

/// The validity of the configured key's certificate: 2024-01-01 to 2029-01-01, +08:00.
pub(crate) fn default_validity() -> (OffsetDateTime, OffsetDateTime) {
    (
        datetime!(2024-01-01 00:00:00 +08:00),
        datetime!(2029-01-01 00:00:00 +08:00),
    )
}

/// `2024-11-21T15:40:01+08:00`.
pub(crate) fn cst(t: OffsetDateTime) -> String {
    t.to_offset(offset!(+8))
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]+08:00"
        ))
        .unwrap_or_default()
}

/// 20 random bytes as 40 upper-case hex digits, the first byte in `0x10..=0x7F` (a positive
/// DER integer that keeps all 40 digits).
fn random_serial() -> String {
    let mut bytes = [0u8; 20];
    sign::random_bytes(&mut bytes);
    bytes[0] = 0x10 + bytes[0] % 0x70;
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn flip_hex_digit(serial: &str) -> String {
    let mut chars: Vec<char> = serial.chars().collect();
    if let Some(c) = chars.last_mut() {
        *c = if *c == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}

fn hex_decode(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 || hex.is_empty() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}
