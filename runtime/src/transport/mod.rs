//! The provider-neutral core of every generated client: the [`Operation`] generated code
//! describes, the transport that sends it (timeouts, retries only where safe, the backup host,
//! the tracing span, downloads), the [`Response`] and streamed [`Download`] it gets back, and
//! the [`RetryPolicy`]. Every body is read within a size limit (see [`DEFAULT_MAX_RESPONSE_BYTES`],
//! [`MAX_ERROR_BODY_BYTES`], [`DEFAULT_MAX_DOWNLOAD_BYTES`]). Providers (WeChat Pay, Wonder) plug in through `Provider`: they sign,
//! verify and read their error bodies; nothing here knows a provider. A [`RequestCapture`]
//! stands in for the network (dry runs, tests): it records each request a client would send, as
//! a [`CapturedRequest`], and answers it with a canned response.

pub(crate) mod body;
pub(crate) mod builder;
mod capture;
mod download;
pub(crate) mod operation;
pub(crate) mod provider;
pub(crate) mod response;
pub(crate) mod retry;
mod send;

pub use body::{
    DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_GZIP_RATIO, DEFAULT_MAX_RESPONSE_BYTES, GZIP_RATIO_GRACE_BYTES,
    MAX_ERROR_BODY_BYTES,
};
pub use builder::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use capture::{CapturedRequest, RequestCapture};
pub use download::Download;
pub use operation::{MediaUpload, Operation, encode_path_segment};
pub use response::{HEADER_REQUEST_ID, Response};
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
pub(crate) use send::{Reply, Transport};

/// The clock every signature uses: Unix seconds now.
pub(crate) fn now_unix_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
