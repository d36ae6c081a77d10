//! Faults the mock can inject into its responses, and the connection-level means of applying
//! them shared by the WeChat Pay and Wonder mocks ([`ConnControl`], [`body_stream`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::download::DOWNLOAD_CHUNK;

use crate::model::template_matches;
use crate::server::lock;

/// A misbehaviour applied to a response on the API routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Sign the body honestly, then change one byte of the body that is sent.
    Tamper,
    /// Sign honestly, with a `Wechatpay-Timestamp` 600 s (10 minutes) in the past.
    StaleTimestamp,
    /// Send a `WECHATPAY/SIGNTEST/…` probe signature (base64 garbage after the prefix).
    SignTestProbe,
    /// Sign honestly but name an unknown key in `Wechatpay-Serial` ([`UNKNOWN_SERIAL`]).
    WrongSerial,
    /// Send no `Wechatpay-Timestamp/Nonce/Serial/Signature/Signature-Type` headers.
    MissingSignature,
    /// Answer with this HTTP status and error code (usual `{"code","message"}` body, signed).
    Status(u16, String),
    /// Like [`Fault::Status`], plus a `Retry-After: <seconds>` header (e.g. 429
    /// `RATELIMIT_EXCEEDED` with `Retry-After: 1`).
    StatusRetryAfter(u16, String, u64),
    /// Sleep this long before answering (normally); e.g. past the client's timeout.
    Delay(Duration),
    /// Close the TCP connection without sending any response.
    Reset,
    /// Send the status line and headers with a `Content-Length` larger than the bytes that
    /// follow, then close the connection.
    TruncatedBody,
    /// Answer HTTP 200 with an error envelope whose `code` is this (e.g. `E000002`):
    /// `{"code": CODE, "message": "...", "data": null}`. Only the Wonder mock
    /// ([`crate::wonder`]) applies it; the WeChat Pay mock answers as if there were no fault.
    EnvelopeError(String),
}

/// The `Wechatpay-Serial` sent under [`Fault::WrongSerial`].
pub const UNKNOWN_SERIAL: &str = "PUB_KEY_ID_0199999999999999999999999999";

/// Prefix of WeChat Pay's deliberate probe signatures.
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Seconds by which [`Fault::StaleTimestamp`] backdates `Wechatpay-Timestamp`.
pub const STALE_BY_SECS: i64 = 600;

/// How many responses a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultScope {
    /// The next `n` responses, then the fault clears itself.
    Next(usize),
    /// Every response until cleared.
    All,
}

impl Fault {
    /// The name used by the HTTP admin route (`PUT /__mock/fault {"fault": NAME}`).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Tamper => "tamper",
            Fault::StaleTimestamp => "stale_timestamp",
            Fault::SignTestProbe => "sign_test_probe",
            Fault::WrongSerial => "wrong_serial",
            Fault::MissingSignature => "missing_signature",
            Fault::Status(..) | Fault::StatusRetryAfter(..) => "status",
            Fault::Delay(_) => "delay",
            Fault::Reset => "reset",
            Fault::TruncatedBody => "truncated_body",
            Fault::EnvelopeError(_) => "envelope_error",
        }
    }

    /// [`Fault::Status`] with the code WeChat Pay uses for `status` ([`default_code`]).
    pub fn status(status: u16) -> Fault {
        Fault::Status(status, default_code(status).to_owned())
    }

    /// Parses an admin request: `{"fault": NAME, "count": N?, "status": u16?, "code": "…"?,
    /// "retry_after": seconds?, "ms": delay?}` (`envelope_error` requires `code`). `"fault": "none"` (or `null`) means clear.
    /// Without `count` the fault applies to all responses. (The optional `"path"` is read by
    /// [`FaultRule::from_admin_json`].)
    pub fn from_admin_json(value: &Value) -> Result<Option<(Fault, FaultScope)>, String> {
        let Some(obj) = value.as_object() else {
            return Err("expected a JSON object".into());
        };
        let name = match obj.get("fault") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.to_ascii_lowercase().replace('-', "_"),
            Some(_) => return Err("\"fault\" must be a string".into()),
        };
        let fault = match name.as_str() {
            "none" | "clear" => return Ok(None),
            "tamper" => Fault::Tamper,
            "stale_timestamp" | "stale" => Fault::StaleTimestamp,
            "sign_test_probe" | "signtest_probe" | "signtest" => Fault::SignTestProbe,
            "wrong_serial" => Fault::WrongSerial,
            "missing_signature" => Fault::MissingSignature,
            "status" => {
                let status = obj
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (100..=999).contains(s))
                    .ok_or("\"status\" must be an HTTP status code (100..=999)")?;
                let code = match obj.get("code") {
                    None => default_code(status).to_owned(),
                    Some(Value::String(c)) => c.clone(),
                    Some(_) => return Err("\"code\" must be a string".into()),
                };
                match obj.get("retry_after") {
                    None | Some(Value::Null) => Fault::Status(status, code),
                    Some(v) => Fault::StatusRetryAfter(
                        status,
                        code,
                        v.as_u64().ok_or("\"retry_after\" must be a number of seconds")?,
                    ),
                }
            }
            "delay" => {
                let ms = obj
                    .get("ms")
                    .and_then(Value::as_u64)
                    .ok_or("\"ms\" (milliseconds) is required for a delay")?;
                Fault::Delay(Duration::from_millis(ms))
            }
            "reset" => Fault::Reset,
            "truncated_body" | "truncated" => Fault::TruncatedBody,
            "envelope_error" => match obj.get("code") {
                Some(Value::String(c)) if !c.is_empty() => Fault::EnvelopeError(c.clone()),
                _ => return Err("\"code\" (a non-empty string) is required for envelope_error".into()),
            },
            other => return Err(format!("unknown fault {other:?}")),
        };
        let scope = match obj.get("count") {
            None | Some(Value::Null) => FaultScope::All,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(FaultScope::Next)
                .ok_or("\"count\" must be a non-negative integer")?,
        };
        Ok(Some((fault, scope)))
    }

    /// The admin JSON describing this fault and scope.
    pub fn to_admin_json(&self, scope: FaultScope) -> Value {
        let mut v = json!({ "fault": self.name() });
        match self {
            Fault::Status(status, code) => {
                v["status"] = json!(status);
                v["code"] = json!(code);
            }
            Fault::StatusRetryAfter(status, code, seconds) => {
                v["status"] = json!(status);
                v["code"] = json!(code);
                v["retry_after"] = json!(seconds);
            }
            Fault::Delay(d) => v["ms"] = json!(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            Fault::EnvelopeError(code) => v["code"] = json!(code),
            _ => {}
        }
        if let FaultScope::Next(n) = scope {
            v["count"] = json!(n);
        }
        v
    }
}

/// The error code WeChat Pay uses with a status, for `Fault::Status` given without a code.
pub fn default_code(status: u16) -> &'static str {
    match status {
        400 => "PARAM_ERROR",
        401 => "SIGN_ERROR",
        403 => "NO_AUTH",
        404 => "NOT_FOUND",
        429 => "RATELIMIT_EXCEEDED",
        _ => "SYSTEM_ERROR",
    }
}

/// A fault, how many responses it applies to, and optionally which path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// The fault.
    pub fault: Fault,
    /// How many matching responses it applies to.
    pub scope: FaultScope,
    /// Only requests to this path: a template of the model (`/v3/refund/domestic/refunds/{out_refund_no}`)
    /// or a concrete path; `None` for every request.
    pub path: Option<String>,
}

impl FaultRule {
    /// A rule for every request.
    pub fn new(fault: Fault, scope: FaultScope) -> FaultRule {
        FaultRule {
            fault,
            scope,
            path: None,
        }
    }

    /// Limits the rule to requests whose path fits `path` (template or concrete path).
    pub fn on_path(mut self, path: &str) -> FaultRule {
        self.path = Some(path.to_owned());
        self
    }

    /// Whether the rule applies to a request to `path` (concrete, no query), matched to
    /// operation `template` (if any).
    pub fn applies_to(&self, path: &str, template: Option<&str>) -> bool {
        match &self.path {
            None => true,
            Some(p) => p == path || Some(p.as_str()) == template || template_matches(p, path),
        }
    }

    /// Parses an admin request ([`Fault::from_admin_json`] plus `"path"`); `None` means clear.
    pub fn from_admin_json(value: &Value) -> Result<Option<FaultRule>, String> {
        let Some((fault, scope)) = Fault::from_admin_json(value)? else {
            return Ok(None);
        };
        let path = match value.get("path") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if p.starts_with('/') => Some(p.clone()),
            Some(_) => return Err("\"path\" must be a path starting with /".into()),
        };
        Ok(Some(FaultRule { fault, scope, path }))
    }

    /// The admin JSON of this rule.
    pub fn to_admin_json(&self) -> Value {
        let mut v = self.fault.to_admin_json(self.scope);
        if let Some(p) = &self.path {
            v["path"] = json!(p);
        }
        v
    }
}

/// The pending fault rules of a mock server, first match wins (opaque: use [`InjectFaults`]).
#[derive(Debug, Default)]
pub struct FaultSlot {
    rules: Vec<FaultRule>,
}

impl FaultSlot {
    /// Replaces every rule with one for all requests.
    pub(crate) fn set(&mut self, fault: Fault, scope: FaultScope) {
        self.rules.clear();
        self.push(FaultRule::new(fault, scope));
    }

    /// Adds a rule after the existing ones.
    pub(crate) fn push(&mut self, rule: FaultRule) {
        if rule.scope != FaultScope::Next(0) {
            self.rules.push(rule);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The first rule's fault and scope.
    pub(crate) fn peek(&self) -> Option<(Fault, FaultScope)> {
        self.rules.first().map(|r| (r.fault.clone(), r.scope))
    }

    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    /// The answer of the admin route `/__mock/fault`: the first rule's fields (or
    /// `"fault": "none"`) and every rule under `rules`.
    pub(crate) fn admin_json(&self) -> Value {
        let mut body = match self.rules.first() {
            Some(rule) => rule.to_admin_json(),
            None => json!({ "fault": "none" }),
        };
        body["rules"] = self.rules.iter().map(FaultRule::to_admin_json).collect();
        body
    }

    /// Applies a `PUT /__mock/fault` body ([`FaultRule::from_admin_json`]): the rule replaces
    /// the pending ones, or joins them with `"append": true`; `"fault": "none"` clears them.
    ///
    /// # Errors
    /// The body is not JSON or not a fault rule; nothing changes.
    pub(crate) fn apply_admin(&mut self, body: &[u8]) -> Result<(), String> {
        let value =
            serde_json::from_slice::<Value>(body).map_err(|e| format!("body is not valid JSON: {e}"))?;
        let append = value.get("append").and_then(Value::as_bool).unwrap_or(false);
        let rule = FaultRule::from_admin_json(&value)?;
        if !append || rule.is_none() {
            self.clear();
        }
        if let Some(rule) = rule {
            self.push(rule);
        }
        Ok(())
    }

    /// Returns the fault for a response to `path` (matched to `template`), counting its rule down.
    pub(crate) fn take(&mut self, path: &str, template: Option<&str>) -> Option<Fault> {
        let i = self.rules.iter().position(|r| r.applies_to(path, template))?;
        let rule = &mut self.rules[i];
        let fault = rule.fault.clone();
        match rule.scope {
            FaultScope::All => {}
            FaultScope::Next(n) if n > 1 => rule.scope = FaultScope::Next(n - 1),
            FaultScope::Next(_) => {
                self.rules.remove(i);
            }
        }
        Some(fault)
    }
}

/// Fault injection, the same for every mock server (WeChat Pay's and Wonder's): bring the trait
/// into scope and call these on the server.
pub trait InjectFaults {
    /// The server's pending fault rules.
    fn fault_slot(&self) -> &Mutex<FaultSlot>;

    /// Applies `fault` to every API response until [`InjectFaults::clear_fault`].
    ///
    /// Faults apply to every response on the API routes, whatever its status (a request that
    /// fails verification consumes one too); admin routes are never affected. A fault a server
    /// has no use for (a response-signing fault on the Wonder mock, whose responses are not
    /// signed) changes nothing.
    fn set_fault(&self, fault: Fault) {
        lock(self.fault_slot()).set(fault, FaultScope::All);
    }

    /// Applies `fault` to the next `n` API responses only.
    fn set_fault_for(&self, fault: Fault, n: usize) {
        lock(self.fault_slot()).set(fault, FaultScope::Next(n));
    }

    /// Adds a fault rule after the pending ones (the first rule that applies to a request is
    /// used and counted down), e.g. `FaultRule::new(Fault::Reset, FaultScope::Next(2)).on_path("/v3/x/{id}")`.
    fn push_fault(&self, rule: FaultRule) {
        lock(self.fault_slot()).push(rule);
    }

    /// Replaces the pending faults with `fault` for requests to `path` (a template of the
    /// model or a concrete path).
    fn set_fault_on(&self, path: &str, fault: Fault, scope: FaultScope) {
        let mut slot = lock(self.fault_slot());
        slot.clear();
        slot.push(FaultRule::new(fault, scope).on_path(path));
    }

    /// The pending fault rules, in order.
    fn fault_rules(&self) -> Vec<FaultRule> {
        lock(self.fault_slot()).rules()
    }

    /// Removes any pending fault.
    fn clear_fault(&self) {
        lock(self.fault_slot()).clear();
    }
}

/// Changes one byte of `body`, keeping JSON well-formed when it can: the last ASCII letter
/// or digit is replaced by a different one (an empty or symbol-only body gets a trailing space).
pub(crate) fn tamper(body: &mut Vec<u8>) {
    match body.iter().rposition(u8::is_ascii_alphanumeric) {
        Some(i) => {
            body[i] = match body[i] {
                b'9' => b'0',
                b'z' => b'a',
                b'Z' => b'A',
                b => b + 1,
            }
        }
        None => body.push(b' '),
    }
}

/// Lets a handler drop the connection its request came on ([`Fault::Reset`]): the accept loop
/// (`server::serve`) gives each connection one, as a request extension.
#[derive(Clone, Default)]
pub(crate) struct ConnControl(Arc<Notify>);

impl ConnControl {
    /// Asks the connection task to drop the connection now.
    pub(crate) fn reset(&self) {
        self.0.notify_one();
    }

    /// Completes when [`ConnControl::reset`] was called.
    pub(crate) async fn reset_requested(&self) {
        self.0.notified().await;
    }
}

/// The body in chunks of [`DOWNLOAD_CHUNK`]; `truncated` ([`Fault::TruncatedBody`]) sends only
/// the first half, waits for it to be flushed, then fails the stream, so hyper closes the
/// connection short of the declared length.
pub(crate) fn body_stream(body: Vec<u8>, truncated: bool) -> Body {
    use futures_util::StreamExt as _;
    if !truncated && body.len() <= DOWNLOAD_CHUNK {
        return Body::from(body);
    }
    let body = Bytes::from(body);
    let sent = if truncated { body.len() / 2 } else { body.len() };
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..sent)
        .step_by(DOWNLOAD_CHUNK)
        .map(|start| Ok(body.slice(start..(start + DOWNLOAD_CHUNK).min(sent))))
        .collect();
    let chunks = futures_util::stream::iter(chunks);
    if !truncated {
        return Body::from_stream(chunks);
    }
    let abort = futures_util::stream::once(async {
        // Pending here lets hyper flush the status line, headers and the first half.
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "mock fault: truncated body",
        ))
    });
    Body::from_stream(chunks.chain(abort))
}
