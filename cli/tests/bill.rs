//! `payctl bill download` and `payctl bill parse` end to end against the mock: each trade bill
//! type and fund-flow bills, plain and `--gzip`, saved byte for byte as the mock serves them and
//! hash-checked; parsed back as JSON Lines or CSV whose rows add up to the summary; a tampered
//! download (exit 7, no file), a malformed line (exit 6, the line named, no value shown); the
//! APIv2 downloads (`--apiv2`), plain and gzip, trade and fund flow over mutual TLS.

mod common;

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use common::{Setup, outputs};
use sdk_runtime::rust_decimal::Decimal;
use serde_json::Value;
use wechatpay_mock::bills::{self, AccountType, BillKind, TradeBillType};
use wechatpay_mock::{Fault, FaultScope, InjectFaults as _};

/// The bill date asked for (not the mock's default date: the date must travel).
const DATE: &str = "2024-11-18";

/// `payctl bill download --date DATE ARGS…`: the file written, after checking it is the bill.
fn download(setup: &Setup, args: &[&str], out: &Path) -> std::process::Output {
    setup
        .payctl()
        .args(["bill", "download", "--date", DATE])
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("payctl runs")
}

/// `payctl bill parse FILE ARGS…`.
fn parse(setup: &Setup, file: &Path, args: &[&str]) -> std::process::Output {
    setup
        .payctl()
        .args(["bill", "parse"])
        .arg(file)
        .args(args)
        .output()
        .expect("payctl runs")
}

fn decimal(value: &Value) -> Decimal {
    Decimal::from_str(
        value
            .as_str()
            .unwrap_or_else(|| panic!("an amount as text: {value}")),
    )
    .expect("a decimal")
}

/// The rows and the last line (`{"kind","rows","summary"}`) of `bill parse --format json`.
fn json_lines(stdout: &str) -> (Vec<Value>, Value) {
    let mut lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON value per line"))
        .collect();
    let last = lines.pop().expect("the summary line");
    (lines, last)
}

/// The sum of `field` over `rows` (an absent value counts nothing).
fn sum(rows: &[Value], field: &str) -> Decimal {
    rows.iter()
        .filter(|r| !r[field].is_null())
        .map(|r| decimal(&r[field]))
        .sum()
}

#[test]
fn trade_bills_of_every_type_download_and_parse_to_their_summary() {
    let setup = Setup::start();
    for (i, bill_type) in TradeBillType::ALL.into_iter().enumerate() {
        let gzip = i % 2 == 0;
        let out = setup.dir.path().join(format!("{}.csv", bill_type.as_str()));
        let mut args = vec!["--bill-type", bill_type.as_str()];
        if gzip {
            args.push("--gzip");
        }
        let output = download(&setup, &args, &out);
        let (_, stderr) = outputs(&output);
        assert!(output.status.success(), "{bill_type:?}: {stderr}");
        assert!(stderr.contains("bytes downloaded"), "{stderr}");
        let saved = std::fs::read(&out).expect("the bill was saved");
        assert_eq!(
            saved,
            bills::v3_bill(BillKind::Trade(bill_type), DATE),
            "{bill_type:?}"
        );

        // Kind detected from the header; the rows add up to the summary.
        let output = parse(&setup, &out, &["--format", "json"]);
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{bill_type:?}: {stderr}");
        let (rows, last) = json_lines(&stdout);
        assert_eq!(last["kind"], "trade");
        let summary = &last["summary"];
        assert!(!rows.is_empty(), "{bill_type:?}");
        assert_eq!(last["rows"], rows.len() as u64);
        assert_eq!(summary["total_count"], rows.len() as u64);
        assert_eq!(
            decimal(&summary["settlement_total"]),
            sum(&rows, "settlement_total")
        );
        assert_eq!(decimal(&summary["refund_total"]), sum(&rows, "refund_amount"));
        assert_eq!(decimal(&summary["fee_total"]), sum(&rows, "fee"));
        assert_eq!(decimal(&summary["order_total"]), sum(&rows, "order_amount"));
        // Amounts are exact text: 2 places for yuan, 5 for fees, as WeChat Pay writes them.
        let fee = rows[0]["fee"].as_str().unwrap();
        assert_eq!(fee.split('.').nth(1).map(str::len), Some(5), "{fee}");
        assert_eq!(
            rows[0]["settlement_total"]
                .as_str()
                .unwrap()
                .split('.')
                .nth(1)
                .map(str::len),
            Some(2)
        );
        assert!(
            rows.iter()
                .all(|r| r["trade_time"].as_str().unwrap().starts_with(DATE))
        );
        assert!(!stdout.contains('`'));
    }
}

#[test]
fn fund_flow_bills_plain_and_gzip_parse_as_csv_and_json() {
    let setup = Setup::start();
    for (account, gzip) in [(AccountType::Basic, false), (AccountType::Operation, true)] {
        let out = setup.dir.path().join(format!("flow-{}.csv", account.as_str()));
        let mut args = vec!["--kind", "fund-flow", "--account-type", account.as_str()];
        if gzip {
            args.push("--gzip");
        }
        let output = download(&setup, &args, &out);
        assert!(output.status.success(), "{}", outputs(&output).1);
        let saved = std::fs::read(&out).expect("the bill was saved");
        assert_eq!(
            saved,
            bills::v3_bill(BillKind::FundFlow(account), DATE),
            "{account:?}"
        );

        let output = parse(&setup, &out, &["--kind", "fund-flow", "--format", "json"]);
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{stderr}");
        let (rows, last) = json_lines(&stdout);
        assert_eq!(last["kind"], "fund-flow");
        let summary = &last["summary"];
        let side = |direction: &str| -> Vec<Value> {
            rows.iter()
                .filter(|r| r["direction"] == direction)
                .cloned()
                .collect()
        };
        let (income, expense) = (side("收入"), side("支出"));
        assert_eq!(summary["total_count"], rows.len() as u64);
        assert_eq!(summary["income_count"], income.len() as u64);
        assert_eq!(summary["expense_count"], expense.len() as u64);
        assert_eq!(decimal(&summary["income_total"]), sum(&income, "amount"));
        assert_eq!(decimal(&summary["expense_total"]), sum(&expense, "amount"));

        // CSV: a header of field names, one line per row, no backticks; the summary on stderr.
        let output = parse(&setup, &out, &["--format", "csv"]);
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{stderr}");
        let mut reader = csv::Reader::from_reader(stdout.as_bytes());
        let header = reader.headers().expect("a header line").clone();
        assert_eq!(&header[0], "booking_time");
        let amount_at = header.iter().position(|h| h == "amount").expect("amount");
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV record")).collect();
        assert_eq!(records.len(), rows.len());
        let csv_total: Decimal = records
            .iter()
            .map(|r| Decimal::from_str(&r[amount_at]).expect("an amount"))
            .sum();
        assert_eq!(csv_total, sum(&rows, "amount"));
        assert!(!stdout.contains('`'));
        let line = stderr
            .lines()
            .find_map(|l| l.strip_prefix("payctl: summary "))
            .expect("the summary on stderr");
        let last_csv: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(last_csv, last);
    }
}

#[test]
fn the_default_file_name_is_kind_and_date() {
    let setup = Setup::start();
    let output = setup
        .payctl()
        .current_dir(setup.dir.path())
        .args(["bill", "download", "--date", DATE, "--kind", "fund-flow"])
        .output()
        .expect("payctl runs");
    assert!(output.status.success(), "{}", outputs(&output).1);
    assert!(setup.dir.path().join(format!("fund-flow-{DATE}.csv")).is_file());
}

/// The files of `dir` (temporary files included).
fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[test]
fn a_tampered_download_fails_its_hash_and_leaves_no_file() {
    let setup = Setup::start();
    let dir = setup.dir.path().join("bills");
    std::fs::create_dir(&dir).unwrap();
    setup
        .mock
        .set_fault_on("/v3/billdownload/file", Fault::Tamper, FaultScope::Next(1));
    let output = download(&setup, &["--bill-type", "SUCCESS"], &dir.join("bill.csv"));
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("no file written"), "{stderr}");
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));
}

/// `content` with the `n`th line (1-based) changed by `edit`.
fn edit_line(content: &[u8], n: usize, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let text = String::from_utf8(content.to_vec()).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    lines[n - 1] = edit(&lines[n - 1]);
    lines.join("\r\n").into_bytes()
}

#[test]
fn a_malformed_line_exits_6_naming_the_line_and_not_the_value() {
    let setup = Setup::start();
    let out = setup.dir.path().join("all.csv");
    let output = download(&setup, &["--gzip"], &out);
    assert!(output.status.success(), "{}", outputs(&output).1);
    let content = std::fs::read(&out).unwrap();

    // A row missing its last value.
    let short = edit_line(&content, 5, |line| line[..line.rfind(',').unwrap()].to_owned());
    std::fs::write(&out, short).unwrap();
    let output = parse(&setup, &out, &[]);
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("line 5"), "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "the rows before it streamed out");

    // An amount that is not a number: line and column named, the value not shown.
    let broken = edit_line(&content, 7, |line| {
        let mut cells: Vec<String> = line.split(",`").map(str::to_owned).collect();
        cells[12] = "12.3x4SECRET".to_owned();
        cells.join(",`")
    });
    std::fs::write(&out, broken).unwrap();
    let output = parse(&setup, &out, &["--format", "csv"]);
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("line 7") && stderr.contains("应结订单金额"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET"), "{stderr}");

    // Not a bill at all: the kind cannot be detected.
    std::fs::write(&out, "name,amount\r\nx,1\r\n").unwrap();
    let output = parse(&setup, &out, &[]);
    assert_eq!(output.status.code(), Some(6), "{}", outputs(&output).1);
    // A file that is not there: a local I/O failure.
    let output = parse(&setup, &setup.dir.path().join("missing.csv"), &[]);
    assert_eq!(output.status.code(), Some(8), "{}", outputs(&output).1);
}

#[test]
fn help_of_both_commands() {
    let home = tempfile::tempdir().unwrap();
    for (command, words) in [
        (
            "download",
            &[
                "--date",
                "--bill-type",
                "--account-type",
                "--gzip",
                "--out",
                "hash",
            ][..],
        ),
        ("parse", &["--format", "--kind", "JSON Lines", "exit 6"][..]),
    ] {
        let output = common::payctl(home.path())
            .args(["bill", command, "--help"])
            .output()
            .expect("payctl runs");
        let (stdout, _) = outputs(&output);
        assert!(output.status.success());
        for word in words {
            assert!(stdout.contains(word), "{command}: {word}\n{stdout}");
        }
        assert!(!stdout.contains("implemented"), "{stdout}");
    }
}

#[test]
fn apiv2_bills_download_whole_plain_and_gzip_and_parse() {
    let setup = Setup::start();
    let v2 = setup.with_apiv2();
    const APPID: &str = "wxd930ea5d5a258f4f";
    let mchid = setup.mock.credentials().mchid;
    let cases = [
        (
            BillKind::Trade(TradeBillType::Refund),
            vec!["--bill-type", "REFUND"],
            false,
        ),
        (BillKind::Trade(TradeBillType::All), vec![], true),
        (
            BillKind::FundFlow(AccountType::Operation),
            vec!["--kind", "fund-flow", "--account-type", "OPERATION"],
            true,
        ),
    ];
    for (i, (kind, mut args, gzip)) in cases.into_iter().enumerate() {
        args.extend(["--apiv2", "--appid", APPID]);
        if gzip {
            args.push("--gzip");
        }
        let out = setup.dir.path().join(format!("v2-{i}.csv"));
        let output = download(&setup, &args, &out);
        let (_, stderr) = outputs(&output);
        assert!(output.status.success(), "{kind:?}: {stderr}");
        let saved = std::fs::read(&out).expect("the bill was saved");
        assert_eq!(saved, bills::v2_bill(kind, DATE, APPID, &mchid), "{kind:?}");
        let output = parse(&setup, &out, &["--format", "json"]);
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{kind:?}: {stderr}");
        let (rows, last) = json_lines(&stdout);
        assert_eq!(last["rows"], rows.len() as u64);
    }
    let sent = v2.requests();
    assert_eq!(sent.len(), 3);
    // The fund flow went over mutual TLS, signed with HMAC-SHA256 as its page requires.
    let fund_flow = &sent[2];
    assert_eq!(fund_flow.path, "/pay/downloadfundflow");
    assert!(fund_flow.client_certificate);
    assert!(fund_flow.sign_verified);
    let member = |name: &str| fund_flow.params.get(name).map(String::as_str);
    assert_eq!(member("sign_type"), Some("HMAC-SHA256"));
    assert_eq!(member("account_type"), Some("Operation"));
    assert_eq!(member("bill_date"), Some("20241118"));
    // --apiv2 without --appid is a usage error, before anything is sent.
    let output = download(&setup, &["--apiv2"], &setup.dir.path().join("none.csv"));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(v2.requests().len(), 3);
}
