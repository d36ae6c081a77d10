//! Wonder as a [`Provider`] of the neutral transport: each attempt is signed with
//! `Wonder-RSA-SHA256` ([`super::sign`]) and carries a fresh `X-Request-ID` (UUID v4) and, when
//! configured, `x-i18n-lang`. Wonder does not sign its responses, so there is nothing to verify;
//! a call's success is in its `{code, message, data}` envelope (see [`Client::json`](super::Client::json)).
//!
//! Source: `shared/design/protocols.md` ("Wonder Open API").

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use http::{HeaderName, HeaderValue};

use super::sign::{Signer, generate_nonce};
use crate::Error;
use crate::transport::provider::{Expect, Provider, SignableRequest, request_span};
use crate::transport::{Operation, Response, Transport, now_unix_seconds};

/// Header `X-Request-ID`: a UUID v4 per request (Wonder's support asks for it).
pub const HEADER_REQUEST_ID: &str = "X-Request-ID";

/// Header `x-i18n-lang`: the language of Wonder's messages (see [`Lang`]).
pub const HEADER_LANG: &str = "x-i18n-lang";

/// The language Wonder answers its messages in (`x-i18n-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `zh-HK`: traditional Chinese (Hong Kong).
    ZhHk,
    /// `zh-CN`: simplified Chinese.
    ZhCn,
    /// `en`: English.
    En,
}

impl Lang {
    /// The header value: `zh-HK`, `zh-CN` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhHk => "zh-HK",
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The Wonder side of a [`Client`](super::Client): the app's signer and its language.
pub(crate) struct Wonder {
    pub(crate) signer: Signer,
    pub(crate) lang: Option<Lang>,
}

/// A fresh UUID v4 from the system CSPRNG, hyphenated lower case.
fn request_id() -> Result<String, Error> {
    let mut bytes = [0_u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|e| Error::build_with("the system random generator failed", e))?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

impl Provider for Wonder {
    const LABEL: &'static str = "Wonder";

    fn span(&self, op: &Operation) -> tracing::Span {
        request_span!("wonder.request", op)
    }

    async fn prepare(&self, _transport: &Transport, _expect: Expect) -> Result<(), Error> {
        Ok(())
    }

    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<(), Error> {
        let signed = self.signer.sign(
            request.method.as_str(),
            request.path_and_query(),
            request.body,
            now_unix_seconds(),
            &generate_nonce()?,
        )?;
        for (name, value) in signed.pairs() {
            let mut value = HeaderValue::from_str(value).map_err(|e| {
                Error::build_with(format!("the {name} header is not a valid header value"), e)
            })?;
            value.set_sensitive(name == super::sign::HEADER_SIGNATURE);
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::build_with("a signing header name is invalid", e))?;
            request.headers.insert(name, value);
        }
        let id = HeaderValue::from_str(&request_id()?)
            .map_err(|e| Error::build_with("the request id is not a valid header value", e))?;
        request
            .headers
            .insert(HeaderName::from_static("x-request-id"), id);
        if let Some(lang) = self.lang {
            request.headers.insert(
                HeaderName::from_static(HEADER_LANG),
                HeaderValue::from_static(lang.as_str()),
            );
        }
        Ok(())
    }

    async fn verify(
        &self,
        _transport: &Transport,
        _op: &Operation,
        _response: &Response,
    ) -> Result<(), Error> {
        // Wonder's responses carry no signature (protocols.md): TLS authenticates the host.
        Ok(())
    }

    fn request_id(&self, headers: &http::HeaderMap) -> Option<String> {
        headers
            .get(HEADER_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}
