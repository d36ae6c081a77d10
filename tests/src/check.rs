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
use crate::platform::PlatformKey;
use crate::routes::ApiError;
use crate::sample::{WECHATPAY_SERIAL, escape_pointer};

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

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// Splits a `multipart/form-data` body (`content_type` carries the boundary).
pub(crate) fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let mut params = content_type.split(';').map(str::trim);
    if !params
        .next()
        .is_some_and(|m| m.eq_ignore_ascii_case("multipart/form-data"))
    {
        return Err(format!(
            "Content-Type {content_type:?} is not multipart/form-data"
        ));
    }
    let boundary = params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
        .ok_or("multipart Content-Type has no boundary")?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut closing = b"\r\n".to_vec();
    closing.extend_from_slice(&delimiter);
    let mut pos = find(body, &delimiter, 0).ok_or("multipart body has no boundary line")? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err("malformed multipart boundary line".into());
        }
        pos += 2;
        let head_end =
            find(body, b"\r\n\r\n", pos).ok_or("multipart part without a blank line after its headers")?;
        let head =
            std::str::from_utf8(&body[pos..head_end]).map_err(|_| "multipart part headers are not UTF-8")?;
        let data_start = head_end + 4;
        let data_end = find(body, &closing, data_start).ok_or("multipart body is not closed")?;
        let mut name = None;
        let mut filename = None;
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in value.split(';').map(str::trim) {
                if let Some((k, v)) = param.split_once('=') {
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim() {
                        "name" => name = Some(v),
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            }
        }
        parts.push(Part {
            name: name.ok_or("multipart part without a name")?,
            filename,
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + closing.len();
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
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

/// Checks a scalar given as text (path parameter or query value) against its type.
fn check_text(ty: &Type, text: &str) -> Result<(), &'static str> {
    match ty {
        Type::Integer | Type::IntegerEnum { .. } => {
            text.parse::<i64>().map(|_| ()).map_err(|_| "must be an integer")
        }
        Type::Boolean => match text {
            "true" | "false" => Ok(()),
            _ => Err("must be true or false"),
        },
        Type::DateTime => OffsetDateTime::parse(text, &Rfc3339)
            .map(|_| ())
            .map_err(|_| "must be an RFC 3339 date-time such as 2024-11-21T15:40:01+08:00"),
        Type::Decimal => text.parse::<f64>().map(|_| ()).map_err(|_| "must be a number"),
        Type::String | Type::StringOrNumber | Type::Enum { .. } | Type::Json => Ok(()),
        Type::Array { .. } | Type::Object { .. } => Err("cannot be given in the URL"),
        // The WeChat Pay model declares every type inline.
        Type::Named { .. } => Err("refers to a named type, which this mock does not resolve"),
    }
}

/// Checks `value` at `pointer` (in the body) against `ty`, recursively.
fn check_json(ty: &Type, value: &Value, pointer: &str) -> Result<(), ApiError> {
    let bad = |issue: &str| Err(ApiError::param(pointer, "body", issue));
    match (ty, value) {
        (Type::Json, _) => Ok(()),
        (Type::String | Type::Enum { .. }, Value::String(_)) => Ok(()),
        (Type::String | Type::Enum { .. }, _) => bad("must be a string"),
        (Type::Integer | Type::IntegerEnum { .. }, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
        (Type::Integer | Type::IntegerEnum { .. }, _) => bad("must be an integer"),
        (Type::Decimal, Value::Number(_)) => Ok(()),
        (Type::Decimal, _) => bad("must be a number"),
        (Type::Named { .. }, _) => bad("refers to a named type, which this mock does not resolve"),
        (Type::Boolean, Value::Bool(_)) => Ok(()),
        (Type::Boolean, _) => bad("must be a boolean"),
        (Type::StringOrNumber, Value::String(_) | Value::Number(_)) => Ok(()),
        (Type::StringOrNumber, _) => bad("must be a string or a number"),
        (Type::DateTime, Value::String(s)) => check_text(ty, s).or_else(bad),
        (Type::DateTime, _) => bad("must be an RFC 3339 date-time string"),
        (Type::Array { items }, Value::Array(list)) => list
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_json(items, item, &format!("{pointer}/{i}"))),
        (Type::Array { .. }, _) => bad("must be an array"),
        (Type::Object { fields }, Value::Object(map)) => check_object(fields, map, pointer),
        (Type::Object { .. }, _) => bad("must be an object"),
    }
}

/// Checks an object: unknown members, then each declared field (required present, not null).
fn check_object(fields: &[Field], map: &Map<String, Value>, pointer: &str) -> Result<(), ApiError> {
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
            Some(Value::Null) if field.optional => {}
            Some(Value::Null) => return Err(ApiError::param(&at, "body", "required field must not be null")),
            Some(value) => check_json(&field.ty, value, &at)?,
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
            check_text(&field.ty, &value).map_err(|issue| ApiError::param(name, "path", issue))?;
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
            check_text(&field.ty, value).map_err(|issue| ApiError::param(name, "query", issue))?;
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
                check_object(fields, map, "")?;
                Ok((Some(parsed), None))
            }
            RequestBody::Value { ty } => {
                let parsed: Value = serde_json::from_slice(self.body)
                    .map_err(|e| ApiError::param("/", "body", &format!("body is not valid JSON: {e}")))?;
                check_json(ty, &parsed, "")?;
                Ok((Some(parsed), None))
            }
            RequestBody::Multipart => self.check_upload().map(|u| (None, Some(u))),
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
        check_object(&fields, map, "").map_err(|e| ApiError {
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
    fn multipart_round_trip() {
        let body = b"--XB\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jpg\"\r\n\r\nab\r\ncd\r\n--XB--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=XB", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "meta");
        assert_eq!(parts[0].data, b"{\"a\":1}");
        assert_eq!(parts[1].filename.as_deref(), Some("x.jpg"));
        assert_eq!(parts[1].data, b"ab\r\ncd");
        assert!(parse_multipart("application/json", body).is_err());
        assert!(parse_multipart("multipart/form-data; boundary=XB", b"--XB\r\nno end").is_err());
    }

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
        let int = Type::Integer;
        assert!(check_json(&int, &serde_json::json!(1), "/a").is_ok());
        assert!(check_json(&int, &serde_json::json!(1.5), "/a").is_err());
        let dt = Type::DateTime;
        assert!(check_json(&dt, &serde_json::json!("2024-11-21T15:40:01+08:00"), "/d").is_ok());
        let err = check_json(&dt, &serde_json::json!("yesterday"), "/d").unwrap_err();
        assert!(err.message.contains("/d"), "{}", err.message);
    }
}
