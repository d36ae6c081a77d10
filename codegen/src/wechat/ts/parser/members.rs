//! Members of interfaces and object types: properties, methods and call signatures.

use super::super::ast::{Doc, Member, MethodSig, Param, Property};
use super::super::lexer::{TokenKind, truncate};
use super::{Lazy, PResult, Parser, at};
use crate::diag::{Diagnostic, Span};

impl Parser<'_> {
    // ---- members ------------------------------------------------------------------------

    /// Parses members up to and including the `}` matching the `{` at `open`; `owner` names
    /// the interface or object type for error messages.
    pub(super) fn parse_members(&mut self, open: Span, owner: Lazy<'_>) -> PResult<Vec<Member>> {
        let mut members = Vec::new();
        loop {
            if self.eat_punct('}') {
                return Ok(members);
            }
            if self.at_eof() {
                return Err(self.unclosed(open, owner));
            }
            let member = self.parse_member()?;
            let separated = self.eat_punct(';')
                || self.eat_punct(',')
                || self.is_punct('}')
                || self.newline_before()
                || self.at_eof();
            if !separated {
                return Err(self.missing_separator(&member));
            }
            members.push(member);
        }
    }

    #[cold]
    #[inline(never)]
    fn unclosed(&self, open: Span, owner: Lazy<'_>) -> Diagnostic {
        self.expected_with(&|| format!("`}}` to close {} (opened at {})", owner(), at(open)))
    }

    #[cold]
    #[inline(never)]
    fn missing_separator(&self, member: &Member) -> Diagnostic {
        let what = match member {
            Member::Property(p) => format!("property `{}`", truncate(&p.name)),
            Member::Method(m) => format!("method `{}`", truncate(&m.name)),
            Member::Call(_) => "the call signature".to_owned(),
        };
        self.expected_with(&|| format!("`;`, `,`, a line break or `}}` after {what}"))
    }

    fn parse_member(&mut self) -> PResult<Member> {
        if self.is_punct('(') {
            return self.parse_call_signature();
        }
        if self.is_punct('[') {
            return Err(self.error("index signatures and computed property names (`[…]`) are not supported"));
        }
        let doc = self.doc();
        if self.is_ident("readonly")
            && matches!(
                self.peek_nth_kind(1),
                TokenKind::Ident(_) | TokenKind::Str(_) | TokenKind::Num(_)
            )
        {
            self.bump();
        }
        let span = self.span();
        let (name, quoted) = match self.peek_kind() {
            TokenKind::Ident(_) | TokenKind::Num(_) => match self.bump() {
                TokenKind::Ident(s) | TokenKind::Num(s) => (s, false),
                _ => (String::new(), false),
            },
            TokenKind::Str(_) => match self.bump() {
                TokenKind::Str(s) => (s, true),
                _ => (String::new(), true),
            },
            _ => return Err(self.expected("a property name, a method or a call signature")),
        };
        let optional = self.eat_punct('?');
        if self.is_punct('(') || self.is_punct('<') {
            return self.parse_method(name, optional, doc, span);
        }
        self.expect_punct_with(':', &|| format!("`:` after property name `{}`", truncate(&name)))?;
        let ty = self.parse_type()?;
        Ok(Member::Property(Property {
            name,
            quoted,
            optional,
            ty,
            doc,
            span,
        }))
    }

    /// Parses `(params): Ret`.
    fn parse_call_signature(&mut self) -> PResult<Member> {
        let doc = self.doc();
        let span = self.span();
        let params = self.parse_params(&|| "the call signature".to_owned())?;
        self.expect_punct(
            ':',
            "`:` and a return type after the parameters of the call signature",
        )?;
        let ret = self.parse_type()?;
        Ok(Member::Call(MethodSig {
            name: String::new(),
            params,
            ret,
            doc,
            span,
        }))
    }

    /// Parses `(params): Ret` after a method name (and `?`, which is an error).
    fn parse_method(
        &mut self,
        name: String,
        optional: bool,
        doc: Option<Doc>,
        span: Span,
    ) -> PResult<Member> {
        let shown = || truncate(&name);
        if optional {
            return Err(self.error_with(&|| format!("optional methods are not supported (`{}?`)", shown())));
        }
        if self.is_punct('<') {
            return Err(self.error_with(&|| format!("generic methods are not supported (`{}`)", shown())));
        }
        let params = self.parse_params(&|| format!("method `{}`", shown()))?;
        self.expect_punct_with(':', &|| {
            format!(
                "`:` and a return type after the parameters of method `{}`",
                shown()
            )
        })?;
        let ret = self.parse_type()?;
        Ok(Member::Method(MethodSig {
            name,
            params,
            ret,
            doc,
            span,
        }))
    }

    /// Parses `( name?: Type, … )`.
    fn parse_params(&mut self, owner: Lazy<'_>) -> PResult<Vec<Param>> {
        let open = self.span();
        self.expect_punct_with('(', &|| format!("`(` to start the parameters of {}", owner()))?;
        let mut params = Vec::new();
        loop {
            if self.eat_punct(')') {
                return Ok(params);
            }
            if matches!(self.peek_kind(), TokenKind::Ellipsis) {
                return Err(self.error("rest parameters (`...`) are not supported"));
            }
            if matches!(self.peek_kind(), TokenKind::Eof) {
                return Err(self.expected_with(&|| {
                    format!(
                        "`)` to close the parameters of {} (opened at {})",
                        owner(),
                        at(open)
                    )
                }));
            }
            let (name, _) =
                self.ident_with(&|| format!("a parameter name or `)` in the parameters of {}", owner()))?;
            let optional = self.eat_punct('?');
            self.expect_punct_with(':', &|| format!("`:` after parameter name `{}`", truncate(&name)))?;
            let ty = self.parse_type()?;
            if !(self.eat_punct(',') || self.is_punct(')')) {
                return Err(
                    self.expected_with(&|| format!("`,` or `)` after parameter `{}`", truncate(&name)))
                );
            }
            params.push(Param { name, optional, ty });
        }
    }
}
