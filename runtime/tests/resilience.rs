//! Retries, backup host, timeouts and streamed downloads, against a local server on 127.0.0.1.

mod common;

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::server::{
    MockServer, Reply, public_key_builder, request_signature_ok, signed_reply, with_header,
};
use sdk_runtime::wechatpay::{ClientBuilder, Operation, RetryPolicy};
use sdk_runtime::{ErrorKind, Method};

fn builder(base_url: &str) -> ClientBuilder {
    public_key_builder(base_url)
        .retry_policy(RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(40)))
}

fn error_reply(status: u16, code: &str) -> Reply {
    Reply {
        status,
        body: format!(r#"{{"code":"{code}","message":"mock"}}"#).into_bytes(),
        ..Reply::default()
    }
}

/// A server failing the first `failures` requests with `status`, then answering `{}` signed.
async fn flaky(status: u16, failures: usize) -> MockServer {
    let seen = Arc::new(AtomicUsize::new(0));
    MockServer::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < failures {
            with_header(error_reply(status, "SYSTEM_ERROR"), "Retry-After", "0")
        } else {
            signed_reply(200, "{}", 0)
        }
    })
    .await
}

#[tokio::test]
async fn idempotent_reads_are_retried_on_5xx_and_429_until_success() {
    for status in [500, 502, 503, 504, 429] {
        let server = flaky(status, 2).await;
        let client = builder(&server.base_url).build().unwrap();
        let op = Operation::new(Method::GET, "/v3/pay/transactions/id/{transaction_id}")
            .path_param("transaction_id", "4200000000");
        client.execute(op).await.unwrap();
        let requests = server.requests();
        assert_eq!(requests.len(), 3, "status {status}");
        // Each attempt is signed afresh (its own nonce) and verifies.
        assert!(requests.iter().all(request_signature_ok));
        let nonces: std::collections::BTreeSet<_> = requests
            .iter()
            .map(|r| r.header("authorization").unwrap().to_owned())
            .collect();
        assert_eq!(nonces.len(), 3);
    }
}

#[tokio::test]
async fn retries_stop_at_the_cap_and_return_the_last_error() {
    let server = flaky(503, 100).await;
    let client = builder(&server.base_url)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(3)
                .backoff(Duration::ZERO, Duration::ZERO),
        )
        .build()
        .unwrap();
    let err = client
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 4);

    let none = builder(&server.base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let before = server.requests().len();
    none.execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len() - before, 1);
}

#[tokio::test]
async fn writes_that_reached_the_server_are_never_retried() {
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let server = flaky(503, 1).await;
        let client = builder(&server.base_url).build().unwrap();
        let op =
            Operation::new(method.clone(), "/v3/pay/transactions/jsapi").json(&serde_json::json!({"a": 1}));
        let err = client.execute(op.unwrap()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Api, "{method}");
        assert_eq!(server.requests().len(), 1, "{method} must not be retried");
    }
    // Nor on a timeout after sending.
    let server = MockServer::start(|_| Reply {
        delay: Some(Duration::from_secs(2)),
        ..signed_reply(200, "{}", 0)
    })
    .await;
    let client = builder(&server.base_url)
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .execute(
            Operation::new(Method::POST, "/v3/pay/transactions/jsapi")
                .json(&serde_json::json!({}))
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start(|_| error_reply(400, "PARAM_ERROR")).await;
    let client = builder(&server.base_url).build().unwrap();
    let err = client
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PARAM_ERROR"));
    assert_eq!(server.requests().len(), 1);
}

/// A base URL on which nothing listens (a port bound, then released).
fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn connection_failures_go_to_the_backup_host_even_for_a_post() {
    let backup = MockServer::start(|r| {
        if request_signature_ok(r) {
            signed_reply(200, r#"{"prepay_id":"wx1"}"#, 0)
        } else {
            error_reply(401, "SIGN_ERROR")
        }
    })
    .await;
    let client = builder(&refused_base_url())
        .backup_base_url(&backup.base_url)
        .build()
        .unwrap();
    let op = Operation::new(Method::POST, "/v3/pay/transactions/jsapi")
        .json(&serde_json::json!({"out_trade_no": "T1"}))
        .unwrap();
    let response = client.execute(op).await.unwrap();
    assert_eq!(&response.body()[..], br#"{"prepay_id":"wx1"}"#);
    // The POST reached a server exactly once: on the backup host, correctly signed.
    assert_eq!(backup.requests().len(), 1);

    // Without a backup host the connection error is returned after the retries.
    let client = builder(&refused_base_url()).build().unwrap();
    let err = client
        .execute(Operation::new(Method::GET, "/v3/x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.is_timeout());
}

fn bill_content() -> Vec<u8> {
    let mut csv = String::from("交易时间,公众账号ID,商户号,总金额\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "`2024-11-21 15:40:{:02},`wx8888888888888888,`1900000109,`{i}.00\n",
            i % 60
        ));
    }
    csv.into_bytes()
}

fn sha1_hex(bytes: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn bill_op() -> Operation {
    Operation::new(Method::GET, "/v3/billdownload/file")
        .query(&[("token", "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA")])
        .unwrap()
}

#[tokio::test]
async fn bill_download_streams_gunzips_and_checks_the_sha1() {
    let plain = bill_content();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let gzipped = gz.finish().unwrap();
    let served = gzipped.clone();
    let server = MockServer::start(move |_| Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "application/octet-stream".into())],
        body: served.clone(),
        delay: None,
    })
    .await;
    let client = builder(&server.base_url).build().unwrap();
    let hash = sha1_hex(&plain);

    // Streamed chunk by chunk into a writer; the hash is of the decompressed bill.
    let download = client.download(bill_op()).await.unwrap();
    let mut out = Vec::new();
    let written = download
        .gunzip()
        .verify_hash("SHA1", &hash.to_uppercase())
        .unwrap()
        .write_to(&mut out)
        .await
        .unwrap();
    assert_eq!(written, plain.len() as u64);
    assert_eq!(out, plain);

    // Chunks arrive as they are read.
    let mut download = client
        .download(bill_op())
        .await
        .unwrap()
        .gunzip()
        .verify_sha1(&hash);
    let mut chunks = 0;
    let mut total = 0;
    while let Some(chunk) = download.chunk().await.unwrap() {
        chunks += 1;
        total += chunk.len();
    }
    assert_eq!(total, plain.len());
    assert!(chunks > 1, "{chunks} chunk(s)");
    assert!(download.chunk().await.unwrap().is_none(), "stays ended");

    // A wrong hash is an integrity error at the end, never a silent success.
    let wrong = sha1_hex(b"another bill");
    let err = client
        .download(bill_op())
        .await
        .unwrap()
        .gunzip()
        .verify_sha1(&wrong)
        .bytes()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Integrity);
    assert!(err.to_string().contains(&wrong), "{err}");

    // The raw (still gzipped) bytes are there without gunzip.
    let raw = client.download(bill_op()).await.unwrap().bytes().await.unwrap();
    assert_eq!(&raw[..], &gzipped[..]);

    // gunzip of a body that is not gzip is a decode error.
    let not_gzip = MockServer::start(|_| Reply {
        status: 200,
        body: b"plain text, not gzip".to_vec(),
        ..Reply::default()
    })
    .await;
    let client = builder(&not_gzip.base_url).build().unwrap();
    let err = client
        .download(bill_op())
        .await
        .unwrap()
        .gunzip()
        .bytes()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);

    // Only SHA1 is a known hash type.
    let download = client.download(bill_op()).await.unwrap();
    assert_eq!(
        download.verify_hash("MD5", "x").unwrap_err().kind(),
        ErrorKind::Build
    );
}

#[tokio::test]
async fn a_download_error_status_is_an_api_error_and_reads_are_retried() {
    let server = flaky(503, 1).await;
    let client = builder(&server.base_url).build().unwrap();
    // 503 once, then `{}` (unsigned download: no verification).
    let bytes = client.download(bill_op()).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"{}");
    assert_eq!(server.requests().len(), 2);
    let server = MockServer::start(|_| error_reply(404, "NO_STATEMENT_EXIST")).await;
    let client = builder(&server.base_url).build().unwrap();
    let err = client.download(bill_op()).await.unwrap_err();
    assert_eq!(err.code(), Some("NO_STATEMENT_EXIST"));
}

#[tokio::test]
async fn download_url_goes_to_the_configured_host_with_the_query_as_given() {
    let server = MockServer::start(|r| {
        if request_signature_ok(r) {
            Reply {
                status: 200,
                body: b"bill".to_vec(),
                ..Reply::default()
            }
        } else {
            error_reply(401, "SIGN_ERROR")
        }
    })
    .await;
    let client = builder(&server.base_url).build().unwrap();
    let url = "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUP%2Bto7p&tartype=GZIP";
    let bytes = client.download_url(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"bill");
    assert_eq!(
        server.single_request().target,
        "/v3/billdownload/file?token=6XIv5TUP%2Bto7p&tartype=GZIP"
    );
    for bad in [
        "not a url",
        "https://evil.example/v3/pay/transactions/jsapi",
        "https://x/v3/merchant-service/images/{media_id}",
    ] {
        assert_eq!(
            client.download_url(bad).await.unwrap_err().kind(),
            ErrorKind::Build,
            "{bad}"
        );
    }
}
