//! `payctl call --dry-run` with a fixed timestamp and nonce prints the test vectors' strings to
//! sign and signatures exactly (WeChat Pay APIv3, and Wonder), and sends nothing.

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

/// The Wonder vectors used, copied from `shared/test-vectors/vectors.json`: `(name, method, uri,
/// body, hmac_hex, signature_b64)`; all signed by app `d900da8b-…` at `20241121074501`
/// (1732175101) with nonce `0123456789abcdef`.
const WONDER_VECTORS: [(&str, &str, &str, &str, &str, &str); 2] = [
    (
        "wonder_sign_put_cancel_plan",
        "PUT",
        "/svc/payment/api/v1/openapi/recurring_payments/plan/6f1a2b3c-0000-4000-8000-000000000001/cancel",
        r#"{"activate_type":"immediate","refund_credit":true}"#,
        "6a37d5ccc4f3d009d67447948fda19292860b05971ebc22830d72d82b07ce820",
        "hzFDbGkglduYUwESBVmVMwfUNEb3nYSpbrei3CZgWMf6JBGAKhim3Mx965EZ1LjlEcN/CjwpItHne8Tp5clklSDxg6ANR+AH58yR++3+KbX5Yvc0VtIj17ltcY98ag5KkOaPCPMGm4zUIjHTvNhkfsDe91D5ZB1q9NjzRXTZlGjL08Lv7PGXsD7Ug4lMcJa3BTyam8QxCfSxGxJbIcFsCVTzX1rcyqpYlsLpxY8WwdsEym56zCCsbMrUWGvGEt1KpRgHI2gH6XklNkRWkQDH7QJTFL0WRKVCpNbK7S6dFSBHgmffc1wtBLq9Bklmg3u4ELj1HZDVPLERh++oi9ptRQ==",
    ),
    (
        "wonder_sign_post_echo",
        "POST",
        "/svc/payment/api/v1/openapi/echo",
        r#"{"message":"Hello, Wonder!"}"#,
        "c8e301772254c883ad82917e9ebeccbcd31c94656703e86799e758ae00834c01",
        "AWvylvEWZTPjYs78VrkkSMQ0tztPx7YNePMesYCZx2oDMgimsWAxp4SwbXhkeE3NkRrmhKTRW9Ohk4r4MxrRLOYgFakEABT+92zifGWDRkfaNhcczziDZ4b09LVmFd4LgkgtnVaanF/OG8QxAaHT86BS88isLdY8Nac5vqstcOZ/0Qet4c8lvbebwkuZPiQLj7D0SZqXu4gV0D8auk5/gdtjKd7Cd5SRha7mmC7use9J4/+yNygvrILtGpy+eSjDvu9DwhY1IsfWFvXGtehxNo1Fiz1BMy9JPhwjXIU3uLqN6xKVTmfe1BUzTkqEq4+nqCscdmZ5AgCPm1/S2/b9Zg==",
    ),
];

#[test]
fn wonder_dry_runs_match_the_wonder_vectors() {
    let home = tempfile::tempdir().expect("a directory");
    let key = wechatpay_mock::default_shared_dir().join("test-vectors/keys/wonder-app.pem");
    let config = home.path().join("wonder.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.wonder]\nprovider = \"wonder\"\napp_id = \"d900da8b-6e16-4a85-8a66-05d29ac53f24\"\n\
             app_private_key = {:?}\nsandbox = true\n",
            key.display().to_string()
        ),
    )
    .expect("the config file");
    for (name, method, uri, body, hmac_hex, signature) in WONDER_VECTORS {
        let output = common::payctl(home.path())
            .arg("--config")
            .arg(&config)
            .args(["call", method, uri, "--data", body, "--dry-run"])
            .args(["--timestamp", "1732175101", "--nonce", "0123456789abcdef"])
            .output()
            .expect("payctl runs");
        let (stdout, stderr) = outputs(&output);
        assert!(output.status.success(), "{name}: {stderr}");
        let content = format!("{method}\n{uri}\n{body}");
        let as_json = serde_json::to_string(&content).expect("a string");
        assert!(stdout.contains(&as_json), "{name}: no {as_json} in\n{stdout}");
        assert!(stdout.contains(&format!(": {hmac_hex}\n")), "{name}: {stdout}");
        assert!(
            stdout.contains(&format!("signature: {signature}\n")),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains(
                "credential: d900da8b-6e16-4a85-8a66-05d29ac53f24/20241121074501/Wonder-RSA-SHA256\n"
            )
        );
        assert!(stdout.contains(&format!(
            "{method} https://gateway-stg.wonder.today{uri} HTTP/1.1"
        )));
    }
}
