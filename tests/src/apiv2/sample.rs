//! What the APIv2 mock answers: sample requests and answers built from the model's fields, the
//! operations answered without `sign`, and the bill files of the downloads.

use std::io::Write;

use codegen::ir::{Field, Operation, RequestBody, ResponseBody, Type};

use super::xml::{Params, nested_list};

/// The operations WeChat Pay answers without `sign` (protocols.md, "WeChat Pay APIv2 (XML)"):
/// transfers, red packets, bank payments, the RSA public key, the report, the sandbox key.
/// The downloads ([`ResponseBody::Binary`]) answer a file, never signed, too.
pub const UNSIGNED_ANSWER_PATHS: &[&str] = &[
    "/mmpaymkttransfers/promotion/transfers",
    "/mmpaymkttransfers/sendredpack",
    "/mmpaymkttransfers/sendgroupredpack",
    "/mmpaymkttransfers/sendminiprogramhb",
    "/mmpaymkttransfers/gethbinfo",
    "/mmpaymkttransfers/gettransferinfo",
    "/mmpaysptrans/pay_bank",
    "/mmpaysptrans/query_bank",
    "/mmpaymkttransfers/query_bank",
    "/risk/getpublickey",
    "/payitil/report",
    "/xdc/apiv2getsignkey/sign/getsignkey",
];

/// How many items each list of an answer has (indexed: `_0` and `_1`, an indexed list inside
/// an item as many per item; nested: two item elements).
pub const LIST_ITEMS: usize = 2;

/// Whether the success answer of the operation at `path` carries a `sign`.
pub fn answer_is_signed(path: &str) -> bool {
    !UNSIGNED_ANSWER_PATHS.contains(&path)
}

/// Fields the mock sets itself, never from the model's samples: the envelope, and `sign`
/// and `nonce_str` (fresh for each answer).
const ENVELOPE: &[&str] = &[
    "return_code",
    "return_msg",
    "result_code",
    "err_code",
    "err_code_des",
    "sign",
    "nonce_str",
];

/// Whether the answer list `field` (in the fields `siblings` of the answer's top level) is a
/// *nested* list element rather than an indexed one. The rule: a top-level list of objects
/// without a `<stem>_count` sibling (`coupons` has `coupon_count`, `refunds` `refund_count`;
/// `hblist` of `/mmpaymkttransfers/gethbinfo` has none, and is, in reality,
/// `<hblist><hbinfo><openid>…</openid><amount>…</amount></hbinfo>…</hblist>`). WeChat Pay
/// counts the items of the indexed lists it sends (a reader needs the count to find them); a
/// nested element needs no count.
fn is_nested_list(field: &Field, siblings: &[Field]) -> bool {
    let count = format!("{}_count", field.name.strip_suffix('s').unwrap_or(&field.name));
    matches!(&field.ty, Type::Array { items } if matches!(items.as_ref(), Type::Object { .. }))
        && !siblings.iter().any(|f| f.name == count)
}

/// The element name of an item of the nested list `list`: as in the docs' one example
/// (`hblist` → `hbinfo`), `<stem>list` → `<stem>info`; otherwise `item`.
fn item_element(list: &str) -> String {
    list.strip_suffix("list")
        .map_or_else(|| "item".to_owned(), |stem| format!("{stem}info"))
}

/// The value of a scalar field whose name on the wire is `wire`: a string `sample-<wire>`, an
/// integer (or a string-or-number) `100`, a decimal `10.5`, a boolean `true`, an enum its first
/// value.
pub fn sample_scalar(wire: &str, ty: &Type) -> String {
    match ty {
        Type::Integer | Type::StringOrNumber => "100".to_owned(),
        Type::Decimal => "10.5".to_owned(),
        Type::Boolean => "true".to_owned(),
        Type::Enum { values } => values.first().cloned().unwrap_or_else(|| "SAMPLE".to_owned()),
        Type::IntegerEnum { values } => values.first().copied().unwrap_or(1).to_string(),
        _ => format!("sample-{wire}"),
    }
}

/// Whether `value` is acceptable text for a field of type `ty` (integers must parse; other
/// types take any text).
pub fn fits(ty: &Type, value: &str) -> bool {
    match ty {
        Type::Integer => value.parse::<i64>().is_ok(),
        _ => true,
    }
}

/// The fields of an operation's XML request (empty for another kind of body).
pub fn request_fields(op: &Operation) -> &[Field] {
    match &op.request {
        RequestBody::Xml { fields } => fields,
        _ => &[],
    }
}

/// A request that passes the mock's model checks, before the client adds `nonce_str` and
/// `sign`: every required field of the model (but `sign` and `nonce_str`) with its
/// [`sample_scalar`], but a required `sign_type` typed string `MD5` (sign the request with the
/// sign type it names, [`super::SignType::from_param`]).
pub fn sample_request(op: &Operation) -> Params {
    request_fields(op)
        .iter()
        .filter(|f| !f.optional && f.name != "sign" && f.name != "nonce_str")
        .map(|f| {
            let value = match &f.ty {
                Type::String if f.name == "sign_type" => "MD5".to_owned(),
                ty => sample_scalar(&f.name, ty),
            };
            (f.name.clone(), value)
        })
        .collect()
}

/// The success answer of `op` to `request`, without `nonce_str` and `sign` (the server adds
/// them): `return_code` SUCCESS, `return_msg` OK, `result_code` SUCCESS, then every other
/// response field of the model in its order. A scalar echoes the request's value of the same
/// name (so `out_trade_no`, `appid`, `mch_id` come back), else `appid` and `mch_id` are the
/// mock's, else it is its [`sample_scalar`]. An indexed list has [`LIST_ITEMS`] items
/// (`coupon_id_0`, `coupon_id_1`; nested `coupon_refund_id_0_1`), and the `<stem>_count` field
/// next to a list `<stem>s` says so. A nested list element (see `is_nested_list` in the module
/// source: `hblist` of `gethbinfo`) has [`LIST_ITEMS`] item elements, each holding its scalar
/// members (`sample-openid_0`, `100`), as a [`nested_list`] value that
/// [`to_xml`](super::xml::to_xml) writes as elements. `err_code` and `err_code_des` are left
/// out (a success has none).
pub fn sample_answer(op: &Operation, request: &Params, mch_id: &str, appid: &str) -> Vec<(String, String)> {
    let mut out = vec![
        ("return_code".to_owned(), "SUCCESS".to_owned()),
        ("return_msg".to_owned(), "OK".to_owned()),
        ("result_code".to_owned(), "SUCCESS".to_owned()),
    ];
    let ResponseBody::Xml { fields } = &op.response else {
        return out;
    };
    let fields: Vec<Field> = fields
        .iter()
        .filter(|f| !ENVELOPE.contains(&f.name.as_str()))
        .cloned()
        .collect();
    let top = |name: &str, ty: &Type| -> Option<String> {
        let echoed = request
            .get(name)
            .filter(|v| !v.is_empty() && fits(ty, v))
            .cloned();
        echoed.or_else(|| match name {
            "mch_id" => Some(mch_id.to_owned()),
            "appid" => Some(appid.to_owned()),
            _ => None,
        })
    };
    fill(&fields, "", &top, &mut out);
    out
}

/// Appends the wire fields of `fields` at one level (`suffix` is `""` at the top, `_i` in item
/// `i`, `_i_j` in a nested item).
fn fill(
    fields: &[Field],
    suffix: &str,
    top: &dyn Fn(&str, &Type) -> Option<String>,
    out: &mut Vec<(String, String)>,
) {
    let counts: Vec<String> = fields
        .iter()
        .filter(|f| matches!(f.ty, Type::Array { .. }))
        .map(|f| format!("{}_count", f.name.strip_suffix('s').unwrap_or(&f.name)))
        .collect();
    for field in fields {
        match &field.ty {
            Type::Array { items } if suffix.is_empty() && is_nested_list(field, fields) => {
                let Type::Object { fields: members } = items.as_ref() else {
                    continue;
                };
                let items: Vec<Vec<(String, String)>> = (0..LIST_ITEMS)
                    .map(|i| {
                        // Scalar members only: a list in an item would nest deeper than APIv2 does.
                        members
                            .iter()
                            .filter(|m| !matches!(m.ty, Type::Array { .. } | Type::Object { .. }))
                            .map(|m| (m.name.clone(), sample_scalar(&format!("{}_{i}", m.name), &m.ty)))
                            .collect()
                    })
                    .collect();
                out.push((
                    field.name.clone(),
                    nested_list(&item_element(&field.name), &items),
                ));
            }
            Type::Array { items } => match items.as_ref() {
                Type::Object { fields: members } => {
                    for i in 0..LIST_ITEMS {
                        fill(members, &format!("{suffix}_{i}"), top, out);
                    }
                }
                item => {
                    for i in 0..LIST_ITEMS {
                        let wire = format!("{}{suffix}_{i}", field.name);
                        out.push((wire.clone(), sample_scalar(&wire, item)));
                    }
                }
            },
            // Not in the APIv2 model; its members would be flat siblings.
            Type::Object { fields: members } => fill(members, suffix, top, out),
            ty => {
                let wire = format!("{}{suffix}", field.name);
                let value = if counts.contains(&field.name) {
                    LIST_ITEMS.to_string()
                } else if suffix.is_empty() {
                    top(&field.name, ty).unwrap_or_else(|| sample_scalar(&wire, ty))
                } else {
                    sample_scalar(&wire, ty)
                };
                out.push((wire, value));
            }
        }
    }
}

/// The file a download answers (`/pay/downloadbill`, `/pay/downloadfundflow`): a real bill of
/// the request's `bill_type` (default `ALL`) or `account_type` (default `Basic`) for its
/// `bill_date`, in WeChat Pay's layout ([`crate::bills::v2_bill`]), its `appid` and `mch_id`
/// those of the request, gzip-compressed when the request says `tar_type=GZIP`. Returns the
/// content type and the bytes.
pub fn sample_file(op: &Operation, request: &Params) -> (&'static str, Vec<u8>) {
    use crate::bills::{AccountType, BillKind, TradeBillType, v2_bill};
    let get = |name: &str| request.get(name).map_or("", String::as_str);
    let kind = if op.path.contains("fundflow") {
        BillKind::FundFlow(AccountType::parse(get("account_type")).unwrap_or(AccountType::Basic))
    } else {
        BillKind::Trade(TradeBillType::parse(get("bill_type")).unwrap_or(TradeBillType::All))
    };
    let csv = v2_bill(kind, get("bill_date"), get("appid"), get("mch_id"));
    if get("tar_type") == "GZIP" {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&csv);
        return ("application/x-gzip", gz.finish().unwrap_or_default());
    }
    ("text/plain; charset=utf-8", csv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    fn op(path: &str) -> Operation {
        let model = Model::load_default().unwrap();
        model
            .xml_operations()
            .iter()
            .find(|o| o.path == path)
            .unwrap()
            .clone()
    }

    #[test]
    fn nested_lists_are_indexed_outer_first_with_their_counts() {
        let request: Params = [("out_trade_no".to_owned(), "T1".to_owned())].into();
        let answer: Params = sample_answer(&op("/pay/refundquery"), &request, "10000100", "wx1")
            .into_iter()
            .collect();
        assert_eq!(answer["out_trade_no"], "T1");
        assert_eq!(answer["mch_id"], "10000100");
        assert_eq!(answer["refund_count"], "2");
        assert_eq!(answer["coupon_refund_count_1"], "2");
        assert_eq!(answer["out_refund_no_1"], "sample-out_refund_no_1");
        assert_eq!(answer["coupon_refund_id_0_1"], "sample-coupon_refund_id_0_1");
        assert_eq!(answer["coupon_refund_fee_1_0"], "100");
        assert!(!answer.contains_key("refunds") && !answer.contains_key("sign"));
        assert!(!answer.contains_key("err_code") && !answer.contains_key("nonce_str"));
    }

    #[test]
    fn gethbinfo_answers_hblist_as_a_nested_element() {
        let answer = sample_answer(&op("/mmpaymkttransfers/gethbinfo"), &Params::new(), "1", "wx");
        assert!(
            answer
                .iter()
                .all(|(k, _)| !k.starts_with("openid_") && !k.starts_with("amount_"))
        );
        let xml = super::super::xml::to_xml(answer.iter().map(|(k, v)| (k, v)));
        assert!(
            xml.contains(
                "<hblist><hbinfo><openid><![CDATA[sample-openid_0]]></openid><amount><![CDATA[100]]></amount>\
                 </hbinfo><hbinfo><openid><![CDATA[sample-openid_1]]></openid>"
            ),
            "{xml}"
        );
        let read = super::super::xml::parse_xml(&xml).unwrap();
        assert_eq!(read.len(), answer.len());
        // Every other list of the model is indexed, with its count.
        let model = Model::load_default().unwrap();
        let nested: Vec<String> = model
            .xml_operations()
            .iter()
            .filter_map(|o| match &o.response {
                ResponseBody::Xml { fields } => Some((o, fields)),
                _ => None,
            })
            .flat_map(|(o, fields)| {
                let nested = fields.iter().filter(|f| is_nested_list(f, fields));
                nested.map(move |f| format!("{} {}", o.path, f.name))
            })
            .collect();
        assert_eq!(nested, ["/mmpaymkttransfers/gethbinfo hblist"]);
        assert_eq!(
            (item_element("hblist"), item_element("coupons")),
            ("hbinfo".to_owned(), "item".to_owned())
        );
        assert!(!answer_is_signed("/mmpaymkttransfers/gethbinfo"));
        assert!(answer_is_signed("/pay/orderquery"));
    }
}
