//! The view of one operation module on the [`TypeSpace`]: it defines (or finds) the types the
//! module's operations need, keyed by shape or by name, and names them in the module.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::names::{pascal, snake, unique};
use super::structs::UNPARSED;
use super::types::{FieldDef, Key, Kind, Mode, Ty, TypeSpace, ident};
use crate::ir::{Field, Type};

/// A one-of group of a request struct being defined: its name, the index of its field in the
/// struct, and its members' types.
struct Group {
    name: String,
    at: usize,
    members: Vec<(String, Ty)>,
}

/// The view of one operation module on the [`TypeSpace`]: the local names it gives the
/// definitions it uses, re-exported from `crate::types` ([`ModuleTypes::reexports`]).
pub struct ModuleTypes<'s> {
    pub(super) space: &'s mut TypeSpace,
    /// The module's path below the crate root (`["v3", "refund", "domestic", "refunds"]`).
    module: Vec<String>,
    product: String,
    /// `(local name, id)`, in the order they were named.
    locals: Vec<(String, usize)>,
    /// The first local name of each id (nested types reuse it).
    by_id: BTreeMap<usize, String>,
}

/// The shape a definition is keyed by: where facts came from does not change the Rust type, and
/// neither does a response field's optionality or a field's description.
fn normalized(fields: &[Field], mode: Mode) -> Vec<Field> {
    fields
        .iter()
        .map(|f| Field {
            name: f.name.clone(),
            optional: f.optional && mode.is_request(),
            ty: normalized_type(&f.ty, mode),
            nullable: f.nullable && mode.is_request(),
            sensitive: f.sensitive,
            one_of: f.one_of.clone().filter(|_| mode.is_request()),
            official_sdk: Vec::new(),
            erratum: Vec::new(),
            description: None,
        })
        .collect()
}

/// The members an APIv2 indexed list of `ty` (a list of objects) groups: its items' wire names,
/// and those of the lists inside them; `None` for any other type.
fn indexed_members(ty: &Type) -> Option<Vec<String>> {
    let Type::Array { items } = ty else {
        return None;
    };
    let Type::Object { fields } = items.as_ref() else {
        return None;
    };
    let mut members = Vec::new();
    for field in fields {
        match indexed_members(&field.ty) {
            Some(inner) => members.extend(inner),
            None => members.push(field.name.clone()),
        }
    }
    members.sort();
    members.dedup();
    Some(members)
}

fn normalized_type(ty: &Type, mode: Mode) -> Type {
    match ty {
        Type::Object { fields } => Type::Object {
            fields: normalized(fields, mode),
        },
        Type::Array { items } => Type::Array {
            items: Box::new(normalized_type(items, mode)),
        },
        other => other.clone(),
    }
}

/// A field's rustdoc: its wire name, its description when the model has one, the unit of an
/// amount the description says is in fen, and what to do with a sensitive field.
pub(super) fn field_doc(field: &Field, mode: Mode) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(description) = &field.description {
        let mut sentence = description.clone();
        if !sentence.ends_with(['.', '。', '!', '?', '！', '？']) {
            sentence.push('.');
        }
        parts.push(sentence);
    }
    if matches!(field.ty, Type::Integer) && field.description.as_deref().is_some_and(in_fen) {
        parts.push("Unit: fen (1/100 yuan).".to_owned());
    }
    let sensitive = match (field.sensitive, mode) {
        (false, _) => None,
        (true, Mode::Request | Mode::XmlRequest) => Some(
            "sensitive, give the plaintext; the call encrypts it with the WeChat Pay key it names \
             in `Wechatpay-Serial`.",
        ),
        (true, Mode::Response | Mode::XmlResponse) => {
            Some("sensitive, encrypted with the merchant's key; decrypt with `Client::decrypt`.")
        }
    };
    if let Some(sensitive) = sensitive {
        parts.push(if parts.is_empty() {
            sensitive.to_owned()
        } else {
            format!("S{}", &sensitive[1..])
        });
    }
    if parts.is_empty() {
        format!("`{}`", field.name)
    } else {
        format!("`{}`: {}", field.name, parts.join(" "))
    }
}

/// True when a description says its amount is in fen (分), the unit of WeChat Pay's integer
/// amounts: `单位为分`, `单位：分`, `单位(分)`, `in fen`, and the like (not `单位：分钟`, minutes).
pub(super) fn in_fen(description: &str) -> bool {
    let text: String = description.split_whitespace().collect();
    let chinese = [
        "单位为分",
        "单位是分",
        "单位：分",
        "单位:分",
        "单位(分)",
        "单位（分）",
        "单位分",
        "（分）",
        "(分)",
    ]
    .iter()
    .any(|pattern| {
        text.match_indices(pattern)
            .any(|(at, p)| !text[at + p.len()..].starts_with('钟'))
    });
    let lower = description.to_lowercase();
    chinese || lower.contains("in fen") || lower.contains("unit: fen")
}

/// Lower-cases the first letter of a description, to continue a sentence with it.
pub(super) fn continuing(text: &str) -> String {
    let text = text.trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl TypeSpace {
    /// The view of module `module` (path below the crate root) of product `product`.
    pub fn module(&mut self, module: Vec<String>, product: &str) -> ModuleTypes<'_> {
        ModuleTypes {
            space: self,
            module,
            product: product.to_owned(),
            locals: Vec::new(),
            by_id: BTreeMap::new(),
        }
    }
}

impl ModuleTypes<'_> {
    /// True when `name` is already a type of this module.
    pub fn is_taken(&self, name: &str) -> bool {
        self.locals.iter().any(|(n, _)| n == name)
    }

    /// True when this module already names the definition of `key`.
    pub(super) fn names_key(&self, key: &Key) -> bool {
        self.space
            .id_of(key)
            .is_some_and(|id| self.by_id.contains_key(&id))
    }

    /// The local name of `id` in this module: its first one, or `name` made unique.
    pub(super) fn local(&mut self, id: usize, name: &str, always_new: bool) -> String {
        if !always_new {
            if let Some(existing) = self.by_id.get(&id) {
                return existing.clone();
            }
        }
        let local = unique(name, |n| self.is_taken(n));
        self.locals.push((local.clone(), id));
        self.by_id.entry(id).or_insert_with(|| local.clone());
        local
    }

    /// The qualified name of a definition first used here as `local`.
    pub(super) fn qualified(&self, local: &str) -> String {
        let versioned = self
            .module
            .first()
            .is_some_and(|m| m.len() > 1 && m.starts_with('v') && m[1..].chars().all(|c| c.is_ascii_digit()));
        let skip = usize::from(versioned);
        let path: String = self.module.iter().skip(skip).map(|m| pascal(m)).collect();
        format!("{path}{local}")
    }

    /// The name, in this module, of the type `ty` is emitted as when it needs a definition (an
    /// object or an enum), naming it on first use; `None` for other types. `use_` says where it
    /// is used (`Path parameter `kind` of `POST /v3/…`.`).
    pub fn type_name(&mut self, ty: &Type, name: &str, use_: &str, mode: Mode) -> Option<String> {
        match self.rust_type(ty, name, use_, mode, None) {
            Ty::Named(id) => self.by_id.get(&id).cloned(),
            _ => None,
        }
    }

    /// The Rust type, in this module, of a value of type `ty` (a request or response body given
    /// as a type: a named type, a list of them), defining what it needs; `name` is the local
    /// name an anonymous definition gets.
    pub fn value_type(&mut self, ty: &Type, name: &str, use_: &str, mode: Mode) -> TokenStream {
        let ty = self.rust_type(ty, name, use_, mode, None);
        self.local_tokens(&ty)
    }

    fn local_tokens(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Plain(tokens) => tokens.clone(),
            Ty::Named(id) => {
                let local = ident(self.by_id.get(id).map_or("Unnamed", String::as_str));
                quote!(#local)
            }
            Ty::Vec(items) => {
                let inner = self.local_tokens(items);
                quote!(::std::vec::Vec<#inner>)
            }
            Ty::Boxed(inner) => {
                let inner = self.local_tokens(inner);
                quote!(::std::boxed::Box<#inner>)
            }
            Ty::Ref(..) => quote!(::core::compile_error!(
                "internal error: a reference outside its type"
            )),
        }
    }

    /// Names an operation's own top-level type (`PostRequest`, `GetQuery`, `GetResponse`): it
    /// always gets its own local name. `suggested` is the official SDK's name for it, with its
    /// package (`payments.Transaction`).
    pub fn top_level_struct(
        &mut self,
        fields: &[Field],
        name: &str,
        use_: &str,
        mode: Mode,
        suggested: Option<&str>,
    ) -> String {
        let id = self.struct_id(fields, name, use_, mode, true, None);
        if let Some(suggested) = suggested {
            self.space.defs[id]
                .sdk_name
                .get_or_insert_with(|| suggested.to_owned());
        }
        self.locals
            .iter()
            .rev()
            .find(|(_, i)| *i == id)
            .map(|(n, _)| n.clone())
            .unwrap_or_default()
    }

    /// The type of `ty`, defining what it needs. `name` is the local name its definition gets;
    /// `field` the field it is found in (its name is a suggestion for the definition).
    pub(super) fn rust_type(
        &mut self,
        ty: &Type,
        name: &str,
        use_: &str,
        mode: Mode,
        field: Option<&str>,
    ) -> Ty {
        let id = match ty {
            Type::String => return Ty::Plain(quote!(::std::string::String)),
            Type::Integer => return Ty::Plain(quote!(i64)),
            Type::Decimal => return Ty::Plain(quote!(crate::Decimal)),
            Type::Named { name } => return self.named_type(name, use_, mode),
            Type::Boolean => return Ty::Plain(quote!(bool)),
            Type::DateTime => return Ty::Plain(quote!(crate::DateTime)),
            Type::StringOrNumber => return Ty::Plain(quote!(crate::StringOrNumber)),
            Type::Json => return Ty::Plain(quote!(crate::JsonValue)),
            Type::Array { items } => {
                return Ty::Vec(Box::new(self.rust_type(items, name, use_, mode, field)));
            }
            Type::Object { fields } => self.struct_id(fields, name, use_, mode, false, None),
            Type::Enum { .. } | Type::IntegerEnum { .. } => {
                // APIv2 enums are their own: sharing one with APIv3 would rename APIv3's.
                let key_mode = mode.is_xml().then_some(Mode::XmlResponse);
                self.enum_id(ty, name, use_, Key::Shape(ty.clone(), key_mode))
            }
        };
        if let Some(field) = field {
            self.space.suggest(id, &pascal(field));
        }
        Ty::Named(id)
    }

    /// The definition of a string or integer enum `ty`, keyed by `key`, named `name` here.
    pub(super) fn enum_id(&mut self, ty: &Type, name: &str, use_: &str, key: Key) -> usize {
        let qualified = self.qualified(name);
        let kind = || match ty {
            Type::IntegerEnum { values } => Kind::IntEnum(values.clone()),
            Type::Enum { values } => Kind::StrEnum(values.clone()),
            _ => Kind::StrEnum(Vec::new()),
        };
        let id = self.space.define(key, kind, use_, qualified, &self.product);
        self.local(id, name, false);
        id
    }

    /// The definition of an object with `fields`, its nested types defined (or found) first, and
    /// every one of them named in this module. `key` is its identity when not its shape (a
    /// named type's).
    pub(super) fn struct_id(
        &mut self,
        fields: &[Field],
        name: &str,
        use_: &str,
        mode: Mode,
        top: bool,
        key: Option<Key>,
    ) -> usize {
        let key = key.unwrap_or_else(|| {
            Key::Shape(
                Type::Object {
                    fields: normalized(fields, mode),
                },
                Some(mode),
            )
        });
        // The local name first, so nested types are named after it; the id it stands for is
        // known once the definition is.
        let local = unique(name, |n| self.is_taken(n));
        let context = continuing(use_);
        let lenient = mode.is_response();
        let mut defs = Vec::with_capacity(fields.len());
        let mut idents: Vec<String> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        for field in fields {
            let child = format!("{local}{}", pascal(&field.name));
            let child_use = format!("`{}` in {context}", field.name);
            if let Some(group) = field.one_of.as_ref().filter(|_| mode.is_request()) {
                let ty = self.rust_type(&field.ty, &child, &child_use, mode, Some(&field.name));
                match groups.iter_mut().find(|g| &g.name == group) {
                    Some(g) => g.members.push((field.name.clone(), ty)),
                    None => {
                        let field_ident = unique(&snake(group), |n| idents.iter().any(|i| i == n));
                        idents.push(field_ident.clone());
                        groups.push(Group {
                            name: group.clone(),
                            at: defs.len(),
                            members: vec![(field.name.clone(), ty)],
                        });
                        defs.push(FieldDef {
                            wire: group.clone(),
                            ident: field_ident,
                            ty: Ty::Plain(TokenStream::new()),
                            optional: false,
                            into: false,
                            doc:
                                "Exactly one of the fields of this one-of group (flattened into this object)."
                                    .to_owned(),
                            flatten: true,
                            nullable: false,
                            indexed: None,
                        });
                    }
                }
                continue;
            }
            let field_ident = unique(&snake(&field.name), |n| {
                idents.iter().any(|i| i == n) || (lenient && n == UNPARSED)
            });
            idents.push(field_ident.clone());
            // A sensitive request string is its plaintext, which the generated call encrypts.
            let sealed = mode.is_request() && field.sensitive && field.ty == Type::String;
            let ty = if sealed {
                Ty::Plain(self.space.sensitive.clone())
            } else {
                self.rust_type(&field.ty, &child, &child_use, mode, Some(&field.name))
            };
            let doc = field_doc(field, mode);
            defs.push(FieldDef {
                wire: field.name.clone(),
                ident: field_ident,
                ty,
                optional: mode.is_response() || field.optional,
                into: sealed || matches!(field.ty, Type::String | Type::Enum { .. }),
                doc,
                flatten: false,
                nullable: field.nullable && mode.is_request(),
                indexed: (mode == Mode::XmlResponse)
                    .then(|| indexed_members(&field.ty))
                    .flatten(),
            });
        }
        // A required field never takes a made-up value (`""`, `0`, `[]`): a type with one has
        // no `Default`, only a constructor taking every required field.
        let default = defs.iter().all(|f| f.optional);
        let qualified = self.qualified(&local);
        let id = self.space.define(
            key,
            || Kind::Struct {
                fields: defs,
                default,
                lenient,
                xml: mode.is_xml(),
            },
            use_,
            qualified,
            &self.product,
        );
        let local = self.local(id, &local, top);
        // The one-of enums belong to the struct: defined once with it, named here after it.
        for Group {
            name: group,
            at,
            members,
        } in groups
        {
            let enum_local = format!("{local}{}", pascal(&group));
            let qualified = self.qualified(&enum_local);
            let group_use = format!("one-of `{group}` in {context}");
            let enum_id = self.space.define(
                Key::OneOf(id, group.clone()),
                || Kind::OneOf(members),
                &group_use,
                qualified,
                &self.product,
            );
            self.space.suggest(enum_id, &pascal(&group));
            self.local(enum_id, &enum_local, false);
            if let Kind::Struct { fields, .. } = &mut self.space.defs[id].kind {
                if let Some(slot) = fields.get_mut(at).filter(|f| f.flatten && f.wire == group) {
                    slot.ty = Ty::Named(enum_id);
                }
            }
        }
        id
    }

    /// `pub use crate::types::Canonical as Local;` for every definition this module names, in
    /// the order it named them. Names are resolved against the whole type space, so this runs
    /// after every module has registered its types ([`TypeSpace::emit`] uses the same names).
    pub fn reexports(locals: &[(String, usize)], names: &[String]) -> TokenStream {
        locals
            .iter()
            .map(|(local, id)| {
                let canonical = ident(&names[*id]);
                let local_id = ident(local);
                if names[*id] == *local {
                    quote!(pub use crate::types::#canonical;)
                } else {
                    quote!(pub use crate::types::#canonical as #local_id;)
                }
            })
            .collect()
    }

    /// The `(local name, id)` pairs this module named, for [`ModuleTypes::reexports`].
    pub fn into_locals(self) -> Vec<(String, usize)> {
        self.locals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(name: &str, ty: Type, description: &str) -> Field {
        Field {
            description: Some(description.to_owned()),
            ..Field::new(name, ty)
        }
    }

    #[test]
    fn a_field_doc_shows_its_description_and_the_unit_of_an_amount_in_fen() {
        let total = described("total", Type::Integer, "订单总金额，单位为分");
        assert_eq!(
            field_doc(&total, Mode::Request),
            "`total`: 订单总金额，单位为分. Unit: fen (1/100 yuan)."
        );
        let refund = described("refund", Type::Integer, "退款金额，币种的最小单位（分）。");
        assert!(field_doc(&refund, Mode::Response).ends_with("。 Unit: fen (1/100 yuan)."));
        // A string or a description that names no unit gets none.
        let label = described("label", Type::String, "Amount in fen, as text");
        assert_eq!(
            field_doc(&label, Mode::Request),
            "`label`: Amount in fen, as text."
        );
        let count = described("count", Type::Integer, "Number of records to skip.");
        assert_eq!(
            field_doc(&count, Mode::Request),
            "`count`: Number of records to skip."
        );
        assert_eq!(field_doc(&Field::new("id", Type::String), Mode::Request), "`id`");
    }

    #[test]
    fn the_wordings_of_fen_are_recognized() {
        for text in [
            "单位为分",
            "单位：分",
            "单位: 分",
            "金额（单位：分）",
            "单位(分)",
            "in fen",
            "Unit: fen",
        ] {
            assert!(in_fen(text), "{text}");
        }
        for text in [
            "单位为元",
            "分账金额",
            "超时时间，单位：分钟",
            "单位分钟",
            "a fence",
        ] {
            assert!(!in_fen(text), "{text}");
        }
    }

    #[test]
    fn a_sensitive_field_says_what_to_do_after_its_description() {
        let name = Field {
            sensitive: true,
            ..Field::new("name", Type::String)
        };
        assert!(field_doc(&name, Mode::Request).starts_with("`name`: sensitive, give the plaintext;"));
        let described = Field {
            sensitive: true,
            ..described("name", Type::String, "收款方真实姓名")
        };
        assert!(
            field_doc(&described, Mode::Response).starts_with("`name`: 收款方真实姓名. Sensitive, encrypted")
        );
    }
}
