//! What the payctl tests share: a mock on 127.0.0.1, a config file pointing at it with its
//! credentials (the APIv3 key in an environment variable the profile names), and a `payctl`
//! command that reads nothing of the machine's own configuration.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use wechatpay_mock::MockServer;

/// The environment variable the test profile names for the APIv3 key.
pub const APIV3_KEY_VAR: &str = "PAYCTL_TEST_APIV3_KEY";

/// A mock and a config file for it in a scratch directory.
pub struct Setup {
    /// The running mock (dropped with the setup).
    pub mock: MockServer,
    /// The scratch directory (removed when dropped).
    pub dir: tempfile::TempDir,
    /// The config file: profile `mock`, the default.
    pub config: PathBuf,
    /// The mock's APIv3 key.
    pub apiv3_key: String,
    /// The merchant private key PEM.
    pub merchant_key_pem: String,
}

impl Setup {
    /// Starts a mock and writes its profile (public key mode, APIv3 key from
    /// [`APIV3_KEY_VAR`]).
    pub fn start() -> Setup {
        let mock = MockServer::start_default().expect("the mock starts");
        let creds = mock.credentials();
        let dir = tempfile::tempdir().expect("a scratch directory");
        let files = creds.write_files(&dir.path().join("keys")).expect("key files");
        let config = dir.path().join("payctl.toml");
        let text = format!(
            "default = \"mock\"\n\n[profiles.mock]\nprovider = \"wechatpay\"\nbase_url = {:?}\nmchid = {:?}\n\
             merchant_serial_number = {:?}\nmerchant_private_key = {:?}\nwechatpay_public_key_id = {:?}\n\
             wechatpay_public_key = {:?}\napiv3_key_env = {APIV3_KEY_VAR:?}\n",
            creds.base_url,
            creds.mchid,
            creds.merchant_serial_number,
            files.merchant_private_key.display().to_string(),
            creds.wechatpay_public_key_id,
            files.wechatpay_public_key.display().to_string(),
        );
        std::fs::write(&config, text).expect("the config file");
        Setup {
            mock,
            dir,
            config,
            apiv3_key: creds.apiv3_key,
            merchant_key_pem: creds.merchant_private_key_pem,
        }
    }

    /// `payctl --config <the config>` with the APIv3 key in its variable.
    pub fn payctl(&self) -> Command {
        let mut command = payctl(self.dir.path());
        command
            .arg("--config")
            .arg(&self.config)
            .env(APIV3_KEY_VAR, &self.apiv3_key);
        command
    }

    /// Starts the APIv2 mock and adds it to the profile: its base URL, APIv2 key, the merchant
    /// certificate for mutual TLS and the CA it trusts.
    pub fn with_apiv2(&self) -> wechatpay_mock::apiv2::ApiV2Server {
        let v2 = wechatpay_mock::apiv2::ApiV2Server::start_default().expect("the APIv2 mock starts");
        let creds = v2.credentials();
        let write = |name: &str, text: &str| {
            let path = self.dir.path().join(name);
            std::fs::write(&path, text).expect("a file");
            path.display().to_string()
        };
        self.append_config(&format!(
            "apiv2_base_url = {:?}\napiv2_key_file = {:?}\nmerchant_certificate = {:?}\n\
             merchant_certificate_key = {:?}\nca_certificate = {:?}\n",
            creds.base_url,
            write("apiv2.key", &creds.key),
            write("cert.pem", &creds.merchant_certificate_pem),
            write("cert_key.pem", &creds.merchant_key_pem),
            write("ca.pem", &creds.ca_certificate_pem),
        ));
        v2
    }

    /// Appends `text` to the config file.
    pub fn append_config(&self, text: &str) {
        let mut config = std::fs::read_to_string(&self.config).expect("the config file");
        config.push_str(text);
        std::fs::write(&self.config, config).expect("the config file");
    }
}

/// The `payctl` binary with no `PAYCTL_*` variable of the caller and `HOME` in `home`, so the
/// machine's own config file is never read.
pub fn payctl(home: &Path) -> Command {
    let mut command = Command::cargo_bin("payctl").expect("the payctl binary");
    for (name, _) in std::env::vars() {
        if name.starts_with("PAYCTL_") {
            command.env_remove(name);
        }
    }
    command.env("HOME", home).env_remove("XDG_CONFIG_HOME");
    command
}

/// Standard output and error of a finished command, as text.
pub fn outputs(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The string-to-sign vectors used, copied from `shared/test-vectors/vectors.json`:
/// `(name, method, canonical_url, timestamp, nonce, string_to_sign, signature_b64)`.
pub const SIGN_VECTORS: [(&str, &str, &str, &str, &str, &str, &str); 2] = [
    (
        "v3_sign_get_with_query",
        "GET",
        "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900000109",
        "1554208460",
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        "GET\n/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900000109\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
        "K9c3L9vUwpEUD0Xng0RO6TX6HgSgjJKEdAjqmPuZ1VzREWHPcaTaroNsbNkqDvCYW4mJ4v1zRhT/HV7yPR6fR+Uzqcc2K5RU8bYHy9M/AoAndCfxcSavly5+svvyDT3Nxy9AuMKI/qDHmHafLHsyIvROL6NhtHuyxjSYnpUqewGc/YCQ6BGXE9RT0GQQ/fdb1HHombSyo7rL73RR89VAv+X7BQx6MB/ORoxUBAtVzLMP9t4uJ7KPAWzQDTr8f2sW+tHXZX54qT7igvAS91fesXZiv8LIMDDs/pz3R0xO3yMVHz0ojQbICRbpcJPQiIp6ymFZRha2XtsoAsFFlOwk5Q==",
    ),
    (
        "v3_sign_post_json",
        "POST",
        "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop",
        "1732174800",
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        "POST\n/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN20241121/stop\n1732174800\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{}\n",
        "nDOcACF2YQFC2V2zqseHzhj8EIGE4fQj2gT1j4OzLmk+ggMc1hdBCu9coeWuykos4ysRPZSISCA9hGUrVFVXQsfn7dtqGGG9Jzwp4kuQYpsguatN0lUa8Znk/h2t4RLpMD3Bmvpjv9v60kWkEoZO4/aIkZckWT/JDH3//CquzZaHfAGEuh7aABG0EiwmSCfIpu0elSsngwQ/0NYsfhM4mE49wh5VKNUs8HSdU5g/xMIkTI4hTD9tuZfrRp2AYrfdbmb++Jn3FmaqE1Qav7doMImaFuqMaPilaqxJjNbgM4rVLQXw7kq9tDFFySjfG0MADtY9jQaHFgixR6ktuhpqeg==",
    ),
];
