//! Completing a declared type with the page's JSON example: the webhook pages' JSDoc often types
//! an object as `string` or `{}`, lists an array's element with one member, or leaves out
//! members its own example carries (`sp_mchid`, `collection`).

use serde_json::Value;

use crate::ir::{Field, Type};

/// The type an example value shows: strings, integers (decimals for fractions), booleans,
/// lists (the union of their elements) and objects whose members are all optional. `null` and
/// an empty list say nothing: [`Type::Json`], or a list of it.
pub fn infer(value: &Value) -> Type {
    match value {
        Value::String(_) => Type::String,
        Value::Number(n) if n.is_i64() || n.is_u64() => Type::Integer,
        Value::Number(_) => Type::Decimal,
        Value::Bool(_) => Type::Boolean,
        Value::Null => Type::Json,
        Value::Array(items) => Type::Array {
            items: Box::new(items.iter().fold(Type::Json, |ty, item| complete(&ty, item))),
        },
        Value::Object(members) => Type::Object {
            fields: members
                .iter()
                .filter(|(name, _)| is_member_name(name))
                .map(|(name, v)| Field::optional(name.clone(), infer(v)))
                .collect(),
        },
    }
}

/// `declared` completed with `example`:
/// - objects member by member, the example's extra members added as optional;
/// - list elements with every element of the example;
/// - a declared `string`, number or unknown shape ([`Type::Json`]) where the example has an
///   object or a list takes the example's shape, and a declared `string` where it has a number
///   becomes an integer (the docs' TypeScript mistypes these; the example is what is sent);
/// - anything else keeps its declared type.
pub fn complete(declared: &Type, example: &Value) -> Type {
    match (declared, example) {
        (Type::Object { fields }, Value::Object(members)) => {
            let mut fields = fields.clone();
            for field in &mut fields {
                if let Some(v) = members.get(&field.name) {
                    field.ty = complete(&field.ty, v);
                }
            }
            for (name, v) in members.iter().filter(|(name, _)| is_member_name(name)) {
                if !fields.iter().any(|f| &f.name == name) {
                    fields.push(Field::optional(name.clone(), infer(v)));
                }
            }
            Type::Object { fields }
        }
        (Type::Array { items }, Value::Array(values)) => Type::Array {
            items: Box::new(values.iter().fold((**items).clone(), |ty, v| complete(&ty, v))),
        },
        (Type::Json, v) if !v.is_null() => infer(v),
        (Type::String | Type::Integer | Type::Boolean, v @ (Value::Object(_) | Value::Array(_))) => infer(v),
        (Type::String, Value::Number(n)) if n.is_i64() || n.is_u64() => Type::Integer,
        (declared, _) => declared.clone(),
    }
}

/// Whether an example's member name can be a member WeChat Pay sends: not empty, and without
/// whitespace or control characters (an example's `"risk_description\t"` is a typo of its
/// neighbour, not a member).
fn is_member_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Parses a page's JSON example. The examples are hand-written and sometimes carry trailing
/// commas or comments, so they are read as JSON5 (a superset of JSON).
///
/// # Errors
/// The parser's message, with its line and column in the example.
pub fn parse(text: &str) -> Result<Value, String> {
    json5::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_example_completes_what_the_declaration_leaves_out() {
        let declared = Type::Object {
            fields: vec![
                Field::new("amount", Type::String),
                Field::new(
                    "detail",
                    Type::Array {
                        items: Box::new(Type::Object {
                            fields: vec![Field::new("a", Type::Integer)],
                        }),
                    },
                ),
                Field::new(
                    "state",
                    Type::Enum {
                        values: vec!["DONE".into()],
                    },
                ),
            ],
        };
        let example = json!({"amount": {"total": 1}, "detail": [{"a": 1, "b": "x"}], "state": "DONE", "extra": true, "extra\t": 1});
        let Type::Object { fields } = complete(&declared, &example) else {
            panic!("object")
        };
        assert_eq!(
            fields[0].ty,
            Type::Object {
                fields: vec![Field::optional("total", Type::Integer)]
            }
        );
        let Type::Array { items } = &fields[1].ty else {
            panic!("list")
        };
        assert_eq!(
            **items,
            Type::Object {
                fields: vec![Field::new("a", Type::Integer), Field::optional("b", Type::String)]
            }
        );
        assert_eq!(
            fields[2].ty,
            Type::Enum {
                values: vec!["DONE".into()]
            }
        );
        assert_eq!(fields[3], Field::optional("extra", Type::Boolean));
        assert_eq!(fields.len(), 4, "the tab-suffixed typo is no member");
    }

    #[test]
    fn examples_with_trailing_commas_parse() {
        assert_eq!(parse("{\"a\": [1,],}").unwrap(), json!({"a": [1]}));
        assert!(parse("{\"a\": }").is_err());
    }
}
