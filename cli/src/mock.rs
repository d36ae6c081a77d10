//! `payctl mock [--wonder]`: runs the mock servers of `wechatpay-mock` on 127.0.0.1 in the
//! foreground (WeChat Pay APIv3 and APIv2, or Wonder), writes their test credentials as files,
//! and prints (or writes with `--write-config`) a payctl profile pointing at them, so
//! `payctl --config FILE call …` works at once. The base URL is the first line printed. The
//! credentials are the shared test vectors' (worthless anywhere else); the key files are named
//! in the profile, their contents are not printed.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use wechatpay_mock::apiv2::{ApiV2Config, ApiV2Server};
use wechatpay_mock::credentials::default_keys_dir;
use wechatpay_mock::wonder::{WonderConfig, WonderServer};
use wechatpay_mock::{MockConfig, MockServer};

use crate::exit::{Failure, Outcome};

/// What `payctl mock` was asked.
#[derive(Debug, Clone)]
pub struct Mock {
    /// Run the Wonder mock instead of WeChat Pay's.
    pub wonder: bool,
    /// The APIv3 (or Wonder) port on 127.0.0.1; 0 for any free one.
    pub port: u16,
    /// The directory holding `test-vectors/keys`.
    pub shared: PathBuf,
    /// Where to write the key files (default: `<temp>/payctl-mock`).
    pub keys_dir: Option<PathBuf>,
    /// Where to write the payctl config file for the mock.
    pub write_config: Option<PathBuf>,
}

/// TOML text of a string (quoted and escaped).
fn quoted(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// TOML text of a path.
fn path(value: &Path) -> String {
    quoted(&value.display().to_string())
}

/// A file with `content`, readable by its owner only where the platform allows.
fn write_private(file: &Path, content: &str) -> Outcome {
    std::fs::write(file, content).map_err(|e| Failure::io(format!("writing {}", file.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Prints a line; a closed standard output (`payctl mock | head -1`) does not stop the mock.
fn say(line: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}

/// Runs the mock until the process is interrupted.
pub async fn run(args: Mock) -> Outcome {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let dir = args
        .keys_dir
        .clone()
        .unwrap_or_else(|| default_keys_dir("payctl-mock"));
    std::fs::create_dir_all(&dir).map_err(|e| Failure::io(format!("creating {}", dir.display()), e))?;
    let (servers, base, config): (Box<dyn Send>, String, String) = if args.wonder {
        let server = WonderConfig::from_test_vectors(&args.shared)
            .and_then(|config| WonderServer::start_on(config, addr))
            .map_err(|e| Failure::usage(format!("cannot start the Wonder mock: {e}")))?;
        let creds = server.credentials();
        let files = creds
            .write_files(&dir)
            .map_err(|e| Failure::io(format!("writing the key files to {}", dir.display()), e))?;
        let config = format!(
            "default = \"wonder-mock\"\n\n[profiles.wonder-mock]\nprovider = \"wonder\"\nbase_url = {}\napp_id = {}\napp_private_key = {}\n",
            quoted(&creds.base_url),
            quoted(&creds.app_id),
            path(&files.app_private_key),
        );
        (Box::new(server), creds.base_url, config)
    } else {
        let server = MockConfig::from_test_vectors(&args.shared)
            .and_then(|config| MockServer::start_on(config, addr))
            .map_err(|e| Failure::usage(format!("cannot start the mock: {e}")))?;
        let v2 = ApiV2Server::start(ApiV2Config::default())
            .map_err(|e| Failure::usage(format!("cannot start the APIv2 mock: {e}")))?;
        let creds = server.credentials();
        let files = creds
            .write_files(&dir)
            .map_err(|e| Failure::io(format!("writing the key files to {}", dir.display()), e))?;
        let v2_creds = v2.credentials();
        let apiv3_key = dir.join("apiv3.key");
        let apiv2_key = dir.join("apiv2.key");
        let (v2_cert, v2_key, ca) = (
            dir.join("apiv2_apiclient_cert.pem"),
            dir.join("apiv2_apiclient_key.pem"),
            dir.join("apiv2_ca.pem"),
        );
        write_private(&apiv3_key, &creds.apiv3_key)?;
        write_private(&apiv2_key, &v2_creds.key)?;
        write_private(&v2_key, &v2_creds.merchant_key_pem)?;
        write_private(&v2_cert, &v2_creds.merchant_certificate_pem)?;
        write_private(&ca, &v2_creds.ca_certificate_pem)?;
        let config = format!(
            "default = \"mock\"\n\n[profiles.mock]\nprovider = \"wechatpay\"\nbase_url = {}\nmchid = {}\n\
             merchant_serial_number = {}\nmerchant_private_key = {}\nwechatpay_public_key_id = {}\n\
             wechatpay_public_key = {}\napiv3_key_file = {}\n\
             # APIv2 (XML, HTTPS): the APIv2 mock's merchant is {} (send it as mch_id)\n\
             apiv2_base_url = {}\napiv2_key_file = {}\nmerchant_certificate = {}\nmerchant_certificate_key = {}\nca_certificate = {}\n",
            quoted(&creds.base_url),
            quoted(&creds.mchid),
            quoted(&creds.merchant_serial_number),
            path(&files.merchant_private_key),
            quoted(&creds.wechatpay_public_key_id),
            path(&files.wechatpay_public_key),
            path(&apiv3_key),
            v2_creds.mch_id,
            quoted(&v2_creds.base_url),
            path(&apiv2_key),
            path(&v2_cert),
            path(&v2_key),
            path(&ca),
        );
        (Box::new((server, v2)), creds.base_url, config)
    };
    say(&base);
    if let Some(file) = &args.write_config {
        write_private(file, &config)?;
        say(&format!(
            "# payctl profile written to {}: payctl --config {} call …",
            file.display(),
            file.display()
        ));
    }
    say(&format!(
        "\n# a payctl config for this mock (key files in {}):\n{config}",
        dir.display()
    ));
    say("# test credentials only. Ctrl-C stops the mock.");
    std::future::pending::<()>().await;
    drop(servers);
    Ok(())
}
