//! Scanning one webhook (notification) page: front matter, the prose's links, and its fenced
//! code blocks: the `json` examples of the envelope and of the decrypted resource, and the
//! `js twoslash` block whose JSDoc `@typedef`s declare them.

use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::front_matter::front_matter;
use super::{CodeBlock, MAX_PAGE_BYTES, PageIndex, page_too_large};
use crate::diag::{Diagnostic, Span};

/// One scanned webhook page. Positions are resolved through [`WebhookPage::span`].
pub struct WebhookPage<'a> {
    /// `title` from the front matter (`支付成功通知(JSON)`).
    pub title: Option<String>,
    /// `description` from the front matter.
    pub description: Option<String>,
    /// Destinations of the Markdown links in the prose, in page order, duplicates removed.
    pub links: Vec<String>,
    /// Every fenced code block, in page order.
    pub blocks: Vec<Fenced>,
    index: PageIndex<'a>,
}

/// A fenced code block of a webhook page.
pub struct Fenced {
    /// The first word of the info string (`json`, `js`, `ansi`).
    pub lang: String,
    /// True for a `js twoslash` block.
    pub twoslash: bool,
    /// The `{#id}` of the nearest heading before the block (`req.body`, `app`).
    pub section: Option<String>,
    /// True when a `::: details` container was opened in the section before the block: the
    /// decrypted resource's example.
    pub in_details: bool,
    /// The block's text.
    pub content: String,
    block: CodeBlock,
}

impl WebhookPage<'_> {
    /// The page position of byte `offset` of `block`'s content.
    pub fn span(&self, block: &Fenced, offset: usize) -> Span {
        self.index.span(block.block.page_offset(offset))
    }

    /// The position of `block`'s opening fence.
    pub fn fence(&self, block: &Fenced) -> Span {
        self.index.span(block.block.fence)
    }
}

/// Scans a webhook page.
///
/// # Errors
/// A page longer than [`MAX_PAGE_BYTES`], or missing, unclosed or invalid front matter (as for
/// operation pages).
pub fn scan_webhook_page(text: &str) -> Result<WebhookPage<'_>, Vec<Diagnostic>> {
    if text.len() > MAX_PAGE_BYTES {
        return Err(vec![page_too_large(text)]);
    }
    let index = PageIndex::new(text);
    let mut diags = Vec::new();
    let (front, body_start) = front_matter(text, &index, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let (title, description, _) = front.unwrap_or_default();
    let body = text.get(body_start..).unwrap_or("");
    let mut links = Vec::new();
    let mut seen = HashSet::new();
    let mut blocks = Vec::new();
    let mut section: Option<String> = None;
    let mut in_details = false;
    let mut open: Option<(String, bool, CodeBlock)> = None;
    let events = Parser::new_ext(body, Options::ENABLE_HEADING_ATTRIBUTES).into_offset_iter();
    for (event, range) in events {
        let start = body_start + range.start;
        let end = body_start + range.end;
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                section = id.map(|id| id.to_string());
                in_details = false;
            }
            Event::Start(Tag::Link { dest_url, .. }) if seen.insert(dest_url.to_string()) => {
                links.push(dest_url.to_string());
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("").to_owned();
                let twoslash = words.any(|w| w == "twoslash");
                let block = CodeBlock {
                    fence: start,
                    content: String::new(),
                    chunks: Vec::new(),
                };
                open = Some((lang, twoslash, block));
            }
            Event::Text(t) => match open.as_mut() {
                Some((_, _, block)) => block.push(&t, text, start..end),
                None => {
                    if t.trim_start().starts_with(":::") && t.contains("details") {
                        in_details = true;
                    }
                }
            },
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, twoslash, block)) = open.take() {
                    blocks.push(Fenced {
                        lang,
                        twoslash,
                        section: section.clone(),
                        in_details,
                        content: block.content.clone(),
                        block,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(WebhookPage {
        title,
        description,
        links,
        blocks,
        index,
    })
}
