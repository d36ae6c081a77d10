//! The rustdoc of operations with sensitive fields, and finding those fields.

use super::operation::{Closure, Payload, SERIAL_HEADER};
use crate::ir::{Field, Operation, RequestBody, Type};

/// True when a field of `fields`, at any depth, is sensitive.
pub(super) fn has_sensitive(fields: &[Field]) -> bool {
    fn in_type(ty: &Type) -> bool {
        match ty {
            Type::Object { fields } => has_sensitive(fields),
            Type::Array { items } => in_type(items),
            _ => false,
        }
    }
    fields.iter().any(|f| f.sensitive || in_type(&f.ty))
}

/// The dotted paths of the sensitive fields of `fields`.
fn sensitive_paths(fields: &[Field], prefix: &str, out: &mut Vec<String>) {
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        if field.sensitive {
            out.push(path.clone());
        }
        let mut ty = &field.ty;
        while let Type::Array { items } = ty {
            ty = items;
        }
        if let Type::Object { fields } = ty {
            sensitive_paths(fields, &format!("{path}."), out);
        }
    }
}

/// The rustdoc section of an operation whose sensitive fields the call encrypts itself.
pub(super) fn sealed_doc(op: &Operation) -> String {
    let mut paths = Vec::new();
    sensitive_paths(&op.query, "", &mut paths);
    if let RequestBody::Json { fields } = &op.request {
        sensitive_paths(fields, "", &mut paths);
    }
    let names: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    format!(
        "# Sensitive fields\n\n{} {} personal data: give the plaintext \
         ([`Sensitive`](crate::Sensitive)); this call encrypts it (RSA-OAEP-SHA1) \
         with the WeChat Pay key in use and sends `{SERIAL_HEADER}` naming that same key, as the \
         official SDKs do.",
        names.join(", "),
        if names.len() == 1 { "is" } else { "are" }
    )
}

/// The rustdoc section of a sensitive-field operation: what the closure is for, and a sketch.
/// `more_args` says whether the function takes arguments besides `client` and the closure.
pub(super) fn sensitive_doc(function: &str, closure: Option<&Closure>, more_args: bool) -> String {
    let Some(Closure { arg, ty, payload }) = closure else {
        return format!(
            "# Sensitive fields\n\nThe request is bound to the WeChat Pay key in use: \
             `{SERIAL_HEADER}` is sent naming it automatically."
        );
    };
    let what = match payload {
        Payload::Query => "query parameters",
        Payload::Body => "request body",
    };
    let others = if more_args { "/* … */ " } else { "" };
    format!(
        "# Sensitive fields\n\n`{arg}` builds the {what} from the \
         [`Encryptor`](crate::Encryptor) of the WeChat Pay key in use: encrypt \
         every sensitive field (names, ID, phone and bank account numbers…) with it \
         (`encryptor.encrypt(\"…\")?`). `{SERIAL_HEADER}` is sent naming that same key \
         automatically.\n\n\
         ```ignore\n\
         let response = {function}(&client, {others}|encryptor| Ok({ty} {{\n    \
         sensitive_field: encryptor.encrypt(\"…\")?, /* the other fields */\n\
         }})).await?;\n\
         ```"
    )
}
