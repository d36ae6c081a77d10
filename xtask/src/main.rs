//! The project driver: `cargo xtask import`, `cargo xtask codegen [--check]`, `cargo xtask bench`,
//! `cargo xtask mock`.
//!
//! The only part of the generator that touches the disk; `codegen` stays a pure library.

mod apis;
mod bench;
mod codegen_cmd;
mod features;
mod files;
mod import;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Project tasks.
#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Import WeChat Pay docs into specs/ and generate the SDK crates"
)]
struct Cli {
    /// The workspace to work in (default: the one this xtask belongs to); `specs/` and
    /// `generated/` are read and written below it.
    #[arg(long, global = true, hide = true)]
    root: Option<PathBuf>,
    /// Only this API (`wechatpay`, `wonder`; repeatable). Default: every API.
    #[arg(long = "api", global = true)]
    apis: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build each API's model: for WeChat Pay, parse every APIv3 page of a docs checkout, merge
    /// the official SDK's facts, apply the errata of specs/overrides, and write the model to
    /// specs/wechatpay; for Wonder, check specs/wonder/openapi.yaml (written by hand).
    Import {
        /// The docs repository checkout (its `openapi/v3` folder is imported).
        #[arg(long, default_value = import::DEFAULT_DOCS)]
        from: PathBuf,
        /// The official SDK facts (default: `official-sdk-facts/wechatpay-go-facts.json` beside
        /// the docs checkout, when present).
        #[arg(long)]
        facts: Option<PathBuf>,
        /// The upstream repository recorded in specs/wechatpay/source.yaml.
        #[arg(long)]
        repository: Option<String>,
        /// The upstream commit recorded in specs/wechatpay/source.yaml.
        #[arg(long)]
        commit: Option<String>,
    },
    /// Generate each API's crates under generated/ from specs/.
    Codegen {
        /// Write nothing; fail and name every stale file when specs/ (re-imported from
        /// `--from`) or generated/ differ from what the tools would write.
        #[arg(long)]
        check: bool,
        /// The docs checkout `--check` re-imports to check specs/ (skipped when absent).
        #[arg(long, default_value = import::DEFAULT_DOCS)]
        from: PathBuf,
        /// The official SDK facts `--check` merges (default: beside the docs checkout).
        #[arg(long)]
        facts: Option<PathBuf>,
    },
    /// Check that the generated crate builds with each product feature alone (timed).
    CheckFeatures {
        /// Only these features (default: all but `full`).
        features: Vec<String>,
    },
    /// Run the benchmarks (signing, verification, webhooks, calls at concurrency 1 and 8, first
    /// calls, import + codegen; WeChat Pay and Wonder side by side) and print the figures and
    /// ratios.
    Bench {
        /// Arguments passed to criterion (e.g. a benchmark filter such as `call`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the mock WeChat Pay server (or with `--wonder` the Wonder one) in the foreground;
    /// prints its base URL, every credential a client needs and a `ClientBuilder` snippet.
    Mock {
        /// Arguments passed to the mock server (`--wonder`, `--port N`, `--keys-dir DIR`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(files::workspace_root);
    let result = match cli.command {
        Command::Import {
            from,
            facts,
            repository,
            commit,
        } => apis::select(&cli.apis).and_then(|apis| {
            apis.iter().try_for_each(|api| {
                let inputs = import::Inputs {
                    from: &from,
                    facts: facts.as_deref(),
                    repository: repository.clone(),
                    commit: commit.clone(),
                };
                api.import(&root, inputs)
            })
        }),
        Command::Codegen { check, from, facts } => apis::select(&cli.apis)
            .and_then(|apis| codegen_cmd::run(&root, &apis, check, &from, facts.as_deref())),
        Command::CheckFeatures { features } => features::run(&root, &features),
        Command::Bench { args } => bench::run(&root, &args),
        Command::Mock { args } => run_mock(&root, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask mock [ARGS…]`: builds the mock (cargo's progress shown: the first build takes
/// about a minute) and runs it in the foreground; it prints its credentials and a client snippet.
fn run_mock(root: &std::path::Path, args: &[String]) -> Result<(), String> {
    eprintln!(
        "building the mock server (cargo run --package wechatpay-mock; a first build takes about a \
         minute), then starting it…"
    );
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "run",
            "--package",
            "wechatpay-mock",
            "--bin",
            "wechatpay-mock",
            "--",
        ])
        .args(args)
        .status()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the mock server exited with {status}"))
    }
}
