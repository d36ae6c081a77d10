//! What a test can ask of the APIv2 mock per request (a [`Failure`]) and what it records of
//! each request ([`ApiV2Request`]).

use std::fmt;

use super::sign::SignType;
use super::xml::Params;

/// The request header that asks the mock to fail this request: `return_code`, `result_code`
/// or `bad_sign` ([`Failure::from_header`]).
pub const FAIL_HEADER: &str = "Wechatpay-Mock-Fail";

/// A failure the mock answers with instead of its success answer, asked per request by the
/// [`FAIL_HEADER`] header or queued with [`super::ApiV2Server::fail_next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Failure {
    /// An unsigned `return_code` FAIL, `return_msg` "mock failure" (a communication failure,
    /// answered before any check of the request).
    ReturnCode,
    /// A signed business failure: `return_code` SUCCESS, `result_code` FAIL, `err_code`
    /// [`MOCK_ERR_CODE`], `err_code_des` "mock business failure".
    ResultCode,
    /// The success answer, but its `sign` is wrong (one character changed).
    BadSign,
}

/// The `err_code` of [`Failure::ResultCode`].
pub const MOCK_ERR_CODE: &str = "MOCK_ERROR";

impl Failure {
    /// The header value: `return_code`, `result_code`, `bad_sign`.
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::ReturnCode => "return_code",
            Failure::ResultCode => "result_code",
            Failure::BadSign => "bad_sign",
        }
    }

    /// The failure a [`FAIL_HEADER`] value names (case-insensitive, surrounding whitespace
    /// ignored), if any.
    pub fn from_header(value: &str) -> Option<Failure> {
        [Failure::ReturnCode, Failure::ResultCode, Failure::BadSign]
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(value.trim()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request the APIv2 mock received, kept in its log ([`super::ApiV2Server::requests`]),
/// whatever it was answered. Values are kept as sent: it is a test tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiV2Request {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// The path as received (no query), e.g. `/pay/orderquery`.
    pub path: String,
    /// Headers in arrival order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body, as lossy UTF-8.
    pub body: String,
    /// The parameters of the body, when it was APIv2 XML (empty otherwise).
    pub params: Params,
    /// The path of the model operation it went to, if any.
    pub operation: Option<String>,
    /// Whether its `sign` verified (with [`ApiV2Request::sign_type`] and the APIv2 key).
    pub sign_verified: bool,
    /// The sign type its `sign_type` named (MD5 when absent); `None` when the body could not
    /// be read or named an unknown sign type.
    pub sign_type: Option<SignType>,
    /// Whether the TLS connection presented a client certificate (verified against the test CA:
    /// the handshake fails on one that does not verify).
    pub client_certificate: bool,
    /// The failure applied to its answer, if any.
    pub failure: Option<Failure>,
    /// The HTTP status answered.
    pub status: u16,
    /// Why it was answered `return_code` FAIL (the `return_msg`), if it was.
    pub rejection: Option<String>,
}

impl ApiV2Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::log::header_value(&self.headers, name)
    }

    /// The value of body parameter `name`, if sent.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}
