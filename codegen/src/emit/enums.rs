//! The enums of the type space: open enums of string or integer literals (values this SDK does
//! not know yet are kept in `Unknown`), and one-of groups of request fields.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::names::{pascal, unique};
use super::types::{docs, ident};

/// A one-of group: an externally tagged enum, flattened into its object, so the chosen member
/// is sent under its own wire name and a request can hold neither both nor none.
pub(super) fn emit_one_of(name: &str, doc: &str, variants: &[(String, TokenStream)]) -> TokenStream {
    let id = ident(name);
    let wires: Vec<String> = variants.iter().map(|(wire, _)| wire.clone()).collect();
    let names = variant_names(&wires, "V");
    let arms = variants.iter().zip(&names).map(|((wire, ty), variant)| {
        let doc = docs(&format!("`{wire}`"), false);
        quote! {
            #doc
            #[serde(rename = #wire)]
            #variant(#ty),
        }
    });
    let doc = docs(doc, false);
    quote! {
        #doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub enum #id {
            #(#arms)*
        }
    }
}

/// Variant names for literal values: legal, unique, and never `Unknown` (kept for the open case).
fn variant_names<T: ToString>(values: &[T], prefix: &str) -> Vec<Ident> {
    let mut names: Vec<String> = vec!["Unknown".to_owned()];
    values
        .iter()
        .map(|v| {
            let text = v.to_string();
            let base = if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                format!("{prefix}{}", text.replace('-', "Minus"))
            } else {
                pascal(&text)
            };
            // A value such as `V3.0` or `1.0` (APIv2 versions) keeps its words: `V3_0`.
            let base: String = base
                .chars()
                .map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' })
                .collect();
            let name = unique(&base, |n| names.iter().any(|x| x == n));
            names.push(name.clone());
            ident(&name)
        })
        .collect()
}

pub(super) fn emit_str_enum(name: &str, doc: &str, values: &[String]) -> TokenStream {
    let literals: Vec<TokenStream> = values.iter().map(|v| quote!(#v)).collect();
    let repr = Repr {
        wire: quote!(::std::string::String),
        accessor: quote!(as_str),
        returns: quote!(&str),
        unknown: quote!(value),
        copy: None,
        serialize: quote!(serialize_str),
        matched: quote!(value.as_str()),
        borrowed: true,
    };
    emit_open_enum(name, doc, &variant_names(values, "V"), values, &literals, &repr)
}

pub(super) fn emit_int_enum(name: &str, doc: &str, values: &[i64]) -> TokenStream {
    let literals: Vec<TokenStream> = values.iter().map(|v| quote!(#v)).collect();
    let repr = Repr {
        wire: quote!(i64),
        accessor: quote!(as_i64),
        returns: quote!(i64),
        unknown: quote!(*value),
        copy: Some(quote!(::std::marker::Copy,)),
        serialize: quote!(serialize_i64),
        matched: quote!(value),
        borrowed: false,
    };
    emit_open_enum(name, doc, &variant_names(values, "V"), values, &literals, &repr)
}

/// How an open enum's values look on the wire (string or integer).
struct Repr {
    /// The wire type, also the payload of `Unknown`.
    wire: TokenStream,
    /// The accessor returning the wire value (`as_str`, `as_i64`).
    accessor: TokenStream,
    /// The accessor's return type.
    returns: TokenStream,
    /// The accessor's expression for `Unknown(value)`.
    unknown: TokenStream,
    /// `Copy` in the derive list, for integer enums.
    copy: Option<TokenStream>,
    /// The `Serializer` method.
    serialize: TokenStream,
    /// The expression `From` matches on.
    matched: TokenStream,
    /// Also `From<&str>` (string enums), so a literal converts with `.into()`.
    borrowed: bool,
}

/// An open enum: one variant per known value, plus `Unknown` keeping any other value.
fn emit_open_enum<T: std::fmt::Display>(
    name: &str,
    doc: &str,
    variants: &[Ident],
    values: &[T],
    literals: &[TokenStream],
    repr: &Repr,
) -> TokenStream {
    let id = ident(name);
    let variant_docs = values.iter().map(|v| docs(&format!("`{v}`"), false));
    let doc = docs(
        &format!("{doc}\n\nAn open set: values this SDK does not know yet are kept in `Unknown`."),
        false,
    );
    let Repr {
        wire,
        accessor,
        returns,
        unknown,
        copy,
        serialize,
        matched,
        borrowed,
    } = repr;
    let from_str = borrowed.then(|| {
        quote! {
            impl ::std::convert::From<&str> for #id {
                fn from(value: &str) -> Self {
                    Self::from(::std::string::String::from(value))
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, #copy ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        pub enum #id {
            #( #variant_docs #variants, )*
            /// A value this version of the SDK does not know.
            Unknown(#wire),
        }
        impl #id {
            /// The value as sent on the wire.
            pub fn #accessor(&self) -> #returns {
                match self {
                    #( Self::#variants => #literals, )*
                    Self::Unknown(value) => #unknown,
                }
            }
        }
        impl ::std::convert::From<#wire> for #id {
            fn from(value: #wire) -> Self {
                match #matched {
                    #( #literals => Self::#variants, )*
                    _ => Self::Unknown(value),
                }
            }
        }
        #from_str
        impl ::serde::Serialize for #id {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.#serialize(self.#accessor())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #id {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <#wire as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}
