//! The trade bill (交易账单): [`TradeBill`], [`TradeBillRow`], [`TradeBillSummary`].

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use super::DEFAULT_MAX_LINE_BYTES;
use super::cells::{Cells, FEE_PLACES, Fields, YUAN_PLACES};
use super::error::BillError;
use super::file::BillFile;
use super::reader::{BillReader, Layout};
use crate::{DateTime, Decimal};

/// One row of a trade bill: a payment (`trade_state` `SUCCESS`, or `REVOKED` for a revoked
/// code payment) or a refund (`REFUND`). Amounts are yuan, exactly as written
/// ([`yuan_to_fen`](super::yuan_to_fen) converts); times are China Standard Time.
///
/// Every `bill_type` has the payment columns; the refund columns are `None` in a `SUCCESS`
/// bill, which has none, and `refund_apply_time`/`refund_success_time` are only in `REFUND` (and
/// `RECHARGE_REFUND`) bills. An optional field is also `None` when its value is empty. A column
/// this type does not know is kept in [`extra`](TradeBillRow::extra).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TradeBillRow {
    /// 交易时间: when the payment (or, in a refund row, the original payment) was made.
    pub trade_time: DateTime,
    /// 公众账号ID.
    pub appid: String,
    /// 商户号.
    pub mchid: String,
    /// 特约商户号 (older bills: 子商户号): `0` for a merchant's own payments.
    pub sub_mchid: String,
    /// 设备号 (often empty).
    pub device_info: String,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 用户标识: the payer's openid.
    pub openid: String,
    /// 交易类型: `JSAPI`, `NATIVE`, `APP`, `MWEB`, `MICROPAY`, ….
    pub trade_type: String,
    /// 交易状态: `SUCCESS`, `REFUND`, `REVOKED`.
    pub trade_state: String,
    /// 付款银行: the payer's bank type (`OTHERS`, `CMB_DEBIT`, …).
    pub bank_type: String,
    /// 货币种类: `CNY`.
    pub currency: String,
    /// 应结订单金额 (yuan): the order amount less free (merchant-funded) coupons; `0.00` in a
    /// refund row.
    pub settlement_total: Decimal,
    /// 代金券金额 (yuan).
    pub coupon_amount: Decimal,
    /// 退款申请时间 (`REFUND` bills).
    pub refund_apply_time: Option<DateTime>,
    /// 退款成功时间 (`REFUND` bills; empty, so `None`, while the refund is in progress).
    pub refund_success_time: Option<DateTime>,
    /// 微信退款单号 (`0` in a payment row of an `ALL` bill).
    pub refund_id: Option<String>,
    /// 商户退款单号 (`0` in a payment row of an `ALL` bill).
    pub out_refund_no: Option<String>,
    /// 退款金额 (yuan).
    pub refund_amount: Option<Decimal>,
    /// 充值券退款金额 (yuan).
    pub recharge_coupon_refund: Option<Decimal>,
    /// 退款类型: `ORIGINAL`, `BALANCE`.
    pub refund_type: Option<String>,
    /// 退款状态: `SUCCESS`, `PROCESSING`, `FAIL`, `CHANGE`.
    pub refund_status: Option<String>,
    /// 商品名称: the order's description.
    pub description: String,
    /// 商户数据包: the order's `attach`.
    pub attach: String,
    /// 手续费 (yuan, up to 5 decimal places as WeChat Pay writes it: `0.04000`).
    pub fee: Decimal,
    /// 费率, as written (`0.60%`).
    pub fee_rate: String,
    /// 订单金额 (yuan): the order amount, coupons included; `0.00` in a refund row.
    pub order_amount: Option<Decimal>,
    /// 申请退款金额 (yuan): the refund asked for; `0.00` in a payment row.
    pub refund_requested: Option<Decimal>,
    /// 费率备注.
    pub fee_rate_note: Option<String>,
    /// The columns this type does not know, by header name, in file order.
    pub extra: Vec<(String, String)>,
}

/// The summary that ends a trade bill (its last two lines: titles, then values). Amounts are
/// yuan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TradeBillSummary {
    /// 总交易单数: the number of rows (checked against the rows read).
    pub total_count: u64,
    /// 应结订单总金额.
    pub settlement_total: Decimal,
    /// 退款总金额.
    pub refund_total: Decimal,
    /// 充值券退款总金额.
    pub recharge_coupon_refund_total: Decimal,
    /// 手续费总金额 (up to 5 decimal places).
    pub fee_total: Decimal,
    /// 订单总金额.
    pub order_total: Option<Decimal>,
    /// 申请退款总金额.
    pub refund_requested_total: Option<Decimal>,
    /// The summary columns this type does not know, by title, in file order.
    pub extra: Vec<(String, String)>,
}

const ROW_FIELDS: Fields = &[
    &["交易时间"],
    &["公众账号ID"],
    &["商户号"],
    &["特约商户号", "子商户号"],
    &["设备号"],
    &["微信订单号"],
    &["商户订单号"],
    &["用户标识"],
    &["交易类型"],
    &["交易状态"],
    &["付款银行"],
    &["货币种类"],
    &["应结订单金额"],
    &["代金券金额"],
    &["退款申请时间"],
    &["退款成功时间"],
    &["微信退款单号"],
    &["商户退款单号"],
    &["退款金额"],
    &["充值券退款金额"],
    &["退款类型"],
    &["退款状态"],
    &["商品名称"],
    &["商户数据包"],
    &["手续费"],
    &["费率"],
    &["订单金额"],
    &["申请退款金额"],
    &["费率备注"],
];

const SUMMARY_FIELDS: Fields = &[
    &["总交易单数"],
    &["应结订单总金额"],
    &["退款总金额"],
    &["充值券退款总金额"],
    &["手续费总金额"],
    &["订单总金额"],
    &["申请退款总金额"],
];

pub(super) struct Trade;

impl Layout for Trade {
    type Row = TradeBillRow;
    type Summary = TradeBillSummary;
    const ROW_FIELDS: Fields = ROW_FIELDS;
    const ROW_REQUIRED: &'static [usize] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 22, 23, 24, 25];
    const SUMMARY_FIELDS: Fields = SUMMARY_FIELDS;
    const SUMMARY_REQUIRED: &'static [usize] = &[0, 1, 2, 3, 4];

    fn row(mut c: Cells<'_>) -> Result<TradeBillRow, BillError> {
        Ok(TradeBillRow {
            trade_time: c.time(0)?,
            settlement_total: c.amount(12, YUAN_PLACES)?,
            coupon_amount: c.amount(13, YUAN_PLACES)?,
            refund_apply_time: c.opt_time(14)?,
            refund_success_time: c.opt_time(15)?,
            refund_amount: c.opt_amount(18, YUAN_PLACES)?,
            recharge_coupon_refund: c.opt_amount(19, YUAN_PLACES)?,
            fee: c.amount(24, FEE_PLACES)?,
            order_amount: c.opt_amount(26, YUAN_PLACES)?,
            refund_requested: c.opt_amount(27, YUAN_PLACES)?,
            appid: c.text(1)?,
            mchid: c.text(2)?,
            sub_mchid: c.text(3)?,
            device_info: c.text(4)?,
            transaction_id: c.text(5)?,
            out_trade_no: c.text(6)?,
            openid: c.text(7)?,
            trade_type: c.text(8)?,
            trade_state: c.text(9)?,
            bank_type: c.text(10)?,
            currency: c.text(11)?,
            refund_id: c.opt_text(16),
            out_refund_no: c.opt_text(17),
            refund_type: c.opt_text(20),
            refund_status: c.opt_text(21),
            description: c.text(22)?,
            attach: c.text(23)?,
            fee_rate: c.text(25)?,
            fee_rate_note: c.opt_text(28),
            extra: c.into_extra(),
        })
    }

    fn summary(c: Cells<'_>) -> Result<TradeBillSummary, BillError> {
        Ok(TradeBillSummary {
            total_count: c.count(0)?,
            settlement_total: c.amount(1, YUAN_PLACES)?,
            refund_total: c.amount(2, YUAN_PLACES)?,
            recharge_coupon_refund_total: c.amount(3, YUAN_PLACES)?,
            fee_total: c.amount(4, FEE_PLACES)?,
            order_total: c.opt_amount(5, YUAN_PLACES)?,
            refund_requested_total: c.opt_amount(6, YUAN_PLACES)?,
            extra: c.into_extra(),
        })
    }

    fn count(summary: &TradeBillSummary) -> u64 {
        summary.total_count
    }
}

/// A trade bill (交易账单), read one [`TradeBillRow`] at a time from any [`Read`], then its
/// [`TradeBillSummary`]: the file of `GET /v3/bill/tradebill`'s `download_url` (APIv3), or the
/// answer of `POST /pay/downloadbill` (APIv2), decompressed when it was asked for as `GZIP`.
///
/// Columns are matched by their header names, so one row type reads every `bill_type`
/// (`ALL`, `SUCCESS`, `REFUND`, `RECHARGE_REFUND`). The iterator yields rows until the summary,
/// which it checks (its count of rows must be the rows read, and nothing may follow it) and keeps
/// for [`TradeBill::summary`]; a file that ends before the summary ends with a
/// [`MissingSummary`](super::BillErrorKind::MissingSummary) error. The first error ends the
/// iteration. Memory stays bounded by the longest line (at most `max_line_bytes`), whatever
/// the size of the bill.
///
/// ```
/// use sdk_runtime::wechatpay::bill::TradeBill;
/// let csv = "\u{feff}交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\r\n\
///     `2024-11-20 09:30:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000000202411200000000001,`T1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`12.50,`0.00,`Coffee,`,`0.08000,`0.60%,`12.50,`\r\n\
///     总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n\
///     `1,`12.50,`0.00,`0.00,`0.08000,`12.50,`0.00\r\n";
/// let mut bill = TradeBill::new(csv.as_bytes())?;
/// let mut total = 0;
/// for row in &mut bill {
///     total += sdk_runtime::wechatpay::bill::yuan_to_fen(row?.settlement_total)?;
/// }
/// assert_eq!(total, 1250); // fen
/// assert_eq!(bill.summary().map(|s| s.total_count), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TradeBill<R> {
    inner: BillReader<R, Trade>,
}

impl<R: Read> TradeBill<R> {
    /// Reads the header line of the bill in `reader` (lines up to
    /// [`DEFAULT_MAX_LINE_BYTES`]). `reader` need not be buffered.
    ///
    /// # Errors
    /// [`BillError`] when the header cannot be read or lacks a column every trade bill has.
    pub fn new(reader: R) -> Result<Self, BillError> {
        Self::with_max_line_bytes(reader, DEFAULT_MAX_LINE_BYTES)
    }

    /// [`TradeBill::new`] with another limit on the length of a line, in bytes: a longer line is
    /// a [`LineTooLong`](super::BillErrorKind::LineTooLong) error.
    ///
    /// # Errors
    /// As [`TradeBill::new`].
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

    /// The summary, once the iterator has returned `None` after reading it (`None` before, or
    /// after an error).
    pub fn summary(&self) -> Option<&TradeBillSummary> {
        self.inner.summary()
    }

    /// Every remaining row, then the summary: the whole bill in memory (for small bills; iterate
    /// for large ones).
    ///
    /// # Errors
    /// The first [`BillError`].
    pub fn read_all(self) -> Result<(Vec<TradeBillRow>, TradeBillSummary), BillError> {
        self.inner.read_all()
    }
}

impl TradeBill<BillFile> {
    /// Opens the bill file at `path`, plain or gzip-compressed (told apart by its first bytes),
    /// e.g. one a [`Download`](crate::wechatpay::Download) was written to.
    ///
    /// # Errors
    /// [`Io`](super::BillErrorKind::Io) if the file cannot be opened, else as [`TradeBill::new`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BillError> {
        Self::new(BillFile::open(path.as_ref())?)
    }
}

impl<R: Read> Iterator for TradeBill<R> {
    type Item = Result<TradeBillRow, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next_row()
    }
}

impl<R: Read> std::iter::FusedIterator for TradeBill<R> {}

impl<R> std::fmt::Debug for TradeBill<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TradeBill").finish_non_exhaustive()
    }
}
