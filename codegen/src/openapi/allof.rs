//! `allOf`: the members of an `allOf` of objects merged into one object type.

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type as OType};

use super::schema::{Props, SRef, deref, fields, lower};
use super::{Cx, Ptr};
use crate::ir::Type;

/// `allOf` (with the schema's own `properties`/`required`): one object whose fields are those
/// of every member in order (a `$ref` member contributes its schema's fields). A lone `$ref`
/// member with nothing beside it stays that named type.
pub(crate) fn all_of_type<'a>(
    cx: &mut Cx<'a>,
    members: &'a [ReferenceOr<Schema>],
    own: Props<'a>,
    at: &Ptr,
) -> Type {
    if let ([ReferenceOr::Reference { reference }], true) = (members, own.properties.is_empty()) {
        return lower(cx, SRef::Ref(reference), &at.join("allOf").join(0));
    }
    let mut merged = Props::empty();
    for (i, member) in members.iter().enumerate() {
        let member_at = at.join("allOf").join(i);
        let Some((schema, member_at)) = deref(cx, SRef::of(member), &member_at) else {
            continue;
        };
        let Some(props) = props_of(cx, schema, &member_at, 0) else {
            cx.error(
                &member_at,
                "an `allOf` member that is not an object with properties cannot be merged",
            );
            continue;
        };
        merge(&mut merged, props);
    }
    merge(&mut merged, own);
    Type::Object {
        fields: fields(cx, &merged, at),
    }
}

/// The properties of an object-like schema, nested `allOf`s merged (`depth` of them so far);
/// `None` for anything else, or (with a diagnostic) for `allOf`s nested too deep (a cycle).
pub(crate) fn props_of<'a>(cx: &mut Cx<'a>, s: &'a Schema, at: &Ptr, depth: usize) -> Option<Props<'a>> {
    if depth > 16 {
        cx.error(at, "`allOf` nested too deep (a cycle of references?)");
        return None;
    }
    let (properties, required, all_of) = match &s.schema_kind {
        SchemaKind::Type(OType::Object(o)) => (&o.properties, &o.required, None),
        SchemaKind::Any(any) if any.one_of.is_empty() && any.any_of.is_empty() && any.not.is_none() => {
            (&any.properties, &any.required, Some(&any.all_of))
        }
        SchemaKind::AllOf { all_of } => {
            let mut merged = Props::empty();
            for (i, member) in all_of.iter().enumerate() {
                let member_at = at.join("allOf").join(i);
                let (schema, member_at) = deref(cx, SRef::of(member), &member_at)?;
                merge(&mut merged, props_of(cx, schema, &member_at, depth + 1)?);
            }
            return Some(merged);
        }
        _ => return None,
    };
    let mut merged = Props::empty();
    for (i, member) in all_of.into_iter().flatten().enumerate() {
        let member_at = at.join("allOf").join(i);
        let (schema, member_at) = deref(cx, SRef::of(member), &member_at)?;
        merge(&mut merged, props_of(cx, schema, &member_at, depth + 1)?);
    }
    merge(&mut merged, Props::new(properties, required));
    (!merged.properties.is_empty()).then_some(merged)
}

/// Adds `more` to `into`: a property already there is replaced in place (the later member
/// restates it), a new one is appended.
fn merge<'a>(into: &mut Props<'a>, more: Props<'a>) {
    for (name, schema) in more.properties {
        match into.properties.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = schema,
            None => into.properties.push((name, schema)),
        }
    }
    for name in more.required {
        if !into.required.contains(&name) {
            into.required.push(name);
        }
    }
}
