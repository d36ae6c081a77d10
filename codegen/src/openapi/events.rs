//! Lowering the top-level `x-webhooks` extension to IR [`Event`]s (OpenAPI 3.0 has no
//! `webhooks` object; 3.1's is keyed by name with a path item, more than a signed POST of one
//! payload needs):
//!
//! ```yaml
//! x-webhooks:
//!   - action: order.paid          # the name on the wire (Wonder's `X-Action`)
//!     summary: The order was paid.
//!     payload: {$ref: '#/components/schemas/OrderEvent'}
//! ```

use serde_json::Value;

use super::schema::{self, SRef};
use super::{Cx, Ptr};
use crate::ir::Event;

/// The events of the document's `x-webhooks`, in their order; each malformed entry or a name
/// given twice is a diagnostic.
pub(crate) fn events(cx: &mut Cx) -> Vec<Event> {
    let api = cx.api;
    let at = Ptr::root().join("x-webhooks");
    let Some(value) = api.extensions.get("x-webhooks") else {
        return Vec::new();
    };
    let Some(entries) = value.as_array() else {
        cx.error(&at, "`x-webhooks` must be a list of {action, summary, payload}");
        return Vec::new();
    };
    let mut out: Vec<Event> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = at.join(i);
        let text = |key: &str| entry.get(key).and_then(Value::as_str);
        let reference = entry
            .get("payload")
            .and_then(|p| p.get("$ref"))
            .and_then(Value::as_str);
        let (Some(name), Some(reference)) = (text("action"), reference) else {
            cx.error(
                &at,
                "a webhook needs `action` (its name) and `payload: {$ref: '#/components/schemas/…'}`",
            );
            continue;
        };
        if out.iter().any(|e| e.name == name) {
            cx.error(&at.join("action"), format!("webhook `{name}` is declared twice"));
            continue;
        }
        let payload = schema::lower(cx, SRef::Ref(reference), &at.join("payload"));
        out.push(Event {
            name: name.to_owned(),
            summary: text("summary").map(str::to_owned),
            links: Vec::new(),
            original_types: Vec::new(),
            payload,
            payload_type_name: None,
            xml: None,
        });
    }
    out
}
