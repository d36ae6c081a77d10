//! The merge of the official SDK's facts into the model, rule by rule
//! (`codegen::wechat::merge`).

use codegen::ir::{Change, Document, Field, HttpMethod, Operation, RequestBody, ResponseBody, Type};
use codegen::wechat::facts::{FactField, FactOperation, FactResponse, Facts, FactsSource, Kind};
use codegen::wechat::merge::merge;

fn fact(location: &str, name: &str, required: bool, kind: Kind) -> FactField {
    FactField {
        location: location.to_owned(),
        name: name.to_owned(),
        required,
        kind,
        encrypted: false,
        go_field: None,
    }
}

fn facts(path: &str, fields: Vec<FactField>, response: Vec<FactField>) -> Facts {
    Facts {
        source: FactsSource {
            repository: "o/sdk".into(),
            commit: "abc".into(),
        },
        operations: vec![FactOperation {
            method: "POST".into(),
            path: path.into(),
            go: "demo.Create".into(),
            fields,
            response: FactResponse {
                kind: "json".into(),
                go_type: Some("Refund".into()),
                fields: response,
            },
        }],
    }
}

fn document(request: Vec<Field>, response: Vec<Field>) -> Document {
    Document {
        types: Vec::new(),
        events: Vec::new(),
        moved_to: None,
        source: "openapi/v3/demo.md".into(),
        title: None,
        operations: vec![Operation {
            path_params: vec![Field::new("out_no", Type::String)],
            request: RequestBody::Json { fields: request },
            response: ResponseBody::Json { fields: response },
            ..Operation::new(HttpMethod::Post, "/v3/demo/{out_no}")
        }],
    }
}

fn request(doc: &Document) -> &[Field] {
    match &doc.operations[0].request {
        RequestBody::Json { fields } => fields,
        _ => panic!("json body"),
    }
}

fn response(doc: &Document) -> &[Field] {
    match &doc.operations[0].response {
        ResponseBody::Json { fields } => fields,
        ResponseBody::Binary | ResponseBody::Value { .. } | ResponseBody::Xml { .. } => {
            panic!("json response")
        }
    }
}

#[test]
fn operations_match_by_method_and_path_whatever_the_parameter_names() {
    let mut docs = [document(vec![Field::new("reason", Type::String)], Vec::new())];
    let report = merge(
        &mut docs,
        &facts(
            "/v3/demo/{no}",
            vec![fact("body", "reason", false, Kind::String)],
            Vec::new(),
        ),
    );
    assert_eq!(report.operations_matched, 1);
    assert!(report.operations_unmatched.is_empty());
    let other = merge(&mut docs, &facts("/v3/other", Vec::new(), Vec::new()));
    assert_eq!(other.operations_matched, 0);
    assert_eq!(other.operations_unmatched, ["POST /v3/other"]);
}

#[test]
fn a_request_field_the_sdk_leaves_optional_is_relaxed_and_one_it_requires_tightened() {
    let mut docs = [document(
        vec![
            Field::new("transaction_id", Type::String),
            Field::optional("user_name", Type::String),
            Field::new("out_refund_no", Type::String),
        ],
        Vec::new(),
    )];
    let report = merge(
        &mut docs,
        &facts(
            "/v3/demo/{out_no}",
            vec![
                fact("body", "transaction_id", false, Kind::String),
                fact("body", "user_name", true, Kind::String),
                fact("body", "out_refund_no", true, Kind::String),
            ],
            Vec::new(),
        ),
    );
    let fields = request(&docs[0]);
    assert!(fields[0].optional);
    assert_eq!(fields[0].official_sdk, [Change::Optional]);
    assert!(!fields[1].optional);
    assert_eq!(fields[1].official_sdk, [Change::Required]);
    assert!(!fields[2].optional && fields[2].official_sdk.is_empty());
    assert_eq!((report.request_relaxed, report.request_tightened), (1, 1));
}

#[test]
fn missing_fields_are_added_with_their_shape_at_any_depth() {
    let mut docs = [document(
        vec![Field::new("amount", Type::Object { fields: Vec::new() })],
        vec![Field::new("status", Type::String)],
    )];
    let report = merge(
        &mut docs,
        &facts(
            "/v3/demo/{out_no}",
            vec![
                fact(
                    "body",
                    "amount.from",
                    false,
                    Kind::Array {
                        items: Box::new(Kind::Object),
                    },
                ),
                fact(
                    "body",
                    "amount.from.account",
                    true,
                    Kind::Enum {
                        values: vec!["AVAILABLE".into()],
                    },
                ),
                fact("body", "settle_info", false, Kind::Object),
                fact("body", "settle_info.profit_sharing", false, Kind::Boolean),
            ],
            vec![fact("response", "promotion_detail", false, Kind::Any)],
        ),
    );
    let fields = request(&docs[0]);
    let Type::Object { fields: amount } = &fields[0].ty else {
        panic!("object")
    };
    assert_eq!(amount[0].name, "from");
    assert!(amount[0].optional);
    assert_eq!(amount[0].official_sdk, [Change::Added]);
    let Type::Array { items } = &amount[0].ty else {
        panic!("list")
    };
    let Type::Object { fields: from } = items.as_ref() else {
        panic!("list of objects")
    };
    assert_eq!(
        from[0],
        Field {
            official_sdk: vec![Change::Added],
            ..Field::new(
                "account",
                Type::Enum {
                    values: vec!["AVAILABLE".into()]
                }
            )
        }
    );
    assert_eq!(fields[1].name, "settle_info");
    let Type::Object { fields: settle } = &fields[1].ty else {
        panic!("object")
    };
    assert_eq!(settle[0].ty, Type::Boolean);
    let added = &response(&docs[0])[1];
    assert_eq!(
        (added.name.as_str(), &added.ty),
        ("promotion_detail", &Type::Json)
    );
    assert_eq!((report.request_added, report.response_added), (4, 1));
}

#[test]
fn the_sdk_shape_wins_and_its_enum_values_join() {
    let mut docs = [document(
        vec![Field::new(
            "kind",
            Type::Enum {
                values: vec!["A".into()],
            },
        )],
        vec![
            Field::new("count", Type::String),
            Field::new("detail", Type::String),
            Field::new("created", Type::DateTime),
            Field::new("id", Type::StringOrNumber),
            Field::new(
                "list",
                Type::Array {
                    items: Box::new(Type::Json),
                },
            ),
        ],
    )];
    let report = merge(
        &mut docs,
        &facts(
            "/v3/demo/{out_no}",
            vec![fact(
                "body",
                "kind",
                true,
                Kind::Enum {
                    values: vec!["A".into(), "B".into()],
                },
            )],
            vec![
                fact("response", "count", false, Kind::Integer),
                fact("response", "detail", false, Kind::Object),
                fact("response", "detail.code", false, Kind::String),
                fact("response", "created", false, Kind::String),
                fact("response", "id", false, Kind::Integer),
                fact(
                    "response",
                    "list",
                    false,
                    Kind::Array {
                        items: Box::new(Kind::Object),
                    },
                ),
            ],
        ),
    );
    assert_eq!(
        request(&docs[0])[0].ty,
        Type::Enum {
            values: vec!["A".into(), "B".into()]
        }
    );
    assert_eq!(request(&docs[0])[0].official_sdk, [Change::Values]);
    let fields = response(&docs[0]);
    assert_eq!(fields[0].ty, Type::Integer);
    assert_eq!(fields[0].official_sdk, [Change::Retyped]);
    assert_eq!(
        fields[1].ty,
        Type::Object {
            fields: vec![Field {
                optional: true,
                official_sdk: vec![Change::Added],
                ..Field::new("code", Type::String)
            }]
        }
    );
    // A date-time is a string, and `string | number` agrees with an integer: unchanged.
    assert_eq!(fields[2].ty, Type::DateTime);
    assert_eq!(fields[3].ty, Type::StringOrNumber);
    // Any JSON value is refined to the SDK's shape.
    assert_eq!(
        fields[4].ty,
        Type::Array {
            items: Box::new(Type::Object { fields: Vec::new() })
        }
    );
    assert_eq!(
        (
            report.response_retyped,
            report.values_joined,
            report.response_added
        ),
        (3, 1, 1)
    );
}

#[test]
fn encrypted_fields_are_sensitive_and_calls_sharing_a_path_combine() {
    let mut docs = [document(vec![Field::new("name", Type::String)], Vec::new())];
    let mut sdk = facts(
        "/v3/demo/{out_no}",
        vec![FactField {
            encrypted: true,
            ..fact("body", "name", true, Kind::String)
        }],
        Vec::new(),
    );
    // A second call on the same path leaves the field optional: optional wins.
    let mut other = sdk.operations[0].clone();
    other.fields[0].required = false;
    other.fields[0].encrypted = false;
    sdk.operations.push(other);
    let report = merge(&mut docs, &sdk);
    let name = &request(&docs[0])[0];
    assert!(name.sensitive && name.optional);
    assert_eq!(name.official_sdk, [Change::Optional, Change::Sensitive]);
    assert_eq!(report.sensitive, 1);
    assert_eq!(report.operations_matched, 1);
    assert!(report.to_string().contains("1 marked sensitive"), "{report}");
}
