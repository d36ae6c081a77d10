//! The fault matrix: every fault the mock injects, on an idempotent read (`GET` a transaction)
//! and on a payment-creating `POST` (JSAPI order), through the generated client. Each must
//! surface as the right error kind within its time budget, and be retried only where that is
//! safe, counted at the mock.

use std::time::{Duration, Instant};
use wechatpay_mock::InjectFaults;

use sdk_runtime::wechatpay::{Client, RetryPolicy};
use sdk_runtime::{ErrorKind, SignatureErrorKind};
use wechatpay_mock::{Fault, FaultScope, MockConfig, MockServer, default_shared_dir};
use wechatpay_typed::v3::pay::transactions::{id::by_transaction_id, jsapi};

const GET_PATH: &str = "/v3/pay/transactions/id/{transaction_id}";
const POST_PATH: &str = "/v3/pay/transactions/jsapi";
const TIMEOUT: Duration = Duration::from_millis(300);
const RETRIES: u32 = 2;
const BACKOFF_MAX: Duration = Duration::from_millis(20);

fn client(server: &MockServer) -> Client {
    let key = |name: &str| {
        std::fs::read_to_string(default_shared_dir().join("test-vectors/keys").join(name)).unwrap()
    };
    Client::builder()
        .mchid(wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key("merchant.pem"))
        .unwrap()
        .wechatpay_public_key_pem(
            wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID,
            &key("platform.pub.pem"),
        )
        .unwrap()
        .base_url(&server.base_url())
        .timeout(TIMEOUT)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(RETRIES)
                .backoff(Duration::from_millis(5), BACKOFF_MAX),
        )
        .build()
        .unwrap()
}

/// The mock's schema-valid sample body for the JSAPI order.
fn jsapi_order(server: &MockServer) -> jsapi::PostRequest {
    let op = server
        .operations()
        .iter()
        .find(|op| op.path == POST_PATH)
        .expect("the model has the JSAPI order");
    serde_json::from_value(wechatpay_mock::sample_input(op)["body"].clone()).unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Timeout,
    Transport,
    Api(u16),
    Signature(SignatureErrorKind),
}

struct Case {
    fault: Fault,
    expect: Expect,
    /// Whether a `GET` may be retried after it (a `POST` never is, once sent).
    read_retried: bool,
    /// Least wait between attempts the fault imposes (`Retry-After`).
    wait: Duration,
}

fn cases() -> Vec<Case> {
    let case = |fault, expect, read_retried| Case {
        fault,
        expect,
        read_retried,
        wait: Duration::ZERO,
    };
    vec![
        case(Fault::Delay(Duration::from_secs(2)), Expect::Timeout, true),
        case(Fault::Reset, Expect::Transport, true),
        case(Fault::TruncatedBody, Expect::Transport, true),
        case(Fault::status(500), Expect::Api(500), true),
        case(Fault::status(502), Expect::Api(502), true),
        case(Fault::status(503), Expect::Api(503), true),
        Case {
            wait: Duration::from_secs(1),
            ..case(
                Fault::StatusRetryAfter(429, "RATELIMIT_EXCEEDED".into(), 1),
                Expect::Api(429),
                true,
            )
        },
        case(Fault::status(400), Expect::Api(400), false),
        case(Fault::status(401), Expect::Api(401), false),
        case(Fault::status(404), Expect::Api(404), false),
        case(
            Fault::Tamper,
            Expect::Signature(SignatureErrorKind::InvalidSignature),
            false,
        ),
        case(
            Fault::MissingSignature,
            Expect::Signature(SignatureErrorKind::MissingHeader),
            false,
        ),
        case(
            Fault::WrongSerial,
            Expect::Signature(SignatureErrorKind::UnknownSerial),
            false,
        ),
        case(
            Fault::StaleTimestamp,
            Expect::Signature(SignatureErrorKind::Expired),
            false,
        ),
        case(
            Fault::SignTestProbe,
            Expect::Signature(SignatureErrorKind::SignTest),
            false,
        ),
    ]
}

fn matches(expect: Expect, err: &sdk_runtime::Error) -> bool {
    match expect {
        Expect::Timeout => err.kind() == ErrorKind::Transport && err.is_timeout(),
        Expect::Transport => err.kind() == ErrorKind::Transport && !err.is_timeout(),
        Expect::Api(status) => {
            err.kind() == ErrorKind::Api && err.status().map(|s| s.as_u16()) == Some(status)
        }
        Expect::Signature(kind) => err.kind() == ErrorKind::Signature(kind),
    }
}

#[tokio::test]
async fn every_fault_is_the_right_error_in_time_and_retried_only_where_safe() {
    let mut failures = Vec::new();
    for case in cases() {
        for read in [true, false] {
            let server =
                MockServer::start(MockConfig::from_test_vectors(&default_shared_dir()).unwrap()).unwrap();
            let client = client(&server);
            let path = if read { GET_PATH } else { POST_PATH };
            server.set_fault_on(path, case.fault.clone(), FaultScope::All);
            let attempts = if read && case.read_retried { RETRIES + 1 } else { 1 };
            // Per attempt: the timeout at most; between attempts: the backoff or Retry-After.
            let between = BACKOFF_MAX.max(case.wait);
            let budget = TIMEOUT * attempts + between * (attempts - 1) + Duration::from_millis(700);
            let started = Instant::now();
            let call = async {
                if read {
                    let query = by_transaction_id::GetQuery {
                        mchid: "1900000109".into(),
                    };
                    by_transaction_id::get(&client, "4200000001", &query)
                        .await
                        .map(drop)
                } else {
                    jsapi::post(&client, &jsapi_order(&server)).await.map(drop)
                }
            };
            let label = format!("{:?} on {}", case.fault, if read { "GET" } else { "POST" });
            let Ok(result) = tokio::time::timeout(budget * 2, call).await else {
                failures.push(format!("{label}: hung past {:?}", budget * 2));
                continue;
            };
            let elapsed = started.elapsed();
            match result {
                Ok(()) => failures.push(format!("{label}: succeeded")),
                Err(err) if !matches(case.expect, &err) => {
                    failures.push(format!("{label}: expected {:?}, got {:?}", case.expect, err))
                }
                Err(_) => {}
            }
            let seen = server.request_count(path);
            if seen != attempts as usize {
                failures.push(format!(
                    "{label}: {seen} request(s) at the mock, expected {attempts}"
                ));
            }
            if elapsed > budget {
                failures.push(format!("{label}: took {elapsed:?}, budget {budget:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_fault_that_clears_is_recovered_from_by_a_read_but_not_by_a_post() {
    let server = MockServer::start(MockConfig::from_test_vectors(&default_shared_dir()).unwrap()).unwrap();
    let client = client(&server);
    let query = by_transaction_id::GetQuery {
        mchid: "1900000109".into(),
    };
    for fault in [
        Fault::Reset,
        Fault::TruncatedBody,
        Fault::Delay(Duration::from_secs(2)),
        Fault::status(503),
    ] {
        server.clear_requests();
        server.set_fault_on(GET_PATH, fault.clone(), FaultScope::Next(1));
        let paid = by_transaction_id::get(&client, "4200000001", &query).await;
        assert!(paid.is_ok(), "{fault:?}: {paid:?}");
        assert_eq!(server.request_count(GET_PATH), 2, "{fault:?}");

        server.set_fault_on(POST_PATH, fault.clone(), FaultScope::Next(1));
        let order = jsapi::post(&client, &jsapi_order(&server)).await;
        assert!(
            order.is_err(),
            "{fault:?}: a POST that reached the server is not retried"
        );
        assert_eq!(server.request_count(POST_PATH), 1, "{fault:?}");
    }
}

#[tokio::test]
async fn a_streamed_download_is_bounded_per_read_and_reports_truncation() {
    use wechatpay_typed::v3::billdownload::file;
    let server = MockServer::start(MockConfig::from_test_vectors(&default_shared_dir()).unwrap()).unwrap();
    let client = client(&server);
    let bill = "/v3/billdownload/file";
    let query = file::GetQuery {
        token: "T1".into(),
        tartype: None,
    };

    // No response head within the timeout: a timeout per attempt, retried (a read), then returned.
    server.set_fault_on(bill, Fault::Delay(Duration::from_secs(3)), FaultScope::All);
    let started = Instant::now();
    let err = file::get(&client, &query).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.request_count(bill), 3);

    // The body breaks off mid-stream: the read that hits it fails; the bytes so far are not a bill.
    server.clear_fault();
    server.clear_requests();
    server.set_fault_on(bill, Fault::TruncatedBody, FaultScope::All);
    let download = file::get(&client, &query).await.expect("the head arrives");
    let err = tokio::time::timeout(Duration::from_secs(5), download.bytes())
        .await
        .expect("no hang")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(
        server.request_count(bill),
        1,
        "a stream already handed out is not re-sent"
    );

    // Without a fault the whole bill arrives and matches the mock's SHA-1.
    server.clear_fault();
    let expected = wechatpay_mock::download::download_sha1_hex(bill);
    let bytes = file::get(&client, &query)
        .await
        .unwrap()
        .verify_sha1(&expected)
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        bytes.len(),
        wechatpay_mock::download::download_content(bill).len()
    );
}
