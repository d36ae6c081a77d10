//! The mock's bills: sizes, layouts, tokens.

use super::*;

const KINDS: [BillKind; 7] = [
    BillKind::Trade(TradeBillType::All),
    BillKind::Trade(TradeBillType::Success),
    BillKind::Trade(TradeBillType::Refund),
    BillKind::Trade(TradeBillType::RechargeRefund),
    BillKind::FundFlow(AccountType::Basic),
    BillKind::FundFlow(AccountType::Operation),
    BillKind::FundFlow(AccountType::Fees),
];

#[test]
fn v3_bills_fill_a_download_exactly_and_differ_by_kind_and_date() {
    let mut seen = std::collections::HashSet::new();
    for kind in KINDS {
        let bill = v3_bill(kind, "2024-11-18");
        assert_eq!(bill.len(), DOWNLOAD_LEN, "{kind:?}");
        assert_eq!(bill, v3_bill(kind, "2024-11-18"), "deterministic");
        assert!(bill.starts_with("\u{feff}".as_bytes()) && bill.ends_with(b"\r\n"));
        let text = String::from_utf8(bill.clone()).unwrap();
        let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
        let width = lines[0].split(',').count();
        assert!(
            lines[1..lines.len() - 2]
                .iter()
                .all(|l| l.starts_with('`') && l.split(",`").count() == width)
        );
        assert!(
            lines[lines.len() - 2].starts_with("总交易单数")
                || lines[lines.len() - 2].starts_with("资金流水总笔数")
        );
        assert!(seen.insert(bill));
    }
    assert_ne!(v3_bill(KINDS[0], "2024-11-18"), default_bill());
    assert_eq!(v3_bill(KINDS[0], "not a date"), default_bill());
}

#[test]
fn tokens_name_the_bill_and_its_date() {
    for kind in KINDS {
        let token = bill_token(kind, "2024-11-18");
        assert_eq!(
            parse_token(&token),
            Some((kind, "2024-11-18".to_owned())),
            "{token}"
        );
    }
    assert_eq!(bill_token(KINDS[0], "2024-11-20"), "mockbill.trade.ALL.20241120");
    for other in [
        "T1",
        "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2",
        "mockbill.trade.NOPE.20241120",
        "mockbill.trade.ALL.2024",
    ] {
        assert_eq!(parse_token(other), None, "{other}");
    }
    let query = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        applied_bill("/v3/bill/tradebill", &query(&[("bill_date", "2024-11-18")])),
        Some((KINDS[0], "2024-11-18".to_owned()))
    );
    assert_eq!(
        applied_bill(
            "/v3/bill/fundflowbill",
            &query(&[("account_type", "FEES"), ("bill_date", "x")])
        ),
        Some((BillKind::FundFlow(AccountType::Fees), SAMPLE_BILL_DATE.to_owned()))
    );
    assert_eq!(applied_bill("/v3/bill/sub-merchant-fundflowbill", &[]), None);
}

#[test]
fn v2_bills_carry_the_request_and_write_fund_flow_parentheses_full_width() {
    let trade = String::from_utf8(v2_bill(KINDS[0], "20241118", "wxapp", "1230000109")).unwrap();
    assert!(trade.contains("`2024-11-18 ") && trade.contains("`wxapp,`1230000109,"));
    assert_eq!(trade.trim_end().split("\r\n").count(), 12 + 3);
    let fund = String::from_utf8(v2_bill(KINDS[4], "2024-11-18", "wxapp", "1230000109")).unwrap();
    assert!(fund.contains("收支金额（元）") && !fund.contains("收支金额(元)"));
    assert!(
        String::from_utf8(v3_bill(KINDS[4], "2024-11-18"))
            .unwrap()
            .contains("收支金额(元)")
    );
    assert_eq!(
        (yuan(1250), yuan(-3), fee_yuan(4)),
        ("12.50".to_owned(), "-0.03".to_owned(), "0.04000".to_owned())
    );
}
