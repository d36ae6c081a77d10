//! Secrets never appear in any output: the APIv3 key, the APIv2 key and the merchant private
//! key, across calls, dry runs, `profile`, certificate downloads and error paths (a key of the
//! wrong length, a missing key variable, an inline key in the config file).

mod common;

use common::{APIV3_KEY_VAR, Setup, outputs};

/// A command line and the environment variables it runs with.
type Run<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

/// Every secret's text that must never be printed: the keys and each line of the PEM body.
fn secrets(setup: &Setup, apiv2_key: &str) -> Vec<String> {
    let mut secrets = vec![setup.apiv3_key.clone(), apiv2_key.to_owned()];
    secrets.extend(
        setup
            .merchant_key_pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 16)
            .map(str::to_owned),
    );
    secrets
}

#[test]
fn no_output_holds_a_secret() {
    let setup = Setup::start();
    let apiv2_key = "192006250b4c09247ec02edce69f6a2d";
    let key_file = setup.dir.path().join("apiv2.key");
    std::fs::write(&key_file, apiv2_key).expect("the APIv2 key file");
    setup.append_config(&format!(
        "apiv2_key_file = {:?}\n",
        key_file.display().to_string()
    ));
    let runs: Vec<Run> = vec![
        (vec!["profile"], vec![]),
        (
            vec![
                "call",
                "GET",
                "/v3/pay/transactions/id/1",
                "--query",
                "mchid=1900000109",
            ],
            vec![],
        ),
        (
            vec![
                "call",
                "GET",
                "/v3/pay/transactions/id/1",
                "--query",
                "mchid=1",
                "--dry-run",
            ],
            vec![],
        ),
        (
            vec!["call", "POST", "/v3/refund/domestic/refunds", "--data", "{}"],
            vec![],
        ),
        (
            vec![
                "call",
                "POST",
                "/pay/orderquery",
                "--data",
                r#"{"appid":"a","mch_id":"1","out_trade_no":"T"}"#,
                "--dry-run",
            ],
            vec![],
        ),
        (vec!["certificates", "download", "--out", "certs"], vec![]),
        // The APIv3 key of the wrong length, from the environment: refused without echo.
        (
            vec!["certificates", "download"],
            vec![(APIV3_KEY_VAR, "short-but-secret-value")],
        ),
        (
            vec!["profile"],
            vec![("PAYCTL_APIV3_KEY", "another-secret-value-0123456789ab")],
        ),
    ];
    let mut planted = secrets(&setup, apiv2_key);
    planted.push("short-but-secret-value".into());
    planted.push("another-secret-value-0123456789ab".into());
    for (args, env) in runs {
        let mut command = setup.payctl();
        command.current_dir(setup.dir.path()).args(&args);
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("payctl runs");
        let (stdout, stderr) = outputs(&output);
        for secret in &planted {
            assert!(
                !stdout.contains(secret.as_str()),
                "{args:?} printed a secret on stdout:\n{stdout}"
            );
            assert!(
                !stderr.contains(secret.as_str()),
                "{args:?} printed a secret on stderr:\n{stderr}"
            );
        }
    }
}

#[test]
fn secrets_are_refused_inline_and_missing_variables_are_named() {
    let setup = Setup::start();
    setup.append_config("apiv3_key = \"0123456789abcdefghijABCDEFGHIJ01\"\n");
    let output = setup.payctl().arg("profile").output().expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("unknown field `apiv3_key`"), "{stderr}");
    assert!(
        !format!("{stdout}{stderr}").contains("0123456789abcdef"),
        "{stderr}"
    );

    let setup = Setup::start();
    let output = setup
        .payctl()
        .env_remove(APIV3_KEY_VAR)
        .args(["certificates", "download"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(outputs(&output).1.contains(&format!("${APIV3_KEY_VAR}")));
    let output = setup.payctl().arg("profile").output().expect("payctl runs");
    let stdout = outputs(&output).0;
    assert!(
        stdout.contains(&format!("apiv3_key: from ${APIV3_KEY_VAR} (value not shown)")),
        "{stdout}"
    );
}
