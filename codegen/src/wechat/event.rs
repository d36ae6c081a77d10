//! Lowering a webhook page (`webhook/v3/TRANSACTION.SUCCESS.md`) to an IR [`Event`].
//!
//! A page declares, in the JSDoc of its `js twoslash` block, `RequestHeader` (the `Wechatpay-*`
//! headers), `RequestJsonData` (the envelope; its `event_type` a string literal) and
//! `PlainObject` (the decrypted resource). Its JSON examples show the envelope and, in a
//! `::: details` container, the decrypted resource, which completes `PlainObject` where the
//! JSDoc is loose ([`super::example::complete`]).
//!
//! The event's name is the page's file name, which upstream names after the `event_type` and
//! which its envelope example repeats; where the JSDoc literal says otherwise (a copied page
//! still declaring its sibling's event) that is reported as a warning.

use super::example;
use super::jsdoc::{self, Prop, Typedef};
use super::lower::Lowered;
use super::page::webhook::{Fenced, WebhookPage, scan_webhook_page};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Document, Event, Field, Type};

/// The typedef of the decrypted resource.
const RESOURCE: &str = "PlainObject";
/// The typedef of the envelope.
const ENVELOPE: &str = "RequestJsonData";

/// Parses one webhook page and lowers it to a document holding its event (with the upstream
/// slips worked around, as warnings).
///
/// `source` is the page's path in the docs repository (`webhook/v3/REFUND.SUCCESS.md`); its
/// file name is the event's name.
///
/// # Errors
/// Every problem found, each at a line and column of the page: no `js twoslash` block, no
/// `PlainObject` typedef, a type expression the model cannot express.
pub fn import_webhook_page(source: &str, text: &str) -> Result<Lowered, Vec<Diagnostic>> {
    let page = scan_webhook_page(text)?;
    let name = page_name(source);
    let mut diags = Vec::new();
    let mut warnings = Vec::new();
    let Some(block) = page.blocks.iter().find(|b| b.twoslash) else {
        return Err(vec![Diagnostic::new(
            Span::new(1, 1),
            "no ```js twoslash code block found: a webhook page declares its event in one",
        )]);
    };
    let (defs, strays) = jsdoc::typedefs(&block.content);
    for stray in strays {
        warnings.push(Diagnostic::new(page.span(block, stray.at), stray.message));
    }
    let at = |offset| page.span(block, offset);
    let Some(resource) = defs.iter().find(|d| d.name == RESOURCE) else {
        return Err(vec![Diagnostic::new(
            page.fence(block),
            format!("the block declares no `@typedef {RESOURCE}` (the decrypted resource)"),
        )]);
    };
    let mut payload = object(resource, &at, &mut diags);
    let mut original_types = Vec::new();
    if let Some(envelope) = defs.iter().find(|d| d.name == ENVELOPE) {
        let parsed = object(envelope, &at, &mut diags);
        check_event_type(&name, envelope, &parsed, &at, &mut warnings);
        original_types = resource_original_types(&parsed);
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let envelope_example = examples(&page, false, &mut warnings);
    if let Some(stated) = envelope_example
        .as_ref()
        .and_then(|(v, _)| v.get("event_type"))
        .and_then(|v| v.as_str())
        .filter(|stated| *stated != name)
    {
        let span = envelope_example.as_ref().map_or(Span::new(1, 1), |(_, s)| *s);
        warnings.push(Diagnostic::new(
            span,
            format!(
                "the envelope example says event_type `{stated}`, the page is `{name}`: `{name}` is taken"
            ),
        ));
    }
    if original_types.is_empty() {
        if let Some(o) = envelope_example
            .as_ref()
            .and_then(|(v, _)| v.pointer("/resource/original_type"))
            .and_then(|v| v.as_str())
        {
            original_types.push(o.to_owned());
        }
    }
    if let Some((value, _)) = examples(&page, true, &mut warnings) {
        payload = example::complete(&payload, &value);
    }
    let event = Event {
        original_types,
        ..page_event(&page, name, payload)
    };
    Ok(Lowered {
        document: event_document(source, &page, event),
        warnings,
    })
}

/// The page's file name without `.md`: `REFUND.SUCCESS` for `webhook/v3/REFUND.SUCCESS.md`.
pub(super) fn page_name(source: &str) -> String {
    source
        .rsplit('/')
        .next()
        .unwrap_or(source)
        .trim_end_matches(".md")
        .to_owned()
}

/// An event of `page` named `name` carrying `payload`: its summary from the page's title, its
/// links the page's; no `original_type`, no shared response type, not XML.
pub(super) fn page_event(page: &WebhookPage<'_>, name: String, payload: Type) -> Event {
    Event {
        name,
        summary: page.title.as_deref().map(summary),
        links: page.links.clone(),
        original_types: Vec::new(),
        payload,
        payload_type_name: None,
        xml: None,
    }
}

/// The document of the webhook page `source`: `event`, and nothing else.
pub(super) fn event_document(source: &str, page: &WebhookPage<'_>, event: Event) -> Document {
    Document {
        moved_to: None,
        source: source.to_owned(),
        title: page.title.clone(),
        operations: Vec::new(),
        types: Vec::new(),
        events: vec![event],
    }
}

/// The title without its `(JSON)` or `(XML)` suffix: `支付成功通知`.
fn summary(title: &str) -> String {
    ["(JSON)", "（JSON）", "(XML)", "（XML）"]
        .iter()
        .fold(title.trim(), |t, suffix| t.trim_end_matches(suffix))
        .trim()
        .to_owned()
}

/// The object a typedef declares, its members' types parsed.
pub(super) fn object(def: &Typedef, at: &dyn Fn(usize) -> Span, diags: &mut Vec<Diagnostic>) -> Type {
    let mut fields: Vec<Field> = Vec::new();
    for Prop {
        name,
        ty,
        ty_at,
        at: prop_at,
    } in &def.props
    {
        match jsdoc::parse_type(ty) {
            Ok(parsed) => {
                if fields.iter().any(|f| &f.name == name) {
                    diags.push(Diagnostic::new(
                        at(*prop_at),
                        format!("`{name}` is declared twice in `{}`", def.name),
                    ));
                    continue;
                }
                let mut field = Field::new(name.clone(), parsed.ty);
                field.optional = parsed.optional;
                fields.push(field);
            }
            Err((offset, message)) => diags.push(Diagnostic::new(at(ty_at + offset), message)),
        }
    }
    Type::Object { fields }
}

/// Warns when the envelope's `event_type` literal names another event than the page.
fn check_event_type(
    name: &str,
    envelope: &Typedef,
    parsed: &Type,
    at: &dyn Fn(usize) -> Span,
    warnings: &mut Vec<Diagnostic>,
) {
    let Type::Object { fields } = parsed else { return };
    let Some(Field {
        ty: Type::Enum { values },
        ..
    }) = fields.iter().find(|f| f.name == "event_type")
    else {
        return;
    };
    if !values.iter().any(|v| v == name) {
        let prop = envelope.props.iter().find(|p| p.name == "event_type");
        let span = prop.map_or(Span::new(1, 1), |p| at(p.ty_at));
        warnings.push(Diagnostic::new(
            span,
            format!(
                "`{ENVELOPE}` declares event_type `{}`, but the page is `{name}`: `{name}` is taken",
                values.join("|")
            ),
        ));
    }
}

/// The `original_type` values the envelope's `resource` declares as literals.
fn resource_original_types(envelope: &Type) -> Vec<String> {
    let Type::Object { fields } = envelope else {
        return Vec::new();
    };
    let Some(Field {
        ty: Type::Object { fields: resource },
        ..
    }) = fields.iter().find(|f| f.name == "resource")
    else {
        return Vec::new();
    };
    match resource.iter().find(|f| f.name == "original_type").map(|f| &f.ty) {
        Some(Type::Enum { values }) => values.clone(),
        _ => Vec::new(),
    }
}

/// The first JSON example of the envelope (`details: false`, section `req.body`) or of the
/// decrypted resource (`details: true`, in the `::: details` container), with its position.
/// An example that does not parse is reported as a warning and skipped.
fn examples(
    page: &WebhookPage<'_>,
    details: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Option<(serde_json::Value, Span)> {
    let block: &Fenced = page.blocks.iter().find(|b| {
        b.lang == "json" && b.in_details == details && (details || b.section.as_deref() == Some("req.body"))
    })?;
    let span = page.fence(block);
    match example::parse(&block.content) {
        Ok(value) => Some((value, span)),
        Err(message) => {
            warnings.push(Diagnostic::new(
                span,
                format!("the JSON example does not parse ({message}); it is not used"),
            ));
            None
        }
    }
}
