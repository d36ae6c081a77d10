//! The reader shared by both kinds of bill: rows one at a time, then the summary, checked.

use std::io::Read;

use super::cells::{Cells, Columns, Fields};
use super::error::{BillError, BillErrorKind};
use super::lines::{Lines, Next};

/// The line layout of one kind of bill: its row and summary fields, and how values become them.
pub(super) trait Layout {
    /// A row.
    type Row;
    /// The summary.
    type Summary;
    /// The row fields, by column name.
    const ROW_FIELDS: Fields;
    /// The row fields every bill of this kind has.
    const ROW_REQUIRED: &'static [usize];
    /// The summary fields, by title; the first one's title starts the summary.
    const SUMMARY_FIELDS: Fields;
    /// The summary fields every bill of this kind has.
    const SUMMARY_REQUIRED: &'static [usize];

    /// A row from its values.
    fn row(cells: Cells<'_>) -> Result<Self::Row, BillError>;
    /// The summary from its values.
    fn summary(cells: Cells<'_>) -> Result<Self::Summary, BillError>;
    /// The number of rows the summary states.
    fn count(summary: &Self::Summary) -> u64;
}

/// Rows of a bill of layout `L`, read from `R` one at a time, then its summary.
pub(super) struct BillReader<R, L: Layout> {
    lines: Lines<R>,
    columns: Columns,
    rows: u64,
    summary: Option<L::Summary>,
    /// Set after the end or the first error: the iteration is over.
    done: bool,
}

impl<R: Read, L: Layout> BillReader<R, L> {
    /// Reads the header line and matches its columns.
    pub fn new(reader: R, max_line_bytes: usize) -> Result<Self, BillError> {
        let summary_first = L::SUMMARY_FIELDS
            .first()
            .and_then(|spellings| spellings.first())
            .copied()
            .unwrap_or_default();
        let lines = Lines::new(reader, max_line_bytes, summary_first)?;
        let columns = Columns::new(lines.header(), 1, L::ROW_FIELDS, L::ROW_REQUIRED)?;
        Ok(Self {
            lines,
            columns,
            rows: 0,
            summary: None,
            done: false,
        })
    }

    pub fn header(&self) -> &[String] {
        self.lines.header()
    }

    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    pub fn summary(&self) -> Option<&L::Summary> {
        self.summary.as_ref()
    }

    /// The next row; `None` once the summary was read (and checked), or after an error.
    pub fn next_row(&mut self) -> Option<Result<L::Row, BillError>> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn step(&mut self) -> Result<Option<L::Row>, BillError> {
        match self.lines.next()? {
            Next::Row(line) => {
                let row = L::row(self.columns.cells(line))?;
                self.rows += 1;
                Ok(Some(row))
            }
            Next::Summary { titles, values } => {
                let columns = Columns::new(
                    &titles.values,
                    titles.number,
                    L::SUMMARY_FIELDS,
                    L::SUMMARY_REQUIRED,
                )?;
                let number = values.number;
                let summary = L::summary(columns.cells(values))?;
                let count = L::count(&summary);
                if count != self.rows {
                    let kind = BillErrorKind::CountMismatch {
                        summary: count,
                        rows: self.rows,
                    };
                    let title = titles.values.first().map_or("", String::as_str);
                    return Err(BillError::at(kind, number).in_column(title));
                }
                // Nothing may follow the summary.
                match self.lines.next()? {
                    Next::End => {}
                    Next::Row(line) => return Err(BillError::at(BillErrorKind::TrailingLine, line.number)),
                    Next::Summary { titles, .. } => {
                        return Err(BillError::at(BillErrorKind::TrailingLine, titles.number));
                    }
                }
                self.summary = Some(summary);
                Ok(None)
            }
            Next::End => Err(BillError::new(BillErrorKind::MissingSummary, None)),
        }
    }

    /// Every remaining row, then the summary.
    pub fn read_all(mut self) -> Result<(Vec<L::Row>, L::Summary), BillError> {
        let mut rows = Vec::new();
        while let Some(row) = self.next_row() {
            rows.push(row?);
        }
        match self.summary {
            Some(summary) => Ok((rows, summary)),
            None => Err(BillError::new(BillErrorKind::MissingSummary, None)),
        }
    }
}
