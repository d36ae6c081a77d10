//! The server: recorded requests, shutdown on drop, starting outside a runtime.

use serde_json::Value;

use super::{STOP_PLAN, STOP_SIGN_PLAN, Signing, post, send, start, verify_response};

#[tokio::test]
async fn received_requests_are_recorded() {
    let server = start();
    let target = format!("{STOP_PLAN}?mchid=1900000109");
    let body = r#"{}"#;
    post(&server, &target, body).await;
    let s = Signing {
        mchid: "1".into(),
        ..Signing::default()
    };
    send(&server, "POST", STOP_SIGN_PLAN, r#"{"stop_reason":"x"}"#, &s).await;
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, target);
    assert_eq!(seen[0].body, b"{}");
    assert!(seen[0].signature_verified);
    assert!(
        seen[0]
            .header("authorization")
            .unwrap()
            .starts_with("WECHATPAY2-SHA256-RSA2048 ")
    );
    assert_eq!(seen[0].header("Content-Type"), Some("application/json"));
    assert!(!seen[1].signature_verified);
    assert_eq!(seen[1].body_json().unwrap()["stop_reason"], "x");

    let listed = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/__mock/requests", server.base_url()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let list: Value = serde_json::from_slice(&listed).unwrap();
    assert_eq!(list[0]["target"], target.as_str());
    assert_eq!(list[0]["signature_verified"], true);
    assert_eq!(list.as_array().unwrap().len(), 2);
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn dropping_the_server_shuts_it_down() {
    let server = start();
    let addr = server.addr();
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn start_works_outside_a_runtime() {
    let server = start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(post(&server, STOP_PLAN, "{}"));
    assert_eq!(r.status, 200);
    verify_response(&r).unwrap();
}
