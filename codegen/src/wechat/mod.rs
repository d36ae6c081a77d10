//! Front-end for the WeChat Pay docs format (one markdown page per endpoint).

pub mod event;
pub mod example;
pub mod facts;
pub mod indexed;
pub mod jsdoc;
pub mod lower;
pub mod merge;
pub mod page;
mod segments;
pub mod share;
pub mod ts;
pub mod xml_event;

use crate::diag::Diagnostic;
pub use event::import_webhook_page;
pub use lower::Lowered;
pub use xml_event::import_webhook_v2_page;

/// Parses one docs page and lowers it to the IR (with the warnings of [`Lowered`]).
///
/// `source` is the page's path in the docs repository (e.g. `openapi/v3/pay/transactions/jsapi.md`).
///
/// # Errors
/// All problems found, each at a line and column of the page.
pub fn import_page(source: &str, text: &str) -> Result<Lowered, Vec<Diagnostic>> {
    let page = page::parse_page(text)?;
    lower::lower(&page, source)
}
