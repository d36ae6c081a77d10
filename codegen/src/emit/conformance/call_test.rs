//! `tests/call/cases.rs`: the generated test of `call` against the mock server.

use proc_macro2::TokenStream;
use quote::quote;

use super::{operation_name, sample};
use crate::emit::operation::{Arg, Payload};
use crate::emit::{Conformance, EmitError, Located};
use crate::ir::{RequestBody, Type};

/// The plaintext the generated test encrypts (not ASCII, as names usually are not).
const PLAINTEXT: &str = "张三";

/// `tests/call/cases.rs`: `call` against the API's mock server (`wechatpay-mock`, set up as
/// `conformance` says): every operation is dispatched to its own route or names the input it
/// misses, `encrypt` is refused where there is nothing to encrypt, and, for one operation with a
/// sensitive JSON body, the string at the pointer arrives encrypted for the key
/// `Wechatpay-Serial` names. `package` is the conformance crate's library name.
///
/// # Errors
/// When [`Conformance::test_setup`] is not Rust tokens.
pub(super) fn test_rs(
    located: &[Located],
    package: &str,
    conformance: &Conformance,
) -> Result<TokenStream, EmitError> {
    let setup: TokenStream = conformance.test_setup.parse().map_err(|e| EmitError {
        message: format!("the conformance test setup is not Rust: {e}"),
    })?;
    let module_doc = crate::emit::types::docs(
        &format!(
            "`call` against {}: each operation reaches its own route or\n\
             names the input it misses, `encrypt` is refused where there is nothing to encrypt,\n\
             and sensitive fields arrive encrypted for the key `Wechatpay-Serial` names.",
            conformance.mock_name
        ),
        true,
    );
    let package = crate::emit::types::ident(package);
    let mut sorted: Vec<&Located> = located.iter().collect();
    sorted.sort_by_key(|l| operation_name(l));
    let count = proc_macro2::Literal::usize_unsuffixed(sorted.len());
    let encrypted: Vec<String> = sorted
        .iter()
        .filter(|l| {
            l.signature
                .args
                .iter()
                .any(|a| matches!(a, Arg::Encrypted { .. }))
        })
        .map(|l| operation_name(l))
        .collect();
    let other_host: Vec<String> = sorted
        .iter()
        .filter(|l| l.op.base_url.is_some())
        .map(|l| operation_name(l))
        .collect();
    // The operation with the smallest sample body, to keep the test readable.
    let encryption_test = sorted
        .iter()
        .filter_map(|l| encryption_test(l))
        .min_by_key(|(size, _)| *size)
        .map(|(_, test)| test);
    let filter_test = sorted.iter().find_map(|l| filter_test(l));
    Ok(quote! {
        #module_doc

        use ::sdk_runtime::ErrorKind;
        use ::serde_json::json;
        use ::#package::{OPERATIONS, call};

        /// Operations whose closure builds an encrypted payload.
        const ENCRYPTED: &[&str] = &[#(#encrypted,)*];

        /// Operations sent to a host of their own, never to the mock.
        const OTHER_HOST: &[&str] = &[#(#other_host,)*];

        #setup

        #[test]
        fn operations_are_every_operation_once_sorted() {
            assert_eq!(OPERATIONS.len(), #count);
            assert!(OPERATIONS.windows(2).all(|w| w[0] < w[1]));
            assert!(ENCRYPTED.iter().chain(OTHER_HOST).all(|o| OPERATIONS.contains(o)));
        }

        #[tokio::test]
        async fn an_unknown_operation_is_a_build_error_and_sends_nothing() {
            let (server, client) = setup();
            let err = call(&client, "GET /v3/no/such/operation", &json!({}))
                .await
                .expect_err("unknown");
            assert_eq!(err.kind(), ErrorKind::Build);
            assert!(err.to_string().contains("unknown operation `GET /v3/no/such/operation`"), "{err}");
            assert!(server.requests().is_empty());
        }

        #[tokio::test]
        async fn every_operation_reaches_its_own_route_or_names_the_input_it_misses() {
            let (server, client) = setup();
            let mut reached = 0;
            for operation in OPERATIONS.iter().filter(|o| !OTHER_HOST.contains(o)) {
                server.clear_requests();
                let result = call(&client, operation, &json!({})).await;
                let sent = server.requests();
                match result {
                    Err(err) if err.kind() == ErrorKind::Build => {
                        assert!(err.to_string().contains(operation), "{operation}: {err}");
                        assert!(err.to_string().contains("input `"), "{operation}: {err}");
                        assert!(sent.is_empty(), "{operation}: sent despite {err}");
                    }
                    result => {
                        if let Err(err) = &result {
                            assert_eq!(err.kind(), ErrorKind::Api, "{operation}: {err}");
                        }
                        let (method, path) = operation.split_once(' ').expect("METHOD /path");
                        assert_eq!(sent.len(), 1, "{operation}");
                        assert_eq!(sent[0].method, method, "{operation}");
                        assert_eq!(sent[0].target.split('?').next(), Some(path), "{operation}");
                        assert!(sent[0].signature_verified, "{operation}");
                        reached += 1;
                    }
                }
            }
            assert!(reached > 0, "no operation could be called without input");
        }

        #[tokio::test]
        async fn encrypt_is_refused_where_no_payload_is_encrypted() {
            let (server, client) = setup();
            let input = json!({"encrypt": ["/no_such_field"]});
            let mut checked = 0;
            for operation in OPERATIONS.iter().filter(|o| !OTHER_HOST.contains(o)) {
                let err = call(&client, operation, &input).await.expect_err(operation);
                assert_eq!(err.kind(), ErrorKind::Build, "{operation}: {err}");
                let message = err.to_string();
                assert!(message.contains(operation), "{operation}: {message}");
                let refused = message.contains("input `encrypt` must be empty");
                assert_eq!(refused, !ENCRYPTED.contains(operation), "{operation}: {message}");
                if message.contains("input `encrypt` names `/no_such_field`") {
                    checked += 1;
                }
            }
            assert!(ENCRYPTED.is_empty() || checked > 0, "no pointer was looked up");
            assert!(server.requests().is_empty());
        }

        #encryption_test
        #filter_test
    })
}

/// For an operation whose closure builds a JSON body and that takes nothing else, with a required
/// top-level string field: a test that encrypts that field and checks what the mock received,
/// with the size of its sample body.
fn encryption_test(l: &Located) -> Option<(usize, TokenStream)> {
    let [
        Arg::Encrypted {
            payload: Payload::Body,
            ..
        },
    ] = l.signature.args.as_slice()
    else {
        return None;
    };
    if l.op.base_url.is_some() {
        return None;
    }
    let RequestBody::Json { fields } = &l.op.request else {
        return None;
    };
    let field = fields.iter().find(|f| !f.optional && f.ty == Type::String)?;
    let operation = operation_name(l);
    let body = sample(&Type::Object {
        fields: fields.clone(),
    });
    let pointer = format!("/{}", field.name.replace('~', "~0").replace('/', "~1"));
    let size = body.len();
    let test = quote! {
        #[tokio::test]
        async fn sensitive_fields_arrive_encrypted_for_the_key_the_serial_names() {
            const OPERATION: &str = #operation;
            let (server, client) = setup();
            let mut body: ::serde_json::Value = ::serde_json::from_str(#body).expect("sample body");
            *body.pointer_mut(#pointer).expect("field") = json!(#PLAINTEXT);
            let input = json!({"body": body, "encrypt": [#pointer]});
            let _ = call(&client, OPERATION, &input).await;
            let sent = server.requests();
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].header("Wechatpay-Serial"), Some(::wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID));
            let received = sent[0].body_json().expect("JSON body");
            let ciphertext = received.pointer(#pointer).and_then(|v| v.as_str()).expect("a string");
            assert_ne!(ciphertext, #PLAINTEXT);
            let platform = ::sdk_runtime::wechatpay::PrivateKey::from_pem(&key("platform.pem")).expect("platform key");
            assert_eq!(platform.decrypt_oaep_base64(ciphertext).expect("decrypts"), #PLAINTEXT);
            // Every other field is sent as given.
            *body.pointer_mut(#pointer).expect("field") = json!(ciphertext);
            assert_eq!(received, body);
        }
    };
    Some((size, test))
}

/// For the first operation with a list filter over named fields and no path parameter: a test
/// that a `filter[field][operator]` query member arrives as that filter, form-encoded as the
/// runtime sends it, and that a field the operation does not filter on is refused unsent.
fn filter_test(l: &Located) -> Option<TokenStream> {
    let filter = l.op.filter.as_ref()?;
    let field = filter.fields.first()?;
    if l.signature.args.iter().any(|a| {
        matches!(
            a,
            Arg::PathStr { .. }
                | Arg::PathInteger { .. }
                | Arg::PathEnum { .. }
                | Arg::PathIntegerEnum { .. }
        )
    }) {
        return None;
    }
    let operation = operation_name(l);
    let member = format!("{}[{field}][_eq]", filter.name);
    let sent = format!("{}%5B{field}%5D%5B_eq%5D=Gold+1", filter.name);
    let unknown = format!("{}[no_such_field][_eq]", filter.name);
    Some(quote! {
        #[tokio::test]
        async fn a_filter_query_member_arrives_as_the_operations_filter() {
            const OPERATION: &str = #operation;
            let (server, client) = setup();
            let input = json!({"query": {#member: "Gold 1"}});
            let _ = call(&client, OPERATION, &input).await;
            let sent = server.requests();
            assert_eq!(sent.len(), 1);
            assert!(sent[0].target.contains(#sent), "{}", sent[0].target);
            assert!(sent[0].signature_verified);

            server.clear_requests();
            let input = json!({"query": {#unknown: "x"}});
            let err = call(&client, OPERATION, &input).await.expect_err("an unknown field");
            assert_eq!(err.kind(), ErrorKind::Build);
            assert!(err.to_string().contains(#unknown), "{err}");
            let input = json!({"query": {#member: {"nested": true}}});
            let err = call(&client, OPERATION, &input).await.expect_err("an object value");
            assert!(err.to_string().contains("is not text, a number or a boolean"), "{err}");
            assert!(server.requests().is_empty());
        }
    })
}
