//! A Wonder call against a WeChat Pay call, side by side in one run (`cargo xtask bench`):
//! - `call/*`: the same job, "stop a plan", through each generated crate against its mock over
//!   real HTTP on 127.0.0.1 (build the request, sign, send, the mock verifies and answers, the
//!   client verifies where the API signs responses and decodes);
//! - `sign/*`: the client's signing alone for a request of the same size (`Wonder-RSA-SHA256`:
//!   two HMACs, a digest and one RSA-2048 signature; WeChat Pay: one RSA-2048 signature).
//!
//! `cargo xtask bench` prints the ratios from criterion's estimates.

use criterion::{Criterion, criterion_group, criterion_main};
use wechatpay_mock::wonder::{APP_PRIVATE_KEY_FILE, TEST_APP_ID, WonderConfig, WonderServer, test_key_path};
use wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

fn key(file: &str) -> String {
    let path = test_key_path(&default_shared_dir(), file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn calls(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let _guard = runtime.enter();
    let shared = default_shared_dir();
    let wechat_mock = MockServer::start(MockConfig::from_test_vectors(&shared).expect("keys")).expect("mock");
    let wonder_mock =
        WonderServer::start(WonderConfig::from_test_vectors(&shared).expect("keys")).expect("mock");
    let wechat = wechatpay::Client::builder()
        .mchid(wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key("merchant.pem"))
        .expect("merchant key")
        .wechatpay_public_key_pem(
            wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID,
            &key("platform.pub.pem"),
        )
        .expect("platform key")
        .base_url(&wechat_mock.base_url())
        .build()
        .expect("client");
    let wonder = wonder::Client::builder()
        .app_id(TEST_APP_ID)
        .private_key_pem(&key(APP_PRIVATE_KEY_FILE))
        .expect("app key")
        .base_url(&wonder_mock.base_url())
        .build()
        .expect("client");

    let mut group = c.benchmark_group("call");
    group.bench_function("wechatpay", |b| {
        b.to_async(&runtime).iter(|| async {
            use wechatpay::v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop;
            stop::post(&wechat, "PLAN20241121").await.expect("stop")
        })
    });
    group.bench_function("wonder", |b| {
        use wonder::recurring_payments::{CancelActivateType, CancelPlanIn, cancel_plan};
        let body = CancelPlanIn::new(CancelActivateType::Immediate, true);
        b.to_async(&runtime)
            .iter(|| async { cancel_plan(&wonder, "plan-1", &body).await.expect("cancel") })
    });
    group.finish();
    // The mocks record every request; keep memory flat between groups.
    wechat_mock.clear_requests();
    wonder_mock.clear_requests();

    let body = br#"{"activate_type":"immediate","refund_credit":true}"#;
    let wechat_signer = sdk_runtime::wechatpay::Signer::new(
        wechatpay_mock::TEST_MCHID,
        wechatpay_mock::TEST_MERCHANT_SERIAL_NO,
        sdk_runtime::wechatpay::PrivateKey::from_pem(&key("merchant.pem")).expect("key"),
    );
    let wonder_signer = sdk_runtime::wonder::Signer::new(
        TEST_APP_ID,
        sdk_runtime::wonder::PrivateKey::from_pem(&key(APP_PRIVATE_KEY_FILE)).expect("key"),
    );
    let path = "/svc/payment/api/v1/openapi/recurring_payments/plan/plan-1/cancel";
    let mut group = c.benchmark_group("sign");
    group.bench_function("wechatpay", |b| {
        b.iter(|| {
            wechat_signer
                .authorization(
                    "PUT",
                    path,
                    1_700_000_000,
                    "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
                    body,
                )
                .expect("sign")
        })
    });
    group.bench_function("wonder", |b| {
        b.iter(|| {
            wonder_signer
                .sign("PUT", path, body, 1_700_000_000, "Wd1h1dtOUEGh5nDL")
                .expect("sign")
        })
    });
    group.finish();
}

criterion_group!(benches, calls);
criterion_main!(benches);
