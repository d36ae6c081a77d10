//! Unit tests of bill reading: the line limit, files plain or gzip, fen.

use std::io::{self, Read, Write as _};

use super::tests::{ALL_HEADER, ALL_PAYMENT, all_bill, dec, first_error};
use super::*;

/// A reader of one endless line: only a bounded reader gets past it.
struct Endless;

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        buf.fill(b'x');
        Ok(buf.len())
    }
}

#[test]
fn a_line_over_the_limit_is_an_error_not_memory() {
    let head = format!("{ALL_HEADER}\r\n{ALL_PAYMENT}\r\n`");
    let e = first_error(TradeBill::new(head.as_bytes().chain(Endless)).unwrap());
    assert_eq!(
        (e.kind(), e.line()),
        (
            &BillErrorKind::LineTooLong {
                limit: DEFAULT_MAX_LINE_BYTES
            },
            Some(3)
        )
    );
    let e = TradeBill::with_max_line_bytes(Endless, 4096).unwrap_err();
    assert_eq!(
        (e.kind(), e.line()),
        (&BillErrorKind::LineTooLong { limit: 4096 }, Some(1))
    );
    // A limit that fits every line reads the bill.
    let longest = ALL_HEADER.len().max(ALL_PAYMENT.len()) + 3;
    assert_eq!(
        TradeBill::with_max_line_bytes(&all_bill()[..], longest)
            .unwrap()
            .count(),
        2
    );
    // The header line with its byte order mark is 3 bytes longer than its text.
    let e = TradeBill::with_max_line_bytes(&all_bill()[..], ALL_HEADER.len() + 2).unwrap_err();
    assert_eq!(e.line(), Some(1));
}

#[test]
fn files_plain_or_gzip_open_alike() {
    let dir = std::env::temp_dir().join(format!("sdk-runtime-bill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("trade.csv");
    std::fs::write(&plain, all_bill()).unwrap();
    let gz = dir.join("trade.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&all_bill()).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    for path in [&plain, &gz] {
        let bill = TradeBill::open(path).unwrap();
        let (rows, summary) = bill.read_all().unwrap();
        assert_eq!((rows.len(), summary.total_count), (2, 2), "{}", path.display());
    }
    assert!(BillFile::open(&gz).unwrap().is_gzip());
    let e = TradeBill::open(dir.join("missing.csv")).unwrap_err();
    assert!(matches!(e.kind(), BillErrorKind::Io) && std::error::Error::source(&e).is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn yuan_convert_to_fen_exactly_or_not_at_all() {
    for (yuan, fen) in [
        ("0.01", 1),
        ("12.50", 1250),
        ("12.5", 1250),
        ("-3", -300),
        ("0.04000", 4),
        ("0", 0),
    ] {
        assert_eq!(yuan_to_fen(dec(yuan)), Ok(fen), "{yuan}");
    }
    assert_eq!(yuan_to_fen(dec("0.00300")), Err(FenError::NotWholeFen));
    assert_eq!(yuan_to_fen(dec("0.001")), Err(FenError::NotWholeFen));
    assert_eq!(
        yuan_to_fen(dec("92233720368547758.08")),
        Err(FenError::OutOfRange)
    );
    assert_eq!(yuan_to_fen(dec("92233720368547758.07")), Ok(i64::MAX));
}

#[test]
fn a_bill_without_rows_has_its_summary_and_rows_serialize_as_json() {
    let titles =
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
    let empty = format!("\u{feff}{ALL_HEADER}\r\n{titles}\r\n`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\r\n");
    let (rows, summary) = TradeBill::new(empty.as_bytes()).unwrap().read_all().unwrap();
    assert!(rows.is_empty());
    assert_eq!(summary.total_count, 0);

    let (rows, _) = TradeBill::new(&all_bill()[..]).unwrap().read_all().unwrap();
    let json = serde_json::to_value(&rows[0]).unwrap();
    assert_eq!(json["trade_time"], "2024-11-20T09:30:00+08:00");
    assert_eq!(json["settlement_total"], serde_json::json!(12.5));
    assert_eq!(json["refund_apply_time"], serde_json::Value::Null);
}

#[test]
fn a_long_run_of_blank_lines_is_counted_without_being_kept() {
    let bad = ALL_PAYMENT.replacen("`12.50,", "`x,", 1);
    let blanks = "\r\n".repeat(200_000);
    let text = format!("\u{feff}{ALL_HEADER}\r\n{blanks}{bad}\r\n");
    let e = first_error(TradeBill::new(text.as_bytes()).unwrap());
    assert_eq!(e.line(), Some(200_002));
}
