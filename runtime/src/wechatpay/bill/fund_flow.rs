//! The fund-flow bill (资金账单): [`FundFlowBill`], [`FundFlowBillRow`], [`FundFlowBillSummary`].

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use super::DEFAULT_MAX_LINE_BYTES;
use super::cells::{Cells, Fields, YUAN_PLACES};
use super::error::BillError;
use super::file::BillFile;
use super::reader::{BillReader, Layout};
use crate::{DateTime, Decimal};

/// `收支类型` of income.
pub const INCOME: &str = "收入";
/// `收支类型` of expense.
pub const EXPENSE: &str = "支出";

/// One row of a fund-flow bill: one movement of money on the account (`account_type` `BASIC`,
/// `OPERATION` or `FEES`). Amounts are yuan, exactly as written
/// ([`yuan_to_fen`](super::yuan_to_fen) converts), never negative: [`direction`] says which way
/// the money went. Times are China Standard Time. A column this type does not know is kept in
/// [`extra`](FundFlowBillRow::extra).
///
/// [`direction`]: FundFlowBillRow::direction
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FundFlowBillRow {
    /// 记账时间: when the movement was booked.
    pub booking_time: DateTime,
    /// 微信支付业务单号: the WeChat Pay order, refund or transfer the movement belongs to.
    pub business_id: String,
    /// 资金流水单号.
    pub flow_id: String,
    /// 业务名称: `交易`, `退款`, `扣除交易手续费`, `充值/提现`, ….
    pub business_name: String,
    /// 业务类型.
    pub business_type: String,
    /// 收支类型: [`INCOME`] (收入) or [`EXPENSE`] (支出).
    pub direction: String,
    /// 收支金额(元): the amount moved, yuan.
    pub amount: Decimal,
    /// 账户结余(元): the balance after the movement, yuan.
    pub balance: Decimal,
    /// 资金变更提交申请人: who asked for the movement (`system`, an operator, an API user).
    pub applicant: String,
    /// 备注.
    pub remark: String,
    /// 业务凭证号: the merchant's order or refund number, when there is one.
    pub voucher_no: String,
    /// The columns this type does not know, by header name, in file order.
    pub extra: Vec<(String, String)>,
}

impl FundFlowBillRow {
    /// Whether the row is income (`收支类型` `收入`).
    pub fn is_income(&self) -> bool {
        self.direction == INCOME
    }

    /// The amount with its direction: positive for income, negative for expense; `None` for a
    /// `收支类型` other than `收入` and `支出`.
    pub fn signed_amount(&self) -> Option<Decimal> {
        match self.direction.as_str() {
            INCOME => Some(self.amount),
            EXPENSE => Some(Decimal(-self.amount.get())),
            _ => None,
        }
    }
}

/// The summary that ends a fund-flow bill (its last two lines). Amounts are yuan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FundFlowBillSummary {
    /// 资金流水总笔数: the number of rows (checked against the rows read).
    pub total_count: u64,
    /// 收入笔数.
    pub income_count: u64,
    /// 收入金额.
    pub income_total: Decimal,
    /// 支出笔数.
    pub expense_count: u64,
    /// 支出金额.
    pub expense_total: Decimal,
    /// The summary columns this type does not know, by title, in file order.
    pub extra: Vec<(String, String)>,
}

const ROW_FIELDS: Fields = &[
    &["记账时间"],
    &["微信支付业务单号"],
    &["资金流水单号"],
    &["业务名称"],
    &["业务类型"],
    &["收支类型"],
    &["收支金额(元)"],
    &["账户结余(元)"],
    &["资金变更提交申请人"],
    &["备注"],
    &["业务凭证号"],
];

const SUMMARY_FIELDS: Fields = &[
    &["资金流水总笔数"],
    &["收入笔数"],
    &["收入金额"],
    &["支出笔数"],
    &["支出金额"],
];

pub(super) struct FundFlow;

impl Layout for FundFlow {
    type Row = FundFlowBillRow;
    type Summary = FundFlowBillSummary;
    const ROW_FIELDS: Fields = ROW_FIELDS;
    const ROW_REQUIRED: &'static [usize] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const SUMMARY_FIELDS: Fields = SUMMARY_FIELDS;
    const SUMMARY_REQUIRED: &'static [usize] = &[0, 1, 2, 3, 4];

    fn row(mut c: Cells<'_>) -> Result<FundFlowBillRow, BillError> {
        Ok(FundFlowBillRow {
            booking_time: c.time(0)?,
            amount: c.amount(6, YUAN_PLACES)?,
            balance: c.amount(7, YUAN_PLACES)?,
            business_id: c.text(1)?,
            flow_id: c.text(2)?,
            business_name: c.text(3)?,
            business_type: c.text(4)?,
            direction: c.text(5)?,
            applicant: c.text(8)?,
            remark: c.text(9)?,
            voucher_no: c.text(10)?,
            extra: c.into_extra(),
        })
    }

    fn summary(c: Cells<'_>) -> Result<FundFlowBillSummary, BillError> {
        Ok(FundFlowBillSummary {
            total_count: c.count(0)?,
            income_count: c.count(1)?,
            income_total: c.amount(2, YUAN_PLACES)?,
            expense_count: c.count(3)?,
            expense_total: c.amount(4, YUAN_PLACES)?,
            extra: c.into_extra(),
        })
    }

    fn count(summary: &FundFlowBillSummary) -> u64 {
        summary.total_count
    }
}

/// A fund-flow bill (资金账单), read one [`FundFlowBillRow`] at a time from any [`Read`], then
/// its [`FundFlowBillSummary`]: the file of `GET /v3/bill/fundflowbill`'s `download_url`
/// (APIv3), or the answer of `POST /pay/downloadfundflow` (APIv2), decompressed when it was asked
/// for as `GZIP`.
///
/// Reads as [`TradeBill`](super::TradeBill) does: columns by header name (`收支金额(元)` and
/// `收支金额（元）` alike), rows until the summary, which is checked (its count of rows must be
/// the rows read, nothing may follow it) and kept for [`FundFlowBill::summary`]; the first error
/// ends the iteration; memory stays bounded by the longest line.
pub struct FundFlowBill<R> {
    inner: BillReader<R, FundFlow>,
}

impl<R: Read> FundFlowBill<R> {
    /// Reads the header line of the bill in `reader` (lines up to
    /// [`DEFAULT_MAX_LINE_BYTES`]).
    ///
    /// # Errors
    /// [`BillError`] when the header cannot be read or lacks a column every fund-flow bill has.
    pub fn new(reader: R) -> Result<Self, BillError> {
        Self::with_max_line_bytes(reader, DEFAULT_MAX_LINE_BYTES)
    }

    /// [`FundFlowBill::new`] with another limit on the length of a line, in bytes.
    ///
    /// # Errors
    /// As [`FundFlowBill::new`].
    pub fn with_max_line_bytes(reader: R, max_line_bytes: usize) -> Result<Self, BillError> {
        BillReader::new(reader, max_line_bytes).map(|inner| Self { inner })
    }

    /// The columns of the header line, as written.
    pub fn header(&self) -> &[String] {
        self.inner.header()
    }

    /// How many rows were read so far.
    pub fn rows_read(&self) -> u64 {
        self.inner.rows_read()
    }

    /// The summary, once the iterator has returned `None` after reading it.
    pub fn summary(&self) -> Option<&FundFlowBillSummary> {
        self.inner.summary()
    }

    /// Every remaining row, then the summary (the whole bill in memory).
    ///
    /// # Errors
    /// The first [`BillError`].
    pub fn read_all(self) -> Result<(Vec<FundFlowBillRow>, FundFlowBillSummary), BillError> {
        self.inner.read_all()
    }
}

impl FundFlowBill<BillFile> {
    /// Opens the bill file at `path`, plain or gzip-compressed (told apart by its first bytes).
    ///
    /// # Errors
    /// [`Io`](super::BillErrorKind::Io) if the file cannot be opened, else as
    /// [`FundFlowBill::new`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BillError> {
        Self::new(BillFile::open(path.as_ref())?)
    }
}

impl<R: Read> Iterator for FundFlowBill<R> {
    type Item = Result<FundFlowBillRow, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next_row()
    }
}

impl<R: Read> std::iter::FusedIterator for FundFlowBill<R> {}

impl<R> std::fmt::Debug for FundFlowBill<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FundFlowBill").finish_non_exhaustive()
    }
}
