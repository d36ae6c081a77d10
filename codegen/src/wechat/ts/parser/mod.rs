//! Recursive-descent parser for the TypeScript declaration subset.
//!
//! Stops at the first syntax error. Nesting (types inside types, namespaces inside namespaces)
//! is limited to [`MAX_DEPTH`] levels so hostile input cannot overflow the stack. To keep the
//! recursive functions' stack frames small (debug builds do not share frame slots), error
//! messages are built only on the error path, in separate `#[cold]` functions.

mod members;
mod statements;
mod types;

use super::ast::Doc;
use std::collections::VecDeque;

use super::lexer::{Lexer, Token, TokenKind, truncate};
use crate::diag::{Diagnostic, Span};

/// The deepest nesting of types (or namespaces) accepted.
pub(crate) const MAX_DEPTH: usize = 64;

type PResult<T> = Result<T, Diagnostic>;

/// A lazily built part of an error message.
type Lazy<'a> = &'a dyn Fn() -> String;

/// The parser: pulls tokens from the lexer on demand and keeps only a two-token lookahead.
pub(crate) struct Parser<'a> {
    lexer: Lexer<'a>,
    /// The current token and the next one (`ahead[0]`, `ahead[1]`); once the lexer has produced
    /// its final `Eof` / `Error` token, that token stays last and is never consumed.
    ahead: VecDeque<Token>,
    depth: usize,
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(s) => format!("`{}`", truncate(s)),
        TokenKind::Str(s) => format!("string literal '{}'", truncate(s)),
        TokenKind::Num(s) => format!("number `{}`", truncate(s)),
        TokenKind::Punct(c) => format!("`{}`", c.escape_debug()),
        TokenKind::Ellipsis => "`...`".to_owned(),
        TokenKind::Arrow => "`=>`".to_owned(),
        TokenKind::Eof => "the end of the TypeScript code".to_owned(),
        TokenKind::Error(m) => m.clone(),
    }
}

fn at(span: Span) -> String {
    format!("line {}, column {}", span.line, span.column)
}

fn is_final(token: &Token) -> bool {
    matches!(token.kind, TokenKind::Eof | TokenKind::Error(_))
}

impl<'a> Parser<'a> {
    pub(crate) fn new(lexer: Lexer<'a>) -> Self {
        let mut parser = Parser {
            lexer,
            ahead: VecDeque::with_capacity(2),
            depth: 0,
        };
        parser.fill();
        parser
    }

    // ---- token access -------------------------------------------------------------------

    /// Tops the lookahead up to two tokens (fewer after the final token).
    fn fill(&mut self) {
        while self.ahead.len() < 2 && !self.ahead.back().is_some_and(is_final) {
            self.ahead.push_back(self.lexer.next_token());
        }
    }

    /// Moves to the next token, unless the current one is the final `Eof` / `Error`.
    fn advance(&mut self) {
        if self.ahead.front().is_some_and(|t| !is_final(t)) {
            self.ahead.pop_front();
            self.fill();
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.ahead.front()
    }

    fn peek_kind(&self) -> &TokenKind {
        match self.peek() {
            Some(t) => &t.kind,
            None => &TokenKind::Eof,
        }
    }

    fn peek_nth_kind(&self, n: usize) -> &TokenKind {
        // The lookahead holds two tokens; further ones are not needed by the grammar.
        match self.ahead.get(n).or_else(|| self.ahead.back()) {
            Some(t) => &t.kind,
            None => &TokenKind::Eof,
        }
    }

    fn span(&self) -> Span {
        self.peek().map(|t| t.span).unwrap_or_default()
    }

    fn newline_before(&self) -> bool {
        self.peek().is_some_and(|t| t.newline_before)
    }

    fn at_eof(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Eof | TokenKind::Error(_))
    }

    fn doc(&self) -> Option<Doc> {
        self.peek().and_then(|t| t.doc.clone())
    }

    /// Advances past the current token (never past the final `Eof` / `Error`) and returns it.
    fn bump(&mut self) -> TokenKind {
        let kind = self.peek_kind().clone();
        self.advance();
        kind
    }

    fn is_punct(&self, c: char) -> bool {
        *self.peek_kind() == TokenKind::Punct(c)
    }

    fn is_ident(&self, word: &str) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(s) if s == word)
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let found = self.is_punct(c);
        if found {
            self.advance();
        }
        found
    }

    // ---- errors -------------------------------------------------------------------------

    /// "expected {what}, found {current token}" at the current token. A tokenizer error at
    /// this position is reported as is.
    #[cold]
    #[inline(never)]
    fn expected(&self, what: &str) -> Diagnostic {
        let msg = match self.peek_kind() {
            TokenKind::Error(m) => m.clone(),
            other => format!("expected {what}, found {}", describe(other)),
        };
        Diagnostic::new(self.span(), msg)
    }

    /// [`Parser::expected`] with a message built on demand.
    #[cold]
    #[inline(never)]
    fn expected_with(&self, what: Lazy<'_>) -> Diagnostic {
        self.expected(&what())
    }

    /// An error at the current token with a message of its own (or the tokenizer's).
    #[cold]
    #[inline(never)]
    fn error(&self, msg: &str) -> Diagnostic {
        let msg = match self.peek_kind() {
            TokenKind::Error(m) => m.clone(),
            _ => msg.to_owned(),
        };
        Diagnostic::new(self.span(), msg)
    }

    /// [`Parser::error`] with a message built on demand.
    #[cold]
    #[inline(never)]
    fn error_with(&self, msg: Lazy<'_>) -> Diagnostic {
        self.error(&msg())
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> Diagnostic {
        self.error_with(&|| {
            format!("nesting is too deep: more than {MAX_DEPTH} levels of types or namespaces")
        })
    }

    fn expect_punct(&mut self, c: char, what: &str) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn expect_punct_with(&mut self, c: char, what: Lazy<'_>) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.expected_with(what))
        }
    }

    fn ident_with(&mut self, what: Lazy<'_>) -> PResult<(String, Span)> {
        let span = self.span();
        if let TokenKind::Ident(_) = self.peek_kind() {
            if let TokenKind::Ident(s) = self.bump() {
                return Ok((s, span));
            }
        }
        Err(self.expected_with(what))
    }

    fn ident(&mut self, what: &str) -> PResult<(String, Span)> {
        self.ident_with(&|| what.to_owned())
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
