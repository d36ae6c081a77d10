//! `--help` on every command, the exit code table, shell completions, the usage errors of the
//! `bill` commands (their work is in `tests/bill.rs`), and `payctl operations`.

mod common;

use common::{outputs, payctl};

const COMMANDS: &[&[&str]] = &[
    &[],
    &["call"],
    &["operations"],
    &["certificates"],
    &["certificates", "download"],
    &["explain-sign-error"],
    &["notify"],
    &["mock"],
    &["profile"],
    &["bill"],
    &["bill", "download"],
    &["bill", "parse"],
    &["completions"],
];

#[test]
fn every_command_has_help() {
    let home = tempfile::tempdir().expect("a directory");
    for command in COMMANDS {
        let output = payctl(home.path())
            .args(*command)
            .arg("--help")
            .output()
            .expect("payctl runs");
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{command:?}: {stderr}");
        assert!(stdout.contains("Usage: payctl"), "{command:?}: {stdout}");
    }
}

#[test]
fn help_documents_the_exit_codes() {
    let home = tempfile::tempdir().expect("a directory");
    let output = payctl(home.path()).arg("--help").output().expect("payctl runs");
    let stdout = outputs(&output).0;
    for line in [
        "0  success",
        "2  usage",
        "3  API error",
        "4  signature",
        "5  transport",
    ] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
    let output = payctl(home.path()).output().expect("payctl runs");
    assert_eq!(output.status.code(), Some(2), "no command is a usage error");
}

#[test]
fn completions_and_operations() {
    let home = tempfile::tempdir().expect("a directory");
    let output = payctl(home.path())
        .args(["completions", "bash"])
        .output()
        .expect("payctl runs");
    assert!(output.status.success());
    assert!(outputs(&output).0.contains("explain-sign-error"));
    let output = payctl(home.path())
        .arg("operations")
        .output()
        .expect("payctl runs");
    let stdout = outputs(&output).0;
    assert!(stdout.contains("GET /v3/pay/transactions/out-trade-no/{out_trade_no}"));
    assert!(stdout.contains("POST /secapi/pay/refund  (APIv2)"));
    let output = payctl(home.path())
        .args(["operations", "--wonder"])
        .output()
        .expect("payctl runs");
    let stdout = outputs(&output).0;
    assert!(stdout.contains("PUT /svc/payment/api/v1/openapi/recurring_payments/plan/{id}/cancel"));
    assert!(!stdout.contains("/v3/"), "{stdout}");
}

#[test]
fn a_closed_pipe_ends_payctl_quietly() {
    let home = tempfile::tempdir().expect("a directory");
    // The read end is gone before payctl writes: its first line meets a closed pipe, as under
    // `payctl operations | head -1` once head has exited.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("payctl"))
        .arg("operations")
        .env("HOME", home.path())
        .stdout(writer)
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(141));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn bill_commands_check_their_command_line() {
    let home = tempfile::tempdir().expect("a directory");
    // No --date: a usage error (exit 2), before any profile is read.
    let output = payctl(home.path())
        .args(["bill", "download"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(outputs(&output).1.contains("--date"));
    // A bill file that is not there: a local I/O failure (exit 8).
    let output = payctl(home.path())
        .args(["bill", "parse", "x.csv"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(8));
    assert!(outputs(&output).1.contains("x.csv"));
}
