//! Bills as data, end to end: the generated client applies for a bill (`GET /v3/bill/tradebill`
//! of each `bill_type`, `GET /v3/bill/fundflowbill` of each `account_type`), downloads its
//! `download_url` (gzip or not) checked against the SHA-1 `hash_value`, saves it, and the
//! runtime's bill reader (`runtime::wechatpay::bill`) reads it back: rows, then a summary whose
//! count and totals are the sums of the rows. Then what a broken bill gives: a failed hash check,
//! errors naming the line of a malformed row; and the APIv2 downloads of both bills.

use std::path::PathBuf;

use wechatpay_mock::bills::{self, AccountType, BillKind, TradeBillType};
use wechatpay_mock::{Fault, FaultScope, InjectFaults as _, MockServer};
use wechatpay_typed::runtime::rust_decimal::Decimal as RustDecimal;
use wechatpay_typed::runtime::wechatpay::bill::{
    BillErrorKind, FundFlowBill, FundFlowBillRow, FundFlowBillSummary, TradeBill, TradeBillRow,
    TradeBillSummary, yuan_to_fen,
};
use wechatpay_typed::v3::bill::{fundflowbill, tradebill};
use wechatpay_typed::{Client, ErrorKind};

#[allow(dead_code)] // the Wonder client is not used here
mod common;

#[path = "common/apiv2.rs"]
mod common_apiv2;

/// The bill date asked for (not the mock's default date: the date must travel).
const DATE: &str = "2024-11-18";

fn start() -> (MockServer, Client) {
    let mock = MockServer::start_default().expect("the mock starts");
    let client = common::wechat_client(&mock.credentials());
    (mock, client)
}

/// A fresh directory for the files of one test.
fn scratch(mock: &MockServer, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wechatpay-bills-{name}-{}", mock.addr().port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The `download_url`, `hash_type` and `hash_value` of a bill-apply answer.
type Applied = (String, String, String);

fn applied(answer: tradebill::GetResponse) -> Applied {
    (
        answer.download_url.expect("download_url"),
        answer.hash_type.unwrap_or_else(|| "SHA1".into()),
        answer.hash_value.expect("hash_value"),
    )
}

/// The bill's content: downloaded, gunzipped if it was asked for as gzip, its SHA-1 checked.
async fn download(client: &Client, (url, hash_type, hash_value): &Applied, gzip: bool) -> Vec<u8> {
    let mut download = client.download_url(url).await.expect("the download starts");
    if gzip {
        download = download.gunzip();
    }
    let mut content = Vec::new();
    download
        .verify_hash(hash_type, hash_value)
        .expect("SHA1")
        .write_to(&mut content)
        .await
        .expect("the bill downloads and its hash checks");
    content
}

async fn apply_trade(client: &Client, bill_type: TradeBillType, gzip: bool) -> Applied {
    let query = tradebill::GetQuery {
        bill_type: Some(tradebill::GetQueryBillType::from(bill_type.as_str().to_owned())),
        tar_type: gzip.then_some(tradebill::GetQueryTarType::Gzip),
        ..tradebill::GetQuery::new(DATE)
    };
    applied(
        tradebill::get(client, &query)
            .await
            .expect("the trade bill applies"),
    )
}

async fn apply_fund_flow(client: &Client, account: AccountType, gzip: bool) -> Applied {
    let query = fundflowbill::GetQuery {
        account_type: Some(fundflowbill::GetQueryAccountType::from(
            account.as_str().to_owned(),
        )),
        tar_type: gzip.then_some(fundflowbill::GetQueryTarType::Gzip),
        ..fundflowbill::GetQuery::new(DATE)
    };
    applied(
        fundflowbill::get(client, &query)
            .await
            .expect("the fund-flow bill applies"),
    )
}

fn sum<T>(rows: &[T], amount: impl Fn(&T) -> Option<RustDecimal>) -> RustDecimal {
    rows.iter().filter_map(amount).sum()
}

/// The summary is the rows': their count, and each total the sum of its column.
fn check_trade_totals(rows: &[TradeBillRow], summary: &TradeBillSummary) {
    assert_eq!(summary.total_count, rows.len() as u64);
    assert_eq!(
        summary.settlement_total.get(),
        sum(rows, |r| Some(r.settlement_total.get()))
    );
    assert_eq!(
        summary.refund_total.get(),
        sum(rows, |r| r.refund_amount.map(|d| d.get()))
    );
    assert_eq!(
        summary.recharge_coupon_refund_total.get(),
        sum(rows, |r| r.recharge_coupon_refund.map(|d| d.get()))
    );
    assert_eq!(summary.fee_total.get(), sum(rows, |r| Some(r.fee.get())));
    let order_total = summary.order_total.expect("订单总金额").get();
    assert_eq!(order_total, sum(rows, |r| r.order_amount.map(|d| d.get())));
    let requested = summary.refund_requested_total.expect("申请退款总金额").get();
    assert_eq!(requested, sum(rows, |r| r.refund_requested.map(|d| d.get())));
    // Yuan to fen, exactly: the fen of the rows add up to the fen of the total.
    let fen: i64 = rows
        .iter()
        .map(|r| yuan_to_fen(r.settlement_total).expect("whole fen"))
        .sum();
    assert_eq!(fen, yuan_to_fen(summary.settlement_total).expect("whole fen"));
    assert!(rows.iter().all(|r| r.trade_time.to_string().starts_with(DATE)));
}

#[tokio::test]
async fn trade_bills_of_every_type_download_check_and_parse() {
    let (mock, client) = start();
    let dir = scratch(&mock, "trade");
    for (i, bill_type) in TradeBillType::ALL.into_iter().enumerate() {
        let gzip = i % 2 == 0;
        let applied = apply_trade(&client, bill_type, gzip).await;
        let content = download(&client, &applied, gzip).await;
        assert_eq!(
            content,
            bills::v3_bill(BillKind::Trade(bill_type), DATE),
            "{bill_type:?}"
        );
        // Saved, then read from the file, one row at a time.
        let path = dir.join(format!("{}.csv", bill_type.as_str()));
        std::fs::write(&path, &content).unwrap();
        let mut bill = TradeBill::open(&path).expect("the header reads");
        let mut rows = Vec::new();
        for row in &mut bill {
            rows.push(row.expect("a well-formed row"));
        }
        let summary = bill.summary().expect("the summary follows the rows").clone();
        assert!(rows.len() > 100, "{bill_type:?}: {} rows", rows.len());
        check_trade_totals(&rows, &summary);
        let states = |state: &str| rows.iter().filter(|r| r.trade_state == state).count();
        match bill_type {
            TradeBillType::All => {
                assert!(states("SUCCESS") > 0 && states("REFUND") > 0);
                assert!(
                    rows.iter()
                        .all(|r| r.refund_id.is_some() && r.refund_apply_time.is_none())
                );
            }
            TradeBillType::Success => {
                assert_eq!(states("SUCCESS"), rows.len());
                assert!(
                    rows.iter()
                        .all(|r| r.refund_id.is_none() && r.refund_amount.is_none())
                );
                assert!(summary.refund_total.get().is_zero());
            }
            TradeBillType::Refund | TradeBillType::RechargeRefund => {
                assert_eq!(states("REFUND"), rows.len());
                assert!(rows.iter().all(|r| r.refund_apply_time.is_some()));
                let processing = rows.iter().filter(|r| r.refund_success_time.is_none());
                assert!(processing.clone().count() > 0);
                assert!(
                    processing
                        .into_iter()
                        .all(|r| r.refund_status.as_deref() == Some("PROCESSING"))
                );
                let recharge = !summary.recharge_coupon_refund_total.get().is_zero();
                assert_eq!(recharge, bill_type == TradeBillType::RechargeRefund);
            }
        }
    }
    // The downloads asked for the gzip file where the apply did.
    let targets: Vec<String> = mock
        .requests_to("/v3/billdownload/file")
        .into_iter()
        .map(|r| r.target)
        .collect();
    assert_eq!(targets.len(), 4);
    assert!(
        targets[0].contains("tartype=GZIP") && !targets[1].contains("tartype=GZIP"),
        "{targets:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn check_fund_flow_totals(rows: &[FundFlowBillRow], summary: &FundFlowBillSummary) {
    assert_eq!(summary.total_count, rows.len() as u64);
    let income: Vec<&FundFlowBillRow> = rows.iter().filter(|r| r.is_income()).collect();
    assert_eq!(summary.income_count, income.len() as u64);
    assert_eq!(summary.expense_count, (rows.len() - income.len()) as u64);
    assert_eq!(summary.income_total.get(), sum(&income, |r| Some(r.amount.get())));
    let expense = sum(rows, |r| (!r.is_income()).then(|| r.amount.get()));
    assert_eq!(summary.expense_total.get(), expense);
    // Each balance is the one before it, moved by the row's signed amount.
    for pair in rows.windows(2) {
        let moved = pair[1].signed_amount().expect("收入 or 支出").get();
        assert_eq!(pair[1].balance.get(), pair[0].balance.get() + moved);
    }
}

#[tokio::test]
async fn fund_flow_bills_of_every_account_type_download_check_and_parse() {
    let (mock, client) = start();
    let dir = scratch(&mock, "fundflow");
    for (i, account) in AccountType::ALL.into_iter().enumerate() {
        let gzip = i != 1;
        let applied = apply_fund_flow(&client, account, gzip).await;
        let content = download(&client, &applied, gzip).await;
        let path = dir.join(format!("{}.csv", account.as_str()));
        std::fs::write(&path, &content).unwrap();
        let (rows, summary) = FundFlowBill::open(&path)
            .unwrap()
            .read_all()
            .expect("the bill reads");
        assert!(rows.len() > 100, "{account:?}: {} rows", rows.len());
        check_fund_flow_totals(&rows, &summary);
        assert!(rows.iter().all(|r| r.booking_time.to_string().starts_with(DATE)));
        assert!(
            summary.income_count > 0 && summary.expense_count > 0,
            "{account:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_bill_saved_still_gzipped_reads_the_same() {
    let (mock, client) = start();
    let (url, hash_type, hash_value) = apply_trade(&client, TradeBillType::All, true).await;
    // Saved as it came (compressed); the hash covers the decompressed content, so it is checked
    // on a second, gunzipped download.
    let compressed = client.download_url(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(compressed[..2], [0x1f, 0x8b]);
    let plain = download(&client, &(url, hash_type, hash_value), true).await;
    let dir = scratch(&mock, "gzip");
    let path = dir.join("ALL.csv.gz");
    std::fs::write(&path, &compressed).unwrap();
    let from_gzip = TradeBill::open(&path).unwrap().read_all().unwrap();
    let from_plain = TradeBill::new(&plain[..]).unwrap().read_all().unwrap();
    assert_eq!(from_gzip, from_plain);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_tampered_bill_fails_its_hash_check() {
    let (mock, client) = start();
    let (url, hash_type, hash_value) = apply_trade(&client, TradeBillType::Success, false).await;
    // The last digit of the summary changes on the way.
    mock.set_fault_on("/v3/billdownload/file", Fault::Tamper, FaultScope::Next(1));
    let mut content = Vec::new();
    let err = client
        .download_url(&url)
        .await
        .unwrap()
        .verify_hash(&hash_type, &hash_value)
        .unwrap()
        .write_to(&mut content)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Integrity);
    // Read anyway, the bill parses but its last total (申请退款总金额, `0.00` in a SUCCESS bill)
    // no longer adds up: the hash check is what catches it.
    let (rows, summary) = TradeBill::new(&content[..]).unwrap().read_all().unwrap();
    let requested = summary.refund_requested_total.unwrap().get();
    assert_eq!(requested, RustDecimal::new(1, 2));
    assert_ne!(requested, sum(&rows, |r| r.refund_requested.map(|d| d.get())));
}

/// `content` with the `n`th line (1-based) changed by `edit`.
fn edit_line(content: &[u8], n: usize, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let text = String::from_utf8(content.to_vec()).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    lines[n - 1] = edit(&lines[n - 1]);
    lines.join("\r\n").into_bytes()
}

#[tokio::test]
async fn a_malformed_line_of_a_downloaded_bill_is_an_error_naming_it() {
    let (_mock, client) = start();
    let applied = apply_trade(&client, TradeBillType::All, true).await;
    let content = download(&client, &applied, true).await;

    // A row missing its last value.
    let short = edit_line(&content, 5, |line| line[..line.rfind(',').unwrap()].to_owned());
    let mut bill = TradeBill::new(&short[..]).unwrap();
    let errors: Vec<_> = bill.by_ref().filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1, "the first error ends the rows");
    assert_eq!(errors[0].line(), Some(5));
    assert_eq!(
        errors[0].kind(),
        &BillErrorKind::ColumnCount {
            expected: 27,
            found: 26
        }
    );
    assert_eq!(bill.rows_read(), 3);
    assert!(bill.summary().is_none());

    // An amount with 3 decimal places, then one that is not a number: line and column named,
    // the value never shown.
    for bad in ["0.015", "N/A"] {
        let broken = edit_line(&content, 7, |line| {
            let mut cells: Vec<&str> = line.split(",`").collect();
            cells[12] = bad; // 应结订单金额
            cells.join(",`")
        });
        let err = TradeBill::new(&broken[..])
            .unwrap()
            .find_map(Result::err)
            .expect("an error");
        assert_eq!(
            (err.line(), err.column()),
            (Some(7), Some("应结订单金额")),
            "{bad}"
        );
        assert_eq!(err.kind(), &BillErrorKind::InvalidAmount { max_places: 2 });
        assert!(!err.to_string().contains(bad), "{err}");
        let out_trade_no = String::from_utf8_lossy(&broken)
            .lines()
            .nth(6)
            .unwrap()
            .split(",`")
            .nth(6)
            .unwrap()
            .to_owned();
        assert!(!format!("{err} {err:?}").contains(&out_trade_no));
    }

    // A fund-flow row whose amount is not a number.
    let applied = apply_fund_flow(&client, AccountType::Basic, false).await;
    let content = download(&client, &applied, false).await;
    let broken = edit_line(&content, 3, |line| {
        line.replacen(",`收入,`", ",`收入,`x", 1)
            .replacen(",`支出,`", ",`支出,`x", 1)
    });
    let err = FundFlowBill::new(&broken[..])
        .unwrap()
        .find_map(Result::err)
        .expect("an error");
    assert_eq!((err.line(), err.column()), (Some(3), Some("收支金额(元)")));
}

#[tokio::test]
async fn apiv2_downloads_are_real_bills_of_their_type() {
    use std::io::Read as _;
    use wechatpay_typed::v2::pay::{downloadbill, downloadfundflow};
    let mock = wechatpay_mock::apiv2::ApiV2Server::start_default().expect("the APIv2 mock starts");
    let creds = mock.credentials();
    let client = common_apiv2::apiv2_client(&creds, [], true);
    for (i, bill_type) in TradeBillType::ALL.into_iter().enumerate() {
        let body = downloadbill::PostRequest {
            bill_type: Some(downloadbill::PostRequestBillType::from(
                bill_type.as_str().to_owned(),
            )),
            tar_type: (i % 2 == 1).then_some(downloadbill::PostRequestTarType::Gzip),
            ..downloadbill::PostRequest::new(&creds.appid, &creds.mch_id, "20241118")
        };
        let bytes = downloadbill::post(&client, &body)
            .await
            .expect("the bill downloads");
        let mut plain = Vec::new();
        if i % 2 == 1 {
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap();
        } else {
            plain = bytes.to_vec();
        }
        let (rows, summary) = TradeBill::new(&plain[..])
            .unwrap()
            .read_all()
            .expect("the bill reads");
        check_trade_totals(&rows, &summary);
        assert!(
            rows.iter()
                .all(|r| r.mchid == creds.mch_id && r.appid == creds.appid)
        );
        assert_eq!(
            rows[0].refund_apply_time.is_some(),
            bill_type == TradeBillType::Refund || bill_type == TradeBillType::RechargeRefund
        );
    }
    for account in AccountType::ALL {
        let wire = match account {
            AccountType::Basic => "Basic",
            AccountType::Operation => "Operation",
            AccountType::Fees => "Fees",
        };
        let body = downloadfundflow::PostRequest::new(
            &creds.appid,
            &creds.mch_id,
            "20241118",
            downloadfundflow::PostRequestAccountType::from(wire.to_owned()),
            downloadfundflow::PostRequestSignType::HmacSha256,
        );
        let bytes = downloadfundflow::post(&client, &body)
            .await
            .expect("the fund-flow bill downloads");
        let (rows, summary) = FundFlowBill::new(&bytes[..])
            .unwrap()
            .read_all()
            .expect("the bill reads");
        check_fund_flow_totals(&rows, &summary);
        assert!(rows.len() >= 10, "{account:?}");
    }
}
