//! Test platform certificates: self-signed X.509 for a given key (rcgen) and the
//! `GET /v3/certificates` body that carries them, encrypted with an APIv3 key.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// A self-signed X.509 certificate for `key_pem` with serial `serial_hex`.
pub fn certificate_pem(key_pem: &str, serial_hex: &str) -> String {
    use rustls_pki_types::pem::PemObject as _;
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    certificate_pem_der(der.secret_pkcs8_der(), serial_hex)
}

/// `{"data":[…]}` as `GET /v3/certificates` returns it, each PEM encrypted with `apiv3_key`.
pub fn certificates_body(apiv3_key: &str, certs: &[(&str, &str)]) -> String {
    let data: Vec<serde_json::Value> = certs
        .iter()
        .enumerate()
        .map(|(i, (serial, pem))| {
            let nonce = format!("nonce{i:07}");
            let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, apiv3_key.as_bytes()).unwrap());
            let mut in_out = pem.as_bytes().to_vec();
            let nonce_bytes: [u8; 12] = nonce.as_bytes().try_into().unwrap();
            key.seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(b"certificate"),
                &mut in_out,
            )
            .unwrap();
            serde_json::json!({
                "serial_no": serial,
                "effective_time": "2024-11-21T15:40:01+08:00",
                "expire_time": "2029-11-20T15:40:01+08:00",
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": nonce,
                    "associated_data": "certificate",
                    "ciphertext": BASE64.encode(in_out),
                }
            })
        })
        .collect();
    serde_json::json!({ "data": data }).to_string()
}

/// A fresh RSA-2048 key pair as PKCS#8 DER (a rotated platform key).
pub fn generate_pkcs8_der() -> Vec<u8> {
    use aws_lc_rs::encoding::AsDer as _;
    let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    key.as_der().unwrap().as_ref().to_vec()
}

/// A self-signed certificate for a PKCS#8 DER key with serial `serial_hex`.
pub fn certificate_pem_der(key_der: &[u8], serial_hex: &str) -> String {
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from(key_der.to_vec());
    let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["Tenpay.com Root CA".to_owned()]).unwrap();
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&hex_bytes(serial_hex)));
    params.self_signed(&key).unwrap().pem()
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
