//! Platform certificates: the body of `GET /v3/certificates`, decrypted with the [`ApiV3Key`]
//! and checked, as [`PlatformCertificate`]s.
//!
//! Source: `shared/design/protocols.md` ("Platform certificates") and
//! <https://pay.weixin.qq.com/docs/merchant/apis/platform-certificate/api-v3-get-certificates/get.html>.

use std::fmt;

use serde::Deserialize;
use time::OffsetDateTime;

use super::apiv3_key::ApiV3Key;
use crate::Error;
use crate::rsa::PublicKey;

/// Path of the certificate download endpoint.
pub const CERTIFICATES_PATH: &str = "/v3/certificates";

/// A WeChat Pay platform certificate, decrypted and checked: its serial number (as named by
/// `Wechatpay-Serial`), validity window and public key.
#[derive(Clone)]
pub struct PlatformCertificate {
    serial_no: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    public_key: PublicKey,
}

impl PlatformCertificate {
    /// Parses a PEM X.509 certificate and checks that its serial number equals `serial_no`
    /// (hex, case-insensitive, leading zero bytes ignored).
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if it is not a PEM X.509 certificate,
    /// its serial number differs, or its key is not an RSA key of 2048 to 8192 bits.
    pub fn from_pem(serial_no: &str, pem: &[u8]) -> Result<Self, Error> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem)
            .map_err(|_| Error::crypto(format!("platform certificate {serial_no} is not PEM")))?;
        let cert = pem
            .parse_x509()
            .map_err(|_| Error::crypto(format!("platform certificate {serial_no} is not valid X.509")))?;
        let actual = hex::encode_upper(strip_leading_zeros(cert.raw_serial()));
        if !actual.eq_ignore_ascii_case(serial_no.trim_start_matches("00")) {
            return Err(Error::crypto(format!(
                "platform certificate serial mismatch: listed as {serial_no}, the certificate says {actual}"
            )));
        }
        let public_key = PublicKey::from_der(cert.public_key().raw).map_err(|_| {
            Error::crypto(format!(
                "platform certificate {serial_no} does not hold a usable RSA key"
            ))
        })?;
        let time = |t: x509_parser::time::ASN1Time| {
            OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(|_| {
                Error::crypto(format!(
                    "platform certificate {serial_no} has an invalid validity"
                ))
            })
        };
        Ok(Self {
            serial_no: actual,
            not_before: time(cert.validity().not_before)?,
            not_after: time(cert.validity().not_after)?,
            public_key,
        })
    }

    /// The serial number, uppercase hex, e.g. `5157F09EFDC096DE15EBE81A47057A7232F1B8E1`.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// Whether `serial` (e.g. a `Wechatpay-Serial` header) names this certificate: hex compared
    /// case-insensitively, leading `00` bytes ignored.
    pub fn has_serial(&self, serial: &str) -> bool {
        self.serial_no
            .eq_ignore_ascii_case(serial.trim_start_matches("00"))
    }

    /// Start of validity (the certificate's `notBefore`).
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// End of validity (the certificate's `notAfter`).
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// Whether `now` lies within the validity window.
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// The certificate's public key (verifies responses, encrypts sensitive fields).
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}

impl fmt::Debug for PlatformCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformCertificate")
            .field("serial_no", &self.serial_no)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Download {
    data: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    serial_no: String,
    encrypt_certificate: Encrypted,
}

#[derive(Deserialize)]
struct Encrypted {
    algorithm: String,
    nonce: String,
    #[serde(default)]
    associated_data: String,
    ciphertext: String,
}

/// Decrypts and checks every certificate of a `GET /v3/certificates` body
/// (`{"data":[{"serial_no","effective_time","expire_time","encrypt_certificate":{…}}]}`).
///
/// # Errors
/// [`ErrorKind::Decode`](crate::ErrorKind::Decode) if the body is not that JSON;
/// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if an algorithm is not `AEAD_AES_256_GCM`,
/// a certificate does not decrypt with `apiv3_key`, or its serial differs from `serial_no`.
/// One bad certificate fails the whole download: nothing is half-installed.
pub fn decrypt_certificates(apiv3_key: &ApiV3Key, body: &[u8]) -> Result<Vec<PlatformCertificate>, Error> {
    let download: Download = serde_json::from_slice(body).map_err(|e| Error::decode(e, None, None))?;
    download
        .data
        .iter()
        .map(|entry| {
            let enc = &entry.encrypt_certificate;
            if enc.algorithm != "AEAD_AES_256_GCM" {
                return Err(Error::crypto(format!(
                    "platform certificate {} uses unsupported algorithm `{}`",
                    entry.serial_no, enc.algorithm
                )));
            }
            let pem = apiv3_key.decrypt(&enc.nonce, &enc.associated_data, &enc.ciphertext)?;
            PlatformCertificate::from_pem(&entry.serial_no, &pem)
        })
        .collect()
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}
