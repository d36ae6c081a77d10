//! Sample JSON values of a type.

use crate::ir::Type;

/// A JSON value of type `ty`, as text, with only the required members of objects.
pub(super) fn sample(ty: &Type) -> String {
    match ty {
        Type::String => "\"value\"".to_owned(),
        Type::Integer => "1".to_owned(),
        Type::Decimal => "1.5".to_owned(),
        Type::Boolean => "false".to_owned(),
        Type::DateTime => "\"2024-11-21T15:40:01+08:00\"".to_owned(),
        Type::StringOrNumber => "\"1\"".to_owned(),
        Type::Enum { values } => json_string(values.first().map_or("value", String::as_str)),
        Type::IntegerEnum { values } => values.first().copied().unwrap_or(1).to_string(),
        Type::Array { .. } => "[]".to_owned(),
        Type::Json | Type::Named { .. } => "{}".to_owned(),
        Type::Object { fields } => {
            let members: Vec<String> = fields
                .iter()
                .filter(|f| !f.optional)
                .map(|f| format!("{}: {}", json_string(&f.name), sample(&f.ty)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
