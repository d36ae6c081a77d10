//! `wechatpay-mock [--wonder] [--port N] [--shared DIR]`: run the mock WeChat Pay APIv3 server
//! (or, with `--wonder`, the mock Wonder Open API server) in the foreground for manual use.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use wechatpay_mock::wonder::{self, WonderConfig, WonderServer};
use wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

const USAGE: &str = "usage: wechatpay-mock [--wonder] [--port N] [--shared DIR]\n\
  --wonder      serve the Wonder Open API (Recurring Payments) instead of WeChat Pay\n\
  --port N      port on 127.0.0.1 (default: any free port)\n\
  --shared DIR  directory holding test-vectors/keys (default: <workspace>/../shared)";

/// The command line: port, shared directory, and whether to serve Wonder.
struct Args {
    port: u16,
    shared: PathBuf,
    wonder: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut port = 0;
    let mut wonder = false;
    let mut shared = default_shared_dir();
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
                port = v.parse().map_err(|_| format!("bad port {v:?}"))?;
            }
            "--shared" => shared = PathBuf::from(value()?),
            "--wonder" => wonder = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args { port, shared, wonder })
}

/// Starts the Wonder mock and prints its base URL, app id and key paths.
fn start_wonder(shared: &std::path::Path, addr: SocketAddr) -> Result<WonderServer, String> {
    let server = WonderConfig::from_test_vectors(shared)
        .and_then(|config| WonderServer::start_on(config, addr))
        .map_err(|e| e.to_string())?;
    let base = server.base_url();
    println!("{base}");
    let key = |file| wonder::test_key_path(shared, file).display().to_string();
    eprintln!(
        "wonder-mock: {} operations; app id {}; sign requests with {} (verified with {}); webhooks \
         signed with {} (verify with {}); admin: PUT {base}/__mock/fault, GET {base}/__mock/requests, \
         POST {base}/__mock/webhook",
        server.operations().len(),
        server.config().app_id,
        key(wonder::APP_PRIVATE_KEY_FILE),
        key(wonder::APP_PUBLIC_KEY_FILE),
        key(wonder::WEBHOOK_PRIVATE_KEY_FILE),
        key(wonder::WEBHOOK_PUBLIC_KEY_FILE),
    );
    Ok(server)
}

#[tokio::main]
async fn main() -> ExitCode {
    let Args { port, shared, wonder } = match parse_args() {
        Ok(v) => v,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if wonder {
        let _server = match start_wonder(&shared, SocketAddr::from((Ipv4Addr::LOCALHOST, port))) {
            Ok(server) => server,
            Err(e) => {
                eprintln!("error: cannot start the Wonder mock: {e}");
                return ExitCode::FAILURE;
            }
        };
        std::future::pending::<()>().await;
    }
    let started = MockConfig::from_test_vectors(&shared)
        .and_then(|config| MockServer::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, port))));
    let server = match started {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot start the mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", server.base_url());
    let base = server.base_url();
    eprintln!(
        "wechatpay-mock: {} operations; mchid {}, platform key {}, certificate {}; admin: \
         PUT {base}/__mock/fault, GET {base}/__mock/requests, POST {base}/__mock/certificates/rotate, \
         PUT {base}/__mock/certificates/mode, PUT {base}/__mock/sign-with, GET {base}/__mock/platform",
        server.operations().len(),
        server.config().mchid,
        server.config().platform_public_key_id,
        server.config().platform_cert_serial,
    );
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
