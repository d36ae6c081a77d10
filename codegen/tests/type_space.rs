//! The type space across modules and products: one definition per shape, compiled with the
//! products that use it, re-exported under each module's names, named after the official SDK or
//! a field when that is unambiguous.

use codegen::emit::wechatpay_crate;
use codegen::ir::{Document, Field, HttpMethod, Operation, RequestBody, ResponseBody, Type};

fn amount() -> Field {
    Field::new(
        "amount",
        Type::Object {
            fields: vec![
                Field::new("total", Type::Integer),
                Field::new("currency", Type::String),
            ],
        },
    )
}

fn op(method: HttpMethod, path: &str, request: Vec<Field>, response: Vec<Field>) -> Operation {
    Operation {
        request: if request.is_empty() {
            RequestBody::None
        } else {
            RequestBody::Json { fields: request }
        },
        response: ResponseBody::Json { fields: response },
        ..Operation::new(method, path)
    }
}

fn doc(operations: Vec<Operation>) -> Document {
    Document {
        moved_to: None,
        types: Vec::new(),
        events: Vec::new(),
        source: "openapi/v3/demo.md".to_owned(),
        title: None,
        operations,
    }
}

/// `src/types.rs` and the other files of the crate emitted for `docs`.
fn emitted(docs: &[Document]) -> (String, String) {
    let files = wechatpay_crate(docs).expect("emits");
    let types = files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .expect("types.rs")
        .contents
        .clone();
    let modules = files
        .iter()
        .filter(|f| f.path.starts_with("src/v3/") && !f.path.ends_with("mod.rs"))
        .map(|f| f.contents.clone())
        .collect();
    (types, modules)
}

#[test]
fn one_shape_in_two_products_is_one_definition_compiled_with_both() {
    let docs = [doc(vec![
        op(HttpMethod::Post, "/v3/pay/orders", vec![amount()], Vec::new()),
        op(HttpMethod::Post, "/v3/refund/refunds", vec![amount()], Vec::new()),
    ])];
    let (types, modules) = emitted(&docs);
    assert_eq!(types.matches("pub struct Amount {").count(), 1, "{types}");
    assert!(
        types.contains("#[cfg(any(feature = \"pay\", feature = \"refund\"))]\n/// `amount` in"),
        "{types}"
    );
    assert_eq!(
        modules
            .matches("pub use crate::types::Amount as PostRequestAmount;")
            .count(),
        2,
        "{modules}"
    );
    // Each operation's own request type is its own alias, whatever it points to.
    assert!(modules.contains("as PostRequest;"), "{modules}");
}

#[test]
fn response_shapes_that_differ_only_in_optionality_are_one_type() {
    let optional = Field {
        optional: true,
        ..amount()
    };
    let docs = [doc(vec![
        op(HttpMethod::Get, "/v3/pay/a", Vec::new(), vec![amount()]),
        op(HttpMethod::Get, "/v3/pay/b", Vec::new(), vec![optional.clone()]),
        // In a request, optionality is part of the type.
        op(HttpMethod::Post, "/v3/pay/c", vec![amount()], Vec::new()),
        op(HttpMethod::Post, "/v3/pay/d", vec![optional], Vec::new()),
    ])];
    let (types, _) = emitted(&docs);
    // One response type for a and b, one request type for c and d.
    assert_eq!(
        types.matches("pub struct PayAGetResponse {").count(),
        1,
        "{types}"
    );
    assert!(!types.contains("pub struct PayBGetResponse {"), "{types}");
    assert!(types.contains("pub struct PayCPostRequest {") && types.contains("pub struct PayDPostRequest {"));
}

#[test]
fn a_field_name_names_a_type_only_when_no_other_type_asks_for_it() {
    let other_amount = Field::new(
        "amount",
        Type::Object {
            fields: vec![Field::new("refund", Type::Integer)],
        },
    );
    let one = [doc(vec![op(
        HttpMethod::Post,
        "/v3/pay/orders",
        vec![amount()],
        Vec::new(),
    )])];
    assert!(emitted(&one).0.contains("pub struct Amount {"));
    let two = [doc(vec![
        op(HttpMethod::Post, "/v3/pay/orders", vec![amount()], Vec::new()),
        op(
            HttpMethod::Post,
            "/v3/refund/refunds",
            vec![other_amount],
            Vec::new(),
        ),
    ])];
    let (types, modules) = emitted(&two);
    assert!(!types.contains("pub struct Amount {"), "{types}");
    assert!(
        types.contains("pub struct PayOrdersPostRequestAmount {"),
        "{types}"
    );
    assert!(
        types.contains("pub struct RefundRefundsPostRequestAmount {"),
        "{types}"
    );
    // The module names do not change.
    assert!(modules.contains("as PostRequestAmount;"));
}

#[test]
fn the_official_sdk_names_win_and_same_named_responses_unite() {
    let named = |path: &str, sdk: &str, fields: Vec<Field>| Operation {
        response_type_name: Some(sdk.to_owned()),
        ..op(HttpMethod::Get, path, Vec::new(), fields)
    };
    let state = Field::new("trade_state", Type::String);
    let payer = Field::new(
        "payer",
        Type::Object {
            fields: vec![Field::new("openid", Type::String)],
        },
    );
    let docs = [doc(vec![
        named(
            "/v3/pay/transactions/id/{id}",
            "payments.Transaction",
            vec![state.clone()],
        ),
        named(
            "/v3/pay/transactions/no/{no}",
            "payments.Transaction",
            vec![state.clone(), payer],
        ),
        named(
            "/v3/pay/partner/transactions/id/{id}",
            "partnerpayments.Transaction",
            vec![state],
        ),
    ])];
    let (types, modules) = emitted(&docs);
    // Both `payments.Transaction` responses are one type with both fields.
    assert_eq!(types.matches("pub struct Transaction {").count(), 1, "{types}");
    let transaction = &types[types.find("pub struct Transaction {").expect("defined")..];
    let transaction = &transaction[..transaction.find("\n}\n").expect("closed")];
    assert!(transaction.contains("pub trade_state:") && transaction.contains("pub payer:"));
    // The partner one keeps its package in its name.
    assert!(
        types.contains("pub struct PartnerpaymentsTransaction {"),
        "{types}"
    );
    assert_eq!(
        modules
            .matches("pub use crate::types::Transaction as GetResponse;")
            .count(),
        2
    );
}

#[test]
fn names_are_the_same_whatever_else_is_added() {
    let base = vec![op(HttpMethod::Post, "/v3/pay/orders", vec![amount()], Vec::new())];
    let mut more = base.clone();
    more.push(op(
        HttpMethod::Get,
        "/v3/marketing/x",
        Vec::new(),
        vec![Field::new("stock_id", Type::String)],
    ));
    let (before, _) = emitted(&[doc(base)]);
    let (after, _) = emitted(&[doc(more)]);
    for name in ["Amount", "PayOrdersPostRequest"] {
        let decl = format!("pub struct {name} {{");
        assert!(before.contains(&decl) && after.contains(&decl), "{name}");
    }
}
