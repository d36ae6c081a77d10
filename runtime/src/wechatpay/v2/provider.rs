//! WeChat Pay APIv2 as a [`Provider`] of the neutral transport, and the two ends of a call:
//! the signed request document, and the checks of the answer (`return_code`, `sign`,
//! `result_code`, in that order).
//!
//! APIv2 signs inside the body, so the signed document is built before the transport sees the
//! request; the transport's signing step only sets `Accept`, and its verification step is empty
//! (the answer is checked by [`WechatPayV2::check_answer`] once parsed).
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)").

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::ACCEPT;
use http::{HeaderValue, StatusCode};

use super::key::ApiV2Key;
use super::nonce::nonce_str;
use super::operation::Operation as V2Operation;
use super::sign::{SIGN_FIELD, SIGN_TYPE_FIELD, SignType, sign, verify};
use super::xml;
use crate::Error;
use crate::transport::provider::{Expect, Provider, SignableRequest, request_span};
use crate::transport::{Operation, Response, Transport};

/// `SUCCESS`, the value of a successful `return_code` or `result_code`.
const SUCCESS: &str = "SUCCESS";

/// The APIv2 side of a [`Client`](super::Client): the key and the default sign type.
pub(crate) struct WechatPayV2 {
    pub(crate) key: ApiV2Key,
    pub(crate) sign_type: SignType,
}

impl WechatPayV2 {
    /// The transport operation of `op`: its parameters with `nonce_str` (unless
    /// [`no_nonce`](V2Operation::no_nonce) or already given), `sign_type` (when the client's
    /// type is not MD5 and the request names none) and `sign`, written as XML.
    ///
    /// # Errors
    /// [`Build`](crate::ErrorKind::Build) if the request's own `sign_type` is not `MD5` or
    /// `HMAC-SHA256`, or the random generator fails.
    pub(crate) fn signed_operation(&self, op: V2Operation) -> Result<Operation, Error> {
        let V2Operation {
            method,
            path,
            base_url,
            mutual_tls,
            no_nonce,
            mut params,
            headers,
            ..
        } = op;
        if !no_nonce && !params.contains_key("nonce_str") {
            params.insert("nonce_str".to_owned(), nonce_str()?);
        }
        let sign_type = match params.get(SIGN_TYPE_FIELD) {
            Some(given) => given.parse::<SignType>()?,
            None => {
                if self.sign_type != SignType::Md5 {
                    params.insert(SIGN_TYPE_FIELD.to_owned(), self.sign_type.as_str().to_owned());
                }
                self.sign_type
            }
        };
        params.remove(SIGN_FIELD);
        let signature = sign(&params, &self.key, sign_type);
        params.insert(SIGN_FIELD.to_owned(), signature);
        let mut transport_op = Operation::new(method, path)
            .xml_body(Bytes::from(xml::write(&params)))
            .with_mutual_tls(mutual_tls);
        if let Some(base) = base_url {
            transport_op = transport_op.base_url(base);
        }
        for (name, value) in headers {
            transport_op = transport_op.with_header(name, value);
        }
        Ok(transport_op)
    }

    /// Checks a parsed answer (a response, or a notification): `return_code` must be `SUCCESS`
    /// (else [`Api`](crate::ErrorKind::Api) with `return_code`/`return_msg`); then, if `signed`,
    /// the `sign` must verify (else [`Signature`](crate::ErrorKind::Signature)); then a
    /// `result_code` other than `SUCCESS` is a [`Business`](crate::ErrorKind::Business) error
    /// with `err_code`/`err_code_des`. A FAIL result is signed too: it is trusted only once
    /// verified.
    ///
    /// # Errors
    /// As above; [`Decode`](crate::ErrorKind::Decode) if there is no `return_code`.
    pub(crate) fn check_answer(
        &self,
        map: &BTreeMap<String, String>,
        signed: bool,
        status: Option<StatusCode>,
        request_id: Option<String>,
    ) -> Result<(), Error> {
        if !map.contains_key("return_code") {
            return Err(
                Error::decode_xml(crate::DecodeError::xml("missing field `return_code`", None))
                    .at_response(status, request_id),
            );
        }
        if let Some(error) = return_code_failure(map, status, request_id.clone()) {
            return Err(error);
        }
        if signed {
            verify(map, &self.key).map_err(|e| {
                tracing::warn!(reason = ?e.kind(), "WeChat Pay APIv2 signature rejected");
                e.at_response(status, request_id.clone())
            })?;
        }
        match map.get("result_code").map(String::as_str) {
            None | Some(SUCCESS) => Ok(()),
            Some(_) => Err(Error::business(
                status,
                request_id,
                map.get("err_code").cloned(),
                map.get("err_code_des").cloned(),
            )),
        }
    }
}

/// The [`Api`](crate::ErrorKind::Api) error of a `return_code` other than `SUCCESS`, with
/// `return_msg`; `None` when it is `SUCCESS` or absent (an answer must have one, which
/// [`WechatPayV2::check_answer`] checks; a payscore notification has none).
pub(crate) fn return_code_failure(
    map: &BTreeMap<String, String>,
    status: Option<StatusCode>,
    request_id: Option<String>,
) -> Option<Error> {
    let code = map.get("return_code").filter(|code| *code != SUCCESS)?;
    Some(Error::api_fields(
        status,
        request_id,
        Some(code.clone()),
        map.get("return_msg").cloned(),
    ))
}

impl Provider for WechatPayV2 {
    const LABEL: &'static str = "WeChat Pay APIv2";

    fn span(&self, op: &Operation) -> tracing::Span {
        request_span!("wechatpay.v2.request", op)
    }

    async fn prepare(&self, _transport: &Transport, _expect: Expect) -> Result<(), Error> {
        Ok(())
    }

    /// The document is already signed (its `sign` field): only `Accept` is set.
    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<(), Error> {
        request
            .headers
            .insert(ACCEPT, HeaderValue::from_static("text/xml, application/xml, */*"));
        Ok(())
    }

    /// Nothing here: the answer is checked once parsed ([`WechatPayV2::check_answer`]).
    async fn verify(
        &self,
        _transport: &Transport,
        _op: &Operation,
        _response: &Response,
    ) -> Result<(), Error> {
        Ok(())
    }

    /// A non-2xx answer: its `return_code`/`return_msg` when it is an APIv2 document, else what
    /// the transport makes of any body.
    fn api_error(&self, status: StatusCode, request_id: Option<String>, body: Bytes) -> Error {
        match xml::parse(&body) {
            Ok(map) if map.contains_key("return_code") => Error::api_fields(
                Some(status),
                request_id,
                map.get("return_code").cloned(),
                map.get("return_msg").cloned(),
            ),
            _ => Error::api(status, request_id, body),
        }
    }
}
