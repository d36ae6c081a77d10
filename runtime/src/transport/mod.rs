//! The provider-neutral core of every generated client: the [`Operation`] generated code
//! describes, the transport that sends it (timeouts, retries only where safe, the backup host,
//! the tracing span, downloads), the [`Response`] and streamed [`Download`] it gets back, and
//! the [`RetryPolicy`]. Providers (WeChat Pay, Wonder) plug in through `Provider`: they sign,
//! verify and read their error bodies; nothing here knows a provider.

pub(crate) mod builder;
pub(crate) mod operation;
pub(crate) mod provider;
pub(crate) mod response;
pub(crate) mod retry;
mod send;

pub use builder::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use operation::{MediaUpload, Operation, encode_path_segment};
pub use response::{Download, HEADER_REQUEST_ID, Response};
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
pub(crate) use send::{Reply, Transport};

/// The clock every signature uses: Unix seconds now.
pub(crate) fn now_unix_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
