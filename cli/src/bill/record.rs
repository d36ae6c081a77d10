//! Rows and summaries of both bills as [`Record`]s: their values in the order of a list of field
//! names (the JSON keys and the CSV header of `bill parse`), amounts and times as exact text,
//! and the JSON object of a record, its keys in that order.

use sdk_runtime::wechatpay::bill::{FundFlowBillRow, FundFlowBillSummary, TradeBillRow, TradeBillSummary};
use sdk_runtime::{DateTime, Decimal};

/// One value of a row or summary.
pub(super) enum Cell {
    /// Text (amounts and times too, as exact text).
    Text(String),
    /// A count (a JSON number).
    Count(u64),
    /// Absent (`null`; empty in CSV).
    Null,
}

/// A row or a summary: its values in the order of its field names, and its unknown columns.
pub(super) struct Record {
    pub cells: Vec<Cell>,
    pub extra: Vec<(String, String)>,
}

pub(super) fn text(s: String) -> Cell {
    Cell::Text(s)
}
pub(super) fn opt_text(s: Option<String>) -> Cell {
    s.map_or(Cell::Null, Cell::Text)
}
pub(super) fn amount(d: Decimal) -> Cell {
    Cell::Text(d.to_string())
}
pub(super) fn opt_amount(d: Option<Decimal>) -> Cell {
    d.map_or(Cell::Null, amount)
}
pub(super) fn time(t: DateTime) -> Cell {
    Cell::Text(t.to_string())
}
pub(super) fn opt_time(t: Option<DateTime>) -> Cell {
    t.map_or(Cell::Null, time)
}

/// The field names of a trade bill row, in output order.
pub(super) const TRADE_FIELDS: &[&str] = &[
    "trade_time",
    "appid",
    "mchid",
    "sub_mchid",
    "device_info",
    "transaction_id",
    "out_trade_no",
    "openid",
    "trade_type",
    "trade_state",
    "bank_type",
    "currency",
    "settlement_total",
    "coupon_amount",
    "refund_apply_time",
    "refund_success_time",
    "refund_id",
    "out_refund_no",
    "refund_amount",
    "recharge_coupon_refund",
    "refund_type",
    "refund_status",
    "description",
    "attach",
    "fee",
    "fee_rate",
    "order_amount",
    "refund_requested",
    "fee_rate_note",
];

pub(super) fn trade_row(r: TradeBillRow) -> Record {
    let cells = vec![
        time(r.trade_time),
        text(r.appid),
        text(r.mchid),
        text(r.sub_mchid),
        text(r.device_info),
        text(r.transaction_id),
        text(r.out_trade_no),
        text(r.openid),
        text(r.trade_type),
        text(r.trade_state),
        text(r.bank_type),
        text(r.currency),
        amount(r.settlement_total),
        amount(r.coupon_amount),
        opt_time(r.refund_apply_time),
        opt_time(r.refund_success_time),
        opt_text(r.refund_id),
        opt_text(r.out_refund_no),
        opt_amount(r.refund_amount),
        opt_amount(r.recharge_coupon_refund),
        opt_text(r.refund_type),
        opt_text(r.refund_status),
        text(r.description),
        text(r.attach),
        amount(r.fee),
        text(r.fee_rate),
        opt_amount(r.order_amount),
        opt_amount(r.refund_requested),
        opt_text(r.fee_rate_note),
    ];
    Record {
        cells,
        extra: r.extra,
    }
}

pub(super) const TRADE_SUMMARY_FIELDS: &[&str] = &[
    "total_count",
    "settlement_total",
    "refund_total",
    "recharge_coupon_refund_total",
    "fee_total",
    "order_total",
    "refund_requested_total",
];

pub(super) fn trade_summary(s: &TradeBillSummary) -> Record {
    let cells = vec![
        Cell::Count(s.total_count),
        amount(s.settlement_total),
        amount(s.refund_total),
        amount(s.recharge_coupon_refund_total),
        amount(s.fee_total),
        opt_amount(s.order_total),
        opt_amount(s.refund_requested_total),
    ];
    Record {
        cells,
        extra: s.extra.clone(),
    }
}

/// The field names of a fund-flow bill row, in output order.
pub(super) const FUND_FLOW_FIELDS: &[&str] = &[
    "booking_time",
    "business_id",
    "flow_id",
    "business_name",
    "business_type",
    "direction",
    "amount",
    "balance",
    "applicant",
    "remark",
    "voucher_no",
];

pub(super) fn fund_flow_row(r: FundFlowBillRow) -> Record {
    let cells = vec![
        time(r.booking_time),
        text(r.business_id),
        text(r.flow_id),
        text(r.business_name),
        text(r.business_type),
        text(r.direction),
        amount(r.amount),
        amount(r.balance),
        text(r.applicant),
        text(r.remark),
        text(r.voucher_no),
    ];
    Record {
        cells,
        extra: r.extra,
    }
}

pub(super) const FUND_FLOW_SUMMARY_FIELDS: &[&str] = &[
    "total_count",
    "income_count",
    "income_total",
    "expense_count",
    "expense_total",
];

pub(super) fn fund_flow_summary(s: &FundFlowBillSummary) -> Record {
    let cells = vec![
        Cell::Count(s.total_count),
        Cell::Count(s.income_count),
        amount(s.income_total),
        Cell::Count(s.expense_count),
        amount(s.expense_total),
    ];
    Record {
        cells,
        extra: s.extra.clone(),
    }
}

/// A JSON string.
pub(super) fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `record` as a JSON object, its keys in `names` order, then `extra`.
pub(super) fn json_object(names: &[&str], record: &Record) -> String {
    let mut out = String::from("{");
    for (name, cell) in names.iter().zip(&record.cells) {
        out.push_str(&json_string(name));
        out.push(':');
        match cell {
            Cell::Text(s) => out.push_str(&json_string(s)),
            Cell::Count(n) => out.push_str(&n.to_string()),
            Cell::Null => out.push_str("null"),
        }
        out.push(',');
    }
    out.push_str("\"extra\":{");
    let extra: Vec<String> = record
        .extra
        .iter()
        .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
        .collect();
    out.push_str(&extra.join(","));
    out.push_str("}}");
    out
}
