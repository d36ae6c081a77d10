//! Typed APIv2 (XML) notifications: `v2::Client::notification::<E>` with a hand-written event
//! set mirroring the 8 documented notifications (`shared/wechatpay-docs/webhook/v2/*.md`; the
//! members below come from the pages' typedefs), classification, signatures, the three inner
//! carriages (refund `req_info` from the `v2_refund_req_info_decrypt` vector in
//! `shared/test-vectors/vectors.json`, payscore `event_ciphertext` encrypted here with a test
//! APIv3 key, combined `sub_order_list` JSON), replies, redaction, and (feature `axum`) the
//! extractor end to end over HTTP on 127.0.0.1.

#[path = "support/v2_events.rs"]
mod v2_events;

use v2_events::*;

// ---- Tests. ----

#[test]
fn each_documented_event_is_classified() {
    let name = |map: &BTreeMap<String, String>| classify(Event::SHAPES, map).map(|s| s.name);
    for event_type in [
        "CHECK.SUCCESS",
        "CHECK.FAIL",
        "TRANSACTION.SUCCESS",
        "TRANSACTION.FAIL",
    ] {
        assert_eq!(name(&payscore_fields(event_type, "x")), Some(event_type));
    }
    let combined = name(&combined_fields(SUB_ORDERS));
    assert_eq!(combined, Some("combined-transactions-success"));
    assert_eq!(name(&refund_fields()), Some("refund-processed"));
    assert_eq!(name(&paid_fields()), Some("transaction-success"));
    assert_eq!(name(&vehicle_fields()), Some("vehicle-state-changed-for-parking"));
    // A payment that failed carries `err_code`/`err_code_des` too: still a payment.
    let failed = with(
        paid_fields(),
        &[("err_code", "SYSTEMERROR"), ("err_code_des", "系统错误")],
    );
    assert_eq!(name(&failed), Some("transaction-success"));

    // Unknown: an `event_type` no shape has, no distinguishing member, a tie.
    assert_eq!(name(&payscore_fields("PAYSCORE.NEW", "x")), None);
    assert_eq!(name(&doc("return_code=SUCCESS appid=wx")), None);
    assert_eq!(name(&doc("openid=o plate_number=p")), None);
}

#[test]
fn every_documented_event_decodes_into_its_variant() {
    let client = client();
    let n = decode(&client, &signed(paid_fields(), SignType::Md5));
    assert_eq!(
        (n.event_type(), n.reply_style()),
        ("transaction-success", ReplyStyle::ReturnCode)
    );
    let paid = Paid {
        out_trade_no: "SECRET-TRADE-1409811653".into(),
        total_fee: "101".into(),
        result_code: "SUCCESS".into(),
    };
    assert_eq!(n.into_event(), Event::Paid(paid));

    let n = decode(&client, &signed(vehicle_fields(), SignType::HmacSha256));
    assert_eq!(n.event_type(), "vehicle-state-changed-for-parking");
    let vehicle = Vehicle {
        plate_number: "粤A00000".into(),
        vehicle_event_type: "NORMAL".into(),
    };
    assert_eq!(n.event(), &Event::Vehicle(vehicle));

    let n = decode(
        &client,
        &signed(combined_fields(SUB_ORDERS), SignType::HmacSha256),
    );
    assert_eq!(n.event_type(), "combined-transactions-success");
    let Event::Combined(combined) = n.into_event() else {
        panic!("not combined")
    };
    assert_eq!(combined.combine_out_trade_no, "1217752501201407033233368018");
    assert_eq!(combined.sub_order_list.order_num, 3);
    assert_eq!(combined.sub_order_list.order_list.len(), 3);

    for (event_type, wrap) in [
        ("CHECK.SUCCESS", Event::CheckSuccess as fn(Payscore) -> Event),
        ("CHECK.FAIL", Event::CheckFail),
        ("TRANSACTION.SUCCESS", Event::PayscorePaid),
        ("TRANSACTION.FAIL", Event::PayscoreFailed),
    ] {
        let n = decode(&client, &payscore(event_type));
        assert_eq!((n.event_type(), n.reply_style()), (event_type, ReplyStyle::Code));
        let plain = PayscorePlain {
            state: "USER_ACCEPTED".into(),
            service_id: "1234352342".into(),
            out_order_no: "SECRET-ORDER-1234352342545345454".into(),
        };
        let payscore = Payscore {
            event_type: event_type.into(),
            event_id: "EV-2018022511223320873".into(),
            mch_id: "10000100".into(),
            event_ciphertext: plain,
        };
        assert_eq!(n.into_event(), wrap(payscore));
    }
}

#[test]
fn md5_and_hmac_signs_verify_and_a_tampered_value_does_not() {
    let client = client();
    for (sign_type, len) in [(SignType::Md5, 32), (SignType::HmacSha256, 64)] {
        let body = signed(paid_fields(), sign_type);
        assert_eq!(xml::parse(body.as_bytes()).unwrap()["sign"].len(), len);
        let n = decode(&client, &body);
        assert!(matches!(n.event(), Event::Paid(p) if p.total_fee == "101"));

        let e = rejection(&client, &body.replace("101", "1"));
        assert_eq!(e.kind(), INVALID);
        assert_redacted(&e, VERIFYING);
        assert_eq!(
            NotificationReply::v2_from_error(&e).status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Signed with another APIv2 key.
    let e = rejection(&other_client(), &signed(paid_fields(), SignType::Md5));
    assert_eq!(e.kind(), INVALID);
}

#[test]
fn a_missing_sign_is_refused_but_for_the_refund_notification() {
    let client = client();
    let unsigned = [
        paid_fields(),
        vehicle_fields(),
        combined_fields(SUB_ORDERS),
        payscore_fields("CHECK.SUCCESS", &encrypt(APIV3_KEY, PAYSCORE_PLAIN)),
        doc("return_code=SUCCESS openid=oSECRET"),
    ];
    for map in unsigned {
        for map in [map.clone(), with(map, &[("sign", "")])] {
            let e = rejection(&client, &xml::write(&map));
            assert_eq!(e.kind(), MISSING, "{map:?}");
            assert_redacted(&e, VERIFYING);
        }
    }
    // A refund notification with a sign has it checked.
    let e = rejection(
        &client,
        &xml::write(&with(refund_fields(), &[("sign", &"0".repeat(32))])),
    );
    assert_eq!(e.kind(), INVALID);
    // A refund document that also looks like a payment is ambiguous: it needs a sign.
    let e = rejection(
        &client,
        &xml::write(&with(refund_fields(), &[("openid", "oSECRET")])),
    );
    assert_eq!(e.kind(), MISSING);
}

#[test]
fn return_code_fail_is_an_api_error_and_result_code_fail_is_content() {
    let client = client();
    let e = rejection(&client, &xml::write(&doc("return_code=FAIL return_msg=签名失败")));
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!((e.code(), e.message()), (Some("FAIL"), Some("签名失败")));
    assert!(e.to_string().starts_with(VERIFYING), "{e}");

    let failed = with(paid_fields(), &[("result_code", "FAIL")]);
    let n = decode(&client, &signed(failed, SignType::Md5));
    assert!(matches!(n.event(), Event::Paid(p) if p.result_code == "FAIL"));
}

#[test]
fn the_refund_notification_decrypts_its_req_info_without_a_sign() {
    let n = decode(&client(), &xml::write(&refund_fields()));
    assert_eq!(
        (n.event_type(), n.reply_style()),
        ("refund-processed", ReplyStyle::ReturnCode)
    );
    let req_info = RefundInfo {
        out_refund_no: "R20241121001".into(),
        refund_status: "SUCCESS".into(),
    };
    let refund = RefundProcessed {
        return_code: "SUCCESS".into(),
        mch_id: "1900000109".into(),
        req_info,
    };
    assert_eq!(n.into_event(), Event::Refund(refund));

    let e = rejection(&other_client(), &xml::write(&refund_fields()));
    assert_eq!(e.kind(), ErrorKind::Crypto);
    assert_redacted(&e, VERIFYING);
    assert_eq!(
        NotificationReply::v2_from_error(&e).status(),
        StatusCode::BAD_REQUEST
    );

    // The last block altered: its padding no longer checks out.
    let mut raw = BASE64.decode(REQ_INFO).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x55;
    let tampered = with(refund_fields(), &[("req_info", &BASE64.encode(&raw))]);
    assert_eq!(
        rejection(&client(), &xml::write(&tampered)).kind(),
        ErrorKind::Crypto
    );
}

#[test]
fn payscore_events_need_the_apiv3_key_and_an_intact_ciphertext() {
    let no_apiv3 = Client::builder().apiv2_key(KEY).unwrap().build().unwrap();
    assert!(!no_apiv3.has_apiv3_key() && client().has_apiv3_key());
    let e = rejection(&no_apiv3, &payscore("CHECK.SUCCESS"));
    assert_eq!(e.kind(), ErrorKind::Build);
    assert!(e.to_string().contains("apiv3_key"), "{e}");
    let status = NotificationReply::v2_from_error(&e).status();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let short = Client::builder().apiv3_key("short").map(|_| ()).unwrap_err();
    assert_eq!(short.kind(), ErrorKind::Build);

    let client = client();
    let good = encrypt(APIV3_KEY, PAYSCORE_PLAIN);
    let mut raw = BASE64.decode(&good).unwrap();
    raw[3] ^= 1;
    let crypto = [
        // A flipped ciphertext bit, properly signed.
        payscore_fields("CHECK.FAIL", &BASE64.encode(&raw)),
        // Encrypted under another APIv3 key.
        payscore_fields(
            "CHECK.FAIL",
            &encrypt("0000000000000000000000000000000a", PAYSCORE_PLAIN),
        ),
        with(
            payscore_fields("CHECK.FAIL", &good),
            &[("event_algorithm", "AEAD_AES_128_GCM")],
        ),
        with(
            payscore_fields("CHECK.FAIL", &good),
            &[("event_associated_data", "other")],
        ),
    ];
    for map in crypto {
        let e = rejection(&client, &signed(map, SignType::HmacSha256));
        assert_eq!(e.kind(), ErrorKind::Crypto, "{e}");
        assert_redacted(&e, VERIFYING);
    }
    for missing in ["event_ciphertext", "event_nonce"] {
        let mut map = payscore_fields("CHECK.FAIL", &good);
        map.remove(missing);
        let e = rejection(&client, &signed(map, SignType::HmacSha256));
        assert_eq!(e.kind(), ErrorKind::Decode, "{missing}");
        let cause = std::error::Error::source(&e).expect("a cause").to_string();
        assert_eq!(cause, format!("missing field `{missing}`"));
    }
    // A plaintext that is not a flat document.
    let nested = encrypt(APIV3_KEY, "<xml><a><b>SECRET</b></a></xml>");
    let e = rejection(
        &client,
        &signed(payscore_fields("CHECK.FAIL", &nested), SignType::HmacSha256),
    );
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_redacted(&e, DECODING);
}

#[test]
fn sub_order_list_must_be_json_of_the_declared_shape() {
    let client = client();
    let bad = [
        "not json SECRET",
        r#""SECRET""#,
        "42",
        r#"{"order_num":"SECRET-3","order_list":[]}"#,
    ];
    for bad in bad {
        let e = rejection(&client, &signed(combined_fields(bad), SignType::HmacSha256));
        assert_eq!(e.kind(), ErrorKind::Decode, "{bad}");
        assert_redacted(&e, DECODING);
    }
    let empty = combined_fields(r#"{"order_num":0,"order_list":[]}"#);
    let n = decode(&client, &signed(empty, SignType::Md5));
    assert!(matches!(n.event(), Event::Combined(c) if c.sub_order_list.order_num == 0));
}

#[test]
fn unknown_and_ambiguous_documents_are_unknown_events() {
    let client = client();
    let ambiguous = doc("return_code=SUCCESS openid=o plate_number=p");
    let n = decode(&client, &signed(ambiguous, SignType::Md5));
    assert_eq!(n.event(), &Event::Unknown(String::new()));
    assert_eq!((n.event_type(), n.reply_style()), ("", ReplyStyle::ReturnCode));

    // A new payscore event: decoded under its `event_type`, not decrypted, answered code-style.
    let n = decode(&client, &payscore("PAYSCORE.NEW"));
    assert_eq!(n.event(), &Event::Unknown("PAYSCORE.NEW".into()));
    assert_eq!(n.reply_style(), ReplyStyle::Code);

    // Not an APIv2 document at all.
    let e = rejection(&client, "{\"SECRET\":1}");
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_redacted(&e, VERIFYING);
}

#[test]
fn replies_follow_the_style_the_sender_expects() {
    let client = client();
    let paid = decode(&client, &signed(paid_fields(), SignType::Md5));
    let check = decode(&client, &payscore("CHECK.SUCCESS"));
    let xml_reply = |reply: NotificationReply| {
        assert_eq!(reply.content_type(), "text/xml; charset=utf-8");
        (
            reply.status().as_u16(),
            String::from_utf8(reply.body().to_vec()).unwrap(),
        )
    };
    let cdata = |name: &str, value: &str| format!("<{name}><![CDATA[{value}]]></{name}>");

    let (success, fail) = (cdata("return_code", "SUCCESS"), cdata("return_code", "FAIL"));
    let ok = format!("<xml>{success}{}</xml>", cdata("return_msg", "OK"));
    assert_eq!(xml_reply(paid.success_reply()), (200, ok));
    let down = format!("<xml>{fail}{}</xml>", cdata("return_msg", "db down"));
    assert_eq!(xml_reply(paid.failure_reply("db down")), (500, down));

    let (success, fail) = (cdata("code", "SUCCESS"), cdata("code", "FAIL"));
    let ok = format!("<xml>{success}{}</xml>", cdata("message", "OK"));
    assert_eq!(xml_reply(check.success_reply()), (200, ok.clone()));
    assert_eq!(xml_reply(NotificationReply::v2_code_success()), (200, ok));
    let down = format!("<xml>{fail}{}</xml>", cdata("message", "db down"));
    assert_eq!(xml_reply(check.failure_reply("db down")), (500, down.clone()));
    assert_eq!(
        xml_reply(NotificationReply::v2_code_failure("db down")),
        (500, down)
    );
    let tricky = xml::parse(&check.failure_reply("db ]]> down").body()).unwrap();
    assert_eq!(tricky, with(doc("code=FAIL"), &[("message", "db ]]> down")]));
}

#[test]
fn debug_shows_the_event_type_and_no_value() {
    let client = client();
    let bodies = [
        signed(paid_fields(), SignType::Md5),
        payscore("CHECK.SUCCESS"),
        xml::write(&refund_fields()),
    ];
    for body in bodies {
        let n = decode(&client, &body);
        let text = format!("{n:?} {n:#?}");
        assert!(text.contains(n.event_type()), "{text}");
        for value in VALUES.split(' ').chain(["10000100", "1900000109"]) {
            assert!(!text.contains(value), "{value} in {text}");
        }
    }
    let text = format!("{client:?}");
    assert!(!text.contains(APIV3_KEY) && !text.contains(KEY), "{text}");
}

#[test]
fn notification_from_request_reads_the_body() {
    let body = signed(vehicle_fields(), SignType::HmacSha256);
    let request = http::Request::post("/notify").body(body).unwrap();
    let n = client()
        .notification_from_request::<Event, _>(&request)
        .expect("decodes");
    assert!(matches!(n.event(), Event::Vehicle(v) if v.vehicle_event_type == "NORMAL"));
    let request = http::Request::post("/notify")
        .body(b"<xml></xml>".to_vec())
        .unwrap();
    let e = client()
        .notification_from_request::<Event, _>(&request)
        .unwrap_err();
    assert_eq!(e.kind(), MISSING);
}

#[cfg(feature = "axum")]
mod axum_extractor {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::State;
    use axum::routing::post;

    use super::*;

    #[derive(Clone)]
    struct AppState {
        client: Client,
        seen: Arc<Mutex<Vec<Event>>>,
    }

    impl axum::extract::FromRef<AppState> for Client {
        fn from_ref(state: &AppState) -> Client {
            state.client.clone()
        }
    }

    async fn notify(State(state): State<AppState>, notification: Notification<Event>) -> NotificationReply {
        let reply = notification.success_reply();
        state.seen.lock().unwrap().push(notification.into_event());
        reply
    }

    async fn serve() -> (String, Arc<Mutex<Vec<Event>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            client: client(),
            seen: seen.clone(),
        };
        let app = Router::new().route("/notify", post(notify)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://{addr}/notify"), seen)
    }

    async fn post_to(url: &str, body: String) -> (u16, String, String) {
        let response = reqwest::Client::new()
            .post(url)
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        (status, content_type, response.text().await.unwrap())
    }

    #[tokio::test]
    async fn the_extractor_checks_decodes_and_answers_over_http() {
        let (url, seen) = serve().await;

        let (status, content_type, text) = post_to(&url, signed(paid_fields(), SignType::Md5)).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(content_type, "text/xml; charset=utf-8");
        assert_eq!(xml::parse(text.as_bytes()).unwrap()["return_code"], "SUCCESS");
        let (status, _, text) = post_to(&url, payscore("TRANSACTION.SUCCESS")).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(xml::parse(text.as_bytes()).unwrap()["code"], "SUCCESS");
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 2);
            assert!(matches!(&seen[0], Event::Paid(p) if p.total_fee == "101"));
            assert!(matches!(&seen[1], Event::PayscorePaid(p) if p.event_id.starts_with("EV-")));
        }

        // A bad sign: 401 with an XML FAIL reply; the handler never runs.
        let tampered = signed(paid_fields(), SignType::Md5).replace("101", "1");
        let (status, content_type, text) = post_to(&url, tampered).await;
        assert_eq!(status, 401);
        assert_eq!(content_type, "text/xml; charset=utf-8");
        let reply = xml::parse(text.as_bytes()).unwrap();
        assert_eq!(
            (reply["return_code"].as_str(), reply["return_msg"].as_str()),
            ("FAIL", "signature verification failed")
        );
        // No sign at all: 401 too.
        let (status, _, _) = post_to(&url, xml::write(&paid_fields())).await;
        assert_eq!(status, 401);
        // Over the size limit: 413, XML.
        let padding = " ".repeat(xml::MAX_XML_BYTES);
        let oversized = format!("{}{padding}", signed(paid_fields(), SignType::Md5));
        let (status, content_type, text) = post_to(&url, oversized).await;
        assert_eq!(status, 413);
        assert_eq!(content_type, "text/xml; charset=utf-8");
        assert_eq!(xml::parse(text.as_bytes()).unwrap()["return_code"], "FAIL");
        assert_eq!(seen.lock().unwrap().len(), 2);
    }
}
