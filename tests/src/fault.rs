//! Faults the mock can inject into its responses.

use serde_json::{Value, json};

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
            Fault::Status(..) => "status",
        }
    }

    /// Parses an admin request: `{"fault": NAME, "count": N?, "status": u16?, "code": "…"?}`.
    /// `"fault": "none"` (or `null`) means clear. Without `count` the fault applies to all
    /// responses.
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
                Fault::Status(status, code)
            }
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
        if let Fault::Status(status, code) = self {
            v["status"] = json!(status);
            v["code"] = json!(code);
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

/// The current fault, if any.
#[derive(Debug, Default)]
pub(crate) struct FaultSlot {
    current: Option<(Fault, FaultScope)>,
}

impl FaultSlot {
    pub(crate) fn set(&mut self, fault: Fault, scope: FaultScope) {
        self.current = match scope {
            FaultScope::Next(0) => None,
            _ => Some((fault, scope)),
        };
    }

    pub(crate) fn clear(&mut self) {
        self.current = None;
    }

    pub(crate) fn peek(&self) -> Option<(Fault, FaultScope)> {
        self.current.clone()
    }

    /// Returns the fault for the response being built, counting it down.
    pub(crate) fn take(&mut self) -> Option<Fault> {
        let (fault, scope) = self.current.take()?;
        self.current = match scope {
            FaultScope::All => Some((fault.clone(), FaultScope::All)),
            FaultScope::Next(n) if n > 1 => Some((fault.clone(), FaultScope::Next(n - 1))),
            FaultScope::Next(_) => None,
        };
        Some(fault)
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
