//! [`BillFile`]: a bill file on disk, plain or gzip-compressed.

use std::fs::File;
use std::io::{self, BufRead as _, BufReader, Read};
use std::path::Path;

use super::error::BillError;

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The content of a bill file, decompressed on the fly when the file is gzip (a bill asked for
/// with `tar_type=GZIP` and saved as it came); what [`TradeBill::open`](super::TradeBill::open)
/// and [`FundFlowBill::open`](super::FundFlowBill::open) read.
pub struct BillFile {
    inner: Inner,
}

enum Inner {
    Plain(BufReader<File>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<BufReader<File>>>),
}

impl BillFile {
    /// Opens the file at `path`; gzip when it starts with the gzip magic bytes.
    ///
    /// # Errors
    /// [`Io`](super::BillErrorKind::Io) if the file cannot be opened or read.
    pub fn open(path: &Path) -> Result<Self, BillError> {
        let file = File::open(path).map_err(|e| BillError::io(e, None))?;
        let mut reader = BufReader::with_capacity(64 * 1024, file);
        let start = reader.fill_buf().map_err(|e| BillError::io(e, None))?;
        let inner = if start.starts_with(&GZIP_MAGIC) {
            Inner::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(reader)))
        } else {
            Inner::Plain(reader)
        };
        Ok(Self { inner })
    }

    /// Whether the file is gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        matches!(self.inner, Inner::Gzip(_))
    }
}

impl Read for BillFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(r) => r.read(buf),
            Inner::Gzip(r) => r.read(buf),
        }
    }
}

impl std::fmt::Debug for BillFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillFile").field("gzip", &self.is_gzip()).finish()
    }
}
