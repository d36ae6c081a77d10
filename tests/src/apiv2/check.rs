//! The checks of an APIv2 request body: UTF-8 XML, its `sign`, its `nonce_str`, and the
//! model's required fields.

use codegen::ir::Operation;

use super::sample::{fits, request_fields};
use super::sign::{SignType, verify};
use super::xml::{Params, parse_xml};

/// The `return_msg` of a request whose `sign` does not verify (WeChat Pay's `签名错误`).
pub const SIGN_MISMATCH: &str = "签名错误 (sign mismatch)";

/// The longest `nonce_str` WeChat Pay accepts.
pub const MAX_NONCE_LEN: usize = 32;

/// What the checks found.
#[derive(Debug, Default)]
pub(crate) struct Inspection {
    /// The body's parameters (empty when it is not APIv2 XML).
    pub params: Params,
    /// The sign type the request names (`None` when unreadable or unknown).
    pub sign_type: Option<SignType>,
    /// Whether `sign` verified.
    pub sign_verified: bool,
    /// The first problem found, as the `return_msg` to answer.
    pub problem: Option<String>,
}

/// Reads and checks `body` as a request to `op`, signed with `key`. The problems, in the order
/// checked: not UTF-8, not an `<xml>` document (or one with a DOCTYPE), an unknown `sign_type`,
/// `sign` missing or wrong ([`SIGN_MISMATCH`]), `nonce_str` missing or longer than
/// [`MAX_NONCE_LEN`], a required field of the model missing or empty (`missing field NAME`), an
/// integer field that is not an integer.
pub(crate) fn inspect(op: &Operation, body: &[u8], key: &str) -> Inspection {
    let mut found = Inspection::default();
    let Ok(text) = std::str::from_utf8(body) else {
        found.problem = Some("the body is not UTF-8".to_owned());
        return found;
    };
    match parse_xml(text) {
        Ok(params) => found.params = params,
        Err(e) => {
            found.problem = Some(format!("invalid XML body: {e}"));
            return found;
        }
    }
    let params = &found.params;
    let Some(sign_type) = SignType::from_param(params.get("sign_type").map(String::as_str)) else {
        found.problem = Some(format!(
            "sign_type {} is not supported (MD5 or HMAC-SHA256)",
            params["sign_type"]
        ));
        return found;
    };
    found.sign_type = Some(sign_type);
    found.sign_verified = verify(params, key, sign_type);
    found.problem = problem(op, params, sign_type, found.sign_verified);
    found
}

fn problem(op: &Operation, params: &Params, sign_type: SignType, sign_verified: bool) -> Option<String> {
    let present = |name: &str| params.get(name).is_some_and(|v| !v.is_empty());
    if !present("sign") {
        return Some("missing field sign".to_owned());
    }
    if !sign_verified {
        return Some(format!("{SIGN_MISMATCH} ({sign_type})"));
    }
    match params.get("nonce_str").map(String::as_str) {
        None | Some("") => return Some("missing field nonce_str".to_owned()),
        Some(nonce) if nonce.chars().count() > MAX_NONCE_LEN => {
            return Some(format!("nonce_str is longer than {MAX_NONCE_LEN} characters"));
        }
        Some(_) => {}
    }
    for field in request_fields(op) {
        if field.name == "sign" || field.name == "nonce_str" {
            continue;
        }
        match params.get(&field.name) {
            Some(value) if !value.is_empty() && !fits(&field.ty, value) => {
                return Some(format!("field {} is not an integer: {value:?}", field.name));
            }
            // Indexed lists (none in requests today) send `{member}_{i}`, not their own name.
            _ if field.optional || matches!(field.ty, codegen::ir::Type::Array { .. }) => {}
            Some(value) if !value.is_empty() => {}
            _ => return Some(format!("missing field {}", field.name)),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiv2::sample::sample_request;
    use crate::apiv2::sign::sign;
    use crate::apiv2::xml::to_xml;
    use crate::model::Model;

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    fn signed(mut params: Params, sign_type: SignType) -> Vec<u8> {
        params.insert("nonce_str".into(), "n0nce".into());
        if sign_type == SignType::HmacSha256 {
            params.insert("sign_type".into(), "HMAC-SHA256".into());
        }
        let s = sign(&params, KEY, sign_type);
        params.insert("sign".into(), s);
        to_xml(&params).into_bytes()
    }

    #[test]
    fn finds_each_problem() {
        let model = Model::load_default().unwrap();
        let op = model
            .xml_operations()
            .iter()
            .find(|o| o.path == "/pay/orderquery")
            .unwrap();
        let good = sample_request(op);
        for sign_type in [SignType::Md5, SignType::HmacSha256] {
            let ok = inspect(op, &signed(good.clone(), sign_type), KEY);
            assert_eq!(ok.problem, None);
            assert!(ok.sign_verified);
            assert_eq!(ok.sign_type, Some(sign_type));
        }
        let wrong_key = inspect(op, &signed(good.clone(), SignType::Md5), "another key");
        assert!(wrong_key.problem.unwrap().contains("签名错误"));
        let mut missing = good.clone();
        missing.remove("mch_id");
        let found = inspect(op, &signed(missing, SignType::Md5), KEY);
        assert_eq!(found.problem.as_deref(), Some("missing field mch_id"));
        assert!(found.sign_verified);
        let not_xml = inspect(op, b"{\"a\": 1}", KEY);
        assert!(not_xml.problem.unwrap().contains("XML"));
        let not_utf8 = inspect(op, b"<xml>\xff</xml>", KEY);
        assert!(not_utf8.problem.unwrap().contains("UTF-8"));
        let mut long_nonce = good;
        long_nonce.insert("nonce_str".into(), "x".repeat(33));
        long_nonce.insert("sign".into(), sign(&long_nonce, KEY, SignType::Md5));
        let found = inspect(op, to_xml(&long_nonce).as_bytes(), KEY);
        assert!(found.problem.unwrap().contains("longer than 32"));
    }
}
