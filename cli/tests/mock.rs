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

/// How many requests the mock at `base` has recorded (its admin route `GET /__mock/requests`).
fn recorded(base: &str) -> usize {
    use std::io::{Read, Write};
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("the mock listens");
    write!(
        stream,
        "GET /__mock/requests HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("a request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let body = answer.split_once("\r\n\r\n").expect("a body").1;
    let json: serde_json::Value = serde_json::from_str(body).expect("JSON");
    json.as_array()
        .or_else(|| json["requests"].as_array())
        .expect("a list")
        .len()
}

#[test]
fn the_wonder_mock_and_wonder_calls_validated_against_the_model() {
    let home = tempfile::tempdir().expect("a directory");
    let config = home.path().join("wonder.toml");
    let (_mock, base) = start(home.path(), &config, &["--wonder"]);
    let call = |args: &[&str]| {
        payctl(home.path())
            .arg("--config")
            .arg(&config)
            .arg("call")
            .args(args)
            .output()
            .expect("payctl runs")
    };
    const ECHO: &str = "/svc/payment/api/v1/openapi/echo";
    let output = call(&["POST", ECHO, "--data", r#"{"message":"hi"}"#]);
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("\"message\": \"hi\""), "{stdout}");
    assert_eq!(recorded(&base), 1);

    // Refused before anything is sent: a required member missing, a member the model lacks, an
    // operation Wonder does not have, a filter on a field the operation does not filter on.
    let refusals: [(&[&str], &str); 4] = [
        (&["POST", ECHO, "--data", "{}"], "missing field `message`"),
        (
            &["POST", ECHO, "--data", r#"{"message":"hi","mesage":"x"}"#],
            "`body/mesage`",
        ),
        (
            &["POST", "/svc/payment/api/v1/openapi/echo/2"],
            "not an operation",
        ),
        (
            &[
                "GET",
                "/svc/payment/api/v1/openapi/recurring_payments/items",
                "--query",
                "filter[colour][_eq]=red",
            ],
            "filter[colour][_eq]",
        ),
    ];
    for (args, says) in refusals {
        let output = call(args);
        let stderr = outputs(&output).1;
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(recorded(&base), 1, "a refused call reached the mock");

    // A list filter goes out as Wonder's `filter[field][operator]=value`, signed as sent.
    let output = call(&[
        "GET",
        "/svc/payment/api/v1/openapi/recurring_payments/items",
        "--query",
        "filter[label][_eq]=Gold",
        "--query",
        "limit=5",
        "--dry-run",
    ]);
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("filter%5Blabel%5D%5B_eq%5D=Gold"), "{stdout}");
    assert!(stdout.contains("limit=5"), "{stdout}");
    let output = call(&["POST", ECHO, "--data", r#"{"message":"hi"}"#, "--dry-run"]);
    let stdout = outputs(&output).0;
    assert!(
        stdout.contains(r#""POST\n/svc/payment/api/v1/openapi/echo\n{\"message\":\"hi\"}""#),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("POST {base}{ECHO} HTTP/1.1")),
        "{stdout}"
    );
    assert_eq!(recorded(&base), 1, "a dry run reached the mock");
}
