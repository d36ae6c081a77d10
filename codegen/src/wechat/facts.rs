//! The second source of the WeChat Pay model: request and response facts extracted from the
//! official WeChat Pay Go SDK (`../shared/official-sdk-facts/wechatpay-go-facts.json`).
//!
//! The file holds, per SDK call, the method, the path template and every field the SDK sends or
//! decodes: dotted JSON name, where it goes (`body`, `query`, `path`, `multipart`), whether the SDK
//! requires it within its parent object, its JSON shape (`kind`) with enum values, and whether the
//! SDK encrypts it with the WeChat Pay key (RSA-OAEP). [`parse`] reads it; [`super::merge`] merges
//! it into the model imported from the docs.

use serde::Deserialize;

use crate::diag::{Diagnostic, Span};

/// The whole facts file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Facts {
    /// Where the facts were extracted from.
    pub source: FactsSource,
    /// One entry per SDK call (several calls may share a method and path).
    pub operations: Vec<FactOperation>,
}

/// The SDK the facts describe.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FactsSource {
    /// `owner/name` of the SDK's repository.
    pub repository: String,
    /// The commit the facts were extracted at.
    pub commit: String,
}

/// One call of the SDK.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FactOperation {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, parameters in braces (`/v3/refund/domestic/refunds/{out_refund_no}`).
    pub path: String,
    /// The SDK's name of the call (`services/refunddomestic.RefundsApiService.Create`).
    pub go: String,
    /// Every request field (path, query, body and multipart).
    #[serde(default)]
    pub fields: Vec<FactField>,
    /// What the call decodes.
    pub response: FactResponse,
}

/// What an SDK call decodes from a success response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FactResponse {
    /// `json`, `none` or `file`.
    pub kind: String,
    /// The SDK's type name for the decoded body (`Transaction`, `Refund`): a naming hint.
    #[serde(default)]
    pub go_type: Option<String>,
    /// Every field the SDK decodes.
    #[serde(default)]
    pub fields: Vec<FactField>,
}

/// One field the SDK sends or decodes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FactField {
    /// `path`, `query`, `body`, `multipart` or `response`.
    #[serde(rename = "in")]
    pub location: String,
    /// The dotted JSON name from the enclosing body (`amount.from.account`); arrays add no index.
    pub name: String,
    /// Required within its parent object (path parameters always are).
    pub required: bool,
    /// The JSON shape.
    #[serde(flatten)]
    pub kind: Kind,
    /// The SDK encrypts (requests) or decrypts (responses) it with RSA-OAEP.
    #[serde(default)]
    pub encrypted: bool,
    /// The SDK's `Type.Field` (`CreateRequest.OutRefundNo`): a naming hint.
    #[serde(default)]
    pub go_field: Option<String>,
}

/// The JSON shape of a field's Go type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// A string.
    String,
    /// An integer (`int*`, `uint*`).
    Integer,
    /// A non-integer number (`float*`).
    Number,
    /// A boolean.
    Boolean,
    /// `time.Time`: an RFC 3339 string on the wire.
    DateTime,
    /// A named string type with constants: the constants are the known values.
    Enum {
        /// The known values.
        #[serde(default)]
        values: Vec<String>,
    },
    /// A nested struct; its fields follow as dotted names.
    Object,
    /// A slice.
    Array {
        /// The element's shape (object elements' fields follow as dotted names).
        items: Box<Kind>,
    },
    /// A map.
    Map,
    /// `interface{}`: any JSON value.
    Any,
    /// A multipart file part.
    File,
}

/// Reads the facts file.
///
/// # Errors
/// A [`Diagnostic`] at the line and column where the JSON is malformed or does not match the
/// facts' shape.
pub fn parse(text: &str) -> Result<Facts, Diagnostic> {
    serde_json::from_str(text).map_err(|err| {
        let line = u32::try_from(err.line()).unwrap_or(u32::MAX).max(1);
        let column = u32::try_from(err.column()).unwrap_or(u32::MAX).max(1);
        Diagnostic::new(Span::new(line, column), err.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_with_their_shapes() {
        let facts = parse(
            r#"{"source": {"repository": "o/sdk", "commit": "abc"}, "operations": [
                {"method": "POST", "path": "/v3/x", "go": "x.Create", "fields": [
                  {"in": "body", "name": "amount.from", "required": false, "kind": "array",
                   "items": {"kind": "enum", "values": ["A"]}},
                  {"in": "body", "name": "name", "required": true, "kind": "string", "encrypted": true}
                ], "response": {"kind": "none"}}]}"#,
        )
        .expect("valid facts");
        let op = &facts.operations[0];
        assert_eq!(
            op.fields[0].kind,
            Kind::Array {
                items: Box::new(Kind::Enum {
                    values: vec!["A".into()]
                })
            }
        );
        assert!(op.fields[1].encrypted && op.fields[1].required);
        assert_eq!(op.response.kind, "none");
    }

    #[test]
    fn a_malformed_file_names_line_and_column() {
        let err = parse("{\"source\": {\"repository\": \"o/sdk\",\n  \"commit\": 3}}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 13), "{}", err.message);
    }
}
