//! Parsing one WeChat Pay docs page: YAML front matter, prose, and the `js twoslash` code
//! block(s) whose `// @filename: virtual.ts` part declares the API in TypeScript.

use std::cell::Cell;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_norway::Value;

use super::ts;
use crate::diag::{Diagnostic, Span};

/// One parsed docs page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `title` from the front matter (numbers and booleans are converted to text).
    pub title: Option<String>,
    /// `description` from the front matter.
    pub description: Option<String>,
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
/// Every problem found, in page order: missing or unclosed front matter, invalid YAML (at the
/// position the YAML parser reports), a front matter that is not a mapping or whose `title` /
/// `description` is not a scalar, no `js twoslash` block, a block without a
/// `// @filename: virtual.ts` line, and the first TypeScript syntax error of each block.
/// Never panics.
pub fn parse_page(text: &str) -> Result<Page, Vec<Diagnostic>> {
    let index = PageIndex::new(text);
    let mut diags = Vec::new();

    let (front, body_start) = front_matter(text, &index, &mut diags);
    let (title, description) = front.unwrap_or_default();

    let body = text.get(body_start..).unwrap_or("");
    let mut module = ts::Module::default();
    let mut blocks: Vec<Block> = Vec::new();
    let mut links: Vec<String> = Vec::new();
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
                if !links.contains(&url) {
                    links.push(url.clone());
                }
                if let Some(block) = blocks.last_mut().filter(|_| after_block) {
                    if !block.trailing_links.contains(&url) {
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
                    let real = text.get(start..end) == Some(&*t);
                    block.chunks.push(Chunk {
                        content_start: block.content.len(),
                        page_start: start,
                        real,
                    });
                    block.content.push_str(&t);
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
                }
            }
            _ => {}
        }
    }
    if let Some(block) = open_block.take() {
        let block = finish_block(block, &index, &heading, section_links, &mut module, &mut diags);
        blocks.push(block);
    }
    if blocks.is_empty() {
        diags.push(Diagnostic::new(
            index.span(body_start),
            "no ```js twoslash code block found: the page must declare its API in one",
        ));
    }

    if diags.is_empty() {
        Ok(Page {
            title,
            description,
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

type FrontMatter = (Option<String>, Option<String>);

/// Splits off and parses the front matter. Returns its `title` / `description` (when it could be
/// parsed) and the byte offset where the Markdown body starts.
fn front_matter(
    text: &str,
    index: &PageIndex<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Option<FrontMatter>, usize) {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_start_matches('\u{feff}').trim_end() != "---" {
        diags.push(Diagnostic::new(
            Span::new(1, 1),
            "missing YAML front matter: a page must start with a `---` line, then \
             `title: …` and `description: …`, then another `---` line",
        ));
        return (None, 0);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut close = None;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        diags.push(Diagnostic::new(
            Span::new(1, 1),
            "the YAML front matter opened here is never closed: add a `---` line after it",
        ));
        return (None, yaml_start);
    };
    let yaml = text.get(yaml_start..yaml_end).unwrap_or("");
    let first_yaml_line = index.span(yaml_start).line;
    let value: Value = match serde_norway::from_str(yaml) {
        Ok(value) => value,
        Err(err) => {
            let at = err
                .location()
                .map_or(yaml_start, |l| yaml_start + l.index().min(yaml.len()));
            let message = shift_line_numbers(&err.to_string(), first_yaml_line.saturating_sub(1));
            diags.push(Diagnostic::new(
                index.span(at),
                format!("invalid YAML front matter: {message}"),
            ));
            return (None, body_start);
        }
    };
    let mapping = match value {
        Value::Null => return (Some((None, None)), body_start),
        Value::Mapping(mapping) => mapping,
        _ => {
            diags.push(Diagnostic::new(
                index.span(yaml_start),
                "the YAML front matter must be a mapping of `key: value` lines",
            ));
            return (None, body_start);
        }
    };
    let mut field = |key: &str| -> Option<String> {
        match mapping.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                let at = key_offset(yaml, key).map_or(yaml_start, |o| yaml_start + o);
                diags.push(Diagnostic::new(
                    index.span(at),
                    format!("front matter `{key}` must be a single line of text"),
                ));
                None
            }
        }
    };
    let title = field("title");
    let description = field("description");
    (Some((title, description)), body_start)
}

/// Byte offset of the line of `yaml` that starts with `key:`.
fn key_offset(yaml: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in yaml.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
        {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Rewrites each `line N column M` in a YAML error message to `line N+shift column M`, so the
/// message speaks of page lines.
fn shift_line_numbers(message: &str, shift: u32) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        let (before, after) = rest.split_at(i + "line ".len());
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (number, tail) = after.split_at(digits);
        match number.parse::<u32>() {
            Ok(n) if tail.starts_with(" column ") => {
                out.push_str(&n.saturating_add(shift).to_string());
            }
            _ => out.push_str(number),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
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
