//! What the mocks record about each API request, and the bounded log that keeps it: the
//! newest [`MAX_RECORDED_REQUESTS`] requests (or the configured capacity), oldest dropped first,
//! so a mock that runs for hours or serves a benchmark keeps flat memory.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

/// How many requests a mock keeps by default ([`crate::MockConfig::request_log_capacity`],
/// [`crate::wonder::WonderConfig::request_log_capacity`]): the newest 1000. When a request
/// arrives with the log full, the oldest is dropped (and counted, see [`RequestLog::evicted`]).
pub const MAX_RECORDED_REQUESTS: usize = 1000;

/// A ring buffer of the newest `capacity` recorded requests, oldest first.
#[derive(Clone, Debug)]
pub struct RequestLog<T> {
    entries: VecDeque<T>,
    capacity: usize,
    evicted: u64,
}

impl<T> Default for RequestLog<T> {
    fn default() -> Self {
        Self::with_capacity(MAX_RECORDED_REQUESTS)
    }
}

impl<T> RequestLog<T> {
    /// An empty log that keeps at most `capacity` entries (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            entries: VecDeque::with_capacity(capacity.min(64)),
            capacity,
            evicted: 0,
        }
    }

    /// Appends `entry`, dropping the oldest entry when the log is full.
    pub fn push(&mut self, entry: T) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.evicted += 1;
        }
        self.entries.push_back(entry);
    }

    /// The entries kept, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries.iter()
    }

    /// How many entries are kept (never more than [`RequestLog::capacity`]).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The most entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries were dropped to make room since the log was made or cleared.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Forgets every entry (and the eviction count).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.evicted = 0;
    }
}

impl<T: Clone> RequestLog<T> {
    /// A copy of the entries kept, oldest first.
    pub fn to_vec(&self) -> Vec<T> {
        self.entries.iter().cloned().collect()
    }
}

/// The media of a multipart upload the mock received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedUpload {
    /// The `meta` part, as received (the signed bytes).
    pub meta: Vec<u8>,
    /// `filename` from the `meta` JSON.
    pub filename: String,
    /// The `filename` of the `file` part's `Content-Disposition`, if any.
    pub part_filename: Option<String>,
    /// The `file` part.
    pub content: Vec<u8>,
}

/// One request the WeChat Pay mock received on an API route (admin routes are not recorded).
/// Every API request is recorded, including those answered with an error or a fault, in a
/// [`RequestLog`] that keeps the newest [`MAX_RECORDED_REQUESTS`] (by default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path and `?query` exactly as received (not decoded).
    pub target: String,
    /// Headers in arrival order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes.
    pub body: Vec<u8>,
    /// Whether the `Authorization` signature (and mchid, serial, timestamp) verified.
    pub signature_verified: bool,
    /// The `Request-ID` the mock answered with.
    pub request_id: String,
    /// The operation it matched (`METHOD /path/template`), if any.
    pub operation: Option<String>,
    /// Path parameters, percent-decoded (empty unless the request passed the checks).
    pub path_params: Vec<(String, String)>,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// Decrypted sensitive fields of the JSON body: JSON pointer → plaintext.
    pub decrypted_body: BTreeMap<String, String>,
    /// Decrypted sensitive query values: `/name` → plaintext.
    pub decrypted_query: BTreeMap<String, String>,
    /// The media of a multipart upload that passed the checks.
    pub upload: Option<RecordedUpload>,
    /// The name of the fault applied to the answer, if any ([`Fault::name`]).
    pub fault: Option<String>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::log::header_value(&self.headers, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The path part of [`RecordedRequest::target`] (no query).
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// Whether this request went to `path`: the operation's template (`/v3/x/{id}`), the
    /// operation id (`GET /v3/x/{id}`) or the concrete path.
    pub fn is_to(&self, path: &str) -> bool {
        self.path() == path
            || self
                .operation
                .as_deref()
                .is_some_and(|op| op == path || op.split_once(' ').is_some_and(|(_, t)| t == path))
    }

    /// The decoded query as a JSON object of strings.
    pub fn query_json(&self) -> Value {
        Value::Object(
            self.query
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }

    /// A JSON view (body as lossy UTF-8), as served by `GET /__mock/requests`.
    pub fn to_json(&self) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "method": self.method,
            "target": self.target,
            "headers": headers,
            "body": String::from_utf8_lossy(&self.body),
            "signature_verified": self.signature_verified,
            "request_id": self.request_id,
            "operation": self.operation,
            "query": self.query_json(),
            "decrypted_body": self.decrypted_body,
            "decrypted_query": self.decrypted_query,
            "upload": self.upload.as_ref().map(|u| json!({
                "filename": u.filename,
                "content": String::from_utf8_lossy(&u.content),
            })),
            "fault": self.fault,
        })
    }
}

/// The first value of header `name` (case-insensitive) among a logged request's `headers`:
/// what each mock's request log answers `header(name)` with.
pub(crate) fn header_value<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_newest_entries_up_to_its_capacity() {
        let mut log = RequestLog::with_capacity(3);
        for i in 0..10 {
            log.push(i);
            assert!(log.len() <= 3);
        }
        assert_eq!(log.to_vec(), vec![7, 8, 9]);
        assert_eq!(log.evicted(), 7);
        log.clear();
        assert!(log.is_empty());
        assert_eq!(log.evicted(), 0);
    }

    #[test]
    fn the_default_capacity_is_the_documented_constant() {
        let mut log = RequestLog::default();
        for i in 0..MAX_RECORDED_REQUESTS + 5 {
            log.push(i);
        }
        assert_eq!(log.capacity(), MAX_RECORDED_REQUESTS);
        assert_eq!(log.len(), MAX_RECORDED_REQUESTS);
        assert_eq!(log.iter().next(), Some(&5));
        assert_eq!(RequestLog::<u8>::with_capacity(0).capacity(), 1);
    }
}
