//! Lowering an APIv2 notification page (`webhook/v2/refund-processed.md`) to an IR [`Event`]
//! with its [`XmlEvent`].
//!
//! A page's `js twoslash` block declares, in JSDoc, `XmlDataRequest` (the notification's own
//! members) and, on some pages, a second typedef: the document one member carries (`ReqInfo`,
//! `eventPlainObject`, `SubOrders`). The handler code after it says which member and how:
//! `Aes.AesEcb.decrypt(req_info, …)`, `Aes.AesGcm.decrypt(event_ciphertext, …)` or
//! `JSON.parse(obj.sub_order_list)`; and its reply, `Transformer.toXml({return_code, …})` or
//! `Transformer.toXml({code: …, message: …})`.
//!
//! The event's name is the `event_type` literal of `XmlDataRequest` when it declares one
//! (`CHECK.SUCCESS`), else the page's file name (`refund-processed`): APIv2 notifications other
//! than payscore's carry no event type, and are told apart by their members.

use super::event::{event_document, object, page_event, page_name};
use super::jsdoc;
use super::lower::Lowered;
use super::page::webhook::scan_webhook_page;
use crate::diag::{Diagnostic, Span};
use crate::ir::{Carriage, Event, InnerDocument, Type, XmlEvent, XmlReply};

/// The typedef of the notification's own members.
const NOTIFICATION: &str = "XmlDataRequest";

/// The calls of the handler code that open a member's document, with how each carries it.
const OPENERS: [(&str, Carriage); 3] = [
    ("AesEcb.decrypt(", Carriage::AesEcb),
    ("AesGcm.decrypt(", Carriage::AeadAesGcm),
    ("JSON.parse(", Carriage::Json),
];

/// The call of the handler code that writes the reply.
const REPLY: &str = "toXml({";

/// Parses one APIv2 notification page and lowers it to a document holding its event.
///
/// `source` is the page's path in the docs repository (`webhook/v2/refund-processed.md`).
///
/// # Errors
/// Every problem found, each at a line and column of the page: no `js twoslash` block, no
/// `XmlDataRequest` typedef, a type expression the model cannot express, a second typedef that
/// no member carries, an opened member `XmlDataRequest` does not declare, no reply.
pub fn import_webhook_v2_page(source: &str, text: &str) -> Result<Lowered, Vec<Diagnostic>> {
    let page = scan_webhook_page(text)?;
    let Some(block) = page.blocks.iter().find(|b| b.twoslash) else {
        return Err(vec![Diagnostic::new(
            Span::new(1, 1),
            "no ```js twoslash code block found: a notification page declares its members in one",
        )]);
    };
    let at = |offset| page.span(block, offset);
    let (defs, strays) = jsdoc::typedefs(&block.content);
    let mut warnings: Vec<Diagnostic> = strays
        .into_iter()
        .map(|s| Diagnostic::new(at(s.at), s.message))
        .collect();
    let mut diags = Vec::new();
    let Some(notification) = defs.iter().find(|d| d.name == NOTIFICATION) else {
        return Err(vec![Diagnostic::new(
            page.fence(block),
            format!("the block declares no `@typedef {NOTIFICATION}` (the notification's members)"),
        )]);
    };
    let Type::Object { mut fields } = object(notification, &at, &mut diags) else {
        unreachable!("a typedef lowers to an object")
    };
    let inner_def = defs.iter().find(|d| d.name != NOTIFICATION);
    let opened = opened_member(&block.content);
    let inner = match (inner_def, opened) {
        (None, None) => None,
        (Some(def), None) => {
            diags.push(Diagnostic::new(
                at(def.at),
                format!(
                    "`{}` is declared, but the handler opens no member holding it",
                    def.name
                ),
            ));
            None
        }
        (def, Some((member, carriage, offset))) => {
            match fields.iter_mut().find(|f| f.name == member) {
                Some(field) => {
                    if let Some(def) = def {
                        field.ty = object(def, &at, &mut diags);
                    } else {
                        warnings.push(Diagnostic::new(
                            at(offset),
                            format!("the handler opens `{member}`, but no typedef declares its document: it stays text"),
                        ));
                    }
                }
                None => diags.push(Diagnostic::new(
                    at(offset),
                    format!("the handler opens `{member}`, which `{NOTIFICATION}` does not declare"),
                )),
            }
            def.map(|_| InnerDocument { member, carriage })
        }
    };
    let reply = match reply(&block.content) {
        Ok(reply) => reply,
        Err(message) => {
            diags.push(Diagnostic::new(page.fence(block), message));
            XmlReply::ReturnCode
        }
    };
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut event = Event {
        xml: Some(XmlEvent { inner, reply }),
        ..page_event(&page, page_name(source), Type::Object { fields })
    };
    if let Some(literal) = event.event_type_literal() {
        event.name = literal.to_owned();
    }
    Ok(Lowered {
        document: event_document(source, &page, event),
        warnings,
    })
}

/// The member the handler code opens, how, and the byte offset of the call in the block: the
/// first argument of the first opening call (`obj.` and `obj?.` prefixes dropped).
fn opened_member(code: &str) -> Option<(String, Carriage, usize)> {
    OPENERS
        .iter()
        .filter_map(|(call, carriage)| code.find(call).map(|at| (at, call, *carriage)))
        .min_by_key(|(at, ..)| *at)
        .and_then(|(at, call, carriage)| {
            let rest = code[at + call.len()..].trim_start();
            let rest = rest
                .strip_prefix("obj?.")
                .or_else(|| rest.strip_prefix("obj."))
                .unwrap_or(rest);
            let member: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!member.is_empty()).then_some((member, carriage, at))
        })
}

/// The reply the handler writes: the first member of its `toXml({…})` call.
fn reply(code: &str) -> Result<XmlReply, String> {
    let Some(at) = code.find(REPLY) else {
        return Err(format!(
            "the handler writes no reply (`Transformer.{REPLY}…}})`): its members are unknown"
        ));
    };
    let first: String = code[at + REPLY.len()..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    match first.as_str() {
        "return_code" => Ok(XmlReply::ReturnCode),
        "code" => Ok(XmlReply::Code),
        other => Err(format!(
            "the handler's reply starts with `{other}`, neither `return_code` nor `code`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opened_member_and_its_carriage_come_from_the_handler() {
        let ecb = "x = toObject(Aes.AesEcb.decrypt(req_info, Hash.md5(k)))";
        assert_eq!(
            opened_member(ecb).map(|(m, c, _)| (m, c)),
            Some(("req_info".to_owned(), Carriage::AesEcb))
        );
        let gcm = "toObject(Aes.AesGcm.decrypt(\n  event_ciphertext, apiv3Key, event_nonce)";
        assert_eq!(
            opened_member(gcm).map(|(m, c, _)| (m, c)),
            Some(("event_ciphertext".to_owned(), Carriage::AeadAesGcm))
        );
        let json = "const { a } = JSON.parse(obj.sub_order_list)";
        assert_eq!(
            opened_member(json).map(|(m, c, _)| (m, c)),
            Some(("sub_order_list".to_owned(), Carriage::Json))
        );
        assert_eq!(opened_member("Transformer.toObject(xml)"), None);
    }

    #[test]
    fn the_reply_members_come_from_the_handler() {
        assert_eq!(
            reply("toXml({return_code, return_msg})"),
            Ok(XmlReply::ReturnCode)
        );
        assert_eq!(
            reply("toXml({code: return_code, message: m})"),
            Ok(XmlReply::Code)
        );
        assert!(reply("toXml({status: 1})").is_err());
        assert!(reply("no reply").is_err());
    }
}
