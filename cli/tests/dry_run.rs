//! `payctl call --dry-run` with a fixed timestamp and nonce prints the test vectors' strings to
//! sign and signatures exactly, and sends nothing.

mod common;

use common::{SIGN_VECTORS, Setup, outputs};

#[test]
fn dry_runs_match_the_signing_vectors_and_send_nothing() {
    let setup = Setup::start();
    for (name, method, canonical_url, timestamp, nonce, string_to_sign, signature) in SIGN_VECTORS {
        let output = setup
            .payctl()
            .args([
                "call",
                method,
                canonical_url,
                "--dry-run",
                "--timestamp",
                timestamp,
                "--nonce",
                nonce,
            ])
            .output()
            .expect("payctl runs");
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{name}: {stderr}");
        let as_json = serde_json::to_string(string_to_sign).expect("a string");
        assert!(stdout.contains(&as_json), "{name}: no {as_json} in\n{stdout}");
        assert!(
            stdout.contains(string_to_sign),
            "{name}: the string to sign is not printed as is"
        );
        let header = format!(
            "authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",\
             serial_no=\"3775B6A45ACD588826D15E583A95F5DD00000000\",signature=\"{signature}\""
        );
        assert!(stdout.contains(&header), "{name}: no {header} in\n{stdout}");
        assert!(stdout.contains(&format!(
            "{method} {}{canonical_url} HTTP/1.1",
            setup.mock.base_url()
        )));
    }
    assert!(
        setup.mock.requests().is_empty(),
        "a dry run sent {:?}",
        setup.mock.requests()
    );
}

#[test]
fn timestamp_and_nonce_are_for_dry_runs_only() {
    let setup = Setup::start();
    let output = setup
        .payctl()
        .args(["call", "GET", "/v3/certificates", "--timestamp", "1"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(outputs(&output).1.contains("--dry-run"));
}
