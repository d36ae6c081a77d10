//! The type space of the generated crate, in the manner of typify's `TypeSpace`: every struct and
//! enum the operations need, defined once under a stable canonical name in `crate::types`, and
//! re-exported by each operation module under the names a reader of that operation looks for
//! (`PostRequest`, `PostRequestAmount`, `GetResponse`).
//!
//! - **Type ids and structural dedup.** A definition is keyed by its shape (fields, types,
//!   optionality and the facts that change the Rust type, not where a fact came from): the same
//!   shape anywhere in the crate is one definition. Response shapes ignore optionality (every
//!   response field is an `Option`).
//! - **Names.** Each definition collects suggested names: the official SDK's type name
//!   (`Transaction`, `Refund`) and the name of the field it is found in (`Amount`). A suggestion is
//!   granted when no other definition asks for it; otherwise the definition is named after its
//!   first use (`RefundDomesticRefundsPostRequestAmount`). Operation modules keep their own names
//!   as re-exports, so those never change when a canonical name does.
//! - **Features.** A definition is compiled when a product that uses it is (`#[cfg(any(…))]`).
//!
//! Response policy: every field of a response type is `Option<_>` and decodes leniently
//! ([`super::structs`]); request types keep the model's required/optional split.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::enums::{emit_int_enum, emit_one_of, emit_str_enum};
pub use super::module_types::ModuleTypes;
use super::module_types::continuing;
use super::names::{serde_name, snake};
use super::structs::{FieldTokens, emit_struct};
use crate::ir::Type;

/// Whether a type is sent (required fields stay required) or received (every field optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Request bodies, query strings and path parameters.
    Request,
    /// Response bodies.
    Response,
    /// APIv2 XML request bodies: sent as text, lists indexed (`coupon_id_0`).
    XmlRequest,
    /// APIv2 XML answers: every value arrives as text, lists indexed.
    XmlResponse,
}

impl Mode {
    /// A type that is sent (JSON or XML).
    pub fn is_request(self) -> bool {
        matches!(self, Mode::Request | Mode::XmlRequest)
    }

    /// A type that is received (JSON or XML).
    pub fn is_response(self) -> bool {
        matches!(self, Mode::Response | Mode::XmlResponse)
    }

    /// An APIv2 XML type.
    pub fn is_xml(self) -> bool {
        matches!(self, Mode::XmlRequest | Mode::XmlResponse)
    }
}

/// A field's Rust type, before names are final.
#[derive(Debug, Clone)]
pub(super) enum Ty {
    /// A type that needs no name (`String`, `i64`, `crate::DateTime`, …).
    Plain(TokenStream),
    /// A definition of the type space, by id.
    Named(usize),
    /// A list.
    Vec(Box<Ty>),
    /// `Box<_>`: a named type inside itself.
    Boxed(Box<Ty>),
    /// A named type by name, while it is being defined (a reference to itself).
    Ref(String, Mode),
}

/// One field of a struct definition.
pub(super) struct FieldDef {
    pub(super) wire: String,
    pub(super) ident: String,
    pub(super) ty: Ty,
    pub(super) optional: bool,
    pub(super) into: bool,
    pub(super) doc: String,
    pub(super) flatten: bool,
    pub(super) nullable: bool,
    /// An APIv2 indexed list received: the wire names (without index) of its items' members,
    /// those of lists inside them included (`coupon_id`, …), which `Lenient::take_indexed` groups.
    pub(super) indexed: Option<Vec<String>>,
}

/// What a definition is.
pub(super) enum Kind {
    Struct {
        fields: Vec<FieldDef>,
        default: bool,
        lenient: bool,
        /// Decoded from APIv2 text (`Lenient::take_text`, `take_indexed`).
        xml: bool,
    },
    StrEnum(Vec<String>),
    IntEnum(Vec<i64>),
    /// A one-of group of request fields: `(wire name, type)` per member.
    OneOf(Vec<(String, Ty)>),
}

/// The identity of a definition: its shape, and for a one-of group the struct it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    Shape(Type, Option<Mode>),
    OneOf(usize, String),
    /// A named type of the spec: its own definition whatever its shape.
    Named(String, Mode),
}

/// One definition of the type space.
pub(super) struct Def {
    pub(super) kind: Kind,
    /// Where it is used, first use first: "request body of `POST /v3/…`".
    uses: Vec<String>,
    /// The official SDK's name for it, with its package (`payments.Transaction`).
    pub(super) sdk_name: Option<String>,
    /// Names the fields it is found in ask for (`Amount`).
    pub(super) suggested: Vec<String>,
    /// The name after the first use: module path and local name, unique in the crate.
    pub(super) qualified: String,
    /// Products (cargo features) whose modules use it.
    products: BTreeSet<String>,
    /// The spec's own name for it (a named type's), which it gets unless another claims it too.
    pub(super) required: Option<String>,
    /// An APIv2 (XML) type: a field name it suggests goes to it only when no other type asks
    /// for that name, so adding APIv2 never renames an APIv3 type.
    pub(super) xml: bool,
}

/// Every definition of the crate. Filled by the [`ModuleTypes`] of each module, then emitted
/// once as `crate::types` ([`TypeSpace::emit`]).
#[derive(Default)]
pub struct TypeSpace {
    pub(super) defs: Vec<Def>,
    by_key: BTreeMap<Key, usize>,
    /// The spec's named types by name ([`TypeSpace::with_named`]).
    pub(super) named: BTreeMap<String, crate::ir::NamedType>,
    /// The named types being defined, per mode (a reference to one of them is to itself).
    pub(super) in_progress: BTreeSet<(String, Mode)>,
    /// The type of a sensitive request string (its plaintext, which the call encrypts).
    pub(super) sensitive: TokenStream,
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
    /// The definition of `key`, if there is one yet.
    pub(super) fn id_of(&self, key: &Key) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// The definition with `key`, made by `make` on first use; records the use either way.
    pub(super) fn define(
        &mut self,
        key: Key,
        make: impl FnOnce() -> Kind,
        use_: &str,
        qualified: String,
        product: &str,
    ) -> usize {
        let use_ = use_.trim_end_matches('.');
        let id = match self.by_key.get(&key) {
            Some(id) => *id,
            None => {
                let id = self.defs.len();
                let xml = match &key {
                    Key::Shape(_, mode) => mode.is_some_and(Mode::is_xml),
                    Key::Named(_, mode) => mode.is_xml(),
                    Key::OneOf(..) => false,
                };
                self.defs.push(Def {
                    xml,
                    kind: make(),
                    uses: Vec::new(),
                    sdk_name: None,
                    suggested: Vec::new(),
                    qualified,
                    products: BTreeSet::new(),
                    required: None,
                });
                self.by_key.insert(key, id);
                id
            }
        };
        let def = &mut self.defs[id];
        if !def.uses.iter().any(|u| u == use_) {
            def.uses.push(use_.to_owned());
        }
        def.products.insert(product.to_owned());
        id
    }

    /// Adds the name of a field `id` is found in as a suggestion.
    pub(super) fn suggest(&mut self, id: usize, name: &str) {
        let suggested = &mut self.defs[id].suggested;
        if !suggested.iter().any(|s| s == name) {
            suggested.push(name.to_owned());
        }
    }

    /// `crate::types`: every definition under its canonical name (`names`, from
    /// [`TypeSpace::names`]), each compiled with the products that use it.
    pub fn emit(&self, names: &[String]) -> TokenStream {
        let resolve = |ty: &Ty| self.resolved(ty, names);
        self.defs
            .iter()
            .zip(names)
            .map(|(def, name)| {
                let cfg = match def.products.len() {
                    1 => {
                        let feature = def.products.iter().next();
                        quote!(#[cfg(feature = #feature)])
                    }
                    _ => {
                        let features = def.products.iter();
                        quote!(#[cfg(any(#(feature = #features),*))])
                    }
                };
                let mut doc = format!("{}.", capitalized(&def.uses[0]));
                if def.uses.len() > 1 {
                    let more: Vec<String> = def.uses[1..].iter().take(8).map(|u| continuing(u)).collect();
                    let rest = def.uses.len() - 1 - more.len();
                    doc.push_str(&format!("\n\nAlso the {}", more.join("; the ")));
                    if rest > 0 {
                        doc.push_str(&format!("; and {rest} more"));
                    }
                    doc.push('.');
                }
                let item = match &def.kind {
                    Kind::Struct {
                        fields,
                        default,
                        lenient,
                        xml,
                    } => {
                        let fields: Vec<FieldTokens<'_>> = fields
                            .iter()
                            .map(|f| FieldTokens {
                                wire: &f.wire,
                                ident: &f.ident,
                                ty: resolve(&f.ty),
                                optional: f.optional,
                                into: f.into,
                                doc: &f.doc,
                                flatten: f.flatten,
                                nullable: f.nullable,
                                indexed: f.indexed.as_deref(),
                            })
                            .collect();
                        emit_struct(name, &doc, &fields, *default, *lenient, *xml)
                    }
                    Kind::StrEnum(values) => emit_str_enum(name, &doc, values),
                    Kind::IntEnum(values) => emit_int_enum(name, &doc, values),
                    Kind::OneOf(variants) => {
                        let variants: Vec<(String, TokenStream)> =
                            variants.iter().map(|(w, t)| (w.clone(), resolve(t))).collect();
                        emit_one_of(name, &doc, &variants)
                    }
                };
                // Every item of the definition (struct, impls) carries the cfg.
                match syn::parse2::<syn::File>(item) {
                    Ok(file) => {
                        let items = file.items.into_iter().map(|item| quote!(#cfg #item));
                        quote!(#(#items)*)
                    }
                    Err(err) => {
                        let message = format!("internal error: invalid definition of `{name}`: {err}");
                        quote!(::core::compile_error!(#message);)
                    }
                }
            })
            .collect()
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Def {
    /// True for a response type (decoded leniently).
    pub(super) fn is_response(&self) -> bool {
        matches!(self.kind, Kind::Struct { lenient: true, .. })
    }
}

impl TypeSpace {
    /// The tokens of a type inside `crate::types`.
    fn resolved(&self, ty: &Ty, names: &[String]) -> TokenStream {
        match ty {
            Ty::Plain(tokens) => tokens.clone(),
            Ty::Named(id) => {
                let id = ident(&names[*id]);
                quote!(#id)
            }
            Ty::Vec(items) => {
                let inner = self.resolved(items, names);
                quote!(::std::vec::Vec<#inner>)
            }
            Ty::Boxed(inner) => {
                let inner = self.resolved(inner, names);
                quote!(::std::boxed::Box<#inner>)
            }
            Ty::Ref(name, mode) => match self.by_key.get(&Key::Named(name.clone(), *mode)) {
                Some(id) => self.resolved(&Ty::Named(*id), names),
                None => quote!(::core::compile_error!(
                    "internal error: a named type was never defined"
                )),
            },
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
