//! `wechatpay-mock [--port N] [--shared DIR]`: run the mock WeChat Pay APIv3 server in the
//! foreground for manual use.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

const USAGE: &str = "usage: wechatpay-mock [--port N] [--shared DIR]\n\
  --port N      port on 127.0.0.1 (default: any free port)\n\
  --shared DIR  directory holding test-vectors/keys (default: <workspace>/../shared)";

fn parse_args() -> Result<(u16, PathBuf), String> {
    let mut port = 0;
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
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((port, shared))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, shared) = match parse_args() {
        Ok(v) => v,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
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
