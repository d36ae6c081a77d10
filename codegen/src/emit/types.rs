//! The type space of one generated module: names nested inline types once, deduplicates
//! identical ones, and emits structs and open enums.
//!
//! Response policy: every field of a type reachable from a response is `Option<_>` with
//! `#[serde(default)]`, and unknown fields are ignored, so a real response never fails to decode
//! because WeChat Pay omitted a field or added one. Request types keep the docs'
//! required/optional split.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::enums::{emit_int_enum, emit_one_of, emit_str_enum};
use super::names::{pascal, serde_name, snake, unique};
use crate::ir::{Field, Type};

/// Whether a type is sent (required fields stay required) or received (every field optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Request bodies, query strings and path parameters.
    Request,
    /// Response bodies.
    Response,
}

/// A named definition to emit.
enum Def {
    Struct {
        name: String,
        doc: String,
        fields: Vec<FieldDef>,
        default: bool,
        /// A response type: decoded field by field ([`emit_lenient`]).
        lenient: bool,
    },
    StrEnum {
        name: String,
        doc: String,
        values: Vec<String>,
    },
    IntEnum {
        name: String,
        doc: String,
        values: Vec<i64>,
    },
    /// A one-of group of request fields: one variant per member, `(wire name, type)`.
    OneOf {
        name: String,
        doc: String,
        variants: Vec<(String, TokenStream)>,
    },
}

struct FieldDef {
    wire: String,
    ident: String,
    ty: TokenStream,
    optional: bool,
    /// A constructor takes it as `impl Into<Ty>` (strings and string enums, so a literal does).
    into: bool,
    /// Its rustdoc.
    doc: String,
    /// A one-of group's enum, flattened into the object (`#[serde(flatten)]`).
    flatten: bool,
}

/// The named types of one module, in the order they were first needed.
#[derive(Default)]
pub struct TypeSpace {
    defs: Vec<Def>,
    by_shape: BTreeMap<(Type, Option<Mode>), String>,
    names: Vec<String>,
}

/// Rustdoc attributes for `text`, one `///` line per line (`//!` when `inner`).
pub fn docs(text: &str, inner: bool) -> TokenStream {
    text.lines()
        .map(|line| {
            let line = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            if inner {
                quote!(#![doc = #line])
            } else {
                quote!(#[doc = #line])
            }
        })
        .collect()
}

/// Builds an identifier from a string the naming pass already made legal (raw identifiers included).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

impl TypeSpace {
    /// True when `name` is already used by a type of this module.
    pub fn is_taken(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The Rust type for `ty`, naming (and later emitting) any struct or enum it needs.
    /// `name` is the name to give the outermost named type; `doc` its rustdoc.
    pub fn rust_type(&mut self, ty: &Type, name: &str, doc: &str, mode: Mode) -> TokenStream {
        let named = match ty {
            Type::String => return quote!(::std::string::String),
            Type::Integer => return quote!(i64),
            Type::Boolean => return quote!(bool),
            Type::DateTime => return quote!(::sdk_runtime::DateTime),
            Type::StringOrNumber => return quote!(::sdk_runtime::StringOrNumber),
            Type::Json => return quote!(::sdk_runtime::JsonValue),
            Type::Array { items } => {
                let inner = self.rust_type(items, name, doc, mode);
                return quote!(::std::vec::Vec<#inner>);
            }
            Type::Object { fields } => self.struct_def(fields, name, doc, mode),
            Type::Enum { values } => self.str_enum(ty, values, name, doc),
            Type::IntegerEnum { values } => self.int_enum(ty, values, name, doc),
        };
        let id = ident(&named);
        quote!(#id)
    }

    /// The name, in this module, of the type `ty` is emitted as when this module defines it (an
    /// object or an enum), naming it on first use like [`TypeSpace::rust_type`]; `None` otherwise.
    pub fn type_name(&mut self, ty: &Type, name: &str, doc: &str, mode: Mode) -> Option<String> {
        match ty {
            Type::Object { fields } => Some(self.struct_def(fields, name, doc, mode)),
            Type::Enum { values } => Some(self.str_enum(ty, values, name, doc)),
            Type::IntegerEnum { values } => Some(self.int_enum(ty, values, name, doc)),
            _ => None,
        }
    }

    fn str_enum(&mut self, ty: &Type, values: &[String], name: &str, doc: &str) -> String {
        self.named(ty, None, name, |name| Def::StrEnum {
            name,
            doc: doc.to_owned(),
            values: values.to_vec(),
        })
    }

    fn int_enum(&mut self, ty: &Type, values: &[i64], name: &str, doc: &str) -> String {
        self.named(ty, None, name, |name| Def::IntEnum {
            name,
            doc: doc.to_owned(),
            values: values.to_vec(),
        })
    }

    /// Names a struct for an object type with these fields (reusing an identical one).
    pub fn struct_def(&mut self, fields: &[Field], name: &str, doc: &str, mode: Mode) -> String {
        self.struct_named(fields, name, doc, mode, false)
    }

    /// Like [`TypeSpace::struct_def`] for an operation's own top-level type (`PostRequest`,
    /// `GetQuery`, …): it always gets its own name, and is never reused for a nested type.
    pub fn top_level_struct(&mut self, fields: &[Field], name: &str, doc: &str, mode: Mode) -> String {
        self.struct_named(fields, name, doc, mode, true)
    }

    fn struct_named(&mut self, fields: &[Field], name: &str, doc: &str, mode: Mode, top: bool) -> String {
        let shape = Type::Object {
            fields: fields.to_vec(),
        };
        if !top {
            if let Some(existing) = self.by_shape.get(&(shape.clone(), Some(mode))) {
                return existing.clone();
            }
        }
        let name = unique(name, |n| self.is_taken(n));
        self.names.push(name.clone());
        if !top {
            self.by_shape.insert((shape, Some(mode)), name.clone());
        }
        let index = self.defs.len();
        let lenient = mode == Mode::Response;
        self.defs.push(Def::Struct {
            name: name.clone(),
            doc: doc.to_owned(),
            fields: Vec::new(),
            default: true,
            lenient,
        });
        let mut defs = Vec::with_capacity(fields.len());
        let mut idents: Vec<String> = Vec::new();
        // One-of groups of a request type: group name → index of its enum in `self.defs`.
        let mut groups: Vec<(String, usize)> = Vec::new();
        for field in fields {
            let group = field.one_of.as_ref().filter(|_| mode == Mode::Request);
            if let Some(group) = group {
                let child = format!("{name}{}", pascal(&field.name));
                let child_doc = format!("The `{}` of [`{name}`].", field.name);
                let ty = self.rust_type(&field.ty, &child, &child_doc, mode);
                if let Some((_, at)) = groups.iter().find(|(g, _)| g == group) {
                    if let Def::OneOf { variants, .. } = &mut self.defs[*at] {
                        variants.push((field.name.clone(), ty));
                    }
                    continue;
                }
                let enum_name = unique(&format!("{name}{}", pascal(group)), |n| self.is_taken(n));
                self.names.push(enum_name.clone());
                groups.push((group.clone(), self.defs.len()));
                self.defs.push(Def::OneOf {
                    name: enum_name.clone(),
                    doc: format!("The `{group}` of [`{name}`]: exactly one of these fields is sent."),
                    variants: vec![(field.name.clone(), ty)],
                });
                let field_ident = unique(&snake(group), |n| idents.iter().any(|i| i == n));
                idents.push(field_ident.clone());
                let enum_id = ident(&enum_name);
                defs.push(FieldDef {
                    wire: group.clone(),
                    ident: field_ident,
                    ty: quote!(#enum_id),
                    optional: false,
                    into: false,
                    doc: format!(
                        "Exactly one of the fields of [`{enum_name}`] (flattened into this object)."
                    ),
                    flatten: true,
                });
                continue;
            }
            let base = snake(&field.name);
            let field_ident = unique(&base, |n| {
                idents.iter().any(|i| i == n) || (lenient && n == UNPARSED)
            });
            idents.push(field_ident.clone());
            let child = format!("{name}{}", pascal(&field.name));
            let child_doc = format!("The `{}` of [`{name}`].", field.name);
            // A sensitive request string is its plaintext, which the generated call encrypts.
            let sealed = mode == Mode::Request && field.sensitive && field.ty == Type::String;
            let ty = if sealed {
                quote!(::sdk_runtime::wechatpay::Sensitive)
            } else {
                self.rust_type(&field.ty, &child, &child_doc, mode)
            };
            let optional = mode == Mode::Response || field.optional;
            let doc = match (field.sensitive, mode) {
                (false, _) => format!("`{}`", field.name),
                (true, Mode::Request) => format!(
                    "`{}`: sensitive, give the plaintext; the call encrypts it with the WeChat Pay key it names in `Wechatpay-Serial`.",
                    field.name
                ),
                (true, Mode::Response) => format!(
                    "`{}`: sensitive, encrypted with the merchant's key; decrypt with `Client::decrypt`.",
                    field.name
                ),
            };
            defs.push(FieldDef {
                wire: field.name.clone(),
                ident: field_ident,
                ty,
                optional,
                into: sealed || matches!(field.ty, Type::String | Type::Enum { .. }),
                doc,
                flatten: false,
            });
        }
        // A required field never takes a made-up value (`""`, `0`, `[]`): a type with one has
        // no `Default`, only a constructor taking every required field.
        let default = defs.iter().all(|f| f.optional);
        if let Def::Struct {
            fields: slot,
            default: d,
            ..
        } = &mut self.defs[index]
        {
            *slot = defs;
            *d = default;
        }
        name
    }

    fn named(
        &mut self,
        ty: &Type,
        mode: Option<Mode>,
        name: &str,
        make: impl FnOnce(String) -> Def,
    ) -> String {
        if let Some(existing) = self.by_shape.get(&(ty.clone(), mode)) {
            return existing.clone();
        }
        let name = unique(name, |n| self.is_taken(n));
        self.names.push(name.clone());
        self.by_shape.insert((ty.clone(), mode), name.clone());
        self.defs.push(make(name.clone()));
        name
    }

    /// Emits every definition, in the order they were named.
    pub fn emit(&self) -> TokenStream {
        self.defs.iter().map(emit_def).collect()
    }
}

fn emit_def(def: &Def) -> TokenStream {
    match def {
        Def::Struct {
            name,
            doc,
            fields,
            default,
            lenient,
        } => emit_struct(name, doc, fields, *default, *lenient),
        Def::StrEnum { name, doc, values } => emit_str_enum(name, doc, values),
        Def::IntEnum { name, doc, values } => emit_int_enum(name, doc, values),
        Def::OneOf { name, doc, variants } => emit_one_of(name, doc, variants),
    }
}

fn emit_struct(name: &str, doc: &str, fields: &[FieldDef], default: bool, lenient: bool) -> TokenStream {
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
                pub #unparsed: ::sdk_runtime::Unparsed,
            }),
            Some(emit_lenient(name, fields)),
        )
    } else {
        (Some(quote!(::serde::Deserialize)), None, None)
    };
    let fields = fields.iter().map(|f| {
        let fid = ident(&f.ident);
        let ty = &f.ty;
        let rename = if f.flatten {
            Some(quote!(#[serde(flatten)]))
        } else {
            (serde_name(&f.ident) != f.wire).then(|| {
                let wire = &f.wire;
                quote!(#[serde(rename = #wire)])
            })
        };
        let field_doc = docs(&f.doc, false);
        if f.optional {
            quote! {
                #field_doc
                #rename
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
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
const UNPARSED: &str = "unparsed";

/// A response type's `Deserialize`: field by field through `sdk_runtime::Lenient`, so a field of
/// an unexpected shape is kept raw in `unparsed` and never fails the whole response.
fn emit_lenient(name: &str, fields: &[FieldDef]) -> TokenStream {
    let id = ident(name);
    let unparsed = ident(UNPARSED);
    // An empty object takes no field.
    let binding = if fields.is_empty() {
        quote!(fields)
    } else {
        quote!(mut fields)
    };
    let takes = fields.iter().map(|f| {
        let fid = ident(&f.ident);
        let wire = &f.wire;
        quote!(#fid: fields.take(#wire),)
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
fn constructor(id: &Ident, fields: &[FieldDef]) -> TokenStream {
    let required: Vec<&FieldDef> = fields.iter().filter(|f| !f.optional).collect();
    let params = required.iter().map(|f| {
        let fid = ident(&f.ident);
        let ty = &f.ty;
        if f.into {
            quote!(#fid: impl ::std::convert::Into<#ty>)
        } else {
            quote!(#fid: #ty)
        }
    });
    let inits = fields.iter().map(|f| {
        let fid = ident(&f.ident);
        match (f.optional, f.into) {
            (true, _) => quote!(#fid: ::std::option::Option::None),
            (false, true) => quote!(#fid: #fid.into()),
            (false, false) => quote!(#fid),
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

/// An identifier for a generated argument or local, avoiding the names the function body uses.
pub fn argument(name: &str, reserved: &[&str]) -> Ident {
    let base = snake(name);
    let chosen = if reserved.contains(&serde_name(&base)) {
        format!("{}_", serde_name(&base))
    } else {
        base
    };
    ident(&chosen)
}
