//! `wechatpay-mock [--wonder] [--port N] [--shared DIR] [--keys-dir DIR]`: run the mock WeChat
//! Pay APIv3 server (or, with `--wonder`, the mock Wonder Open API server) in the foreground for
//! manual use. It prints its base URL on the first line, then every credential a client needs
//! (writing the key files to `--keys-dir`) and a ready-to-paste `ClientBuilder` snippet.
//!
//! `wechatpay-mock notify EVENT --to URL [--resource JSON|@FILE] [--retry] [--time-scale F]`
//! (or `notify --list`): send one WeChat Pay notification, signed with the mock's credentials,
//! to a webhook handler, retried on WeChat Pay's schedule with `--retry`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use wechatpay_mock::credentials::default_keys_dir;
use wechatpay_mock::sample::sample_event;
use wechatpay_mock::wonder::{WonderConfig, WonderServer};
use wechatpay_mock::{
    Attempt, MockConfig, MockServer, RetryPolicy, WECHATPAY_RETRY_SCHEDULE, default_shared_dir,
    send_notification_with,
};

const USAGE: &str = "usage: wechatpay-mock [--wonder] [--port N] [--shared DIR] [--keys-dir DIR]\n\
  \x20      wechatpay-mock notify EVENT --to URL [OPTIONS]   (see wechatpay-mock notify --help)\n\
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

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: 0,
        shared: default_shared_dir(),
        keys_dir: None,
        wonder: false,
    };
    let mut args = args;
    while let Some(arg) = args.next() {
        let (flag, inline) = split_flag(&arg);
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

/// `--flag=value` as `("--flag", Some("value"))`, anything else as `(arg, None)`.
fn split_flag(arg: &str) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with('-') => (f.to_owned(), Some(v.to_owned())),
        _ => (arg.to_owned(), None),
    }
}

/// `wechatpay-mock notify --help`.
const NOTIFY_USAGE: &str = r#"usage: wechatpay-mock notify EVENT --to URL [--resource JSON | --resource @FILE]
                             [--retry] [--time-scale F] [--shared DIR]
       wechatpay-mock notify --list

Sends one WeChat Pay notification of EVENT (e.g. TRANSACTION.SUCCESS) to the webhook handler at
URL, its resource sealed with the mock's APIv3 key and the envelope signed with its platform key
(the credentials `wechatpay-mock` prints), as WeChat Pay POSTs it to a notify_url.

  --to URL          where to POST it (http:// or https://)
  --resource JSON   the decrypted resource: JSON text, or @FILE to read it from a file.
                    Default: a sample of the event's documented payload, every field set.
                    With it, EVENT need not be documented (original_type: its first
                    segment, lower case)
  --retry           while the reply is not 2xx, send it again on WeChat Pay's schedule
                    (15s 15s 30s 3m 10m 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h: 24h4m in all),
                    the same body and signature (the same notification id) every time
  --time-scale F    multiply every wait by F (default 1: real time; 0.001 turns 15s into 15ms)
  --list            list the events the model documents (name, original_type, summary)
  --shared DIR      directory holding test-vectors/keys (default: <workspace>/../shared)

Exit status: 0 delivered (a 2xx reply), 1 not delivered, 2 usage error."#;

/// The `notify` command line.
struct NotifyArgs {
    event: Option<String>,
    to: Option<String>,
    resource: Option<String>,
    retry: bool,
    time_scale: f64,
    list: bool,
    shared: PathBuf,
}

/// Parses the arguments after `notify`; `Err("")` asks for the help text.
fn parse_notify_args(args: impl Iterator<Item = String>) -> Result<NotifyArgs, String> {
    let mut parsed = NotifyArgs {
        event: None,
        to: None,
        resource: None,
        retry: false,
        time_scale: 1.0,
        list: false,
        shared: default_shared_dir(),
    };
    let mut args = args;
    while let Some(arg) = args.next() {
        let (flag, inline) = split_flag(&arg);
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--to" => parsed.to = Some(value()?),
            "--resource" => parsed.resource = Some(value()?),
            "--time-scale" => {
                let v = value()?;
                parsed.time_scale = v
                    .parse()
                    .ok()
                    .filter(|f: &f64| f.is_finite() && *f >= 0.0)
                    .ok_or_else(|| format!("bad time scale {v:?} (a number, 0 or more)"))?;
            }
            "--retry" => parsed.retry = true,
            "--list" => parsed.list = true,
            "--shared" => parsed.shared = PathBuf::from(value()?),
            "--help" | "-h" => return Err(String::new()),
            other if other.starts_with('-') => return Err(format!("unknown argument {other:?}")),
            event if parsed.event.is_none() => parsed.event = Some(event.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?} (one EVENT only)")),
        }
    }
    if !parsed.list {
        if parsed.event.is_none() {
            return Err("which EVENT? (wechatpay-mock notify --list lists them)".to_owned());
        }
        if parsed.to.is_none() {
            return Err("--to URL is required".to_owned());
        }
    }
    Ok(parsed)
}

/// The `--resource` value as JSON: the text itself, or the content of `@FILE`.
fn read_resource(arg: &str) -> Result<serde_json::Value, String> {
    let (text, source) = match arg.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| format!("cannot read --resource {path}: {e}"))?,
            path,
        ),
        None => (arg.to_owned(), "--resource"),
    };
    serde_json::from_str(&text).map_err(|e| format!("{source} is not JSON: {e}"))
}

/// A duration for people: `15s`, `3m`, `3h`, or milliseconds below a second.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{:.1}s", d.as_secs_f64()).replace(".0s", "s")
    }
}

/// `1 attempt`, `3 attempts`.
fn attempts(n: usize) -> String {
    format!("{n} attempt{}", if n == 1 { "" } else { "s" })
}

/// One line for an attempt: its status (or error) and the reply body.
fn describe_attempt(n: usize, attempt: &Attempt) -> String {
    let status = attempt
        .status
        .map_or_else(|| "no reply".to_owned(), |s| s.to_string());
    let mut line = format!("attempt {n}: {status}");
    if !attempt.body.is_empty() {
        line.push_str(&format!(" {}", attempt.body.trim_end()));
    }
    if let Some(error) = &attempt.error {
        line.push_str(&format!(" ({error})"));
    }
    line
}

/// `wechatpay-mock notify …`: exit 0 delivered, 1 not delivered (or the mock cannot start),
/// 2 usage error.
async fn run_notify(args: impl Iterator<Item = String>) -> ExitCode {
    let usage_error = |message: String| {
        eprintln!("error: {message}");
        let synopsis = NOTIFY_USAGE.split("\n\n").next().unwrap_or(NOTIFY_USAGE);
        eprintln!("{synopsis}\n(wechatpay-mock notify --help for more)");
        ExitCode::from(2)
    };
    let args = match parse_notify_args(args) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{NOTIFY_USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => return usage_error(message),
    };
    let resource = match args.resource.as_deref().map(read_resource).transpose() {
        Ok(resource) => resource,
        Err(message) => return usage_error(message),
    };
    let mock = match MockConfig::from_test_vectors(&args.shared).and_then(MockServer::start) {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("error: cannot load the mock's credentials: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.list {
        let events = mock.documented_events();
        if events.is_empty() {
            println!("The model documents no events (send any with --resource).");
        }
        for event in events {
            let summary = event.summary.unwrap_or_default();
            println!("{:<40} {:<16} {summary}", event.name, event.original_type);
        }
        return ExitCode::SUCCESS;
    }
    let (Some(event), Some(to)) = (args.event, args.to) else {
        return usage_error("EVENT and --to URL are required".to_owned());
    };
    // The sample is made here (as `event_notification` would) to show what is sent.
    let resource = resource.or_else(|| mock.model().event(&event).map(sample_event));
    let notification = match mock.event_notification(&event, resource.clone()) {
        Ok(notification) => notification,
        Err(message) => {
            eprintln!("error: {message}\n(wechatpay-mock notify --list lists the documented events)");
            return ExitCode::from(2);
        }
    };
    let id = notification.id().unwrap_or_default();
    println!("notification {id} ({event}) to {to}");
    if let Some(resource) = &resource {
        let pretty = serde_json::to_string_pretty(resource).unwrap_or_default();
        println!("resource (decrypted):\n{pretty}");
    }
    let policy = RetryPolicy {
        schedule: WECHATPAY_RETRY_SCHEDULE.to_vec(),
        time_scale: args.time_scale,
        retries: args.retry,
    };
    let mut n = 0;
    let sent = send_notification_with(&to, &notification, &policy, |attempt, next_wait| {
        n += 1;
        println!("{}", describe_attempt(n, attempt));
        if let Some(wait) = next_wait {
            println!("  retrying in {}", human(wait));
        }
    })
    .await;
    match sent {
        Ok(delivery) if delivery.delivered => {
            println!(
                "notification {id} delivered ({})",
                attempts(delivery.attempts.len())
            );
            ExitCode::SUCCESS
        }
        Ok(delivery) => {
            let hint = if args.retry { "" } else { "; --retry retries it" };
            println!(
                "notification {id} NOT delivered ({}{hint})",
                attempts(delivery.attempts.len())
            );
            ExitCode::FAILURE
        }
        Err(message) => usage_error(message),
    }
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
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().is_some_and(|a| a == "notify") {
        argv.next();
        return run_notify(argv).await;
    }
    let args = match parse_args(argv) {
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
