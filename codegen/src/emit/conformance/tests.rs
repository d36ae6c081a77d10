use crate::emit::crates;
use crate::ir::{Document, Field, HttpMethod, Operation, RequestBody, ResponseBody, Type};

use crate::emit::test_support::{field, operation};

/// The conformance crate for these operations: path → contents.
fn conformance(operations: Vec<Operation>) -> std::collections::BTreeMap<String, String> {
    let doc = Document {
        moved_to: None,
        types: Vec::new(),
        events: Vec::new(),
        source: "demo.md".into(),
        title: None,
        operations,
    };
    crates(&[doc], &crate::emit::Settings::wechatpay())
        .expect("emits")
        .conformance
        .expect("the WeChat Pay settings ask for a conformance crate")
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

fn demo_operations() -> Vec<Operation> {
    let mut by_query = operation(HttpMethod::Get, "/v3/demo/{query}");
    by_query.path_params = vec![field(
        "query",
        Type::Enum {
            values: vec!["X".into()],
        },
    )];
    by_query.query = vec![field("limit", Type::Integer)];
    let mut sensitive = operation(HttpMethod::Post, "/v3/demo/a-b");
    sensitive.headers = vec![field("Wechatpay-Serial", Type::String)];
    sensitive.request = RequestBody::Json {
        fields: vec![field("name", Type::String)],
    };
    let mut nested = operation(HttpMethod::Post, "/v3/demo/a/b");
    nested.path_params = Vec::new();
    nested.headers = vec![Field {
        optional: true,
        ..field("Idempotency-Key", Type::String)
    }];
    nested.request = RequestBody::Multipart;
    nested.response = ResponseBody::Binary;
    let mut fapiao = operation(HttpMethod::Get, "/invoicing/fapiao/{id}");
    fapiao.path_params = vec![field("id", Type::StringOrNumber)];
    fapiao.deprecated = Some("since 2020".into());
    vec![by_query, sensitive, nested, fapiao]
}

/// `code` without whitespace, and without the trailing commas line breaking adds.
fn flat(code: &str) -> String {
    code.split_whitespace()
        .collect::<String>()
        .replace(",>", ">")
        .replace(",)", ")")
        .replace(",]", "]")
}

/// The item of `file` that starts with `start`, up to the next top-level item.
fn item<'a>(file: &'a str, start: &str) -> &'a str {
    let from = file.find(start).unwrap_or_else(|| panic!("{start}\n{file}"));
    let rest = &file[from..];
    &rest[..rest.find("\n}\n").map_or(rest.len(), |end| end + 2)]
}

#[test]
fn lists_every_operation_sorted_and_dispatches_each_to_its_own_caller() {
    let files = conformance(demo_operations());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "Cargo.toml",
            "src/invoicing.rs",
            "src/lib.rs",
            "src/support.rs",
            "src/v3/demo.rs",
            "src/v3/mod.rs",
            "tests/call/cases.rs",
            "tests/call/main.rs",
        ]
    );
    let lib = &files["src/lib.rs"];
    assert!(
        flat(lib).contains(&flat(
            r#"pub const OPERATIONS: &[&str] = &["GET /invoicing/fapiao/{id}", "GET /v3/demo/{query}",
               "POST /v3/demo/a-b", "POST /v3/demo/a/b"];"#
        )),
        "{lib}"
    );
    // `a/b` and `a-b` would both be `post_a_b`: the second one met gets its own name.
    for arm in [
        r#""GET /invoicing/fapiao/{id}" => invoicing::get_fapiao_by_id(client, input),"#,
        r#""GET /v3/demo/{query}" => v3::demo::get_by_query(client, input),"#,
        r#""POST /v3/demo/a-b" => v3::demo::post_a_b2(client, input),"#,
        r#""POST /v3/demo/a/b" => v3::demo::post_a_b(client, input),"#,
    ] {
        assert!(flat(lib).contains(&flat(arm)), "{arm}\n{lib}");
    }
    assert!(lib.contains("#![allow(deprecated)]"), "{lib}");
    assert!(
        lib.contains("#[rustfmt::skip]\npub(crate) mod invoicing;"),
        "{lib}"
    );
    assert!(lib.contains("#[rustfmt::skip]\nmod v3;"), "{lib}");
    assert!(files["src/v3/mod.rs"].contains("#[rustfmt::skip]\npub(crate) mod demo;"));
}

#[test]
fn callers_pass_arguments_of_the_exact_types_the_sdk_declares() {
    let files = conformance(demo_operations());
    let demo = &files["src/v3/demo.rs"];
    // The path enum took `GetQuery`, so the query struct is `GetQuery2`.
    let by_query = flat(item(demo, "pub(crate) fn get_by_query<'a>("));
    assert!(
        by_query.contains(&flat(
            r#"::wechatpay_typed::v3::demo::by_query::get(
                client,
                &crate::support::path_value::<::wechatpay_typed::v3::demo::by_query::GetQuery>(OPERATION, input, "query")?,
                &crate::support::payload::<::wechatpay_typed::v3::demo::by_query::GetQuery2>(OPERATION, input, "query")?,
            ).await?;"#
        )),
        "{by_query}"
    );
    // The sensitive operation builds its body in the closure, from `encrypt`.
    let sensitive = flat(item(demo, "pub(crate) fn post_a_b2<'a>("));
    assert!(
        sensitive.contains(&flat(
            r#"::wechatpay_typed::v3::demo::a_b::post(
                client,
                |encryptor| crate::support::encrypted::<::wechatpay_typed::v3::demo::a_b::PostRequest>(
                    OPERATION, input, "body", encryptor),
            ).await?;"#
        )),
        "{sensitive}"
    );
    assert!(!sensitive.contains("support::plain"), "{sensitive}");
    // The others refuse `encrypt` first, then read headers, uploads and downloads.
    let nested = flat(item(demo, "pub(crate) fn post_a_b<'a>("));
    assert!(
        nested.contains(&flat(
            r#"const OPERATION: &str = "POST /v3/demo/a/b";
            crate::support::plain(OPERATION, input)?;
            let response = ::wechatpay_typed::v3::demo::a::b::post(
                client,
                crate::support::header_opt(OPERATION, input, "Idempotency-Key")?,
                &crate::support::upload(OPERATION, input)?,
            ).await?;
            ::std::result::Result::Ok(crate::Outcome::Download(::std::boxed::Box::new(response)))"#
        )),
        "{nested}"
    );
    let fapiao = flat(&files["src/invoicing.rs"]);
    assert!(
        fapiao.contains(&flat(
            r#"::wechatpay_typed::invoicing::fapiao::by_id::get(
                client, &crate::support::path_text(OPERATION, input, "id")?).await?;
            crate::support::json(OPERATION, &response)"#
        )),
        "{fapiao}"
    );
}

#[test]
fn the_generated_test_knows_which_operations_encrypt_and_encrypts_the_smallest_body() {
    let mut operations = demo_operations();
    let mut other_host = operation(HttpMethod::Get, "/v3/demo/file");
    other_host.base_url = Some("https://pay.example.invalid/".into());
    operations.push(other_host);
    let mut larger = operation(HttpMethod::Post, "/v3/demo/larger");
    larger.headers = vec![field("Wechatpay-Serial", Type::String)];
    larger.request = RequestBody::Json {
        fields: vec![field("id", Type::String), field("name", Type::String)],
    };
    operations.push(larger);
    let files = conformance(operations);
    let cases = flat(&files["tests/call/cases.rs"]);
    assert!(
        cases.contains(&flat(
            r#"const ENCRYPTED: &[&str] = &["POST /v3/demo/a-b", "POST /v3/demo/larger"];"#
        )),
        "{cases}"
    );
    assert!(
        cases.contains(&flat(r#"const OTHER_HOST: &[&str] = &["GET /v3/demo/file"];"#)),
        "{cases}"
    );
    assert!(cases.contains("OPERATIONS.len(),6);"), "{cases}");
    let encryption = flat(item(
        &files["tests/call/cases.rs"],
        "async fn sensitive_fields_arrive_encrypted_for_the_key_the_serial_names()",
    ));
    assert!(
        encryption.contains(&flat(r#"const OPERATION: &str = "POST /v3/demo/a-b";"#)),
        "{encryption}"
    );
    assert!(
        encryption.contains(&flat(r#"::serde_json::from_str("{\"name\": \"value\"}")"#)),
        "{encryption}"
    );
    assert!(
        encryption.contains(&flat(
            r#"let input = json!({ "body" : body, "encrypt" : ["/name"] });"#
        )),
        "{encryption}"
    );
    assert_eq!(
        files["tests/call/main.rs"].lines().skip(1).collect::<Vec<_>>(),
        [
            "//! `call` against the mock WeChat Pay server (the cases are generated).",
            "#[rustfmt::skip]",
            "mod cases;"
        ]
    );
}

#[test]
fn samples_hold_the_required_members_only_as_valid_json_text() {
    let ty = Type::Object {
        fields: vec![
            field(
                "kind",
                Type::Enum {
                    values: vec!["K\"1\\".into()],
                },
            ),
            Field {
                optional: true,
                ..field("note", Type::String)
            },
            field(
                "at",
                Type::Object {
                    fields: vec![
                        field("when", Type::DateTime),
                        field("n", Type::Integer),
                        field("level", Type::IntegerEnum { values: vec![3] }),
                        field(
                            "tags",
                            Type::Array {
                                items: Box::new(Type::String),
                            },
                        ),
                    ],
                },
            ),
            field("ok", Type::Boolean),
            field("amount", Type::StringOrNumber),
            field("extra", Type::Json),
            field("ctl\u{1}", Type::String),
        ],
    };
    assert_eq!(
        super::sample(&ty),
        r#"{"kind": "K\"1\\", "at": {"when": "2024-11-21T15:40:01+08:00", "n": 1, "level": 3, "tags": []}, "ok": false, "amount": "1", "extra": {}, "ctl\u0001": "value"}"#
    );
}

#[test]
fn the_manifest_depends_on_the_sdk_with_every_product() {
    let files = conformance(demo_operations());
    let manifest = &files["Cargo.toml"];
    assert!(
        manifest.starts_with("# @generated by `cargo xtask codegen`"),
        "{manifest}"
    );
    assert!(
        manifest.contains("name = \"wechatpay-typed-conformance\"\n"),
        "{manifest}"
    );
    assert!(manifest.contains("publish = false\n"), "{manifest}");
    assert!(
        manifest.contains("wechatpay-typed = { path = \"../wechatpay\", features = [\"full\"] }\n"),
        "{manifest}"
    );
}
