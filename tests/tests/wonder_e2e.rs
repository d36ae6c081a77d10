//! `generated/wonder` end to end against the Wonder mock over real HTTP on 127.0.0.1: every
//! operation of the model is called through its generated function (the set is compared with
//! the model, not counted by hand) and arrives signed and valid; the seed's cancel-plan call
//! returns its typed `data`; a non-zero envelope code under HTTP 200 is an API error; list
//! filters arrive as `filter[field][operator]=value`; typed webhook events decode from webhooks the
//! mock signs, and tampered ones are refused.

use std::collections::BTreeSet;
use std::str::FromStr;
use wechatpay_mock::InjectFaults;

use sdk_runtime::ErrorKind;
use wechatpay_mock::wonder::{
    APP_PRIVATE_KEY_FILE, TEST_APP_ID, WEBHOOK_PUBLIC_KEY_FILE, WonderConfig, WonderServer, test_key_path,
};
use wechatpay_mock::{Fault, default_shared_dir};
use wonder_typed::events::Event;
use wonder_typed::openapi::{EchoIn, echo};
use wonder_typed::recurring_payments as rp;
use wonder_typed::{Decimal, Filter};

fn key(file: &str) -> String {
    let path = test_key_path(&default_shared_dir(), file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn setup() -> (WonderServer, wonder_typed::Client) {
    let server = WonderServer::start(WonderConfig::from_test_vectors(&default_shared_dir()).expect("keys"))
        .expect("the mock starts");
    let client = wonder_typed::Client::builder()
        .app_id(TEST_APP_ID)
        .private_key_pem(&key(APP_PRIVATE_KEY_FILE))
        .expect("app key")
        .base_url(&server.base_url())
        .build()
        .expect("client");
    (server, client)
}

fn plan_in() -> rp::PlanIn {
    let cycle = rp::CycleIn::new("config-1", vec![rp::CycleItemIn::new(2, "item-1")]);
    rp::PlanIn::new(
        "Gold",
        "8c3a4c0e-3b0a-4f3e-9f5e-2b1c7a9d0e11",
        rp::CollectionMethod::ChargeAutomatically,
        3,
        1,
        vec![cycle],
    )
}

fn cycles_in() -> rp::AddCyclesIn {
    rp::AddCyclesIn::new(vec![rp::CycleIn::new(
        "config-1",
        vec![rp::CycleItemIn::new(1, "item-1")],
    )])
}

/// Calls every generated function once; returns the operation ids called.
async fn call_every_operation(
    client: &wonder_typed::Client,
) -> Result<BTreeSet<&'static str>, sdk_runtime::Error> {
    let mut called = BTreeSet::new();
    let page = rp::ListPlansQuery {
        offset: Some(0),
        limit: Some(10),
    };
    echo(client, &EchoIn::new("hello")).await?;
    called.insert("echo");
    let price = Decimal::from_str("10.50").expect("decimal");
    let item = rp::create_item(client, &rp::ItemIn::new("Coffee", price, "HKD")).await?;
    assert!(item.id.is_some_and(|id| !id.is_empty()));
    called.insert("create_item");
    rp::list_items(
        client,
        &page,
        &Filter::new().eq(rp::ListItemsFilterField::Label, "Coffee"),
    )
    .await?;
    called.insert("list_items");
    rp::delete_item(client, "item-1").await?;
    called.insert("delete_item");
    let config = rp::BillingConfigIn::new(1, rp::BillingInterval::Monthly, rp::BillingType::Automated);
    rp::create_billing_config(client, &config).await?;
    called.insert("create_billing_config");
    rp::list_billing_configs(client, &page, &Filter::new()).await?;
    called.insert("list_billing_configs");
    rp::delete_billing_config(client, "config-1").await?;
    called.insert("delete_billing_config");
    rp::create_plan(client, &plan_in()).await?;
    called.insert("create_plan");
    rp::calculate_plan(client, &plan_in()).await?;
    called.insert("calculate_plan");
    let filter = Filter::new()
        .eq(rp::ListPlansFilterField::Name, "Gold")
        .gte(rp::ListPlansFilterField::CreatedAt, "2024-01-01");
    rp::list_plans(client, &page, &filter).await?;
    called.insert("list_plans");
    let plan = rp::get_plan(client, "plan-1", &rp::GetPlanQuery::default()).await?;
    assert_eq!(plan.id.as_deref(), Some("plan-1"), "the mock echoes the path id");
    called.insert("get_plan");
    rp::edit_plan(client, "plan-1", &rp::EditPlanIn::default()).await?;
    called.insert("edit_plan");
    rp::cancel_plan(
        client,
        "plan-1",
        &rp::CancelPlanIn::new(rp::CancelActivateType::Immediate, true),
    )
    .await?;
    called.insert("cancel_plan");
    rp::recover_plan(client, "plan-1").await?;
    called.insert("recover_plan");
    rp::add_plan_cycles(client, "plan-1", &cycles_in()).await?;
    called.insert("add_plan_cycles");
    rp::calculate_add_plan_cycles(client, "plan-1", &cycles_in()).await?;
    called.insert("calculate_add_plan_cycles");
    let mut order = rp::GetOrderIn::new("8c3a4c0e-3b0a-4f3e-9f5e-2b1c7a9d0e11");
    order.order = Some(rp::OrderRef::new("ORDER-1"));
    rp::get_recurring_order(client, &order).await?;
    called.insert("get_recurring_order");
    rp::list_plan_orders(
        client,
        &page,
        &Filter::new().any_of("number".to_owned(), ["A", "B"]),
    )
    .await?;
    called.insert("list_plan_orders");
    Ok(called)
}

#[tokio::test]
async fn every_operation_of_the_model_goes_through_the_generated_crate_signed_and_valid() {
    let (server, client) = setup();
    let called = call_every_operation(&client).await.expect("every call succeeds");
    let model: BTreeSet<&str> = server
        .operations()
        .iter()
        .map(|o| o.operation_id.as_deref().expect("operation id"))
        .collect();
    assert_eq!(called, model, "the test calls every operation of the model");
    let requests = server.requests();
    let served: BTreeSet<&str> = requests
        .iter()
        .filter_map(|r| r.operation_id.as_deref())
        .collect();
    assert_eq!(served, model, "each call reached its own operation");
    for r in &requests {
        assert!(
            r.signature_verified,
            "{} {}: {:?}",
            r.method, r.target, r.rejection
        );
        assert_eq!((r.status, r.error_code.as_deref()), (200, None), "{}", r.target);
        let request_id = r.header("X-Request-ID").expect("X-Request-ID");
        assert_eq!(uuid_version(request_id), Some('4'), "{request_id}");
    }
    // The typed filter arrives as `filter[field][operator]=value`.
    let list = requests
        .iter()
        .find(|r| r.is_to("list_plans"))
        .expect("list_plans");
    assert!(
        list.query
            .contains(&("filter[name][_eq]".to_owned(), "Gold".to_owned())),
        "{:?}",
        list.query
    );
    assert!(
        list.query
            .contains(&("filter[created_at][_gte]".to_owned(), "2024-01-01".to_owned()))
    );
    let orders = requests
        .iter()
        .find(|r| r.is_to("list_plan_orders"))
        .expect("orders");
    assert!(
        orders
            .query
            .contains(&("filter[number][_in]".to_owned(), "A,B".to_owned()))
    );
    // Money is a JSON number (not a string, not rounded).
    let item = requests
        .iter()
        .find(|r| r.is_to("create_item"))
        .expect("create_item");
    assert_eq!(item.body_json().expect("JSON")["price"], serde_json::json!(10.5));
}

fn header_map(signed: &wechatpay_mock::wonder::SignedWebhook) -> http::HeaderMap {
    signed
        .headers()
        .into_iter()
        .map(|(name, value)| {
            (
                http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                http::HeaderValue::from_str(&value).expect("header value"),
            )
        })
        .collect()
}

fn uuid_version(id: &str) -> Option<char> {
    (id.len() == 36).then(|| id.chars().nth(14)).flatten()
}

#[tokio::test]
async fn the_seeds_cancel_plan_returns_its_typed_data_and_a_non_zero_code_is_an_api_error() {
    let (server, client) = setup();
    let body = rp::CancelPlanIn::new(rp::CancelActivateType::NextBillingDate, false);
    let _data: rp::CancelPlanResponse = rp::cancel_plan(&client, "plan-9", &body).await.expect("cancel");
    let sent = server.requests_to("cancel_plan");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "PUT");
    assert_eq!(
        sent[0].path(),
        "/svc/payment/api/v1/openapi/recurring_payments/plan/plan-9/cancel"
    );
    assert_eq!(
        sent[0].body_json().expect("JSON"),
        serde_json::json!({"activate_type": "next_billing_date", "refund_credit": false})
    );

    server.set_fault_for(Fault::EnvelopeError("E000002".into()), 1);
    let err = rp::cancel_plan(&client, "plan-9", &body)
        .await
        .expect_err("non-zero code");
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    assert!(err.to_string().contains("E000002"), "{err}");
}

#[tokio::test]
async fn a_request_signed_with_another_key_is_rejected_the_way_wonder_does() {
    let (server, _) = setup();
    let stranger = wonder_typed::Client::builder()
        .app_id(TEST_APP_ID)
        .private_key_pem(&key("merchant.pem"))
        .expect("another key")
        .base_url(&server.base_url())
        .build()
        .expect("client");
    let err = echo(&stranger, &EchoIn::new("hi"))
        .await
        .expect_err("bad signature");
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    let sent = server.requests();
    assert!(!sent[0].signature_verified);
    assert_eq!(
        sent[0].error_code.as_deref(),
        Some(wechatpay_mock::wonder::CODE_SIGNATURE)
    );
}

#[tokio::test]
async fn webhook_events_are_typed_by_action_and_tampered_webhooks_are_refused() {
    let (server, _) = setup();
    let wonder_key = sdk_runtime::wonder::PublicKey::from_pem(&key(WEBHOOK_PUBLIC_KEY_FILE)).expect("key");
    let body = br#"{"number":"ORDER-1","state":"paid"}"#;
    let url = "http://127.0.0.1:1/hooks/wonder?shop=1";
    for (action, expected) in [
        ("order.paid", true),
        ("transaction.voided", true),
        ("order.shipped", false),
    ] {
        let signed = server.sign_webhook(url, action, body).expect("signed");
        let webhook = sdk_runtime::wonder::verify_webhook(
            &wonder_key,
            "POST",
            "/hooks/wonder?shop=1",
            &header_map(&signed),
            body,
        )
        .expect("a webhook the mock signs verifies");
        let event = webhook.event::<Event>().expect("decodes");
        assert_eq!(event.event_type(), action);
        match (&event, expected) {
            (Event::OrderPaid(order), true) => {
                assert_eq!(order.get("number"), Some(&serde_json::json!("ORDER-1")))
            }
            (Event::TransactionVoided(_), true) => {}
            (Event::Unknown { event_type, resource }, false) => {
                assert_eq!(event_type, action);
                assert_eq!(resource.get("number"), Some(&serde_json::json!("ORDER-1")));
            }
            other => panic!("{action}: {other:?}"),
        }
        // `Debug` names the payload's members, never their values.
        assert!(!format!("{event:?}").contains("ORDER-1"));
    }
    let signed = server.sign_webhook(url, "order.paid", body).expect("signed");
    let tampered = br#"{"number":"ORDER-2","state":"paid"}"#;
    let err = sdk_runtime::wonder::verify_webhook(
        &wonder_key,
        "POST",
        "/hooks/wonder?shop=1",
        &header_map(&signed),
        tampered,
    )
    .expect_err("tampered");
    assert!(matches!(err.kind(), ErrorKind::Signature(_)), "{err}");
}
