//! `src/support.rs`: the JSON conversions the callers use.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::Uses;

/// `src/support.rs`: reading the arguments of a generated function from the JSON input; the
/// helpers of encrypted payloads, uploads and filters only when an operation `uses` them
/// (their types are the runtime `provider`'s).
pub(super) fn support_rs(uses: &Uses, provider: &Ident) -> TokenStream {
    let mut imports = Vec::new();
    if uses.encrypted {
        imports.push(quote!(Encryptor));
    }
    if uses.filter {
        imports.push(quote!(Filter));
        imports.push(quote!(FilterField));
        imports.push(quote!(Operator));
    }
    if uses.upload {
        imports.push(quote!(MediaUpload));
    }
    let imports = (!imports.is_empty()).then(|| quote!(use ::sdk_runtime::#provider::{#(#imports),*};));
    let encrypted = uses.encrypted.then(encrypted);
    let upload = uses.upload.then(upload);
    let filter = uses.filter.then(filter);
    quote! {
        //! Reading the arguments of a generated function from the JSON `input` of [`crate::call`].
        //!
        //! The same helpers are written whatever the model holds, so some may go unused.
        #![allow(dead_code)]

        use ::sdk_runtime::Error;
        #imports
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

        #encrypted
        #upload
        #filter

        /// A JSON response, serialized again.
        pub(crate) fn json<T: ::serde::Serialize>(operation: &str, response: &T) -> ::std::result::Result<crate::Outcome, Error> {
            ::serde_json::to_value(response).map(crate::Outcome::Json).map_err(|err| {
                Error::build_with(::std::format!("{operation}: the response cannot be serialized again"), err)
            })
        }
    }
}

/// `encrypted`: the payload with its sensitive fields encrypted.
fn encrypted() -> TokenStream {
    quote! {
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
    }
}

/// `upload`: a media upload from the input.
fn upload() -> TokenStream {
    quote! {
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
    }
}

/// `filter`: a list filter from the input's query.
fn filter() -> TokenStream {
    quote! {
        /// The list filter in `input.query`'s members named `{wire}[field][operator]`
        /// (`filter[name][_eq]`), as on the wire: each field decoded into `F` (the operation's
        /// field enum), each operator one of [`Operator::ALL`], each value text, a number, a
        /// boolean, or for `_in` an array of them (sent comma-separated). Other members are the
        /// query struct's.
        pub(crate) fn filter<F: ::serde::de::DeserializeOwned + FilterField>(operation: &str, input: &Value, wire: &str) -> ::std::result::Result<Filter<F>, Error> {
            let mut filter = Filter::new();
            let ::std::option::Option::Some(Value::Object(query)) = input.get("query") else {
                return ::std::result::Result::Ok(filter);
            };
            let prefix = ::std::format!("{wire}[");
            for (name, value) in query {
                let ::std::option::Option::Some(rest) = name.strip_prefix(&prefix) else {
                    continue;
                };
                let malformed = || invalid(operation, &::std::format!("input `query.{name}` is not `{wire}[field][operator]`"));
                let (field, operator) = rest
                    .strip_suffix(']')
                    .and_then(|rest| rest.split_once("]["))
                    .ok_or_else(malformed)?;
                let operator = Operator::ALL
                    .into_iter()
                    .find(|o| o.as_str() == operator)
                    .ok_or_else(|| {
                        let all: ::std::vec::Vec<&str> = Operator::ALL.iter().map(|o| o.as_str()).collect();
                        invalid(operation, &::std::format!("input `query.{name}`: `{operator}` is not an operator ({})", all.join(", ")))
                    })?;
                let field: F = decode(operation, &::std::format!("query.{name}"), Value::String(field.to_owned()))?;
                let text = |value: &Value| match value {
                    Value::String(text) => ::std::option::Option::Some(text.clone()),
                    Value::Number(number) => ::std::option::Option::Some(number.to_string()),
                    Value::Bool(flag) => ::std::option::Option::Some(flag.to_string()),
                    _ => ::std::option::Option::None,
                };
                let value = match value {
                    Value::Array(items) => items.iter().map(text).collect::<::std::option::Option<::std::vec::Vec<_>>>().map(|items| items.join(",")),
                    value => text(value),
                }
                .ok_or_else(|| invalid(operation, &::std::format!("input `query.{name}` is not text, a number or a boolean")))?;
                filter = filter.condition(field, operator, value);
            }
            ::std::result::Result::Ok(filter)
        }
    }
}
