//! One operation → one thin async function that describes the request and hands it to the runtime.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::pascal;
use super::types::{Mode, TypeSpace, argument, docs, ident};
use crate::ir::{Operation, RequestBody, ResponseBody, Type};

/// Names the generated function body uses for its own arguments and locals.
const RESERVED: &[&str] = &["client", "query", "body", "upload", "op"];

/// Headers the runtime sets itself on every request (`Wechatpay-Serial` names the WeChat Pay key in use).
const RUNTIME_HEADERS: &[&str] = &["Wechatpay-Serial"];

/// Emits the function for `op` into its module, registering the types it needs in `space`.
pub fn emit(op: &Operation, space: &mut TypeSpace) -> TokenStream {
    let method = op.method.lower();
    let prefix = pascal(method);
    let signature_line = format!("`{} {}`", op.method.as_str(), op.path);
    let mut args = Vec::new();
    let mut steps = Vec::new();

    for param in &op.path_params {
        let arg = argument(&param.name, RESERVED);
        let wire = &param.name;
        match &param.ty {
            Type::Integer => {
                args.push(quote!(#arg: i64));
                steps.push(quote!(.path_param(#wire, &#arg.to_string())));
            }
            ty @ Type::Enum { .. } => {
                let name = format!("{prefix}{}", pascal(&param.name));
                let doc = format!("Path parameter `{}` of {signature_line}.", param.name);
                let ty = space.rust_type(ty, &name, &doc, Mode::Request);
                args.push(quote!(#arg: &#ty));
                steps.push(quote!(.path_param(#wire, #arg.as_str())));
            }
            ty @ Type::IntegerEnum { .. } => {
                let name = format!("{prefix}{}", pascal(&param.name));
                let doc = format!("Path parameter `{}` of {signature_line}.", param.name);
                let ty = space.rust_type(ty, &name, &doc, Mode::Request);
                args.push(quote!(#arg: #ty));
                steps.push(quote!(.path_param(#wire, &#arg.as_i64().to_string())));
            }
            _ => {
                args.push(quote!(#arg: &str));
                steps.push(quote!(.path_param(#wire, #arg)));
            }
        }
    }

    if !op.query.is_empty() {
        let doc = format!("Query parameters of {signature_line}.");
        let name = space.top_level_struct(&op.query, &format!("{prefix}Query"), &doc, Mode::Request);
        let ty = ident(&name);
        args.push(quote!(query: &#ty));
        steps.push(quote!(.query(query)?));
    }

    for header in op
        .headers
        .iter()
        .filter(|h| !RUNTIME_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(&h.name)))
    {
        let arg = argument(&header.name, RESERVED);
        let wire = &header.name;
        if header.optional {
            args.push(quote!(#arg: ::std::option::Option<&str>));
            steps.push(quote! {
                .header_opt(#wire, #arg)?
            });
        } else {
            args.push(quote!(#arg: &str));
            steps.push(quote!(.header(#wire, #arg)?));
        }
    }

    match &op.request {
        RequestBody::None => {}
        RequestBody::Json { fields } => {
            let doc = format!("Request body of {signature_line}.");
            let name = space.top_level_struct(fields, &format!("{prefix}Request"), &doc, Mode::Request);
            let ty = ident(&name);
            if fields.is_empty() {
                steps.push(quote!(.json(&#ty {})?));
            } else {
                args.push(quote!(body: &#ty));
                steps.push(quote!(.json(body)?));
            }
        }
        RequestBody::Multipart => {
            args.push(quote!(upload: &::sdk_runtime::wechatpay::MediaUpload));
            steps.push(quote!(.multipart(upload)));
        }
    }

    let (ret, call) = match &op.response {
        ResponseBody::Json { fields } => {
            let doc = format!("Response body of {signature_line}.");
            let name = space.top_level_struct(fields, &format!("{prefix}Response"), &doc, Mode::Response);
            let ty = ident(&name);
            (quote!(#ty), quote!(client.json(op).await))
        }
        ResponseBody::Binary => (
            quote!(::sdk_runtime::wechatpay::Download),
            quote!(client.download(op).await),
        ),
    };

    let base_url = op.base_url.as_ref().map(|b| quote!(.base_url(#b)));
    let http_method = format_ident!("{}", op.method.as_str());
    let path = &op.path;
    let fn_name = format_ident!("{}", method);
    let doc = docs(&function_doc(op, &signature_line), false);
    let deprecated = op
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    quote! {
        #doc
        #deprecated
        pub async fn #fn_name(
            client: &::sdk_runtime::wechatpay::Client,
            #(#args,)*
        ) -> ::std::result::Result<#ret, ::sdk_runtime::Error> {
            let op = ::sdk_runtime::wechatpay::Operation::new(::sdk_runtime::Method::#http_method, #path)
                #base_url
                #(#steps)*;
            #call
        }
    }
}

fn function_doc(op: &Operation, signature_line: &str) -> String {
    let mut doc = String::new();
    if let Some(summary) = &op.summary {
        doc.push_str(summary);
        doc.push_str("\n\n");
    }
    doc.push_str(signature_line);
    if let Some(base) = &op.base_url {
        doc.push_str(&format!(" on `{base}`"));
    }
    doc.push('\n');
    for link in &op.links {
        doc.push_str(&format!("\nOfficial documentation: <{link}>\n"));
    }
    doc.push_str(
        "\n# Errors\n\nFails when the request cannot be built, the transport fails, WeChat Pay \
         answers with an error status, or the response's signature or body is invalid \
         (see [`sdk_runtime::Error`]).",
    );
    doc
}
