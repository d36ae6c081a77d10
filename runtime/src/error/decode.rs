//! [`DecodeError`]: why a body is not the expected JSON, with every value it quoted redacted.

use std::error::Error as StdError;
use std::fmt;

/// The cause of an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error: what did not fit
/// (a missing field, a type mismatch, malformed JSON) and where (line and column, 1-based), but
/// never a value from the body.
///
/// serde's messages quote the offending value (`invalid type: string "o-openid", expected u32`):
/// the value may be personal data (an openid, an order number, a decrypted notification), so it
/// is replaced by `…`; names from the schema (`missing field `total``, `expected one of …`)
/// are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    message: String,
    position: Option<(usize, usize)>,
    /// What the body should have been: `JSON` or `XML`.
    format: &'static str,
}

impl DecodeError {
    /// From a serde_json error: its message, redacted, and its line and column.
    pub(crate) fn json(error: &serde_json::Error) -> Self {
        let full = error.to_string();
        let position = (error.line() > 0).then(|| (error.line(), error.column()));
        // serde_json appends " at line L column C" to the message: the position is kept apart.
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        Self {
            message: redact_values(message),
            position,
            format: "JSON",
        }
    }

    /// Why an APIv2 body is not the flat XML document expected: `message` must name no value
    /// from the body (it is redacted all the same), `byte` is where the problem was found.
    pub(crate) fn xml(message: &str, byte: Option<usize>) -> Self {
        let message = redact_values(message);
        Self {
            message: match byte {
                Some(at) => format!("{message} (at byte {at})"),
                None => message,
            },
            position: None,
            format: "XML",
        }
    }

    /// The same cause, about fields that came from an APIv2 XML body.
    pub(crate) fn about_xml_fields(mut self) -> Self {
        self.format = "XML";
        self
    }

    /// The format the body should have been in: `"JSON"` or `"XML"`.
    pub fn format(&self) -> &'static str {
        self.format
    }

    /// From any other cause (e.g. a gzip stream that is not valid), its message redacted.
    pub(crate) fn other(cause: &(dyn StdError + 'static)) -> Self {
        if let Some(json) = cause.downcast_ref::<serde_json::Error>() {
            return Self::json(json);
        }
        Self {
            message: redact_values(&cause.to_string()),
            position: None,
            format: "JSON",
        }
    }

    /// The 1-based line and column in the body where decoding stopped, when known.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.position
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some((line, column)) = self.position {
            write!(f, " at line {line} column {column}")?;
        }
        Ok(())
    }
}

impl StdError for DecodeError {}

/// Messages whose quoted part is a name from the schema, not a value from the body.
const NAMES_QUOTED: [&str; 4] = [
    "missing field",
    "duplicate field",
    "unknown field",
    "unknown variant",
];

/// Replaces what `message` quotes (`"…"` or `` `…` ``) with `…`, except the schema's own names:
/// everything after `, expected` (what the type wanted) and the field or variant name of the
/// messages in [`NAMES_QUOTED`].
fn redact_values(message: &str) -> String {
    let (head, tail) = match message.find(", expected") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    if NAMES_QUOTED.iter().any(|prefix| head.starts_with(prefix)) {
        return message.to_owned();
    }
    let mut out = String::with_capacity(message.len());
    let mut open: Option<char> = None;
    for c in head.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    open = Some(c);
                }
            }
        }
    }
    if let Some(quote) = open {
        out.push('…');
        out.push(quote);
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: serde::de::DeserializeOwned + fmt::Debug>(json: &str) -> DecodeError {
        DecodeError::json(&serde_json::from_str::<T>(json).unwrap_err())
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Order {
        total: u32,
        payer: String,
    }

    #[test]
    fn values_are_redacted_names_kept() {
        let e = decode::<Order>(r#"{"total": "o-SECRET-openid", "payer": "x"}"#);
        let text = e.to_string();
        assert!(!text.contains("SECRET"), "{text}");
        assert!(
            text.starts_with("invalid type: string \"…\", expected u32"),
            "{text}"
        );
        assert_eq!(e.position(), Some((1, 27)));

        let e = decode::<Order>(r#"{"payer": "x"}"#);
        assert_eq!(e.to_string(), "missing field `total` at line 1 column 14");

        let e = decode::<Order>(r#"{"total": 4294967296123, "payer": "x"}"#);
        assert!(!e.to_string().contains("4294967296123"), "{e}");
    }

    #[test]
    fn malformed_json_and_unterminated_quotes() {
        let e = decode::<Order>(r#"{"total": 1,"#);
        assert!(e.to_string().starts_with("EOF while parsing"), "{e}");
        assert_eq!(redact_values("bad `abc"), "bad `…`");
        assert_eq!(
            redact_values("unknown variant `X`, expected `A`"),
            "unknown variant `X`, expected `A`"
        );
    }
}
