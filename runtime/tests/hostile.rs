//! Hostile servers over real HTTP on 127.0.0.1: huge bodies (announced or chunked), a 5xx with
//! a huge body, gzip bombs, a download dripped past its deadline, duplicate signature headers.
//! Each fails with the right kind, and the client's peak memory stays within twice the
//! configured limit, measured by a counting global allocator.
//!
//! The allocator counts every allocation of the process, so the scenarios that measure run
//! one after another in one test, and every test of this binary holds [`SERIAL`].

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::certs::certificate_pem;
use common::hostile::{HostileServer, drip, write_body, write_head};
use common::keys::{PLATFORM_PRIVATE_PKCS8_PEM, WONDER_APP_PRIVATE_PKCS8_PEM};
use common::server::{MockServer, public_key_builder, signed_reply, signed_reply_by};
use sdk_runtime::wechatpay::verify::SIGNATURE_HEADERS;
use sdk_runtime::wechatpay::{
    Client, KeyStore, Operation, PlatformCertificate, PrivateKey, RetryPolicy, Verifier,
};
use sdk_runtime::{ErrorKind, Method, SignatureErrorKind};

/// Counts the bytes currently allocated and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn allocated(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            allocated(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            allocated(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as a move (old and new block both live for a moment): the worst case.
            allocated(new_size);
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Held by every test of this binary: the allocator's counters are global.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// The body limit configured in these tests: 4 MiB.
const LIMIT: usize = 4 * MIB;

/// What is allocated whatever the limit: the runtime's and reqwest's own allocations for one
/// request (the tiny-body scenario measures them: about 20 KiB) and hyper's read buffer, which
/// grows up to about 400 KiB on a fast body (the streamed download measures both: about
/// 0.6 MiB). 1 MiB covers them with room to spare.
const ALLOWANCE: usize = MIB;

/// Runs `scenario`, printing and returning the peak allocated above what was allocated before.
async fn peak_of<T>(name: &str, scenario: impl Future<Output = T>) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = scenario.await;
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(base);
    eprintln!(
        "{name}: peak {:.2} MiB above baseline (limit {} MiB; bound 2 x limit + {} MiB = {} MiB)",
        peak as f64 / MIB as f64,
        LIMIT / MIB,
        ALLOWANCE / MIB,
        (2 * LIMIT + ALLOWANCE) / MIB
    );
    (out, peak)
}

fn assert_bounded(name: &str, peak: usize) {
    assert!(
        peak <= 2 * LIMIT + ALLOWANCE,
        "{name}: peak {peak} bytes > 2 x {LIMIT} + {ALLOWANCE}"
    );
}

fn client(base_url: &str) -> Client {
    public_key_builder(base_url)
        .retry_policy(RetryPolicy::none())
        .max_response_bytes(LIMIT as u64)
        .max_download_bytes(LIMIT as u64)
        .build()
        .unwrap()
}

fn get(path: &'static str) -> Operation {
    Operation::new(Method::GET, path)
}

/// A server answering every request with `status`, `Content-Length: total` if `announced`
/// (else chunked), and a body of `prefix` then zeros or spaces up to `total` bytes.
async fn body_server(
    status: u16,
    prefix: &'static [u8],
    total: u64,
    announced: bool,
    spaces: bool,
) -> HostileServer {
    HostileServer::start(move |mut stream| async move {
        let length = if announced {
            ("Content-Length", total.to_string())
        } else {
            ("Transfer-Encoding", "chunked".to_owned())
        };
        write_head(
            &mut stream,
            status,
            &[length, ("Request-ID", "HOSTILE-1".to_owned())],
        )
        .await;
        write_body(&mut stream, prefix, total, !announced, spaces).await;
    })
    .await
}

/// A gzip stream of `size` zero bytes (about 1000:1).
fn gzip_bomb(size: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0_u8; MIB];
    for _ in 0..size / MIB {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// A server sending `body` (already in memory) as a bill download.
async fn bytes_server(body: &'static [u8]) -> HostileServer {
    HostileServer::start(move |mut stream| async move {
        write_head(&mut stream, 200, &[("Content-Length", body.len().to_string())]).await;
        write_body(&mut stream, body, body.len() as u64, false, false).await;
    })
    .await
}

const BILL: &str = "/v3/billdownload/file?token=T";

#[tokio::test]
async fn hostile_bodies_fail_within_twice_the_limit() {
    let _serial = SERIAL.lock().await;

    // Baseline: a tiny signed body, to measure the allowance.
    let tiny = MockServer::start(|_| signed_reply(200, r#"{"ok":true}"#, 0)).await;
    let c = client(&tiny.base_url);
    c.execute(get("/v3/tiny")).await.unwrap(); // warm up: connection pool, lazy statics
    let (result, peak) = peak_of("tiny body (baseline)", c.execute(get("/v3/tiny"))).await;
    result.unwrap();
    assert!(peak <= ALLOWANCE, "tiny body: {peak}");

    // A signed body just under the limit is read (once) and verified.
    let pad = "x".repeat(LIMIT - 64 * KIB);
    let reply = signed_reply(200, &format!(r#"{{"pad":"{pad}"}}"#), 0);
    drop(pad);
    let headers: &'static [(String, String)] = reply.headers.leak();
    let body: &'static [u8] = reply.body.leak();
    let server = HostileServer::start(move |mut stream| async move {
        let mut head: Vec<(&str, String)> = headers.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        head.push(("Content-Length", body.len().to_string()));
        write_head(&mut stream, 200, &head).await;
        write_body(&mut stream, body, body.len() as u64, false, false).await;
    })
    .await;
    let c = client(&server.base_url);
    let (result, peak) = peak_of("signed body at the limit, accepted", c.execute(get("/v3/big"))).await;
    assert_eq!(result.unwrap().body().len(), body.len());
    assert_bounded("signed body at the limit, accepted", peak);

    // 200 MB announced by Content-Length: rejected before reading.
    let server = body_server(200, b"", 200_000_000, true, false).await;
    let c = client(&server.base_url);
    let (result, peak) = peak_of("200 MB announced", c.execute(get("/v3/huge"))).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.request_id(), Some("HOSTILE-1"));
    assert_bounded("200 MB announced", peak);

    // 8 x the limit, chunked (no Content-Length): read up to the limit, then rejected.
    let server = body_server(200, b"", 8 * LIMIT as u64, false, false).await;
    let c = client(&server.base_url);
    let (result, peak) = peak_of("32 MiB chunked", c.execute(get("/v3/huge"))).await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::TooLarge);
    assert_bounded("32 MiB chunked", peak);

    // The same through the Wonder client's builder.
    let wonder = sdk_runtime::wonder::Client::builder()
        .app_id("d900da8b-6e16-4a85-8a66-05d29ac53f24")
        .private_key_pem(WONDER_APP_PRIVATE_PKCS8_PEM)
        .unwrap()
        .base_url(&server.base_url)
        .retry_policy(RetryPolicy::none())
        .max_response_bytes(LIMIT as u64)
        .build()
        .unwrap();
    let op = sdk_runtime::wonder::Operation::new(Method::GET, "/svc/huge");
    let (result, peak) = peak_of("32 MiB chunked (Wonder)", wonder.execute(op)).await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::TooLarge);
    assert_bounded("32 MiB chunked (Wonder)", peak);

    // A 500 whose 200 MB body starts with the API error: only 64 KiB is read, code kept.
    let error = br#"{"code":"SYSTEM_ERROR","message":"hostile"}"#;
    let server = body_server(500, error, 200_000_000, true, true).await;
    let c = client(&server.base_url);
    let (result, peak) = peak_of("500 with 200 MB body", c.execute(get("/v3/error"))).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    assert_eq!(err.code(), Some("SYSTEM_ERROR"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        peak <= ALLOWANCE,
        "an error body is read only up to 64 KiB: {peak}"
    );
    assert_bounded("500 with 200 MB body", peak);

    // The same, chunked.
    let server = body_server(503, error, 8 * LIMIT as u64, false, true).await;
    let c = client(&server.base_url);
    let (result, peak) = peak_of("503 with 32 MiB chunked body", c.execute(get("/v3/error"))).await;
    assert_eq!(result.unwrap_err().code(), Some("SYSTEM_ERROR"));
    assert!(peak <= ALLOWANCE, "{peak}");

    // A streamed (plain) download of 8 x the limit: stopped at the limit, never past it.
    let server = body_server(200, b"", 8 * LIMIT as u64, false, false).await;
    let c = client(&server.base_url);
    let (result, peak) = peak_of("32 MiB streamed download", async {
        let mut download = c
            .download_url(&format!("https://api.mch.weixin.qq.com{BILL}"))
            .await?;
        let mut received = 0;
        let err = loop {
            match download.chunk().await {
                Ok(Some(chunk)) => received += chunk.len(),
                Ok(None) => panic!("the download ended"),
                Err(e) => break e,
            }
        };
        Ok::<_, sdk_runtime::Error>((received, err))
    })
    .await;
    let (received, err) = result.unwrap();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert!(received <= LIMIT, "{received}");
    assert_bounded("32 MiB streamed download", peak);

    // Gzip bombs: 64 MiB of zeros in about 64 KiB, downloaded with `.gunzip()`.
    let bomb: &'static [u8] = gzip_bomb(16 * LIMIT).leak();
    eprintln!(
        "gzip bomb: {} KiB inflating to {} MiB",
        bomb.len() / KIB,
        16 * LIMIT / MIB
    );
    let server = bytes_server(bomb).await;
    let c = client(&server.base_url);
    let url = format!("https://api.mch.weixin.qq.com{BILL}");
    // Stopped by the ratio (100:1 after the first MiB) ...
    let (result, peak) = peak_of("gzip bomb, ratio", async {
        let mut sink = Counter(0);
        let err = c
            .download_url(&url)
            .await?
            .gunzip()
            .write_to(&mut sink)
            .await
            .unwrap_err();
        Ok::<_, sdk_runtime::Error>((sink.0, err))
    })
    .await;
    let (written, err) = result.unwrap();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert!(
        written <= 2 * MIB,
        "stopped soon after the 1 MiB grace: {written}"
    );
    assert_bounded("gzip bomb, ratio", peak);
    // ... and, with the ratio check off, by the size limit before the caller got more.
    let (result, peak) = peak_of("gzip bomb, size", async {
        let mut sink = Counter(0);
        let download = c.download_url(&url).await?.gunzip().max_gzip_ratio(u64::MAX);
        let err = download.write_to(&mut sink).await.unwrap_err();
        Ok::<_, sdk_runtime::Error>((sink.0, err))
    })
    .await;
    let (written, err) = result.unwrap();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert!(written <= LIMIT, "the caller got {written} bytes");
    assert!(written > LIMIT - 128 * KIB, "decoded up to the limit: {written}");
    assert_bounded("gzip bomb, size", peak);
    // ... and `bytes()` (in memory) the same.
    let (result, peak) = peak_of("gzip bomb, bytes()", async {
        c.download_url(&url)
            .await?
            .gunzip()
            .max_gzip_ratio(u64::MAX)
            .max_bytes(u64::MAX)
            .bytes()
            .await
    })
    .await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::TooLarge);
    assert_bounded("gzip bomb, bytes()", peak);

    // A legitimate gzip bill within the limits still downloads, SHA-1 checked.
    let bill: Vec<u8> = (0..40_000)
        .flat_map(|i| {
            format!(
                "`2024-11-21 10:{:02}:{:02},`wx{i:08},`4200{i:016},`SUCCESS,`{}.{:02}\n",
                i % 60,
                i % 59,
                i % 977,
                i % 100
            )
            .into_bytes()
        })
        .collect();
    let sha1 = hex_sha1(&bill);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&bill).unwrap();
    let gz: &'static [u8] = encoder.finish().unwrap().leak();
    let server = bytes_server(gz).await;
    let c = client(&server.base_url);
    let got = c
        .download_url(&url)
        .await
        .unwrap()
        .gunzip()
        .verify_sha1(&sha1)
        .bytes()
        .await
        .unwrap();
    assert_eq!(got, bill, "{} bytes from {} compressed", bill.len(), gz.len());
}

#[tokio::test]
async fn a_dripped_download_fails_at_its_deadline() {
    let _serial = SERIAL.lock().await;
    // 1 byte every 50 ms of a 1000-byte body: each read is quick, the whole would take 50 s.
    let server = HostileServer::start(|mut stream| async move {
        write_head(&mut stream, 200, &[("Content-Length", "1000".to_owned())]).await;
        drip(&mut stream, 1000, Duration::from_millis(50)).await;
    })
    .await;
    let url = format!("https://api.mch.weixin.qq.com{BILL}");
    let c = public_key_builder(&server.base_url)
        .download_deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = c.download_url(&url).await.unwrap().bytes().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.is_timeout(), "{err}");
    // Per download, too.
    let c = public_key_builder(&server.base_url).build().unwrap();
    let download = c
        .download_url(&url)
        .await
        .unwrap()
        .deadline(Duration::from_millis(300));
    let err = download.write_to(&mut tokio::io::sink()).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn duplicate_signature_headers_are_rejected() {
    let _serial = SERIAL.lock().await;
    for name in SIGNATURE_HEADERS {
        let server = MockServer::start(move |_| {
            let mut reply = signed_reply(200, "{}", 0);
            // The signed value first, a second one after it: the first must not simply win.
            let value = reply.headers.iter().find(|(n, _)| n == name).unwrap().1.clone();
            reply.headers.push((name.to_owned(), value));
            reply
        })
        .await;
        let c = client(&server.base_url);
        let err = c.execute(get("/v3/dup")).await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Signature(SignatureErrorKind::DuplicateHeader),
            "{name}: {err}"
        );
    }

    // Webhooks: the same headers, checked before anything else.
    let c = public_key_builder("http://127.0.0.1:9")
        .apiv3_key("0123456789abcdefghijABCDEFGHIJ01")
        .unwrap()
        .build()
        .unwrap();
    let reply = signed_reply(200, "{}", 0);
    for name in SIGNATURE_HEADERS {
        let mut headers = http::HeaderMap::new();
        for (n, v) in &reply.headers {
            headers.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        headers.append(name, "again".parse().unwrap());
        let err = c.verify_notification(&headers, b"{}").await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Signature(SignatureErrorKind::DuplicateHeader),
            "{name}: {err}"
        );
    }
}

#[tokio::test]
async fn certificate_serials_compare_case_insensitively() {
    let _serial = SERIAL.lock().await;
    const SERIAL_HEX: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    let pem = certificate_pem(PLATFORM_PRIVATE_PKCS8_PEM, SERIAL_HEX);
    let cert = PlatformCertificate::from_pem(&SERIAL_HEX.to_ascii_lowercase(), pem.as_bytes()).unwrap();
    assert!(cert.has_serial(&SERIAL_HEX.to_ascii_lowercase()));
    let keys = KeyStore::new();
    keys.set_certificates(&[cert]);
    assert!(keys.contains(&SERIAL_HEX.to_ascii_lowercase()));

    // A response naming the serial in lower case verifies.
    let key = PrivateKey::from_pem(PLATFORM_PRIVATE_PKCS8_PEM).unwrap();
    let lower = SERIAL_HEX.to_ascii_lowercase();
    let reply = signed_reply_by(&key, &lower, 200, "{}", 0);
    let mut headers = http::HeaderMap::new();
    for (n, v) in &reply.headers {
        headers.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    let verifier = Verifier::new(keys);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    verifier.verify(&headers, b"{}", now).unwrap();

    // A public key id is compared exactly.
    let keys = KeyStore::new();
    keys.insert("PUB_KEY_ID_0114232134912410000000000000", key.public_key());
    assert!(keys.contains("PUB_KEY_ID_0114232134912410000000000000"));
    assert!(!keys.contains("pub_key_id_0114232134912410000000000000"));
}

/// An `AsyncWrite` that counts and drops what it is given.
struct Counter(usize);

impl tokio::io::AsyncWrite for Counter {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.0 += buf.len();
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

fn hex_sha1(data: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data);
    hex::encode(digest.as_ref())
}
