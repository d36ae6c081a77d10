//! Tokenizer for the TypeScript declaration subset.
//!
//! Comments are dropped, except that a `/** … */` comment is parsed into a [`Doc`] and attached
//! to the token that follows it. Tokens are produced on demand ([`Lexer::next_token`]); the
//! token stream ends with [`TokenKind::Eof`] or, when the source cannot be tokenized further,
//! with [`TokenKind::Error`]. The whole source is tokenized in time linear in its length.

use super::ast::{Doc, DocTag};
use crate::diag::Span;

/// A position in the tokenized source: byte offset and 0-based line / column (in `char`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An identifier or keyword.
    Ident(String),
    /// A string literal, unescaped.
    Str(String),
    /// A number literal, as written.
    Num(String),
    /// Any other single character.
    Punct(char),
    /// `...`
    Ellipsis,
    /// `=>`
    Arrow,
    /// End of the source.
    Eof,
    /// The source cannot be tokenized here; the message says why.
    Error(String),
}

/// One token with its page position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// A line break (possibly inside a comment) separates this token from the previous one.
    pub newline_before: bool,
    /// The last `/** … */` comment between the previous token and this one.
    pub doc: Option<Doc>,
}

struct Cursor<'a> {
    src: &'a str,
    offset: usize,
    line: usize,
    column: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.offset..).and_then(|s| s.chars().next())
    }

    fn peek_nth(&self, n: usize) -> Option<char> {
        self.src.get(self.offset..).and_then(|s| s.chars().nth(n))
    }

    fn starts_with(&self, pat: &str) -> bool {
        self.src.get(self.offset..).is_some_and(|s| s.starts_with(pat))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 0;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn loc(&self) -> Loc {
        Loc {
            offset: self.offset,
            line: self.line,
            column: self.column,
        }
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '\u{200c}' || c == '\u{200d}'
}

/// Tokenizes `src` lazily, one token per [`Lexer::next_token`] call, so the parser holds only
/// its lookahead and a syntax error (such as nesting deeper than the parser's limit) stops the
/// work at that point instead of after tokenizing the whole source.
pub(crate) struct Lexer<'a> {
    cur: Cursor<'a>,
    /// Turns a source location into a page position.
    map: &'a dyn Fn(Loc) -> Span,
    /// A line break was seen since the previous token.
    newline: bool,
    /// The last doc comment since the previous token.
    doc: Option<Doc>,
    /// The final token (`Eof` or `Error`), once produced; returned again on every later call.
    last: Option<Token>,
}

impl<'a> Lexer<'a> {
    /// A lexer over `src`; `map` turns a source location into a page position.
    pub(crate) fn new(src: &'a str, map: &'a dyn Fn(Loc) -> Span) -> Self {
        Lexer {
            cur: Cursor {
                src,
                offset: 0,
                line: 0,
                column: 0,
            },
            map,
            newline: false,
            doc: None,
            last: None,
        }
    }

    /// The next token. After the source's end (or a tokenizer error) every call returns the
    /// same final [`TokenKind::Eof`] (or [`TokenKind::Error`]) token. Each call takes time
    /// linear in the characters it consumes.
    pub(crate) fn next_token(&mut self) -> Token {
        if let Some(last) = &self.last {
            return last.clone();
        }
        let (kind, loc) = self.scan();
        let token = Token {
            kind,
            span: (self.map)(loc),
            newline_before: std::mem::take(&mut self.newline),
            doc: self.doc.take(),
        };
        if matches!(token.kind, TokenKind::Eof | TokenKind::Error(_)) {
            self.last = Some(token.clone());
        }
        token
    }

    /// Skips blanks and comments, then scans one token; returns it with its start.
    fn scan(&mut self) -> (TokenKind, Loc) {
        let cur = &mut self.cur;
        loop {
            let Some(c) = cur.peek() else {
                return (TokenKind::Eof, cur.loc());
            };
            if is_blank(c) {
                self.newline |= is_line_break(c);
                cur.bump();
                continue;
            }
            let start = cur.loc();
            if cur.starts_with("//") {
                while cur.peek().is_some_and(|c| c != '\n') {
                    cur.bump();
                }
                continue;
            }
            if cur.starts_with("/*") {
                let is_doc = cur.starts_with("/**") && !cur.starts_with("/**/");
                let skip = if is_doc { 3 } else { 2 };
                for _ in 0..skip {
                    cur.bump();
                }
                let body_start = cur.offset;
                while !cur.starts_with("*/") {
                    if cur.bump().is_none() {
                        let what = if is_doc {
                            "unterminated doc comment: `/**` has no closing `*/`"
                        } else {
                            "unterminated block comment: `/*` has no closing `*/`"
                        };
                        return (TokenKind::Error(what.to_owned()), start);
                    }
                }
                let body = cur.src.get(body_start..cur.offset).unwrap_or("");
                cur.bump();
                cur.bump();
                self.newline |= body.chars().any(is_line_break);
                if is_doc {
                    self.doc = Some(parse_doc(body));
                }
                continue;
            }
            let kind = if is_ident_start(c) {
                let mut s = String::new();
                while let Some(c) = cur.peek().filter(|&c| is_ident_continue(c)) {
                    s.push(c);
                    cur.bump();
                }
                TokenKind::Ident(s)
            } else if c.is_ascii_digit() || (c == '.' && cur.peek_nth(1).is_some_and(|d| d.is_ascii_digit()))
            {
                lex_number(cur)
            } else if c == '\'' || c == '"' {
                match lex_string(cur) {
                    Ok(s) => TokenKind::Str(s),
                    Err((loc, msg)) => return (TokenKind::Error(msg), loc),
                }
            } else if c == '`' {
                TokenKind::Error("template literals are not supported".to_owned())
            } else if cur.starts_with("...") {
                for _ in 0..3 {
                    cur.bump();
                }
                TokenKind::Ellipsis
            } else if cur.starts_with("=>") {
                cur.bump();
                cur.bump();
                TokenKind::Arrow
            } else {
                cur.bump();
                TokenKind::Punct(c)
            };
            return (kind, start);
        }
    }
}

fn lex_number(cur: &mut Cursor<'_>) -> TokenKind {
    let mut s = String::new();
    while let Some(c) = cur.peek() {
        let radix_prefixed = s.starts_with("0x")
            || s.starts_with("0X")
            || s.starts_with("0b")
            || s.starts_with("0B")
            || s.starts_with("0o")
            || s.starts_with("0O");
        let take = c.is_ascii_alphanumeric()
            || c == '_'
            || (c == '.' && !s.contains('.') && cur.peek_nth(1).is_some_and(|d| d.is_ascii_digit()))
            || ((c == '+' || c == '-') && !radix_prefixed && (s.ends_with('e') || s.ends_with('E')));
        if !take {
            break;
        }
        s.push(c);
        cur.bump();
    }
    if valid_number(&s) {
        TokenKind::Num(s)
    } else {
        TokenKind::Error(format!("invalid number literal `{}`", truncate(&s)))
    }
}

fn valid_number(s: &str) -> bool {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    let lower = plain.to_ascii_lowercase();
    let digits_ok = |rest: &str, radix: u32| !rest.is_empty() && rest.chars().all(|c| c.is_digit(radix));
    if let Some(rest) = lower.strip_prefix("0x") {
        digits_ok(rest, 16)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        digits_ok(rest, 2)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        digits_ok(rest, 8)
    } else {
        !s.ends_with('_')
            && lower
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
            && lower.parse::<f64>().is_ok()
    }
}

fn lex_string(cur: &mut Cursor<'_>) -> Result<String, (Loc, String)> {
    let open = cur.loc();
    let Some(quote) = cur.bump() else {
        return Err((open, "unterminated string literal".to_owned()));
    };
    let unterminated = || {
        (
            open,
            format!("unterminated string literal: the `{quote}` has no closing `{quote}` on its line"),
        )
    };
    let mut s = String::new();
    loop {
        match cur.peek() {
            None | Some('\n' | '\r') => return Err(unterminated()),
            Some(c) if c == quote => {
                cur.bump();
                return Ok(s);
            }
            Some('\\') => {
                let esc = cur.loc();
                cur.bump();
                let Some(c) = cur.bump() else {
                    return Err(unterminated());
                };
                match c {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    'v' => s.push('\u{b}'),
                    '0' => s.push('\0'),
                    '\r' => {
                        if cur.peek() == Some('\n') {
                            cur.bump();
                        }
                    }
                    '\n' | '\u{2028}' | '\u{2029}' => {}
                    'x' => {
                        let ch = hex_digits(cur, 2).and_then(char::from_u32);
                        match ch {
                            Some(ch) => s.push(ch),
                            None => {
                                return Err((
                                    esc,
                                    "invalid escape sequence: `\\x` must be followed by two hex digits"
                                        .to_owned(),
                                ));
                            }
                        }
                    }
                    'u' => {
                        let ch = if cur.peek() == Some('{') {
                            cur.bump();
                            let mut v: u32 = 0;
                            let mut n = 0;
                            while let Some(d) = cur.peek().and_then(|c| c.to_digit(16)) {
                                cur.bump();
                                v = v.saturating_mul(16).saturating_add(d);
                                n += 1;
                            }
                            if n > 0 && cur.peek() == Some('}') {
                                cur.bump();
                                char::from_u32(v)
                            } else {
                                None
                            }
                        } else {
                            hex_digits(cur, 4).and_then(char::from_u32)
                        };
                        match ch {
                            Some(ch) => s.push(ch),
                            None => {
                                return Err((esc, "invalid escape sequence: `\\u` must be followed by four hex digits or `{hex}` naming a Unicode scalar value".to_owned()));
                            }
                        }
                    }
                    other => s.push(other),
                }
            }
            Some(c) => {
                cur.bump();
                s.push(c);
            }
        }
    }
}

fn hex_digits(cur: &mut Cursor<'_>, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..n {
        let d = cur.peek()?.to_digit(16)?;
        cur.bump();
        v = v * 16 + d;
    }
    Some(v)
}

/// Shortens `s` for an error message.
pub(crate) fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = s.chars().take(MAX).flat_map(char::escape_debug).collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Parses the text between `/**` and `*/`.
pub(crate) fn parse_doc(body: &str) -> Doc {
    let mut doc = Doc::default();
    for raw in body.split('\n') {
        let line = raw.trim();
        let line = line.strip_prefix('*').unwrap_or(line).trim();
        if let Some(rest) = line.strip_prefix('@') {
            let name: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
            let text = rest.get(name.len()..).unwrap_or("").trim();
            if name == "link" {
                link_line(text, &mut doc);
            } else if !name.is_empty() {
                doc.tags.push(DocTag {
                    name,
                    text: text.to_owned(),
                });
            } else {
                doc.lines.push(line.to_owned());
            }
            continue;
        }
        let had_text = !line.is_empty();
        let line = inline_links(line, &mut doc.links);
        if had_text && line.is_empty() {
            continue;
        }
        doc.lines.push(line);
    }
    // One `drain`, not a `remove(0)` per line: that was quadratic in the number of blank lines.
    let leading = doc.lines.iter().take_while(|l| l.is_empty()).count();
    doc.lines.drain(..leading);
    while doc.lines.last().is_some_and(String::is_empty) {
        doc.lines.pop();
    }
    doc
}

/// Handles the text after a leading `@link`.
fn link_line(text: &str, doc: &mut Doc) {
    let first = text.split_whitespace().next().unwrap_or("");
    if first.contains("://") {
        doc.links.push(first.to_owned());
        return;
    }
    if text.is_empty() {
        return;
    }
    // Not a URL: keep the sentence, but still pick up `[text](url)` Markdown links.
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = rest.get(i + 2..).unwrap_or("");
        let Some(end) = after.find(')') else { break };
        let url = after.get(..end).unwrap_or("").trim();
        if !url.is_empty() {
            doc.links.push(url.to_owned());
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    let line = inline_links(text, &mut doc.links);
    if !line.is_empty() {
        doc.lines.push(line);
    }
}

/// Removes inline `{@link URL}` / `{@link URL text}` / `{@link URL|text}` tags from `line`,
/// pushing each URL to `links` and keeping the link text (if any) in place.
fn inline_links(line: &str, links: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("{@link") {
        let after = rest.get(i + "{@link".len()..).unwrap_or("");
        let Some(end) = after.find('}') else { break };
        out.push_str(rest.get(..i).unwrap_or(""));
        let inner = after.get(..end).unwrap_or("").trim();
        let (target, text) = match inner.find(|c: char| c == '|' || c.is_whitespace()) {
            Some(j) => (
                inner.get(..j).unwrap_or(""),
                inner.get(j + 1..).unwrap_or("").trim(),
            ),
            None => (inner, ""),
        };
        if !target.is_empty() {
            links.push(target.to_owned());
        }
        out.push_str(text);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out.trim().to_owned()
}
