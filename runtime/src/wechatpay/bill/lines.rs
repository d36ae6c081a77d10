//! The lines of a bill: a bound on each line's length, the CSV reader, the header line, then rows
//! until the summary's title line and values.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read};

use super::error::{BillError, BillErrorKind};

/// The byte order mark WeChat Pay writes at the start of a bill.
const BOM: char = '\u{feff}';

/// The prefix WeChat Pay writes before every value of a row and of the summary values.
pub(super) const TICK: char = '`';

/// A [`Read`] that fails once a line grows past `limit` bytes: the CSV reader in front of it never
/// buffers more than one line of that size (plus its own read buffer).
///
/// It also numbers the lines: the CSV reader's own positions count a `\r\n` only once it has read
/// past it, so the runs of line breaks (`\r`, `\n`, blank lines) it has not read past yet are
/// kept here, one entry per run: at most as many as there are lines in its read buffer.
pub(super) struct LineLimit<R> {
    inner: R,
    limit: usize,
    /// Bytes of the current line read so far.
    current: usize,
    /// 1-based number of the current line.
    line: u64,
    exceeded: bool,
    /// Bytes handed out so far.
    offset: u64,
    /// The runs of line-break bytes handed out and not yet behind a record.
    breaks: VecDeque<Breaks>,
    /// The `\n` bytes of the runs dropped from `breaks`.
    newlines_before: u64,
}

/// A run of consecutive `\r` and `\n` bytes: from offset `start` to `end` (exclusive), holding
/// `newlines` `\n` bytes.
struct Breaks {
    start: u64,
    end: u64,
    newlines: u64,
}

/// The error [`LineLimit`] reads end with, found again in the CSV reader's I/O error.
#[derive(Debug)]
struct LineTooLong {
    line: u64,
    limit: usize,
}

impl fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} is longer than {} bytes", self.line, self.limit)
    }
}

impl std::error::Error for LineTooLong {}

impl<R> LineLimit<R> {
    fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            limit,
            current: 0,
            line: 1,
            exceeded: false,
            offset: 0,
            breaks: VecDeque::new(),
            newlines_before: 0,
        }
    }

    /// The 1-based line of the record the CSV reader read from byte `start` on (its position):
    /// one more than the `\n` bytes before its first byte. The reader ends a record on the first
    /// byte of the line break after it, so every run that starts at or before `start` is before
    /// the record's first byte, and a run after `start` is after it.
    fn line_at(&mut self, start: u64) -> u64 {
        while let Some(run) = self.breaks.front() {
            if run.start > start {
                break;
            }
            self.newlines_before += run.newlines;
            self.breaks.pop_front();
        }
        self.newlines_before + 1
    }

    fn push_break(&mut self, at: u64, newline: bool) {
        let newlines = u64::from(newline);
        match self.breaks.back_mut() {
            Some(run) if run.end == at => {
                run.end += 1;
                run.newlines += newlines;
            }
            _ => self.breaks.push_back(Breaks {
                start: at,
                end: at + 1,
                newlines,
            }),
        }
    }

    fn error(&self) -> io::Error {
        io::Error::other(LineTooLong {
            line: self.line,
            limit: self.limit,
        })
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.exceeded {
            return Err(self.error());
        }
        let n = self.inner.read(buf)?;
        for (i, &byte) in buf[..n].iter().enumerate() {
            let at = self.offset + i as u64;
            match byte {
                b'\n' => {
                    self.line += 1;
                    self.current = 0;
                    self.push_break(at, true);
                }
                b'\r' => {
                    self.current = 0;
                    self.push_break(at, false);
                }
                _ => {
                    self.current += 1;
                    if self.current > self.limit {
                        // Hand out the lines before this one; the next read fails.
                        self.exceeded = true;
                        self.offset = at;
                        return if i == 0 { Err(self.error()) } else { Ok(i) };
                    }
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// One line of values: its 1-based line number and its values.
pub(super) struct Line {
    pub number: u64,
    pub values: Vec<String>,
}

/// What comes next in a bill.
pub(super) enum Next {
    /// A row, its values without their leading backtick, as many as the header has columns.
    Row(Line),
    /// The summary: its title line (the column names) and its values, as many as titles.
    Summary { titles: Line, values: Line },
    /// The end of the file (after the summary, or without one).
    End,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Rows,
    AfterSummary,
    Done,
}

/// The lines of a bill, read one at a time through the CSV reader.
pub(super) struct Lines<R> {
    csv: csv::Reader<LineLimit<R>>,
    record: csv::ByteRecord,
    header: Vec<String>,
    /// The summary's first title, as [`column_key`] writes it.
    summary_first: String,
    state: State,
}

impl<R: Read> Lines<R> {
    /// Reads the header line. `summary_first` is the first title of the summary line, which ends
    /// the rows.
    pub fn new(reader: R, max_line_bytes: usize, summary_first: &str) -> Result<Self, BillError> {
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            // The summary lines have fewer values than rows: counts are checked here.
            .flexible(true)
            // WeChat Pay marks values with a backtick, never with quotes: a `"` is a character.
            .quoting(false)
            .from_reader(LineLimit::new(reader, max_line_bytes));
        let mut lines = Self {
            csv,
            record: csv::ByteRecord::new(),
            header: Vec::new(),
            summary_first: column_key(summary_first),
            state: State::Rows,
        };
        let Some(line) = lines.read()? else {
            return Err(BillError::at(BillErrorKind::MissingHeader, 1));
        };
        let mut header: Vec<String> = line.values.into_iter().map(|v| v.trim().to_owned()).collect();
        if let Some(first) = header.first_mut() {
            *first = first.trim_start_matches(BOM).trim().to_owned();
        }
        lines.header = header;
        Ok(lines)
    }

    /// The columns of the header line, as written (without the byte order mark).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next row, the summary, or the end.
    pub fn next(&mut self) -> Result<Next, BillError> {
        match self.state {
            State::Done => Ok(Next::End),
            State::AfterSummary => match self.read()? {
                None => {
                    self.state = State::Done;
                    Ok(Next::End)
                }
                Some(line) => Err(BillError::at(BillErrorKind::TrailingLine, line.number)),
            },
            State::Rows => {
                let Some(line) = self.read()? else {
                    self.state = State::Done;
                    return Ok(Next::End);
                };
                let first = line
                    .values
                    .first()
                    .map(|v| column_key(v.trim_start_matches(TICK)));
                if first.as_deref() != Some(self.summary_first.as_str()) {
                    let width = self.header.len();
                    return values(line, width).map(Next::Row);
                }
                let titles = Line {
                    number: line.number,
                    values: line.values.into_iter().map(|v| v.trim().to_owned()).collect(),
                };
                let Some(values_line) = self.read()? else {
                    return Err(BillError::new(BillErrorKind::MissingSummary, None));
                };
                self.state = State::AfterSummary;
                let values = values(values_line, titles.values.len())?;
                Ok(Next::Summary { titles, values })
            }
        }
    }

    /// The next non-empty line of the file, its values as written (UTF-8 checked).
    fn read(&mut self) -> Result<Option<Line>, BillError> {
        match self.csv.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(read_error(e)),
        }
        let start = self.record.position().map_or(0, csv::Position::byte);
        let number = self.csv.get_mut().line_at(start);
        let mut values = Vec::with_capacity(self.record.len());
        for (i, field) in self.record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(text) => values.push(text.to_owned()),
                Err(_) => {
                    let error = BillError::at(BillErrorKind::NotUtf8, number);
                    return Err(match self.header.get(i) {
                        Some(column) => error.in_column(column),
                        None => error,
                    });
                }
            }
        }
        Ok(Some(Line { number, values }))
    }
}

/// A row's (or the summary's) values: `width` of them, each without its leading backtick.
///
/// A value may hold a comma (a product name, the merchant's `attach`): the CSV reader then splits
/// it, but only the first piece starts with the backtick every value has, so when a line has too
/// many values, a piece without it is joined back to the value before it.
fn values(line: Line, width: usize) -> Result<Line, BillError> {
    let Line { number, values } = line;
    let mut values = if values.len() > width {
        let mut joined: Vec<String> = Vec::with_capacity(width);
        for piece in values {
            match joined.last_mut() {
                Some(value) if !piece.starts_with(TICK) => {
                    value.push(',');
                    value.push_str(&piece);
                }
                _ => joined.push(piece),
            }
        }
        joined
    } else {
        values
    };
    if values.len() != width {
        let kind = BillErrorKind::ColumnCount {
            expected: width,
            found: values.len(),
        };
        return Err(BillError::at(kind, number));
    }
    for value in &mut values {
        if value.starts_with(TICK) {
            value.remove(0);
        }
    }
    Ok(Line { number, values })
}

/// A column name as compared: without the byte order mark and white space, full-width
/// parentheses as ASCII ones (`收支金额（元）` and `收支金额(元)` are one column), ASCII upper case.
pub(super) fn column_key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != BOM && !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            _ => c.to_ascii_uppercase(),
        })
        .collect()
}

fn read_error(error: csv::Error) -> BillError {
    let line = error.position().map(csv::Position::line);
    match error.into_kind() {
        csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<LineTooLong>()) {
            Some(long) => BillError::at(BillErrorKind::LineTooLong { limit: long.limit }, long.line),
            None => BillError::io(io, line),
        },
        // With `flexible` and byte records the reader reports nothing else.
        _ => BillError::io(io::Error::other("unexpected CSV reader error"), line),
    }
}
