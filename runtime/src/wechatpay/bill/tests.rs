//! Unit tests of bill reading: layouts of each `bill_type`, malformed lines, limits, fen.

use std::str::FromStr as _;

use super::*;

pub(super) const ALL_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
pub(super) const ALL_PAYMENT: &str = "`2024-11-20 09:30:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202411200000000001,`T0001,`oUser1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`12.50,`0.00,`0,`0,`0.00,`0.00,`,`,`咖啡,`,`0.08000,`0.60%,`12.50,`0.00,`";
pub(super) const ALL_REFUND: &str = "`2024-11-20 08:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202411200000000002,`T0002,`oUser2,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300000012024112000000001,`R0002,`3.00,`0.00,`ORIGINAL,`SUCCESS,`图书,`a=1,`0.00000,`0.60%,`0.00,`3.00,`";
pub(super) const TRADE_TITLES: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

const SUCCESS_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注";
const SUCCESS_ROW: &str = "`2024-11-20 10:00:01,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202411200000000003,`T0003,`oUser3,`APP,`SUCCESS,`CMB_DEBIT,`CNY,`0.01,`0.00,`水,`,`0.00000,`0.60%,`0.01,`";

const REFUND_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const REFUND_ROW: &str = "`2024-11-19 21:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202411190000000009,`T0009,`oUser9,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`2024-11-20 11:00:00,`,`50300000012024112000000009,`R0009,`1.20,`0.00,`ORIGINAL,`PROCESSING,`面包,`,`0.00000,`0.60%,`0.00,`1.20,`";

const FUND_HEADER: &str = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号";
const FUND_INCOME: &str = "`2024-11-20 09:30:05,`4200000001202411200000000001,`1900000109202411200000000001,`交易,`交易,`收入,`12.50,`112.50,`system,`,`T0001";
const FUND_EXPENSE: &str = "`2024-11-20 11:00:02,`50300000012024112000000002,`1900000109202411200000000002,`退款,`退款,`支出,`3.00,`109.50,`1900000109API,`退款总金额3.00元;含手续费0.00元,`R0002";
const FUND_TITLES: &str = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额";

/// A bill as WeChat Pay writes it: BOM, `\r\n`, header, rows, summary titles and values.
pub(super) fn bill(header: &str, rows: &[&str], titles: &str, values: &str) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for line in std::iter::once(header)
        .chain(rows.iter().copied())
        .chain([titles, values])
    {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub(super) fn all_bill() -> Vec<u8> {
    bill(
        ALL_HEADER,
        &[ALL_PAYMENT, ALL_REFUND],
        TRADE_TITLES,
        "`2,`12.50,`3.00,`0.00,`0.08000,`12.50,`3.00",
    )
}

pub(super) fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

pub(super) fn first_error<I: Iterator<Item = Result<T, BillError>>, T>(rows: I) -> BillError {
    rows.filter_map(Result::err).next().expect("an error")
}

#[test]
fn an_all_bill_reads_payments_and_refunds_then_the_summary() {
    let content = all_bill();
    let mut reader = TradeBill::new(&content[..]).unwrap();
    assert_eq!(reader.header().len(), 27);
    assert_eq!(
        reader.header()[0],
        "交易时间",
        "the byte order mark is not part of the name"
    );
    let rows: Vec<TradeBillRow> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 2);
    let pay = &rows[0];
    assert_eq!(pay.trade_time.to_string(), "2024-11-20T09:30:00+08:00");
    assert_eq!(
        (pay.appid.as_str(), pay.out_trade_no.as_str()),
        ("wxd678efh567hg6787", "T0001")
    );
    assert_eq!(pay.device_info, "");
    assert_eq!(pay.settlement_total, dec("12.50"));
    assert_eq!(pay.fee, dec("0.08"));
    assert_eq!(pay.fee_rate, "0.60%");
    assert_eq!(pay.refund_id.as_deref(), Some("0"));
    assert_eq!(pay.refund_type, None, "an empty value is None");
    assert_eq!(pay.fee_rate_note, None);
    assert_eq!(pay.refund_apply_time, None, "no such column in an ALL bill");
    assert!(pay.extra.is_empty());
    let refund = &rows[1];
    assert_eq!(refund.trade_state, "REFUND");
    assert_eq!(refund.refund_amount, Some(dec("3.00")));
    assert_eq!(refund.refund_requested, Some(dec("3.00")));
    assert_eq!(refund.attach, "a=1");
    let summary = reader.summary().expect("read after the rows").clone();
    assert_eq!(summary.total_count, 2);
    assert_eq!(summary.fee_total, dec("0.08"));
    assert_eq!(summary.refund_requested_total, Some(dec("3")));
    assert!(reader.next().is_none(), "fused");
    assert_eq!(reader.rows_read(), 2);
}

#[test]
fn success_and_refund_bills_have_their_own_columns() {
    let success = bill(
        SUCCESS_HEADER,
        &[SUCCESS_ROW],
        TRADE_TITLES,
        "`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00",
    );
    let (rows, summary) = TradeBill::new(&success[..]).unwrap().read_all().unwrap();
    assert_eq!(rows[0].refund_id, None);
    assert_eq!(rows[0].refund_amount, None);
    assert_eq!(rows[0].order_amount, Some(dec("0.01")));
    assert_eq!(
        rows[0].refund_requested, None,
        "a SUCCESS bill has no 申请退款金额"
    );
    assert_eq!(summary.settlement_total, dec("0.01"));

    let refund = bill(
        REFUND_HEADER,
        &[REFUND_ROW],
        TRADE_TITLES,
        "`1,`0.00,`1.20,`0.00,`0.00000,`0.00,`1.20",
    );
    let (rows, _) = TradeBill::new(&refund[..]).unwrap().read_all().unwrap();
    let row = &rows[0];
    assert_eq!(
        row.refund_apply_time.map(|t| t.to_string()).as_deref(),
        Some("2024-11-20T11:00:00+08:00")
    );
    assert_eq!(
        row.refund_success_time, None,
        "a refund in progress has no success time"
    );
    assert_eq!(row.refund_status.as_deref(), Some("PROCESSING"));
    assert_eq!(row.out_refund_no.as_deref(), Some("R0009"));
}

#[test]
fn a_fund_flow_bill_reads_with_either_parentheses() {
    let content = bill(
        FUND_HEADER,
        &[FUND_INCOME, FUND_EXPENSE],
        FUND_TITLES,
        "`2.0,`1.0,`12.50,`1.0,`3.00",
    );
    let (rows, summary) = FundFlowBill::new(&content[..]).unwrap().read_all().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].is_income());
    assert_eq!(rows[0].signed_amount(), Some(dec("12.50")));
    assert_eq!(rows[1].signed_amount(), Some(dec("-3.00")));
    assert_eq!(rows[1].remark, "退款总金额3.00元;含手续费0.00元");
    assert_eq!(rows[1].balance, dec("109.50"));
    assert_eq!(
        (summary.total_count, summary.income_count, summary.expense_count),
        (2, 1, 1)
    );
    assert_eq!(summary.expense_total, dec("3"));

    let ascii = String::from_utf8(content)
        .unwrap()
        .replace('（', "(")
        .replace('）', ")");
    assert_eq!(FundFlowBill::new(ascii.as_bytes()).unwrap().count(), 2);
}

#[test]
fn bare_line_feeds_no_bom_and_unknown_columns_are_read() {
    let header = format!("{SUCCESS_HEADER},新列");
    let row = format!("{SUCCESS_ROW},`值");
    let text =
        format!("{header}\n{row}\n{TRADE_TITLES},新汇总\n`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00,`9\n");
    let (rows, summary) = TradeBill::new(text.as_bytes()).unwrap().read_all().unwrap();
    assert_eq!(rows[0].extra, [("新列".to_owned(), "值".to_owned())]);
    assert_eq!(summary.extra, [("新汇总".to_owned(), "9".to_owned())]);
}

#[test]
fn a_comma_inside_a_value_is_kept() {
    let row = SUCCESS_ROW.replace("`水,", "`水, 矿泉,");
    let text = bill(
        SUCCESS_HEADER,
        &[&row],
        TRADE_TITLES,
        "`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00",
    );
    let (rows, _) = TradeBill::new(&text[..]).unwrap().read_all().unwrap();
    assert_eq!(rows[0].description, "水, 矿泉");
    assert_eq!(rows[0].fee_rate, "0.60%");
}

#[test]
fn a_row_with_missing_values_names_its_line_never_a_value() {
    let short = ALL_PAYMENT.rsplitn(3, ',').nth(2).unwrap();
    let text = bill(
        ALL_HEADER,
        &[ALL_REFUND, short],
        TRADE_TITLES,
        "`2,`0,`0,`0,`0,`0,`0",
    );
    let e = first_error(TradeBill::new(&text[..]).unwrap());
    assert_eq!(e.line(), Some(3));
    assert_eq!(
        e.kind(),
        &BillErrorKind::ColumnCount {
            expected: 27,
            found: 25
        }
    );
    assert_eq!(
        e.to_string(),
        "bill line 3: 25 values where the header line has 27 columns"
    );
}

#[test]
fn an_amount_with_three_places_or_not_a_number_names_line_and_column() {
    for bad in ["12.505", "12,50", "abc", "1e3", "+1.00", " ", "12.", ".5", "--1"] {
        let row = ALL_PAYMENT.replacen("`12.50,", &format!("`{bad},"), 1);
        let text = bill(
            ALL_HEADER,
            &[ALL_REFUND, &row],
            TRADE_TITLES,
            "`2,`0,`0,`0,`0,`0,`0",
        );
        let e = first_error(TradeBill::new(&text[..]).unwrap());
        assert_eq!(e.line(), Some(3), "{bad}: {e}");
        assert_eq!(e.column(), Some("应结订单金额"), "{bad}");
        assert_eq!(e.kind(), &BillErrorKind::InvalidAmount { max_places: 2 }, "{bad}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("T0001") && !shown.contains("oUser1"), "{shown}");
    }
    // Fees have up to 5 places, not 6.
    let row = ALL_PAYMENT.replace("`0.08000,", "`0.080001,");
    let text = bill(ALL_HEADER, &[&row], TRADE_TITLES, "`1,`0,`0,`0,`0,`0,`0");
    let e = first_error(TradeBill::new(&text[..]).unwrap());
    assert_eq!(
        (e.column(), e.kind()),
        (Some("手续费"), &BillErrorKind::InvalidAmount { max_places: 5 })
    );
}

#[test]
fn bad_times_counts_and_missing_columns_are_errors() {
    let row = ALL_PAYMENT.replace("2024-11-20 09:30:00", "2024-11-20T09:30:00");
    let text = bill(ALL_HEADER, &[&row], TRADE_TITLES, "`1,`0,`0,`0,`0,`0,`0");
    let e = first_error(TradeBill::new(&text[..]).unwrap());
    assert_eq!(
        (e.line(), e.column(), e.kind()),
        (Some(2), Some("交易时间"), &BillErrorKind::InvalidTime)
    );

    let text = bill(ALL_HEADER, &[ALL_PAYMENT], TRADE_TITLES, "`1.5,`0,`0,`0,`0,`0,`0");
    let e = first_error(TradeBill::new(&text[..]).unwrap());
    assert_eq!(
        (e.line(), e.column(), e.kind()),
        (Some(4), Some("总交易单数"), &BillErrorKind::InvalidCount)
    );

    let header = ALL_HEADER.replace("商户订单号,", "");
    let e = TradeBill::new(&bill(&header, &[], TRADE_TITLES, "`0,`0,`0,`0,`0")[..]).unwrap_err();
    assert_eq!(
        (e.line(), e.column(), e.kind()),
        (Some(1), Some("商户订单号"), &BillErrorKind::MissingColumn)
    );

    let header = ALL_HEADER.replace("费率备注", "商户订单号");
    let e = TradeBill::new(&bill(&header, &[], TRADE_TITLES, "`0,`0,`0,`0,`0")[..]).unwrap_err();
    assert_eq!(e.kind(), &BillErrorKind::DuplicateColumn);

    let e = TradeBill::new(&b""[..]).unwrap_err();
    assert_eq!(e.kind(), &BillErrorKind::MissingHeader);
    // A fund-flow bill is not a trade bill.
    let e = TradeBill::new(&bill(FUND_HEADER, &[], FUND_TITLES, "`0,`0,`0,`0,`0")[..]).unwrap_err();
    assert_eq!(e.kind(), &BillErrorKind::MissingColumn);
}

#[test]
fn a_truncated_bill_a_wrong_count_and_trailing_lines_are_errors() {
    let whole = all_bill();
    let text = String::from_utf8(whole.clone()).unwrap();
    // Cut before the summary, or between its two lines.
    let titles = text.find("总交易单数").unwrap();
    for cut in [titles, titles + TRADE_TITLES.len() + 2] {
        let e = first_error(TradeBill::new(&whole[..cut]).unwrap());
        assert_eq!(
            (e.kind(), e.line()),
            (&BillErrorKind::MissingSummary, None),
            "{e}"
        );
    }
    // Cut inside a row.
    let row = text.find("T0002").unwrap();
    let e = first_error(TradeBill::new(&whole[..row]).unwrap());
    assert_eq!(
        (e.line(), e.kind()),
        (
            Some(3),
            &BillErrorKind::ColumnCount {
                expected: 27,
                found: 7
            }
        )
    );

    let text = bill(ALL_HEADER, &[ALL_PAYMENT], TRADE_TITLES, "`2,`0,`0,`0,`0,`0,`0");
    let e = first_error(TradeBill::new(&text[..]).unwrap());
    assert_eq!(e.kind(), &BillErrorKind::CountMismatch { summary: 2, rows: 1 });
    assert_eq!(e.line(), Some(4));

    let mut text = all_bill();
    text.extend_from_slice(ALL_PAYMENT.as_bytes());
    let mut reader = TradeBill::new(&text[..]).unwrap();
    let e = first_error(reader.by_ref());
    assert_eq!((e.kind(), e.line()), (&BillErrorKind::TrailingLine, Some(6)));
    assert!(reader.summary().is_none());
    assert!(reader.next().is_none(), "over after an error");
}

#[test]
fn invalid_utf8_names_line_and_column() {
    let mut text = all_bill();
    let at = text.windows(5).position(|w| w == b"T0001").unwrap();
    text[at] = 0xff;
    let e = first_error(TradeBill::new(&text[..]).unwrap());
    assert_eq!(
        (e.kind(), e.line(), e.column()),
        (&BillErrorKind::NotUtf8, Some(2), Some("商户订单号"))
    );
}

#[test]
fn line_numbers_count_every_line_whatever_the_line_ends() {
    let bad = ALL_PAYMENT.replacen("`12.50,", "`x,", 1);
    for (end, blank) in [("\r\n", ""), ("\n", ""), ("\r\n", "\r\n"), ("\n", "\n")] {
        // header, row, [blank line], bad row: the bad row is line 3, or 4 after a blank line.
        let text = format!("\u{feff}{ALL_HEADER}{end}{ALL_REFUND}{end}{blank}{bad}{end}");
        let e = first_error(TradeBill::new(text.as_bytes()).unwrap());
        let expected = if blank.is_empty() { 3 } else { 4 };
        assert_eq!(e.line(), Some(expected), "{end:?} {blank:?}: {e}");
    }
}

#[test]
fn a_bill_error_converts_into_a_decode_error_naming_line_and_column() {
    use std::error::Error as _;
    let row = ALL_PAYMENT.replacen("`12.50,", "`12.505,", 1);
    let text = bill(
        ALL_HEADER,
        &[ALL_REFUND, &row],
        TRADE_TITLES,
        "`2,`0,`0,`0,`0,`0,`0",
    );
    let e = crate::Error::from(first_error(TradeBill::new(&text[..]).unwrap()));
    assert_eq!(e.kind(), crate::ErrorKind::Decode);
    assert_eq!(
        e.to_string(),
        "the bill is not the expected CSV at line 3, column `应结订单金额`"
    );
    let source = e
        .source()
        .and_then(|s| s.downcast_ref::<BillError>())
        .expect("the BillError");
    assert_eq!(
        (source.kind(), source.line(), source.column()),
        (
            &BillErrorKind::InvalidAmount { max_places: 2 },
            Some(3),
            Some("应结订单金额")
        )
    );
    let shown = format!("{e} {e:?} {source}");
    assert!(!shown.contains("12.505") && !shown.contains("T0001"), "{shown}");
    assert_eq!((e.status(), e.request_id(), e.operation()), (None, None, None));

    // No column: the line only.
    let short = ALL_PAYMENT.rsplitn(3, ',').nth(2).unwrap();
    let text = bill(ALL_HEADER, &[short], TRADE_TITLES, "`1,`0,`0,`0,`0,`0,`0");
    let e = crate::Error::from(first_error(TradeBill::new(&text[..]).unwrap()));
    assert_eq!(e.kind(), crate::ErrorKind::Decode);
    assert_eq!(e.to_string(), "the bill is not the expected CSV at line 2");
}

#[test]
fn a_bill_that_cannot_be_read_is_an_io_error_a_broken_gzip_a_decode_error() {
    use std::error::Error as _;
    use std::io::Write as _;
    let dir = std::env::temp_dir().join(format!("sdk-runtime-bill-error-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let missing = crate::Error::from(TradeBill::open(dir.join("missing.csv")).unwrap_err());
    assert_eq!(missing.kind(), crate::ErrorKind::Io);
    assert_eq!(missing.to_string(), "cannot read the bill");
    assert!(missing.source().is_some_and(|s| s.is::<BillError>()));

    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&all_bill()).unwrap();
    let gz = encoder.finish().unwrap();
    let truncated = dir.join("truncated.csv.gz");
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let read = TradeBill::open(&truncated).and_then(|bill| bill.read_all());
    let e = crate::Error::from(read.unwrap_err());
    assert_eq!(e.kind(), crate::ErrorKind::Decode, "{e}: {:?}", e.source());
    assert!(
        e.to_string().starts_with("the bill is not the expected CSV"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
