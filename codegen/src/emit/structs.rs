//! Emitting one struct of the type space: its fields, serde attributes, the constructor of a
//! type with required fields, and the lenient `Deserialize` of a response type.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::names::serde_name;
use super::types::{docs, ident};

/// One field of a struct, its Rust type resolved.
pub(super) struct FieldTokens<'a> {
    /// The wire name.
    pub wire: &'a str,
    /// The Rust field name.
    pub ident: &'a str,
    /// The Rust type (without the `Option` of an optional field).
    pub ty: TokenStream,
    /// `Option<ty>`, skipped when `None`.
    pub optional: bool,
    /// A constructor takes it as `impl Into<ty>`.
    pub into: bool,
    /// Its rustdoc.
    pub doc: &'a str,
    /// `#[serde(flatten)]` (a one-of group's enum).
    pub flatten: bool,
    /// May be `null`: a required one is an `Option` sent as `null` when `None`.
    pub nullable: bool,
    /// An APIv2 indexed list received: the members `Lenient::take_indexed` groups.
    pub indexed: Option<&'a [String]>,
}

/// A struct named `name`: `Default` when `default`, decoded leniently when `lenient` (a response),
/// from APIv2 text when `xml`.
pub(super) fn emit_struct(
    name: &str,
    doc: &str,
    fields: &[FieldTokens<'_>],
    default: bool,
    lenient: bool,
    xml: bool,
) -> TokenStream {
    let id = ident(name);
    let default = default.then(|| quote!(::std::default::Default,));
    let constructor = (!fields.iter().all(|f| f.optional)).then(|| constructor(&id, fields));
    let (deserialize, unparsed, lenient_impl) = if lenient {
        let unparsed = ident(UNPARSED);
        (
            None,
            Some(quote! {
                /// Fields this SDK does not know, or that did not decode as the model says, as raw
                /// JSON by wire name (`Debug` shows their names only).
                #[serde(flatten)]
                pub #unparsed: crate::Unparsed,
            }),
            Some(emit_lenient(name, fields, xml)),
        )
    } else {
        (Some(quote!(::serde::Deserialize)), None, None)
    };
    let fields = fields.iter().map(|f| {
        let fid = ident(f.ident);
        let ty = &f.ty;
        let rename = if f.flatten {
            Some(quote!(#[serde(flatten)]))
        } else {
            (serde_name(f.ident) != f.wire).then(|| {
                let wire = &f.wire;
                quote!(#[serde(rename = #wire)])
            })
        };
        let field_doc = docs(f.doc, false);
        if f.optional {
            quote! {
                #field_doc
                #rename
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub #fid: ::std::option::Option<#ty>,
            }
        } else if f.nullable {
            quote! {
                #field_doc
                #rename
                #[serde(default)]
                pub #fid: ::std::option::Option<#ty>,
            }
        } else {
            quote! {
                #field_doc
                #rename
                pub #fid: #ty,
            }
        }
    });
    let doc = docs(doc, false);
    quote! {
        #doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default ::serde::Serialize, #deserialize)]
        pub struct #id {
            #(#fields)*
            #unparsed
        }
        #constructor
        #lenient_impl
    }
}

/// The name of a response type's field that keeps what did not decode.
pub(super) const UNPARSED: &str = "unparsed";

/// A response type's `Deserialize`: field by field through `sdk_runtime::Lenient`, so a field of
/// an unexpected shape is kept raw in `unparsed` and never fails the whole response. An APIv2
/// type (`xml`) reads numbers and booleans from text and groups its indexed lists.
fn emit_lenient(name: &str, fields: &[FieldTokens<'_>], xml: bool) -> TokenStream {
    let id = ident(name);
    let unparsed = ident(UNPARSED);
    // An empty object takes no field.
    let binding = if fields.is_empty() {
        quote!(fields)
    } else {
        quote!(mut fields)
    };
    let takes = fields.iter().map(|f| {
        let fid = ident(f.ident);
        let wire = &f.wire;
        match (xml, f.indexed) {
            (true, Some(members)) => quote!(#fid: fields.take_indexed(#wire, &[#(#members),*]),),
            (true, None) => quote!(#fid: fields.take_text(#wire),),
            (false, _) => quote!(#fid: fields.take(#wire),),
        }
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #id {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let #binding = ::sdk_runtime::Lenient::new(deserializer, #name)?;
                ::std::result::Result::Ok(Self {
                    #(#takes)*
                    #unparsed: fields.finish(),
                })
            }
        }
    }
}

/// `new`, taking every required field in order (strings and string enums as `impl Into<_>`), the optional
/// ones unset: the one way to build a type that has required fields besides naming them all.
fn constructor(id: &Ident, fields: &[FieldTokens<'_>]) -> TokenStream {
    let required: Vec<&FieldTokens<'_>> = fields.iter().filter(|f| !f.optional).collect();
    let params = required.iter().map(|f| {
        let fid = ident(f.ident);
        let ty = &f.ty;
        if f.nullable {
            quote!(#fid: ::std::option::Option<#ty>)
        } else if f.into {
            quote!(#fid: impl ::std::convert::Into<#ty>)
        } else {
            quote!(#fid: #ty)
        }
    });
    let inits = fields.iter().map(|f| {
        let fid = ident(f.ident);
        match (f.optional, f.into) {
            (true, _) => quote!(#fid: ::std::option::Option::None),
            (false, true) if !f.nullable => quote!(#fid: #fid.into()),
            (false, _) => quote!(#fid),
        }
    });
    let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
    let doc = docs(
        &format!(
            "A value with its required fields ({}) set and every optional field unset (not sent).",
            names.join(", ")
        ),
        false,
    );
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #id {
            #doc
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits,)* }
            }
        }
    }
}
