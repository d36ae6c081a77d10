//! What a second front-end needs of the IR and the type space: named types (each its own
//! definition under its own name, a reference to itself boxed), exact decimals, nullable
//! members, and operation ids that survive the model's YAML.

use codegen::emit::wechatpay_crate;
use codegen::ir::{Document, Field, HttpMethod, NamedType, Operation, RequestBody, ResponseBody, Type};
use codegen::model::{document_from_yaml, to_yaml};

fn named(name: &str) -> Type {
    Type::Named {
        name: name.to_owned(),
    }
}

fn nullable(mut field: Field) -> Field {
    field.nullable = true;
    field
}

/// A plan whose cycles refer to each other, an item priced as a decimal, and an enum, all
/// named, the way an OpenAPI document's `components.schemas` declare them.
fn document() -> Document {
    let cycle = NamedType {
        name: "Cycle".to_owned(),
        summary: None,
        ty: Type::Object {
            fields: vec![
                Field::new("id", Type::String),
                Field::new("state", named("CycleState")),
                Field::optional("billing_amount", Type::Decimal),
                nullable(Field::optional("previous_cycle", named("Cycle"))),
            ],
        },
    };
    let state = NamedType {
        name: "CycleState".to_owned(),
        summary: None,
        ty: Type::Enum {
            values: vec!["open".to_owned(), "cancelled".to_owned()],
        },
    };
    let cycle_in = NamedType {
        name: "CycleIn".to_owned(),
        summary: None,
        ty: Type::Object {
            fields: vec![
                nullable(Field::new("billing_count", Type::Integer)),
                Field::new("discount_amount", Type::Decimal),
                Field::optional("description", Type::String),
            ],
        },
    };
    // Same shape as `CycleIn`, another name: still its own type.
    let cycle_copy = NamedType {
        name: "CycleDraft".to_owned(),
        ty: cycle_in.ty.clone(),
        ..cycle_in.clone()
    };
    let mut create = Operation::new(HttpMethod::Post, "/v3/demo/plans");
    create.operation_id = Some("create_plan".to_owned());
    create.request = RequestBody::Json {
        fields: vec![
            Field::new(
                "recurring_cycles",
                Type::Array {
                    items: Box::new(named("CycleIn")),
                },
            ),
            Field::optional("draft", named("CycleDraft")),
        ],
    };
    create.response = ResponseBody::Json {
        fields: vec![Field::new(
            "cycles",
            Type::Array {
                items: Box::new(named("Cycle")),
            },
        )],
    };
    Document {
        moved_to: None,
        source: "demo/openapi.yaml".to_owned(),
        title: None,
        operations: vec![create],
        types: vec![cycle, state, cycle_in, cycle_copy],
        events: Vec::new(),
    }
}

fn types_rs(docs: &[Document]) -> String {
    let files = wechatpay_crate(docs).expect("emits");
    files
        .into_iter()
        .find(|f| f.path == "src/types.rs")
        .expect("types.rs")
        .contents
}

/// The item of `types.rs` that starts with `start`, up to the next blank line at column 0.
fn item<'a>(types: &'a str, start: &str) -> &'a str {
    let at = types
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` in:\n{types}"));
    let rest = &types[at..];
    &rest[..rest.find("\n}\n").map_or(rest.len(), |end| end + 2)]
}

#[test]
fn named_types_keep_their_names_and_a_reference_to_itself_is_boxed() {
    let types = types_rs(&[document()]);
    let cycle = item(&types, "pub struct Cycle {");
    assert!(
        cycle.contains("pub previous_cycle: ::std::option::Option<::std::boxed::Box<Cycle>>"),
        "{cycle}"
    );
    assert!(
        cycle.contains("pub state: ::std::option::Option<CycleState>"),
        "{cycle}"
    );
    assert!(types.contains("pub enum CycleState {"), "{types}");
    // Two names of one shape are two types.
    assert!(types.contains("pub struct CycleIn {"), "{types}");
    assert!(types.contains("pub struct CycleDraft {"), "{types}");
}

#[test]
fn decimals_are_exact_and_a_required_nullable_member_is_sent_as_null() {
    let types = types_rs(&[document()]);
    let cycle_in = item(&types, "pub struct CycleIn {");
    assert!(
        cycle_in.contains("pub discount_amount: crate::Decimal,"),
        "{cycle_in}"
    );
    // Required and nullable: an `Option` that is always serialized (no `skip_serializing_if`).
    let billing = cycle_in
        .split("pub billing_count")
        .next()
        .and_then(|before| before.rsplit("///").next())
        .expect("attributes of billing_count");
    assert!(!billing.contains("skip_serializing_if"), "{cycle_in}");
    assert!(
        cycle_in.contains("pub billing_count: ::std::option::Option<i64>,"),
        "{cycle_in}"
    );
    // … and a constructor argument: `None` is a choice the caller makes, not a default.
    assert!(
        types
            .contains("billing_count: ::std::option::Option<i64>,\n        discount_amount: crate::Decimal,")
            || types.contains("pub fn new(\n        billing_count: ::std::option::Option<i64>,"),
        "{types}"
    );
    assert!(!cycle_in.contains("::std::default::Default"), "{cycle_in}");
}

#[test]
fn a_reference_to_an_undefined_name_is_an_error_naming_the_document() {
    let mut doc = document();
    doc.types.retain(|t| t.name != "CycleState");
    let err = wechatpay_crate(&[doc]).expect_err("an undefined name");
    assert!(err.to_string().contains("demo/openapi.yaml"), "{err}");
    assert!(err.to_string().contains("`CycleState`"), "{err}");
}

#[test]
fn two_documents_may_not_define_one_name_differently() {
    let first = document();
    let mut second = document();
    second.source = "demo/other.yaml".to_owned();
    second.operations[0].path = "/v3/demo/others".to_owned();
    if let Some(state) = second.types.iter_mut().find(|t| t.name == "CycleState") {
        state.ty = Type::String;
    }
    let err = wechatpay_crate(&[first, second]).expect_err("a clash");
    assert!(err.to_string().contains("`CycleState`"), "{err}");
}

#[test]
fn the_new_facts_survive_the_model_yaml() {
    let doc = document();
    let yaml = to_yaml(&doc);
    assert!(yaml.contains("operation_id: create_plan"), "{yaml}");
    assert!(yaml.contains("type: decimal"), "{yaml}");
    assert!(yaml.contains("nullable: true"), "{yaml}");
    assert!(yaml.contains("type: named\n        ref: CycleIn"), "{yaml}");
    assert_eq!(document_from_yaml(&yaml).expect("reads back"), doc);
}

#[test]
fn bodies_given_as_types_take_and_return_the_named_types() {
    use codegen::ir::Envelope;
    let mut doc = document();
    let mut list = Operation::new(HttpMethod::Get, "/v3/demo/cycles");
    list.operation_id = Some("list_cycles".to_owned());
    list.response = ResponseBody::Value {
        ty: Type::Array {
            items: Box::new(named("Cycle")),
        },
    };
    list.envelope = Some(Envelope {
        code: "code".to_owned(),
        message: "message".to_owned(),
        data: "data".to_owned(),
        success: 0,
    });
    let mut add = Operation::new(HttpMethod::Put, "/v3/demo/cycles/add");
    add.request = RequestBody::Value { ty: named("CycleIn") };
    add.response = ResponseBody::Value { ty: named("Cycle") };
    doc.operations.extend([list.clone(), add]);
    let files = wechatpay_crate(std::slice::from_ref(&doc)).expect("emits");
    let module = files
        .iter()
        .find(|f| f.path == "src/v3/demo.rs")
        .expect("the demo module")
        .contents
        .clone();
    assert!(
        module.contains("::std::result::Result<::std::vec::Vec<Cycle>, crate::Error>"),
        "{module}"
    );
    assert!(module.contains("body: &CycleIn,"), "{module}");
    assert!(
        module.contains("::std::result::Result<Cycle, crate::Error>"),
        "{module}"
    );
    // The envelope is a fact of the model.
    let yaml = to_yaml(&doc);
    assert!(yaml.contains("envelope:\n    code: code"), "{yaml}");
    assert_eq!(document_from_yaml(&yaml).expect("reads back").operations[1], list);
}
