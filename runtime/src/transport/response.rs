//! [`Response`] (a verified 2xx response) and [`Download`] (a downloaded file).

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::Error;

/// Name of the response header WeChat Pay uses to identify a request for support.
pub const HEADER_REQUEST_ID: &str = "Request-ID";

/// The `Request-ID` header of `headers`, if present and visible ASCII.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(HEADER_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A 2xx response whose signature was verified: status, headers and the raw body bytes.
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status (200, 202 or 204 in practice).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }

    /// The raw body bytes, exactly as verified.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The raw body bytes.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// The bytes to decode as JSON: the body, or `{}` when it is empty or only whitespace
    /// (e.g. 204 No Content), so that a response struct with no required fields decodes.
    pub fn json_bytes(&self) -> &[u8] {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        }
    }

    /// A [`ErrorKind::Decode`](crate::ErrorKind::Decode) error for this response.
    pub fn decode_error(&self, source: serde_json::Error) -> Error {
        Error::decode(source, Some(self.status), self.request_id(), &self.body)
    }

    /// Decodes [`Response::json_bytes`] as `T`.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) with the serde error and the start of
    /// the body.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(self.json_bytes()).map_err(|e| self.decode_error(e))
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A file being downloaded (bill, statement, image, …), streamed: the body is read chunk by
/// chunk as the caller asks for it, never buffered whole (except for the few download endpoints
/// whose responses are signed, which must be verified before any byte is handed out).
///
/// Optional checks run on the fly: [`Download::gunzip`] decodes a gzip body (a bill requested
/// with `tar_type=GZIP`), and [`Download::verify_sha1`]/[`Download::verify_hash`] compare the
/// SHA-1 of the (decoded) content with the `hash_value` of the bill-apply response when the
/// stream ends. A mismatch is an [`ErrorKind::Integrity`](crate::ErrorKind::Integrity) error from
/// the last read: write to a temporary file and use it only once the download ended with `Ok`.
///
/// ```no_run
/// # async fn demo(download: sdk_runtime::wechatpay::Download) -> Result<(), sdk_runtime::Error> {
/// // `hash_type`/`hash_value` come from `GET /v3/bill/tradebill` (the bill-apply response).
/// // Any `tokio::io::AsyncWrite` will do: a `tokio::fs::File` for a real bill.
/// let mut file: Vec<u8> = Vec::new();
/// let written = download.gunzip().verify_hash("SHA1", "<hash_value>")?.write_to(&mut file).await?;
/// # let _ = written; Ok(()) }
/// ```
pub struct Download {
    status: StatusCode,
    headers: HeaderMap,
    source: Source,
    gunzip: Option<flate2::write::GzDecoder<Vec<u8>>>,
    sha1: Option<(aws_lc_rs::digest::Context, String)>,
    input_done: bool,
    finished: bool,
    len: u64,
}

enum Source {
    Buffered(Option<Bytes>),
    Streaming(reqwest::Response),
}

impl Download {
    fn new(status: StatusCode, headers: HeaderMap, source: Source) -> Self {
        Self {
            status,
            headers,
            source,
            gunzip: None,
            sha1: None,
            input_done: false,
            finished: false,
            len: 0,
        }
    }

    /// A download whose body is read from `response` as the caller consumes it.
    pub(crate) fn streaming(response: reqwest::Response) -> Self {
        Self::new(
            response.status(),
            response.headers().clone(),
            Source::Streaming(response),
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

    /// Decodes the body as gzip on the fly (for bills requested with `tar_type=GZIP`); chunks and
    /// the hash check then apply to the decoded content. Call before reading.
    pub fn gunzip(mut self) -> Self {
        self.gunzip = Some(flate2::write::GzDecoder::new(Vec::new()));
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

    /// The next chunk of content, or `None` once the body ended and every check passed.
    ///
    /// # Errors
    /// [`Transport`](crate::ErrorKind::Transport) if the connection breaks or times out
    /// mid-body (e.g. a truncated body); [`Decode`](crate::ErrorKind::Decode) if gzip decoding
    /// fails; [`Integrity`](crate::ErrorKind::Integrity) at the end if the hash differs.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if self.finished {
                return Ok(None);
            }
            if self.input_done {
                self.finished = true;
                self.check_hash()?;
                return Ok(None);
            }
            let raw = match &mut self.source {
                Source::Buffered(body) => body.take(),
                Source::Streaming(response) => response.chunk().await.map_err(Error::transport)?,
            };
            let out = match raw {
                Some(bytes) => self.decode(&bytes)?,
                None => {
                    self.input_done = true;
                    self.finish_decoding()?
                }
            };
            if !out.is_empty() {
                if let Some((hasher, _)) = &mut self.sha1 {
                    hasher.update(&out);
                }
                self.len += out.len() as u64;
                return Ok(Some(out));
            }
        }
    }

    fn decode(&mut self, bytes: &Bytes) -> Result<Bytes, Error> {
        use std::io::Write as _;
        let Some(decoder) = &mut self.gunzip else {
            return Ok(bytes.clone());
        };
        match decoder.write_all(bytes) {
            Ok(()) => Ok(Bytes::from(std::mem::take(decoder.get_mut()))),
            Err(e) => Err(self.gzip_error(e)),
        }
    }

    fn finish_decoding(&mut self) -> Result<Bytes, Error> {
        match self.gunzip.take() {
            None => Ok(Bytes::new()),
            Some(decoder) => decoder.finish().map(Bytes::from).map_err(|e| self.gzip_error(e)),
        }
    }

    fn gzip_error(&self, e: std::io::Error) -> Error {
        Error::decode(
            format!("the download is not valid gzip: {e}"),
            Some(self.status),
            self.request_id(),
            b"",
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

    /// Reads the whole content into memory (checks included). For large bills prefer
    /// [`Download::write_to`] or [`Download::chunk`].
    ///
    /// # Errors
    /// As [`Download::chunk`].
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut out = bytes::BytesMut::new();
        while let Some(chunk) = self.chunk().await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
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
        Self::new(r.status, r.headers, Source::Buffered(Some(r.body)))
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
            .field("bytes_read", &self.len)
            .finish()
    }
}
