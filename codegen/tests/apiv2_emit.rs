//! APIv2 (XML) operations emitted into the WeChat Pay crate: under `v2`, behind `v2-*` features,
//! with the APIv2 client, mutual TLS and unsigned answers where the model and the settings say,
//! no client-filled members in request types, and answers read from text with indexed lists.

use codegen::emit::{Settings, crates};
use codegen::ir::{Document, Field, HttpMethod, Operation, RequestBody, ResponseBody, Type};

fn xml_op(path: &str, mutual_tls: bool) -> Operation {
    let mut op = Operation::new(HttpMethod::Post, path);
    op.mutual_tls = mutual_tls;
    op.request = RequestBody::Xml {
        fields: vec![
            Field::new("appid", Type::String),
            Field::new("mch_id", Type::String),
            Field::optional("nonce_str", Type::String),
            Field::optional("sign", Type::String),
            Field::new("out_trade_no", Type::String),
        ],
    };
    let coupon = Type::Object {
        fields: vec![
            Field::new("coupon_id", Type::String),
            Field::new("coupon_fee", Type::Integer),
        ],
    };
    op.response = ResponseBody::Xml {
        fields: vec![
            Field::new("total_fee", Type::Integer),
            Field::optional("coupon_count", Type::Integer),
            Field::optional(
                "coupons",
                Type::Array {
                    items: Box::new(coupon),
                },
            ),
        ],
    };
    op
}

fn document(source: &str, operations: Vec<Operation>) -> Document {
    Document {
        source: source.to_owned(),
        title: None,
        moved_to: None,
        operations,
        types: Vec::new(),
        events: Vec::new(),
    }
}

fn file<'a>(files: &'a [codegen::emit::GeneratedFile], path: &str) -> &'a str {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("no {path}"))
}

#[test]
fn xml_operations_go_under_v2_with_their_client_tls_and_sign_settings() {
    let settings = Settings::wechatpay();
    let unsigned = settings
        .xml
        .as_ref()
        .expect("WeChat Pay has APIv2")
        .unsigned_responses[0]
        .clone();
    let mut v3 = Operation::new(HttpMethod::Get, "/v3/pay/orders");
    v3.response = ResponseBody::Json {
        fields: vec![Field::new("total_fee", Type::Integer)],
    };
    let documents = vec![
        document(
            "openapi/v2/pay/orderquery.md",
            vec![xml_op("/pay/orderquery", false)],
        ),
        document(
            "openapi/v2/secapi/pay/refund.md",
            vec![xml_op("/secapi/pay/refund", true)],
        ),
        document("openapi/v2/unsigned.md", vec![xml_op(&unsigned, false)]),
        document("openapi/v3/pay/orders.md", vec![v3]),
    ];
    let sdk = crates(&documents, &settings).expect("emits").sdk;

    let pay = file(&sdk, "src/v2/pay.rs");
    assert!(
        pay.contains("client: &::sdk_runtime::wechatpay::v2::Client"),
        "{pay}"
    );
    assert!(pay.contains(".xml(body)?"), "{pay}");
    assert!(!pay.contains(".mutual_tls()"), "{pay}");
    assert!(!pay.contains(".unsigned_response()"), "{pay}");
    assert!(pay.contains("`Business`, with `err_code`"), "{pay}");

    let secapi = file(&sdk, "src/v2/secapi.rs");
    assert!(secapi.contains(".mutual_tls()"), "{secapi}");
    assert!(secapi.contains("Called over mutual TLS"), "{secapi}");

    let root = unsigned
        .trim_start_matches('/')
        .split('/')
        .next()
        .expect("segment");
    let unsigned_file = file(&sdk, &format!("src/v2/{root}.rs"));
    assert!(unsigned_file.contains(".unsigned_response()"), "{unsigned_file}");

    let v2_mod = file(&sdk, "src/v2/mod.rs");
    assert!(
        v2_mod.contains("pub use ::sdk_runtime::wechatpay::v2::Client;"),
        "{v2_mod}"
    );
    assert!(v2_mod.contains("#[cfg(feature = \"v2-pay\")]"), "{v2_mod}");
    let manifest = file(&sdk, "Cargo.toml");
    assert!(manifest.contains("v2-secapi = []"), "{manifest}");

    // The client adds `nonce_str` and `sign`: no request type has them.
    let types = file(&sdk, "src/types.rs");
    assert!(!types.contains("pub nonce_str"), "request types lose nonce_str");
    assert!(!types.contains("pub sign:"), "request types lose sign");
    // An XML answer reads numbers from text and groups its indexed list; the APIv3 answer of
    // the same member stays a JSON read.
    assert!(types.contains("fields.take_text(\"total_fee\")"), "{types}");
    assert!(
        types.contains("take_indexed(\"coupons\", &[\"coupon_fee\", \"coupon_id\"])"),
        "{types}"
    );
    assert!(types.contains("fields.take(\"total_fee\")"), "{types}");
}

#[test]
fn an_api_without_an_xml_protocol_emits_no_xml_operation() {
    let settings = Settings::wonder();
    assert!(settings.xml.is_none());
    let mut json = Operation::new(HttpMethod::Get, "/svc/plans");
    json.tags = vec!["plans".into()];
    json.operation_id = Some("list_plans".into());
    let documents = vec![
        document("openapi.yaml", vec![json]),
        document(
            "openapi/v2/pay/orderquery.md",
            vec![xml_op("/pay/orderquery", false)],
        ),
    ];
    let sdk = crates(&documents, &settings).expect("emits").sdk;
    assert!(sdk.iter().all(|f| !f.contents.contains("/pay/orderquery")));
}
