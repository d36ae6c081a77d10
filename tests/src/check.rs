//! Request checks against the model: path parameters, query, declared headers, the JSON body
//! (types, required and unknown fields, recursively) or the multipart media upload, and the
//! decryption of sensitive fields. A failure is a 400 `PARAM_ERROR` naming the field.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use codegen::ir::{Field, Operation, RequestBody, Type};
use http::HeaderMap;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::RecordedUpload;
use crate::multipart::Part;
use crate::platform::PlatformKey;
use crate::routes::ApiError;
use crate::sample::{Types, WECHATPAY_SERIAL, escape_pointer};

/// What the checks learnt about a request that passed them.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Path parameters, percent-decoded.
    pub path_params: Vec<(String, String)>,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// JSON pointer into the body → decrypted plaintext.
    pub decrypted_body: BTreeMap<String, String>,
    /// JSON pointer into the query (`/name`) → decrypted plaintext.
    pub decrypted_query: BTreeMap<String, String>,
}

/// Decodes a query string (`application/x-www-form-urlencoded`: `+` is a space).
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| ApiError::param(s, "query", "not valid UTF-8 once percent-decoded"))
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Checks a scalar given as text (path parameter or query value) against its type; named
/// types resolve through `types`, whose enums may be closed.
pub(crate) fn check_text(ty: &Type, text: &str, types: Types<'_>) -> Result<(), String> {
    let closed = types.enums_closed();
    match ty {
        Type::Integer | Type::IntegerEnum { .. } => match (ty, text.parse::<i64>()) {
            (_, Err(_)) => Err("must be an integer".into()),
            (Type::IntegerEnum { values }, Ok(n)) if closed && !values.contains(&n) => {
                Err(format!("must be one of {values:?}"))
            }
            _ => Ok(()),
        },
        Type::Boolean => match text {
            "true" | "false" => Ok(()),
            _ => Err("must be true or false".into()),
        },
        Type::DateTime => OffsetDateTime::parse(text, &Rfc3339)
            .map(|_| ())
            .map_err(|_| "must be an RFC 3339 date-time such as 2024-11-21T15:40:01+08:00".into()),
        Type::Decimal => text
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| "must be a number".into()),
        Type::Enum { values } if closed && !values.iter().any(|v| v == text) => {
            Err(format!("must be one of {values:?}"))
        }
        Type::String | Type::StringOrNumber | Type::Enum { .. } | Type::Json => Ok(()),
        Type::Array { .. } | Type::Object { .. } => Err("cannot be given in the URL".into()),
        Type::Named { .. } => {
            let (ty, inner) = types.resolve(ty)?;
            check_text(ty, text, inner)
        }
    }
}

/// Checks `value` at `pointer` (in the body) against `ty`, recursively; named types resolve
/// through `types`, whose enums may be closed.
pub(crate) fn check_json(ty: &Type, value: &Value, pointer: &str, types: Types<'_>) -> Result<(), ApiError> {
    let bad = |issue: &str| Err(ApiError::param(pointer, "body", issue));
    match (ty, value) {
        (Type::Json, _) => Ok(()),
        (Type::Enum { values }, Value::String(s)) if types.enums_closed() && !values.contains(s) => {
            bad(&format!("must be one of {values:?}"))
        }
        (Type::IntegerEnum { values }, Value::Number(n))
            if types.enums_closed() && !n.as_i64().is_some_and(|n| values.contains(&n)) =>
        {
            bad(&format!("must be one of {values:?}"))
        }
        (Type::String | Type::Enum { .. }, Value::String(_)) => Ok(()),
        (Type::String | Type::Enum { .. }, _) => bad("must be a string"),
        (Type::Integer | Type::IntegerEnum { .. }, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
        (Type::Integer | Type::IntegerEnum { .. }, _) => bad("must be an integer"),
        (Type::Decimal, Value::Number(_)) => Ok(()),
        (Type::Decimal, _) => bad("must be a number"),
        (Type::Named { .. }, _) => match types.resolve(ty) {
            Ok((ty, inner)) => check_json(ty, value, pointer, inner),
            Err(issue) => bad(&issue),
        },
        (Type::Boolean, Value::Bool(_)) => Ok(()),
        (Type::Boolean, _) => bad("must be a boolean"),
        (Type::StringOrNumber, Value::String(_) | Value::Number(_)) => Ok(()),
        (Type::StringOrNumber, _) => bad("must be a string or a number"),
        (Type::DateTime, Value::String(s)) => check_text(ty, s, types).or_else(|issue| bad(&issue)),
        (Type::DateTime, _) => bad("must be an RFC 3339 date-time string"),
        (Type::Array { items }, Value::Array(list)) => list
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_json(items, item, &format!("{pointer}/{i}"), types)),
        (Type::Array { .. }, _) => bad("must be an array"),
        (Type::Object { fields }, Value::Object(map)) => check_object(fields, map, pointer, types),
        (Type::Object { .. }, _) => bad("must be an object"),
    }
}

/// Checks an object: unknown members, then each declared field (required present, not null
/// unless nullable).
pub(crate) fn check_object(
    fields: &[Field],
    map: &Map<String, Value>,
    pointer: &str,
    types: Types<'_>,
) -> Result<(), ApiError> {
    if let Some(unknown) = map.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
        return Err(ApiError::param(
            &format!("{pointer}/{}", escape_pointer(unknown)),
            "body",
            "unknown field: the operation does not declare it",
        ));
    }
    for field in fields {
        let at = format!("{pointer}/{}", escape_pointer(&field.name));
        match map.get(&field.name) {
            None if field.optional => {}
            None => return Err(ApiError::param(&at, "body", "required field is missing")),
            Some(Value::Null) if field.optional || field.nullable => {}
            Some(Value::Null) => return Err(ApiError::param(&at, "body", "required field must not be null")),
            Some(value) => check_json(&field.ty, value, &at, types)?,
        }
    }
    // A one-of group: exactly one member is given (WeChat Pay answers 400 otherwise).
    for (i, field) in fields.iter().enumerate() {
        let Some(group) = &field.one_of else { continue };
        if fields[..i].iter().any(|f| f.one_of.as_ref() == Some(group)) {
            continue;
        }
        let members: Vec<&str> = fields
            .iter()
            .filter(|f| f.one_of.as_ref() == Some(group))
            .map(|f| f.name.as_str())
            .collect();
        let given = members
            .iter()
            .filter(|m| map.get(**m).is_some_and(|v| !v.is_null()))
            .count();
        if given != 1 {
            return Err(ApiError::param(
                &format!("{pointer}/{}", escape_pointer(members[0])),
                "body",
                &format!(
                    "exactly one of `{}` must be given, not {given}",
                    members.join("`, `")
                ),
            ));
        }
    }
    Ok(())
}

/// The JSON pointers of the sensitive fields of `fields` present in `value` (every list item).
fn sensitive_present(fields: &[Field], value: &Value, pointer: &str, out: &mut Vec<String>) {
    fn in_type(ty: &Type, value: &Value, pointer: &str, out: &mut Vec<String>) {
        match (ty, value) {
            (Type::Array { items }, Value::Array(list)) => {
                for (i, item) in list.iter().enumerate() {
                    in_type(items, item, &format!("{pointer}/{i}"), out);
                }
            }
            (Type::Object { fields }, _) => sensitive_present(fields, value, pointer, out),
            _ => {}
        }
    }
    let Value::Object(map) = value else { return };
    for field in fields {
        let Some(v) = map.get(&field.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let at = format!("{pointer}/{}", escape_pointer(&field.name));
        if field.sensitive {
            out.push(at.clone());
        }
        in_type(&field.ty, v, &at, out);
    }
}

/// Finds the strings of `value` that are ciphertexts for `key` (base64 of exactly its modulus
/// length) and decrypts them into `out`, keyed by JSON pointer.
fn decrypt_json(
    value: &Value,
    pointer: &str,
    key: &PlatformKey,
    location: &str,
    out: &mut BTreeMap<String, String>,
) -> Result<(), ApiError> {
    match value {
        Value::String(s) => {
            if let Some(plain) = decrypt_text(s, pointer, key, location)? {
                out.insert(pointer.to_owned(), plain);
            }
        }
        Value::Array(list) => {
            for (i, item) in list.iter().enumerate() {
                decrypt_json(item, &format!("{pointer}/{i}"), key, location, out)?;
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                decrypt_json(v, &format!("{pointer}/{}", escape_pointer(k)), key, location, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn decrypt_text(
    text: &str,
    pointer: &str,
    key: &PlatformKey,
    location: &str,
) -> Result<Option<String>, ApiError> {
    match STANDARD.decode(text) {
        Ok(bytes) if bytes.len() == key.modulus_len() => key
            .decrypt(&bytes)
            .map(Some)
            .map_err(|issue| ApiError::param(pointer, location, issue)),
        _ => Ok(None),
    }
}

/// The checks of one request to `op`. `key_named` looks a platform key up by id or serial.
pub(crate) struct Request<'a> {
    pub op: &'a Operation,
    pub raw_params: &'a [(String, String)],
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The parsed multipart parts, if the body is multipart.
    pub parts: Option<&'a Result<Vec<Part>, String>>,
}

impl Request<'_> {
    /// Runs every check; on success returns what they learnt, plus the upload if any.
    pub(crate) fn check(
        &self,
        key_named: impl Fn(&str) -> Option<Arc<PlatformKey>>,
    ) -> Result<(Checked, Option<RecordedUpload>), ApiError> {
        let op = self.op;
        let mut checked = Checked::default();
        for ((name, raw), field) in self.raw_params.iter().zip(&op.path_params) {
            let value = percent_decode_str(raw)
                .decode_utf8()
                .map_err(|_| ApiError::param(name, "path", "not valid UTF-8 once percent-decoded"))?
                .into_owned();
            if value.is_empty() {
                return Err(ApiError::param(name, "path", "must not be empty"));
            }
            check_text(&field.ty, &value, Types::NONE)
                .map_err(|issue| ApiError::param(name, "path", &issue))?;
            checked.path_params.push((name.clone(), value));
        }

        let query = parse_query(self.query)?;
        for (i, (name, value)) in query.iter().enumerate() {
            let Some(field) = op.query.iter().find(|f| &f.name == name) else {
                return Err(ApiError::param(
                    name,
                    "query",
                    "unknown query parameter: the operation does not declare it",
                ));
            };
            if query[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::param(name, "query", "given more than once"));
            }
            check_text(&field.ty, value, Types::NONE)
                .map_err(|issue| ApiError::param(name, "query", &issue))?;
        }
        if let Some(missing) = op
            .query
            .iter()
            .find(|f| !f.optional && !query.iter().any(|(n, _)| n == &f.name))
        {
            return Err(ApiError::param(
                &missing.name,
                "query",
                "required query parameter is missing",
            ));
        }

        for header in op.headers.iter().filter(|h| !h.optional) {
            if !self.headers.contains_key(header.name.as_str()) {
                return Err(ApiError::param(
                    &header.name,
                    "header",
                    "required header is missing",
                ));
            }
        }
        let serial_key = match self.headers.get(WECHATPAY_SERIAL) {
            Some(serial)
                if op
                    .headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case(WECHATPAY_SERIAL)) =>
            {
                let serial = String::from_utf8_lossy(serial.as_bytes());
                Some(key_named(&serial).ok_or_else(|| {
                    ApiError::param(
                        WECHATPAY_SERIAL,
                        "header",
                        "does not name a WeChat Pay key the server has",
                    )
                })?)
            }
            _ => None,
        };

        let (body_json, upload) = self.check_body()?;

        if let Some(key) = serial_key {
            if let Some(body) = &body_json {
                decrypt_json(body, "", &key, "body", &mut checked.decrypted_body)?;
            }
            for (name, value) in &query {
                let pointer = format!("/{}", escape_pointer(name));
                if let Some(plain) = decrypt_text(value, &pointer, &key, "query")? {
                    checked.decrypted_query.insert(pointer, plain);
                }
            }
        }
        // Every field the model marks sensitive arrives encrypted with the key `Wechatpay-Serial`
        // names (WeChat Pay answers 400 otherwise).
        if let (Some(body), RequestBody::Json { fields }) = (&body_json, &op.request) {
            let mut present = Vec::new();
            sensitive_present(fields, body, "", &mut present);
            if let Some(plain) = present.iter().find(|p| !checked.decrypted_body.contains_key(*p)) {
                return Err(ApiError::param(
                    plain,
                    "body",
                    "sensitive field is not encrypted with the WeChat Pay key `Wechatpay-Serial` names",
                ));
            }
        }
        checked.query = query;
        Ok((checked, upload))
    }

    fn check_body(&self) -> Result<(Option<Value>, Option<RecordedUpload>), ApiError> {
        match &self.op.request {
            RequestBody::None => {
                if self.body.is_empty() {
                    Ok((None, None))
                } else {
                    Err(ApiError::param(
                        "/",
                        "body",
                        "the operation takes no body, but one was sent",
                    ))
                }
            }
            RequestBody::Json { fields } => {
                let parsed: Value = serde_json::from_slice(self.body)
                    .map_err(|e| ApiError::param("/", "body", &format!("body is not valid JSON: {e}")))?;
                let Value::Object(map) = &parsed else {
                    return Err(ApiError::param("/", "body", "body must be a JSON object"));
                };
                check_object(fields, map, "", Types::NONE)?;
                Ok((Some(parsed), None))
            }
            RequestBody::Value { ty } => {
                let parsed: Value = serde_json::from_slice(self.body)
                    .map_err(|e| ApiError::param("/", "body", &format!("body is not valid JSON: {e}")))?;
                check_json(ty, &parsed, "", Types::NONE)?;
                Ok((Some(parsed), None))
            }
            RequestBody::Multipart => self.check_upload().map(|u| (None, Some(u))),
            RequestBody::Xml { .. } => Err(ApiError::param(
                "/",
                "body",
                "an APIv2 (XML) operation is not served by the APIv3 mock",
            )),
        }
    }

    fn check_upload(&self) -> Result<RecordedUpload, ApiError> {
        let parts = match self.parts {
            Some(Ok(parts)) => parts,
            Some(Err(e)) => return Err(ApiError::param("/", "body", e)),
            None => {
                return Err(ApiError::param(
                    "/",
                    "body",
                    "a media upload must be multipart/form-data",
                ));
            }
        };
        let part = |name: &str| {
            let mut found = parts.iter().filter(|p| p.name == name);
            match (found.next(), found.next()) {
                (Some(p), None) => Ok(p),
                (None, _) => Err(ApiError::param(name, "multipart", "part is missing")),
                (Some(_), Some(_)) => Err(ApiError::param(name, "multipart", "part is given more than once")),
            }
        };
        let meta = part("meta")?;
        let file = part("file")?;
        if let Some(extra) = parts.iter().find(|p| p.name != "meta" && p.name != "file") {
            return Err(ApiError::param(&extra.name, "multipart", "unknown part"));
        }
        let meta_json: Value = serde_json::from_slice(&meta.data)
            .map_err(|e| ApiError::param("meta", "multipart", &format!("not valid JSON: {e}")))?;
        let Value::Object(map) = &meta_json else {
            return Err(ApiError::param("meta", "multipart", "must be a JSON object"));
        };
        let fields = [
            Field::new("filename", Type::String),
            Field::new("sha256", Type::String),
        ];
        check_object(&fields, map, "", Types::NONE).map_err(|e| ApiError {
            message: format!("multipart meta: {}", e.message),
            ..e
        })?;
        let filename = map["filename"].as_str().unwrap_or_default();
        let sha256 = map["sha256"].as_str().unwrap_or_default();
        if filename.is_empty() {
            return Err(ApiError::param("/filename", "meta", "must not be empty"));
        }
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(ApiError::param(
                "/sha256",
                "meta",
                "must be 64 lower-case hex digits",
            ));
        }
        let actual: String = digest(&SHA256, &file.data)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual != sha256 {
            return Err(ApiError::param(
                "/sha256",
                "meta",
                &format!("does not match the SHA-256 of the file part ({actual})"),
            ));
        }
        Ok(RecordedUpload {
            meta: meta.data.clone(),
            filename: filename.to_owned(),
            part_filename: file.filename.clone(),
            content: file.data.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding_is_form_style() {
        let q = parse_query("a=1%2B2&b=x+y&c").unwrap();
        assert_eq!(
            q,
            vec![
                ("a".to_owned(), "1+2".to_owned()),
                ("b".to_owned(), "x y".to_owned()),
                ("c".to_owned(), String::new())
            ]
        );
    }

    #[test]
    fn json_types() {
        let check = |ty: &Type, v: Value, at: &str| check_json(ty, &v, at, Types::NONE);
        assert!(check(&Type::Integer, serde_json::json!(1), "/a").is_ok());
        assert!(check(&Type::Integer, serde_json::json!(1.5), "/a").is_err());
        let dt = Type::DateTime;
        assert!(check(&dt, serde_json::json!("2024-11-21T15:40:01+08:00"), "/d").is_ok());
        let named = [codegen::ir::NamedType {
            name: "Kind".into(),
            summary: None,
            ty: Type::Enum {
                values: vec!["a".into()],
            },
        }];
        let kind = Type::Named { name: "Kind".into() };
        let closed = Types::new(&named).closed_enums();
        assert!(check_json(&kind, &serde_json::json!("a"), "/k", closed).is_ok());
        assert!(check_json(&kind, &serde_json::json!("b"), "/k", closed).is_err());
        assert!(check_json(&kind, &serde_json::json!("b"), "/k", Types::new(&named)).is_ok());
        assert!(check_text(&kind, "b", closed).is_err());
        let err = check(&dt, serde_json::json!("yesterday"), "/d").unwrap_err();
        assert!(err.message.contains("/d"), "{}", err.message);
    }
}
