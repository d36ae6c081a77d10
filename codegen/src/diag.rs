//! Diagnostics: problems found in input documents, with the position where they occur.

use std::fmt;

/// A position in an input document (for WeChat pages: in the original page file).
///
/// Both fields are 1-based. `column` counts Unicode scalar values (`char`s) from the start of
/// the line, not bytes, so a CJK character advances it by one. Lines are separated by `\n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in `char`s.
    pub column: u32,
}

impl Span {
    /// A position at `line`, `column` (both 1-based).
    pub const fn new(line: u32, column: u32) -> Self {
        Span { line, column }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A problem found in an input document, at a 1-based line and column (columns count chars, not
/// bytes).
///
/// Displays as `{line}:{column}: {message}`; the caller prefixes the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line of the offending text.
    pub line: u32,
    /// 1-based column (in `char`s) of the offending text.
    pub column: u32,
    /// A maintainer-readable description of the problem.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `span` with `message`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            line: span.line,
            column: span.column,
            message: message.into(),
        }
    }

    /// The position of this diagnostic.
    pub fn span(&self) -> Span {
        Span::new(self.line, self.column)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for Diagnostic {}
