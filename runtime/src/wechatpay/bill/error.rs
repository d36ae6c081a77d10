//! [`BillError`]: why a bill cannot be read, naming the line and the column, never a value.

use std::error::Error as StdError;
use std::fmt;

/// What is wrong with a bill, for matching; see [`BillError::kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BillErrorKind {
    /// Reading failed (the file, or the gzip stream of a `.gz` file); the cause is the error's
    /// [`source`](StdError::source).
    Io,
    /// A line is longer than the reader's limit, in bytes (default
    /// [`DEFAULT_MAX_LINE_BYTES`](super::DEFAULT_MAX_LINE_BYTES)): reading stopped there, without
    /// holding the line in memory.
    LineTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A line is not UTF-8.
    NotUtf8,
    /// The bill is empty: it has no header line.
    MissingHeader,
    /// A column the row (or summary) needs is not in the header line (or the summary's title
    /// line); [`BillError::column`] names it.
    MissingColumn,
    /// Two columns of a header line name the same field; [`BillError::column`] names the second.
    DuplicateColumn,
    /// A line has another number of values than its header line has columns.
    ColumnCount {
        /// The number of columns of the header line.
        expected: usize,
        /// The number of values on the line.
        found: usize,
    },
    /// An amount is not a plain decimal number (`12.34`, `-0.01`) with at most `max_places`
    /// decimal places (2 for yuan, 5 for fees).
    InvalidAmount {
        /// The most decimal places the column allows.
        max_places: u32,
    },
    /// A count is not a whole non-negative number (WeChat Pay may write `45` or `45.0`).
    InvalidCount,
    /// A time is not `YYYY-MM-DD HH:MM:SS`.
    InvalidTime,
    /// The bill ended before its summary (its last two lines): the file is incomplete.
    MissingSummary,
    /// The summary's count of rows is not the number of rows read.
    CountMismatch {
        /// The count the summary states.
        summary: u64,
        /// The rows read.
        rows: u64,
    },
    /// A line follows the summary.
    TrailingLine,
}

/// Why a bill cannot be read: what ([`BillError::kind`]), on which 1-based line of the file
/// ([`BillError::line`]) and in which column, named by its header ([`BillError::column`]).
///
/// A bill holds personal data (openids, order numbers, amounts): no error, in `Display` or
/// `Debug`, holds a value from the file; only the column names of its header lines, which are
/// WeChat Pay's.
#[derive(Debug)]
pub struct BillError {
    kind: BillErrorKind,
    line: Option<u64>,
    column: Option<String>,
    source: Option<std::io::Error>,
}

impl BillError {
    pub(super) fn new(kind: BillErrorKind, line: Option<u64>) -> Self {
        Self {
            kind,
            line,
            column: None,
            source: None,
        }
    }

    pub(super) fn at(kind: BillErrorKind, line: u64) -> Self {
        Self::new(kind, Some(line))
    }

    pub(super) fn io(source: std::io::Error, line: Option<u64>) -> Self {
        Self {
            source: Some(source),
            ..Self::new(BillErrorKind::Io, line)
        }
    }

    /// This error, about the column named `column` (as the header line writes it).
    pub(super) fn in_column(mut self, column: &str) -> Self {
        self.column = Some(column.to_owned());
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> &BillErrorKind {
        &self.kind
    }

    /// The 1-based line of the file the error is about, when it is about one (the header is
    /// line 1; a blank line counts).
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The column the error is about, as its header line names it (e.g. `应结订单金额`).
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// Whether reading the file failed ([`BillErrorKind::Io`]) for another reason than broken
    /// content (invalid data, e.g. a corrupt or truncated gzip stream): an I/O failure, not a
    /// malformed bill.
    pub(crate) fn is_read_failure(&self) -> bool {
        use std::io::ErrorKind::{InvalidData, InvalidInput, UnexpectedEof};
        match (&self.kind, &self.source) {
            (BillErrorKind::Io, Some(io)) => !matches!(io.kind(), InvalidData | InvalidInput | UnexpectedEof),
            (BillErrorKind::Io, None) => true,
            _ => false,
        }
    }
}

impl fmt::Display for BillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bill")?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        f.write_str(": ")?;
        match &self.kind {
            BillErrorKind::Io => f.write_str("cannot read the bill"),
            BillErrorKind::LineTooLong { limit } => write!(f, "the line is longer than {limit} bytes"),
            BillErrorKind::NotUtf8 => f.write_str("not UTF-8"),
            BillErrorKind::MissingHeader => f.write_str("the bill is empty (no header line)"),
            BillErrorKind::MissingColumn => f.write_str("the column is missing from the header line"),
            BillErrorKind::DuplicateColumn => f.write_str("the column appears twice in the header line"),
            BillErrorKind::ColumnCount { expected, found } => {
                write!(f, "{found} values where the header line has {expected} columns")
            }
            BillErrorKind::InvalidAmount { max_places } => {
                write!(f, "not a decimal amount with at most {max_places} decimal places")
            }
            BillErrorKind::InvalidCount => f.write_str("not a whole non-negative count"),
            BillErrorKind::InvalidTime => f.write_str("not a time `YYYY-MM-DD HH:MM:SS`"),
            BillErrorKind::MissingSummary => {
                f.write_str("the bill ends before its summary lines (an incomplete file)")
            }
            BillErrorKind::CountMismatch { summary, rows } => {
                write!(f, "the summary counts {summary} rows, the bill has {rows}")
            }
            BillErrorKind::TrailingLine => f.write_str("a line after the summary"),
        }
    }
}

impl StdError for BillError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_ref().map(|e| e as &(dyn StdError + 'static))
    }
}
