//! Webhooks as Wonder sends them: a JSON body POSTed to the merchant's URL with `Credential`,
//! `Nonce`, `Signature` (`Wonder-RSA-SHA256` by Wonder's gateway key over the path+query and the
//! raw body) and `X-Action` naming the event. Delivered with `reqwest`, one attempt.

use std::io;
use std::time::Duration;

use super::verify::{SignatureHeaders, WonderSigner, random_nonce};

/// Header `X-Action`: the event, e.g. `order.paid`.
pub const HEADER_ACTION: &str = "X-Action";

/// The events Wonder sends (`X-Action`).
pub const ACTIONS: &[&str] = &[
    "order.created",
    "order.paid",
    "order.payment_failure",
    "order.voided",
    "order.refunded",
    "transaction.voided",
];

/// How long a delivery may take (connect, send, read the answer).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// A signed webhook, ready to deliver (or to tamper with first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedWebhook {
    /// The URL it goes to (`http://host:port/path?query`).
    pub url: String,
    /// `X-Action`.
    pub action: String,
    /// `Credential`, `Nonce` and `Signature`.
    pub signature: SignatureHeaders,
    /// The raw JSON body.
    pub body: Vec<u8>,
}

impl SignedWebhook {
    /// Signs `body` for `url` with `signer` at Unix time `unix_seconds` and a fresh nonce: the
    /// signature covers `POST`, the path and query of `url` (as written, no host) and `body`.
    ///
    /// # Errors
    /// `url` is not an `http://` URL.
    pub fn new(
        signer: &WonderSigner,
        url: &str,
        action: &str,
        body: &[u8],
        unix_seconds: i64,
    ) -> io::Result<SignedWebhook> {
        let (_, path_and_query) = split_url(url)?;
        Ok(SignedWebhook {
            url: url.to_owned(),
            action: action.to_owned(),
            signature: signer.sign("POST", path_and_query, body, unix_seconds, &random_nonce()),
            body: body.to_vec(),
        })
    }

    /// The headers sent: `Content-Type`, `Credential`, `Nonce`, `Signature`, `X-Action`.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![("Content-Type", "application/json".to_owned())];
        headers.extend(self.signature.pairs().map(|(k, v)| (k, v.to_owned())));
        headers.push((HEADER_ACTION, self.action.clone()));
        headers
    }

    /// POSTs the webhook (one attempt) and returns the HTTP status of the answer.
    ///
    /// # Errors
    /// The connection fails or [`DELIVERY_TIMEOUT`] passes.
    pub async fn deliver(&self) -> io::Result<u16> {
        let client = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .build()
            .map_err(io::Error::other)?;
        let mut request = client.post(&self.url).body(self.body.clone());
        for (name, value) in self.headers() {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(io::Error::other)?;
        Ok(response.status().as_u16())
    }
}

/// `(authority, path_and_query)` of an `http://` URL; the path is `/` when absent.
fn split_url(url: &str) -> io::Result<(&str, &str)> {
    let invalid = || io::Error::new(io::ErrorKind::InvalidInput, format!("not an http:// URL: {url}"));
    let rest = url.strip_prefix("http://").ok_or_else(invalid)?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], &rest[i..]),
        Some(_) => return Err(invalid()),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(invalid());
    }
    Ok((authority, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_authority_and_path() {
        assert_eq!(
            split_url("http://127.0.0.1:8080/hook?shop=1").unwrap(),
            ("127.0.0.1:8080", "/hook?shop=1")
        );
        assert_eq!(
            split_url("http://127.0.0.1:8080").unwrap(),
            ("127.0.0.1:8080", "/")
        );
        assert!(split_url("https://example.com/").is_err());
        assert!(split_url("http:///x").is_err());
    }
}
