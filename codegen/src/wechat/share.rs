//! Webhook events whose resource is an operation's response: the payment-success resource is the
//! order query's `payments.Transaction`. Such an event gets that response type name
//! ([`Event::payload_type_name`]), so the emitter decodes both into one type.
//!
//! An event matches a named response when the response has every member the event requires,
//! at least half of all its members, each of the same kind (object, list or scalar); of
//! several, the one sharing the most members (then the first name) wins. The refund
//! notification does not match `refunddomestic.Refund`: it says `refund_status` where the
//! query says `status`.

use std::collections::BTreeMap;

use crate::ir::{Document, Field, ResponseBody, Type};

/// The fewest required members an event must have to share a type: fewer say too little.
const MIN_REQUIRED: usize = 3;

/// Sets [`Event::payload_type_name`](crate::ir::Event::payload_type_name) on every event of
/// `documents` whose resource matches a named response; returns how many do.
pub fn share_response_types(documents: &mut [Document]) -> usize {
    let mut named: BTreeMap<&str, Vec<&Field>> = BTreeMap::new();
    for op in documents.iter().flat_map(|d| &d.operations) {
        if let (Some(name), ResponseBody::Json { fields }) = (&op.response_type_name, &op.response) {
            let union = named.entry(name.as_str()).or_default();
            for f in fields {
                if !union.iter().any(|u| u.name == f.name) {
                    union.push(f);
                }
            }
        }
    }
    let mut chosen = Vec::new();
    for (d, doc) in documents.iter().enumerate() {
        for (e, event) in doc.events.iter().enumerate() {
            // An APIv2 notification's members are XML text, never an APIv3 response's.
            let (Type::Object { fields }, None) = (&event.payload, &event.xml) else {
                continue;
            };
            let best = named
                .iter()
                .filter_map(|(name, response)| score(fields, response).map(|s| (s, *name)))
                .max_by(|(a, an), (b, bn)| a.cmp(b).then(bn.cmp(an)));
            if let Some((_, name)) = best {
                chosen.push((d, e, name.to_owned()));
            }
        }
    }
    let count = chosen.len();
    for (d, e, name) in chosen {
        documents[d].events[e].payload_type_name = Some(name);
    }
    count
}

/// How many of `event`'s members `response` shares, when it is a match.
fn score(event: &[Field], response: &[&Field]) -> Option<usize> {
    let find = |name: &str| response.iter().find(|f| f.name == name);
    let required: Vec<&Field> = event.iter().filter(|f| !f.optional).collect();
    if required.len() < MIN_REQUIRED || required.iter().any(|f| find(&f.name).is_none()) {
        return None;
    }
    let mut shared = 0;
    for field in event {
        if let Some(other) = find(&field.name) {
            if kind(&field.ty) != kind(&other.ty) {
                return None;
            }
            shared += 1;
        }
    }
    (shared * 2 >= event.len()).then_some(shared)
}

/// The JSON shape of a type: 0 scalar, 1 list, 2 object, 3 unknown (matches anything).
fn kind(ty: &Type) -> u8 {
    match ty {
        Type::Array { .. } => 1,
        Type::Object { .. } | Type::Named { .. } => 2,
        Type::Json => 3,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Event, HttpMethod, Operation};

    fn doc(operations: Vec<Operation>, events: Vec<Event>) -> Document {
        Document {
            moved_to: None,
            source: "x.md".into(),
            title: None,
            operations,
            types: Vec::new(),
            events,
        }
    }

    fn event(name: &str, fields: Vec<Field>) -> Event {
        Event {
            name: name.into(),
            summary: None,
            links: Vec::new(),
            original_types: Vec::new(),
            payload: Type::Object { fields },
            payload_type_name: None,
            xml: None,
        }
    }

    #[test]
    fn an_event_shares_the_response_that_has_its_members() {
        let mut query = Operation::new(HttpMethod::Get, "/v3/pay/transactions/id/{id}");
        query.response_type_name = Some("payments.Transaction".into());
        query.response = ResponseBody::Json {
            fields: ["transaction_id", "out_trade_no", "trade_state", "mchid"]
                .map(|n| Field::new(n, Type::String))
                .into(),
        };
        let mut refund = Operation::new(HttpMethod::Get, "/v3/refund/domestic/refunds/{no}");
        refund.response_type_name = Some("refunddomestic.Refund".into());
        refund.response = ResponseBody::Json {
            fields: ["refund_id", "out_refund_no", "status"]
                .map(|n| Field::new(n, Type::String))
                .into(),
        };
        let paid = event(
            "TRANSACTION.SUCCESS",
            vec![
                Field::new("transaction_id", Type::String),
                Field::new("out_trade_no", Type::String),
                Field::new("trade_state", Type::String),
                Field::optional("sp_mchid", Type::String),
            ],
        );
        let refunded = event(
            "REFUND.SUCCESS",
            ["refund_id", "out_refund_no", "refund_status"]
                .map(|n| Field::new(n, Type::String))
                .into(),
        );
        let mut docs = vec![
            doc(vec![query, refund], Vec::new()),
            doc(Vec::new(), vec![paid, refunded]),
        ];
        assert_eq!(share_response_types(&mut docs), 1);
        assert_eq!(
            docs[1].events[0].payload_type_name.as_deref(),
            Some("payments.Transaction")
        );
        assert_eq!(docs[1].events[1].payload_type_name, None);
    }
}
