//! Runtime clients made from a profile: WeChat Pay APIv3, APIv2 and Wonder, each also with a
//! [`RequestCapture`] for a dry run or a validation pass (same signer and hosts, nothing sent,
//! no retry; APIv3 without a certificate download).

use std::path::Path;

use sdk_runtime::transport::RequestCapture;
use sdk_runtime::wechatpay::{self, RetryPolicy, v2};
use sdk_runtime::{PrivateKey, Secret, wonder};

use crate::config::{Profile, read_secret};
use crate::exit::{Failure, Outcome};

/// The hosts the docs give some operations instead of the client's base URL. A profile with a
/// `base_url` (a mock, a proxy) sends those there too: the test
/// `every_documented_host_is_redirected` checks that the generated crate uses no other.
pub const DOCUMENTED_HOSTS: &[&str] = &["https://pay.wechatpay.cn/", "https://fraud.mch.weixin.qq.com/"];

/// The id a dry run names the WeChat Pay key by when the profile only has certificate mode
/// (certificates are not downloaded in a dry run).
pub const DRY_RUN_KEY_ID: &str = "PLATFORM_CERTIFICATE_SERIAL_UNKNOWN_IN_A_DRY_RUN";

/// A PEM file (a key: kept as a [`Secret`]).
fn pem(path: &Path, what: &str) -> Outcome<Secret<String>> {
    read_secret(path, what)
}

/// A runtime build error, as a usage failure naming what was being set up.
fn build_error(what: &str) -> impl FnOnce(sdk_runtime::Error) -> Failure + '_ {
    move |e| Failure::runtime(format!("configuring {what}"), &e)
}

/// The merchant API private key of the profile.
pub fn merchant_key(profile: &Profile) -> Outcome<PrivateKey> {
    let path = profile.require_path(&profile.merchant_private_key, "merchant_private_key")?;
    let pem = pem(path, "merchant private key")?;
    PrivateKey::from_pem(pem.expose_secret()).map_err(build_error("the merchant private key"))
}

/// The signer's part of an APIv3 builder: mchid, serial, private key.
fn signer_part(profile: &Profile) -> Outcome<wechatpay::ClientBuilder> {
    let mchid = profile.require(&profile.mchid, "mchid")?;
    let serial = profile.require(&profile.merchant_serial_number, "merchant_serial_number")?;
    Ok(wechatpay::Client::builder()
        .mchid(mchid)
        .merchant_serial_number(serial)
        .merchant_private_key(merchant_key(profile)?))
}

/// The WeChat Pay public key of the profile, if it has one.
fn public_key(profile: &Profile) -> Outcome<Option<(String, String)>> {
    match (&profile.wechatpay_public_key_id, &profile.wechatpay_public_key) {
        (Some(id), Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(format!(
                    "cannot read the WeChat Pay public key {}: {e}",
                    path.display()
                ))
            })?;
            Ok(Some((id.clone(), text)))
        }
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Failure::usage(
            "the profile has `wechatpay_public_key` but no `wechatpay_public_key_id`",
        )),
        (Some(_), None) => Err(Failure::usage(
            "the profile has `wechatpay_public_key_id` but no `wechatpay_public_key` (its PEM file)",
        )),
    }
}

/// The APIv3 client of the profile: public key and/or certificate mode, its base URL for every
/// host when set.
pub fn wechatpay(profile: &Profile) -> Outcome<wechatpay::Client> {
    let mut builder = signer_part(profile)?;
    if let Some((id, pem)) = public_key(profile)? {
        builder = builder
            .wechatpay_public_key_pem(&id, &pem)
            .map_err(build_error("the WeChat Pay public key"))?;
    }
    if let Some(key) = profile.apiv3_key()? {
        builder = builder
            .apiv3_key(key.expose_secret())
            .map_err(build_error("the APIv3 key"))?;
    }
    if profile.platform_certificates == Some(true) {
        builder = builder.platform_certificates();
    }
    hosts(builder, profile)
        .build()
        .map_err(build_error("the WeChat Pay client"))
}

/// The APIv3 builder with the profile's `base_url`, for the documented hosts too.
fn hosts(mut builder: wechatpay::ClientBuilder, profile: &Profile) -> wechatpay::ClientBuilder {
    if let Some(base) = &profile.base_url {
        builder = builder.base_url(base);
        for host in DOCUMENTED_HOSTS {
            builder = builder.alternate_base_url(host, base);
        }
    }
    builder
}

/// The APIv3 client for a dry run or a validation pass: the profile's signer and hosts, its
/// WeChat Pay public key (or the merchant's own public key under [`DRY_RUN_KEY_ID`] when it has
/// none: the value only encrypts sensitive fields of a dry run), every request recorded by
/// `capture` instead of sent, no retry.
pub fn wechatpay_capture(profile: &Profile, capture: &RequestCapture) -> Outcome<wechatpay::Client> {
    let mut builder = signer_part(profile)?;
    builder = match public_key(profile)? {
        Some((id, pem)) => builder
            .wechatpay_public_key_pem(&id, &pem)
            .map_err(build_error("the WeChat Pay public key"))?,
        None => builder.wechatpay_public_key(DRY_RUN_KEY_ID, merchant_key(profile)?.public_key()),
    };
    hosts(builder, profile)
        .retry_policy(RetryPolicy::default().max_retries(0))
        .capture_requests(capture.clone())
        .build()
        .map_err(build_error("the dry-run client"))
}

/// The APIv2 (XML) client of the profile: its APIv2 key, sign type, merchant certificate for
/// mutual TLS, extra root certificate, base URL; with `capture`, every request recorded
/// instead of sent, no retry.
pub fn wechatpay_v2(profile: &Profile, capture: Option<&RequestCapture>) -> Outcome<v2::Client> {
    let key = profile
        .apiv2_key()?
        .ok_or_else(|| Failure::usage("APIv2 calls need the APIv2 key (apiv2_key_env or apiv2_key_file)"))?;
    let mut builder = v2::Client::builder()
        .apiv2_key(key.expose_secret())
        .map_err(build_error("the APIv2 key"))?;
    builder = match profile.apiv2_sign_type.as_deref() {
        None | Some("MD5") => builder.sign_type(v2::SignType::Md5),
        Some("HMAC-SHA256") => builder.sign_type(v2::SignType::HmacSha256),
        Some(other) => {
            return Err(Failure::usage(format!(
                "apiv2_sign_type is `{other}`: MD5 or HMAC-SHA256"
            )));
        }
    };
    if let Some(key) = profile.apiv3_key()? {
        builder = builder
            .apiv3_key(key.expose_secret())
            .map_err(build_error("the APIv3 key"))?;
    }
    let tls_key = profile
        .merchant_certificate_key
        .as_ref()
        .or(profile.merchant_private_key.as_ref());
    if let (Some(cert), Some(key)) = (&profile.merchant_certificate, tls_key) {
        let cert = std::fs::read_to_string(cert).map_err(|e| {
            Failure::usage(format!(
                "cannot read the merchant certificate {}: {e}",
                cert.display()
            ))
        })?;
        let key = pem(key, "merchant private key")?;
        builder = builder
            .merchant_certificate_pem(&cert, key.expose_secret())
            .map_err(build_error("the merchant certificate"))?;
    }
    if let Some(ca) = &profile.ca_certificate {
        let ca = std::fs::read_to_string(ca)
            .map_err(|e| Failure::usage(format!("cannot read the CA certificate {}: {e}", ca.display())))?;
        builder = builder
            .add_root_certificate_pem(&ca)
            .map_err(build_error("the CA certificate"))?;
    }
    if let Some(base) = profile.apiv2_base_url.as_ref().or(profile.base_url.as_ref()) {
        builder = builder.base_url(base);
        for host in DOCUMENTED_HOSTS {
            builder = builder.alternate_base_url(host, base);
        }
    }
    if let Some(capture) = capture {
        builder = builder
            .retry_policy(RetryPolicy::default().max_retries(0))
            .capture_requests(capture.clone());
    }
    builder.build().map_err(build_error("the APIv2 client"))
}

/// The Wonder client of the profile, its base URL `base_url`, else the sandbox with
/// `sandbox = true`, else production; with `capture`, every request recorded instead of sent,
/// no retry.
pub fn wonder(profile: &Profile, capture: Option<&RequestCapture>) -> Outcome<wonder::Client> {
    let app_id = profile.require(&profile.app_id, "app_id")?;
    let path = profile.require_path(&profile.app_private_key, "app_private_key")?;
    let key = pem(path, "Wonder app private key")?;
    let mut builder = wonder::Client::builder()
        .app_id(app_id)
        .private_key_pem(key.expose_secret())
        .map_err(build_error("the Wonder app key"))?;
    if profile.sandbox == Some(true) {
        builder = builder.sandbox();
    }
    if let Some(base) = &profile.base_url {
        builder = builder.base_url(base);
    }
    if let Some(capture) = capture {
        builder = builder
            .retry_policy(RetryPolicy::default().max_retries(0))
            .capture_requests(capture.clone());
    }
    builder.build().map_err(build_error("the Wonder client"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every host the generated crate sends an operation to instead of the base URL is in
    /// [`DOCUMENTED_HOSTS`], so a dry run can never reach one.
    #[test]
    fn every_documented_host_is_redirected() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/wechatpay/src");
        let mut stack = vec![root];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("generated sources") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source");
                    for (at, _) in text.match_indices(".base_url(\"") {
                        let rest = &text[at + ".base_url(\"".len()..];
                        found.push(rest[..rest.find('"').expect("closing quote")].to_owned());
                    }
                }
            }
        }
        assert!(
            !found.is_empty(),
            "the generated crate overrides no host any more"
        );
        for host in found {
            assert!(
                DOCUMENTED_HOSTS.contains(&host.as_str()),
                "{host} is not redirected"
            );
        }
    }
}
