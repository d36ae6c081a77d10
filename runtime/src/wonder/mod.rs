//! Wonder Open API (`Wonder-RSA-SHA256`): request signing and verification, webhook verification.
//!
//! Every request carries `Credential: APPID/REQUEST_TIME/Wonder-RSA-SHA256` (REQUEST_TIME is UTC
//! `yyyymmddHHMMSS`), `Nonce` (16 chars `[0-9A-Za-z]`) and `Signature` (base64 RSASSA-PKCS1-v1_5 with
//! SHA-256, by the app's private key, of an HMAC-SHA256 digest of the method, path+query and
//! body; see [`sign`]). Wonder rejects a `REQUEST_TIME` more than 30 minutes off. Webhooks use
//! the same algorithm with Wonder's key, plus `X-Action` (see [`webhook`]).
//!
//! [`sign`] and [`webhook`] are pure and transport-agnostic (bytes in, header values out): usable
//! by a mock server or a webhook handler. [`Client`] plugs the signer into the neutral transport
//! and unwraps Wonder's `{code, message, data}` envelope.
//!
//! Hosts: sandbox `https://gateway-stg.wonder.today`, production `https://gateway.wonder.today`.
//!
//! Source: `shared/design/protocols.md` ("Wonder Open API") and `shared/design/wonder-api.md`.

mod client;
pub mod filter;
mod provider;
pub mod sign;
pub mod webhook;

pub use crate::rsa::{PrivateKey, PublicKey};
pub use crate::transport::{Download, MediaUpload, Operation, Response, RetryPolicy};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_AGENT, SANDBOX_BASE_URL};
pub use filter::{Filter, FilterField, Operator};
pub use provider::{HEADER_LANG, HEADER_REQUEST_ID, Lang};
pub use sign::{ALGORITHM, Credential, MAX_CLOCK_SKEW, SignedHeaders, Signer, generate_nonce, verify};
pub use webhook::{Action, Webhook, verify_webhook};
