//! `payctl`: a control tool for payment APIs (WeChat Pay and Wonder), in the kubectl/systemctl
//! tradition: call any operation of the model (validated first, or `--dry-run` with the exact
//! string to sign), download platform certificates, explain a `SIGN_ERROR`, send test
//! notifications and run the mock servers. See `cli/README.md` and `payctl --help`.

mod bill;
mod call;
mod capture;
mod certificates;
mod cli;
mod client;
mod config;
mod dry_run;
mod exit;
mod explain;
mod input;
mod mock;
mod notify;
mod route;
mod unsent;
mod wonder;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{BillCommand, CertificatesCommand, Cli, Command};
use crate::config::{Provider, Selected};
use crate::exit::{Failure, Outcome};

/// The exit status of a process a closed pipe stopped (128 + SIGPIPE), as a shell reports it.
const CLOSED_PIPE: i32 = 141;

/// Makes a closed standard output (`payctl operations | head`) end the process quietly, as it
/// ends `cat` or `grep`, instead of the panic `println!` raises; every other panic is reported
/// as before.
fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE);
        }
        report(info);
    }));
}

#[tokio::main]
async fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("payctl: {failure}");
            failure.exit_code()
        }
    }
}

/// The selected profile of the command line.
fn profile(cli: &Cli) -> Outcome<Selected> {
    config::select(cli.config.as_deref(), cli.profile.as_deref())
}

/// Runs one command.
async fn run(cli: Cli) -> Outcome {
    match &cli.command {
        Command::Call(args) => {
            let selected = profile(&cli)?;
            let request = call::Request {
                method: args.method.clone(),
                path: args.path.clone(),
                args: input::Args {
                    path_query: None,
                    query: args.query.clone(),
                    headers: args.header.clone(),
                    data: args.data.clone(),
                    encrypt: args.encrypt.clone(),
                    upload: args.upload.clone(),
                },
                out: args.out.clone(),
            };
            let fixed = args.dry_run.then(|| dry_run::Fixed {
                timestamp: args.timestamp,
                nonce: args.nonce.clone(),
            });
            call::run(&selected.profile, request, fixed).await
        }
        Command::Operations(args) => {
            let provider = if args.wonder {
                Provider::Wonder
            } else {
                Provider::Wechatpay
            };
            for id in route::list(provider) {
                println!("{id}");
            }
            Ok(())
        }
        Command::Certificates(CertificatesCommand::Download { out }) => {
            let selected = profile(&cli)?;
            if selected.profile.provider() != Provider::Wechatpay {
                return Err(Failure::usage(
                    "platform certificates are WeChat Pay's: the profile is a Wonder one",
                ));
            }
            certificates::download(&selected.profile, out).await
        }
        Command::ExplainSignError(args) => explain::run(
            &args.message,
            &explain::RequestSpec {
                file: args.request.clone(),
                method: args.method.clone(),
                url: args.url.clone(),
                timestamp: args.timestamp,
                nonce: args.nonce.clone(),
                body: args.body.clone(),
                authorization: args.authorization.clone(),
            },
        ),
        Command::Notify(args) => {
            notify::run(notify::Notify {
                event: args.event.clone(),
                to: args.to.clone(),
                apiv2: args.apiv2,
                resource: args.resource.clone(),
                retry: args.retry,
                time_scale: args.time_scale,
                list: args.list,
                shared: args.shared.clone(),
            })
            .await
        }
        Command::Mock(args) => {
            mock::run(mock::Mock {
                wonder: args.wonder,
                port: args.port,
                shared: args.shared.clone(),
                keys_dir: args.keys_dir.clone(),
                write_config: args.write_config.clone(),
            })
            .await
        }
        Command::Profile => show_profile(&profile(&cli)?),
        Command::Bill(BillCommand::Download(args)) => {
            let selected = profile(&cli)?;
            if selected.profile.provider() != Provider::Wechatpay {
                return Err(Failure::usage(
                    "bills are WeChat Pay's: the profile is a Wonder one",
                ));
            }
            bill::download(&selected.profile, args).await
        }
        Command::Bill(BillCommand::Parse(args)) => bill::parse::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "payctl", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// `payctl profile`: the members of the selected profile; for each secret, where it comes from.
fn show_profile(selected: &Selected) -> Outcome {
    let p = &selected.profile;
    println!("profile {}", selected.name);
    let text = |name: &str, value: &Option<String>| {
        if let Some(value) = value {
            println!("  {name} = {value}");
        }
    };
    let path = |name: &str, value: &Option<std::path::PathBuf>| {
        if let Some(value) = value {
            println!("  {name} = {} (file)", value.display());
        }
    };
    println!("  provider = {:?}", p.provider());
    text("base_url", &p.base_url);
    text("mchid", &p.mchid);
    text("merchant_serial_number", &p.merchant_serial_number);
    path("merchant_private_key", &p.merchant_private_key);
    text("wechatpay_public_key_id", &p.wechatpay_public_key_id);
    path("wechatpay_public_key", &p.wechatpay_public_key);
    if let Some(on) = p.platform_certificates {
        println!("  platform_certificates = {on}");
    }
    for (name, direct, env, file) in [
        (
            "apiv3_key",
            "PAYCTL_APIV3_KEY",
            &p.apiv3_key_env,
            &p.apiv3_key_file,
        ),
        (
            "apiv2_key",
            "PAYCTL_APIV2_KEY",
            &p.apiv2_key_env,
            &p.apiv2_key_file,
        ),
    ] {
        let source = if config::env(direct).is_some() {
            format!("from ${direct}")
        } else if let Some(env) = env {
            format!("from ${env}")
        } else if let Some(file) = file {
            format!("from the file {}", file.display())
        } else {
            continue;
        };
        println!("  {name}: {source} (value not shown)");
    }
    text("apiv2_sign_type", &p.apiv2_sign_type);
    text("apiv2_base_url", &p.apiv2_base_url);
    path("merchant_certificate", &p.merchant_certificate);
    path("merchant_certificate_key", &p.merchant_certificate_key);
    path("ca_certificate", &p.ca_certificate);
    text("app_id", &p.app_id);
    path("app_private_key", &p.app_private_key);
    if let Some(on) = p.sandbox {
        println!("  sandbox = {on}");
    }
    Ok(())
}
