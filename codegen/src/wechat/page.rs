//! Parsing one WeChat Pay docs page: YAML front matter, prose, and the `js twoslash` code
//! block(s) whose `// @filename: virtual.ts` part declares the API in TypeScript.

mod front_matter;
pub mod webhook;

use std::cell::Cell;
use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::ts;
use crate::diag::{Diagnostic, Span};
use front_matter::front_matter;

/// The largest page accepted, in bytes (4 MiB). A larger page is rejected with one diagnostic
/// at the first character past the limit, without parsing anything.
///
/// The largest real docs page is about 56 KB, so this leaves ample room while bounding the
/// time and memory one page can cost (parsing is linear: under 0.1 s per MB in release mode).
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// The deepest nesting accepted in the YAML front matter, in levels (64). Deeper front matter is
/// rejected before it reaches the YAML library, with a diagnostic at the node or bracket that
/// opens level 65.
///
/// A level is an indentation level of block structure (`key:` lines indented under a key, and
/// each compact `- ` / `? ` item marker on a line) or an open flow collection (`[` or `{`);
/// a top-level `key: value` is level 1. Real front matter is one level deep (`title` and
/// `description`). The limit exists because the YAML scanner's cost per token grows with the
/// number of open `[` / `{`, making deep flow nesting quadratic; it also stays below the YAML
/// deserializer's own recursion limit (128), so anything accepted here can be loaded.
pub const MAX_FRONT_MATTER_DEPTH: usize = 64;

/// One parsed docs page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `title` from the front matter (numbers and booleans are converted to text).
    pub title: Option<String>,
    /// `description` from the front matter.
    pub description: Option<String>,
    /// Where a redirect page (front matter `head: [[meta, {http-equiv: refresh, content:
    /// "0;url=…"}]]`, no code block) sends its readers, as a docs source
    /// (`openapi/v2/mmpaysptrans/query_bank.md`).
    pub moved_to: Option<String>,
    /// The declarations of every `virtual.ts` part on the page, concatenated in page order.
    ///
    /// Most pages have one `js twoslash` block; pages documenting several HTTP methods of one
    /// path have one block per method (see [`Page::blocks`]).
    pub module: ts::Module,
    /// One entry per `js twoslash` block, in page order.
    pub blocks: Vec<Block>,
    /// Destinations of the Markdown links in the prose (`[官方文档](https://…)`), in page order,
    /// duplicates removed.
    pub links: Vec<String>,
}

/// One `js twoslash` code block of a page and the prose section it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Text of the nearest heading before the block, as written (often
    /// `{{ $frontmatter.title }}`, a template the docs site fills with the page title).
    pub heading: Option<String>,
    /// The `{#id}` attribute of that heading: the HTTP method in lower case (`post`, `get`).
    pub anchor: Option<String>,
    /// Link destinations in the prose between that heading and the block.
    pub links: Vec<String>,
    /// Link destinations in the prose after the block, up to the next heading or block (the
    /// `参阅 [官方文档](…)` line newer pages carry after the code).
    pub trailing_links: Vec<String>,
    /// The block's declarations: indices into `Page::module.items`.
    pub items: Range<usize>,
    /// Position of the block's opening fence.
    pub span: Span,
}

/// Parses a WeChat Pay docs page.
///
/// The page is YAML front matter between `---` lines (keys `title` and `description`; other keys
/// are ignored), Markdown prose, and at least one fenced code block with the info string
/// `js twoslash`. In each such block, the lines after `// @filename: virtual.ts` up to the next
/// `// @filename: …` line (or the end of the block) are TypeScript declarations, parsed with
/// [`ts`]; the rest (example JavaScript) is ignored. All spans, in the AST and in diagnostics,
/// are positions in `text` (1-based line and column, columns in `char`s, lines split at `\n`).
///
/// # Errors
///
/// Every problem found, in page order: missing or unclosed front matter, front matter nested
/// deeper than [`MAX_FRONT_MATTER_DEPTH`] or using a YAML alias (`*name`, which would copy
/// its anchor's content each time), invalid YAML (at the position the YAML parser reports), a
/// front matter that is not a mapping or whose `title` / `description` is not a scalar, no
/// `js twoslash` block, a block without a `// @filename: virtual.ts` line, and the first
/// TypeScript syntax error of each block (including types or namespaces nested deeper than
/// [`ts::MAX_DEPTH`]). A page longer than [`MAX_PAGE_BYTES`] gets only one diagnostic, at the
/// first character past the limit. Never panics.
///
/// # Performance
///
/// Time and memory are linear in the length of `text`: nesting limits are checked while
/// scanning (the front matter's by a linear pre-scan before the YAML library sees it),
/// positions are found by binary search over precomputed line starts, and TypeScript is
/// tokenized on demand, so a syntax error stops the work where it is found.
pub fn parse_page(text: &str) -> Result<Page, Vec<Diagnostic>> {
    if text.len() > MAX_PAGE_BYTES {
        return Err(vec![page_too_large(text)]);
    }
    let index = PageIndex::new(text);
    let mut diags = Vec::new();

    let (front, body_start) = front_matter(text, &index, &mut diags);
    let (title, description, moved_to) = front.unwrap_or_default();

    let body = text.get(body_start..).unwrap_or("");
    let mut module = ts::Module::default();
    let mut blocks: Vec<Block> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    // Sets beside `links` and the last block's `trailing_links`, so that deduplicating stays
    // linear (a `Vec::contains` per link made pages with many links quadratic).
    let mut seen_links: HashSet<String> = HashSet::new();
    let mut seen_trailing: HashSet<String> = HashSet::new();
    let mut section_links: Vec<String> = Vec::new();
    let mut heading: (Option<String>, Option<String>) = (None, None);
    let mut open_heading: Option<(String, Option<String>)> = None;
    let mut open_block: Option<CodeBlock> = None;
    // True from the end of a block to the next heading or block: links then trail that block.
    let mut after_block = false;

    let events = Parser::new_ext(body, Options::ENABLE_HEADING_ATTRIBUTES).into_offset_iter();
    for (event, range) in events {
        let start = body_start + range.start;
        let end = body_start + range.end;
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                after_block = false;
                open_heading = Some((String::new(), id.map(|id| id.to_string())));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((text, id)) = open_heading.take() {
                    heading = (Some(text.trim().to_owned()), id);
                    section_links.clear();
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.to_string();
                if seen_links.insert(url.clone()) {
                    links.push(url.clone());
                }
                if let Some(block) = blocks.last_mut().filter(|_| after_block) {
                    if seen_trailing.insert(url.clone()) {
                        block.trailing_links.push(url.clone());
                    }
                }
                section_links.push(url);
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_twoslash(&info) => {
                after_block = false;
                open_block = Some(CodeBlock {
                    fence: start,
                    content: String::new(),
                    chunks: Vec::new(),
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(block) = open_block.as_mut() {
                    block.push(&t, text, start..end);
                } else if let Some((heading_text, _)) = open_heading.as_mut() {
                    heading_text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = open_block.take() {
                    let block = finish_block(
                        block,
                        &index,
                        &heading,
                        std::mem::take(&mut section_links),
                        &mut module,
                        &mut diags,
                    );
                    blocks.push(block);
                    after_block = true;
                    seen_trailing.clear();
                }
            }
            _ => {}
        }
    }
    if let Some(block) = open_block.take() {
        let block = finish_block(block, &index, &heading, section_links, &mut module, &mut diags);
        blocks.push(block);
    }
    if blocks.is_empty() && moved_to.is_none() {
        diags.push(Diagnostic::new(
            index.span(body_start),
            "no ```js twoslash code block found: the page must declare its API in one",
        ));
    }

    if diags.is_empty() {
        Ok(Page {
            title,
            description,
            moved_to,
            module,
            blocks,
            links,
        })
    } else {
        Err(diags)
    }
}

/// Whether a fenced block's info string is `js twoslash` (or `ts twoslash`).
fn is_twoslash(info: &str) -> bool {
    let mut words = info.split_whitespace();
    let lang = words.next().unwrap_or("");
    matches!(lang, "js" | "ts" | "javascript" | "typescript") && words.any(|w| w == "twoslash")
}

/// The file name of a `// @filename: NAME` line.
fn filename_directive(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("//")?
        .trim_start()
        .strip_prefix("@filename:")
        .map(str::trim)
}

/// A piece of a code block's content and where it comes from in the page.
struct Chunk {
    /// Byte offset of the piece in [`CodeBlock::content`].
    content_start: usize,
    /// Byte offset in the page where the piece starts.
    page_start: usize,
    /// The piece is a verbatim copy of the page from `page_start` (not text that the Markdown
    /// parser synthesized, such as indentation spaces).
    real: bool,
}

/// A `js twoslash` block being collected.
struct CodeBlock {
    /// Byte offset of the opening fence in the page.
    fence: usize,
    /// The block's content as the Markdown parser reports it.
    content: String,
    chunks: Vec<Chunk>,
}

impl CodeBlock {
    /// Appends `piece`, which the Markdown parser reported at `range` of the page `text`.
    fn push(&mut self, piece: &str, text: &str, range: Range<usize>) {
        let real = text.get(range.clone()) == Some(piece);
        self.chunks.push(Chunk {
            content_start: self.content.len(),
            page_start: range.start,
            real,
        });
        self.content.push_str(piece);
    }

    /// The page byte offset of byte `offset` of the content.
    fn page_offset(&self, offset: usize) -> usize {
        let i = self.chunks.partition_point(|c| c.content_start <= offset);
        match i.checked_sub(1).and_then(|i| self.chunks.get(i)) {
            Some(c) if c.real => c.page_start + (offset - c.content_start),
            Some(c) => c.page_start,
            None => self.fence,
        }
    }
}

/// Parses the `virtual.ts` part of `block` into `module`, recording problems in `diags`.
fn finish_block(
    block: CodeBlock,
    index: &PageIndex<'_>,
    heading: &(Option<String>, Option<String>),
    links: Vec<String>,
    module: &mut ts::Module,
    diags: &mut Vec<Diagnostic>,
) -> Block {
    let span = index.span(block.fence);
    let first_item = module.items.len();
    let mut ts_start = None;
    let mut ts_end = block.content.len();
    let mut offset = 0;
    for line in block.content.split_inclusive('\n') {
        if let Some(name) = filename_directive(line) {
            if ts_start.is_some() {
                ts_end = offset;
                break;
            }
            if name == "virtual.ts" {
                ts_start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    match ts_start {
        None => diags.push(Diagnostic::new(
            span,
            "this ```js twoslash block has no `// @filename: virtual.ts` line, so it declares no API",
        )),
        Some(ts_start) => {
            let src = block.content.get(ts_start..ts_end).unwrap_or("");
            let map = |loc: ts::Loc| index.span(block.page_offset(ts_start + loc.offset));
            match ts::parse_module_mapped(src, &map) {
                Ok(parsed) => module.items.extend(parsed.items),
                Err(errors) => diags.extend(errors),
            }
        }
    }
    Block {
        heading: heading.0.clone(),
        anchor: heading.1.clone(),
        links,
        trailing_links: Vec::new(),
        items: first_item..module.items.len(),
        span,
    }
}

/// The diagnostic for a page longer than [`MAX_PAGE_BYTES`], at the first character past the
/// limit. Reads only the first [`MAX_PAGE_BYTES`] bytes.
#[cold]
fn page_too_large(text: &str) -> Diagnostic {
    let mut limit = MAX_PAGE_BYTES.min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let head = text.get(..limit).unwrap_or("");
    let (line, line_start) = head
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .fold((1usize, 0usize), |(n, _), (i, _)| (n + 1, i + 1));
    let column = head.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Diagnostic::new(
        Span::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        ),
        format!(
            "the page is {} bytes long, more than the limit of {MAX_PAGE_BYTES} bytes (4 MiB); \
             it is rejected unread from here on",
            text.len()
        ),
    )
}

/// Converts byte offsets of a page into 1-based line / column positions.
struct PageIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The last conversion: (line index, byte offset, column), to make sequential lookups on one
    /// long line linear rather than quadratic.
    last: Cell<(usize, usize, u32)>,
}

impl<'a> PageIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        PageIndex {
            text,
            line_starts,
            last: Cell::new((0, 0, 1)),
        }
    }

    fn span(&self, offset: usize) -> Span {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line).copied().unwrap_or(0);
        let (last_line, last_offset, last_column) = self.last.get();
        let (from, base) = if last_line == line && last_offset >= line_start && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (line_start, 1)
        };
        let counted = self.text.get(from..offset).map_or(0, |s| s.chars().count());
        let column = base.saturating_add(u32::try_from(counted).unwrap_or(u32::MAX));
        self.last.set((line, offset, column));
        Span::new(u32::try_from(line + 1).unwrap_or(u32::MAX), column)
    }
}
