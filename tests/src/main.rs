//! `wechatpay-mock [--wonder] [--port N] [--shared DIR] [--keys-dir DIR]`: run the mock WeChat
//! Pay APIv3 server (or, with `--wonder`, the mock Wonder Open API server) in the foreground for
//! manual use. It prints its base URL on the first line, then every credential a client needs
//! (writing the key files to `--keys-dir`) and a ready-to-paste `ClientBuilder` snippet.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use wechatpay_mock::credentials::default_keys_dir;
use wechatpay_mock::wonder::{WonderConfig, WonderServer};
use wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

const USAGE: &str = "usage: wechatpay-mock [--wonder] [--port N] [--shared DIR] [--keys-dir DIR]\n\
  --wonder        serve the Wonder Open API (Recurring Payments) instead of WeChat Pay\n\
  --port N        port on 127.0.0.1 (default: any free port)\n\
  --shared DIR    directory holding test-vectors/keys (default: <workspace>/../shared)\n\
  --keys-dir DIR  where to write the client's key files (default: <temp>/wechatpay-mock or\n\
  \x20               <temp>/wonder-mock)";

/// The command line: port, shared directory, key directory, and whether to serve Wonder.
struct Args {
    port: u16,
    shared: PathBuf,
    keys_dir: Option<PathBuf>,
    wonder: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        port: 0,
        shared: default_shared_dir(),
        keys_dir: None,
        wonder: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" | "-p" => {
                let v = value()?;
                parsed.port = v.parse().map_err(|_| format!("bad port {v:?}"))?;
            }
            "--shared" => parsed.shared = PathBuf::from(value()?),
            "--keys-dir" => parsed.keys_dir = Some(PathBuf::from(value()?)),
            "--wonder" => parsed.wonder = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(parsed)
}

/// Starts the WeChat Pay mock, writes the key files and prints the credentials and a snippet.
fn start_wechatpay(args: &Args, addr: SocketAddr) -> Result<MockServer, String> {
    let server = MockConfig::from_test_vectors(&args.shared)
        .and_then(|config| MockServer::start_on(config, addr))
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    let creds = server.credentials();
    let dir = keys_dir(args, "wechatpay-mock");
    let files = creds
        .write_files(&dir)
        .map_err(|e| format!("cannot write the key files to {}: {e}", dir.display()))?;
    let base = &creds.base_url;
    println!("{base}");
    println!(
        "\nwechatpay-mock: serving {} operations of the WeChat Pay API on {base}\n",
        server.operations().len()
    );
    for (name, value) in [
        ("base URL", base.clone()),
        ("mchid", creds.mchid.clone()),
        ("merchant serial number", creds.merchant_serial_number.clone()),
        (
            "merchant private key",
            files.merchant_private_key.display().to_string(),
        ),
        ("WeChat Pay public key id", creds.wechatpay_public_key_id.clone()),
        (
            "WeChat Pay public key",
            files.wechatpay_public_key.display().to_string(),
        ),
        (
            "platform certificate",
            format!(
                "{} (serial {})",
                files.platform_certificate.display(),
                creds.platform_certificate_serial
            ),
        ),
        ("APIv3 key", creds.apiv3_key.clone()),
    ] {
        println!("  {name:<26}{value}");
    }
    println!(
        "\nA client for it (in a function returning Result<_, Box<dyn std::error::Error>>):\n\n{}\n",
        creds.client_snippet(&files)
    );
    println!(
        "Admin: PUT {base}/__mock/fault, GET {base}/__mock/requests, POST {base}/__mock/certificates/rotate,\n\
         PUT {base}/__mock/certificates/mode, PUT {base}/__mock/sign-with, GET {base}/__mock/platform.\n\
         These are test credentials. Ctrl-C stops the mock."
    );
    Ok(server)
}

/// Starts the Wonder mock, writes the key files and prints the credentials and a snippet.
fn start_wonder(args: &Args, addr: SocketAddr) -> Result<WonderServer, String> {
    let server = WonderConfig::from_test_vectors(&args.shared)
        .and_then(|config| WonderServer::start_on(config, addr))
        .map_err(|e| format!("cannot start the Wonder mock: {e}"))?;
    let creds = server.credentials();
    let dir = keys_dir(args, "wonder-mock");
    let files = creds
        .write_files(&dir)
        .map_err(|e| format!("cannot write the key files to {}: {e}", dir.display()))?;
    let base = &creds.base_url;
    println!("{base}");
    println!(
        "\nwonder-mock: serving {} operations of the Wonder Open API on {base}\n",
        server.operations().len()
    );
    for (name, value) in [
        ("base URL", base.clone()),
        ("app id", creds.app_id.clone()),
        ("app private key", files.app_private_key.display().to_string()),
        (
            "webhook public key",
            files.webhook_public_key.display().to_string(),
        ),
    ] {
        println!("  {name:<26}{value}");
    }
    println!(
        "\nA client for it (in a function returning Result<_, Box<dyn std::error::Error>>):\n\n{}\n",
        creds.client_snippet(&files)
    );
    println!(
        "Admin: PUT {base}/__mock/fault, GET {base}/__mock/requests, POST {base}/__mock/webhook \
         {{\"url\", \"action\", \"body\"}}.\nThese are test credentials. Ctrl-C stops the mock."
    );
    Ok(server)
}

/// `--keys-dir`, or `<temp>/{name}`.
fn keys_dir(args: &Args, name: &str) -> PathBuf {
    args.keys_dir.clone().unwrap_or_else(|| default_keys_dir(name))
}

/// Runs until interrupted, keeping `_server` alive.
async fn serve_forever<T>(_server: T) {
    std::future::pending::<()>().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(v) => v,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let started = if args.wonder {
        start_wonder(&args, addr).map(|s| Box::new(s) as Box<dyn Send>)
    } else {
        start_wechatpay(&args, addr).map(|s| Box::new(s) as Box<dyn Send>)
    };
    match started {
        Ok(server) => {
            serve_forever(server).await;
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
