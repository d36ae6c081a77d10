//! `wechatpay-mock [--wonder] [--port N] [--shared DIR] [--keys-dir DIR]`: run the mock WeChat
//! Pay APIv3 server (or, with `--wonder`, the mock Wonder Open API server) in the foreground for
//! manual use. It prints its base URL on the first line, then every credential a client needs
//! (writing the key files to `--keys-dir`) and a ready-to-paste `ClientBuilder` snippet.
//!
//! `wechatpay-mock notify EVENT --to URL [--resource JSON|@FILE] [--retry] [--time-scale F]`
//! (or `notify --list`): send one WeChat Pay notification, signed with the mock's credentials,
//! to a webhook handler, retried on WeChat Pay's schedule with `--retry`; with `--apiv2`, an
//! APIv2 (XML) notification of the model (`notify --apiv2 refund-processed --to URL`).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use wechatpay_mock::apiv2::{ApiV2Config, model_xml_notification};
use wechatpay_mock::credentials::default_keys_dir;
use wechatpay_mock::model::Model;
use wechatpay_mock::sample::sample_event;
use wechatpay_mock::wonder::{WonderConfig, WonderServer};
use wechatpay_mock::{
    Attempt, MockConfig, MockServer, RetryPolicy, SignedNotification, WECHATPAY_RETRY_SCHEDULE,
    default_shared_dir, send_notification_with,
};

/// The mock servers, for manual use.
#[derive(Parser)]
#[command(name = "wechatpay-mock", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Args,
}

#[derive(Subcommand)]
enum Command {
    /// Send one WeChat Pay notification to a webhook handler.
    ///
    /// Sends a notification of EVENT (e.g. TRANSACTION.SUCCESS) to the webhook handler at URL, its resource sealed with the mock's APIv3 key and the envelope signed
    /// with its platform key (the credentials `wechatpay-mock` prints), as WeChat Pay POSTs it
    /// to a notify_url. Exit status: 0 delivered (a 2xx reply), 1 not delivered, 2 usage error.
    Notify(NotifyArgs),
}

/// Serve the mock WeChat Pay APIv3 (or, with --wonder, the Wonder Open API) on 127.0.0.1.
#[derive(clap::Args)]
struct Args {
    /// Port on 127.0.0.1 (default: any free port).
    #[arg(long, short = 'p', default_value_t = 0)]
    port: u16,
    /// Directory holding test-vectors/keys.
    #[arg(long, default_value_os_t = default_shared_dir())]
    shared: PathBuf,
    /// Where to write the client's key files (default: <temp>/wechatpay-mock or
    /// <temp>/wonder-mock).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Serve the Wonder Open API (Recurring Payments) instead of WeChat Pay.
    #[arg(long)]
    wonder: bool,
}

/// The `notify` command line.
#[derive(clap::Args)]
struct NotifyArgs {
    /// The event type, e.g. TRANSACTION.SUCCESS (--list lists the documented ones).
    #[arg(required_unless_present = "list")]
    event: Option<String>,
    /// Where to POST it (http:// or https://).
    #[arg(long, value_name = "URL", required_unless_present = "list")]
    to: Option<String>,
    /// The decrypted resource: JSON text, or @FILE to read it from a file. Default: a sample of
    /// the event's documented payload, every field set. With it, EVENT need not be documented
    /// (original_type: its first segment, lower case).
    #[arg(long, value_name = "JSON|@FILE")]
    resource: Option<String>,
    /// While the reply is not 2xx, send it again on WeChat Pay's schedule (15s 15s 30s 3m 10m
    /// 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h: 24h4m in all), the same body and signature (the
    /// same notification id) every time.
    #[arg(long)]
    retry: bool,
    /// Multiply every wait by F (1: real time; 0.001 turns 15s into 15ms).
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = time_scale)]
    time_scale: f64,
    /// List the events the model documents (name, original_type, summary).
    #[arg(long)]
    list: bool,
    /// Send an APIv2 (XML) notification instead: EVENT is one of the model's APIv2 events
    /// (refund-processed, CHECK.SUCCESS, …; --list --apiv2 lists them), signed with the
    /// test-vector merchant's APIv2 key, its req_info / event_ciphertext sealed as WeChat Pay
    /// does; --resource gives its members as a JSON object.
    #[arg(long)]
    apiv2: bool,
    /// Directory holding test-vectors/keys.
    #[arg(long, default_value_os_t = default_shared_dir())]
    shared: PathBuf,
}

/// A `--time-scale`: a finite number, 0 or more.
fn time_scale(v: &str) -> Result<f64, String> {
    v.parse()
        .ok()
        .filter(|f: &f64| f.is_finite() && *f >= 0.0)
        .ok_or_else(|| format!("bad time scale {v:?} (a number, 0 or more)"))
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
async fn run_notify(args: NotifyArgs) -> ExitCode {
    let usage_error = |message: String| {
        eprintln!("error: {message}\n(wechatpay-mock notify --help for more)");
        ExitCode::from(2)
    };
    let resource = match args.resource.as_deref().map(read_resource).transpose() {
        Ok(resource) => resource,
        Err(message) => return usage_error(message),
    };
    if args.apiv2 {
        return run_notify_apiv2(args, resource).await;
    }
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
    let (Some(event), Some(to)) = (args.event.clone(), args.to.clone()) else {
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
    deliver(&to, &id, &event, &notification, &args).await
}

/// `wechatpay-mock notify --apiv2 …`: an APIv2 notification of the model's event, with the
/// test-vector merchant ([`ApiV2Config::default`]).
async fn run_notify_apiv2(args: NotifyArgs, members: Option<serde_json::Value>) -> ExitCode {
    let model = match Model::load_default() {
        Ok(model) => model,
        Err(e) => {
            eprintln!("error: cannot load the model: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.list {
        for event in model.xml_events() {
            println!(
                "{:<40} {}",
                event.name,
                event.summary.as_deref().unwrap_or_default()
            );
        }
        return ExitCode::SUCCESS;
    }
    let (Some(name), Some(to)) = (args.event.clone(), args.to.clone()) else {
        eprintln!("error: EVENT and --to URL are required\n(wechatpay-mock notify --help for more)");
        return ExitCode::from(2);
    };
    let notification = match model_xml_notification(&model, &ApiV2Config::default(), &name, members.as_ref())
    {
        Ok(notification) => notification,
        Err(message) => {
            eprintln!("error: {message}\n(wechatpay-mock notify --list --apiv2 lists them)");
            return ExitCode::from(2);
        }
    };
    println!("APIv2 notification ({name}) to {to}");
    println!("{}", String::from_utf8_lossy(&notification.body));
    deliver(&to, "", &name, &notification, &args).await
}

/// Sends `notification` to `to` as `args` say (once, or on WeChat Pay's schedule), printing
/// each attempt: exit 0 delivered, 1 not.
async fn deliver(
    to: &str,
    id: &str,
    event: &str,
    notification: &SignedNotification,
    args: &NotifyArgs,
) -> ExitCode {
    let policy = RetryPolicy {
        schedule: WECHATPAY_RETRY_SCHEDULE.to_vec(),
        time_scale: args.time_scale,
        retries: args.retry,
    };
    let mut n = 0;
    let sent = send_notification_with(to, notification, &policy, |attempt, next_wait| {
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
                "notification {id} ({event}) delivered ({})",
                attempts(delivery.attempts.len())
            );
            ExitCode::SUCCESS
        }
        Ok(delivery) => {
            let hint = if args.retry { "" } else { "; --retry retries it" };
            println!(
                "notification {id} ({event}) NOT delivered ({}{hint})",
                attempts(delivery.attempts.len())
            );
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("error: {message}\n(wechatpay-mock notify --help for more)");
            ExitCode::from(2)
        }
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
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Notify(notify)) => return run_notify(notify).await,
        None => cli.serve,
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
