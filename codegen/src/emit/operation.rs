//! One operation → one thin async function that describes the request and hands it to the runtime.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::index::alias_attributes;
use super::names::pascal;
use super::sensitive::{has_sensitive, sealed_doc, sensitive_doc};
use super::settings::{Runtime, Settings};
use super::types::{Mode, ModuleTypes, argument, docs, ident};
use crate::ir::{Field, Operation, QueryFilter, RequestBody, ResponseBody, Type};

/// Names the generated function body uses for its own arguments and locals.
const RESERVED: &[&str] = &["client", "query", "body", "upload", "op", "encryptor"];

/// The header that names the WeChat Pay key a request's sensitive fields are encrypted with. An
/// operation whose docs declare it takes a closure that builds its payload from an
/// `Encryptor` (the crate's re-export of `sdk_runtime::wechatpay::Encryptor`) the function obtains itself, and the runtime sends the header.
pub(super) const SERIAL_HEADER: &str = "Wechatpay-Serial";

/// True when the docs' header `name` is [`SERIAL_HEADER`].
pub fn is_serial_header(name: &str) -> bool {
    name.eq_ignore_ascii_case(SERIAL_HEADER)
}

/// What a generated function takes after `client`: one entry per argument, in order. Type names
/// are those of the function's own module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A path parameter passed as `&str`; `or_number` when the docs type it `string | number`.
    PathStr { wire: String, or_number: bool },
    /// A path parameter passed as `i64`.
    PathInteger { wire: String },
    /// A path parameter of an open string enum, passed as `&Ty`.
    PathEnum { wire: String, ty: String },
    /// A path parameter of an open integer enum, passed by value.
    PathIntegerEnum { wire: String, ty: String },
    /// The query string struct, passed as `&Ty`.
    Query { ty: String },
    /// A header passed as `&str`, or `Option<&str>` when optional.
    Header { wire: String, optional: bool },
    /// The JSON body, passed as `&Ty`.
    Body { ty: String },
    /// A multipart media upload, passed as `&MediaUpload`.
    Upload,
    /// A list filter (`filter[field][operator]=value`), passed as `&Filter<Ty>`; `fields` is the
    /// field enum `Ty`, `None` when any field name is passed (`Filter<String>`).
    Filter { wire: String, fields: Option<String> },
    /// A closure `FnOnce(&Encryptor) -> Result<Ty, Error>` that builds the query struct or the
    /// JSON body of an operation with sensitive fields.
    Encrypted { payload: Payload, ty: String },
}

/// Which part of the request the closure of an [`Arg::Encrypted`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The query string struct (an operation without a JSON body).
    Query,
    /// The JSON body.
    Body,
}

/// The shape of one generated function, for code that calls it (the conformance crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The function's name (the lower-case HTTP method).
    pub function: String,
    /// The arguments after `client`, in order.
    pub args: Vec<Arg>,
    /// True when the function binds the request to an encryptor (`Wechatpay-Serial` declared).
    pub sensitive: bool,
    /// True when it answers with a `Download` rather than a JSON struct.
    pub download: bool,
    /// True when it is an APIv2 (XML) operation, taking the XML protocol's client.
    pub xml: bool,
}

/// What the layout named an operation's function and types.
#[derive(Debug, Clone, Copy)]
pub struct Naming<'a> {
    /// The function's name (`post`, `cancel_plan`).
    pub function: &'a str,
    /// The prefix of its types' names (`Post`, `CancelPlan`).
    pub prefix: &'a str,
    /// Its rustdoc search aliases (its title, its path template).
    pub aliases: &'a [String],
}

/// The closure argument of a sensitive-field operation.
pub(super) struct Closure {
    pub(super) arg: Ident,
    pub(super) ty: String,
    pub(super) payload: Payload,
}

/// Emits the function for `op` into its module, registering the types it needs in `space`;
/// returns it with the [`Signature`] it has.
pub fn emit(
    op: &Operation,
    naming: Naming<'_>,
    space: &mut ModuleTypes<'_>,
    settings: &Settings,
) -> (TokenStream, Signature) {
    let xml = settings
        .xml
        .as_ref()
        .filter(|_| matches!(op.request, RequestBody::Xml { .. }));
    let (client_type, operation_type) = match xml {
        Some(_) => (settings.xml_runtime("Client"), settings.xml_runtime("Operation")),
        None => (
            settings.runtime(Runtime::Client),
            settings.runtime(Runtime::Operation),
        ),
    };
    let method = naming.function;
    let prefix = naming.prefix;
    let signature_line = format!("`{} {}`", op.method.as_str(), op.path);
    let mut args = Vec::new();
    // Known sensitive fields (the official SDK's facts) are sealed by the call itself; an
    // operation that only declares `Wechatpay-Serial` takes a closure given the encryptor.
    let sealed_body = matches!(&op.request, RequestBody::Json { fields } if has_sensitive(fields));
    let sealed_query = has_sensitive(&op.query);
    let mut signature = Signature {
        function: method.to_owned(),
        args: Vec::new(),
        sensitive: sealed_body || sealed_query || op.headers.iter().any(|h| is_serial_header(&h.name)),
        download: matches!(op.response, ResponseBody::Binary),
        xml: xml.is_some(),
    };
    let mut steps = Vec::new();

    for param in &op.path_params {
        let arg = argument(&param.name, RESERVED);
        let wire = &param.name;
        let doc = format!("Path parameter `{}` of {signature_line}.", param.name);
        let name = format!("{prefix}{}", pascal(&param.name));
        match &param.ty {
            Type::Integer => {
                args.push(quote!(#arg: i64));
                steps.push(quote!(.path_param(#wire, &#arg.to_string())));
                signature.args.push(Arg::PathInteger { wire: wire.clone() });
            }
            ty @ Type::Enum { .. } => {
                let ty_name = space
                    .type_name(ty, &name, &doc, Mode::Request)
                    .unwrap_or_default();
                let ty = ident(&ty_name);
                args.push(quote!(#arg: &#ty));
                steps.push(quote!(.path_param(#wire, #arg.as_str())));
                signature.args.push(Arg::PathEnum {
                    wire: wire.clone(),
                    ty: ty_name,
                });
            }
            ty @ Type::IntegerEnum { .. } => {
                let ty_name = space
                    .type_name(ty, &name, &doc, Mode::Request)
                    .unwrap_or_default();
                let ty = ident(&ty_name);
                args.push(quote!(#arg: #ty));
                steps.push(quote!(.path_param(#wire, &#arg.as_i64().to_string())));
                signature.args.push(Arg::PathIntegerEnum {
                    wire: wire.clone(),
                    ty: ty_name,
                });
            }
            ty => {
                args.push(quote!(#arg: &str));
                steps.push(quote!(.path_param(#wire, #arg)));
                signature.args.push(Arg::PathStr {
                    wire: wire.clone(),
                    or_number: *ty == Type::StringOrNumber,
                });
            }
        }
    }

    // A sensitive-field operation takes a closure for its JSON body, or for its query when it has
    // no JSON body to send.
    let body_fields = match &op.request {
        RequestBody::Json { fields } if !fields.is_empty() => Some(fields),
        _ => None,
    };
    let encrypts = match (signature.sensitive, body_fields.is_some(), op.query.is_empty()) {
        _ if sealed_body || sealed_query => None,
        (false, _, _) => None,
        (true, true, _) => Some(Payload::Body),
        (true, false, false) => Some(Payload::Query),
        (true, false, true) => None,
    };
    let mut closure = None;

    if !op.query.is_empty() {
        let doc = format!("Query parameters of {signature_line}.");
        let name = space.top_level_struct(&op.query, &format!("{prefix}Query"), &doc, Mode::Request, None);
        if encrypts == Some(Payload::Query) {
            steps.push(quote!(.query(&query)?));
            closure = Some(Closure {
                arg: format_ident!("query"),
                ty: name,
                payload: Payload::Query,
            });
        } else {
            let ty = ident(&name);
            args.push(quote!(query: &#ty));
            if sealed_query {
                steps.push(quote!(.query_sealed(query, &encryptor)?));
            } else {
                steps.push(quote!(.query(query)?));
            }
            signature.args.push(Arg::Query { ty: name });
        }
    }

    let mut items = Vec::new();
    if let Some(filter) = &op.filter {
        let fields = filter_fields(filter, prefix, &signature_line, settings);
        let ty = match &fields {
            Some((name, _)) => quote!(#name),
            None => quote!(::std::string::String),
        };
        let name = &filter.name;
        let filter_type = settings.runtime(Runtime::Filter);
        args.push(quote!(filter: &#filter_type<#ty>));
        steps.push(quote!(.raw_query(&filter.to_query(#name))));
        signature.args.push(Arg::Filter {
            wire: name.clone(),
            fields: fields.as_ref().map(|(name, _)| name.to_string()),
        });
        items.extend(fields.map(|(_, item)| item));
    }

    let by_client = |name: &str| {
        settings
            .client_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
    };
    for header in op
        .headers
        .iter()
        .filter(|h| !is_serial_header(&h.name) && !by_client(&h.name))
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
        signature.args.push(Arg::Header {
            wire: wire.clone(),
            optional: header.optional,
        });
    }

    match &op.request {
        RequestBody::None => {}
        RequestBody::Json { fields } => {
            let doc = format!("Request body of {signature_line}.");
            let name = space.top_level_struct(fields, &format!("{prefix}Request"), &doc, Mode::Request, None);
            let ty = ident(&name);
            if fields.is_empty() {
                steps.push(quote!(.json(&#ty {})?));
            } else if encrypts == Some(Payload::Body) {
                steps.push(quote!(.json(&body)?));
                closure = Some(Closure {
                    arg: format_ident!("body"),
                    ty: name,
                    payload: Payload::Body,
                });
            } else {
                args.push(quote!(body: &#ty));
                if sealed_body {
                    steps.push(quote!(.json_sealed(body, &encryptor)?));
                } else {
                    steps.push(quote!(.json(body)?));
                }
                signature.args.push(Arg::Body { ty: name });
            }
        }
        RequestBody::Value { ty } => {
            let doc = format!("Request body of {signature_line}.");
            let name = space
                .type_name(ty, &format!("{prefix}Request"), &doc, Mode::Request)
                .unwrap_or_default();
            let tokens = space.value_type(ty, &format!("{prefix}Request"), &doc, Mode::Request);
            args.push(quote!(body: &#tokens));
            steps.push(quote!(.json(body)?));
            signature.args.push(Arg::Body { ty: name });
        }
        RequestBody::Xml { fields } => {
            // The client adds `nonce_str` and `sign` itself.
            let client_fields = xml.map(|x| x.client_fields.as_slice()).unwrap_or_default();
            let fields: Vec<Field> = fields
                .iter()
                .filter(|f| !client_fields.contains(&f.name))
                .cloned()
                .collect();
            let doc = format!(
                "Request body of {signature_line}, sent as `<xml>` text (lists as indexed members, \
                 `coupon_id_0`); the client adds `nonce_str` and `sign`."
            );
            let name =
                space.top_level_struct(&fields, &format!("{prefix}Request"), &doc, Mode::XmlRequest, None);
            let ty = ident(&name);
            args.push(quote!(body: &#ty));
            steps.push(quote!(.xml(body)?));
            signature.args.push(Arg::Body { ty: name });
        }
        RequestBody::Multipart => {
            let upload = settings.runtime(Runtime::MediaUpload);
            args.push(quote!(upload: &#upload));
            steps.push(quote!(.multipart(upload)));
            signature.args.push(Arg::Upload);
        }
    }

    // The closure comes last, so a call reads like building the request in place.
    let mut prelude = Vec::new();
    let mut generics = None;
    let mut bound = None;
    if signature.sensitive {
        prelude.push(quote!(let encryptor = client.encryptor().await?;));
        steps.push(quote!(.encrypted_with(&encryptor)));
    }
    if let Some(Closure { arg, ty, payload }) = &closure {
        let ty_id = ident(ty);
        args.push(quote!(#arg: F));
        prelude.push(quote!(let #arg = #arg(&encryptor)?;));
        generics = Some(quote!(<F>));
        let encryptor = settings.runtime(Runtime::Encryptor);
        bound = Some(quote! {
            where
                F: ::std::ops::FnOnce(&#encryptor)
                    -> ::std::result::Result<#ty_id, crate::Error>,
        });
        signature.args.push(Arg::Encrypted {
            payload: *payload,
            ty: ty.clone(),
        });
    }

    let (ret, call) = match &op.response {
        ResponseBody::Json { fields } => {
            let doc = format!("Response body of {signature_line}.");
            let name = space.top_level_struct(
                fields,
                &format!("{prefix}Response"),
                &doc,
                Mode::Response,
                op.response_type_name.as_deref(),
            );
            let ty = ident(&name);
            (quote!(#ty), quote!(client.json(op).await))
        }
        ResponseBody::Xml { fields } => {
            let doc = format!("Answer of {signature_line}, read from its `<xml>` text.");
            let name = space.top_level_struct(
                fields,
                &format!("{prefix}Response"),
                &doc,
                Mode::XmlResponse,
                op.response_type_name.as_deref(),
            );
            let ty = ident(&name);
            (quote!(#ty), quote!(client.xml(op).await))
        }
        ResponseBody::Binary if xml.is_some() => {
            (settings.xml_runtime("Bytes"), quote!(client.download(op).await))
        }
        ResponseBody::Binary => (
            settings.runtime(Runtime::Download),
            quote!(client.download(op).await),
        ),
        ResponseBody::Value { ty } => {
            let doc = format!("Response body of {signature_line}.");
            let ty = space.value_type(ty, &format!("{prefix}Response"), &doc, Mode::Response);
            (ty, quote!(client.json(op).await))
        }
    };

    let base_url = op.base_url.as_ref().map(|b| quote!(.base_url(#b)));
    let mutual_tls = op.mutual_tls.then(|| quote!(.mutual_tls()));
    let unsigned = xml
        .filter(|x| x.unsigned_responses.contains(&op.path))
        .filter(|_| !matches!(op.response, ResponseBody::Binary))
        .map(|_| quote!(.unsigned_response()));
    let http_method = format_ident!("{}", op.method.as_str());
    let path = &op.path;
    let fn_name = format_ident!("{}", method);
    let sensitive_doc = signature.sensitive.then(|| {
        if sealed_body || sealed_query {
            sealed_doc(op)
        } else {
            sensitive_doc(method, closure.as_ref(), signature.args.len() > 1)
        }
    });
    let doc = docs(
        &function_doc(op, &signature_line, sensitive_doc.as_deref(), settings),
        false,
    );
    let aliases = alias_attributes(naming.aliases);
    let deprecated = op
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    let tokens = quote! {
        #(#items)*
        #doc
        #aliases
        #deprecated
        pub async fn #fn_name #generics(
            client: &#client_type,
            #(#args,)*
        ) -> ::std::result::Result<#ret, crate::Error>
        #bound
        {
            #(#prelude)*
            let op = #operation_type::new(::sdk_runtime::Method::#http_method, #path)
                #base_url
                #mutual_tls
                #unsigned
                #(#steps)*;
            #call
        }
    };
    (tokens, signature)
}

fn function_doc(
    op: &Operation,
    signature_line: &str,
    sensitive: Option<&str>,
    settings: &Settings,
) -> String {
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
    if let Some(inferred) = &op.inferred {
        doc.push_str(&format!(
            "\n**Inferred** ({}): not confirmed by a reference page of the API.",
            inferred.parts.join(", ")
        ));
        if let Some(note) = &inferred.note {
            doc.push(' ');
            doc.push_str(note);
        }
        doc.push('\n');
    }
    if let Some(section) = sensitive {
        doc.push('\n');
        doc.push_str(section);
        doc.push('\n');
    }
    let envelope = if op.envelope.is_some() {
        " or a non-zero `code` in its envelope"
    } else {
        ""
    };
    let response = if settings.signed_responses {
        "the response's signature or body"
    } else {
        "the response body"
    };
    if matches!(op.request, RequestBody::Xml { .. }) {
        let mutual_tls = if op.mutual_tls {
            "\n\nCalled over mutual TLS (the docs' `security: true`): the client needs the \
             merchant's API certificate (`ClientBuilder::merchant_certificate_pem`), else the call \
             fails with `Build` and nothing is sent."
        } else {
            ""
        };
        let unsigned = settings
            .xml
            .as_ref()
            .is_some_and(|x| x.unsigned_responses.contains(&op.path));
        let sign = if matches!(op.response, ResponseBody::Binary) {
            "an error document comes instead of the file"
        } else if unsigned {
            "the answer is malformed (WeChat Pay does not sign this endpoint's answers)"
        } else {
            "the answer's `sign` does not verify (`Signature`)"
        };
        doc.push_str(&format!(
            "{mutual_tls}\n\n# Errors\n\nFails when the request cannot be built (`Build`), the \
             transport fails (`Transport`), `return_code` is not `SUCCESS` (`Api`, with \
             `return_msg`), {sign}, or `result_code` is `FAIL` (`Business`, with `err_code` and \
             `err_code_des`); see [`Error`](crate::Error)."
        ));
        return doc;
    }
    doc.push_str(&format!(
        "\n# Errors\n\nFails when the request cannot be built, the transport fails, {} \
         answers with an error status{envelope}, or {response} is invalid \
         (see [`Error`](crate::Error)).",
        settings.api_name
    ));
    doc
}

/// The field enum of an operation's filter (`ListPlansFilterField`) with its definition; `None`
/// when the spec lists no fields.
fn filter_fields(
    filter: &QueryFilter,
    prefix: &str,
    signature_line: &str,
    settings: &Settings,
) -> Option<(Ident, TokenStream)> {
    if filter.fields.is_empty() {
        return None;
    }
    let name = format_ident!("{prefix}FilterField");
    let doc = docs(
        &format!(
            "A field the `{}` query parameter of {signature_line} can filter on \
             (`{}[field][operator]=value`).",
            filter.name, filter.name
        ),
        false,
    );
    let variants: Vec<Ident> = filter.fields.iter().map(|f| ident(&pascal(f))).collect();
    let variant_docs = filter.fields.iter().map(|f| docs(&format!("`{f}`."), false));
    let wires = &filter.fields;
    let field_trait = settings.runtime(Runtime::FilterField);
    // Serde reads and writes a field by its wire name (`"created_at"`), e.g. from configuration.
    let item = quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum #name {
            #(#variant_docs #[serde(rename = #wires)] #variants,)*
        }

        impl #field_trait for #name {
            fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                }
            }
        }
    };
    Some((name, item))
}

#[cfg(test)]
mod tests;
