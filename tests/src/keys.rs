//! PEM decoding and RSA key loading (aws-lc-rs takes DER).

use std::io;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Decodes the first PEM block of `pem`, returning its label and DER bytes.
pub fn pem_to_der(pem: &str) -> io::Result<(String, Vec<u8>)> {
    let mut label = None;
    let mut b64 = String::new();
    for line in pem.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("-----BEGIN ") {
            label = Some(rest.trim_end_matches('-').to_owned());
        } else if line.starts_with("-----END ") {
            break;
        } else if label.is_some() {
            b64.push_str(line);
        }
    }
    let label = label.ok_or_else(|| invalid("no PEM BEGIN line"))?;
    let der = STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| invalid(&format!("PEM body is not base64: {e}")))?;
    Ok((label, der))
}

/// Loads an RSA private key from PEM (`PRIVATE KEY` = PKCS#8, `RSA PRIVATE KEY` = PKCS#1).
pub fn load_private_key(pem: &str) -> io::Result<RsaKeyPair> {
    let (label, der) = pem_to_der(pem)?;
    let key = match label.as_str() {
        "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
        other => {
            return Err(invalid(&format!(
                "unexpected PEM label {other:?} for a private key"
            )));
        }
    };
    key.map_err(|e| invalid(&format!("RSA private key rejected: {e}")))
}

/// Loads an RSA public key for PKCS#1 v1.5 SHA-256 verification from PEM
/// (`PUBLIC KEY` = SubjectPublicKeyInfo, `RSA PUBLIC KEY` = PKCS#1).
pub fn load_public_key(pem: &str) -> io::Result<ParsedPublicKey> {
    let (label, der) = pem_to_der(pem)?;
    if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
        return Err(invalid(&format!(
            "unexpected PEM label {label:?} for a public key"
        )));
    }
    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
        .map_err(|e| invalid(&format!("RSA public key rejected: {e}")))
}

/// Encodes `der` as a PEM block labelled `label` (e.g. `PUBLIC KEY`), 64 base64 characters a
/// line, with a final newline.
pub fn der_to_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// The public half (SubjectPublicKeyInfo `PUBLIC KEY` PEM) of an RSA private key PEM.
pub fn public_key_pem(private_key_pem: &str) -> io::Result<String> {
    let pair = load_private_key(private_key_pem)?;
    let spki = pair
        .public_key()
        .as_der()
        .map_err(|_| invalid("cannot encode the RSA public key"))?;
    Ok(der_to_pem("PUBLIC KEY", spki.as_ref()))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_owned())
}
