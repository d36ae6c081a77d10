//! The client's side of a running mock: every value a test, or a person running
//! `cargo xtask mock`, needs to point a client at it ([`Credentials`] for WeChat Pay,
//! [`WonderCredentials`] for Wonder), the same values as files ([`Credentials::write_files`]),
//! and a ready-to-paste `ClientBuilder` snippet using those files.
//!
//! These are test credentials (the shared test vectors, and a certificate made at start): they
//! are safe to print and to commit, and worthless anywhere else.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What a WeChat Pay client needs to call a [`crate::MockServer`]: from
/// [`crate::MockServer::credentials`].
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `http://127.0.0.1:PORT`: give it to `ClientBuilder::base_url`.
    pub base_url: String,
    /// The merchant id (`ClientBuilder::mchid`).
    pub mchid: String,
    /// The merchant API certificate serial (`ClientBuilder::merchant_serial_number`).
    pub merchant_serial_number: String,
    /// The merchant API private key, PKCS#8 or PKCS#1 PEM (`ClientBuilder::merchant_private_key_pem`).
    pub merchant_private_key_pem: String,
    /// The WeChat Pay public key id, `PUB_KEY_ID_…` (first argument of
    /// `ClientBuilder::wechatpay_public_key_pem`).
    pub wechatpay_public_key_id: String,
    /// The WeChat Pay public key, SubjectPublicKeyInfo PEM: the public half of the key the mock
    /// signs responses with.
    pub wechatpay_public_key_pem: String,
    /// The serial of the platform certificate the mock made at start for the same key (what
    /// `GET /v3/certificates` serves; for `ClientBuilder::platform_certificates`).
    pub platform_certificate_serial: String,
    /// That platform certificate, PEM.
    pub platform_certificate_pem: String,
    /// The APIv3 key (32 ASCII characters, `ClientBuilder::apiv3_key`): decrypts the
    /// certificates and webhook resources.
    pub apiv3_key: String,
}

/// Where [`Credentials::write_files`] put the key files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialFiles {
    /// The merchant private key, `apiclient_key.pem` (the name the merchant platform uses).
    pub merchant_private_key: PathBuf,
    /// The WeChat Pay public key, `pub_key.pem`.
    pub wechatpay_public_key: PathBuf,
    /// The platform certificate, `wechatpay_<serial>.pem` (the official SDKs' name).
    pub platform_certificate: PathBuf,
}

impl Credentials {
    /// Writes the merchant private key, the WeChat Pay public key and the platform certificate
    /// as PEM files into `dir` (created if missing), replacing files of the same names.
    ///
    /// # Errors
    /// `dir` cannot be created or a file cannot be written.
    pub fn write_files(&self, dir: &Path) -> io::Result<CredentialFiles> {
        std::fs::create_dir_all(dir)?;
        let files = CredentialFiles {
            merchant_private_key: dir.join("apiclient_key.pem"),
            wechatpay_public_key: dir.join("pub_key.pem"),
            platform_certificate: dir.join(format!("wechatpay_{}.pem", self.platform_certificate_serial)),
        };
        std::fs::write(&files.merchant_private_key, &self.merchant_private_key_pem)?;
        std::fs::write(&files.wechatpay_public_key, &self.wechatpay_public_key_pem)?;
        std::fs::write(&files.platform_certificate, &self.platform_certificate_pem)?;
        Ok(files)
    }

    /// Rust code that builds a `wechatpay_typed::Client` for this mock from the key `files`, for a
    /// function returning `Result<_, Box<dyn std::error::Error>>`.
    pub fn client_snippet(&self, files: &CredentialFiles) -> String {
        format!(
            "let client = wechatpay_typed::Client::builder()\n    \
             .mchid({mchid:?})\n    \
             .merchant_serial_number({serial:?})\n    \
             .merchant_private_key_pem(&std::fs::read_to_string({key:?})?)?\n    \
             .wechatpay_public_key_pem({key_id:?}, &std::fs::read_to_string({public:?})?)?\n    \
             .apiv3_key({apiv3:?})?\n    \
             .base_url({base:?})\n    \
             .build()?;",
            mchid = self.mchid,
            serial = self.merchant_serial_number,
            key = files.merchant_private_key.display().to_string(),
            key_id = self.wechatpay_public_key_id,
            public = files.wechatpay_public_key.display().to_string(),
            apiv3 = self.apiv3_key,
            base = self.base_url,
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("base_url", &self.base_url)
            .field("mchid", &self.mchid)
            .field("merchant_serial_number", &self.merchant_serial_number)
            .field("merchant_private_key_pem", &"<test key>")
            .field("wechatpay_public_key_id", &self.wechatpay_public_key_id)
            .field("platform_certificate_serial", &self.platform_certificate_serial)
            .field("apiv3_key", &"<test key>")
            .finish_non_exhaustive()
    }
}

/// What a Wonder client needs to call a [`crate::wonder::WonderServer`], and what a webhook
/// handler needs to verify the webhooks it sends: from
/// [`crate::wonder::WonderServer::credentials`].
#[derive(Clone, PartialEq, Eq)]
pub struct WonderCredentials {
    /// `http://127.0.0.1:PORT`: give it to `ClientBuilder::base_url`.
    pub base_url: String,
    /// The app id (`ClientBuilder::app_id`).
    pub app_id: String,
    /// The app's private key, PEM (`ClientBuilder::private_key_pem`).
    pub app_private_key_pem: String,
    /// The public key webhooks verify with, SubjectPublicKeyInfo PEM
    /// (`ClientBuilder::webhook_public_key_pem`).
    pub webhook_public_key_pem: String,
}

/// Where [`WonderCredentials::write_files`] put the key files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WonderCredentialFiles {
    /// The app's private key, `wonder_app_key.pem`.
    pub app_private_key: PathBuf,
    /// The webhook public key, `wonder_webhook_pub_key.pem`.
    pub webhook_public_key: PathBuf,
}

impl WonderCredentials {
    /// Writes the app private key and the webhook public key as PEM files into `dir` (created
    /// if missing), replacing files of the same names.
    ///
    /// # Errors
    /// `dir` cannot be created or a file cannot be written.
    pub fn write_files(&self, dir: &Path) -> io::Result<WonderCredentialFiles> {
        std::fs::create_dir_all(dir)?;
        let files = WonderCredentialFiles {
            app_private_key: dir.join("wonder_app_key.pem"),
            webhook_public_key: dir.join("wonder_webhook_pub_key.pem"),
        };
        std::fs::write(&files.app_private_key, &self.app_private_key_pem)?;
        std::fs::write(&files.webhook_public_key, &self.webhook_public_key_pem)?;
        Ok(files)
    }

    /// Rust code that builds a `wonder_typed::Client` for this mock from the key `files`, for a
    /// function returning `Result<_, Box<dyn std::error::Error>>`.
    pub fn client_snippet(&self, files: &WonderCredentialFiles) -> String {
        format!(
            "let client = wonder_typed::Client::builder()\n    \
             .app_id({app_id:?})\n    \
             .private_key_pem(&std::fs::read_to_string({key:?})?)?\n    \
             .webhook_public_key_pem(&std::fs::read_to_string({webhook:?})?)?\n    \
             .base_url({base:?})\n    \
             .build()?;",
            app_id = self.app_id,
            key = files.app_private_key.display().to_string(),
            webhook = files.webhook_public_key.display().to_string(),
            base = self.base_url,
        )
    }
}

impl fmt::Debug for WonderCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WonderCredentials")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("app_private_key_pem", &"<test key>")
            .finish_non_exhaustive()
    }
}

/// The directory `cargo xtask mock` writes a mock's key files to when not given one:
/// `<temp>/wechatpay-mock` (or `<temp>/wonder-mock`). The files are the same on every run with
/// the same test vectors, so a snippet pasted from one run works against the next (with the
/// same `--port`).
pub fn default_keys_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(name)
}
