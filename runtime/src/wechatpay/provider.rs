//! WeChat Pay APIv3 as a [`Provider`] of the neutral transport: requests carry
//! `Authorization: WECHATPAY2-SHA256-RSA2048 …` and the `Wechatpay-Serial` of the key sensitive
//! fields would be encrypted with; 2xx responses are verified with the key their
//! `Wechatpay-Serial` names, with one certificate download on an unknown serial in certificate
//! mode; before a call, the scheduled certificate download.
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv3").

use http::header::AUTHORIZATION;
use http::{HeaderName, HeaderValue};
use time::OffsetDateTime;

use super::refresh::{self, CertificateMode};
use super::sign::{Signer, generate_nonce};
use super::verify::Verifier;
use crate::transport::provider::{Expect, Provider, SignableRequest, request_span};
use crate::transport::{Operation, Response, Transport, now_unix_seconds};
use crate::{Error, SignatureErrorKind};

/// The WeChat Pay side of a [`Client`](super::Client): the merchant's signer, WeChat Pay's keys
/// and, in certificate mode, their download schedule.
pub(crate) struct WechatPayV3 {
    pub(crate) signer: Signer,
    pub(crate) verifier: Verifier,
    pub(crate) certificates: Option<CertificateMode>,
}

impl WechatPayV3 {
    /// The `Wechatpay-Serial` every request carries: the key sensitive fields would be
    /// encrypted with ([`KeyStore::encryption_key`](super::KeyStore::encryption_key)).
    pub(crate) fn default_wechatpay_serial(&self) -> Option<HeaderValue> {
        let (id, _) = self.verifier.keys().encryption_key(OffsetDateTime::now_utc())?;
        HeaderValue::from_str(&id).ok()
    }

    /// In certificate mode, the first or a scheduled certificate download (see
    /// [`refresh::before_request`]); nothing otherwise.
    pub(crate) async fn keys_ready(&self, transport: &Transport) -> Result<(), Error> {
        match &self.certificates {
            Some(mode) => refresh::before_request(mode, &self.verifier, transport, self).await,
            None => Ok(()),
        }
    }

    /// After a signature by an unknown serial: whether a certificate download may have brought
    /// its key (see [`refresh::on_unknown_serial`]).
    pub(crate) async fn unknown_serial(&self, transport: &Transport) -> bool {
        match &self.certificates {
            Some(mode) => refresh::on_unknown_serial(mode, &self.verifier, transport, self).await,
            None => false,
        }
    }

    /// A certificate download now (see [`refresh::force`]).
    pub(crate) async fn refresh_certificates(&self, transport: &Transport) -> Result<usize, Error> {
        refresh::force(self.certificates.as_ref(), &self.verifier, transport, self).await
    }
}

impl Provider for WechatPayV3 {
    const LABEL: &'static str = "WeChat Pay";

    fn span(&self, op: &Operation) -> tracing::Span {
        request_span!("wechatpay.request", op)
    }

    async fn prepare(&self, transport: &Transport, expect: Expect) -> Result<(), Error> {
        match expect {
            Expect::Verified | Expect::Stream => self.keys_ready(transport).await,
            Expect::Unverified => Ok(()),
        }
    }

    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<(), Error> {
        let authorization = self.signer.authorization(
            request.method.as_str(),
            request.path_and_query(),
            now_unix_seconds(),
            &generate_nonce()?,
            request.body,
        )?;
        let authorization = HeaderValue::try_from(authorization).map_err(|e| {
            Error::build_with(
                "the Authorization header is not a valid header value (check mchid and serial number)",
                e,
            )
        })?;
        let serial = HeaderName::from_static("wechatpay-serial");
        if !request.headers.contains_key(&serial) {
            if let Some(value) = self.default_wechatpay_serial() {
                request.headers.insert(serial, value);
            }
        }
        request.headers.insert(AUTHORIZATION, authorization);
        Ok(())
    }

    async fn verify(&self, transport: &Transport, op: &Operation, response: &Response) -> Result<(), Error> {
        let (headers, body) = (response.headers(), response.body());
        let mut verified = self.verifier.verify(headers, body, now_unix_seconds());
        if let Err(e) = &verified
            && e.kind() == SignatureErrorKind::UnknownSerial
            && self.unknown_serial(transport).await
        {
            verified = self.verifier.verify(headers, body, now_unix_seconds());
        }
        verified.map_err(|e| {
            tracing::warn!(reason = ?e.kind(), path = op.path_template(), "WeChat Pay response signature rejected");
            Error::signature(e, Some(response.status()), response.request_id())
        })
    }
}
