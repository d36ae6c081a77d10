//! [`Decimal`]: an exact non-integer number (money) that travels as a JSON number.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An exact decimal number, such as Wonder's `price: 10.50` (an amount in the currency's major
/// unit): a [`rust_decimal::Decimal`], sent and received as a JSON **number**, never a float in
/// Rust and never a string on the wire.
///
/// JSON numbers reach serde as `f64`; a value travels exactly when it has at most 15
/// significant digits (every decimal of 15 digits survives a round trip through `f64`). Sending a
/// value with more fails to serialize rather than send another amount.
///
/// ```
/// use std::str::FromStr as _;
/// let price = sdk_runtime::Decimal::from_str("10.50").unwrap();
/// assert_eq!(serde_json::to_string(&price).unwrap(), "10.5");
/// let back: sdk_runtime::Decimal = serde_json::from_str("10.5").unwrap();
/// assert_eq!(back, price);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(pub rust_decimal::Decimal);

impl Decimal {
    /// `num × 10^-scale`, e.g. `Decimal::new(1050, 2)` is `10.50`.
    ///
    /// # Panics
    /// When `scale` is over 28 (rust_decimal's limit).
    pub fn new(num: i64, scale: u32) -> Self {
        Self(rust_decimal::Decimal::new(num, scale))
    }

    /// The value as a [`rust_decimal::Decimal`].
    pub fn get(self) -> rust_decimal::Decimal {
        self.0
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Self(value)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> Self {
        value.0
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Self(value.into())
    }
}

impl FromStr for Decimal {
    type Err = rust_decimal::Error;

    /// Parses `10.50`, `-3`, `1e3` is not accepted (rust_decimal's plain decimal notation).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        rust_decimal::Decimal::from_str(s).map(Self)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use rust_decimal::prelude::ToPrimitive as _;
        let float = self.0.to_f64().filter(|f| f.is_finite());
        // Exact only if the shortest decimal form of the float is this value again.
        match float.and_then(|f| {
            rust_decimal::Decimal::from_str(&f.to_string())
                .ok()
                .map(|d| (f, d))
        }) {
            Some((f, back)) if back == self.0.normalize() => serializer.serialize_f64(f),
            _ => Err(serde::ser::Error::custom(
                "a decimal with more than 15 significant digits cannot be sent exactly as a JSON number",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // `f64`'s `Display` is its shortest round-trip form: `10.5`, not `10.4999…`.
        rust_decimal::Decimal::from_str(&v.to_string())
            .map(Decimal)
            .map_err(|_| E::custom("the number is out of the decimal range"))
    }

    /// A number sent as a string (`"10.50"`) is accepted too.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str(v)
            .map_err(|_| E::invalid_value(de::Unexpected::Other("a non-decimal string"), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;
    use std::str::FromStr as _;

    #[test]
    fn travels_as_a_json_number_and_back() {
        for text in ["10.50", "0.1", "19.99", "-3", "1234567890123.45", "0"] {
            let value = Decimal::from_str(text).unwrap();
            let json = serde_json::to_string(&value).unwrap();
            assert!(!json.contains('"'), "{json}");
            let back: Decimal = serde_json::from_str(&json).unwrap();
            assert_eq!(back, value, "{text} → {json}");
        }
        assert_eq!(serde_json::to_string(&Decimal::new(1050, 2)).unwrap(), "10.5");
    }

    #[test]
    fn accepts_integers_and_strings_rejects_other_shapes() {
        assert_eq!(serde_json::from_str::<Decimal>("7").unwrap(), Decimal::new(7, 0));
        assert_eq!(
            serde_json::from_str::<Decimal>("\"7.25\"").unwrap(),
            Decimal::new(725, 2)
        );
        assert!(serde_json::from_str::<Decimal>("\"seven\"").is_err());
        assert!(serde_json::from_str::<Decimal>("true").is_err());
    }

    #[test]
    fn refuses_to_send_what_a_json_number_cannot_carry_exactly() {
        let value = Decimal::from_str("12345678901234567.891").unwrap();
        assert!(serde_json::to_string(&value).is_err());
    }
}
