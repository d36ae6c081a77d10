//! The provider-neutral core of every generated client: the [`Operation`] generated code
//! describes, the [`Response`] and streamed [`Download`] it gets back, and the [`RetryPolicy`].
//! Providers (WeChat Pay, Wonder) sign, verify and decode on top of it.

pub(crate) mod operation;
pub(crate) mod response;
pub(crate) mod retry;

pub use operation::{MediaUpload, Operation, encode_path_segment};
pub use response::{Download, HEADER_REQUEST_ID, Response};
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
