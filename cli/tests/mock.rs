//! `payctl mock` in the foreground: its first line is the base URL, the config it writes works
//! for `payctl call` at once (WeChat Pay, and Wonder with `--wonder`).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use common::{outputs, payctl};

/// A `payctl mock` child process and the read end of its output (kept open), killed when
/// dropped.
struct Running {
    child: Child,
    _output: BufReader<std::process::ChildStdout>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `payctl mock ARGS --write-config FILE`; returns it, and its base URL, once the file
/// is written.
fn start(home: &std::path::Path, config: &std::path::Path, args: &[&str]) -> (Running, String) {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("payctl"));
    command
        .arg("mock")
        .args(args)
        .arg("--write-config")
        .arg(config)
        .arg("--keys-dir")
        .arg(home.join("keys"))
        .env("HOME", home)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("payctl mock starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the base URL");
    // The config file is written right after the base URL is printed: wait for its line.
    let mut line = String::new();
    while !line.starts_with("# payctl profile written") {
        line.clear();
        let read = stdout.read_line(&mut line).expect("the mock's output");
        assert_ne!(read, 0, "the mock stopped");
    }
    (
        Running {
            child,
            _output: stdout,
        },
        first.trim().to_owned(),
    )
}

#[test]
fn the_mock_and_its_profile_work_at_once() {
    let home = tempfile::tempdir().expect("a directory");
    let config = home.path().join("payctl.toml");
    let (_mock, base) = start(home.path(), &config, &[]);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let output = payctl(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "call",
            "POST",
            "/v3/payscore/plan/payscore-plans/merchant-plan-no/PLAN1/stop",
        ])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("\"merchant_plan_no\": \"PLAN1\""), "{stdout}");
    let output = payctl(home.path())
        .arg("--config")
        .arg(&config)
        .args(["call", "POST", "/pay/orderquery", "--data"])
        .arg(r#"{"appid":"wxd930ea5d5a258f4f","mch_id":"10000100","out_trade_no":"T1"}"#)
        .output()
        .expect("payctl runs");
    assert!(output.status.success(), "APIv2: {}", outputs(&output).1);
}

#[test]
fn the_wonder_mock_and_a_wonder_call() {
    let home = tempfile::tempdir().expect("a directory");
    let config = home.path().join("wonder.toml");
    let (_mock, _) = start(home.path(), &config, &["--wonder"]);
    let output = payctl(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "call",
            "POST",
            "/svc/payment/api/v1/openapi/echo",
            "--data",
            r#"{"message":"hi"}"#,
        ])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("\"message\": \"hi\""), "{stdout}");
    assert!(stderr.contains("not validated"), "{stderr}");
    let output = payctl(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "call",
            "POST",
            "/svc/payment/api/v1/openapi/echo",
            "--data",
            r#"{"message":"hi"}"#,
            "--dry-run",
        ])
        .output()
        .expect("payctl runs");
    let stdout = outputs(&output).0;
    assert!(
        stdout.contains(r#""POST\n/svc/payment/api/v1/openapi/echo\n{\"message\":\"hi\"}""#),
        "{stdout}"
    );
}
