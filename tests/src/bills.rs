//! Realistic WeChat Pay bills, written by the mock itself (not by the runtime it tests): the trade
//! bill of each `bill_type` and the fund-flow bill of each `account_type`, as WeChat Pay writes
//! them, deterministic for a kind and a date.
//!
//! The layout (UTF-8 with a byte order mark, `\r\n` line ends, a plain header line of Chinese
//! column names, one line per row with every value after a backtick, then the summary's title
//! line and its backticked values; amounts in yuan with 2 decimal places, fees with 5) follows
//! the bills the official SDKs test with (a downloaded `ALL` bill in the Node SDK's fixtures,
//! `ALL`/`SUCCESS`/`REFUND` and fund-flow samples in the Go SDK's tests) and the APIv2 pages
//! (<https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_6>, `chapter=9_18`).
//!
//! - APIv3 bills ([`v3_bill`]) are exactly [`DOWNLOAD_LEN`] bytes (rows until the next would not
//!   fit, then the merchant data of the first rows lengthened to fill it), so every download body
//!   of the mock keeps one size; their fund-flow columns are written `收支金额(元)`.
//! - APIv2 bills ([`v2_bill`]) have a dozen rows and the request's `appid` and `mch_id`; their
//!   fund-flow columns are written `收支金额（元）`, as the APIv2 page does.
//! - A `RECHARGE_REFUND` bill has the columns of a `REFUND` bill (its refunds come from recharge
//!   coupons).

use std::fmt::Write as _;

mod rows;

use crate::download::DOWNLOAD_LEN;

/// The bill date of [`default_bill`], the date of the README's bill example.
pub const SAMPLE_BILL_DATE: &str = "2024-11-20";

/// The `appid` of the mock's APIv3 bills.
pub const BILL_APPID: &str = "wxd678efh567hg6787";

/// The prefix of the download tokens that name a bill ([`bill_token`]).
const TOKEN_PREFIX: &str = "mockbill";

/// A trade bill's `bill_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TradeBillType {
    /// `ALL`: payments and refunds.
    All,
    /// `SUCCESS`: payments only, no refund columns.
    Success,
    /// `REFUND`: refunds, with their apply and success times.
    Refund,
    /// `RECHARGE_REFUND`: refunds of recharge coupons (the `REFUND` columns).
    RechargeRefund,
}

impl TradeBillType {
    /// Every type.
    pub const ALL: [TradeBillType; 4] = [Self::All, Self::Success, Self::Refund, Self::RechargeRefund];

    /// The `bill_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "ALL",
            Self::Success => "SUCCESS",
            Self::Refund => "REFUND",
            Self::RechargeRefund => "RECHARGE_REFUND",
        }
    }

    /// From a `bill_type` value (case-insensitive).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(value))
    }
}

/// A fund-flow bill's `account_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// `BASIC` (APIv2 `Basic`): payments, refunds, fees.
    Basic,
    /// `OPERATION`: top-ups and payouts.
    Operation,
    /// `FEES`: top-ups and fee deductions.
    Fees,
}

impl AccountType {
    /// Every type.
    pub const ALL: [AccountType; 3] = [Self::Basic, Self::Operation, Self::Fees];

    /// The APIv3 `account_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "BASIC",
            Self::Operation => "OPERATION",
            Self::Fees => "FEES",
        }
    }

    /// From an `account_type` value, APIv3 (`BASIC`) or APIv2 (`Basic`).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(value))
    }
}

/// Which bill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BillKind {
    /// A trade bill (交易账单).
    Trade(TradeBillType),
    /// A fund-flow bill (资金账单).
    FundFlow(AccountType),
}

/// The trade bill `ALL` of [`SAMPLE_BILL_DATE`]: what the bill download serves for a token that
/// names no bill (and so what the samples' `hash_value` is the SHA-1 of).
pub fn default_bill() -> Vec<u8> {
    v3_bill(BillKind::Trade(TradeBillType::All), SAMPLE_BILL_DATE)
}

/// The APIv3 bill of `kind` for `date` (`YYYY-MM-DD`), exactly [`DOWNLOAD_LEN`] bytes: mch
/// [`crate::TEST_MCHID`], appid [`BILL_APPID`].
pub fn v3_bill(kind: BillKind, date: &str) -> Vec<u8> {
    let date = valid_date(date).unwrap_or(SAMPLE_BILL_DATE);
    write_bill(
        kind,
        date,
        BILL_APPID,
        crate::TEST_MCHID,
        Size::Bytes(DOWNLOAD_LEN),
        false,
    )
}

/// The APIv2 bill of `kind` for `date` (`YYYYMMDD` or `YYYY-MM-DD`), a dozen rows, with the
/// request's `appid` and `mch_id`.
pub fn v2_bill(kind: BillKind, date: &str, appid: &str, mch_id: &str) -> Vec<u8> {
    let date = v2_date(date).unwrap_or_else(|| SAMPLE_BILL_DATE.to_owned());
    write_bill(kind, &date, appid, mch_id, Size::Rows(12), true)
}

/// The download token the mock's bill-apply answers carry for `kind` and `date`, e.g.
/// `mockbill.trade.ALL.20241120`.
pub fn bill_token(kind: BillKind, date: &str) -> String {
    let date = valid_date(date).unwrap_or(SAMPLE_BILL_DATE).replace('-', "");
    match kind {
        BillKind::Trade(t) => format!("{TOKEN_PREFIX}.trade.{}.{date}", t.as_str()),
        BillKind::FundFlow(a) => format!("{TOKEN_PREFIX}.fundflow.{}.{date}", a.as_str()),
    }
}

/// The bill a [`bill_token`] names, and its date (`YYYY-MM-DD`).
pub fn parse_token(token: &str) -> Option<(BillKind, String)> {
    let mut parts = token.split('.');
    let (prefix, kind, ty, date) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if prefix != TOKEN_PREFIX || parts.next().is_some() {
        return None;
    }
    let kind = match kind {
        "trade" => BillKind::Trade(TradeBillType::parse(ty)?),
        "fundflow" => BillKind::FundFlow(AccountType::parse(ty)?),
        _ => return None,
    };
    Some((kind, v2_date(date)?))
}

/// The bill a bill-apply request asks for: `GET /v3/bill/tradebill` (`bill_type`, default
/// `ALL`) or `GET /v3/bill/fundflowbill` (`account_type`, default `BASIC`), with its
/// `bill_date`. `None` for other operations.
pub fn applied_bill(path: &str, query: &[(String, String)]) -> Option<(BillKind, String)> {
    let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let kind = match path {
        "/v3/bill/tradebill" => BillKind::Trade(
            get("bill_type")
                .and_then(TradeBillType::parse)
                .unwrap_or(TradeBillType::All),
        ),
        "/v3/bill/fundflowbill" => BillKind::FundFlow(
            get("account_type")
                .and_then(AccountType::parse)
                .unwrap_or(AccountType::Basic),
        ),
        _ => return None,
    };
    let date = get("bill_date").and_then(valid_date).unwrap_or(SAMPLE_BILL_DATE);
    Some((kind, date.to_owned()))
}

/// `date` if it is `YYYY-MM-DD`.
fn valid_date(date: &str) -> Option<&str> {
    let b = date.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    ok.then_some(date)
}

/// `YYYYMMDD` or `YYYY-MM-DD` as `YYYY-MM-DD`.
fn v2_date(date: &str) -> Option<String> {
    if let Some(d) = valid_date(date) {
        return Some(d.to_owned());
    }
    (date.len() == 8 && date.bytes().all(|c| c.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..]))
}

enum Size {
    Rows(usize),
    Bytes(usize),
}

/// One row: its values, and what it adds to the summary's sums (fen, or counts).
struct Row {
    cells: Vec<String>,
    sums: [i64; 6],
}

/// A deterministic pseudo-random stream (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn new(seed: &str, row: usize) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes().chain((row as u64).to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Self(h)
    }

    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len() as u64) as usize]
    }
}

/// What every row of one bill shares.
struct Context<'a> {
    date: &'a str,
    appid: &'a str,
    mchid: &'a str,
    seed: String,
}

impl Context<'_> {
    fn compact_date(&self) -> String {
        self.date.replace('-', "")
    }

    /// `YYYY-MM-DD HH:MM:SS` at `seconds` into the bill date.
    fn time(&self, seconds: u64) -> String {
        let s = seconds % 86_400;
        format!("{} {:02}:{:02}:{:02}", self.date, s / 3600, s / 60 % 60, s % 60)
    }
}

/// Fen as yuan with 2 decimal places (`1250` → `12.50`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// Fen as yuan with the 5 decimal places of fees (`4` → `0.04000`).
pub fn fee_yuan(fen: i64) -> String {
    format!("{}000", yuan(fen))
}

fn write_bill(kind: BillKind, date: &str, appid: &str, mchid: &str, size: Size, v2: bool) -> Vec<u8> {
    let seed = format!("{kind:?}/{date}/{appid}/{mchid}");
    let cx = Context {
        date,
        appid,
        mchid,
        seed,
    };
    let (header, titles, pad_column): (Vec<&str>, &[&str], usize) = match kind {
        BillKind::Trade(t) => {
            let header = rows::header(t);
            let pad = header.iter().position(|h| *h == "商户数据包").unwrap_or(0);
            (header, rows::TITLES, pad)
        }
        BillKind::FundFlow(_) => {
            let mut header = rows::FUND_HEADER.to_vec();
            if v2 {
                header[6] = "收支金额（元）";
                header[7] = "账户结余（元）";
            }
            (header, rows::FUND_TITLES, 9)
        }
    };
    let mut balance: i64 = 1_000_000;
    let mut make = |i: usize| match kind {
        BillKind::Trade(t) => rows::trade_row(&cx, t, i),
        BillKind::FundFlow(a) => rows::fund_row(&cx, a, i, &mut balance),
    };
    let header_line = format!("\u{feff}{}\r\n", header.join(","));
    let mut rows: Vec<Row> = Vec::new();
    let mut sums = [0_i64; 6];
    let mut body_len = header_line.len();
    match size {
        Size::Rows(n) => {
            for i in 0..n {
                let row = make(i);
                add(&mut sums, &row.sums);
                rows.push(row);
            }
        }
        Size::Bytes(target) => {
            for i in 0.. {
                let row = make(i);
                let mut next = sums;
                add(&mut next, &row.sums);
                let len = row_line(&row.cells).len();
                if body_len + len + summary_lines(kind, titles, rows.len() + 1, &next).len() > target {
                    break;
                }
                body_len += len;
                sums = next;
                rows.push(row);
            }
            // Fill the rest with merchant data (`attach`, or a fund-flow remark), up to 64
            // characters more per row.
            let mut missing = target - body_len - summary_lines(kind, titles, rows.len(), &sums).len();
            for (i, row) in rows.iter_mut().enumerate() {
                let extra = missing.min(64);
                let cell = &mut row.cells[pad_column];
                let tag = format!("note{i:04}-");
                cell.extend(
                    tag.chars()
                        .chain("abcdefghijklmnopqrstuvwxyz0123456789".chars().cycle())
                        .take(extra),
                );
                missing -= extra;
            }
        }
    }
    let mut out = header_line;
    for row in &rows {
        out.push_str(&row_line(&row.cells));
    }
    out.push_str(&summary_lines(kind, titles, rows.len(), &sums));
    out.into_bytes()
}

fn add(sums: &mut [i64; 6], more: &[i64; 6]) {
    for (s, m) in sums.iter_mut().zip(more) {
        *s += m;
    }
}

/// A row or summary-values line: every value after a backtick, `\r\n` at the end.
fn row_line(cells: &[String]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let _ = write!(line, "{}`{cell}", if i == 0 { "" } else { "," });
    }
    line.push_str("\r\n");
    line
}

/// The summary's title line and values line.
fn summary_lines(kind: BillKind, titles: &[&str], count: usize, sums: &[i64; 6]) -> String {
    let count = count as i64;
    let values: Vec<String> = match kind {
        BillKind::Trade(_) => vec![
            count.to_string(),
            yuan(sums[0]),
            yuan(sums[1]),
            yuan(sums[2]),
            fee_yuan(sums[3]),
            yuan(sums[4]),
            yuan(sums[5]),
        ],
        BillKind::FundFlow(_) => vec![
            count.to_string(),
            sums[0].to_string(),
            yuan(sums[1]),
            sums[2].to_string(),
            yuan(sums[3]),
        ],
    };
    format!("{}\r\n{}", titles.join(","), row_line(&values))
}

#[cfg(test)]
mod tests;
