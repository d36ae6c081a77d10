//! [`StringOrNumber`]: the TypeScript `string | number` union.

use std::fmt;

/// A value declared as `string | number` in the upstream TypeScript docs.
///
/// Serialized untagged: a JSON string becomes [`StringOrNumber::String`], a JSON number
/// [`StringOrNumber::Number`] (kept as [`serde_json::Number`], so integers beyond `i64`/`u64`
/// ranges and decimals are not rounded by this type). `Display` prints the string as is or the
/// number in its JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum StringOrNumber {
    /// A JSON string.
    String(String),
    /// A JSON number.
    Number(serde_json::Number),
}

impl fmt::Display for StringOrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => f.write_str(s),
            Self::Number(n) => fmt::Display::fmt(n, f),
        }
    }
}

impl From<String> for StringOrNumber {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&str> for StringOrNumber {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<i64> for StringOrNumber {
    fn from(value: i64) -> Self {
        Self::Number(value.into())
    }
}

impl From<u64> for StringOrNumber {
    fn from(value: u64) -> Self {
        Self::Number(value.into())
    }
}

#[cfg(test)]
mod tests {
    use super::StringOrNumber;

    #[test]
    fn untagged_round_trip() {
        let v: Vec<StringOrNumber> = serde_json::from_str(r#"["a",1,2.5,"3"]"#).unwrap();
        assert_eq!(v[0], StringOrNumber::String("a".into()));
        assert_eq!(v[1], StringOrNumber::from(1_i64));
        assert!(matches!(v[2], StringOrNumber::Number(_)));
        assert_eq!(v[3], StringOrNumber::from("3"));
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"["a",1,2.5,"3"]"#);
        assert_eq!(v[2].to_string(), "2.5");
        assert!(serde_json::from_str::<StringOrNumber>("true").is_err());
    }
}
