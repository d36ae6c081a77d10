//! Unit tests of the emission of one operation.

use super::*;
use crate::ir::{Field, HttpMethod};

use crate::emit::test_support::{field, operation};

/// The function as pretty-printed source.
fn source(op: &Operation) -> (String, Signature) {
    let mut space = crate::emit::types::TypeSpace::default();
    space.sensitive = Settings::wechatpay().runtime(Runtime::Sensitive);
    let naming = super::Naming {
        function: op.method.lower(),
        prefix: &crate::emit::names::pascal(op.method.lower()),
        aliases: &[],
    };
    let (tokens, signature) = emit(
        op,
        naming,
        &mut space.module(vec!["v3".into(), "demo".into()], "demo"),
        &Settings::wechatpay(),
    );
    let file: syn::File = syn::parse2(tokens).expect("valid Rust");
    (prettyplease::unparse(&file), signature)
}

fn serial() -> Field {
    field("Wechatpay-Serial", Type::String)
}

#[test]
fn a_sensitive_json_body_is_built_last_by_a_closure_given_the_encryptor() {
    let mut op = operation(HttpMethod::Post, "/v3/demo/{kind}/people");
    op.path_params = vec![field(
        "kind",
        Type::Enum {
            values: vec!["A".into(), "B".into()],
        },
    )];
    op.query = vec![field("mchid", Type::String)];
    op.headers = vec![serial(), field("Idempotency-Key", Type::String)];
    op.request = RequestBody::Json {
        fields: vec![field("name", Type::String)],
    };
    let (code, signature) = source(&op);
    assert_eq!(
        signature.args,
        [
            Arg::PathEnum {
                wire: "kind".into(),
                ty: "PostKind".into()
            },
            Arg::Query {
                ty: "PostQuery".into()
            },
            Arg::Header {
                wire: "Idempotency-Key".into(),
                optional: false
            },
            Arg::Encrypted {
                payload: Payload::Body,
                ty: "PostRequest".into()
            },
        ]
    );
    assert!(signature.sensitive);
    assert!(code.contains("pub async fn post<F>("), "{code}");
    assert!(
        code.contains("kind: &PostKind,\n    query: &PostQuery,\n    idempotency_key: &str,\n    body: F,\n"),
        "{code}"
    );
    assert!(
        code.contains("F: ::std::ops::FnOnce(\n        &crate::Encryptor,\n    ) -> ::std::result::Result<PostRequest, crate::Error>,"),
        "{code}"
    );
    // The encryptor is obtained once, builds the body, and names its key in the header.
    let encryptor = code
        .find("let encryptor = client.encryptor().await?;")
        .expect("obtained");
    let body = code.find("let body = body(&encryptor)?;").expect("built");
    assert!(encryptor < body);
    assert!(code.contains(".json(&body)?"), "{code}");
    assert!(
        code.ends_with(".encrypted_with(&encryptor);\n    client.json(op).await\n}\n"),
        "{code}"
    );
    assert!(
        !code.contains("wechatpay_serial"),
        "the serial is never an argument: {code}"
    );
    assert!(code.contains("/// # Sensitive fields"), "{code}");
    assert!(
        code.contains("let response = post(&client, /* … */ |encryptor| Ok(PostRequest {"),
        "{code}"
    );
}

#[test]
fn known_sensitive_fields_are_plaintext_the_call_seals_without_a_closure() {
    let mut op = operation(HttpMethod::Post, "/v3/demo/transfers");
    op.headers = vec![serial()];
    let name = Field {
        sensitive: true,
        ..field("user_name", Type::String)
    };
    op.request = RequestBody::Json {
        fields: vec![
            field("batch", Type::String),
            field(
                "details",
                Type::Array {
                    items: Box::new(Type::Object { fields: vec![name] }),
                },
            ),
        ],
    };
    let mut space = crate::emit::types::TypeSpace::default();
    space.sensitive = Settings::wechatpay().runtime(Runtime::Sensitive);
    let naming = super::Naming {
        function: "post",
        prefix: "Post",
        aliases: &[],
    };
    let (tokens, signature) = emit(
        &op,
        naming,
        &mut space.module(vec!["v3".into(), "demo".into()], "demo"),
        &Settings::wechatpay(),
    );
    let defs = space.emit(&space.names());
    let file: syn::File = syn::parse2(quote!(#tokens #defs)).expect("valid Rust");
    let code = prettyplease::unparse(&file);
    assert_eq!(
        signature.args,
        [Arg::Body {
            ty: "PostRequest".into()
        }]
    );
    assert!(signature.sensitive);
    assert!(code.contains("body: &PostRequest,"), "{code}");
    assert!(
        code.contains(".json_sealed(body, &encryptor)?\n        .encrypted_with(&encryptor);"),
        "{code}"
    );
    assert!(code.contains("pub user_name: crate::Sensitive,"), "{code}");
    assert!(
        code.contains("/// `details.user_name` is personal data"),
        "{code}"
    );
    assert!(!code.contains("FnOnce"), "no closure: {code}");
}

#[test]
fn without_a_json_body_the_closure_builds_the_query() {
    let mut op = operation(HttpMethod::Get, "/v3/demo/people");
    op.query = vec![field("mobile", Type::String)];
    op.headers = vec![serial()];
    let (code, signature) = source(&op);
    assert_eq!(
        signature.args,
        [Arg::Encrypted {
            payload: Payload::Query,
            ty: "GetQuery".into()
        }]
    );
    assert!(code.contains("query: F,"), "{code}");
    assert!(code.contains("let query = query(&encryptor)?;"), "{code}");
    assert!(
        code.contains(".query(&query)?\n        .encrypted_with(&encryptor);"),
        "{code}"
    );
    assert!(
        code.contains("let response = get(&client, |encryptor| Ok(GetQuery {"),
        "{code}"
    );
}

#[test]
fn with_nothing_to_build_the_serial_is_still_bound() {
    let mut op = operation(HttpMethod::Post, "/v3/demo/people");
    op.headers = vec![serial()];
    op.request = RequestBody::Multipart;
    let (code, signature) = source(&op);
    assert_eq!(signature.args, [Arg::Upload]);
    assert!(signature.sensitive);
    assert!(code.contains("pub async fn post(\n"), "no closure: {code}");
    assert!(
        code.contains("let encryptor = client.encryptor().await?;"),
        "{code}"
    );
    assert!(
        code.contains(".multipart(upload)\n        .encrypted_with(&encryptor);"),
        "{code}"
    );
}

#[test]
fn other_operations_take_their_payload_by_reference_and_never_encrypt() {
    let mut op = operation(HttpMethod::Post, "/v3/demo/{id}/{level}");
    op.path_params = vec![
        field("id", Type::Integer),
        field("level", Type::IntegerEnum { values: vec![1, 2] }),
    ];
    op.headers = vec![Field {
        optional: true,
        ..field("Idempotency-Key", Type::String)
    }];
    op.request = RequestBody::Json {
        fields: vec![field("name", Type::String)],
    };
    op.response = ResponseBody::Binary;
    let (code, signature) = source(&op);
    assert_eq!(
        signature,
        Signature {
            function: "post".into(),
            args: vec![
                Arg::PathInteger { wire: "id".into() },
                Arg::PathIntegerEnum {
                    wire: "level".into(),
                    ty: "PostLevel".into()
                },
                Arg::Header {
                    wire: "Idempotency-Key".into(),
                    optional: true
                },
                Arg::Body {
                    ty: "PostRequest".into()
                },
            ],
            sensitive: false,
            download: true,
            xml: false,
        }
    );
    assert!(code.contains("body: &PostRequest,"), "{code}");
    assert!(!code.contains("encrypt"), "{code}");
}

#[test]
fn the_signature_names_the_types_the_type_space_chose() {
    // A path parameter named `query` takes the name `GetQuery` first; the query struct
    // then becomes `GetQuery2`, and the signature says so.
    let mut op = operation(HttpMethod::Get, "/v3/demo/{query}");
    op.path_params = vec![field(
        "query",
        Type::Enum {
            values: vec!["X".into()],
        },
    )];
    op.query = vec![field("limit", Type::Integer)];
    let (code, signature) = source(&op);
    assert_eq!(
        signature.args,
        [
            Arg::PathEnum {
                wire: "query".into(),
                ty: "GetQuery".into()
            },
            Arg::Query {
                ty: "GetQuery2".into()
            },
        ]
    );
    assert!(
        code.contains("query_: &GetQuery,\n    query: &GetQuery2,"),
        "{code}"
    );
}
