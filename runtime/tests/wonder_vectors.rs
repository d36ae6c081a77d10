//! `Wonder-RSA-SHA256` test vectors from `shared/test-vectors/vectors.json` (`wonder_*`, key
//! `wonder-app`), values copied into this file; plus verification and webhook rejections.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderValue};
use sdk_runtime::wonder::sign::{self, Credential, MAX_CLOCK_SKEW, SignedHeaders, Signer};
use sdk_runtime::wonder::{Action, PrivateKey, PublicKey, Webhook, verify_webhook};
use sdk_runtime::{ErrorKind, SignatureErrorKind as K};

mod common;
use common::keys::{WONDER_APP_PRIVATE_PKCS8_PEM, WONDER_APP_PUBLIC_SPKI_PEM};

struct Vector {
    method: &'static str,
    uri: &'static str,
    body: &'static str,
    content: &'static str,
    hmac_hex: &'static str,
    signature_b64: &'static str,
}

/// All three vectors share `credential` and `nonce`.
const APP_ID: &str = "d900da8b-6e16-4a85-8a66-05d29ac53f24";
const CREDENTIAL: &str = "d900da8b-6e16-4a85-8a66-05d29ac53f24/20241121074501/Wonder-RSA-SHA256";
const NONCE: &str = "0123456789abcdef";
/// `20241121074501` UTC as Unix seconds.
const REQUEST_UNIX: i64 = 1_732_175_101;

/// `wonder_sign_put_cancel_plan`.
const PUT_CANCEL_PLAN: Vector = Vector {
    method: "PUT",
    uri: "/svc/payment/api/v1/openapi/recurring_payments/plan/6f1a2b3c-0000-4000-8000-000000000001/cancel",
    body: "{\"activate_type\":\"immediate\",\"refund_credit\":true}",
    content: "PUT\n/svc/payment/api/v1/openapi/recurring_payments/plan/6f1a2b3c-0000-4000-8000-000000000001/cancel\n{\"activate_type\":\"immediate\",\"refund_credit\":true}",
    hmac_hex: "6a37d5ccc4f3d009d67447948fda19292860b05971ebc22830d72d82b07ce820",
    signature_b64: "hzFDbGkglduYUwESBVmVMwfUNEb3nYSpbrei3CZgWMf6JBGAKhim3Mx965EZ1LjlEcN/CjwpItHne8Tp5clklSDxg6ANR+AH58yR++3+KbX5Yvc0VtIj17ltcY98ag5KkOaPCPMGm4zUIjHTvNhkfsDe91D5ZB1q9NjzRXTZlGjL08Lv7PGXsD7Ug4lMcJa3BTyam8QxCfSxGxJbIcFsCVTzX1rcyqpYlsLpxY8WwdsEym56zCCsbMrUWGvGEt1KpRgHI2gH6XklNkRWkQDH7QJTFL0WRKVCpNbK7S6dFSBHgmffc1wtBLq9Bklmg3u4ELj1HZDVPLERh++oi9ptRQ==",
};

/// `wonder_sign_get_with_query`.
const GET_WITH_QUERY: Vector = Vector {
    method: "GET",
    uri: "/svc/payment/api/v1/openapi/recurring_payments/plan?offset=0&limit=10",
    body: "",
    content: "GET\n/svc/payment/api/v1/openapi/recurring_payments/plan?offset=0&limit=10",
    hmac_hex: "528e7192e1f6a762304f2676a65d62e56bf981226c3f56271769f0236e33d419",
    signature_b64: "l80S3N0NAVp1Lxdvvnw3rKxcGRI7ryP6qXBKS6agMBKJ9zqdoHr5VDgrAQei6yguF8VfmIXcYKPjej6LxI1dcIdmjtRYCuyj8Vco8ARnQKCGbp9/42Pl8+LfM7jOcNs7xq3te2qqvfJxYc8fFPhtPpXkVC69Swk05wSUupsuz7HLmkwPjdjASDM/RDtu2dIlLAX0aRvy1pU4dk/CoME3H7UnzNpPDdPKWyHMQnT7Im2M+s+5/jd+VNzlhMJrT71lDNzQ9q/TF3edOBdrNCKW4TX6DltUTs6bAVfC2j1FtOyw+grqO7pbWDLcFyZaBlY3K7VC1FqqIkDQh1naY4+pFg==",
};

/// `wonder_sign_post_echo`.
const POST_ECHO: Vector = Vector {
    method: "POST",
    uri: "/svc/payment/api/v1/openapi/echo",
    body: "{\"message\":\"Hello, Wonder!\"}",
    content: "POST\n/svc/payment/api/v1/openapi/echo\n{\"message\":\"Hello, Wonder!\"}",
    hmac_hex: "c8e301772254c883ad82917e9ebeccbcd31c94656703e86799e758ae00834c01",
    signature_b64: "AWvylvEWZTPjYs78VrkkSMQ0tztPx7YNePMesYCZx2oDMgimsWAxp4SwbXhkeE3NkRrmhKTRW9Ohk4r4MxrRLOYgFakEABT+92zifGWDRkfaNhcczziDZ4b09LVmFd4LgkgtnVaanF/OG8QxAaHT86BS88isLdY8Nac5vqstcOZ/0Qet4c8lvbebwkuZPiQLj7D0SZqXu4gV0D8auk5/gdtjKd7Cd5SRha7mmC7use9J4/+yNygvrILtGpy+eSjDvu9DwhY1IsfWFvXGtehxNo1Fiz1BMy9JPhwjXIU3uLqN6xKVTmfe1BUzTkqEq4+nqCscdmZ5AgCPm1/S2/b9Zg==",
};

const VECTORS: [&Vector; 3] = [&PUT_CANCEL_PLAN, &GET_WITH_QUERY, &POST_ECHO];

/// A request: method, path and query, body.
type Req<'a> = (&'a str, &'a str, &'a str);

fn req(v: &Vector) -> Req<'_> {
    (v.method, v.uri, v.body)
}

fn signer() -> Signer {
    Signer::new(
        APP_ID,
        PrivateKey::from_pem(WONDER_APP_PRIVATE_PKCS8_PEM).unwrap(),
    )
}

fn public_key() -> PublicKey {
    PublicKey::from_pem(WONDER_APP_PUBLIC_SPKI_PEM).unwrap()
}

/// A freshly generated RSA-2048 key: not the wonder-app key.
fn other_public_key() -> PublicKey {
    use aws_lc_rs::encoding::AsDer as _;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    PrivateKey::from_pkcs8_der(pair.as_der().unwrap().as_ref())
        .unwrap()
        .public_key()
}

/// Signs `(method, uri, body)` with the wonder-app key at `unix` with [`NONCE`].
fn sign_req((method, uri, body): Req, unix: i64) -> SignedHeaders {
    signer().sign(method, uri, body.as_bytes(), unix, NONCE).unwrap()
}

/// Verifies `h` for `(method, uri, body)` with `key`, clock at `now`, 30-minute window.
fn verify_with(
    key: &PublicKey,
    (method, uri, body): Req,
    h: &SignedHeaders,
    now: Option<i64>,
) -> Result<Credential, K> {
    sign::verify(key, method, uri, body.as_bytes(), h, now, MAX_CLOCK_SKEW).map_err(|e| e.kind())
}

fn verify_req(r: Req, h: &SignedHeaders, now: Option<i64>) -> Result<Credential, K> {
    verify_with(&public_key(), r, h, now)
}

/// Why `h` is rejected for `r` (no clock).
fn rejection(r: Req, h: &SignedHeaders) -> K {
    verify_req(r, h, None).unwrap_err()
}

fn check_vector(v: &Vector, signer: &Signer) {
    assert_eq!(
        sign::content(v.method, v.uri, v.body.as_bytes()),
        v.content.as_bytes()
    );
    assert_eq!(
        sign::digest(NONCE, "20241121074501", v.content.as_bytes()),
        v.hmac_hex
    );
    let signed = signer
        .sign(v.method, v.uri, v.body.as_bytes(), REQUEST_UNIX, NONCE)
        .unwrap();
    let expected = [
        ("Credential", CREDENTIAL),
        ("Nonce", NONCE),
        ("Signature", v.signature_b64),
    ];
    assert_eq!(signed.pairs(), expected);
    let credential = verify_req(req(v), &signed, Some(REQUEST_UNIX)).unwrap();
    assert_eq!(
        (credential.app_id(), credential.unix_seconds()),
        (APP_ID, REQUEST_UNIX)
    );
}

#[test]
fn wonder_sign_put_cancel_plan() {
    check_vector(&PUT_CANCEL_PLAN, &signer());
}

#[test]
fn wonder_sign_get_with_query() {
    check_vector(&GET_WITH_QUERY, &signer());
}

#[test]
fn wonder_sign_post_echo() {
    check_vector(&POST_ECHO, &signer());
}

#[test]
fn lower_case_method_signs_as_upper_case() {
    let (_, uri, body) = req(&PUT_CANCEL_PLAN);
    assert_eq!(
        sign_req(("put", uri, body), REQUEST_UNIX).signature,
        PUT_CANCEL_PLAN.signature_b64
    );
}

/// The PKCS#1 `RSAPrivateKey` inside the PKCS#8 wonder-app key (the `OCTET STRING` after the
/// fixed 26-byte `PrivateKeyInfo` header of an RSA-2048 key), as a `RSA PRIVATE KEY` PEM.
#[test]
fn pkcs1_wonder_key_signs_like_pkcs8() {
    let pem_body = WONDER_APP_PRIVATE_PKCS8_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"));
    let pkcs8 = BASE64.decode(pem_body.collect::<String>()).unwrap();
    let (header, pkcs1) = pkcs8.split_at(26);
    assert_eq!(
        header[22..],
        [0x04, 0x82, 0x04, 0xa8],
        "OCTET STRING of 1192 bytes"
    );
    assert_eq!((pkcs1.len(), &pkcs1[..2]), (1192, &[0x30, 0x82][..]));
    let base64 = BASE64.encode(pkcs1);
    let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{base64}\n-----END RSA PRIVATE KEY-----\n");
    for v in VECTORS {
        check_vector(v, &Signer::new(APP_ID, PrivateKey::from_pem(&pem).unwrap()));
    }
}

#[test]
fn altered_requests_are_rejected() {
    let (method, uri, body) = req(&POST_ECHO);
    let signed = sign_req((method, uri, body), REQUEST_UNIX);
    for altered in [
        (method, uri, "{\"message\":\"Hello, Wonder?\"}"),
        (method, uri, ""),
        (method, "/svc/payment/api/v1/openapi/echo2", body),
        (method, "/svc/payment/api/v1/openapi/echo?x=1", body),
        ("PUT", uri, body),
    ] {
        assert_eq!(rejection(altered, &signed), K::InvalidSignature, "{altered:?}");
    }
    let get = req(&GET_WITH_QUERY);
    let signed = sign_req(get, REQUEST_UNIX);
    let query = (
        get.0,
        "/svc/payment/api/v1/openapi/recurring_payments/plan?offset=0&limit=11",
        "",
    );
    assert_eq!(rejection(query, &signed), K::InvalidSignature);
    for signature in ["", "not base64!", &signed.signature[4..], POST_ECHO.signature_b64] {
        let h = SignedHeaders {
            signature: signature.into(),
            ..signed.clone()
        };
        assert_eq!(rejection(get, &h), K::InvalidSignature, "{signature}");
    }
    let wrong_key = verify_with(&other_public_key(), get, &signed, None);
    assert_eq!(wrong_key.unwrap_err(), K::InvalidSignature);
}

#[test]
fn request_time_window_is_30_minutes() {
    let get = req(&GET_WITH_QUERY);
    let signed = sign_req(get, REQUEST_UNIX);
    assert_eq!(MAX_CLOCK_SKEW, Duration::from_secs(1800));
    for now in [REQUEST_UNIX - 1800, REQUEST_UNIX, REQUEST_UNIX + 1800] {
        assert!(verify_req(get, &signed, Some(now)).is_ok(), "{now}");
    }
    for now in [REQUEST_UNIX - 1801, REQUEST_UNIX + 1801, 0] {
        assert_eq!(
            verify_req(get, &signed, Some(now)).unwrap_err(),
            K::Expired,
            "{now}"
        );
    }
    assert!(verify_req(get, &signed, None).is_ok(), "no clock, no window");
    let (method, uri, _) = get;
    let narrow = Duration::from_secs(1);
    let result = sign::verify(
        &public_key(),
        method,
        uri,
        b"",
        &signed,
        Some(REQUEST_UNIX + 2),
        narrow,
    );
    assert_eq!(result.unwrap_err().kind(), K::Expired);
}

#[test]
fn bad_nonce_and_credential_are_rejected() {
    let get = req(&GET_WITH_QUERY);
    let signed = sign_req(get, REQUEST_UNIX);
    for nonce in [
        "",
        "0123456789abcde",
        "0123456789abcdef0",
        "0123456789abcde!",
        "0123456789abcdé",
    ] {
        let h = SignedHeaders {
            nonce: nonce.into(),
            ..signed.clone()
        };
        assert_eq!(rejection(get, &h), K::MissingHeader, "{nonce}");
        let err = signer().sign(get.0, get.1, b"", REQUEST_UNIX, nonce).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Build, "{nonce}");
    }
    let other_nonce = SignedHeaders {
        nonce: "0123456789abcdeF".into(),
        ..signed.clone()
    };
    assert_eq!(rejection(get, &other_nonce), K::InvalidSignature);
    let other_time = SignedHeaders {
        credential: CREDENTIAL.replace("074501", "074502"),
        ..signed.clone()
    };
    assert_eq!(rejection(get, &other_time), K::InvalidSignature);
    // The app id is not signed (only nonce, REQUEST_TIME, method, URI, body): the verifier must pick
    // the key by app id, and the key alone authenticates it.
    let other_app = SignedHeaders {
        credential: CREDENTIAL.replace("d900", "e900"),
        ..signed.clone()
    };
    let verified = verify_req(get, &other_app, None).unwrap();
    assert_eq!(verified.app_id(), "e900da8b-6e16-4a85-8a66-05d29ac53f24");
    let alg = |to: &str| CREDENTIAL.replace("Wonder-RSA-SHA256", to);
    let time = |to: &str| CREDENTIAL.replace("20241121074501", to);
    for (credential, kind) in [
        (alg("Wonder-RSA-SHA1"), K::UnsupportedSignatureType),
        (alg("wonder-rsa-sha256"), K::UnsupportedSignatureType),
        (time("2024112107450"), K::BadTimestamp),
        (time("20241321074501"), K::BadTimestamp),
        (time("20241121246001"), K::BadTimestamp),
        (time("2024-11-21T0745"), K::BadTimestamp),
        (CREDENTIAL.replace(APP_ID, ""), K::MissingHeader),
        (CREDENTIAL.replace(APP_ID, "a b"), K::MissingHeader),
        ("20241121074501/Wonder-RSA-SHA256".into(), K::MissingHeader),
        (String::new(), K::MissingHeader),
    ] {
        assert!(Credential::parse(&credential).is_none(), "{credential}");
        let h = SignedHeaders {
            credential: credential.clone(),
            ..signed.clone()
        };
        assert_eq!(rejection(get, &h), kind, "{credential}");
    }
}

#[test]
fn credential_and_request_time_round_trip() {
    let c = Credential::parse(CREDENTIAL).unwrap();
    let parts = (c.app_id(), c.request_time(), c.unix_seconds());
    assert_eq!(parts, (APP_ID, "20241121074501", REQUEST_UNIX));
    assert_eq!(c.to_string(), CREDENTIAL);
    assert_eq!(Credential::new(APP_ID, REQUEST_UNIX).unwrap(), c);
    assert_eq!(sign::request_time(REQUEST_UNIX).unwrap(), "20241121074501");
    assert_eq!(sign::request_time(0).unwrap(), "19700101000000");
    assert_eq!(sign::request_time(253_402_300_799).unwrap(), "99991231235959");
    assert_eq!(
        sign::request_time(253_402_300_800).unwrap_err().kind(),
        ErrorKind::Build
    );
    assert_eq!(sign::request_time(i64::MIN).unwrap_err().kind(), ErrorKind::Build);
    let leap = Credential::parse("a/20240229235959/Wonder-RSA-SHA256").unwrap();
    assert_eq!(sign::request_time(leap.unix_seconds()).unwrap(), "20240229235959");
    assert!(Credential::parse("a/20230229000000/Wonder-RSA-SHA256").is_none());
    assert_eq!(Credential::new("", 0).unwrap_err().kind(), ErrorKind::Build);
    assert_eq!(Credential::new("a b", 0).unwrap_err().kind(), ErrorKind::Build);
}

#[test]
fn generated_nonces_are_16_alphanumerics_over_the_whole_alphabet() {
    let mut seen = std::collections::HashMap::<char, usize>::new();
    for _ in 0..1000 {
        let nonce = sign::generate_nonce().unwrap();
        assert!(sign::is_valid_nonce(&nonce), "{nonce}");
        for c in nonce.chars() {
            *seen.entry(c).or_default() += 1;
        }
    }
    // 16000 draws over 62 symbols: about 258 each; every symbol appears, none dominates.
    assert_eq!(seen.len(), 62);
    assert!(seen.values().all(|n| (150..400).contains(n)), "{seen:?}");
    assert_ne!(sign::generate_nonce().unwrap(), sign::generate_nonce().unwrap());
}

const HOOK_PATH: &str = "/wc-api/wonder_webhook?shop=1&x=a%20b";
const HOOK_BODY: &str = r#"{"order":{"number":"R1","state":"paid"},"customer":{"email":"ann@example.com"}}"#;

/// Headers of a webhook signed (as Wonder) with the wonder-app key at `unix`.
fn hook_headers(unix: i64, action: &str) -> HeaderMap {
    hook_headers_for("POST", unix, action)
}

fn hook_headers_for(method: &str, unix: i64, action: &str) -> HeaderMap {
    let signed = sign_req((method, HOOK_PATH, HOOK_BODY), unix);
    let mut headers = HeaderMap::new();
    for (name, value) in signed.pairs().into_iter().chain([("X-Action", action)]) {
        headers.insert(name, HeaderValue::from_str(value).unwrap());
    }
    headers
}

fn verify_hook(
    key: &PublicKey,
    (method, path, body): Req,
    headers: &HeaderMap,
) -> Result<Webhook, ErrorKind> {
    verify_webhook(key, method, path, headers, body.as_bytes()).map_err(|e| e.kind())
}

/// Why the webhook `r` with `headers` is rejected under the wonder-app key.
fn hook_rejection(r: Req, headers: &HeaderMap) -> ErrorKind {
    verify_hook(&public_key(), r, headers).unwrap_err()
}

#[test]
fn webhook_verifies_each_action() {
    for (value, action) in [
        ("order.created", Action::OrderCreated),
        ("order.paid", Action::OrderPaid),
        ("order.payment_failure", Action::OrderPaymentFailure),
        ("order.voided", Action::OrderVoided),
        ("order.refunded", Action::OrderRefunded),
        ("transaction.voided", Action::TransactionVoided),
        ("Order.PAID", Action::OrderPaid),
        ("order.shipped", Action::Unknown("order.shipped".into())),
    ] {
        let headers = hook_headers(REQUEST_UNIX, value);
        let hook = verify_hook(&public_key(), ("POST", HOOK_PATH, HOOK_BODY), &headers).unwrap();
        assert_eq!(hook.action(), &action);
        assert_eq!(Action::parse(action.as_str()), action);
        assert_eq!((hook.app_id(), &hook.body()[..]), (APP_ID, HOOK_BODY.as_bytes()));
        let json: serde_json::Value = hook.json().unwrap();
        assert_eq!(json["order"]["state"], "paid");
        assert_eq!(hook.json::<Vec<u8>>().unwrap_err().kind(), ErrorKind::Decode);
    }
}

#[test]
fn webhook_rejections() {
    let headers = hook_headers(REQUEST_UNIX, "order.paid");
    let bad = ErrorKind::Signature(K::InvalidSignature);
    let tampered = HOOK_BODY.replace("paid", "paye");
    for request in [
        ("POST", HOOK_PATH, tampered.as_str()),
        ("POST", "/wc-api/wonder_webhook?shop=2&x=a%20b", HOOK_BODY),
        ("POST", "/wc-api/wonder_webhook?shop=1&x=a+b", HOOK_BODY),
        ("POST", "/wc-api/other?shop=1&x=a%20b", HOOK_BODY),
        ("GET", HOOK_PATH, HOOK_BODY),
        ("PUT", HOOK_PATH, HOOK_BODY),
        ("post", HOOK_PATH, HOOK_BODY),
    ] {
        assert_eq!(hook_rejection(request, &headers), bad, "{request:?}");
    }
    let request = ("POST", HOOK_PATH, HOOK_BODY);
    assert_eq!(
        verify_hook(&other_public_key(), request, &headers).unwrap_err(),
        bad
    );
    let missing = ErrorKind::Signature(K::MissingHeader);
    for name in ["Credential", "Nonce", "Signature", "X-Action"] {
        let mut without = headers.clone();
        without.remove(name).unwrap();
        assert_eq!(hook_rejection(request, &without), missing, "{name}");
        let mut twice = headers.clone();
        twice.append(name, headers[name].clone());
        let duplicate = ErrorKind::Signature(K::DuplicateHeader);
        assert_eq!(hook_rejection(request, &twice), duplicate, "{name} twice");
    }
    // A validly signed GET is still refused: webhooks are POST only.
    let get_headers = hook_headers_for("GET", REQUEST_UNIX, "order.paid");
    assert_eq!(hook_rejection(("GET", HOOK_PATH, HOOK_BODY), &get_headers), bad);
    // No time window: a webhook signed long ago still verifies.
    assert!(verify_hook(&public_key(), request, &hook_headers(0, "order.paid")).is_ok());
}

#[test]
fn debug_output_has_no_key_or_body() {
    let signer = signer();
    let headers = hook_headers(REQUEST_UNIX, "order.paid");
    let hook = verify_hook(&public_key(), ("POST", HOOK_PATH, HOOK_BODY), &headers).unwrap();
    let signed = sign_req(req(&POST_ECHO), REQUEST_UNIX);
    let shown = format!("{signer:?} {signer:#?} {hook:?} {hook:#?} {signed:?}");
    for expected in [APP_ID, "OrderPaid", "body_len: 79", CREDENTIAL, "[344 chars]"] {
        assert!(shown.contains(expected), "{expected} not in {shown}");
    }
    let key_line = WONDER_APP_PRIVATE_PKCS8_PEM.lines().nth(5).unwrap();
    for secret in [
        key_line,
        "MIIEv",
        "PRIVATE KEY",
        "ann@example.com",
        "\"number\"",
        &POST_ECHO.signature_b64[..20],
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
