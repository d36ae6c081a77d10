//! The conformance crate, `generated/wechatpay-conformance`: a test-only crate that calls every
//! function of the generated SDK by its operation's name (`"POST /v3/profitsharing/receivers/add"`)
//! with arguments decoded from JSON, so one end-to-end test can drive every operation.
//!
//! It calls the functions through the [`Signature`]s the operation emitter returned, so the
//! argument order and the Rust type paths (path parameter enums, `…Query`, `…Request`) are the
//! ones the SDK has, never re-derived here. Layout: one file per product (`src/v3/pay.rs`) with
//! one caller per operation (a function returning its boxed future), `src/support.rs` with the
//! JSON conversions, `src/lib.rs` with `OPERATIONS`, `Outcome` and the `call` that dispatches on
//! the operation's name, and `tests/call/` that runs `call` against the mock server.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::names::{serde_name, unique};
use super::operation::{Arg, Payload, Signature};
use super::types::{docs, ident};
use super::{EmitError, GeneratedFile, HEADER, Located, render};
use crate::ir::{RequestBody, Type};

/// The crate's package name.
const PACKAGE: &str = "wechatpay-conformance";

/// The files of the conformance crate for the functions emitted into the SDK.
pub(super) fn crate_files(located: &[Located]) -> Result<Vec<GeneratedFile>, EmitError> {
    let mut products: BTreeMap<&[String], Vec<&Located>> = BTreeMap::new();
    for l in located {
        products.entry(l.product.as_slice()).or_default().push(l);
    }

    let mut files = Vec::new();
    // `"METHOD /path"` → the function of this crate that calls it.
    let mut arms: Vec<(String, TokenStream)> = Vec::new();
    // Root modules (`v3`) → the product modules under them; `""` holds the products that are
    // root modules themselves (`invoicing`).
    let mut roots: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (product, functions) in &products {
        let product_path: Vec<Ident> = product.iter().map(|m| ident(m)).collect();
        let mut names: Vec<String> = Vec::new();
        let mut items = Vec::new();
        for l in functions {
            let base = std::iter::once(l.signature.function.as_str())
                .chain(l.modules.iter().map(|m| serde_name(m)))
                .collect::<Vec<_>>()
                .join("_");
            let name = unique(&base, |n| names.iter().any(|x| x == n));
            names.push(name.clone());
            let fn_id = format_ident!("{name}");
            items.push(caller(l, &fn_id));
            arms.push((operation_name(l), quote!(#(#product_path::)*#fn_id)));
        }
        let doc = docs(
            &format!(
                "Callers of the operations of `wechatpay::{}`.",
                product.join("::")
            ),
            true,
        );
        files.push(GeneratedFile {
            path: format!(
                "src/{}.rs",
                product
                    .iter()
                    .map(|p| serde_name(p))
                    .collect::<Vec<_>>()
                    .join("/")
            ),
            contents: render(quote! {
                #doc
                #(#items)*
            })?,
        });
        match *product {
            [root, module] => roots.entry(root).or_default().push(module),
            [module] => roots.entry("").or_default().push(module),
            _ => {}
        }
    }

    let mut modules = Vec::new();
    for (root, children) in &roots {
        let decls: Vec<TokenStream> = children
            .iter()
            .map(|module| {
                let id = ident(module);
                quote! {
                    #[rustfmt::skip]
                    pub(crate) mod #id;
                }
            })
            .collect();
        if root.is_empty() {
            modules.extend(decls);
            continue;
        }
        let id = ident(root);
        modules.push(quote! {
            #[rustfmt::skip]
            mod #id;
        });
        let doc = docs(
            &format!("Callers of the operations under `/{}`.", serde_name(root)),
            true,
        );
        files.push(GeneratedFile {
            path: format!("src/{}/mod.rs", serde_name(root)),
            contents: render(quote! {
                #doc
                #(#decls)*
            })?,
        });
    }

    arms.sort_by(|a, b| a.0.cmp(&b.0));
    files.push(GeneratedFile {
        path: "src/lib.rs".to_owned(),
        contents: render(lib_rs(&modules, &arms))?,
    });
    files.push(GeneratedFile {
        path: "src/support.rs".to_owned(),
        contents: render(support_rs())?,
    });
    // The test target `call` is a directory, so its cases can sit in a module rustfmt skips.
    files.push(GeneratedFile {
        path: "tests/call/main.rs".to_owned(),
        contents: render(quote! {
            //! `call` against the mock WeChat Pay server (the cases are generated).
            #[rustfmt::skip]
            mod cases;
        })?,
    });
    files.push(GeneratedFile {
        path: "tests/call/cases.rs".to_owned(),
        contents: render(test_rs(located))?,
    });
    files.push(GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: cargo_toml(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// `"METHOD /path/template"`, exactly as the model spells the path.
fn operation_name(l: &Located) -> String {
    format!("{} {}", l.op.method.as_str(), l.op.path)
}

/// The function of this crate that calls one generated function with arguments read from `input`.
fn caller(l: &Located, name: &Ident) -> TokenStream {
    let operation = operation_name(l);
    let Signature {
        function,
        args,
        download,
        ..
    } = &l.signature;
    let module: Vec<Ident> = l.product.iter().chain(&l.modules).map(|m| ident(m)).collect();
    let sdk_type = |ty: &str| {
        let id = ident(ty);
        quote!(::wechatpay::#(#module::)*#id)
    };
    let values = args.iter().map(|arg| match arg {
        Arg::PathStr {
            wire,
            or_number: false,
        } => quote!(crate::support::path_str(OPERATION, input, #wire)?),
        Arg::PathStr {
            wire,
            or_number: true,
        } => quote!(&crate::support::path_text(OPERATION, input, #wire)?),
        Arg::PathInteger { wire } => quote!(crate::support::path_i64(OPERATION, input, #wire)?),
        Arg::PathEnum { wire, ty } => {
            let ty = sdk_type(ty);
            quote!(&crate::support::path_value::<#ty>(OPERATION, input, #wire)?)
        }
        Arg::PathIntegerEnum { wire, ty } => {
            let ty = sdk_type(ty);
            quote!(crate::support::path_value::<#ty>(OPERATION, input, #wire)?)
        }
        Arg::Query { ty } => {
            let ty = sdk_type(ty);
            quote!(&crate::support::payload::<#ty>(OPERATION, input, "query")?)
        }
        Arg::Header {
            wire,
            optional: false,
        } => quote!(crate::support::header(OPERATION, input, #wire)?),
        Arg::Header { wire, optional: true } => {
            quote!(crate::support::header_opt(OPERATION, input, #wire)?)
        }
        Arg::Body { ty } => {
            let ty = sdk_type(ty);
            quote!(&crate::support::payload::<#ty>(OPERATION, input, "body")?)
        }
        Arg::Upload => quote!(&crate::support::upload(OPERATION, input)?),
        Arg::Encrypted { payload, ty } => {
            let ty = sdk_type(ty);
            let part = payload_part(*payload);
            quote! {
                |encryptor| crate::support::encrypted::<#ty>(OPERATION, input, #part, encryptor)
            }
        }
    });
    // Without a closure there is nothing to encrypt fields of: `encrypt` must be empty.
    let plain = (!args.iter().any(|a| matches!(a, Arg::Encrypted { .. })))
        .then(|| quote!(crate::support::plain(OPERATION, input)?;));
    let function = format_ident!("{function}");
    let finish = if *download {
        quote!(::std::result::Result::Ok(crate::Outcome::Download(
            ::std::boxed::Box::new(response)
        )))
    } else {
        quote!(crate::support::json(OPERATION, &response))
    };
    let doc = docs(
        &format!("Calls `{operation}` with the arguments in `input` (boxed: see `crate::Call`)."),
        false,
    );
    quote! {
        #doc
        pub(crate) fn #name<'a>(
            client: &'a ::sdk_runtime::wechatpay::Client,
            input: &'a ::serde_json::Value,
        ) -> crate::Call<'a> {
            ::std::boxed::Box::pin(async move {
                const OPERATION: &str = #operation;
                #plain
                let response = ::wechatpay::#(#module::)*#function(client, #(#values,)*).await?;
                #finish
            })
        }
    }
}

/// The member of `input` a payload is read from.
fn payload_part(payload: Payload) -> &'static str {
    match payload {
        Payload::Query => "query",
        Payload::Body => "body",
    }
}

fn lib_rs(modules: &[TokenStream], arms: &[(String, TokenStream)]) -> TokenStream {
    let doc = docs(
        &format!(
            "Test-only: calls every operation of the generated `wechatpay` crate ({} operations) by \
             name, with arguments decoded from JSON, so an end-to-end test can drive each one \
             against a mock server.\n\nGenerated by `cargo xtask codegen` from the same model as \
             `wechatpay`; never published.",
            arms.len()
        ),
        true,
    );
    let names = arms.iter().map(|(name, _)| name);
    let calls = arms
        .iter()
        .map(|(name, function)| quote!(#name => #function(client, input),));
    quote! {
        #doc
        #![allow(deprecated)]

        #[rustfmt::skip]
        mod support;
        #(#modules)*

        /// Every operation of `wechatpay`, as `"METHOD /path/template"` (the path exactly as the
        /// docs spell it, e.g. `"POST /v3/ecommerce/applyments/"`), sorted.
        #[rustfmt::skip]
        pub const OPERATIONS: &[&str] = &[#(#names,)*];

        /// What an operation answered.
        #[rustfmt::skip]
        #[derive(::std::fmt::Debug)]
        pub enum Outcome {
            /// A JSON response: the decoded response struct, serialized again with `serde_json`
            /// (so fields the SDK does not model are gone, and absent ones stay absent).
            Json(::serde_json::Value),
            /// A file download (boxed: it is much larger than a JSON value).
            Download(::std::boxed::Box<::sdk_runtime::wechatpay::Download>),
        }

        /// Calls the generated function of `operation` (one of [`OPERATIONS`]) with the arguments
        /// in `input`:
        ///
        /// ```json
        /// {
        ///   "path": {"merchant_plan_no": "P1", "limit": 10},
        ///   "query": {"name": "value"},
        ///   "headers": {"Idempotency-Key": "value"},
        ///   "body": {"field": "value"},
        ///   "upload": {"filename": "photo.jpg", "content": "file content as text"},
        ///   "encrypt": ["/json/pointer"]
        /// }
        /// ```
        ///
        /// Path parameters and headers are read by their wire names: a string (a number too
        /// for `string | number` parameters), an integer for integer ones, and enum values
        /// decoded into the SDK's enum; an optional header may be absent. `query` and `body` are
        /// decoded into the operation's `…Query` and `…Request` structs (absent or `null` reads
        /// as `{}`); `upload` content is sent as its UTF-8 bytes. For an operation with sensitive fields, each string
        /// at the JSON pointers of `encrypt` in its payload (the body, or the query when it has
        /// no body) is replaced by its encryption with the client's WeChat Pay key before
        /// decoding; other operations must have no `encrypt`.
        ///
        /// # Errors
        ///
        /// [`Build`](sdk_runtime::ErrorKind::Build), naming the operation and the member, when
        /// `operation` is unknown or `input` does not fit its arguments; otherwise the errors of
        /// the generated function.
        #[rustfmt::skip]
        pub async fn call(
            client: &::sdk_runtime::wechatpay::Client,
            operation: &str,
            input: &::serde_json::Value,
        ) -> ::std::result::Result<Outcome, ::sdk_runtime::Error> {
            let call = match operation {
                #(#calls)*
                _ => {
                    return ::std::result::Result::Err(::sdk_runtime::Error::build(::std::format!(
                        "unknown operation `{operation}`"
                    )));
                }
            };
            call.await
        }

        /// One operation's call in flight. Each is boxed where it is made, so `call` holds a
        /// pointer whichever of the hundreds of operations it dispatches to (an unboxed match
        /// over all their futures overflows the stack of a test thread in debug builds).
        #[rustfmt::skip]
        type Call<'a> = ::std::pin::Pin<
            ::std::boxed::Box<
                dyn ::std::future::Future<Output = ::std::result::Result<Outcome, ::sdk_runtime::Error>>
                    + ::std::marker::Send
                    + 'a,
            >,
        >;
    }
}

/// `src/support.rs`: reading the arguments of a generated function from the JSON input.
fn support_rs() -> TokenStream {
    quote! {
        //! Reading the arguments of a generated function from the JSON `input` of [`crate::call`].
        //!
        //! The same helpers are written whatever the model holds, so some may go unused.
        #![allow(dead_code)]

        use ::sdk_runtime::Error;
        use ::sdk_runtime::wechatpay::{Encryptor, MediaUpload};
        use ::serde_json::Value;

        /// A [`Build`](sdk_runtime::ErrorKind::Build) error naming the operation.
        fn invalid(operation: &str, what: &str) -> Error {
            Error::build(::std::format!("{operation}: {what}"))
        }

        /// `input[part][name]`; `None` when it, or `input[part]`, is absent or `null`.
        fn member<'a>(input: &'a Value, part: &str, name: &str) -> ::std::option::Option<&'a Value> {
            input.get(part)?.get(name).filter(|value| !value.is_null())
        }

        /// `input[part][name]`, which must be present.
        fn required<'a>(operation: &str, input: &'a Value, part: &str, name: &str) -> ::std::result::Result<&'a Value, Error> {
            member(input, part, name)
                .ok_or_else(|| invalid(operation, &::std::format!("input `{part}.{name}` is missing")))
        }

        /// A string member.
        fn text<'a>(operation: &str, value: &'a Value, part: &str, name: &str) -> ::std::result::Result<&'a str, Error> {
            value
                .as_str()
                .ok_or_else(|| invalid(operation, &::std::format!("input `{part}.{name}` is not a string")))
        }

        /// Decodes `value` into `T`.
        fn decode<T: ::serde::de::DeserializeOwned>(operation: &str, what: &str, value: Value) -> ::std::result::Result<T, Error> {
            let ty = ::std::any::type_name::<T>();
            ::serde_json::from_value(value).map_err(|err| {
                Error::build_with(::std::format!("{operation}: input `{what}` does not fit `{ty}`"), err)
            })
        }

        /// A string path parameter.
        pub(crate) fn path_str<'a>(operation: &str, input: &'a Value, name: &str) -> ::std::result::Result<&'a str, Error> {
            text(operation, required(operation, input, "path", name)?, "path", name)
        }

        /// A `string | number` path parameter, as text.
        pub(crate) fn path_text(operation: &str, input: &Value, name: &str) -> ::std::result::Result<::std::string::String, Error> {
            match required(operation, input, "path", name)? {
                Value::String(text) => ::std::result::Result::Ok(text.clone()),
                Value::Number(number) => ::std::result::Result::Ok(number.to_string()),
                _ => ::std::result::Result::Err(invalid(
                    operation,
                    &::std::format!("input `path.{name}` is neither a string nor a number"),
                )),
            }
        }

        /// An integer path parameter.
        pub(crate) fn path_i64(operation: &str, input: &Value, name: &str) -> ::std::result::Result<i64, Error> {
            required(operation, input, "path", name)?
                .as_i64()
                .ok_or_else(|| invalid(operation, &::std::format!("input `path.{name}` is not an integer")))
        }

        /// A path parameter of a generated enum type.
        pub(crate) fn path_value<T: ::serde::de::DeserializeOwned>(operation: &str, input: &Value, name: &str) -> ::std::result::Result<T, Error> {
            let value = required(operation, input, "path", name)?.clone();
            decode(operation, &::std::format!("path.{name}"), value)
        }

        /// A required header.
        pub(crate) fn header<'a>(operation: &str, input: &'a Value, name: &str) -> ::std::result::Result<&'a str, Error> {
            text(operation, required(operation, input, "headers", name)?, "headers", name)
        }

        /// An optional header.
        pub(crate) fn header_opt<'a>(operation: &str, input: &'a Value, name: &str) -> ::std::result::Result<::std::option::Option<&'a str>, Error> {
            member(input, "headers", name)
                .map(|value| text(operation, value, "headers", name))
                .transpose()
        }

        /// `input[part]` (`query` or `body`): an object, `{}` when absent or `null`.
        fn payload_value(operation: &str, input: &Value, part: &str) -> ::std::result::Result<Value, Error> {
            match input.get(part) {
                ::std::option::Option::None | ::std::option::Option::Some(Value::Null) => {
                    ::std::result::Result::Ok(Value::Object(::serde_json::Map::new()))
                }
                ::std::option::Option::Some(value @ Value::Object(_)) => ::std::result::Result::Ok(value.clone()),
                ::std::option::Option::Some(_) => ::std::result::Result::Err(invalid(
                    operation,
                    &::std::format!("input `{part}` is not an object"),
                )),
            }
        }

        /// The query struct or the JSON body, decoded from `input[part]`.
        pub(crate) fn payload<T: ::serde::de::DeserializeOwned>(operation: &str, input: &Value, part: &str) -> ::std::result::Result<T, Error> {
            decode(operation, part, payload_value(operation, input, part)?)
        }

        /// The JSON pointers of `input.encrypt` (none when absent or `null`).
        fn pointers<'a>(operation: &str, input: &'a Value) -> ::std::result::Result<::std::vec::Vec<&'a str>, Error> {
            match input.get("encrypt") {
                ::std::option::Option::None | ::std::option::Option::Some(Value::Null) => {
                    ::std::result::Result::Ok(::std::vec::Vec::new())
                }
                ::std::option::Option::Some(Value::Array(pointers)) => pointers
                    .iter()
                    .map(|pointer| {
                        pointer
                            .as_str()
                            .ok_or_else(|| invalid(operation, "input `encrypt` holds something else than a JSON pointer"))
                    })
                    .collect(),
                ::std::option::Option::Some(_) => ::std::result::Result::Err(invalid(
                    operation,
                    "input `encrypt` is not an array of JSON pointers",
                )),
            }
        }

        /// Checks that `input.encrypt` is empty: the operation takes no encrypted payload.
        pub(crate) fn plain(operation: &str, input: &Value) -> ::std::result::Result<(), Error> {
            if pointers(operation, input)?.is_empty() {
                ::std::result::Result::Ok(())
            } else {
                ::std::result::Result::Err(invalid(
                    operation,
                    "input `encrypt` must be empty: the operation has no sensitive fields to encrypt",
                ))
            }
        }

        /// The payload `input[part]` with the string at each pointer of `input.encrypt`
        /// replaced by its encryption with `encryptor`, decoded.
        pub(crate) fn encrypted<T: ::serde::de::DeserializeOwned>(operation: &str, input: &Value, part: &str, encryptor: &Encryptor) -> ::std::result::Result<T, Error> {
            let mut value = payload_value(operation, input, part)?;
            for pointer in pointers(operation, input)? {
                let slot = value.pointer_mut(pointer).ok_or_else(|| {
                    invalid(operation, &::std::format!("input `encrypt` names `{pointer}`, which is not in `{part}`"))
                })?;
                let ::std::option::Option::Some(plaintext) = slot.as_str() else {
                    return ::std::result::Result::Err(invalid(
                        operation,
                        &::std::format!("`{part}{pointer}` is not a string to encrypt"),
                    ));
                };
                *slot = Value::String(encryptor.encrypt(plaintext)?);
            }
            decode(operation, part, value)
        }

        /// The multipart upload `input.upload`: `{"filename": "…", "content": "…"}`.
        pub(crate) fn upload(operation: &str, input: &Value) -> ::std::result::Result<MediaUpload, Error> {
            let field = |name: &str| {
                input
                    .get("upload")
                    .and_then(|upload| upload.get(name))
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(operation, &::std::format!("input `upload.{name}` is not a string")))
            };
            let filename = field("filename")?;
            let content = field("content")?;
            ::std::result::Result::Ok(MediaUpload::new(filename, content.to_owned()))
        }

        /// A JSON response, serialized again.
        pub(crate) fn json<T: ::serde::Serialize>(operation: &str, response: &T) -> ::std::result::Result<crate::Outcome, Error> {
            ::serde_json::to_value(response).map(crate::Outcome::Json).map_err(|err| {
                Error::build_with(::std::format!("{operation}: the response cannot be serialized again"), err)
            })
        }
    }
}

/// The plaintext the generated test encrypts (not ASCII, as names usually are not).
const PLAINTEXT: &str = "张三";

/// `tests/call/cases.rs`: `call` against the mock WeChat Pay server (`wechatpay-mock`): every operation
/// is dispatched to its own route or names the input it misses, `encrypt` is refused where there
/// is nothing to encrypt, and, for one operation with a sensitive JSON body, the string at the
/// pointer arrives encrypted for the key `Wechatpay-Serial` names.
fn test_rs(located: &[Located]) -> TokenStream {
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
    quote! {
        //! `call` against the mock WeChat Pay server: each operation reaches its own route or
        //! names the input it misses, `encrypt` is refused where there is nothing to encrypt,
        //! and sensitive fields arrive encrypted for the key `Wechatpay-Serial` names.

        use ::sdk_runtime::ErrorKind;
        use ::serde_json::json;
        use ::wechatpay_conformance::{OPERATIONS, call};
        use ::wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

        /// Operations whose closure builds an encrypted payload.
        const ENCRYPTED: &[&str] = &[#(#encrypted,)*];

        /// Operations sent to a host of their own, never to the mock.
        const OTHER_HOST: &[&str] = &[#(#other_host,)*];

        fn key(name: &str) -> ::std::string::String {
            let path = default_shared_dir().join("test-vectors/keys").join(name);
            ::std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }

        /// The mock, and a client configured as the merchant of the test vectors pointed at it.
        fn setup() -> (MockServer, ::sdk_runtime::wechatpay::Client) {
            let config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
            let server = MockServer::start(config).expect("mock starts");
            let client = ::sdk_runtime::wechatpay::Client::builder()
                .mchid(::wechatpay_mock::TEST_MCHID)
                .merchant_serial_number(::wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
                .merchant_private_key_pem(&key("merchant.pem"))
                .expect("merchant key")
                .wechatpay_public_key_pem(::wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID, &key("platform.pub.pem"))
                .expect("platform key")
                .base_url(&server.base_url())
                .build()
                .expect("client");
            (server, client)
        }

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
    }
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

/// A JSON value of type `ty`, as text, with only the required members of objects.
fn sample(ty: &Type) -> String {
    match ty {
        Type::String => "\"value\"".to_owned(),
        Type::Integer => "1".to_owned(),
        Type::Decimal => "1.5".to_owned(),
        Type::Boolean => "false".to_owned(),
        Type::DateTime => "\"2024-11-21T15:40:01+08:00\"".to_owned(),
        Type::StringOrNumber => "\"1\"".to_owned(),
        Type::Enum { values } => json_string(values.first().map_or("value", String::as_str)),
        Type::IntegerEnum { values } => values.first().copied().unwrap_or(1).to_string(),
        Type::Array { .. } => "[]".to_owned(),
        Type::Json | Type::Named { .. } => "{}".to_owned(),
        Type::Object { fields } => {
            let members: Vec<String> = fields
                .iter()
                .filter(|f| !f.optional)
                .map(|f| format!("{}: {}", json_string(&f.name), sample(&f.ty)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn cargo_toml() -> String {
    let header = HEADER.replace("// ", "# ");
    format!(
        "{header}\
         [package]\n\
         name = \"{PACKAGE}\"\n\
         version = \"0.1.0\"\n\
         description = \"Test-only: calls every operation of the generated `wechatpay` crate by name, from JSON input.\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         wechatpay = {{ path = \"../wechatpay\", features = [\"full\"] }}\n\
         sdk-runtime = {{ path = \"../../runtime\" }}\n\
         serde.workspace = true\n\
         serde_json.workspace = true\n\
         \n\
         [dev-dependencies]\n\
         tokio.workspace = true\n\
         wechatpay-mock = {{ path = \"../../tests\" }}\n"
    )
}

#[cfg(test)]
mod tests {
    use crate::emit::crates;
    use crate::ir::{Document, Field, HttpMethod, Operation, RequestBody, ResponseBody, Type};

    use crate::emit::test_support::{field, operation};

    /// The conformance crate for these operations: path → contents.
    fn conformance(operations: Vec<Operation>) -> std::collections::BTreeMap<String, String> {
        let doc = Document {
            types: Vec::new(),
            source: "demo.md".into(),
            title: None,
            operations,
        };
        crates(&[doc], &crate::emit::Settings::wechatpay())
            .expect("emits")
            .conformance
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
                r#"::wechatpay::v3::demo::by_query::get(
                    client,
                    &crate::support::path_value::<::wechatpay::v3::demo::by_query::GetQuery>(OPERATION, input, "query")?,
                    &crate::support::payload::<::wechatpay::v3::demo::by_query::GetQuery2>(OPERATION, input, "query")?,
                ).await?;"#
            )),
            "{by_query}"
        );
        // The sensitive operation builds its body in the closure, from `encrypt`.
        let sensitive = flat(item(demo, "pub(crate) fn post_a_b2<'a>("));
        assert!(
            sensitive.contains(&flat(
                r#"::wechatpay::v3::demo::a_b::post(
                    client,
                    |encryptor| crate::support::encrypted::<::wechatpay::v3::demo::a_b::PostRequest>(
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
                let response = ::wechatpay::v3::demo::a::b::post(
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
                r#"::wechatpay::invoicing::fapiao::by_id::get(
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
            manifest.contains("name = \"wechatpay-conformance\"\n"),
            "{manifest}"
        );
        assert!(manifest.contains("publish = false\n"), "{manifest}");
        assert!(
            manifest.contains("wechatpay = { path = \"../wechatpay\", features = [\"full\"] }\n"),
            "{manifest}"
        );
    }
}
