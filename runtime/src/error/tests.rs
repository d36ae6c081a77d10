use super::*;

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn error_is_send_sync_static() {
    assert_send_sync::<Error>();
}

#[test]
fn api_error_keeps_code_message_and_field_only() {
    let body = Bytes::from_static(
        br#"{"code":"PARAM_ERROR","message":"bad openid","detail":{"field":"/openid","value":"o-SECRET","location":"body"}}"#,
    );
    let e = Error::api(StatusCode::BAD_REQUEST, Some("REQ-1".into()), body)
        .calling(&Method::POST, "/v3/pay/transactions/jsapi");
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(e.code(), Some("PARAM_ERROR"));
    assert_eq!(e.message(), Some("bad openid"));
    assert_eq!(e.detail_field(), Some("/openid"));
    assert_eq!(e.request_id(), Some("REQ-1"));
    assert_eq!(e.operation(), Some((&Method::POST, "/v3/pay/transactions/jsapi")));
    assert_eq!(
        e.to_string(),
        "POST /v3/pay/transactions/jsapi: API error (HTTP 400 Bad Request, Request-ID REQ-1): PARAM_ERROR: bad openid"
    );
    assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
}

#[test]
fn api_error_non_json_body_is_not_kept() {
    let e = Error::api(
        StatusCode::BAD_GATEWAY,
        None,
        Bytes::from_static(b"<html>bad gateway for o-SECRET</html>"),
    );
    assert_eq!(e.code(), None);
    assert_eq!(e.detail_field(), None);
    assert_eq!(
        e.to_string(),
        "API error (HTTP 502 Bad Gateway): the body (37 bytes) is not an error object with a code and a message"
    );
    assert!(!format!("{e:?}").contains("SECRET"));
}

#[test]
fn decode_error_redacts_values_and_keeps_position() {
    let body = br#"{"total":"o-SECRET"}"#;
    let source = serde_json::from_slice::<std::collections::HashMap<String, u8>>(body).unwrap_err();
    let e = Error::decode(source, Some(StatusCode::OK), None);
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.to_string(), "the body is not the expected JSON (HTTP 200 OK)");
    let cause = e.source().unwrap().to_string();
    assert!(
        cause.starts_with("invalid type: string \"…\", expected u8 at line 1"),
        "{cause}"
    );
    assert!(!format!("{e:?}").contains("SECRET"));
}

#[test]
fn display_does_not_repeat_the_source() {
    let cause = serde_json::from_str::<u8>("x").unwrap_err();
    let e = Error::build_with("invalid merchant private key", cause).building_client();
    assert_eq!(e.kind(), ErrorKind::Build);
    assert_eq!(e.to_string(), "building the client: invalid merchant private key");
    assert!(e.source().is_some());
    let e = Error::signature(
        SignatureError::new(SignatureErrorKind::SignTest, "probe"),
        Some(StatusCode::OK),
        Some("R".into()),
    )
    .verifying_notification();
    assert_eq!(e.kind(), ErrorKind::Signature(SignatureErrorKind::SignTest));
    assert_eq!(
        e.to_string(),
        "verifying a notification: signature rejected (HTTP 200 OK, Request-ID R)"
    );
    assert_eq!(e.source().unwrap().to_string(), "probe");
    assert_eq!(
        e.signature_error().map(SignatureError::kind),
        Some(SignatureErrorKind::SignTest)
    );
}

#[test]
fn the_first_context_wins() {
    let e = Error::build("missing mchid")
        .building_client()
        .calling(&Method::GET, "/v3/x");
    assert_eq!(e.to_string(), "building the client: missing mchid");
    assert_eq!(e.operation(), None);
}

#[test]
fn limits_and_deadlines() {
    let e = Error::too_large("the response body", 1024, "bytes", Some(StatusCode::OK), None);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert_eq!(
        e.to_string(),
        "the response body exceeds its limit of 1024 bytes (HTTP 200 OK)"
    );
    let e = Error::deadline(Duration::from_secs(5), Some(StatusCode::OK), None);
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.is_timeout());
}
