//! `payctl certificates download` against the mock: verified by the runtime, saved as PEM,
//! serial and validity printed; a wrong APIv3 key is a crypto failure (exit 7).

mod common;

use common::{APIV3_KEY_VAR, Setup, outputs};
use wechatpay_mock::TEST_PLATFORM_CERT_SERIAL;

#[test]
fn downloads_verifies_saves_and_prints_the_serial() {
    let setup = Setup::start();
    let out = setup.dir.path().join("certs");
    let output = setup
        .payctl()
        .args(["certificates", "download", "--out"])
        .arg(&out)
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(TEST_PLATFORM_CERT_SERIAL), "{stdout}");
    assert!(stdout.contains(" to "), "validity: {stdout}");
    assert!(stderr.contains("downloading"), "progress on stderr: {stderr}");
    let saved = std::fs::read_to_string(out.join(format!("wechatpay_{TEST_PLATFORM_CERT_SERIAL}.pem")))
        .expect("the certificate is saved");
    assert_eq!(saved, setup.mock.credentials().platform_certificate_pem);
}

#[test]
fn a_wrong_apiv3_key_is_a_crypto_failure() {
    let setup = Setup::start();
    let output = setup
        .payctl()
        .env(APIV3_KEY_VAR, "ffffffffffffffffffffffffffffffff")
        .args(["certificates", "download", "--out"])
        .arg(setup.dir.path())
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("ffffffffffffffff"));
}
