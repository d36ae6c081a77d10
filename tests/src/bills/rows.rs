//! The columns and the rows of the mock's bills.

use super::{AccountType, Context, Rng, Row, TradeBillType, fee_yuan, yuan};

/// The trade bill columns of `bill_type` `ALL`.
const ALL_HEADER: [&str; 27] = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];

/// The trade bill summary titles.
pub(super) const TITLES: &[&str] = &[
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
];

/// The fund-flow bill columns (APIv3 spelling; APIv2 writes the parentheses full-width).
pub(super) const FUND_HEADER: [&str; 11] = [
    "记账时间",
    "微信支付业务单号",
    "资金流水单号",
    "业务名称",
    "业务类型",
    "收支类型",
    "收支金额(元)",
    "账户结余(元)",
    "资金变更提交申请人",
    "备注",
    "业务凭证号",
];

/// The fund-flow bill summary titles.
pub(super) const FUND_TITLES: &[&str] = &["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"];

/// The trade bill columns of `bill_type`: `SUCCESS` has no refund columns and no `申请退款金额`;
/// `REFUND` (and `RECHARGE_REFUND`) add `退款申请时间` and `退款成功时间` before the refund ids.
pub(super) fn header(bill_type: TradeBillType) -> Vec<&'static str> {
    match bill_type {
        TradeBillType::All => ALL_HEADER.to_vec(),
        TradeBillType::Success => ALL_HEADER
            .iter()
            .copied()
            .filter(|h| !(h.contains("退款") || *h == "申请退款金额"))
            .collect(),
        TradeBillType::Refund | TradeBillType::RechargeRefund => {
            let mut h = ALL_HEADER.to_vec();
            h.splice(14..14, ["退款申请时间", "退款成功时间"]);
            h
        }
    }
}

const TRADE_TYPES: &[&str] = &["JSAPI", "NATIVE", "APP", "MWEB", "MICROPAY"];
const BANKS: &[&str] = &["OTHERS", "CMB_DEBIT", "ICBC_CREDIT", "CCB_DEBIT", "CFT"];
const PRODUCTS: &[&str] = &[
    "咖啡 大杯",
    "图书-Rust 程序设计",
    "会员月卡",
    "面包",
    "矿泉水 550ml",
    "电影票",
];

/// An openid-like id (28 characters).
fn openid(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut id = String::from("o");
    for _ in 0..27 {
        id.push(char::from(ALPHABET[rng.next(64) as usize]));
    }
    id
}

/// Row `i` of a trade bill: in an `ALL` bill every fifth row is a refund, the others payments;
/// `SUCCESS` rows are payments, `REFUND`/`RECHARGE_REFUND` rows refunds (every seventh still
/// `PROCESSING`, without a success time). Sums: settlement, refund, recharge-coupon refund, fee,
/// order amount, refund asked for (fen).
pub(super) fn trade_row(cx: &Context<'_>, bill_type: TradeBillType, i: usize) -> Row {
    let mut rng = Rng::new(&cx.seed, i);
    let date = cx.compact_date();
    let paid_at = (i as u64 * 131 + rng.next(97)) % 86_400;
    let trade_type = rng.pick(TRADE_TYPES);
    let device = if trade_type == "MICROPAY" { "POS-0001" } else { "" };
    let total = 1 + rng.next(50_000) as i64;
    // One payment in ten used a merchant-funded (free) coupon: it is not settled.
    let coupon = if rng.next(10) == 0 { total / 10 } else { 0 };
    let settlement = total - coupon;
    let fee = (settlement * 6 + 500) / 1000;
    let attach = if rng.next(3) == 0 {
        format!("store=SZ{:03}", rng.next(1000))
    } else {
        String::new()
    };
    let common = |state: &str, settled: i64, coupon: i64| -> Vec<String> {
        vec![
            cx.time(paid_at),
            cx.appid.to_owned(),
            cx.mchid.to_owned(),
            "0".to_owned(),
            device.to_owned(),
            format!("420000{:04}{date}{:010}", rng_digits(&cx.seed, i), i),
            format!("T{date}{i:06}"),
            openid(&mut Rng::new(&cx.seed, i + 1_000_000)),
            trade_type.to_owned(),
            state.to_owned(),
            BANKS[i % BANKS.len()].to_owned(),
            "CNY".to_owned(),
            yuan(settled),
            yuan(coupon),
        ]
    };
    let description = rng.pick(PRODUCTS).to_owned();
    let is_refund = match bill_type {
        TradeBillType::All => i % 5 == 4,
        TradeBillType::Success => false,
        TradeBillType::Refund | TradeBillType::RechargeRefund => true,
    };
    if !is_refund {
        let mut cells = common("SUCCESS", settlement, coupon);
        if bill_type == TradeBillType::All {
            cells.extend(["0", "0", "0.00", "0.00", "", ""].map(str::to_owned));
        }
        cells.extend([
            description,
            attach,
            fee_yuan(fee),
            "0.60%".to_owned(),
            yuan(total),
        ]);
        if bill_type == TradeBillType::All {
            cells.push(yuan(0));
        }
        cells.push(String::new());
        return Row {
            cells,
            sums: [settlement, 0, 0, fee, total, 0],
        };
    }
    let refund = 1 + rng.next(total as u64) as i64;
    let recharge = if bill_type == TradeBillType::RechargeRefund {
        refund / 2
    } else {
        0
    };
    let processing = bill_type != TradeBillType::All && i % 7 == 3;
    let mut cells = common("REFUND", 0, 0);
    if bill_type != TradeBillType::All {
        let applied = paid_at + 600 + rng.next(3600);
        cells.push(cx.time(applied));
        cells.push(if processing {
            String::new()
        } else {
            cx.time(applied + 5)
        });
    }
    cells.extend([
        format!("5030000{:03}{date}{:011}", rng_digits(&cx.seed, i) % 1000, i),
        format!("R{date}{i:06}"),
        yuan(refund),
        yuan(recharge),
        "ORIGINAL".to_owned(),
        if processing { "PROCESSING" } else { "SUCCESS" }.to_owned(),
        description,
        attach,
        fee_yuan(0),
        "0.60%".to_owned(),
        yuan(0),
        yuan(refund),
        String::new(),
    ]);
    Row {
        cells,
        sums: [0, refund, recharge, 0, 0, refund],
    }
}

/// Four digits derived from the bill and the row.
fn rng_digits(seed: &str, i: usize) -> u64 {
    Rng::new(seed, i + 2_000_000).next(10_000)
}

/// Row `i` of a fund-flow bill, moving `balance` (fen). Sums: income count, income, expense
/// count, expense (fen).
pub(super) fn fund_row(cx: &Context<'_>, account: AccountType, i: usize, balance: &mut i64) -> Row {
    let mut rng = Rng::new(&cx.seed, i);
    let date = cx.compact_date();
    let at = 60 + (i as u64 * 113 + rng.next(89)) % 86_000;
    let api = format!("{}API", cx.mchid);
    let (name, kind, income, amount, applicant, remark, voucher) = match (account, i % 4) {
        (AccountType::Basic, 0 | 1) => {
            let amount = 1 + rng.next(50_000) as i64;
            (
                "交易",
                "交易",
                true,
                amount,
                "system".to_owned(),
                String::new(),
                format!("T{date}{i:06}"),
            )
        }
        (AccountType::Basic, 2) => {
            let amount = 1 + rng.next(5_000) as i64;
            let remark = format!("退款总金额{}元;含手续费0.00元", yuan(amount));
            (
                "退款",
                "退款",
                false,
                amount,
                api,
                remark,
                format!("R{date}{i:06}"),
            )
        }
        (AccountType::Basic, _) => {
            let amount = 1 + rng.next(300) as i64;
            (
                "扣除交易手续费",
                "扣除交易手续费",
                false,
                amount,
                "system".to_owned(),
                String::new(),
                format!("T{date}{i:06}"),
            )
        }
        (AccountType::Operation, 0) => {
            let amount = 10_000 + rng.next(500_000) as i64;
            (
                "充值/提现",
                "扫码充值",
                true,
                amount,
                format!("@{}", cx.mchid),
                String::new(),
                String::new(),
            )
        }
        (AccountType::Operation, _) => {
            let amount = 100 + rng.next(20_000) as i64;
            (
                "企业付款",
                "企业付款到零钱",
                false,
                amount,
                api,
                "活动奖励".to_owned(),
                format!("P{date}{i:06}"),
            )
        }
        (AccountType::Fees, 0) => {
            let amount = 5_000 + rng.next(50_000) as i64;
            (
                "充值/提现",
                "充值",
                true,
                amount,
                format!("@{}", cx.mchid),
                String::new(),
                String::new(),
            )
        }
        (AccountType::Fees, _) => {
            let amount = 1 + rng.next(500) as i64;
            (
                "扣除交易手续费",
                "扣除交易手续费",
                false,
                amount,
                "system".to_owned(),
                String::new(),
                format!("T{date}{i:06}"),
            )
        }
    };
    // The account never goes below zero: an expense is at most the balance.
    let amount = if income { amount } else { amount.min(*balance) };
    *balance += if income { amount } else { -amount };
    let business_id = if income {
        format!("420000{:04}{date}{:010}", rng_digits(&cx.seed, i), i)
    } else {
        format!("5030000{:03}{date}{:011}", rng_digits(&cx.seed, i) % 1000, i)
    };
    let cells = vec![
        cx.time(at),
        business_id,
        format!("{}{date}{i:010}", cx.mchid),
        name.to_owned(),
        kind.to_owned(),
        if income { "收入" } else { "支出" }.to_owned(),
        yuan(amount),
        yuan(*balance),
        applicant,
        remark,
        voucher,
    ];
    let sums = if income {
        [1, amount, 0, 0, 0, 0]
    } else {
        [0, 0, 1, amount, 0, 0]
    };
    Row { cells, sums }
}
