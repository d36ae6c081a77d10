//! Tests of `lenient.rs` (kept apart to keep that file short).

use super::*;
use crate::DateTime;

#[derive(Debug, PartialEq)]
struct Inner {
    code: Option<String>,
    unparsed: Unparsed,
}

impl<'de> serde::Deserialize<'de> for Inner {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "Inner")?;
        Ok(Inner {
            code: fields.take("code"),
            unparsed: fields.finish(),
        })
    }
}

#[derive(Debug)]
struct Outer {
    amount: Option<i64>,
    at: Option<DateTime>,
    inner: Option<Inner>,
    list: Option<Vec<Inner>>,
    unparsed: Unparsed,
}

impl<'de> serde::Deserialize<'de> for Outer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "Outer")?;
        Ok(Outer {
            amount: fields.take("amount"),
            at: fields.take("at"),
            inner: fields.take("inner"),
            list: fields.take("list"),
            unparsed: fields.finish(),
        })
    }
}

#[test]
fn a_field_of_another_shape_is_kept_raw_and_the_rest_decodes() {
    let outer: Outer = serde_json::from_str(
        r#"{"amount": {"total": 1}, "at": "yesterday", "inner": {"code": 7, "extra": true},
            "list": [{"code": "A"}], "later": [1]}"#,
    )
    .expect("decodes");
    assert_eq!(outer.amount, None);
    assert_eq!(outer.at, None);
    assert_eq!(
        outer.unparsed.get("amount"),
        Some(&serde_json::json!({"total": 1}))
    );
    assert_eq!(outer.unparsed.get("at"), Some(&serde_json::json!("yesterday")));
    assert_eq!(outer.unparsed.get("later"), Some(&serde_json::json!([1])));
    let inner = outer.inner.expect("inner decodes");
    assert_eq!(inner.code, None);
    assert_eq!(inner.unparsed.names().collect::<Vec<_>>(), ["code", "extra"]);
    assert_eq!(outer.list.expect("list")[0].code.as_deref(), Some("A"));
}

#[test]
fn null_is_absent_and_a_non_object_is_an_error() {
    let outer: Outer = serde_json::from_str(r#"{"amount": null}"#).expect("decodes");
    assert!(outer.amount.is_none() && outer.unparsed.is_empty());
    assert!(serde_json::from_str::<Outer>("[1]").is_err());
}

/// An APIv2-style object: every value text, lists spelled with indexed keys.
#[derive(Debug)]
struct Refunds {
    refund_fee: Option<i64>,
    settled: Option<bool>,
    refunds: Option<Vec<Refund>>,
    coupon_refund: Option<String>,
    unparsed: Unparsed,
}

#[derive(Debug, PartialEq)]
struct Refund {
    refund_fee: Option<i64>,
    coupon_refund_fee: Option<i64>,
    coupons: Option<Vec<Coupon>>,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Coupon {
    coupon_refund_fee: String,
}

impl<'de> serde::Deserialize<'de> for Refunds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "Refunds")?;
        Ok(Refunds {
            refund_fee: fields.take_text("refund_fee"),
            settled: fields.take_text("settled"),
            refunds: fields.take_indexed("refunds", &["refund_fee", "coupon_refund_fee"]),
            coupon_refund: fields.take_text("coupon_refund"),
            unparsed: fields.finish(),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Refund {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "Refund")?;
        Ok(Refund {
            refund_fee: fields.take_text("refund_fee"),
            coupon_refund_fee: fields.take_text("coupon_refund_fee"),
            coupons: fields.take_indexed("coupons", &["coupon_refund_fee"]),
        })
    }
}

#[test]
fn text_scalars_and_indexed_lists() {
    let refunds: Refunds = serde_json::from_value(serde_json::json!({
        "refund_fee": "300", "settled": "true", "coupon_refund": "keep me",
        "refund_fee_1": "200", "refund_fee_0": "100",
        "coupon_refund_fee_0": "7", "coupon_refund_fee_0_1": "4", "coupon_refund_fee_0_0": "3",
        "refund_fee_01": "leading zero", "refund_fee_2x": "not an index", "refund_fee_3_": "empty rest",
    }))
    .expect("decodes");
    assert_eq!((refunds.refund_fee, refunds.settled), (Some(300), Some(true)));
    assert_eq!(refunds.coupon_refund.as_deref(), Some("keep me"));
    let coupon = |fee: &str| Coupon {
        coupon_refund_fee: fee.to_owned(),
    };
    assert_eq!(
        refunds.refunds.expect("a list"),
        [
            Refund {
                refund_fee: Some(100),
                coupon_refund_fee: Some(7),
                coupons: Some(vec![coupon("3"), coupon("4")]),
            },
            Refund {
                refund_fee: Some(200),
                coupon_refund_fee: None,
                coupons: None,
            },
        ]
    );
    assert_eq!(
        refunds.unparsed.names().collect::<Vec<_>>(),
        ["refund_fee_01", "refund_fee_2x", "refund_fee_3_"]
    );
}

#[test]
fn text_that_is_no_number_and_lists_that_do_not_decode_are_kept_raw() {
    let refunds: Refunds = serde_json::from_value(serde_json::json!({
        "refund_fee": "3 fen", "settled": "1",
    }))
    .expect("decodes");
    assert_eq!((refunds.refund_fee, refunds.settled), (None, None));
    assert_eq!(
        refunds.unparsed.names().collect::<Vec<_>>(),
        ["refund_fee", "settled"]
    );

    struct Strict {
        coupons: Option<Vec<Coupon>>,
        unparsed: Unparsed,
    }
    impl<'de> serde::Deserialize<'de> for Strict {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let mut fields = Lenient::new(d, "Strict")?;
            Ok(Strict {
                coupons: fields.take_indexed("coupons", &["coupon_refund_fee", "coupon_id"]),
                unparsed: fields.finish(),
            })
        }
    }
    // Item 1 has no `coupon_refund_fee`: the list does not decode and is kept raw.
    let strict: Strict = serde_json::from_value(serde_json::json!({
        "coupon_refund_fee_0": "1", "coupon_id_1": "B",
    }))
    .expect("decodes");
    assert!(strict.coupons.is_none());
    assert_eq!(
        strict.unparsed.names().collect::<Vec<_>>(),
        ["coupon_id_1", "coupon_refund_fee_0"]
    );
    assert_eq!(
        indexed_key("a_7_b_1", &["a", "a_7_b"]),
        Some((1, "a_7_b".to_owned()))
    );
    assert_eq!(indexed_key("a_18446744073709551616", &["a"]), None);
}

/// `gethbinfo`'s answer: `hblist` a nested list, `openid` also at the top.
#[derive(Debug)]
struct HbInfo {
    hblist: Option<Vec<Hb>>,
    openid: Option<String>,
    unparsed: Unparsed,
}

#[derive(Debug, PartialEq)]
struct Hb {
    openid: Option<String>,
    amount: Option<i64>,
    unparsed: Vec<String>,
}

impl<'de> serde::Deserialize<'de> for HbInfo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "HbInfo")?;
        Ok(HbInfo {
            hblist: fields.take_indexed("hblist", &["amount", "openid"]),
            openid: fields.take_text("openid"),
            unparsed: fields.finish(),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Hb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Lenient::new(d, "Hb")?;
        Ok(Hb {
            openid: fields.take_text("openid"),
            amount: fields.take_text("amount"),
            unparsed: fields.finish().names().map(str::to_owned).collect(),
        })
    }
}

/// A writer for the `warn` events of a test.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_nested_list_decodes_from_its_raw_xml_or_is_kept_raw() {
    let inner = "\n <hbinfo><openid><![CDATA[oTkwm1]]></openid><amount>100</amount>\
                 <rcv_time>2015-04-21 20:00:00</rcv_time></hbinfo>\n \
                 <hbinfo><openid>oTkwm2</openid><amount>200</amount></hbinfo>\n";
    let info: HbInfo = serde_json::from_value(serde_json::json!({
        "hblist": inner, "openid": "top", "openid_0": "an indexed member",
    }))
    .expect("decodes");
    let hb = |openid: &str, amount, unparsed: &[&str]| Hb {
        openid: Some(openid.to_owned()),
        amount: Some(amount),
        unparsed: unparsed.iter().map(|n| (*n).to_owned()).collect(),
    };
    assert_eq!(
        info.hblist.expect("a list"),
        [hb("oTkwm1", 100, &["rcv_time"]), hb("oTkwm2", 200, &[])]
    );
    assert_eq!(info.openid.as_deref(), Some("top"));
    // The nested list wins: indexed members are left alone (here: unknown).
    assert_eq!(info.unparsed.names().collect::<Vec<_>>(), ["openid_0"]);

    // Not a list text: as before (no indexed member, so no list; the text is unknown).
    let info: HbInfo = serde_json::from_value(serde_json::json!({"hblist": "none"})).expect("decodes");
    assert!(info.hblist.is_none());
    assert_eq!(info.unparsed.get("hblist"), Some(&serde_json::json!("none")));

    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        for bad in [
            "<hbinfo>SECRET<openid>SECRET</openid></hbinfo>",
            "<hbinfo><openid><x>SECRET</x></openid></hbinfo>",
            "<!DOCTYPE x [<!ENTITY e \"SECRET\">]><hbinfo><openid>&e;</openid></hbinfo>",
        ] {
            let info: HbInfo =
                serde_json::from_value(serde_json::json!({"hblist": bad, "openid": "top"})).expect("decodes");
            assert!(info.hblist.is_none(), "{bad}");
            assert_eq!(info.openid.as_deref(), Some("top"));
            assert_eq!(info.unparsed.get("hblist"), Some(&serde_json::json!(bad)));
        }
    });
    let text = String::from_utf8(log.0.lock().expect("log").clone()).expect("UTF-8");
    assert_eq!(text.matches("response list does not decode").count(), 3, "{text}");
    assert!(text.contains("HbInfo") && text.contains("hblist"), "{text}");
    assert!(!text.contains("SECRET"), "{text}");
}

#[test]
fn debug_names_fields_never_values() {
    let outer: Outer =
        serde_json::from_str(r#"{"amount": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}"#).expect("decodes");
    let debug = format!("{outer:?}");
    assert!(debug.contains("unparsed: {\"amount\"}"), "{debug}");
    assert!(!debug.contains("oUpF8u"), "{debug}");
}
