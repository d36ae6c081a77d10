//! The client's costs, WeChat Pay beside Wonder where both have the step (`cargo xtask bench`
//! runs this and `benches/codegen.rs`, then prints the figures and ratios):
//! - `sign/*`: signing a request of the same size (`Wonder-RSA-SHA256`: two HMACs, a digest and
//!   one RSA-2048 signature; WeChat Pay: one RSA-2048 signature);
//! - `verify/wechatpay`: verifying a response signature (`Wechatpay-*` headers over the body);
//! - `first_sign/wechatpay`, `first_verify/wechatpay`: the same with a key just parsed, its
//!   first use (what a client's build now does once, so its first call does not);
//! - `webhook/*`: a webhook as a handler receives it: WeChat Pay's verified and its resource
//!   decrypted (AES-256-GCM with the APIv3 key); Wonder's verified (Wonder does not encrypt);
//! - `call/*`: the same job, "stop a plan", through each generated crate against its mock over
//!   real HTTP on 127.0.0.1, one call at a time (build, sign, send, the mock verifies and
//!   answers, the client verifies where the API signs responses, and decodes);
//! - `call_c8/*`: 8 such calls in flight at once on one client (each a Tokio task), timed per
//!   batch of 8;
//! - `first_call/*`: the first call of a client just built (the build is not timed), and
//!   `first_call/http` / `call/http`: a plain reqwest GET of the mock's admin route on a fresh
//!   and on a warm client, the cost of opening a connection, to tell it apart from the SDK's;
//! - `apiv2/*`: WeChat Pay APIv2 beside APIv3, measured in one run: signing the vector's
//!   parameters with MD5 and HMAC-SHA256 (`sign_md5`, `sign_hmac`) beside APIv3's RSA
//!   (`sign/wechatpay`), and a call through the generated crate against the APIv2 mock:
//!   `call_v2` (an order query, HTTPS with a kept-alive connection), `call_v2_mtls` (a refund,
//!   over mutual TLS), beside `call_v3` (stop a plan against the APIv3 mock, plain HTTP).

use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use wechatpay_mock::wonder::WonderServer;
use wechatpay_mock::{Credentials, MockServer, WonderCredentials};
use wechatpay_typed::v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop;
use wonder_typed::recurring_payments::{CancelActivateType, CancelPlanIn, cancel_plan};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{wechat_client, wonder_client};
#[path = "../tests/common/apiv2.rs"]
mod common_apiv2;
use common_apiv2::apiv2_client;

/// Calls in flight at once in `call_c8`.
const IN_FLIGHT: usize = 8;

async fn wechat_call(client: &wechatpay_typed::Client) {
    stop::post(client, "PLAN20241121").await.expect("stop");
}

async fn wonder_call(client: &wonder_typed::Client) {
    let body = CancelPlanIn::new(CancelActivateType::Immediate, true);
    cancel_plan(client, "plan-1", &body).await.expect("cancel");
}

/// The mocks, their credentials and a client of each, on `runtime`.
struct Setup {
    wechat_mock: MockServer,
    wonder_mock: WonderServer,
    wechat_creds: Credentials,
    wonder_creds: WonderCredentials,
    wechat: wechatpay_typed::Client,
    wonder: wonder_typed::Client,
}

impl Setup {
    fn new(runtime: &Runtime) -> Setup {
        let _guard = runtime.enter();
        let wechat_mock = MockServer::start_default().expect("WeChat Pay mock");
        let wonder_mock = WonderServer::start_default().expect("Wonder mock");
        let wechat_creds = wechat_mock.credentials();
        let wonder_creds = wonder_mock.credentials();
        Setup {
            wechat: wechat_client(&wechat_creds),
            wonder: wonder_client(&wonder_creds),
            wechat_mock,
            wonder_mock,
            wechat_creds,
            wonder_creds,
        }
    }
}

fn crypto(c: &mut Criterion, setup: &Setup, runtime: &Runtime) {
    let body = br#"{"activate_type":"immediate","refund_credit":true}"#;
    let path = "/svc/payment/api/v1/openapi/recurring_payments/plan/plan-1/cancel";
    let mut group = c.benchmark_group("sign");
    group.bench_function("wechatpay", |b| {
        let signer = setup.wechat.signer();
        b.iter(|| {
            signer
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
        let signer = setup.wonder.signer();
        b.iter(|| {
            signer
                .sign("PUT", path, body, 1_700_000_000, "Wd1h1dtOUEGh5nDL")
                .expect("sign")
        })
    });
    group.finish();

    // A transaction, as a payment notification carries it (about 600 bytes once sealed).
    let transaction = serde_json::json!({
        "mchid": setup.wechat_creds.mchid, "appid": "wxd678efh567hg6787",
        "out_trade_no": "1217752501201407033233368018", "transaction_id": "1217752501201407033233368018",
        "trade_type": "JSAPI", "trade_state": "SUCCESS", "trade_state_desc": "支付成功",
        "bank_type": "CMC", "success_time": "2018-06-08T10:34:56+08:00",
        "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        "amount": { "total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY" },
    });
    let notification = setup
        .wechat_mock
        .notification("TRANSACTION.SUCCESS", "transaction", &transaction);
    let now = wechatpay_mock::sign::unix_now();
    let mut group = c.benchmark_group("verify");
    group.bench_function("wechatpay", |b| {
        let verifier = setup.wechat.verifier();
        b.iter(|| {
            verifier
                .verify(&notification.headers, &notification.body, now)
                .expect("verifies")
        })
    });
    group.finish();

    // What the client's warm-up moves into `build()`: the first signature with a key just
    // parsed, and the first verification with a public key just parsed (not warmed: these are
    // made by hand, not by a client's build).
    let mut group = c.benchmark_group("first_sign");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    group.bench_function("wechatpay", |b| {
        b.iter_batched(
            || {
                let key = sdk_runtime::wechatpay::PrivateKey::from_pem(
                    &setup.wechat_creds.merchant_private_key_pem,
                );
                sdk_runtime::wechatpay::Signer::new("1900000109", "3775B6A4", key.expect("key"))
            },
            |signer| {
                signer
                    .authorization(
                        "PUT",
                        path,
                        1_700_000_000,
                        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
                        body,
                    )
                    .expect("sign")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    let mut group = c.benchmark_group("first_verify");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    group.bench_function("wechatpay", |b| {
        b.iter_batched(
            || {
                let pem = &setup.wechat_creds.wechatpay_public_key_pem;
                let key = sdk_runtime::wechatpay::PublicKey::from_pem(pem).expect("key");
                let keys = sdk_runtime::wechatpay::KeyStore::new();
                keys.insert(setup.wechat_creds.wechatpay_public_key_id.clone(), key);
                sdk_runtime::wechatpay::Verifier::new(keys)
            },
            |verifier| {
                verifier
                    .verify(&notification.headers, &notification.body, now)
                    .expect("verifies")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let webhook_url = "http://127.0.0.1:9/hooks/wonder";
    let wonder_body = br#"{"number":"ORDER-1","state":"paid"}"#;
    let signed = setup
        .wonder_mock
        .sign_webhook(webhook_url, "order.paid", wonder_body)
        .expect("signed");
    let mut wonder_headers = http::HeaderMap::new();
    for (name, value) in signed.headers() {
        wonder_headers.insert(name, value.parse().expect("header value"));
    }
    let mut group = c.benchmark_group("webhook");
    group.bench_function("wechatpay", |b| {
        b.to_async(runtime).iter(|| async {
            setup
                .wechat
                .verify_notification_at(&notification.headers, &notification.body, now)
                .await
                .expect("verifies and decrypts")
        })
    });
    group.bench_function("wonder", |b| {
        b.iter(|| {
            setup
                .wonder
                .verify_webhook("POST", "/hooks/wonder", &wonder_headers, wonder_body)
                .expect("verifies")
        })
    });
    group.finish();
}

fn calls(c: &mut Criterion, setup: &Setup, runtime: &Runtime) {
    let admin_url = format!("{}/__mock/requests/count?path=/none", setup.wechat_creds.base_url);
    let http = reqwest::Client::new();
    let mut group = c.benchmark_group("call");
    group.bench_function("wechatpay", |b| {
        b.to_async(runtime).iter(|| wechat_call(&setup.wechat))
    });
    group.bench_function("wonder", |b| {
        b.to_async(runtime).iter(|| wonder_call(&setup.wonder))
    });
    group.bench_function("http", |b| {
        b.to_async(runtime)
            .iter(|| async { http.get(&admin_url).send().await.expect("GET").bytes().await })
    });
    group.finish();

    let mut group = c.benchmark_group("call_c8");
    group.bench_function("wechatpay", |b| {
        b.to_async(runtime).iter(|| async {
            let tasks: Vec<_> = (0..IN_FLIGHT)
                .map(|_| {
                    let client = setup.wechat.clone();
                    tokio::spawn(async move { wechat_call(&client).await })
                })
                .collect();
            for task in tasks {
                task.await.expect("call task");
            }
        })
    });
    group.bench_function("wonder", |b| {
        b.to_async(runtime).iter(|| async {
            let tasks: Vec<_> = (0..IN_FLIGHT)
                .map(|_| {
                    let client = setup.wonder.clone();
                    tokio::spawn(async move { wonder_call(&client).await })
                })
                .collect();
            for task in tasks {
                task.await.expect("call task");
            }
        })
    });
    group.finish();

    // A fresh client per measured call; building it (key parsing, the HTTP client) is not
    // timed. Few samples: each needs a client built.
    let mut group = c.benchmark_group("first_call");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    group.bench_function("wechatpay", |b| {
        b.to_async(runtime).iter_batched(
            || wechat_client(&setup.wechat_creds),
            |client| async move { wechat_call(&client).await },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("wonder", |b| {
        b.to_async(runtime).iter_batched(
            || wonder_client(&setup.wonder_creds),
            |client| async move { wonder_call(&client).await },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("http", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            let url = admin_url.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let fresh = reqwest::Client::new();
                    let started = Instant::now();
                    fresh
                        .get(&url)
                        .send()
                        .await
                        .expect("GET")
                        .bytes()
                        .await
                        .expect("body");
                    total += started.elapsed();
                }
                total
            }
        })
    });
    group.finish();
    // The mocks keep a bounded log; clearing it keeps the figures of later groups comparable.
    setup.wechat_mock.clear_requests();
    setup.wonder_mock.clear_requests();
}

/// APIv2 beside APIv3 (see the file's docs).
fn apiv2(c: &mut Criterion, setup: &Setup, runtime: &Runtime) {
    use std::collections::BTreeMap;
    use wechatpay_mock::apiv2::ApiV2Server;
    use wechatpay_typed::runtime::wechatpay::v2::sign::sign;
    use wechatpay_typed::runtime::wechatpay::v2::{ApiV2Key, SignType};
    use wechatpay_typed::v2::{pay::orderquery, secapi::pay::refund};

    let _guard = runtime.enter();
    let mock = ApiV2Server::start_default().expect("APIv2 mock");
    let creds = mock.credentials();
    let client = apiv2_client(&creds, [], true);
    // The parameters of the vector `v2_sign_official`.
    let params: BTreeMap<String, String> = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let key = ApiV2Key::new(&creds.key).expect("key");
    let order = orderquery::PostRequest::new(&creds.appid, &creds.mch_id);
    let by = refund::PostRequestOrder::OutTradeNo("ORDER-1".into());
    let refund_request = refund::PostRequest::new(&creds.appid, &creds.mch_id, by, "REFUND-1", 100, 100);

    let mut group = c.benchmark_group("apiv2");
    group.bench_function("sign_md5", |b| b.iter(|| sign(&params, &key, SignType::Md5)));
    group.bench_function("sign_hmac", |b| {
        b.iter(|| sign(&params, &key, SignType::HmacSha256))
    });
    group.bench_function("call_v3", |b| {
        b.to_async(runtime).iter(|| wechat_call(&setup.wechat))
    });
    group.bench_function("call_v2", |b| {
        b.to_async(runtime)
            .iter(|| async { orderquery::post(&client, &order).await.expect("order query") })
    });
    group.bench_function("call_v2_mtls", |b| {
        b.to_async(runtime)
            .iter(|| async { refund::post(&client, &refund_request).await.expect("refund") })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let runtime = Runtime::new().expect("tokio");
    let setup = Setup::new(&runtime);
    crypto(c, &setup, &runtime);
    calls(c, &setup, &runtime);
    apiv2(c, &setup, &runtime);
}

criterion_group!(calls_group, benches);
criterion_main!(calls_group);
