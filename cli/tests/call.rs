//! `payctl call` end to end against the mock on 127.0.0.1: a GET and a POST with their decoded
//! answers as JSON, validation before sending (the mock sees nothing), and the exit code of
//! each kind of failure.

mod common;

use common::{Setup, outputs};
use serde_json::Value;
use wechatpay_mock::{Fault, InjectFaults};

#[test]
fn a_get_is_signed_sent_verified_and_printed_as_json() {
    let setup = Setup::start();
    let output = setup
        .payctl()
        .args(["call", "GET", "/v3/pay/transactions/out-trade-no/ORDER%201"])
        .args(["--query", "mchid=1900000109"])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("the answer is JSON");
    assert_eq!(answer["trade_state"], "SUCCESS", "{stdout}");
    let requests = setup.mock.requests();
    assert_eq!(requests.len(), 1, "one request, no validation traffic");
    assert!(requests[0].signature_verified);
    assert_eq!(
        requests[0].target,
        "/v3/pay/transactions/out-trade-no/ORDER%201?mchid=1900000109"
    );
}

#[test]
fn a_post_with_a_body_and_numbers_the_model_wants() {
    let setup = Setup::start();
    let body = r#"{"out_refund_no":"R1","transaction_id":"4200000000","amount":{"refund":1,"total":1,"currency":"CNY"}}"#;
    let output = setup
        .payctl()
        .args(["call", "POST", "/v3/refund/domestic/refunds", "--data", body])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(answer.get("refund_id").is_some(), "{stdout}");
    let sent: Value = serde_json::from_slice(&setup.mock.requests()[0].body).expect("a JSON body");
    assert_eq!(sent["out_refund_no"], "R1");

    // Text query values and path segments become the integers the model wants.
    let output = setup
        .payctl()
        .args(["call", "GET", "/v3/marketing/favor/stocks?offset=0&limit=10"])
        .args(["--query", "stock_creator_mchid=1900000109"])
        .output()
        .expect("payctl runs");
    assert!(output.status.success(), "{}", outputs(&output).1);
    let output = setup
        .payctl()
        .args(["call", "GET", "/v3/merchant-store/stores/12"])
        .output()
        .expect("payctl runs");
    assert!(output.status.success(), "{}", outputs(&output).1);
}

#[test]
fn input_that_does_not_fit_names_the_field_and_sends_nothing() {
    let setup = Setup::start();
    let output = setup
        .payctl()
        .args([
            "call",
            "POST",
            "/v3/refund/domestic/refunds",
            "--data",
            r#"{"out_refund_no":"R1"}"#,
        ])
        .output()
        .expect("payctl runs");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing field `amount`"), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    // A required query member, an unknown path.
    let output = setup
        .payctl()
        .args(["call", "GET", "/v3/pay/transactions/id/4200000000"])
        .output()
        .expect("payctl runs");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing field `mchid`"), "{stderr}");
    let output = setup
        .payctl()
        .args(["call", "GET", "/v3/nope"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(outputs(&output).1.contains("not an operation of the model"));
    // Members the typed request would drop: a misspelt query member, one in the body.
    for (args, member) in [
        (
            vec![
                "GET",
                "/v3/pay/transactions/id/4200000000",
                "--query",
                "mchid=1900000109",
                "--query",
                "mchidd=1",
            ],
            "`query.mchidd`",
        ),
        (
            vec![
                "POST",
                "/v3/refund/domestic/refunds",
                "--data",
                r#"{"out_refund_no":"R1","out_trade_no":"T1","amount":{"refund":1,"total":1,"currency":"CNY","totl":1}}"#,
            ],
            "`body/amount/totl`",
        ),
    ] {
        let output = setup
            .payctl()
            .arg("call")
            .args(&args)
            .output()
            .expect("payctl runs");
        let (_, stderr) = outputs(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(member), "{args:?}: {stderr}");
        assert!(stderr.contains("nothing was sent"), "{stderr}");
    }
    assert!(
        setup.mock.requests().is_empty(),
        "the mock saw {:?}",
        setup.mock.requests()
    );
}

#[test]
fn exit_codes_follow_the_error_kind() {
    let setup = Setup::start();
    let call = |fault: Option<Fault>| {
        if let Some(fault) = fault {
            setup.mock.set_fault_for(fault, 1);
        }
        setup
            .payctl()
            .args([
                "call",
                "GET",
                "/v3/pay/transactions/id/4200000000",
                "--query",
                "mchid=1900000109",
            ])
            .output()
            .expect("payctl runs")
    };
    assert_eq!(call(None).status.code(), Some(0));
    let api = call(Some(Fault::Status(404, "ORDER_NOT_EXIST".into())));
    assert_eq!(api.status.code(), Some(3), "{}", outputs(&api).1);
    assert!(outputs(&api).1.contains("ORDER_NOT_EXIST"));
    let signature = call(Some(Fault::Tamper));
    assert_eq!(signature.status.code(), Some(4), "{}", outputs(&signature).1);
    // Transport: nothing listens there any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let output = setup
        .payctl()
        .env("PAYCTL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args([
            "call",
            "GET",
            "/v3/pay/transactions/id/4200000000",
            "--query",
            "mchid=1900000109",
        ])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(5), "{}", outputs(&output).1);
    // Usage: a bad flag, an unknown profile.
    let output = setup
        .payctl()
        .args(["call", "--no-such-flag"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2));
    let output = setup
        .payctl()
        .args(["--profile", "nope", "call", "GET", "/v3/certificates"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(outputs(&output).1.contains("no profile `nope`"));
}

#[test]
fn an_apiv2_call_over_mutual_tls() {
    let setup = Setup::start();
    let v2 = setup.with_apiv2();
    let body = r#"{"appid":"wxd930ea5d5a258f4f","mch_id":"10000100","out_trade_no":"T1","out_refund_no":"R1","total_fee":1,"refund_fee":1}"#;
    let output = setup
        .payctl()
        .args(["call", "POST", "/secapi/pay/refund", "--data", body])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(answer["out_refund_no"], "R1", "{stdout}");
    assert_eq!(v2.requests().len(), 1);
    // A member the APIv2 request type lacks is named, and not sent.
    let misspelt = body.replace("\"total_fee\"", "\"totl_fee\":1,\"total_fee\"");
    let output = setup
        .payctl()
        .args(["call", "POST", "/secapi/pay/refund", "--data", &misspelt])
        .output()
        .expect("payctl runs");
    let stderr = outputs(&output).1;
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`body/totl_fee`"), "{stderr}");
    assert_eq!(v2.requests().len(), 1);
}
