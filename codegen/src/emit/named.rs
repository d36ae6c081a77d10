//! The spec's named types in the type space (OpenAPI `components.schemas`, referred to by
//! [`Type::Named`]): each one its own definition, whatever its shape, under its own name, and a
//! reference from a named type to itself boxed.

use std::collections::BTreeMap;

use quote::quote;

use super::names::pascal;
use super::types::{Key, Mode, ModuleTypes, Ty, TypeSpace};
use crate::ir::{Document, NamedType, RequestBody, ResponseBody, Type};

impl TypeSpace {
    /// A type space that knows the named types of `documents`.
    ///
    /// # Errors
    /// A message naming the documents when two of them define one name differently, or a
    /// [`Type::Named`] refers to a name no document defines.
    pub fn with_named(documents: &[Document]) -> Result<TypeSpace, String> {
        let mut named: BTreeMap<String, (&NamedType, &str)> = BTreeMap::new();
        for document in documents {
            for ty in &document.types {
                match named.get(&ty.name) {
                    Some((first, source)) if first.ty != ty.ty => {
                        return Err(format!(
                            "{}: the named type `{}` differs from the one of {source}",
                            document.source, ty.name
                        ));
                    }
                    Some(_) => {}
                    None => {
                        named.insert(ty.name.clone(), (ty, &document.source));
                    }
                }
            }
        }
        for document in documents {
            let types = document.types.iter().map(|t| &t.ty);
            let operations = document.operations.iter().flat_map(|op| {
                let request = op.request.fields().unwrap_or_default();
                let request_value = match &op.request {
                    RequestBody::Value { ty } => Some(ty),
                    _ => None,
                };
                let response = op.response.fields().unwrap_or_default();
                let response_value = match &op.response {
                    ResponseBody::Value { ty } => Some(ty),
                    _ => None,
                };
                [&op.path_params, &op.query, &op.headers]
                    .into_iter()
                    .flatten()
                    .chain(request)
                    .chain(response)
                    .map(|f| &f.ty)
                    .chain(request_value)
                    .chain(response_value)
            });
            for ty in types.chain(operations) {
                if let Some(missing) = first_unknown(ty, &|name| named.contains_key(name)) {
                    return Err(format!(
                        "{}: the named type `{missing}` is not defined",
                        document.source
                    ));
                }
            }
        }
        let mut space = TypeSpace::default();
        space.named = named
            .into_iter()
            .map(|(name, (ty, _))| (name, ty.clone()))
            .collect();
        Ok(space)
    }
}

/// The first name `ty` refers to that `known` does not know.
fn first_unknown(ty: &Type, known: &dyn Fn(&str) -> bool) -> Option<String> {
    match ty {
        Type::Named { name } if !known(name) => Some(name.clone()),
        Type::Array { items } => first_unknown(items, known),
        Type::Object { fields } => fields.iter().find_map(|f| first_unknown(&f.ty, known)),
        _ => None,
    }
}

impl ModuleTypes<'_> {
    /// The type of a reference to the named type `name`: its definition (made on first use, in
    /// this mode), or, inside its own definition, a box of it.
    pub(super) fn named_type(&mut self, name: &str, use_: &str, mode: Mode) -> Ty {
        let Some(named) = self.space.named.get(name).cloned() else {
            // `TypeSpace::with_named` checked every reference.
            return Ty::Plain(quote!(::core::compile_error!(
                "internal error: unknown named type"
            )));
        };
        // An enum is the same type in both directions; an object is two (a request struct and a
        // lenient response struct), and the second one a module names is `…Request`/`…Response`.
        let is_enum = matches!(named.ty, Type::Enum { .. } | Type::IntegerEnum { .. });
        let key_mode = if is_enum { Mode::Response } else { mode };
        let key = Key::Named(name.to_owned(), key_mode);
        let mut local = pascal(name);
        if !is_enum && self.is_taken(&local) && !self.names_key(&key) {
            local.push_str(if mode.is_request() { "Request" } else { "Response" });
        }
        if self.space.in_progress.contains(&(name.to_owned(), key_mode)) {
            return Ty::Boxed(Box::new(Ty::Ref(name.to_owned(), key_mode)));
        }
        self.space.in_progress.insert((name.to_owned(), key_mode));
        let ty = match &named.ty {
            Type::Object { fields } => {
                Ty::Named(self.struct_id(fields, &local, use_, mode, false, Some(key)))
            }
            Type::Enum { .. } | Type::IntegerEnum { .. } => {
                Ty::Named(self.enum_id(&named.ty, &local, use_, key))
            }
            // A name for a list or a scalar is that type.
            other => self.rust_type(other, &local, use_, mode, None),
        };
        self.space.in_progress.remove(&(name.to_owned(), key_mode));
        if let Ty::Named(id) = &ty {
            self.space.defs[*id].required.get_or_insert(local);
        }
        ty
    }
}
