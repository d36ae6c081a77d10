//! Profiles: one merchant (or Wonder app) each, read from a TOML config file, with environment
//! variables overriding. Keys are files named by path; the APIv3 and APIv2 keys come from an
//! environment variable (its name in the file) or a file, never from the config file itself, and
//! a loaded secret is a [`Secret`] (no `Display`, `Debug` redacted).
//!
//! ```toml
//! default = "mock"
//!
//! [profiles.mock]
//! provider = "wechatpay"                 # or "wonder"
//! base_url = "http://127.0.0.1:8080"      # default: https://api.mch.weixin.qq.com
//! mchid = "1900000109"
//! merchant_serial_number = "3775B6A45ACD588826D15E583A95F5DD00000000"
//! merchant_private_key = "/etc/payctl/apiclient_key.pem"
//! wechatpay_public_key_id = "PUB_KEY_ID_0114232134912410000000000000"
//! wechatpay_public_key = "/etc/payctl/pub_key.pem"
//! platform_certificates = false           # true: certificate mode (needs the APIv3 key)
//! apiv3_key_env = "MOCK_APIV3_KEY"        # or apiv3_key_file = "/etc/payctl/apiv3.key"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sdk_runtime::Secret;
use serde::Deserialize;

use crate::exit::{Failure, Outcome};

/// Which API a profile talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// WeChat Pay (APIv3, and APIv2 with an APIv2 key).
    #[default]
    Wechatpay,
    /// Wonder Open API.
    Wonder,
}

/// One profile as written in the config file (every member optional: the environment may
/// supply it). Unknown members are refused, so an inline `apiv3_key = "…"` is an error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `wechatpay` (default) or `wonder`.
    pub provider: Option<Provider>,
    /// Where requests go (a mock's `http://127.0.0.1:PORT`); the provider's host by default.
    pub base_url: Option<String>,
    /// WeChat Pay merchant id.
    pub mchid: Option<String>,
    /// Serial number of the merchant API certificate.
    pub merchant_serial_number: Option<String>,
    /// Path of the merchant API private key (`apiclient_key.pem`).
    pub merchant_private_key: Option<PathBuf>,
    /// Id of the WeChat Pay public key (`PUB_KEY_ID_…`).
    pub wechatpay_public_key_id: Option<String>,
    /// Path of the WeChat Pay public key (`pub_key.pem`).
    pub wechatpay_public_key: Option<PathBuf>,
    /// Platform certificate mode: download `GET /v3/certificates` (needs the APIv3 key).
    pub platform_certificates: Option<bool>,
    /// Name of the environment variable holding the APIv3 key.
    pub apiv3_key_env: Option<String>,
    /// Path of a file holding the APIv3 key (surrounding whitespace ignored).
    pub apiv3_key_file: Option<PathBuf>,
    /// Name of the environment variable holding the APIv2 key.
    pub apiv2_key_env: Option<String>,
    /// Path of a file holding the APIv2 key.
    pub apiv2_key_file: Option<PathBuf>,
    /// APIv2 sign type: `MD5` (default) or `HMAC-SHA256`.
    pub apiv2_sign_type: Option<String>,
    /// Where APIv2 requests go (default: `base_url`, else WeChat Pay's host).
    pub apiv2_base_url: Option<String>,
    /// Path of the merchant API certificate (`apiclient_cert.pem`): APIv2 mutual TLS.
    pub merchant_certificate: Option<PathBuf>,
    /// Path of that certificate's private key, when it is not `merchant_private_key`.
    pub merchant_certificate_key: Option<PathBuf>,
    /// Path of an extra root certificate to trust over HTTPS (a mock's CA).
    pub ca_certificate: Option<PathBuf>,
    /// Wonder app id.
    pub app_id: Option<String>,
    /// Path of the Wonder app private key.
    pub app_private_key: Option<PathBuf>,
    /// Wonder sandbox host (`https://gateway-stg.wonder.today`) when no `base_url` is set.
    pub sandbox: Option<bool>,
}

/// The config file: the profile used by default and the profiles by name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// A profile chosen and completed from the environment, with its name.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The profile's name (`env` when it comes from the environment alone).
    pub name: String,
    /// Its members.
    pub profile: Profile,
}

/// The config file to read: `--config`, else `$PAYCTL_CONFIG`, else
/// `$XDG_CONFIG_HOME/payctl/config.toml`, else `~/.config/payctl/config.toml`; and whether it
/// was named (a named file must exist).
pub fn config_path(flag: Option<&Path>) -> Option<(PathBuf, bool)> {
    if let Some(path) = flag {
        return Some((path.to_owned(), true));
    }
    if let Some(path) = env("PAYCTL_CONFIG") {
        return Some((PathBuf::from(path), true));
    }
    let base = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| Path::new(&home).join(".config")))?;
    Some((base.join("payctl").join("config.toml"), false))
}

/// Reads the config file and selects a profile: `--profile`, else `$PAYCTL_PROFILE`, else the
/// file's `default`, else its only profile, else one from the environment alone. Environment
/// variables (`PAYCTL_MCHID`, …, see [`apply_env`]) override the profile's members.
pub fn select(config: Option<&Path>, profile: Option<&str>) -> Outcome<Selected> {
    let file = match config_path(config) {
        Some((path, named)) => read_config(&path, named)?,
        None => ConfigFile::default(),
    };
    let wanted = profile.map(str::to_owned).or_else(|| env("PAYCTL_PROFILE"));
    let chosen = match wanted.or(file.default.clone()) {
        Some(name) => match file.profiles.get(&name) {
            Some(profile) => Selected {
                name,
                profile: profile.clone(),
            },
            None => {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                return Err(Failure::usage(format!(
                    "no profile `{name}` in the config file (profiles: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        },
        None if file.profiles.len() == 1 => {
            let (name, profile) = file.profiles.into_iter().next().expect("one profile");
            Selected { name, profile }
        }
        None => Selected {
            name: "env".to_owned(),
            profile: Profile::default(),
        },
    };
    Ok(Selected {
        name: chosen.name,
        profile: apply_env(chosen.profile),
    })
}

/// Parses the config file; a missing file is an error only when it was named.
fn read_config(path: &Path, named: bool) -> Outcome<ConfigFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(ConfigFile::default()),
        Err(e) => return Err(Failure::usage(format!("config file {}: {e}", path.display()))),
    };
    toml::from_str(&text).map_err(|e| {
        // The message and the position only: toml's full report quotes the line, which
        // could hold something that should not be printed.
        let (line, column) = e
            .span()
            .map(|span| line_column(&text, span.start))
            .unwrap_or((0, 0));
        Failure::usage(format!(
            "config file {}:{line}:{column}: {}",
            path.display(),
            e.message().trim_end()
        ))
    })
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A non-empty environment variable.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Overrides members from `PAYCTL_PROVIDER`, `PAYCTL_BASE_URL`, `PAYCTL_MCHID`,
/// `PAYCTL_MERCHANT_SERIAL_NUMBER`, `PAYCTL_MERCHANT_PRIVATE_KEY` (a path),
/// `PAYCTL_WECHATPAY_PUBLIC_KEY_ID`, `PAYCTL_WECHATPAY_PUBLIC_KEY` (a path),
/// `PAYCTL_PLATFORM_CERTIFICATES` (`true`/`false`), `PAYCTL_APIV3_KEY_FILE`,
/// `PAYCTL_APIV2_KEY_FILE`, `PAYCTL_APIV2_SIGN_TYPE`, `PAYCTL_APIV2_BASE_URL`,
/// `PAYCTL_MERCHANT_CERTIFICATE`, `PAYCTL_MERCHANT_CERTIFICATE_KEY`, `PAYCTL_CA_CERTIFICATE`, `PAYCTL_APP_ID`,
/// `PAYCTL_APP_PRIVATE_KEY`. (`PAYCTL_APIV3_KEY` and `PAYCTL_APIV2_KEY` hold the keys themselves:
/// see [`apiv3_key`].)
pub fn apply_env(mut p: Profile) -> Profile {
    let text = |name: &str, slot: &mut Option<String>| {
        if let Some(value) = env(name) {
            *slot = Some(value);
        }
    };
    let path = |name: &str, slot: &mut Option<PathBuf>| {
        if let Some(value) = env(name) {
            *slot = Some(PathBuf::from(value));
        }
    };
    if let Some(provider) = env("PAYCTL_PROVIDER") {
        p.provider = match provider.as_str() {
            "wonder" => Some(Provider::Wonder),
            _ => Some(Provider::Wechatpay),
        };
    }
    text("PAYCTL_BASE_URL", &mut p.base_url);
    text("PAYCTL_MCHID", &mut p.mchid);
    text("PAYCTL_MERCHANT_SERIAL_NUMBER", &mut p.merchant_serial_number);
    path("PAYCTL_MERCHANT_PRIVATE_KEY", &mut p.merchant_private_key);
    text("PAYCTL_WECHATPAY_PUBLIC_KEY_ID", &mut p.wechatpay_public_key_id);
    path("PAYCTL_WECHATPAY_PUBLIC_KEY", &mut p.wechatpay_public_key);
    if let Some(on) = env("PAYCTL_PLATFORM_CERTIFICATES") {
        p.platform_certificates = Some(matches!(on.as_str(), "1" | "true" | "yes"));
    }
    path("PAYCTL_APIV3_KEY_FILE", &mut p.apiv3_key_file);
    path("PAYCTL_APIV2_KEY_FILE", &mut p.apiv2_key_file);
    text("PAYCTL_APIV2_SIGN_TYPE", &mut p.apiv2_sign_type);
    text("PAYCTL_APIV2_BASE_URL", &mut p.apiv2_base_url);
    path("PAYCTL_MERCHANT_CERTIFICATE", &mut p.merchant_certificate);
    path("PAYCTL_MERCHANT_CERTIFICATE_KEY", &mut p.merchant_certificate_key);
    path("PAYCTL_CA_CERTIFICATE", &mut p.ca_certificate);
    text("PAYCTL_APP_ID", &mut p.app_id);
    path("PAYCTL_APP_PRIVATE_KEY", &mut p.app_private_key);
    p
}

impl Profile {
    /// The provider (WeChat Pay when unset).
    pub fn provider(&self) -> Provider {
        self.provider.unwrap_or_default()
    }

    /// A required text member, or a usage error naming it and its environment variable.
    pub fn require<'a>(&self, value: &'a Option<String>, member: &str) -> Outcome<&'a str> {
        value.as_deref().ok_or_else(|| missing(member))
    }

    /// A required path member, or a usage error naming it.
    pub fn require_path<'a>(&self, value: &'a Option<PathBuf>, member: &str) -> Outcome<&'a Path> {
        value.as_deref().ok_or_else(|| missing(member))
    }

    /// The APIv3 key, if configured: `$PAYCTL_APIV3_KEY`, else the variable `apiv3_key_env`
    /// names, else the file `apiv3_key_file` (or `$PAYCTL_APIV3_KEY_FILE`).
    pub fn apiv3_key(&self) -> Outcome<Option<Secret<String>>> {
        secret(
            "APIv3 key",
            "PAYCTL_APIV3_KEY",
            &self.apiv3_key_env,
            &self.apiv3_key_file,
        )
    }

    /// The APIv2 key, if configured, as [`Profile::apiv3_key`] with `PAYCTL_APIV2_KEY`,
    /// `apiv2_key_env` and `apiv2_key_file`.
    pub fn apiv2_key(&self) -> Outcome<Option<Secret<String>>> {
        secret(
            "APIv2 key",
            "PAYCTL_APIV2_KEY",
            &self.apiv2_key_env,
            &self.apiv2_key_file,
        )
    }
}

/// The usage error for a missing member.
fn missing(member: &str) -> Failure {
    Failure::usage(format!(
        "the profile has no `{member}` (set it in the config file or ${})",
        format_args!("PAYCTL_{}", member.to_ascii_uppercase())
    ))
}

/// A secret from `$direct`, the variable `env_name` names, or `file`.
fn secret(
    what: &str,
    direct: &str,
    env_name: &Option<String>,
    file: &Option<PathBuf>,
) -> Outcome<Option<Secret<String>>> {
    if let Some(value) = env(direct) {
        return Ok(Some(Secret::new(value)));
    }
    if let Some(name) = env_name {
        return match env(name) {
            Some(value) => Ok(Some(Secret::new(value))),
            None => Err(Failure::usage(format!(
                "the {what} is to come from ${name}, which is not set"
            ))),
        };
    }
    match file {
        Some(path) => read_secret(path, what).map(Some),
        None => Ok(None),
    }
}

/// A secret file's content (surrounding whitespace trimmed).
pub fn read_secret(path: &Path, what: &str) -> Outcome<Secret<String>> {
    std::fs::read_to_string(path)
        .map(|text| Secret::new(text.trim().to_owned()))
        .map_err(|e| Failure::usage(format!("cannot read the {what} file {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_key_is_refused_without_echoing_it() {
        let text = "[profiles.a]\napiv3_key = \"0123456789abcdefghijABCDEFGHIJ01\"\n";
        let error = toml::from_str::<ConfigFile>(text).unwrap_err();
        assert!(error.message().contains("apiv3_key"));
        assert!(!error.message().contains("0123456789abcdef"));
    }

    #[test]
    fn debug_names_sources_only() {
        let profile = Profile {
            apiv3_key_env: Some("MY_KEY".into()),
            merchant_private_key: Some("/k.pem".into()),
            ..Profile::default()
        };
        let debug = format!("{profile:?}");
        assert!(debug.contains("MY_KEY") && debug.contains("/k.pem"));
        assert_eq!(format!("{:?}", Secret::new("s3cr3t".to_owned())), "[redacted]");
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_column("a\nbc", 3), (2, 2));
        assert_eq!(line_column("abc", 0), (1, 1));
    }
}
