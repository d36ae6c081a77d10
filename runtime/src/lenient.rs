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
                // The error text may quote the value: only names are logged.
                tracing::warn!(
                    r#type = self.type_name,
                    field = name,
                    "response field does not decode as the model says; its raw value is kept in `unparsed`"
                );
                self.unparsed.insert(name.to_owned(), value);
                None
            }
        }
    }

    /// The fields that did not decode, and those the type does not know.
    pub fn finish(mut self) -> Unparsed {
        self.unparsed.extend(self.fields);
        Unparsed(self.unparsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DateTime;

    #[derive(Debug, PartialEq)]
    struct Inner {
        code: Option<String>,
        unparsed: Unparsed,
    }

    impl<'de> serde::Deserialize<'de> for Inner {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let mut fields = Lenient::new(d, "Inner")?;
            Ok(Inner {
                code: fields.take("code"),
                unparsed: fields.finish(),
            })
        }
    }

    #[derive(Debug)]
    struct Outer {
        amount: Option<i64>,
        at: Option<DateTime>,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        unparsed: Unparsed,
    }

    impl<'de> serde::Deserialize<'de> for Outer {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let mut fields = Lenient::new(d, "Outer")?;
            Ok(Outer {
                amount: fields.take("amount"),
                at: fields.take("at"),
                inner: fields.take("inner"),
                list: fields.take("list"),
                unparsed: fields.finish(),
            })
        }
    }

    #[test]
    fn a_field_of_another_shape_is_kept_raw_and_the_rest_decodes() {
        let outer: Outer = serde_json::from_str(
            r#"{"amount": {"total": 1}, "at": "yesterday", "inner": {"code": 7, "extra": true},
                "list": [{"code": "A"}], "later": [1]}"#,
        )
        .expect("decodes");
        assert_eq!(outer.amount, None);
        assert_eq!(outer.at, None);
        assert_eq!(
            outer.unparsed.get("amount"),
            Some(&serde_json::json!({"total": 1}))
        );
        assert_eq!(outer.unparsed.get("at"), Some(&serde_json::json!("yesterday")));
        assert_eq!(outer.unparsed.get("later"), Some(&serde_json::json!([1])));
        let inner = outer.inner.expect("inner decodes");
        assert_eq!(inner.code, None);
        assert_eq!(inner.unparsed.names().collect::<Vec<_>>(), ["code", "extra"]);
        assert_eq!(outer.list.expect("list")[0].code.as_deref(), Some("A"));
    }

    #[test]
    fn null_is_absent_and_a_non_object_is_an_error() {
        let outer: Outer = serde_json::from_str(r#"{"amount": null}"#).expect("decodes");
        assert!(outer.amount.is_none() && outer.unparsed.is_empty());
        assert!(serde_json::from_str::<Outer>("[1]").is_err());
    }

    #[test]
    fn debug_names_fields_never_values() {
        let outer: Outer =
            serde_json::from_str(r#"{"amount": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}"#).expect("decodes");
        let debug = format!("{outer:?}");
        assert!(debug.contains("unparsed: {\"amount\"}"), "{debug}");
        assert!(!debug.contains("oUpF8u"), "{debug}");
    }
}
