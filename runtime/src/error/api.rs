//! [`ApiBody`]: what an API error keeps of a non-2xx body: `code`, `message`, `detail.field`.

use std::fmt;

/// The parts of an error body `{"code": "...", "message": "...", "detail": {"field": ...}}`
/// kept in an [`Error`](crate::Error); the body itself (which may echo personal data, e.g. a
/// `SIGN_ERROR`'s `detail.sign_information` quoting the signed URL and body) is not.
#[derive(Debug)]
pub(super) struct ApiBody {
    pub(super) code: Option<String>,
    pub(super) message: Option<String>,
    pub(super) field: Option<String>,
    /// Length of the body in bytes, for the message when it is not an error object.
    body_len: usize,
}

impl ApiBody {
    /// An APIv2 answer's code and message (from its XML fields).
    pub(super) fn fields(code: Option<String>, message: Option<String>) -> Self {
        Self {
            code,
            message,
            field: None,
            body_len: 0,
        }
    }

    pub(super) fn parse(body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Wire {
            code: Option<serde_json::Value>,
            message: Option<serde_json::Value>,
            detail: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let wire = serde_json::from_slice::<Wire>(body).ok();
        let (code, message, detail) = match wire {
            Some(w) => (text(w.code), text(w.message), w.detail),
            None => (None, None, None),
        };
        let field = detail
            .as_ref()
            .and_then(|d| d.get("field"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        Self {
            code,
            message,
            field,
            body_len: body.len(),
        }
    }

    /// `: CODE: message`, or what the body was when it carried neither.
    pub(super) fn write_summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (None, None) if self.body_len > 0 => write!(
                f,
                ": the body ({} bytes) is not an error object with a code and a message",
                self.body_len
            ),
            (None, None) => Ok(()),
            (code, message) => {
                write!(f, ": {}", code.as_deref().unwrap_or("(no code)"))?;
                match message {
                    Some(m) => write!(f, ": {m}"),
                    None => Ok(()),
                }
            }
        }
    }
}
