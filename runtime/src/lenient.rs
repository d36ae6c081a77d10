//! Lenient decoding of response objects: one field of an unexpected shape never loses the rest.
//!
//! A verified response is data the caller paid for: when WeChat Pay sends one field in another
//! shape than the model says (an object where the docs say string, a date-time that is not
//! RFC 3339), the generated response types decode every other field, keep that field's raw JSON
//! in [`Unparsed`], and say so in a `tracing` event that names the type and the field, never the
//! value.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;

use crate::JsonValue;

/// Fields of a response object that this SDK does not know, or that did not decode as the model
/// says, kept as raw JSON by wire name.
///
/// `Debug` lists the names only: values may be personal data. Serializes as the fields
/// themselves (flattened into the object that holds it).
#[derive(Clone, Default, PartialEq)]
pub struct Unparsed(BTreeMap<String, JsonValue>);

impl Unparsed {
    /// The raw value of field `name`, if it was kept.
    pub fn get(&self, name: &str) -> Option<&JsonValue> {
        self.0.get(name)
    }

    /// The kept fields' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Every kept field, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &JsonValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// True when every field decoded and none was unknown.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Unparsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl serde::Serialize for Unparsed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Unparsed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <BTreeMap<String, JsonValue> as serde::Deserialize>::deserialize(deserializer).map(Self)
    }
}

/// A response object being decoded field by field: what a generated response type's
/// `Deserialize` uses.
///
/// ```
/// # use sdk_runtime::{Lenient, Unparsed};
/// #[derive(Debug)]
/// struct Order { total: Option<i64>, state: Option<String>, unparsed: Unparsed }
/// impl<'de> serde::Deserialize<'de> for Order {
///     fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
///         let mut fields = Lenient::new(d, "Order")?;
///         Ok(Order { total: fields.take("total"), state: fields.take("state"), unparsed: fields.finish() })
///     }
/// }
/// let order: Order = serde_json::from_str(r#"{"total": "12", "state": "PAID", "new": 1}"#).unwrap();
/// assert_eq!((order.total, order.state.as_deref()), (None, Some("PAID")));
/// assert_eq!(order.unparsed.names().collect::<Vec<_>>(), ["new", "total"]);
/// ```
pub struct Lenient {
    type_name: &'static str,
    fields: serde_json::Map<String, JsonValue>,
    unparsed: BTreeMap<String, JsonValue>,
}

impl Lenient {
    /// Reads the object `type_name` is decoded from.
    ///
    /// # Errors
    /// When the value is not a JSON object (the one shape a response type cannot do without).
    pub fn new<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
        type_name: &'static str,
    ) -> Result<Self, D::Error> {
        let fields = <serde_json::Map<String, JsonValue> as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self {
            type_name,
            fields,
            unparsed: BTreeMap::new(),
        })
    }

    /// The field `name` decoded as `T`: `None` when absent or `null`; also `None` when it does
    /// not decode, in which case its raw value is kept for [`Lenient::finish`] and a `warn`
    /// event names the type and the field.
    pub fn take<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<T> {
        let value = self.fields.remove(name)?;
        if value.is_null() {
            return None;
        }
        match T::deserialize(&value) {
            Ok(decoded) => Some(decoded),
            Err(_) => {
                self.keep_raw(name, value);
                None
            }
        }
    }

    /// Like [`Lenient::take`], for objects whose values are all text (WeChat Pay APIv2, decoded
    /// with [`from_params`](crate::wechatpay::v2::from_params)): when the value is a JSON string
    /// that does not decode as `T`, `T` is decoded from the string's text read as a JSON number
    /// or boolean, so `"100"` gives `100_i64` and `"true"` gives `true` (a `String` field keeps
    /// the text as is). Otherwise as [`Lenient::take`]: `None` when absent, `null` or not
    /// decodable (the raw value kept for [`Lenient::finish`]).
    pub fn take_text<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<T> {
        let value = self.fields.remove(name)?;
        if value.is_null() {
            return None;
        }
        if let Ok(decoded) = T::deserialize(&value) {
            return Some(decoded);
        }
        let scalar = value
            .as_str()
            .and_then(|text| serde_json::from_str::<JsonValue>(text.trim()).ok())
            .filter(|v| v.is_number() || v.is_boolean());
        if let Some(decoded) = scalar.and_then(|v| T::deserialize(&v).ok()) {
            return Some(decoded);
        }
        self.keep_raw(name, value);
        None
    }

    /// An APIv2 list decoded as `T` (e.g. `Vec<Coupon>`), from either of its two wire shapes.
    ///
    /// `name` is the list's wire name (also the field the `warn` event names).
    ///
    /// - A *nested list*: when the object has a field named exactly `name` whose value is a
    ///   JSON string that starts with `<` once trimmed (the raw inner XML that
    ///   [`xml::parse`](crate::wechatpay::v2::xml::parse) keeps for an element holding
    ///   elements, e.g. `hblist` of `POST /mmpaymkttransfers/gethbinfo`:
    ///   `<hbinfo><openid>…</openid><amount>100</amount></hbinfo><hbinfo>…</hbinfo>`), that text
    ///   is read with [`xml::parse_list`](crate::wechatpay::v2::xml::parse_list) and `T` is
    ///   decoded from the array of its items, each a JSON object of string members. Fields
    ///   `{m}_{i}` are then left alone.
    /// - Otherwise an *indexed list*, regrouped: removes every field `{m}_{i}` or
    ///   `{m}_{i}_{rest}` whose `m` is one of `members` and `i` a decimal index (`0` or without
    ///   leading zeros), gives item `i` the key `m` or `m_{rest}` respectively, and decodes `T`
    ///   from the array of items in index order (missing indexes skipped).
    ///
    /// In an indexed list, what follows `m_` must start with the index: with members
    /// `coupon_refund` and `coupon_refund_fee`, `coupon_refund_fee_0` belongs to the latter
    /// only. An indexed list inside an item keeps its second index: `coupon_refund_id_0_1`
    /// becomes item 0's `coupon_refund_id_1`, which the item type's own `Deserialize` regroups
    /// with `take_indexed` again.
    ///
    /// `None` when neither shape is there; also `None` when the list does not decode as `T`
    /// (for a nested list, also when its text is not a list [`parse_list`] reads), in which
    /// case the raw fields are kept under their wire names for [`Lenient::finish`] and a `warn`
    /// event names the type and the field (never a value).
    ///
    /// [`parse_list`]: crate::wechatpay::v2::xml::parse_list
    ///
    /// ```
    /// # use sdk_runtime::Lenient;
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Coupon { coupon_id: String, coupon_fee: String }
    /// struct Order { coupons: Option<Vec<Coupon>> }
    /// impl<'de> serde::Deserialize<'de> for Order {
    ///     fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
    ///         let mut fields = Lenient::new(d, "Order")?;
    ///         Ok(Order { coupons: fields.take_indexed("coupons", &["coupon_id", "coupon_fee"]) })
    ///     }
    /// }
    /// let order: Order = serde_json::from_str(
    ///     r#"{"coupon_id_1": "B", "coupon_fee_1": "20", "coupon_id_0": "A", "coupon_fee_0": "10"}"#,
    /// ).unwrap();
    /// let coupons = order.coupons.unwrap();
    /// assert_eq!((coupons[0].coupon_id.as_str(), coupons[1].coupon_fee.as_str()), ("A", "20"));
    ///
    /// let nested: Order = serde_json::from_str(
    ///     r#"{"coupons": "<c><coupon_id>A</coupon_id><coupon_fee>10</coupon_fee></c>"}"#,
    /// ).unwrap();
    /// assert_eq!(nested.coupons.unwrap()[0].coupon_id, "A");
    /// ```
    pub fn take_indexed<T: DeserializeOwned>(
        &mut self,
        name: &'static str,
        members: &'static [&'static str],
    ) -> Option<T> {
        if matches!(self.fields.get(name), Some(JsonValue::String(t)) if t.trim_start().starts_with('<')) {
            let raw = self.fields.remove(name)?;
            let decoded = raw.as_str().and_then(|text| nested_list(text));
            if decoded.is_none() {
                self.warn_list(name);
                self.unparsed.insert(name.to_owned(), raw);
            }
            return decoded;
        }
        let matched: Vec<(String, u64, String)> = self
            .fields
            .keys()
            .filter_map(|key| indexed_key(key, members).map(|(i, item_key)| (key.clone(), i, item_key)))
            .collect();
        if matched.is_empty() {
            return None;
        }
        let mut items: BTreeMap<u64, serde_json::Map<String, JsonValue>> = BTreeMap::new();
        let mut raw = Vec::with_capacity(matched.len());
        for (key, index, item_key) in matched {
            if let Some(value) = self.fields.remove(&key) {
                items.entry(index).or_default().insert(item_key, value.clone());
                raw.push((key, value));
            }
        }
        let array = JsonValue::Array(items.into_values().map(JsonValue::Object).collect());
        match T::deserialize(&array) {
            Ok(decoded) => Some(decoded),
            Err(_) => {
                self.warn_list(name);
                self.unparsed.extend(raw);
                None
            }
        }
    }

    /// Says that list `name` did not decode (names only, never the value).
    fn warn_list(&self, name: &str) {
        tracing::warn!(
            r#type = self.type_name,
            field = name,
            "response list does not decode as the model says; its raw fields are kept in `unparsed`"
        );
    }

    /// Keeps `value` raw under `name` and says so (names only, never the value).
    fn keep_raw(&mut self, name: &str, value: JsonValue) {
        // The error text may quote the value: only names are logged.
        tracing::warn!(
            r#type = self.type_name,
            field = name,
            "response field does not decode as the model says; its raw value is kept in `unparsed`"
        );
        self.unparsed.insert(name.to_owned(), value);
    }

    /// The fields that did not decode, and those the type does not know.
    pub fn finish(mut self) -> Unparsed {
        self.unparsed.extend(self.fields);
        Unparsed(self.unparsed)
    }
}

/// `T` decoded from the items of a nested list's raw inner XML (each item a JSON object of
/// string members); `None` when the text is not such a list or the items do not decode.
fn nested_list<T: DeserializeOwned>(text: &str) -> Option<T> {
    let items = crate::wechatpay::v2::xml::parse_list(text).ok()?;
    let items = items
        .into_iter()
        .map(|item| JsonValue::Object(item.into_iter().map(|(k, v)| (k, JsonValue::String(v))).collect()))
        .collect();
    T::deserialize(&JsonValue::Array(items)).ok()
}

/// The index and the item's key of an indexed-list field `key` (`{m}_{i}` → `(i, m)`,
/// `{m}_{i}_{rest}` → `(i, m_{rest})`) for the longest of `members` it starts with; `None` when
/// it is not one. The index is `0` or decimal digits without a leading zero.
fn indexed_key(key: &str, members: &[&str]) -> Option<(u64, String)> {
    members
        .iter()
        .filter_map(|member| {
            let rest = key.strip_prefix(member)?.strip_prefix('_')?;
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let (index, tail) = rest.split_at(digits);
            if digits == 0 || (digits > 1 && index.starts_with('0')) {
                return None;
            }
            let index: u64 = index.parse().ok()?;
            let item_key = match tail {
                "" => (*member).to_owned(),
                _ => {
                    let tail = tail.strip_prefix('_').filter(|t| !t.is_empty())?;
                    format!("{member}_{tail}")
                }
            };
            Some((member.len(), index, item_key))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, index, item_key)| (index, item_key))
}

#[cfg(test)]
#[path = "lenient_tests.rs"]
mod tests;
