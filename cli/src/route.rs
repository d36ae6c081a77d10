//! `METHOD /concrete/path` → the model's operation (`METHOD /path/{template}`) and its path
//! parameters, over the generated conformance crates' operation lists (the profile's provider:
//! WeChat Pay's APIv3 and APIv2, or Wonder's), with the template matching the mock routes with
//! ([`wechatpay_mock::model::match_templates`]).

use percent_encoding::percent_decode_str;
use wechatpay_mock::model::{TemplateMatch, match_templates};

use crate::config::Provider;
use crate::exit::{Failure, Outcome};

/// Which API (and conformance crate call) an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// WeChat Pay APIv3 (JSON): [`wechatpay_typed_conformance::call`].
    V3,
    /// WeChat Pay APIv2 (XML): [`wechatpay_typed_conformance::call_xml`].
    V2,
    /// Wonder: [`wonder_typed_conformance::call`].
    Wonder,
}

/// The operation lists of `provider`'s APIs, searched in this order.
fn catalog(provider: Provider) -> &'static [(Api, &'static [&'static str])] {
    match provider {
        Provider::Wechatpay => &[
            (Api::V3, wechatpay_typed_conformance::OPERATIONS),
            (Api::V2, wechatpay_typed_conformance::XML_OPERATIONS),
        ],
        Provider::Wonder => &[(Api::Wonder, wonder_typed_conformance::OPERATIONS)],
    }
}

/// An operation of the model a concrete request resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Its id, `METHOD /path/{template}`, as the conformance crate names it.
    pub id: &'static str,
    /// APIv3 or APIv2.
    pub api: Api,
    /// Path parameters by name, percent-decoded.
    pub params: Vec<(String, String)>,
}

/// `(method, template)` of an operation id.
fn split(id: &'static str) -> (&'static str, &'static str) {
    id.split_once(' ').unwrap_or((id, ""))
}

/// Resolves `method` (any case) and a concrete `path` (no query) to an operation of
/// `provider`'s model.
///
/// # Errors
/// A usage failure naming the request, and the methods the path has or operations nearby.
pub fn resolve(provider: Provider, method: &str, path: &str) -> Outcome<Resolved> {
    let method = method.to_ascii_uppercase();
    for &(api, list) in catalog(provider) {
        let candidates: Vec<&'static str> = list.iter().copied().filter(|id| split(id).0 == method).collect();
        match match_templates(candidates.iter().map(|id| split(id).1), path) {
            TemplateMatch::Found { index, params } => {
                let params = params
                    .into_iter()
                    .map(|(name, raw)| {
                        let value = percent_decode_str(&raw).decode_utf8_lossy().into_owned();
                        (name, value)
                    })
                    .collect();
                return Ok(Resolved {
                    id: candidates[index],
                    api,
                    params,
                });
            }
            TemplateMatch::EmptyParam { index, param } => {
                return Err(Failure::usage(format!(
                    "{method} {path}: the path parameter `{param}` of `{}` is empty",
                    candidates[index]
                )));
            }
            TemplateMatch::NotFound => {}
        }
    }
    Err(Failure::usage(not_found(provider, &method, path)))
}

/// The message for a request no operation fits: the methods the path has, else operations
/// sharing the longest prefix of the path.
fn not_found(provider: Provider, method: &str, path: &str) -> String {
    let all = || {
        catalog(provider)
            .iter()
            .flat_map(|(_, list)| list.iter().copied())
    };
    let methods: Vec<&str> = all()
        .filter(|id| matches!(match_templates([split(id).1], path), TemplateMatch::Found { .. }))
        .map(|id| split(id).0)
        .collect();
    if !methods.is_empty() {
        return format!(
            "{method} {path} is not an operation of the model; the path takes {}",
            methods.join(", ")
        );
    }
    let segments: Vec<&str> = path.split('/').collect();
    let shared = |template: &str| {
        template
            .split('/')
            .zip(&segments)
            .take_while(|(t, s)| t == *s || (t.starts_with('{') && !s.is_empty()))
            .count()
    };
    let best = all().map(|id| shared(split(id).1)).max().unwrap_or(0);
    let mut near: Vec<&str> = if best >= 3 {
        all().filter(|id| shared(split(id).1) == best).collect()
    } else {
        Vec::new()
    };
    near.truncate(5);
    let mut message = format!("{method} {path} is not an operation of the model");
    if !near.is_empty() {
        message.push_str(&format!(" (nearby: {})", near.join("; ")));
    }
    message.push_str("; `payctl operations` lists them all");
    message
}

/// Every operation id of `provider`: WeChat Pay's APIv3 then APIv2 (each with `(APIv2)` after
/// it), or Wonder's.
pub fn list(provider: Provider) -> impl Iterator<Item = String> {
    catalog(provider).iter().flat_map(|(api, list)| {
        list.iter().map(move |id| match api {
            Api::V2 => format!("{id}  (APIv2)"),
            Api::V3 | Api::Wonder => (*id).to_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_templates_and_decodes_parameters() {
        let r = resolve(
            Provider::Wechatpay,
            "get",
            "/v3/pay/transactions/out-trade-no/A%20B",
        )
        .unwrap();
        assert_eq!(r.id, "GET /v3/pay/transactions/out-trade-no/{out_trade_no}");
        assert_eq!(r.api, Api::V3);
        assert_eq!(r.params, vec![("out_trade_no".to_owned(), "A B".to_owned())]);
        let r = resolve(Provider::Wechatpay, "POST", "/pay/orderquery").unwrap();
        assert_eq!((r.id, r.api), ("POST /pay/orderquery", Api::V2));
    }

    #[test]
    fn literal_segments_win() {
        let r = resolve(
            Provider::Wechatpay,
            "GET",
            "/v3/ecommerce/refunds/out-refund-no/R1",
        )
        .unwrap();
        assert_eq!(r.id, "GET /v3/ecommerce/refunds/out-refund-no/{out_refund_no}");
    }

    #[test]
    fn unknown_requests_say_what_exists() {
        let e = resolve(Provider::Wechatpay, "DELETE", "/v3/pay/transactions/id/1").unwrap_err();
        assert!(e.message.contains("the path takes GET"), "{}", e.message);
        let e = resolve(Provider::Wechatpay, "GET", "/v3/pay/transactions/nope/1/2").unwrap_err();
        assert!(e.message.contains("nearby"), "{}", e.message);
    }

    #[test]
    fn a_wonder_profile_resolves_wonders_operations_only() {
        let path = "/svc/payment/api/v1/openapi/recurring_payments/plan/P%201/cancel";
        let r = resolve(Provider::Wonder, "put", path).unwrap();
        assert_eq!(
            r.id,
            "PUT /svc/payment/api/v1/openapi/recurring_payments/plan/{id}/cancel"
        );
        assert_eq!(r.api, Api::Wonder);
        assert_eq!(r.params, vec![("id".to_owned(), "P 1".to_owned())]);
        assert!(resolve(Provider::Wechatpay, "PUT", path).is_err());
        assert!(resolve(Provider::Wonder, "POST", "/pay/orderquery").is_err());
        let listed: Vec<String> = list(Provider::Wonder).collect();
        assert_eq!(listed.len(), wonder_typed_conformance::OPERATIONS.len());
    }
}
