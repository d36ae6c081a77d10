//! [`Operation`]: one APIv2 request as generated code describes it, before `nonce_str` and
//! `sign` are added.

use std::collections::BTreeMap;
use std::fmt;

use http::{HeaderName, HeaderValue, Method};
use serde::Serialize;

use super::indexed::to_params;
use crate::Error;
use crate::transport::operation::header_pair;

/// One APIv2 request: method (always `POST` in the docs), path (e.g. `/pay/unifiedorder`), the
/// request's parameters, and how the endpoint differs from the default: another host, mutual
/// TLS, an unsigned answer, no `nonce_str`. Built by value; [`Client::xml`](super::Client::xml)
/// or [`Client::download`](super::Client::download) adds `nonce_str`, `sign_type` and `sign`
/// and sends it.
///
/// `Debug` shows the path, the flags and the parameter names, never their values.
#[derive(Clone)]
pub struct Operation {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) base_url: Option<&'static str>,
    pub(crate) mutual_tls: bool,
    pub(crate) unsigned_response: bool,
    pub(crate) no_nonce: bool,
    pub(crate) params: BTreeMap<String, String>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Operation {
    /// A request `method` to `path`, e.g. `Operation::new(Method::POST, "/pay/unifiedorder")`.
    pub fn new(method: Method, path: &'static str) -> Self {
        Self {
            method,
            path,
            base_url: None,
            mutual_tls: false,
            unsigned_response: false,
            no_nonce: false,
            params: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a request header the docs declare (the sandbox's `Wechatpay-Negative-Test`).
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) when the name or the value is not a valid header.
    pub fn header(mut self, name: &'static str, value: &str) -> Result<Self, Error> {
        self.headers.push(header_pair(name, value)?);
        Ok(self)
    }

    /// Adds a header when `value` is `Some`; `None` leaves the request as it is.
    ///
    /// # Errors
    /// As [`Operation::header`].
    pub fn header_opt(self, name: &'static str, value: Option<&str>) -> Result<Self, Error> {
        match value {
            Some(value) => self.header(name, value),
            None => Ok(self),
        }
    }

    /// The docs' `baseURL`: this endpoint lives on another host, e.g.
    /// `"https://fraud.mch.weixin.qq.com/"` (a trailing `/` is fine). The client's
    /// `alternate_base_url` can redirect it (tests, proxies).
    pub fn base_url(mut self, base: &'static str) -> Self {
        self.base_url = Some(base);
        self
    }

    /// The docs say `security: true` (需要证书): sent with the merchant's API certificate as the
    /// TLS client certificate (`ClientBuilder::merchant_certificate_pem`). Without one the call
    /// fails with [`Build`](crate::ErrorKind::Build) and nothing is sent.
    pub fn mutual_tls(mut self) -> Self {
        self.mutual_tls = true;
        self
    }

    /// The answer of this endpoint carries no `sign` (e.g. `/mmpaymkttransfers/gettransferinfo`,
    /// `/mchrisk/*`): it is not verified; `return_code` and `result_code` are still checked.
    pub fn unsigned_response(mut self) -> Self {
        self.unsigned_response = true;
        self
    }

    /// This endpoint is sent without `nonce_str` (customs declarations, papay contract queries,
    /// `/pay/queryexchagerate`, `/secapi/mch/*`).
    pub fn no_nonce(mut self) -> Self {
        self.no_nonce = true;
        self
    }

    /// Sets the request parameters from `body`, flattened with
    /// [`to_params`](super::to_params) (indexed lists become `name_$n` keys).
    ///
    /// # Errors
    /// As [`to_params`](super::to_params): [`Build`](crate::ErrorKind::Build).
    pub fn xml<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        self.params = to_params(body)?;
        Ok(self)
    }

    /// Sets the request parameters as they are (a flat map, e.g. built by hand).
    pub fn params(mut self, params: BTreeMap<String, String>) -> Self {
        self.params = params;
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path, e.g. `/pay/unifiedorder` (also the `path` of the request's tracing span).
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The request parameters so far (without `nonce_str` and `sign`, added when sent).
    pub fn param_map(&self) -> &BTreeMap<String, String> {
        &self.params
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("base_url", &self.base_url)
            .field("mutual_tls", &self.mutual_tls)
            .field("unsigned_response", &self.unsigned_response)
            .field("no_nonce", &self.no_nonce)
            .field("params", &self.params.keys().collect::<Vec<_>>())
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_never_values() {
        let op = Operation::new(Method::POST, "/pay/unifiedorder")
            .mutual_tls()
            .xml(&serde_json::json!({"openid": "o-SECRET", "total_fee": 1}))
            .expect("flat");
        let debug = format!("{op:?}");
        assert!(
            debug.contains("\"openid\"") && debug.contains("mutual_tls: true"),
            "{debug}"
        );
        assert!(!debug.contains("SECRET"), "{debug}");
        assert_eq!(op.param_map()["total_fee"], "1");
    }
}
