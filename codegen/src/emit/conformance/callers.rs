//! The callers: one function per operation, reading its arguments from the JSON input.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::operation_name;
use crate::emit::Located;
use crate::emit::operation::{Arg, Payload, Signature};
use crate::emit::types::{docs, ident};

/// The function of this crate that calls one generated function with arguments read from `input`.
/// `sdk` is the SDK crate's library name, `client` the path of the client type it takes.
pub(super) fn caller(l: &Located, name: &Ident, sdk: &Ident, client: &TokenStream) -> TokenStream {
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
        quote!(::#sdk::#(#module::)*#id)
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
        Arg::Filter { wire, fields } => {
            let ty = match fields {
                Some(ty) => sdk_type(ty),
                None => quote!(::std::string::String),
            };
            quote!(&crate::support::filter::<#ty>(OPERATION, input, #wire)?)
        }
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
    let finish = if *download && l.signature.xml {
        quote!(::std::result::Result::Ok(crate::Outcome::Bytes(response)))
    } else if *download {
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
            client: &'a #client,
            input: &'a ::serde_json::Value,
        ) -> crate::Call<'a> {
            ::std::boxed::Box::pin(async move {
                const OPERATION: &str = #operation;
                #plain
                let response = ::#sdk::#(#module::)*#function(client, #(#values,)*).await?;
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
