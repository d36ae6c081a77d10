//! Bounded reading of response bodies: the size limits of a client, and the readers that hold
//! them without ever keeping more than the limit in memory (and without a second copy).
//!
//! - A 2xx body read whole (to be verified and decoded) may be at most
//!   [`DEFAULT_MAX_RESPONSE_BYTES`] long (16 MiB, `ClientBuilder::max_response_bytes`): a
//!   `Content-Length` above it is rejected before any byte is read, and reading stops as soon as
//!   the running total passes it. The buffer is preallocated from `Content-Length` only up to the
//!   limit.
//! - A non-2xx body is read only up to [`MAX_ERROR_BODY_BYTES`] (64 KiB): enough for the API's
//!   `code` and `message`. The rest is never read; the connection is dropped.
//! - Streamed downloads have their own limits (see [`Download`](super::Download)).

use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;

/// Default limit of a response body read into memory (every API response, the certificate
/// download, a signed download, [`Download::bytes`](super::Download::bytes)): 16 MiB
/// (16 × 1024 × 1024 bytes). WeChat Pay's and Wonder's JSON responses are a few KiB; the largest
/// (long list queries) stay far below 1 MiB. Set with `ClientBuilder::max_response_bytes`.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// How much of a non-2xx body is read: 64 KiB (65 536 bytes), or the response limit if it is
/// smaller. Error bodies are `{"code","message","detail"}` of well under 1 KiB (or a gateway's
/// HTML page); anything past this is not read, the connection is closed, and the API error
/// keeps only this prefix.
pub const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Default limit of a streamed download ([`Download::max_bytes`](super::Download::max_bytes),
/// `ClientBuilder::max_download_bytes`): 8 GiB (8 × 1024³ bytes) of content handed to the caller
/// (after [`Download::gunzip`](super::Download::gunzip): decompressed bytes), and as many body
/// bytes read from the network.
///
/// Memory does not depend on it (a download is handed out piece by piece, each at most a few
/// hundred KiB): it stops a server that never ends a stream from filling the caller's disk. A
/// daily trade bill of even a very large merchant is a few GB uncompressed, so the default
/// leaves room for a 3 GB bill; raise it for larger files.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Default limit of the gzip expansion ratio of [`Download::gunzip`](super::Download::gunzip):
/// at most 100 decompressed bytes per compressed byte read (as Apache POI's zip-bomb check, whose
/// minimum inflate ratio is 1 %). Deflate itself cannot exceed about 1032:1, which only a bomb
/// (long runs of one byte) reaches; CSV bills compress 5:1 to 20:1. The first
/// [`GZIP_RATIO_GRACE_BYTES`] of output are exempt (a small file may compress better). Set per
/// download with [`Download::max_gzip_ratio`](super::Download::max_gzip_ratio).
pub const DEFAULT_MAX_GZIP_RATIO: u64 = 100;

/// Decompressed bytes a download may produce before [`DEFAULT_MAX_GZIP_RATIO`] applies: 1 MiB.
pub const GZIP_RATIO_GRACE_BYTES: u64 = 1024 * 1024;

/// The size and time limits of a client's responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Bytes of a body read into memory.
    pub(crate) max_response_bytes: u64,
    /// Content bytes (and body bytes) of a streamed download.
    pub(crate) max_download_bytes: u64,
    /// Total time to read a streamed download, from when its headers arrived.
    pub(crate) download_deadline: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            download_deadline: None,
        }
    }
}

impl Limits {
    /// How much of a non-2xx body is read.
    pub(crate) fn error_body_bytes(&self) -> u64 {
        MAX_ERROR_BODY_BYTES.min(self.max_response_bytes)
    }
}

/// The `Content-Length` header, if present and a number.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Why a body could not be read whole.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The connection failed or timed out.
    Transport(reqwest::Error),
    /// The body is longer than the limit (announced, or counted while reading).
    TooLarge,
}

/// Reads the whole body of `response`, at most `limit` bytes, chunk by chunk into one buffer:
/// rejected before reading if `Content-Length` exceeds `limit`, and as soon as the running total
/// passes it. Dropping the response on error closes the connection.
pub(crate) async fn read_whole(mut response: reqwest::Response, limit: u64) -> Result<Bytes, ReadError> {
    let announced = content_length(response.headers());
    if announced.is_some_and(|len| len > limit) {
        return Err(ReadError::TooLarge);
    }
    let mut buf = BoundedBuf::new(announced, limit);
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if !buf.push(&chunk) {
            return Err(ReadError::TooLarge);
        }
    }
    Ok(buf.into_bytes())
}

/// Reads at most `limit` bytes of the body of `response` (the rest is not read: the response is
/// dropped, which closes the connection).
pub(crate) async fn read_prefix(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, reqwest::Error> {
    let mut buf = BoundedBuf::new(content_length(response.headers()), limit);
    while let Some(chunk) = response.chunk().await? {
        let room = buf.room();
        let fits = buf.push(&chunk[..chunk.len().min(room)]);
        debug_assert!(fits);
        if chunk.len() >= room {
            break;
        }
    }
    Ok(buf.into_bytes())
}

/// A byte buffer that never holds (nor allocates) more than its limit: preallocated from a
/// size hint up to the limit, grown by doubling, and from past half the limit straight to the
/// limit (so a growth step holds at most 1.5 × the limit).
pub(crate) struct BoundedBuf {
    buf: Vec<u8>,
    limit: usize,
}

/// Smallest allocation of a growing [`BoundedBuf`].
const MIN_GROWTH: usize = 8 * 1024;

impl BoundedBuf {
    /// An empty buffer for at most `limit` bytes, with room for `hint` (e.g. `Content-Length`)
    /// bytes if that is within the limit.
    pub(crate) fn new(hint: Option<u64>, limit: u64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let capacity = hint.map_or(0, |h| usize::try_from(h).unwrap_or(usize::MAX).min(limit));
        Self {
            buf: Vec::with_capacity(capacity),
            limit,
        }
    }

    /// How many more bytes fit.
    pub(crate) fn room(&self) -> usize {
        self.limit - self.buf.len()
    }

    /// Appends `bytes`; `false` (and nothing appended) if that would pass the limit.
    #[must_use]
    pub(crate) fn push(&mut self, bytes: &[u8]) -> bool {
        if bytes.len() > self.room() {
            return false;
        }
        let needed = self.buf.len() + bytes.len();
        if needed > self.buf.capacity() {
            let mut target = needed.max(self.buf.capacity().saturating_mul(2)).max(MIN_GROWTH);
            if target > self.limit / 2 {
                // Straight to the limit: the old buffer is then at most half of it, so growing
                // (old and new buffer alive at once) never takes more than 1.5 × the limit.
                target = self.limit;
            }
            self.buf.reserve_exact(target - self.buf.len());
        }
        self.buf.extend_from_slice(bytes);
        true
    }

    /// The content (no copy).
    pub(crate) fn into_bytes(self) -> Bytes {
        Bytes::from(self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_buf_never_allocates_past_its_limit() {
        let mut buf = BoundedBuf::new(None, 100_000);
        for _ in 0..100 {
            assert!(buf.push(&[7; 1000]));
            assert!(buf.buf.capacity() <= 100_000, "{}", buf.buf.capacity());
        }
        assert_eq!(buf.room(), 0);
        assert!(!buf.push(&[1]));
        assert!(buf.push(&[]));
        assert_eq!(buf.into_bytes().len(), 100_000);
    }

    #[test]
    fn bounded_buf_growth_holds_at_most_one_and_a_half_limits() {
        let limit = 4 << 20;
        let mut buf = BoundedBuf::new(None, limit as u64);
        let mut worst = 0;
        while buf.room() > 0 {
            let before = buf.buf.capacity();
            assert!(buf.push(&vec![0; buf.room().min(447 * 1024)]));
            if buf.buf.capacity() != before {
                worst = worst.max(before + buf.buf.capacity());
            }
        }
        assert!(worst <= limit * 3 / 2, "{worst}");
        assert_eq!(buf.buf.capacity(), limit);
    }

    #[test]
    fn bounded_buf_preallocates_only_up_to_the_limit() {
        assert_eq!(BoundedBuf::new(Some(1 << 40), 4096).buf.capacity(), 4096);
        assert_eq!(BoundedBuf::new(Some(10), 4096).buf.capacity(), 10);
        let mut exact = BoundedBuf::new(Some(10), 4096);
        assert!(exact.push(b"0123456789"));
        assert_eq!(
            exact.buf.capacity(),
            10,
            "an exact Content-Length is never regrown"
        );
    }

    #[test]
    fn content_length_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(content_length(&h), None);
        h.insert(http::header::CONTENT_LENGTH, "209715200".parse().unwrap());
        assert_eq!(content_length(&h), Some(209_715_200));
        h.insert(http::header::CONTENT_LENGTH, "x".parse().unwrap());
        assert_eq!(content_length(&h), None);
    }

    #[test]
    fn error_body_cap_is_the_smaller_limit() {
        let mut limits = Limits::default();
        assert_eq!(limits.error_body_bytes(), MAX_ERROR_BODY_BYTES);
        limits.max_response_bytes = 100;
        assert_eq!(limits.error_body_bytes(), 100);
    }
}
