//! `payctl bill parse FILE [--kind trade|fund-flow|auto] [--format json|csv]`: a downloaded bill
//! (plain or gzip) read by the runtime's parser (`sdk_runtime::wechatpay::bill`), streamed out.
//!
//! - `json`: JSON Lines. One row object per line, in file order, keys the row's field names
//!   (`trade_time`, `out_trade_no`, `settlement_total`, …) plus `extra` (the columns payctl does
//!   not know, by their Chinese header name); then, last,
//!   `{"kind":"trade"|"fund-flow","rows":N,"summary":{…}}`.
//! - `csv`: a header line of the same field names (unknown columns last, by their Chinese name),
//!   one line per row, no backticks, an absent value empty; the summary line above goes to
//!   stderr as `payctl: summary {…}`.
//!
//! Amounts are the exact decimal text in yuan as WeChat Pay wrote it (`"12.50"`, fees
//! `"0.08000"`), never a float; times RFC 3339 at `+08:00`; counts are JSON numbers. Rows go out
//! as they are read, so a bill of any size streams: it is complete only once the summary is
//! out. A malformed line stops with exit 6 (exit 8 if the file cannot be read) and the runtime's
//! error, naming the line and the column, never a value.

use std::io::{self, BufRead as _, BufReader, Read as _, Write};
use std::path::Path;

use sdk_runtime::wechatpay::bill::{BillError, BillErrorKind, BillFile, FundFlowBill, TradeBill};

use crate::cli::{BillFormat, BillKind, BillParseArgs, ParseKind};
use crate::exit::{Failure, Kind, Outcome, chain};

use super::record::{
    Cell, FUND_FLOW_FIELDS, FUND_FLOW_SUMMARY_FIELDS, Record, TRADE_FIELDS, TRADE_SUMMARY_FIELDS,
    fund_flow_row, fund_flow_summary, json_object, json_string, trade_row, trade_summary,
};

/// Where rows go.
enum Output<W: Write> {
    /// JSON Lines.
    Json(io::BufWriter<W>),
    /// CSV; the header is written with the first row (or at the end, for a bill without rows).
    Csv {
        writer: Box<csv::Writer<W>>,
        header: bool,
    },
}

impl<W: Write> Output<W> {
    fn new(format: BillFormat, out: W) -> Self {
        match format {
            BillFormat::Json => Output::Json(io::BufWriter::new(out)),
            BillFormat::Csv => Output::Csv {
                writer: Box::new(csv::Writer::from_writer(out)),
                header: false,
            },
        }
    }

    fn csv_header(writer: &mut csv::Writer<W>, names: &[&str], extra: &[(String, String)]) -> io::Result<()> {
        let extra = extra.iter().map(|(k, _)| k.as_str());
        writer
            .write_record(names.iter().copied().chain(extra))
            .map_err(csv_io)
    }

    fn row(&mut self, names: &[&str], record: &Record) -> io::Result<()> {
        match self {
            Output::Json(out) => writeln!(out, "{}", json_object(names, record)),
            Output::Csv { writer, header } => {
                if !*header {
                    Self::csv_header(writer, names, &record.extra)?;
                    *header = true;
                }
                let cells = record.cells.iter().map(|cell| match cell {
                    Cell::Text(s) => s.clone(),
                    Cell::Count(n) => n.to_string(),
                    Cell::Null => String::new(),
                });
                let extra = record.extra.iter().map(|(_, v)| v.clone());
                writer.write_record(cells.chain(extra)).map_err(csv_io)
            }
        }
    }

    /// Writes the summary line (stdout for JSON, stderr for CSV) and flushes.
    fn finish(
        &mut self,
        kind: BillKind,
        rows: u64,
        names: &[&str],
        row_names: &[&str],
        summary: &Record,
    ) -> io::Result<()> {
        let line = format!(
            "{{\"kind\":{},\"rows\":{rows},\"summary\":{}}}",
            json_string(kind.name()),
            json_object(names, summary)
        );
        match self {
            Output::Json(out) => {
                writeln!(out, "{line}")?;
                out.flush()
            }
            Output::Csv { writer, header } => {
                if !*header {
                    Self::csv_header(writer, row_names, &[])?;
                }
                writer.flush()?;
                eprintln!("payctl: summary {line}");
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Json(out) => out.flush(),
            Output::Csv { writer, .. } => writer.flush(),
        }
    }
}

/// A CSV writer's error as the I/O error it is (so a closed pipe is seen as one).
fn csv_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A bill error as a failure: exit 8 when the file cannot be read, else exit 6.
fn bill_failure(path: &Path, error: &BillError) -> Failure {
    let kind = match error.kind() {
        BillErrorKind::Io => Kind::Io,
        _ => Kind::Decode,
    };
    Failure::new(kind, format!("{}: {}", path.display(), chain(error)))
}

/// A write failure: `Ok` when the reader went away (`payctl bill parse … | head`).
fn written(result: io::Result<()>) -> Outcome<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::io("writing the output", e)),
    }
}

/// The kind of the bill at `path`, from the first column of its header line.
fn detect(path: &Path) -> Outcome<BillKind> {
    let file = BillFile::open(path).map_err(|e| bill_failure(path, &e))?;
    let mut line = Vec::new();
    BufReader::new(file.take(64 * 1024))
        .read_until(b'\n', &mut line)
        .map_err(|e| Failure::io(format!("reading {}", path.display()), e))?;
    let line = String::from_utf8_lossy(&line);
    let first = line
        .trim_start_matches('\u{feff}')
        .split(',')
        .next()
        .unwrap_or_default();
    match first.trim().trim_matches(['`', '"']) {
        "交易时间" => Ok(BillKind::Trade),
        "记账时间" => Ok(BillKind::FundFlow),
        _ => Err(Failure::new(
            Kind::Decode,
            format!(
                "{}: bill line 1: the header's first column is neither 交易时间 (a trade bill) nor 记账时间 \
                 (a fund-flow bill); give --kind if it is one",
                path.display()
            ),
        )),
    }
}

/// Streams the rows of `bill` to `out`; the rows read, or `None` if the reader went away.
fn rows<R, W: Write>(
    path: &Path,
    bill: &mut impl Iterator<Item = Result<R, BillError>>,
    convert: fn(R) -> Record,
    names: &[&str],
    out: &mut Output<W>,
) -> Outcome<Option<u64>> {
    let mut count = 0;
    for row in bill {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let _ = out.flush();
                return Err(bill_failure(path, &e));
            }
        };
        if !written(out.row(names, &convert(row)))? {
            return Ok(None);
        }
        count += 1;
    }
    Ok(Some(count))
}

/// Runs `bill parse`.
pub fn run(args: &BillParseArgs) -> Outcome {
    let path = args.file.as_path();
    let kind = match args.kind {
        ParseKind::Auto => detect(path)?,
        ParseKind::Trade => BillKind::Trade,
        ParseKind::FundFlow => BillKind::FundFlow,
    };
    let failed = |e: BillError| bill_failure(path, &e);
    let mut out = Output::new(args.format, io::stdout().lock());
    let missing = || {
        Failure::new(
            Kind::Decode,
            format!("{}: the bill has no summary", path.display()),
        )
    };
    let finished = match kind {
        BillKind::Trade => {
            let mut bill = TradeBill::open(path).map_err(failed)?;
            let Some(count) = rows(path, &mut bill, trade_row, TRADE_FIELDS, &mut out)? else {
                return Ok(());
            };
            let summary = trade_summary(bill.summary().ok_or_else(missing)?);
            out.finish(kind, count, TRADE_SUMMARY_FIELDS, TRADE_FIELDS, &summary)
        }
        BillKind::FundFlow => {
            let mut bill = FundFlowBill::open(path).map_err(failed)?;
            let Some(count) = rows(path, &mut bill, fund_flow_row, FUND_FLOW_FIELDS, &mut out)? else {
                return Ok(());
            };
            let summary = fund_flow_summary(bill.summary().ok_or_else(missing)?);
            out.finish(kind, count, FUND_FLOW_SUMMARY_FIELDS, FUND_FLOW_FIELDS, &summary)
        }
    };
    written(finished).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRADE: &str = "\u{feff}交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注,新列\r\n\
        `2024-11-20 09:30:00,`wx1,`1900000109,`0,`,`4200,`T\"1,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`12.50,`0.00,`Coffee,`,`0.08000,`0.60%,`12.50,`,`x\r\n\
        总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n\
        `1,`12.50,`0.00,`0.00,`0.08000,`12.50,`0.00\r\n";

    #[test]
    fn rows_keep_exact_amounts_and_unknown_columns() {
        let mut bill = TradeBill::new(TRADE.as_bytes()).unwrap();
        let record = trade_row(bill.next().unwrap().unwrap());
        assert_eq!(record.cells.len(), TRADE_FIELDS.len());
        let json: serde_json::Value = serde_json::from_str(&json_object(TRADE_FIELDS, &record)).unwrap();
        assert_eq!(json["settlement_total"], "12.50");
        assert_eq!(json["fee"], "0.08000");
        assert_eq!(json["out_trade_no"], "T\"1");
        assert_eq!(json["refund_amount"], serde_json::Value::Null);
        assert_eq!(json["trade_time"], "2024-11-20T09:30:00+08:00");
        assert_eq!(json["extra"]["新列"], "x");
        let mut csv = Output::new(BillFormat::Csv, Vec::new());
        csv.row(TRADE_FIELDS, &record).unwrap();
        let Output::Csv { writer, .. } = csv else {
            unreachable!()
        };
        let text = String::from_utf8((*writer).into_inner().unwrap()).unwrap();
        assert!(text.starts_with("trade_time,appid,"), "{text}");
        assert!(text.contains(",新列\n") && !text.contains('`'), "{text}");
        assert!(text.contains(",12.50,0.00,,,,,,,,,Coffee,,0.08000,"), "{text}");
    }

    #[test]
    fn summaries_have_every_field() {
        let mut bill = TradeBill::new(TRADE.as_bytes()).unwrap();
        for row in &mut bill {
            row.unwrap();
        }
        let summary = trade_summary(bill.summary().unwrap());
        assert_eq!(summary.cells.len(), TRADE_SUMMARY_FIELDS.len());
        let json: serde_json::Value =
            serde_json::from_str(&json_object(TRADE_SUMMARY_FIELDS, &summary)).unwrap();
        assert_eq!(json["total_count"], 1);
        assert_eq!(json["fee_total"], "0.08000");
        assert_eq!(FUND_FLOW_SUMMARY_FIELDS.len(), 5);
    }
}
