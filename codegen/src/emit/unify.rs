//! Response types the official SDK names alike are one type: the operations whose responses
//! share a name (`payments.Transaction`: both order queries) decode into the union of their
//! fields. Safe for responses only: every response field is optional and decodes leniently, so
//! a field one operation never sends is simply `None`.

use std::collections::BTreeMap;

use crate::ir::{Event, Field, Operation, ResponseBody, Type};

/// The union of the response fields of the operations that share each response type name, and
/// of the resources of the webhook events that share it ([`Event::payload_type_name`]). The
/// operations come first: where the two disagree on a field's shape, the operation's is kept.
pub fn unified<'o>(
    ops: impl IntoIterator<Item = &'o Operation>,
    events: &[&Event],
) -> BTreeMap<String, Vec<Field>> {
    let mut out = unified_responses(ops);
    for event in events {
        if let (Some(name), Type::Object { fields }) = (&event.payload_type_name, &event.payload) {
            if let Some(union) = out.get_mut(name) {
                join_fields(union, fields, false);
            }
        }
    }
    out
}

/// The union of the response fields of the operations that share each response type name.
pub fn unified_responses<'o>(ops: impl IntoIterator<Item = &'o Operation>) -> BTreeMap<String, Vec<Field>> {
    let mut out: BTreeMap<String, Vec<Field>> = BTreeMap::new();
    for op in ops {
        let (Some(name), ResponseBody::Json { fields }) = (&op.response_type_name, &op.response) else {
            continue;
        };
        match out.get_mut(name) {
            Some(union) => join_fields(union, fields, true),
            None => {
                out.insert(name.clone(), fields.clone());
            }
        }
    }
    out
}

/// Adds to `into` the fields of `other` it lacks, and unites those both have. With `widen`, an
/// enum met by a string becomes a string (two operations' responses); without, `into`'s shapes
/// are kept and only members are added (an event's loosely typed resource joining a response:
/// the docs' JSDoc says `string` where the response knows the enum).
fn join_fields(into: &mut Vec<Field>, other: &[Field], widen: bool) {
    for field in other {
        match into.iter_mut().find(|f| f.name == field.name) {
            Some(existing) => {
                existing.sensitive |= field.sensitive;
                join_type(&mut existing.ty, &field.ty, widen);
            }
            None => into.push(field.clone()),
        }
    }
}

/// Unites two shapes of one field: objects field by field, enum values joined, an enum and a
/// string as a string (with `widen`). Other disagreements keep the first shape (the other
/// decodes leniently).
fn join_type(into: &mut Type, other: &Type, widen: bool) {
    match (into, other) {
        (Type::Object { fields }, Type::Object { fields: more }) => join_fields(fields, more, widen),
        (Type::Array { items }, Type::Array { items: more }) => join_type(items, more, widen),
        (Type::Enum { values }, Type::Enum { values: more }) => {
            for v in more {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
        }
        (into @ Type::Enum { .. }, Type::String) if widen => *into = Type::String,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::test_support::operation;
    use crate::ir::HttpMethod;

    #[test]
    fn responses_named_alike_unite_their_fields() {
        let status = |values: &[&str]| Type::Enum {
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let mut by_id = operation(HttpMethod::Get, "/v3/x/id/{id}");
        by_id.response_type_name = Some("payments.Transaction".into());
        by_id.response = ResponseBody::Json {
            fields: vec![
                Field::new("state", status(&["PAID"])),
                Field::new(
                    "payer",
                    Type::Object {
                        fields: vec![Field::new("openid", Type::String)],
                    },
                ),
            ],
        };
        let mut by_no = by_id.clone();
        by_no.path = "/v3/x/no/{no}".into();
        by_no.response = ResponseBody::Json {
            fields: vec![
                Field::new("state", status(&["CLOSED"])),
                Field::optional(
                    "payer",
                    Type::Object {
                        fields: vec![Field::new("sub_openid", Type::String)],
                    },
                ),
                Field::new("extra", Type::Integer),
            ],
        };
        let other = operation(HttpMethod::Get, "/v3/y");
        let unified = unified_responses([&by_id, &by_no, &other]);
        assert_eq!(unified.len(), 1);
        let fields = &unified["payments.Transaction"];
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["state", "payer", "extra"]);
        assert_eq!(fields[0].ty, status(&["PAID", "CLOSED"]));
        let Type::Object { fields: payer } = &fields[1].ty else {
            panic!("object")
        };
        assert_eq!(payer.len(), 2);
    }
}
