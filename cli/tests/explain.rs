//! `payctl explain-sign-error`: a dry run's request file against a SIGN_ERROR answer finds the
//! first differing byte (exit 1); strings that agree say so (exit 0).

mod common;

use common::{SIGN_VECTORS, Setup, outputs};

#[test]
fn finds_the_first_difference_with_a_dry_run_file() {
    let setup = Setup::start();
    let (_, method, url, timestamp, nonce, string_to_sign, _) = SIGN_VECTORS[1];
    let dry = setup
        .payctl()
        .args([
            "call",
            method,
            url,
            "--dry-run",
            "--timestamp",
            timestamp,
            "--nonce",
            nonce,
        ])
        .output()
        .expect("payctl runs");
    assert!(dry.status.success());
    let request = setup.dir.path().join("request.txt");
    std::fs::write(&request, &dry.stdout).expect("the request file");

    // WeChat Pay verified a body with a space in it (as a pretty-printing client sends).
    let theirs = string_to_sign.replace("{}", "{ }");
    let answer = serde_json::json!({
        "code": "SIGN_ERROR",
        "message": "签名错误",
        "detail": {"field": "signature", "issue": "sign not match", "location": "authorization",
            "sign_information": {"method": method, "url": url, "sign_message_length": theirs.len(),
                "truncated_sign_message": theirs}}
    });
    let output = setup
        .payctl()
        .args([
            "explain-sign-error",
            "--message",
            &answer.to_string(),
            "--request",
        ])
        .arg(&request)
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("line 4 nonce     same"), "{stdout}");
    assert!(
        stdout.contains("first difference: line 5 (body), byte 2 of the line (byte 119 of the string)"),
        "{stdout}"
    );

    // The message alone, as WeChat Pay shows it (escaped), agreeing with ours.
    let escaped = string_to_sign.replace('\n', "\\n");
    let output = setup
        .payctl()
        .args(["explain-sign-error", "--message", &escaped, "--request"])
        .arg(&request)
        .output()
        .expect("payctl runs");
    let (stdout, _) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("The strings agree"), "{stdout}");
}

#[test]
fn flags_alone_and_a_body_cut_short() {
    let setup = Setup::start();
    // WeChat Pay shows the body cut after `{"amount`, and the whole length: ours is longer.
    let theirs =
        "POST\n/v3/pay/transactions/jsapi\n1756951532\nIXlHDnWguGbz7uMOL7xdPibFoV342jP3\n{\"amount\n";
    let body = r#"{"amount":{"total":1},"appid":"wx"}"#;
    let answer = serde_json::json!({"detail": {"sign_information": {
        "truncated_sign_message": theirs, "sign_message_length": 999}}});
    let output = setup
        .payctl()
        .args(["explain-sign-error", "--message", &answer.to_string()])
        .args([
            "--method",
            "POST",
            "--url",
            "https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi",
        ])
        .args([
            "--timestamp",
            "1756951532",
            "--nonce",
            "IXlHDnWguGbz7uMOL7xdPibFoV342jP3",
            "--body",
            body,
        ])
        .output()
        .expect("payctl runs");
    let (stdout, _) = outputs(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("same as far as shown (8 of 35 bytes)"),
        "{stdout}"
    );
    assert!(stdout.contains("WeChat Pay verified 999 bytes"), "{stdout}");
}
