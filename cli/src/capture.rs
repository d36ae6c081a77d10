//! The capture of a dry run and of the validation pass before every call: the runtime's own
//! [`RequestCapture`] (`ClientBuilder::capture_requests`). A client made with it builds, signs
//! and encodes each request exactly as for the network, records it, and gets
//! `400 {"code":"PAYCTL_CAPTURED"}` back instead of sending it, so the call ends there: the
//! request is made by the same generated code and runtime as a real call, and nothing leaves
//! the process.

use http::header::{CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, StatusCode};
pub use sdk_runtime::transport::CapturedRequest as Captured;
use sdk_runtime::transport::RequestCapture;

/// The `code` of the capture's answer, which the runtime reports as an API error (APIv2 reads
/// the 400 as a `return_code` failure).
const CAPTURED_CODE: &str = "PAYCTL_CAPTURED";

/// A capture answering every request with its 400.
pub fn start() -> RequestCapture {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let answer = format!("{{\"code\":\"{CAPTURED_CODE}\",\"message\":\"captured by payctl; not sent\"}}");
    RequestCapture::new(StatusCode::BAD_REQUEST, headers, answer)
}

/// `captured`'s headers as `name: value` lines in the order sent, names in lower case; a value
/// that is not text is shown as bytes.
pub fn header_lines(captured: &Captured) -> Vec<(String, String)> {
    captured
        .headers
        .iter()
        .map(|(name, value)| {
            let value = match value.to_str() {
                Ok(text) => text.to_owned(),
                Err(_) => format!("{:?}", value.as_bytes()),
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}
