//! `payctl notify` against a webhook handler on 127.0.0.1: delivered (exit 0), refused (exit 1),
//! and retried on WeChat Pay's schedule (time compressed) until delivered; the notification
//! arrives signed and sealed, and verifies with the mock's WeChat Pay public key.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{outputs, payctl};

/// What the handler received: each request's head and body.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A handler answering each request with the next status of `statuses` (then 200); it records
/// each request's headers and body.
fn handler(statuses: Vec<u16>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            let (head, body) = loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break (String::new(), Vec::new());
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..end]).into_owned();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    while data.len() < end + 4 + length {
                        let n = stream.read(&mut buf).unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        data.extend_from_slice(&buf[..n]);
                    }
                    break (head, data[end + 4..].to_vec());
                }
            };
            log.lock().expect("log").push((head, body));
            let status = statuses.next().unwrap_or(200);
            let reply = if status == 200 {
                ""
            } else {
                r#"{"code":"FAIL","message":"not yet"}"#
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn delivers_a_signed_sealed_notification() {
    let home = tempfile::tempdir().expect("a directory");
    let (url, seen) = handler(vec![]);
    let output = payctl(home.path())
        .args(["notify", "TRANSACTION.SUCCESS", "--to", &url])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("delivered (1 attempt)"), "{stdout}");
    let seen = seen.lock().expect("log");
    assert_eq!(seen.len(), 1);
    let (head, body) = &seen[0];
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("wechatpay-signature:") && lower.contains("wechatpay-serial:"),
        "{head}"
    );
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let message = format!(
        "{}\n{}\n{}\n",
        header("wechatpay-timestamp"),
        header("wechatpay-nonce"),
        String::from_utf8_lossy(body)
    );
    let mock = wechatpay_mock::MockServer::start_default().expect("the mock's keys");
    let key = sdk_runtime::PublicKey::from_pem(&mock.credentials().wechatpay_public_key_pem).expect("a key");
    assert!(
        key.verify_base64(message.as_bytes(), &header("wechatpay-signature")),
        "signed by the mock"
    );
    let envelope: serde_json::Value = serde_json::from_slice(body).expect("a JSON envelope");
    assert_eq!(envelope["event_type"], "TRANSACTION.SUCCESS");
    assert_eq!(envelope["resource"]["algorithm"], "AEAD_AES_256_GCM");
}

#[test]
fn not_delivered_then_retried_until_delivered() {
    let home = tempfile::tempdir().expect("a directory");
    let (url, _) = handler(vec![500, 500, 500]);
    let output = payctl(home.path())
        .args(["notify", "REFUND.SUCCESS", "--to", &url])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("NOT delivered"), "{stdout}");
    assert!(stderr.contains("attempt 1: 500"), "{stderr}");

    let output = payctl(home.path())
        .args([
            "notify",
            "REFUND.SUCCESS",
            "--to",
            &url,
            "--retry",
            "--time-scale",
            "0.0001",
        ])
        .output()
        .expect("payctl runs");
    let (stdout, stderr) = outputs(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("delivered (3 attempts)"), "{stdout}");
    assert!(stderr.contains("retrying in"), "progress on stderr: {stderr}");
}

#[test]
fn an_apiv2_notification_and_the_list() {
    let home = tempfile::tempdir().expect("a directory");
    let (url, seen) = handler(vec![]);
    let output = payctl(home.path())
        .args(["notify", "--apiv2", "refund-processed", "--to", &url])
        .output()
        .expect("payctl runs");
    assert!(output.status.success(), "{}", outputs(&output).1);
    let body = String::from_utf8_lossy(&seen.lock().expect("log")[0].1).into_owned();
    assert!(body.starts_with("<xml>") && body.contains("req_info"), "{body}");
    let output = payctl(home.path())
        .args(["notify", "--list"])
        .output()
        .expect("payctl runs");
    assert!(outputs(&output).0.contains("TRANSACTION.SUCCESS"));
    let output = payctl(home.path())
        .args(["notify", "NO.SUCH.EVENT"])
        .output()
        .expect("payctl runs");
    assert_eq!(output.status.code(), Some(2), "--to is required");
}
