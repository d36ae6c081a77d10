//! The command line (clap derive): every command and its `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

use crate::exit::EXIT_CODES_HELP;

/// The help text after the commands: profiles, environment, exit codes.
const AFTER_HELP: &str = "\
Profiles: a TOML config file (--config FILE, $PAYCTL_CONFIG, else ~/.config/payctl/config.toml) holds
[profiles.NAME] tables; --profile NAME or $PAYCTL_PROFILE picks one (else the file's `default`).
PAYCTL_* variables override a profile's members (PAYCTL_MCHID, PAYCTL_BASE_URL, …); the APIv3 and
APIv2 keys come from $PAYCTL_APIV3_KEY / $PAYCTL_APIV2_KEY, the variable a profile names
(apiv3_key_env) or a file (apiv3_key_file), never from the config file. Secrets are never printed.
`payctl mock --write-config payctl.toml` writes a profile for the mock servers.
";

/// payctl: a control tool for payment APIs (WeChat Pay and Wonder).
#[derive(Debug, Parser)]
#[command(name = "payctl", version, after_long_help = format!("{AFTER_HELP}\n{EXIT_CODES_HELP}"),
    after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// The config file (default: $PAYCTL_CONFIG, else ~/.config/payctl/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The profile to use (default: $PAYCTL_PROFILE, else the config file's `default`).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Call any operation of the model, validated before sending; print the answer as JSON.
    #[command(after_help = CALL_HELP)]
    Call(CallArgs),
    /// List every operation of the model (`METHOD /path/{template}`): WeChat Pay's, or Wonder's.
    Operations(OperationsArgs),
    /// Platform certificates.
    #[command(subcommand)]
    Certificates(CertificatesCommand),
    /// Compare a SIGN_ERROR's truncated_sign_message with the string payctl signs (offline).
    #[command(name = "explain-sign-error", after_help = EXPLAIN_HELP)]
    ExplainSignError(ExplainArgs),
    /// Send a test notification (webhook) as WeChat Pay does, signed with the mock's keys.
    Notify(NotifyArgs),
    /// Run the mock servers (WeChat Pay APIv3 and APIv2, or Wonder) on 127.0.0.1.
    Mock(MockArgs),
    /// Show the selected profile: its members, and where each secret comes from (never its value).
    Profile,
    /// Bills: download a trade or fund-flow bill (hash checked), parse one into rows and a summary.
    #[command(subcommand)]
    Bill(BillCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: Shell,
    },
}

/// More help for `call`.
const CALL_HELP: &str = "\
Examples:
  payctl call GET /v3/pay/transactions/out-trade-no/ORDER1 --query mchid=1900000109
  payctl call POST /v3/refund/domestic/refunds --data @refund.json
  payctl call GET /v3/marketing/favor/stocks --query offset:=0 --query limit:=10 --dry-run

PATH is concrete; payctl finds the model's operation (the template with {param}) and reads the
path parameters from it. --query NAME=VALUE is text (a number where the model wants one),
NAME:=JSON any JSON value. The input is decoded into the generated typed request before anything
is sent: a field that does not fit is named and the exit code is 2. --dry-run prints the request and
the exact string to sign instead of sending it.";

/// More help for `explain-sign-error`.
const EXPLAIN_HELP: &str = "\
--message takes the whole SIGN_ERROR answer (JSON, its detail.sign_information is read, with
sign_message_length), or just truncated_sign_message (a JSON string, or text with \\n escapes).
--request takes a file as `payctl call --dry-run` prints it (or a raw HTTP request: request line,
headers, blank line, body); the Authorization header gives the timestamp and nonce. Flags override
its parts. Exit 0 when the strings agree (then the key is the problem), 1 when they differ.";

/// `payctl call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The HTTP method (GET, POST, PUT, PATCH, DELETE).
    pub method: String,
    /// The concrete path, e.g. /v3/pay/transactions/id/4200000000 (a ?query is read too).
    pub path: String,
    /// A query parameter: NAME=VALUE (text) or NAME:=JSON (repeatable).
    #[arg(long, short = 'q', value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// The JSON body: JSON text, @FILE, or @- for standard input.
    #[arg(long, short = 'd', value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// A request header the operation declares: "NAME: VALUE" (repeatable).
    #[arg(long, short = 'H', value_name = "NAME: VALUE")]
    pub header: Vec<String>,
    /// A field to encrypt, as a JSON pointer into the body, e.g. /name (repeatable): only for
    /// operations that declare Wechatpay-Serial without a known sensitive field (known ones,
    /// marked sensitive in the model, are encrypted anyway).
    #[arg(long, value_name = "POINTER")]
    pub encrypt: Vec<String>,
    /// A file to upload (media upload operations; sent as its UTF-8 text).
    #[arg(long, value_name = "FILE")]
    pub upload: Option<PathBuf>,
    /// Where a downloaded file goes (default: standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the request and the exact string to sign instead of sending anything.
    #[arg(long)]
    pub dry_run: bool,
    /// For debugging: sign the dry run with this Unix timestamp instead of now.
    #[arg(long, requires = "dry_run", value_name = "SECONDS")]
    pub timestamp: Option<i64>,
    /// For debugging: sign the dry run with this nonce instead of a random one.
    #[arg(long, requires = "dry_run", value_name = "NONCE")]
    pub nonce: Option<String>,
}

/// `payctl certificates …`.
#[derive(Debug, Subcommand)]
pub enum CertificatesCommand {
    /// Download the platform certificates, verify them as the runtime does, save the PEMs and
    /// print their serials and validity (needs the APIv3 key).
    Download {
        /// The directory to save wechatpay_<serial>.pem files in.
        #[arg(long, default_value = ".", value_name = "DIR")]
        out: PathBuf,
    },
}

/// `payctl explain-sign-error`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The SIGN_ERROR answer or its truncated_sign_message: text or @FILE.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub message: String,
    /// The request: a file as `payctl call --dry-run` prints it, or raw HTTP.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
    /// The request's method.
    #[arg(long)]
    pub method: Option<String>,
    /// The request's URL (absolute, or path and query).
    #[arg(long)]
    pub url: Option<String>,
    /// The request's body: text or @FILE.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub body: Option<String>,
    /// The timestamp the request was signed with.
    #[arg(long)]
    pub timestamp: Option<i64>,
    /// The nonce the request was signed with.
    #[arg(long)]
    pub nonce: Option<String>,
    /// The Authorization header sent (gives the timestamp and nonce).
    #[arg(long, value_name = "HEADER")]
    pub authorization: Option<String>,
}

/// `payctl notify`.
#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// The event, e.g. TRANSACTION.SUCCESS (with --apiv2: refund-processed, …).
    #[arg(required_unless_present = "list")]
    pub event: Option<String>,
    /// The handler's URL.
    #[arg(long, value_name = "URL", required_unless_present = "list")]
    pub to: Option<String>,
    /// Send an APIv2 (XML) notification instead.
    #[arg(long)]
    pub apiv2: bool,
    /// The decrypted resource (APIv2: the members): JSON or @FILE. Default: a sample of the model.
    #[arg(long, value_name = "JSON|@FILE")]
    pub resource: Option<String>,
    /// While the reply is not 2xx, send it again on WeChat Pay's schedule (15s … 6h).
    #[arg(long)]
    pub retry: bool,
    /// Multiply every wait by F (0.001 turns 15s into 15ms).
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub time_scale: f64,
    /// List the events the model documents.
    #[arg(long)]
    pub list: bool,
    /// The directory holding test-vectors/keys (the mock's credentials).
    #[arg(long, value_name = "DIR", default_value_os_t = wechatpay_mock::default_shared_dir())]
    pub shared: PathBuf,
}

/// `payctl mock`.
/// `payctl operations`.
#[derive(Debug, Args)]
pub struct OperationsArgs {
    /// List Wonder's operations instead of WeChat Pay's.
    #[arg(long)]
    pub wonder: bool,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Run the Wonder mock instead of WeChat Pay's.
    #[arg(long)]
    pub wonder: bool,
    /// The port on 127.0.0.1 (default: any free port).
    #[arg(long, short = 'p', default_value_t = 0)]
    pub port: u16,
    /// Write a payctl config file for the mock here.
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<PathBuf>,
    /// Where to write the key files (default: <temp>/payctl-mock).
    #[arg(long, value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// The directory holding test-vectors/keys.
    #[arg(long, value_name = "DIR", default_value_os_t = wechatpay_mock::default_shared_dir())]
    pub shared: PathBuf,
}

/// `payctl bill …`.
#[derive(Debug, Subcommand)]
pub enum BillCommand {
    /// Apply for a bill and download it (gunzipped with --gzip), its SHA-1 checked, to a file.
    #[command(after_help = BILL_DOWNLOAD_HELP)]
    Download(BillDownloadArgs),
    /// Parse a downloaded bill (plain or gzip) into rows and its summary: JSON Lines or CSV.
    #[command(after_help = BILL_PARSE_HELP)]
    Parse(BillParseArgs),
}

/// More help for `bill download`.
const BILL_DOWNLOAD_HELP: &str = "\
Examples:
  payctl bill download --date 2024-11-20                       # trade bill ALL -> trade-2024-11-20.csv
  payctl bill download --date 2024-11-20 --bill-type REFUND --gzip --out refunds.csv
  payctl bill download --date 2024-11-20 --kind fund-flow --account-type OPERATION

The bill-apply call (GET /v3/bill/tradebill or /v3/bill/fundflowbill) is validated against the
model and sent like `payctl call`; the download_url it answers is then streamed (decompressed with
--gzip, which asks for tar_type=GZIP) into a temporary file next to --out, its SHA-1 checked against
the answer's hash_value, and renamed to --out only when all of it arrived and the hash matched: a
failed download or hash (exit 7) leaves no file. The bytes received are reported on stderr.";

/// More help for `bill parse`.
const BILL_PARSE_HELP: &str = "\
Output (stdout), amounts always as the exact decimal text in yuan (\"12.50\", fees \"0.08000\"),
times as RFC 3339 at +08:00:
  --format json  JSON Lines: one row object per line, in the order of the file, then as the last
                 line {\"kind\":\"trade\"|\"fund-flow\",\"rows\":N,\"summary\":{…}}. Keys are the
                 row's field names (trade_time, out_trade_no, settlement_total, …); a column payctl
                 does not know is kept in \"extra\" by its Chinese header name.
  --format csv   CSV with a header line of the same field names (unknown columns last, by their
                 Chinese header name), no backticks, empty for an absent value; the summary goes
                 to stderr as one JSON line: `payctl: summary {…}`.
Rows are streamed as they are read: a bill is complete only once the summary is printed. A
malformed line stops with exit 6 and an error naming its line and column (never a value).";

/// Which bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BillKind {
    /// The trade bill (交易账单): GET /v3/bill/tradebill.
    Trade,
    /// The fund-flow bill (资金账单): GET /v3/bill/fundflowbill.
    FundFlow,
}

impl BillKind {
    /// The name on the command line and in file names: `trade`, `fund-flow`.
    pub fn name(self) -> &'static str {
        match self {
            BillKind::Trade => "trade",
            BillKind::FundFlow => "fund-flow",
        }
    }
}

/// `payctl bill download`.
#[derive(Debug, Args)]
pub struct BillDownloadArgs {
    /// The bill's date, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
    /// Which bill.
    #[arg(long, value_enum, default_value = "trade")]
    pub kind: BillKind,
    /// The trade bill's bill_type (WeChat Pay's default: ALL).
    #[arg(long, value_name = "TYPE",
        value_parser = ["ALL", "SUCCESS", "REFUND", "RECHARGE_REFUND"])]
    pub bill_type: Option<String>,
    /// The fund-flow bill's account_type (WeChat Pay's default: BASIC).
    #[arg(long, value_name = "TYPE", value_parser = ["BASIC", "OPERATION", "FEES"])]
    pub account_type: Option<String>,
    /// Ask for the bill gzip-compressed (tar_type=GZIP) and decompress it on the fly.
    #[arg(long)]
    pub gzip: bool,
    /// The file to write (default: <kind>-<date>.csv).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Download through APIv2 (POST /pay/downloadbill, /pay/downloadfundflow over mutual TLS)
    /// with the profile's APIv2 key; the file comes whole, with no hash to check.
    #[arg(long, requires = "appid")]
    pub apiv2: bool,
    /// The appid the APIv2 bill is for (--apiv2 only).
    #[arg(long, value_name = "APPID")]
    pub appid: Option<String>,
}

/// Which bill `bill parse` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParseKind {
    /// From the header's first column: 交易时间 (trade) or 记账时间 (fund flow).
    Auto,
    /// A trade bill.
    Trade,
    /// A fund-flow bill.
    FundFlow,
}

/// The output of `bill parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BillFormat {
    /// JSON Lines: one row per line, then the summary line.
    Json,
    /// CSV with a header line; the summary on stderr.
    Csv,
}

/// `payctl bill parse`.
#[derive(Debug, Args)]
pub struct BillParseArgs {
    /// The bill file (plain, or gzip as it was downloaded).
    pub file: PathBuf,
    /// Which bill.
    #[arg(long, value_enum, default_value = "auto")]
    pub kind: ParseKind,
    /// The output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: BillFormat,
}
