//! Lowering OpenAPI schemas to IR [`Type`]s, and `components.schemas` to [`NamedType`]s.
//!
//! | OpenAPI | IR |
//! |---|---|
//! | `$ref: '#/components/schemas/X'` | [`Type::Named`] `X` (which must exist) |
//! | `type: string` + `enum` or `x-known-values` | [`Type::Enum`] (open in Rust) |
//! | `type: string, format: date-time` | [`Type::DateTime`] |
//! | any other `type: string` (`uuid`, `date`, …) | [`Type::String`] |
//! | `type: integer` (+ `enum`) | [`Type::Integer`] ([`Type::IntegerEnum`]) |
//! | `type: number` (any format, `decimal` in particular) | [`Type::Decimal`], never a float |
//! | `type: boolean` | [`Type::Boolean`] |
//! | `type: array` | [`Type::Array`] (of [`Type::Json`] without `items`) |
//! | an object with `properties` | [`Type::Object`], fields in document order |
//! | an object without `properties`, `{}`, no `type` | [`Type::Json`] |
//! | `allOf` of objects | one [`Type::Object`] with the members' fields merged (`allof.rs`) |
//! | `oneOf`, `anyOf`, `not` | a diagnostic: the IR has no union |

use openapiv3::{ReferenceOr, Schema, SchemaKind, StringFormat, Type as OType, VariantOrUnknownOrEmpty};
use serde_json::Value;

use super::allof::all_of_type;
use super::{Cx, Ptr};
use crate::ir::{Field, NamedType, Type};

/// A schema or a reference to one, whichever box it came in.
#[derive(Clone, Copy)]
pub(crate) enum SRef<'a> {
    /// `$ref: …`
    Ref(&'a str),
    /// An inline schema.
    Item(&'a Schema),
}

impl<'a> SRef<'a> {
    /// View of an unboxed `ReferenceOr<Schema>`.
    pub(crate) fn of(r: &'a ReferenceOr<Schema>) -> SRef<'a> {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }

    /// View of a boxed `ReferenceOr<Box<Schema>>` (properties, items).
    pub(crate) fn of_boxed(r: &'a ReferenceOr<Box<Schema>>) -> SRef<'a> {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

/// The properties and `required` list of an object-like schema.
pub(crate) struct Props<'a> {
    /// The properties, in document order.
    pub(crate) properties: Vec<(&'a str, SRef<'a>)>,
    /// The names the schema requires.
    pub(crate) required: Vec<&'a str>,
}

impl<'a> Props<'a> {
    /// The properties and `required` list as `openapiv3` keeps them.
    pub(crate) fn new(
        properties: impl IntoIterator<Item = (&'a String, &'a ReferenceOr<Box<Schema>>)>,
        required: &'a [String],
    ) -> Props<'a> {
        Props {
            properties: properties
                .into_iter()
                .map(|(k, v)| (k.as_str(), SRef::of_boxed(v)))
                .collect(),
            required: required.iter().map(String::as_str).collect(),
        }
    }

    /// No properties.
    pub(crate) fn empty() -> Props<'a> {
        Props {
            properties: Vec::new(),
            required: Vec::new(),
        }
    }
}

/// Every `components.schemas` entry, in document order, as a [`NamedType`].
pub(crate) fn named_types(cx: &mut Cx) -> Vec<NamedType> {
    let api = cx.api;
    let Some(components) = &api.components else {
        return Vec::new();
    };
    let at = Ptr::root().join("components").join("schemas");
    let mut types = Vec::new();
    for (name, schema) in &components.schemas {
        let summary = match schema {
            ReferenceOr::Item(s) => s.schema_data.description.as_deref().and_then(first_sentence),
            ReferenceOr::Reference { .. } => None,
        };
        let ty = lower(cx, SRef::of(schema), &at.join(name));
        types.push(NamedType {
            name: name.clone(),
            summary,
            ty,
        });
    }
    types
}

/// The first sentence of a description (up to the first `.` followed by a space, the period
/// kept), whitespace collapsed; `None` when it is empty.
pub(crate) fn first_sentence(description: &str) -> Option<String> {
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = text.match_indices(". ").next().map_or(text.len(), |(i, _)| i + 1);
    let sentence = text[..end].trim();
    (!sentence.is_empty()).then(|| sentence.to_owned())
}

/// The schema a local `$ref` names, with its name; a diagnostic at `at` (the `$ref` node) when
/// it is not `#/components/schemas/<name>` of an existing schema.
pub(crate) fn resolve<'a>(
    cx: &mut Cx<'a>,
    reference: &str,
    at: &Ptr,
) -> Option<(String, &'a ReferenceOr<Schema>)> {
    let target = Ptr::parse_ref(reference);
    let name = match target.as_ref().map(Ptr::segments) {
        Some([components, schemas, name]) if components == "components" && schemas == "schemas" => {
            name.clone()
        }
        _ => {
            cx.error(
                at,
                format!("`$ref: {reference}` is not a local `#/components/schemas/<name>` reference"),
            );
            return None;
        }
    };
    let api = cx.api;
    let found = api.components.as_ref().and_then(|c| c.schemas.get(&name));
    match found {
        Some(schema) => Some((name, schema)),
        None => {
            cx.error(
                at,
                format!("`$ref: {reference}` names no schema of `components.schemas`"),
            );
            None
        }
    }
}

/// Follows `$ref`s (at most a few) to the schema itself, with its pointer; `None` (with a
/// diagnostic) when one does not resolve.
pub(crate) fn deref<'a>(cx: &mut Cx<'a>, schema: SRef<'a>, at: &Ptr) -> Option<(&'a Schema, Ptr)> {
    let mut current = schema;
    let mut at = at.clone();
    for _ in 0..8 {
        match current {
            SRef::Item(s) => return Some((s, at)),
            SRef::Ref(reference) => {
                let (name, target) = resolve(cx, reference, &at.join("$ref"))?;
                at = Ptr::root().join("components").join("schemas").join(name);
                current = SRef::of(target);
            }
        }
    }
    cx.error(&at, "`$ref` chain too long (a cycle of references?)");
    None
}

/// True when the value may be `null`: its schema says `nullable: true`, or the schema its
/// `$ref` names does.
pub(crate) fn nullable<'a>(cx: &mut Cx<'a>, schema: SRef<'a>, at: &Ptr) -> bool {
    match schema {
        SRef::Item(s) => s.schema_data.nullable,
        SRef::Ref(_) => deref(cx, schema, at).is_some_and(|(s, _)| s.schema_data.nullable),
    }
}

/// Lowers a schema (at `at`, for messages) to a [`Type`].
///
/// Every construct it cannot lower is a diagnostic; the returned type is then a placeholder
/// ([`Type::Json`]), since no document is produced.
pub(crate) fn lower<'a>(cx: &mut Cx<'a>, schema: SRef<'a>, at: &Ptr) -> Type {
    let s = match schema {
        SRef::Ref(reference) => {
            return match resolve(cx, reference, &at.join("$ref")) {
                Some((name, _)) => Type::Named { name },
                None => Type::Json,
            };
        }
        SRef::Item(s) => s,
    };
    let known = known_values(cx, s, at);
    if known.is_some() && !is_string(s) {
        cx.error(
            &at.join("x-known-values"),
            "`x-known-values` applies to `type: string` only",
        );
    }
    match &s.schema_kind {
        SchemaKind::Type(OType::String(st)) => {
            let values = st.enumeration.iter().flatten().cloned().collect();
            string(
                values,
                known,
                matches!(st.format, VariantOrUnknownOrEmpty::Item(StringFormat::DateTime)),
            )
        }
        SchemaKind::Type(OType::Number(_)) => Type::Decimal,
        SchemaKind::Type(OType::Integer(it)) => integer(it.enumeration.iter().flatten().copied().collect()),
        SchemaKind::Type(OType::Boolean(_)) => Type::Boolean,
        SchemaKind::Type(OType::Array(a)) => array(cx, a.items.as_ref().map(SRef::of_boxed), at),
        SchemaKind::Type(OType::Object(o)) => object(cx, &Props::new(&o.properties, &o.required), at),
        SchemaKind::AllOf { all_of } => all_of_type(cx, all_of, Props::empty(), at),
        SchemaKind::OneOf { .. } => unsupported(cx, at, "oneOf"),
        SchemaKind::AnyOf { .. } => unsupported(cx, at, "anyOf"),
        SchemaKind::Not { .. } => unsupported(cx, at, "not"),
        SchemaKind::Any(any) => {
            if !any.one_of.is_empty() {
                return unsupported(cx, at, "oneOf");
            }
            if !any.any_of.is_empty() {
                return unsupported(cx, at, "anyOf");
            }
            if any.not.is_some() {
                return unsupported(cx, at, "not");
            }
            let props = Props::new(&any.properties, &any.required);
            if !any.all_of.is_empty() {
                return all_of_type(cx, &any.all_of, props, at);
            }
            match any.typ.as_deref() {
                Some("string") => {
                    let values = any
                        .enumeration
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned));
                    string(
                        values.collect(),
                        known,
                        any.format.as_deref() == Some("date-time"),
                    )
                }
                Some("number") => Type::Decimal,
                Some("integer") => integer(any.enumeration.iter().filter_map(Value::as_i64).collect()),
                Some("boolean") => Type::Boolean,
                Some("array") => array(cx, any.items.as_ref().map(SRef::of_boxed), at),
                Some("object") => object(cx, &props, at),
                None if !props.properties.is_empty() => object(cx, &props, at),
                None if any.items.is_some() => array(cx, any.items.as_ref().map(SRef::of_boxed), at),
                None => Type::Json,
                Some(other) => {
                    cx.error(&at.join("type"), format!("unknown schema type `{other}`"));
                    Type::Json
                }
            }
        }
    }
}

/// The fields of an object-like schema (or of the merged members of an `allOf`), in order:
/// optional unless `required` names them, nullable when their schema is. A `required` name that
/// is no property is a diagnostic.
pub(crate) fn fields<'a>(cx: &mut Cx<'a>, props: &Props<'a>, at: &Ptr) -> Vec<Field> {
    for name in &props.required {
        if !props.properties.iter().any(|(p, _)| p == name) {
            cx.error(
                &at.join("required"),
                format!("`required` names `{name}`, which is not a property"),
            );
        }
    }
    let properties_at = at.join("properties");
    props
        .properties
        .iter()
        .map(|&(name, schema)| {
            let at = properties_at.join(name);
            let ty = lower(cx, schema, &at);
            let mut field = Field::new(name, ty);
            field.optional = !props.required.contains(&name);
            field.nullable = nullable(cx, schema, &at);
            field.description = match schema {
                SRef::Item(s) => s.schema_data.description.as_deref().and_then(collapsed),
                // A `$ref` property's siblings are ignored (OpenAPI 3.0): the type has its own.
                SRef::Ref(_) => None,
            };
            field
        })
        .collect()
}

/// A description with its whitespace collapsed; `None` when it is empty.
pub(crate) fn collapsed(description: &str) -> Option<String> {
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// `{type: object}`: its fields, or [`Type::Json`] when it declares no properties (a free-form
/// object, a map given by `additionalProperties` alone).
fn object<'a>(cx: &mut Cx<'a>, props: &Props<'a>, at: &Ptr) -> Type {
    if props.properties.is_empty() {
        if !props.required.is_empty() {
            fields(cx, props, at);
        }
        return Type::Json;
    }
    Type::Object {
        fields: fields(cx, props, at),
    }
}

/// `{type: string}`: an enum when it lists values (`enum`, then `x-known-values` not already
/// listed), a date-time, or a string.
fn string(mut values: Vec<String>, known: Option<Vec<String>>, date_time: bool) -> Type {
    for value in known.into_iter().flatten() {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    if !values.is_empty() {
        Type::Enum { values }
    } else if date_time {
        Type::DateTime
    } else {
        Type::String
    }
}

/// `{type: integer}`, with its `enum` values if any.
fn integer(values: Vec<i64>) -> Type {
    if values.is_empty() {
        Type::Integer
    } else {
        Type::IntegerEnum { values }
    }
}

/// `{type: array}`: a list of its `items`, or of any JSON value without them.
fn array<'a>(cx: &mut Cx<'a>, items: Option<SRef<'a>>, at: &Ptr) -> Type {
    let items = match items {
        Some(items) => lower(cx, items, &at.join("items")),
        None => Type::Json,
    };
    Type::Array {
        items: Box::new(items),
    }
}

/// The `x-known-values` of a schema (a list of strings), if it has them.
fn known_values(cx: &mut Cx, s: &Schema, at: &Ptr) -> Option<Vec<String>> {
    let value = s.schema_data.extensions.get("x-known-values")?;
    let values = value.as_array().and_then(|a| {
        a.iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
    });
    if values.is_none() {
        cx.error(
            &at.join("x-known-values"),
            "`x-known-values` must be a list of strings",
        );
    }
    values
}

/// True for `type: string` (also when other keywords made `openapiv3` keep it as "any").
fn is_string(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Type(OType::String(_)) => true,
        SchemaKind::Any(any) => any.typ.as_deref() == Some("string"),
        _ => false,
    }
}

/// A diagnostic for a composition keyword the IR cannot express.
fn unsupported(cx: &mut Cx, at: &Ptr, keyword: &str) -> Type {
    cx.error(
        &at.join(keyword),
        format!("`{keyword}` is not supported: the IR has no union type (describe the value as one object, or as `{{}}`)"),
    );
    Type::Json
}
