//! Downloaded bills as data: a trade bill ([`TradeBill`]) or a fund-flow bill
//! ([`FundFlowBill`]) read as typed rows, one at a time, then its summary.
//!
//! # The file
//!
//! WeChat Pay writes both bills (APIv3 `GET /v3/bill/tradebill` and `GET /v3/bill/fundflowbill`,
//! then their `download_url`; APIv2 `POST /pay/downloadbill` and `POST /pay/downloadfundflow`)
//! the same way:
//! - UTF-8 text starting with a byte order mark, lines ending in `\r\n` (a bare `\n` is read too);
//! - a header line of Chinese column names, plain: `交易时间,公众账号ID,…`;
//! - one line per row, each value written after a backtick: `` `2024-11-20 09:30:00,`wx…,`0.01 ``
//!   (the backtick keeps spreadsheets from reading ids as numbers; it is removed here);
//! - then the summary: a title line (`总交易单数,应结订单总金额,…` or `资金流水总笔数,收入笔数,…`)
//!   and a line of values, backticked too.
//!
//! The columns depend on the bill: a trade bill's on its `bill_type` (`SUCCESS` has no refund
//! columns, `REFUND` adds `退款申请时间` and `退款成功时间`), so columns are matched by their
//! header names, never by position, and a column this crate does not know is kept by name
//! (`extra`), so nothing is lost.
//!
//! Amounts are **yuan**, as WeChat Pay writes them (`0.01`, at most 2 decimal places; fees with
//! up to 5: `0.04000`), read as exact [`Decimal`]s, never floats. [`yuan_to_fen`] converts one to
//! fen, the unit of the API's JSON amounts, and refuses what is not a whole number of fen. Times
//! (`2024-11-20 09:30:00`) are China Standard Time, read as [`DateTime`](crate::DateTime)s at
//! `+08:00`.
//!
//! # Download, check, then parse
//!
//! A bill can be large: stream the [`Download`](crate::wechatpay::Download) (gunzipped when it was
//! asked for with `tar_type=GZIP`, its SHA-1 checked against the bill-apply `hash_value`) to a
//! file, use the file only once the download ended with `Ok` (the hash is checked at the end),
//! then read it with [`TradeBill::open`] or [`FundFlowBill::open`] (a file saved still gzipped
//! is decompressed on the fly). A small bill may be read from memory instead:
//! `TradeBill::new(&download.bytes().await?[..])`.
//!
//! ```no_run
//! # async fn demo(
//! #     client: &sdk_runtime::wechatpay::Client,
//! #     bill: (&str, &str, &str), // download_url, hash_type, hash_value of the bill-apply answer
//! #     file: &mut (impl tokio::io::AsyncWrite + Unpin), // e.g. a tokio::fs::File at `path`
//! #     path: &std::path::Path,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_runtime::wechatpay::bill::{TradeBill, yuan_to_fen};
//! let (url, hash_type, hash_value) = bill;
//! client.download_url(url).await?.gunzip().verify_hash(hash_type, hash_value)?.write_to(file).await?;
//! let mut bill = TradeBill::open(path)?;
//! for row in &mut bill {
//!     let row = row?;
//!     println!("{} {} fen", row.out_trade_no, yuan_to_fen(row.settlement_total)?);
//! }
//! println!("{:?}", bill.summary());
//! # Ok(()) }
//! ```
//!
//! # Errors and limits
//!
//! A malformed line is a [`BillError`] naming its 1-based line and the column by its header name,
//! never the value (a bill holds personal data). A line longer than
//! [`DEFAULT_MAX_LINE_BYTES`] (or the reader's `max_line_bytes`) is an error too, found before the
//! line is held in memory: memory stays bounded however large or broken the file.
//!
//! Sources: <https://pay.weixin.qq.com/docs/merchant/apis/bill-download/trade-bill/get-trade-bill.html>,
//! <https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter7_9_2.shtml> (fund-flow bill),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_6> (APIv2 `downloadbill`) and
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_18&index=7> (APIv2
//! `downloadfundflow`).

mod cells;
mod error;
mod file;
mod fund_flow;
mod lines;
mod reader;
#[cfg(test)]
mod reading_tests;
#[cfg(test)]
mod tests;
mod trade;

use std::fmt;

use crate::Decimal;

pub use error::{BillError, BillErrorKind};
pub use file::BillFile;
pub use fund_flow::{EXPENSE, FundFlowBill, FundFlowBillRow, FundFlowBillSummary, INCOME};
pub use trade::{TradeBill, TradeBillRow, TradeBillSummary};

/// The default limit on the length of one line of a bill, in bytes (1 MiB): a real row is a few
/// hundred bytes.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;

/// Converts an amount in yuan, as a bill writes it, to fen (1 yuan = 100 fen), exactly:
/// `0.01` → `1`, `12.50` → `1250`, `-3` → `-300`.
///
/// # Errors
/// [`FenError::NotWholeFen`] if the amount has a fraction of a fen (a fee such as `0.00300`:
/// round it as your accounting requires, e.g. with
/// [`rust_decimal::Decimal::round_dp_with_strategy`], before converting);
/// [`FenError::OutOfRange`] if it does not fit an `i64`.
///
/// ```
/// use std::str::FromStr as _;
/// use sdk_runtime::{Decimal, wechatpay::bill::yuan_to_fen};
/// assert_eq!(yuan_to_fen(Decimal::from_str("12.50").unwrap()), Ok(1250));
/// assert!(yuan_to_fen(Decimal::from_str("0.00300").unwrap()).is_err());
/// ```
pub fn yuan_to_fen(yuan: Decimal) -> Result<i64, FenError> {
    use rust_decimal::prelude::ToPrimitive as _;
    let fen = yuan
        .get()
        .checked_mul(rust_decimal::Decimal::ONE_HUNDRED)
        .ok_or(FenError::OutOfRange)?;
    if !fen.fract().is_zero() {
        return Err(FenError::NotWholeFen);
    }
    fen.to_i64().ok_or(FenError::OutOfRange)
}

/// Why [`yuan_to_fen`] refused an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FenError {
    /// The amount is not a whole number of fen (more than 2 decimal places that are not zero).
    NotWholeFen,
    /// The amount in fen does not fit an `i64`.
    OutOfRange,
}

impl fmt::Display for FenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotWholeFen => "the amount is not a whole number of fen",
            Self::OutOfRange => "the amount in fen does not fit a 64-bit integer",
        })
    }
}

impl std::error::Error for FenError {}
