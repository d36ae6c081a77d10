//! Columns matched by their header names, and the typed values of one line.

use std::str::FromStr as _;

use time::macros::{format_description, offset};

use super::error::{BillError, BillErrorKind};
use super::lines::{Line, column_key};
use crate::{DateTime, Decimal};

/// The fields of a line layout: for each, the column names it is read from (the first is the
/// name WeChat Pay writes now; others are older spellings of the same column).
pub(super) type Fields = &'static [&'static [&'static str]];

/// Where each field of a layout is in a header line, and which columns are no field's.
pub(super) struct Columns {
    fields: Fields,
    /// Per field, its column.
    index: Vec<Option<usize>>,
    /// Per column, whether a field reads it.
    known: Vec<bool>,
    names: Vec<String>,
}

impl Columns {
    /// Matches the header line `names` (line `line`) against `fields`, by name.
    ///
    /// # Errors
    /// [`BillErrorKind::MissingColumn`] for a field of `required` without a column,
    /// [`BillErrorKind::DuplicateColumn`] for two columns of one field.
    pub fn new(names: &[String], line: u64, fields: Fields, required: &[usize]) -> Result<Self, BillError> {
        let mut index = vec![None; fields.len()];
        let mut known = vec![false; names.len()];
        for (column, name) in names.iter().enumerate() {
            let key = column_key(name);
            let Some(field) = fields
                .iter()
                .position(|spellings| spellings.iter().any(|s| column_key(s) == key))
            else {
                continue;
            };
            if index[field].is_some() {
                return Err(BillError::at(BillErrorKind::DuplicateColumn, line).in_column(name));
            }
            index[field] = Some(column);
            known[column] = true;
        }
        if let Some(&missing) = required.iter().find(|&&f| index[f].is_none()) {
            let name = fields[missing].first().copied().unwrap_or_default();
            return Err(BillError::at(BillErrorKind::MissingColumn, line).in_column(name));
        }
        Ok(Self {
            fields,
            index,
            known,
            names: names.to_vec(),
        })
    }

    /// The values of `line`, to read fields from.
    pub fn cells(&self, line: Line) -> Cells<'_> {
        Cells {
            columns: self,
            number: line.number,
            values: line.values,
        }
    }
}

/// The values of one line, read field by field (each value is taken out once).
pub(super) struct Cells<'a> {
    columns: &'a Columns,
    number: u64,
    values: Vec<String>,
}

/// Most decimal places of an amount in yuan.
pub(super) const YUAN_PLACES: u32 = 2;
/// Most decimal places of a fee (WeChat Pay writes fees with 5: `0.04000`).
pub(super) const FEE_PLACES: u32 = 5;

impl Cells<'_> {
    fn column(&self, field: usize) -> Option<usize> {
        self.columns.index.get(field).copied().flatten()
    }

    fn error(&self, kind: BillErrorKind, column: usize) -> BillError {
        let name = self.columns.names.get(column).map_or("", String::as_str);
        BillError::at(kind, self.number).in_column(name)
    }

    fn missing(&self, field: usize) -> BillError {
        let name = self.columns.fields.get(field).and_then(|s| s.first()).copied();
        BillError::at(BillErrorKind::MissingColumn, self.number).in_column(name.unwrap_or_default())
    }

    /// The value of a required field, as written.
    pub fn text(&mut self, field: usize) -> Result<String, BillError> {
        match self.column(field) {
            Some(column) => Ok(std::mem::take(&mut self.values[column])),
            None => Err(self.missing(field)),
        }
    }

    /// The value of an optional field: `None` when the bill has no such column or the value is
    /// empty.
    pub fn opt_text(&mut self, field: usize) -> Option<String> {
        let column = self.column(field)?;
        Some(std::mem::take(&mut self.values[column])).filter(|v| !v.is_empty())
    }

    /// A required amount with at most `places` decimal places.
    pub fn amount(&self, field: usize, places: u32) -> Result<Decimal, BillError> {
        let column = self.column(field).ok_or_else(|| self.missing(field))?;
        parse_amount(&self.values[column], places)
            .ok_or_else(|| self.error(BillErrorKind::InvalidAmount { max_places: places }, column))
    }

    /// An optional amount: `None` when the bill has no such column or the value is empty.
    pub fn opt_amount(&self, field: usize, places: u32) -> Result<Option<Decimal>, BillError> {
        match self.column(field) {
            Some(column) if !self.values[column].trim().is_empty() => self.amount(field, places).map(Some),
            _ => Ok(None),
        }
    }

    /// A required count: a whole non-negative number, `45` or `45.0`.
    pub fn count(&self, field: usize) -> Result<u64, BillError> {
        let column = self.column(field).ok_or_else(|| self.missing(field))?;
        parse_count(&self.values[column]).ok_or_else(|| self.error(BillErrorKind::InvalidCount, column))
    }

    /// A required time `YYYY-MM-DD HH:MM:SS`, China Standard Time.
    pub fn time(&self, field: usize) -> Result<DateTime, BillError> {
        let column = self.column(field).ok_or_else(|| self.missing(field))?;
        parse_time(&self.values[column]).ok_or_else(|| self.error(BillErrorKind::InvalidTime, column))
    }

    /// An optional time: `None` when the bill has no such column or the value is empty.
    pub fn opt_time(&self, field: usize) -> Result<Option<DateTime>, BillError> {
        match self.column(field) {
            Some(column) if !self.values[column].trim().is_empty() => self.time(field).map(Some),
            _ => Ok(None),
        }
    }

    /// The values of the columns no field reads, by their header names, in file order.
    pub fn into_extra(self) -> Vec<(String, String)> {
        let columns = self.columns;
        self.values
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !columns.known.get(*i).copied().unwrap_or(true))
            .map(|(i, value)| (columns.names[i].clone(), value))
            .collect()
    }
}

/// `text` as an amount: an optional `-`, digits, and at most `places` decimal places after a
/// `.`; nothing else (no exponent, sign `+`, separators or spaces inside).
pub(super) fn parse_amount(text: &str, places: u32) -> Option<Decimal> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = fraction.is_none_or(|f| all_digits(f) && f.len() <= places as usize);
    // rust_decimal holds 28 digits; a bill's amounts have far fewer.
    if !all_digits(whole) || !fraction_ok || whole.len() > 20 {
        return None;
    }
    rust_decimal::Decimal::from_str(text).ok().map(Decimal)
}

/// `text` as a count: a whole non-negative number, optionally written with zero decimals (`45.0`).
pub(super) fn parse_count(text: &str) -> Option<u64> {
    use rust_decimal::prelude::ToPrimitive as _;
    let value = parse_amount(text, 6)?.get();
    if value.is_sign_negative() || !value.fract().is_zero() {
        return None;
    }
    value.to_u64()
}

/// `text` as a bill time, `YYYY-MM-DD HH:MM:SS` in China Standard Time (UTC+8).
pub(super) fn parse_time(text: &str) -> Option<DateTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let local = time::PrimitiveDateTime::parse(text.trim(), format).ok()?;
    Some(DateTime::new(local.assume_offset(offset!(+8))))
}
