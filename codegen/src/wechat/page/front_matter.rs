//! The YAML front matter of a page: splitting it off, a linear pre-scan for nesting and
//! aliases, and parsing it with `serde_norway`.
//!
//! The pre-scan exists because the YAML scanner behind `serde_norway` (libyaml) re-checks every
//! open flow collection (`[` / `{`) for each token it reads, so `[[[[…]]]]` nested `n` deep
//! costs O(n²) before any depth limit of the deserializer applies (40 000 levels: 5–11 s). The
//! scan rejects such input in linear time, so the YAML library only ever sees front matter
//! nested at most [`MAX_FRONT_MATTER_DEPTH`] levels deep.
//!
//! The same scan rejects YAML aliases (`*name`): loading one copies its anchor's whole content,
//! so a 1 MB front matter of aliases to one 100-item anchor loads as ~10⁷ values (3 s, 1.2 GB).
//! Real front matter (`title`, `description`) never uses them.

use serde_norway::Value;

use super::{MAX_FRONT_MATTER_DEPTH, PageIndex};
use crate::diag::{Diagnostic, Span};

/// `title` and `description` of the front matter, and the page a redirect page sends readers
/// to (see [`redirect`]).
pub(super) type FrontMatter = (Option<String>, Option<String>, Option<String>);

/// Splits off and parses the front matter. Returns its `title` / `description` (when it could be
/// parsed) and the byte offset where the Markdown body starts.
pub(super) fn front_matter(
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
    if let Some((at, problem)) = prescan(yaml, MAX_FRONT_MATTER_DEPTH) {
        let message = match problem {
            Problem::TooDeep => format!(
                "the YAML front matter nests more than {MAX_FRONT_MATTER_DEPTH} levels deep here \
                 (each indentation level, `- ` / `? ` item and open `[` / `{{` counts as one); \
                 front matter this deep is rejected before parsing"
            ),
            Problem::Alias => "YAML aliases (`*name`) are not allowed in the front matter: each \
                               one copies its anchor's content, so a few can multiply the work \
                               of loading it; write the value out instead"
                .to_owned(),
        };
        diags.push(Diagnostic::new(index.span(yaml_start + at), message));
        return (None, body_start);
    }
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
        Value::Null => return (Some((None, None, None)), body_start),
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
    let moved_to = redirect(&mapping);
    (Some((title, description, moved_to)), body_start)
}

/// The target of a redirect page, as a docs source (`openapi/v2/mmpaysptrans/query_bank.md`):
/// the `url=` of a `head` entry `[meta, {http-equiv: refresh, content:
/// "0;url=/openapi/v2/mmpaysptrans/query_bank"}]`.
fn redirect(mapping: &serde_norway::Mapping) -> Option<String> {
    let Some(Value::Sequence(head)) = mapping.get("head") else {
        return None;
    };
    head.iter().find_map(|entry| {
        let Value::Sequence(parts) = entry else {
            return None;
        };
        parts.iter().find_map(|part| {
            let attributes = part.as_mapping()?;
            let refresh = attributes
                .get("http-equiv")
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
            let content = attributes.get("content").and_then(Value::as_str)?;
            let (_, url) = content.split_once("url=")?;
            (refresh && !url.trim().is_empty()).then(|| redirect_source(url.trim()))
        })
    })
}

/// The docs source of a redirect's URL: `/openapi/v2/mmpaysptrans/query_bank` →
/// `openapi/v2/mmpaysptrans/query_bank.md` (`/x/` → `x/index.md`).
fn redirect_source(url: &str) -> String {
    let path = url
        .split(['#', '?'])
        .next()
        .unwrap_or(url)
        .trim_start_matches('/');
    match path.strip_suffix('/') {
        Some(dir) => format!("{dir}/index.md"),
        None if path.ends_with(".md") => path.to_owned(),
        None => format!("{}.md", path.strip_suffix(".html").unwrap_or(path)),
    }
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

/// What [`prescan`] rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Problem {
    /// Nesting deeper than the limit, at the node or bracket that opens the first level too many.
    TooDeep,
    /// An alias (`*name`), at its `*`.
    Alias,
}

/// The first problem in `yaml` with its byte offset: nesting deeper than `max` levels (at the
/// node or bracket that opens level `max + 1`) or an alias (at its `*`); `None` when there is
/// neither.
///
/// This is a linear scan, not a YAML parser. The depth at a point is the number of enclosing
/// block levels (distinct indentations, plus one per compact `- ` / `? ` / `: ` indicator on a
/// line) plus the number of open flow collections (`[` / `{`). A `[` / `{` counts when it starts
/// a node (at the start of a line, after an indicator, or anywhere inside a flow collection);
/// quoted scalars, comments and the content of block scalars (`|` / `>`) are skipped. The count
/// can exceed the YAML tree's depth by one or two (a scalar on its own line is a level), never
/// by more, so a page just under the limit still parses.
pub(super) fn prescan(yaml: &str, max: usize) -> Option<(usize, Problem)> {
    let mut scan = DepthScan {
        max,
        block: Vec::new(),
        flow: 0,
        quote: None,
        block_scalar: None,
    };
    let mut base = 0;
    for line in yaml.split_inclusive('\n') {
        if let Err((at, problem)) = scan.line(line.as_bytes()) {
            return Some((base + at, problem));
        }
        base += line.len();
    }
    None
}

/// State of [`prescan`] between lines.
struct DepthScan {
    max: usize,
    /// Columns where the enclosing block nodes start, innermost last (at most `max` entries).
    block: Vec<usize>,
    /// Open flow collections.
    flow: usize,
    /// The quote (`'` or `"`) of a quoted scalar that continues on the next line.
    quote: Option<u8>,
    /// Indentation of the line that opened a block scalar being skipped.
    block_scalar: Option<usize>,
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl DepthScan {
    /// Checks the depth after a new level starting at byte `at` of the line.
    fn check(&self, at: usize) -> Result<(), (usize, Problem)> {
        if self.block.len() + self.flow > self.max {
            Err((at, Problem::TooDeep))
        } else {
            Ok(())
        }
    }

    /// Scans one line (with its `\n`); `Err` carries the problem and its byte offset in the
    /// line.
    fn line(&mut self, line: &[u8]) -> Result<(), (usize, Problem)> {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let content = line.get(indent..).unwrap_or(&[]);
        let blank = content.iter().all(|&b| is_blank(b));
        if let Some(header) = self.block_scalar {
            if blank || indent > header {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut i = 0;
        if self.quote.is_none() && self.flow == 0 {
            if blank || content.first() == Some(&b'#') {
                return Ok(());
            }
            while self.block.last().is_some_and(|&c| c >= indent) {
                self.block.pop();
            }
            i = indent;
            self.block.push(i);
            self.check(i)?;
            // Compact nested collections: `- - x`, `? - x`, `- key: …`.
            while line.get(i).is_some_and(|&b| matches!(b, b'-' | b'?' | b':'))
                && line.get(i + 1).is_none_or(|&b| is_blank(b))
            {
                i += 1;
                while line.get(i).is_some_and(|&b| b == b' ') {
                    i += 1;
                }
                if line.get(i).is_none_or(|&b| is_blank(b) || b == b'#') {
                    break;
                }
                self.block.push(i);
                self.check(i)?;
            }
        }
        self.rest(line, i, indent)
    }

    /// Scans the line from byte `i` on for quotes, comments, brackets, aliases and block
    /// scalars.
    fn rest(&mut self, line: &[u8], mut i: usize, indent: usize) -> Result<(), (usize, Problem)> {
        let mut node_start = true;
        while let Some(&b) = line.get(i) {
            if let Some(quote) = self.quote {
                if b == b'\\' && quote == b'"' {
                    i += 1; // the escaped character
                } else if b == b'\'' && quote == b'\'' && line.get(i + 1) == Some(&b'\'') {
                    i += 1; // `''` inside '…'
                } else if b == quote {
                    self.quote = None;
                    node_start = false;
                }
                i += 1;
                continue;
            }
            match b {
                _ if is_blank(b) => {}
                b'#' if i == 0 || line.get(i - 1).is_some_and(|&p| is_blank(p)) => return Ok(()),
                b'"' | b'\'' if node_start => self.quote = Some(b),
                b'[' | b'{' if node_start || self.flow > 0 => {
                    self.flow += 1;
                    self.check(i)?;
                    node_start = true;
                }
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    node_start = false;
                }
                b',' if self.flow > 0 => node_start = true,
                b':' if self.flow > 0 || line.get(i + 1).is_none_or(|&n| is_blank(n)) => {
                    node_start = true;
                }
                b'|' | b'>' if node_start && self.flow == 0 => {
                    self.block_scalar = Some(indent);
                    return Ok(());
                }
                b'*' if node_start => return Err((i, Problem::Alias)),
                b'&' | b'!' if node_start => {
                    // An anchor or tag: the node follows it.
                    while line.get(i + 1).is_some_and(|&n| !is_blank(n)) {
                        i += 1;
                    }
                }
                _ => node_start = false,
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Problem, prescan};

    fn too_deep_at(yaml: &str, max: usize) -> Option<usize> {
        match prescan(yaml, max) {
            Some((at, Problem::TooDeep)) => Some(at),
            Some((_, Problem::Alias)) => panic!("unexpected alias in {yaml:?}"),
            None => None,
        }
    }

    #[test]
    fn real_front_matter_is_shallow() {
        let yaml = "title: JSAPI下单\ndescription: 商户 [官方文档](https://x) it's {x} *y* [[[[\n";
        assert_eq!(too_deep_at(yaml, 1), None);
    }

    #[test]
    fn block_levels_count() {
        assert_eq!(too_deep_at("a:\n  b:\n    c: 1\n", 3), None);
        assert_eq!(too_deep_at("a:\n  b:\n    c: 1\n", 2), Some(12));
        assert_eq!(too_deep_at("a:\n- - - x\n", 3), Some(9));
        assert_eq!(too_deep_at("a:\n  b: 1\nc:\n  d: 1\n", 2), None);
    }

    #[test]
    fn flow_levels_count() {
        assert_eq!(too_deep_at("x: [[1]]\n", 3), None);
        assert_eq!(too_deep_at("x: [[[1]]]\n", 3), Some(5));
        assert_eq!(too_deep_at("x: {a: {a: {a: 1}}}\n", 3), Some(11));
        assert_eq!(too_deep_at("x: [\n  [\n   [1]]]\n", 3), Some(12));
        assert_eq!(too_deep_at("x: [1], y: [[1]]\n", 3), None);
    }

    #[test]
    fn quotes_comments_and_block_scalars_are_skipped() {
        assert_eq!(too_deep_at("x: '[[[[ '' [[ *a'\n", 1), None);
        assert_eq!(too_deep_at("x: \"[[[[ \\\" [[\"\n", 1), None);
        assert_eq!(too_deep_at("x: \"[[\n  [[[\"\n", 2), None);
        assert_eq!(too_deep_at("x: 1 # [[[[ *a\n# [[[[\n", 1), None);
        assert_eq!(too_deep_at("x: |\n  [[[[ *a\n    [[[\ny: 1\n", 2), None);
        assert_eq!(too_deep_at("x: &a [[1]]\n", 2), Some(7));
    }

    #[test]
    fn aliases_are_found_where_a_node_starts() {
        assert_eq!(prescan("a: &x 1\nb: *x\n", 64), Some((11, Problem::Alias)));
        assert_eq!(prescan("a: [1, *x]\n", 64), Some((7, Problem::Alias)));
        assert_eq!(prescan("a:\n- *x\n", 64), Some((5, Problem::Alias)));
        assert_eq!(prescan("a: 2*x\n", 64), None);
    }
}
