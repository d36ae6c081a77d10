//! APIv2 parameters as a flat map, to and from typed values.
//!
//! APIv2 has no nesting: a list is spelled with indexed keys (`coupon_id_$n`, `coupon_fee_$n`;
//! a list inside a list item `coupon_refund_id_$n_$m`). [`to_params`] flattens a request type
//! that way; [`from_params`] hands a response's flat map to a type whose `Deserialize` regroups
//! such keys with [`Lenient::take_indexed`](crate::Lenient::take_indexed) and reads numbers
//! from text with [`Lenient::take_text`](crate::Lenient::take_text).
//!
//! Source: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2> (`coupon_id_$n`),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5> (`coupon_refund_id_$n_$m`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{DecodeError, Error, JsonValue};

/// Flattens `value` into APIv2 parameters.
///
/// `value` is serialized with serde into a JSON object, then each member becomes:
/// - a string: itself; a number or a boolean: its JSON text (`1`, `true`);
/// - `null` (an absent `Option`): nothing;
/// - an array (an *indexed list*): its own key is dropped; item `i` (0-based, an object)
///   contributes each of its members `m` as `m_i`, and an array member of that item (a nested
///   list) contributes its item `j`'s members `s` as `s_i_j` (outer index first), and so on.
///
/// ```
/// # use sdk_runtime::wechatpay::v2::to_params;
/// let params = to_params(&serde_json::json!({
///     "total_fee": 100,
///     "attach": null,
///     "coupons": [{"coupon_id": "A", "coupon_fee": 10}, {"coupon_id": "B", "coupon_fee": 20}],
/// })).unwrap();
/// assert_eq!(params["total_fee"], "100");
/// assert_eq!(params["coupon_id_1"], "B");
/// assert!(!params.contains_key("attach") && !params.contains_key("coupons"));
/// ```
///
/// # Errors
/// [`ErrorKind::Build`](crate::ErrorKind::Build) if serialization fails, if `value` is not an
/// object, if an object appears other than as a list item, if a list item is not an object, or
/// if two members flatten to the same key. The error names the member, never a value.
pub fn to_params<T: Serialize + ?Sized>(value: &T) -> Result<BTreeMap<String, String>, Error> {
    let json = serde_json::to_value(value)
        .map_err(|e| Error::build_with("cannot serialize the APIv2 request", e))?;
    let JsonValue::Object(object) = json else {
        return Err(Error::build(
            "an APIv2 request must serialize to an object of fields",
        ));
    };
    let mut params = BTreeMap::new();
    flatten(&object, "", &mut params)?;
    Ok(params)
}

/// Adds every member of `object` to `params`, each key followed by `suffix` (`""`, `_i`, `_i_j`).
fn flatten(
    object: &serde_json::Map<String, JsonValue>,
    suffix: &str,
    params: &mut BTreeMap<String, String>,
) -> Result<(), Error> {
    for (name, value) in object {
        let text = match value {
            JsonValue::Null => continue,
            JsonValue::String(s) => s.clone(),
            JsonValue::Number(n) => n.to_string(),
            JsonValue::Bool(b) => b.to_string(),
            JsonValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let JsonValue::Object(item) = item else {
                        return Err(Error::build(format!(
                            "APIv2 list `{name}` must hold objects (its members become indexed keys)"
                        )));
                    };
                    flatten(item, &format!("{suffix}_{i}"), params)?;
                }
                continue;
            }
            JsonValue::Object(_) => {
                return Err(Error::build(format!(
                    "APIv2 field `{name}` is an object: APIv2 parameters are flat (serialize it as \
                     a JSON string, or as a list of items)"
                )));
            }
        };
        let key = format!("{name}{suffix}");
        if params.insert(key.clone(), text).is_some() {
            return Err(Error::build(format!("APIv2 parameter `{key}` is given twice")));
        }
    }
    Ok(())
}

/// Decodes `T` from a flat APIv2 map (e.g. [`xml::parse`](super::xml::parse)'s): the map
/// becomes a JSON object whose values are all JSON strings, and `T` is deserialized from it.
/// Generated response types read numbers and booleans from that text with
/// [`Lenient::take_text`](crate::Lenient::take_text) and indexed lists with
/// [`Lenient::take_indexed`](crate::Lenient::take_indexed).
///
/// # Errors
/// [`ErrorKind::Decode`](crate::ErrorKind::Decode) if `T` does not decode; its
/// [`DecodeError`] names the field and the expected type, never a value.
pub fn from_params<T: DeserializeOwned>(map: BTreeMap<String, String>) -> Result<T, Error> {
    let object: serde_json::Map<String, JsonValue> =
        map.into_iter().map(|(k, v)| (k, JsonValue::String(v))).collect();
    T::deserialize(JsonValue::Object(object))
        .map_err(|e| Error::decode_xml(DecodeError::json(&e).about_xml_fields()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn scalars_lists_and_nested_lists_flatten() {
        let params = to_params(&serde_json::json!({
            "s": "text", "n": -5, "f": 1.5, "b": false, "none": null, "empty": "",
            "refunds": [
                {"refund_fee": 1, "coupons": [{"coupon_refund_id": "X"}, {"coupon_refund_id": "Y"}]},
                {"refund_fee": 2, "coupons": []},
            ],
        }))
        .expect("flattens");
        let expected: BTreeMap<String, String> = [
            ("b", "false"),
            ("coupon_refund_id_0_0", "X"),
            ("coupon_refund_id_0_1", "Y"),
            ("empty", ""),
            ("f", "1.5"),
            ("n", "-5"),
            ("refund_fee_0", "1"),
            ("refund_fee_1", "2"),
            ("s", "text"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(params, expected);
    }

    #[test]
    fn shapes_apiv2_cannot_carry_are_build_errors() {
        for bad in [
            serde_json::json!({"scene_info": {"id": "SECRET"}}),
            serde_json::json!({"ids": ["SECRET"]}),
            serde_json::json!({"a_0": "SECRET", "list": [{"a": "SECRET"}]}),
            serde_json::json!(["SECRET"]),
            serde_json::json!("SECRET"),
        ] {
            let e = to_params(&bad).expect_err("refused");
            assert_eq!(e.kind(), ErrorKind::Build);
            assert!(!format!("{e} {e:?}").contains("SECRET"), "{e:?}");
        }
    }

    #[test]
    fn from_params_decodes_strings_and_redacts_errors() {
        #[derive(Debug, serde::Deserialize, PartialEq)]
        struct Plain {
            return_code: String,
            total_fee: u32,
        }
        let map: BTreeMap<String, String> = [("return_code", "SUCCESS"), ("total_fee", "SECRET")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let e = from_params::<Plain>(map).expect_err("a string is not a u32");
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains("XML"), "{e}");
        let text = format!("{e} {:?} {}", e, std::error::Error::source(&e).expect("cause"));
        assert!(!text.contains("SECRET"), "{text}");
    }
}
