//! `payctl certificates download [--out DIR]`: the platform certificates of the profile's
//! merchant, downloaded and checked by the runtime as in certificate mode (the answer's
//! signature verified with a certificate it carries or a key already held, each certificate
//! decrypted with the APIv3 key and its serial checked), then saved as PEM files named by serial
//! with their serials and validity printed.

use std::path::Path;

use sdk_runtime::Method;
use sdk_runtime::wechatpay::certificates::CERTIFICATES_PATH;
use sdk_runtime::wechatpay::{ApiV3Key, Operation, PlatformCertificate};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::client;
use crate::config::Profile;
use crate::exit::{Failure, Outcome};

/// One entry of the `GET /v3/certificates` answer.
#[derive(Deserialize)]
struct Entry {
    serial_no: String,
    encrypt_certificate: Sealed,
}

/// A sealed certificate.
#[derive(Deserialize)]
struct Sealed {
    nonce: String,
    #[serde(default)]
    associated_data: String,
    ciphertext: String,
}

/// The answer.
#[derive(Deserialize)]
struct Answer {
    data: Vec<Entry>,
}

/// Runs `certificates download`, saving to `out`.
pub async fn download(profile: &Profile, out: &Path) -> Outcome {
    let apiv3_key = profile.apiv3_key()?.ok_or_else(|| {
        Failure::usage(
            "certificates download needs the APIv3 key (apiv3_key_env, apiv3_key_file or $PAYCTL_APIV3_KEY)",
        )
    })?;
    let mut certificate_mode = profile.clone();
    certificate_mode.platform_certificates = Some(true);
    let client = client::wechatpay(&certificate_mode)?;
    eprintln!(
        "payctl: downloading the platform certificates ({} {CERTIFICATES_PATH})",
        client.base_url()
    );
    // The runtime's own download: signature, decryption and serials checked, keys installed.
    let installed = match client.refresh_certificates().await {
        Ok(count) => count,
        Err(e) => return Err(Failure::runtime("downloading the platform certificates", &e)),
    };
    if installed == 0 {
        println!(
            "no platform certificates: WeChat Pay answered 404 (this merchant uses the WeChat Pay public key)"
        );
        return Ok(());
    }
    eprintln!("payctl: {installed} certificate(s) verified; fetching their PEM to save");
    // The same answer again, verified against the keys just installed, to keep the PEMs.
    let response = client
        .execute(Operation::new(Method::GET, CERTIFICATES_PATH))
        .await
        .map_err(|e| Failure::runtime("downloading the platform certificates", &e))?;
    let answer: Answer = serde_json::from_slice(response.body())
        .map_err(|e| Failure::new(crate::exit::Kind::Decode, format!("the certificates answer: {e}")))?;
    let key = ApiV3Key::new(apiv3_key.expose_secret()).map_err(|e| Failure::runtime("the APIv3 key", &e))?;
    let installed_serials = client.verifier().keys().certificate_serials();
    std::fs::create_dir_all(out).map_err(|e| Failure::io(format!("creating {}", out.display()), e))?;
    for entry in answer.data {
        let sealed = &entry.encrypt_certificate;
        let pem = key
            .decrypt(&sealed.nonce, &sealed.associated_data, &sealed.ciphertext)
            .map_err(|e| Failure::runtime(format!("certificate {}", entry.serial_no), &e))?;
        let certificate = PlatformCertificate::from_pem(&entry.serial_no, &pem)
            .map_err(|e| Failure::runtime(format!("certificate {}", entry.serial_no), &e))?;
        if !installed_serials.iter().any(|s| certificate.has_serial(s)) {
            return Err(Failure::new(
                crate::exit::Kind::Crypto,
                format!(
                    "certificate {} was not in the verified download; not saved",
                    certificate.serial_no()
                ),
            ));
        }
        let path = out.join(format!("wechatpay_{}.pem", certificate.serial_no()));
        std::fs::write(&path, &pem).map_err(|e| Failure::io(format!("writing {}", path.display()), e))?;
        println!(
            "{}  valid {} to {}  {}",
            certificate.serial_no(),
            date(certificate.not_before()),
            date(certificate.not_after()),
            path.display()
        );
    }
    Ok(())
}

/// An RFC 3339 date-time.
fn date(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}
