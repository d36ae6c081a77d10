//! [`Download`]: a downloaded file, streamed piece by piece within size, ratio and time limits.

use std::fmt;
use std::io::Write as _;
use std::time::Duration;

use bytes::{Buf as _, Bytes};
use http::{HeaderMap, StatusCode};
use tokio::time::Instant;

use super::body::{BoundedBuf, DEFAULT_MAX_GZIP_RATIO, GZIP_RATIO_GRACE_BYTES, Limits, content_length};
use super::response::{Response, request_id};
use crate::Error;

/// Largest piece of decompressed content [`Download::chunk`] produces at once from a gzip
/// body before handing it out (a few KiB more at most: the decoder's 32 KiB window).
const GUNZIP_PIECE_BYTES: usize = 64 * 1024;

/// Largest slice of compressed input fed to the gzip decoder at once.
const GUNZIP_INPUT_SLICE: usize = 8 * 1024;

/// A file being downloaded (bill, statement, image, …), streamed: the body is read chunk by
/// chunk as the caller asks for it, never buffered whole (except for the few download endpoints
/// whose responses are signed, which must be verified before any byte is handed out: those are
/// read whole within the client's `max_response_bytes`).
///
/// Optional checks run on the fly: [`Download::gunzip`] decodes a gzip body (a bill requested
/// with `tar_type=GZIP`), and [`Download::verify_sha1`]/[`Download::verify_hash`] compare the
/// SHA-1 of the (decoded) content with the `hash_value` of the bill-apply response when the
/// stream ends. A mismatch is an [`ErrorKind::Integrity`](crate::ErrorKind::Integrity) error from
/// the last read: write to a temporary file and use it only once the download ended with `Ok`.
///
/// **Limits.** A hostile or broken server cannot make a download use unbounded memory, disk or
/// time:
/// - at most [`Download::max_bytes`] bytes of content are handed out (after gunzip: decompressed
///   bytes), and at most as many body bytes are read; default the client's
///   `max_download_bytes`, [`DEFAULT_MAX_DOWNLOAD_BYTES`](super::DEFAULT_MAX_DOWNLOAD_BYTES)
///   (8 GiB). A bill larger than that needs a higher limit.
/// - gunzip decodes in pieces of at most about 64 KiB, so one compressed chunk cannot inflate
///   in one step, and it stops when the output passes [`Download::max_gzip_ratio`] (default
///   100) times the compressed bytes read;
/// - [`Download::deadline`] (default the client's `download_deadline`, off) bounds the total
///   time, however slowly the server sends.
///
/// Each limit is an [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) (or, for the deadline, a
/// [`Transport`](crate::ErrorKind::Transport) timeout) error raised before the caller receives a
/// byte past it; the connection is then dropped, and later reads return `Ok(None)`.
///
/// ```no_run
/// # async fn demo(download: sdk_runtime::wechatpay::Download) -> Result<(), sdk_runtime::Error> {
/// // `hash_type`/`hash_value` come from `GET /v3/bill/tradebill` (the bill-apply response).
/// // Any `tokio::io::AsyncWrite` will do: a `tokio::fs::File` for a real bill.
/// let mut file: Vec<u8> = Vec::new();
/// let written = download
///     .gunzip()
///     .max_bytes(16 << 30) // a bill of up to 16 GiB decompressed
///     .deadline(std::time::Duration::from_secs(600))
///     .verify_hash("SHA1", "<hash_value>")?
///     .write_to(&mut file)
///     .await?;
/// # let _ = written; Ok(()) }
/// ```
pub struct Download {
    status: StatusCode,
    headers: HeaderMap,
    source: Source,
    gunzip: Option<Box<Gunzip>>,
    sha1: Option<(aws_lc_rs::digest::Context, String)>,
    /// Limit of content handed out, and of body bytes read, in bytes.
    max_bytes: u64,
    /// Limit of decompressed bytes per compressed byte.
    max_gzip_ratio: u64,
    /// Limit of [`Download::bytes`], in bytes (the client's `max_response_bytes`).
    max_in_memory: u64,
    /// Total time allowed, from `started`.
    deadline: Option<Duration>,
    started: Instant,
    /// Body bytes read so far.
    raw_len: u64,
    input_done: bool,
    finished: bool,
    /// Content bytes handed out so far.
    len: u64,
}

enum Source {
    Buffered(Option<Bytes>),
    Streaming(reqwest::Response),
}

/// The gzip decoder and the compressed bytes it has not consumed yet.
struct Gunzip {
    decoder: flate2::write::GzDecoder<Vec<u8>>,
    pending: Bytes,
    /// Compressed bytes consumed so far.
    consumed: u64,
}

impl Download {
    fn new(status: StatusCode, headers: HeaderMap, source: Source, limits: Limits) -> Self {
        Self {
            status,
            headers,
            source,
            gunzip: None,
            sha1: None,
            max_bytes: limits.max_download_bytes,
            max_gzip_ratio: DEFAULT_MAX_GZIP_RATIO,
            max_in_memory: limits.max_response_bytes,
            deadline: limits.download_deadline,
            started: Instant::now(),
            raw_len: 0,
            input_done: false,
            finished: false,
            len: 0,
        }
    }

    /// A download whose body is read from `response` as the caller consumes it.
    pub(crate) fn streaming(response: reqwest::Response, limits: Limits) -> Self {
        Self::new(
            response.status(),
            response.headers().clone(),
            Source::Streaming(response),
            limits,
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (e.g. `Content-Type`, `Content-Length`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Type` header, if present and visible ASCII.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }

    /// Decodes the body as gzip on the fly (for bills requested with `tar_type=GZIP`); chunks,
    /// [`Download::max_bytes`] and the hash check then apply to the decoded content. Call before
    /// reading.
    pub fn gunzip(mut self) -> Self {
        self.gunzip = Some(Box::new(Gunzip {
            decoder: flate2::write::GzDecoder::new(Vec::new()),
            pending: Bytes::new(),
            consumed: 0,
        }));
        self
    }

    /// The most content handed out, in bytes (decompressed bytes with [`Download::gunzip`]); the
    /// body read from the network is limited to as many bytes. Default: the client's
    /// `max_download_bytes`, [`DEFAULT_MAX_DOWNLOAD_BYTES`](super::DEFAULT_MAX_DOWNLOAD_BYTES)
    /// (8 GiB). A `Content-Length` above it fails the first read.
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The most decompressed bytes [`Download::gunzip`] may produce per compressed byte read,
    /// once past the first [`GZIP_RATIO_GRACE_BYTES`](super::GZIP_RATIO_GRACE_BYTES) (1 MiB);
    /// default [`DEFAULT_MAX_GZIP_RATIO`](super::DEFAULT_MAX_GZIP_RATIO) (100). `u64::MAX` turns
    /// the check off.
    pub fn max_gzip_ratio(mut self, ratio: u64) -> Self {
        self.max_gzip_ratio = ratio;
        self
    }

    /// The most time reading the whole download may take, measured from when its response
    /// headers arrived (when the `Download` was returned); default the client's
    /// `download_deadline` (none). Past it, the read in progress is abandoned and the download
    /// fails with a [`Transport`](crate::ErrorKind::Transport) timeout
    /// ([`Error::is_timeout`]), however slowly the server sends. Each single read is also bounded
    /// by the client's `timeout`.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Checks, when the stream ends, that the SHA-1 of the (decoded) content equals
    /// `expected_hex` (case-insensitive hex, as in the bill-apply `hash_value`).
    pub fn verify_sha1(mut self, expected_hex: &str) -> Self {
        self.sha1 = Some((
            aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY),
            expected_hex.trim().to_ascii_lowercase(),
        ));
        self
    }

    /// [`Download::verify_sha1`] from the bill-apply response's `hash_type` and `hash_value`.
    ///
    /// # Errors
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) if `hash_type` is not `SHA1` (the only type
    /// WeChat Pay uses).
    pub fn verify_hash(self, hash_type: &str, hash_value: &str) -> Result<Self, Error> {
        if hash_type.eq_ignore_ascii_case("SHA1") {
            Ok(self.verify_sha1(hash_value))
        } else {
            Err(Error::build(format!(
                "unsupported bill hash_type `{hash_type}` (expected SHA1)"
            )))
        }
    }

    /// The next chunk of content, or `None` once the body ended and every check passed. With
    /// [`Download::gunzip`], a chunk is at most about 64 KiB.
    ///
    /// # Errors
    /// [`Transport`](crate::ErrorKind::Transport) if the connection breaks or times out
    /// mid-body (e.g. a truncated body), or the [`Download::deadline`] passed;
    /// [`TooLarge`](crate::ErrorKind::TooLarge) if the content or body would pass
    /// [`Download::max_bytes`] or gunzip passes [`Download::max_gzip_ratio`];
    /// [`Decode`](crate::ErrorKind::Decode) if gzip decoding fails;
    /// [`Integrity`](crate::ErrorKind::Integrity) at the end if the hash differs. After an error
    /// the download is over: the connection is dropped and later calls return `Ok(None)`.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let result = self.next_chunk().await;
        if result.is_err() {
            self.finished = true;
            self.source = Source::Buffered(None);
            self.gunzip = None;
        }
        result
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if self.finished {
                return Ok(None);
            }
            if self.input_done {
                self.finished = true;
                self.check_hash()?;
                return Ok(None);
            }
            if let Some(out) = self.decode_pending()? {
                return self.hand_out(out).map(Some);
            }
            match self.read_raw().await? {
                Some(raw) => match &mut self.gunzip {
                    Some(gunzip) => gunzip.pending = raw,
                    None if raw.is_empty() => {}
                    None => return self.hand_out(raw).map(Some),
                },
                None => {
                    self.input_done = true;
                    let out = self.finish_decoding()?;
                    if !out.is_empty() {
                        return self.hand_out(out).map(Some);
                    }
                }
            }
        }
    }

    /// The next body chunk from the network (or the buffered body), within the byte limit and
    /// the deadline.
    async fn read_raw(&mut self) -> Result<Option<Bytes>, Error> {
        if self.raw_len == 0
            && let Some(announced) = content_length(&self.headers)
            && announced > self.max_bytes
        {
            return Err(self.too_large("the download body", self.max_bytes));
        }
        let deadline = self.deadline.map(|d| self.started + d);
        // A server sending fast past the deadline never lets a read time out: check first.
        if deadline.is_some_and(|at| Instant::now() >= at) && matches!(self.source, Source::Streaming(_)) {
            return Err(self.deadline_error());
        }
        let raw = match &mut self.source {
            Source::Buffered(body) => body.take(),
            Source::Streaming(response) => {
                let read = match deadline {
                    None => Some(response.chunk().await),
                    Some(at) => tokio::time::timeout_at(at, response.chunk()).await.ok(),
                };
                match read {
                    Some(read) => read.map_err(Error::transport)?,
                    None => return Err(self.deadline_error()),
                }
            }
        };
        if let Some(raw) = &raw {
            self.raw_len += raw.len() as u64;
            if self.raw_len > self.max_bytes {
                return Err(self.too_large("the download body", self.max_bytes));
            }
        }
        Ok(raw)
    }

    /// Decompresses pending input into one bounded piece; `None` when the pending input is used
    /// up without output (or there is no gunzip).
    fn decode_pending(&mut self) -> Result<Option<Bytes>, Error> {
        let Some(gunzip) = &mut self.gunzip else {
            return Ok(None);
        };
        let mut failure = None;
        while !gunzip.pending.is_empty() && gunzip.decoder.get_ref().len() < GUNZIP_PIECE_BYTES {
            let slice = &gunzip.pending[..gunzip.pending.len().min(GUNZIP_INPUT_SLICE)];
            // `write` (not `write_all`) decompresses at most one 32 KiB buffer per call.
            match gunzip.decoder.write(slice) {
                Ok(0) => {
                    failure = Some(std::io::Error::other("data after the end of the gzip stream"));
                    break;
                }
                Ok(n) => {
                    gunzip.pending.advance(n);
                    gunzip.consumed += n as u64;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failure {
            return Err(self.gzip_error(e));
        }
        let out = std::mem::take(gunzip.decoder.get_mut());
        Ok((!out.is_empty()).then(|| Bytes::from(out)))
    }

    /// The decoder's last output once the input ended (at most its 32 KiB buffer and window),
    /// with the gzip trailer (CRC-32, length) checked.
    fn finish_decoding(&mut self) -> Result<Bytes, Error> {
        let Some(gunzip) = &mut self.gunzip else {
            return Ok(Bytes::new());
        };
        match gunzip.decoder.try_finish() {
            Ok(()) => Ok(Bytes::from(std::mem::take(gunzip.decoder.get_mut()))),
            Err(e) => Err(self.gzip_error(e)),
        }
    }

    /// Checks the limits, then hashes and counts `out` for the caller.
    fn hand_out(&mut self, out: Bytes) -> Result<Bytes, Error> {
        let len = self.len + out.len() as u64;
        if len > self.max_bytes {
            let what = if self.gunzip.is_some() {
                "the decompressed download"
            } else {
                "the download"
            };
            return Err(self.too_large(what, self.max_bytes));
        }
        if let Some(gunzip) = &self.gunzip
            && len > GZIP_RATIO_GRACE_BYTES
            && len > gunzip.consumed.saturating_mul(self.max_gzip_ratio)
        {
            return Err(Error::too_large(
                "the decompressed download",
                self.max_gzip_ratio,
                "times its compressed size",
                Some(self.status),
                self.request_id(),
            ));
        }
        if let Some((hasher, _)) = &mut self.sha1 {
            hasher.update(&out);
        }
        self.len = len;
        Ok(out)
    }

    fn deadline_error(&self) -> Error {
        let limit = self.deadline.unwrap_or_default();
        Error::deadline(limit, Some(self.status), self.request_id())
    }

    fn too_large(&self, what: &'static str, limit: u64) -> Error {
        Error::too_large(what, limit, "bytes", Some(self.status), self.request_id())
    }

    fn gzip_error(&self, e: std::io::Error) -> Error {
        Error::decode(
            format!("the download is not valid gzip: {e}"),
            Some(self.status),
            self.request_id(),
        )
    }

    fn check_hash(&mut self) -> Result<(), Error> {
        if let Some((hasher, expected)) = self.sha1.take() {
            let actual = hex::encode(hasher.finish().as_ref());
            if actual != expected {
                return Err(Error::integrity(
                    format!("SHA-1 of the downloaded content is {actual}, expected {expected}"),
                    self.request_id(),
                ));
            }
        }
        Ok(())
    }

    /// Reads the whole content into memory (checks included), at most the client's
    /// `max_response_bytes` ([`DEFAULT_MAX_RESPONSE_BYTES`](super::DEFAULT_MAX_RESPONSE_BYTES),
    /// 16 MiB, by default). For large bills use [`Download::write_to`] or [`Download::chunk`].
    ///
    /// # Errors
    /// As [`Download::chunk`]; [`TooLarge`](crate::ErrorKind::TooLarge) past
    /// `max_response_bytes`.
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let hint = if self.gunzip.is_none() {
            content_length(&self.headers)
        } else {
            None
        };
        let mut out = BoundedBuf::new(hint, self.max_in_memory);
        while let Some(chunk) = self.chunk().await? {
            if !out.push(&chunk) {
                return Err(self.too_large("the download held in memory", self.max_in_memory));
            }
        }
        Ok(out.into_bytes())
    }

    /// Streams the content into `writer` and flushes it; returns the number of bytes written.
    ///
    /// # Errors
    /// As [`Download::chunk`], plus [`Io`](crate::ErrorKind::Io) if writing fails. On error the
    /// writer holds partial content: discard it.
    pub async fn write_to<W>(mut self, writer: &mut W) -> Result<u64, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt as _;
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await.map_err(Error::io)?;
        }
        writer.flush().await.map_err(Error::io)?;
        Ok(self.len)
    }
}

impl From<Response> for Download {
    fn from(r: Response) -> Self {
        let (status, headers, body, limits) = r.into_parts();
        Self::new(status, headers, Source::Buffered(Some(body)), limits)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("streaming", &matches!(self.source, Source::Streaming(_)))
            .field("gunzip", &self.gunzip.is_some())
            .field("verify_sha1", &self.sha1.is_some())
            .field("max_bytes", &self.max_bytes)
            .field("deadline", &self.deadline)
            .field("bytes_read", &self.len)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;
    use crate::ErrorKind;

    fn gzip(data: &[u8]) -> Bytes {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        Bytes::from(encoder.finish().unwrap())
    }

    fn buffered(body: Bytes, limits: Limits) -> Download {
        Download::from(Response::new(StatusCode::OK, HeaderMap::new(), body, limits))
    }

    /// Reads every chunk; the sizes handed out, and the error that ended it, if any.
    async fn drain(mut download: Download) -> (Vec<usize>, Option<Error>) {
        let mut sizes = Vec::new();
        loop {
            match download.chunk().await {
                Ok(Some(chunk)) => sizes.push(chunk.len()),
                Ok(None) => return (sizes, None),
                Err(e) => {
                    assert!(matches!(download.chunk().await, Ok(None)), "over after an error");
                    return (sizes, Some(e));
                }
            }
        }
    }

    #[tokio::test]
    async fn gunzip_hands_out_bounded_pieces_of_one_big_input_chunk() {
        // Pseudo-random digits: compresses about 2:1, like real data (not a repeated pattern).
        let mut state = 1_u32;
        let content: Vec<u8> = (0..1_500_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b'0' + (state >> 16) as u8 % 10
            })
            .collect();
        let (sizes, error) = drain(buffered(gzip(&content), Limits::default()).gunzip()).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(sizes.iter().sum::<usize>(), content.len());
        let largest = sizes.iter().max().copied().unwrap_or_default();
        assert!(largest <= GUNZIP_PIECE_BYTES + 32 * 1024, "{largest}");
        let whole = buffered(gzip(&content), Limits::default())
            .gunzip()
            .bytes()
            .await
            .unwrap();
        assert_eq!(whole, content);
    }

    #[tokio::test]
    async fn a_gzip_bomb_stops_at_the_ratio_or_the_size_limit() {
        let bomb = gzip(&vec![0; 16 << 20]);
        let (sizes, error) = drain(buffered(bomb.clone(), Limits::default()).gunzip()).await;
        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::TooLarge));
        assert!(sizes.iter().sum::<usize>() as u64 <= GZIP_RATIO_GRACE_BYTES);

        let limits = Limits {
            max_download_bytes: 4 << 20,
            ..Limits::default()
        };
        let download = buffered(bomb, limits).gunzip().max_gzip_ratio(u64::MAX);
        let (sizes, error) = drain(download).await;
        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::TooLarge));
        let handed_out = sizes.iter().sum::<usize>();
        assert!(
            handed_out <= 4 << 20 && handed_out > (4 << 20) - 128 * 1024,
            "{handed_out}"
        );
    }

    #[tokio::test]
    async fn gzip_errors_are_decode_errors() {
        let mut trailing = gzip(b"bill").to_vec();
        trailing.extend_from_slice(b"junk");
        for body in [Bytes::from(trailing), Bytes::from_static(b"not gzip at all")] {
            let (_, error) = drain(buffered(body, Limits::default()).gunzip()).await;
            assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Decode));
        }
        let mut truncated = gzip(&[7; 100_000]).to_vec();
        truncated.truncate(truncated.len() - 4);
        let (_, error) = drain(buffered(Bytes::from(truncated), Limits::default()).gunzip()).await;
        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Decode));
    }

    #[tokio::test]
    async fn plain_content_is_limited_too() {
        let body = Bytes::from(vec![1; 1000]);
        let (_, error) = drain(buffered(body.clone(), Limits::default()).max_bytes(999)).await;
        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::TooLarge));
        let (sizes, error) = drain(buffered(body.clone(), Limits::default()).max_bytes(1000)).await;
        assert!(error.is_none() && sizes == [1000]);
        let small = Limits {
            max_response_bytes: 999,
            ..Limits::default()
        };
        let err = buffered(body, small).bytes().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge);
    }
}
