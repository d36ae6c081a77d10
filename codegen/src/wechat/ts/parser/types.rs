//! Type expressions.

use super::super::ast::Type;
use super::super::lexer::{TokenKind, truncate};
use super::{Lazy, MAX_DEPTH, PResult, Parser, at, describe};
use crate::diag::Diagnostic;

/// How the current token can start a type.
enum TypeStart {
    String,
    Number,
    Boolean,
    Bool(bool),
    TypeOf,
    Operator,
    Named,
    Literal,
    Minus,
    Paren,
    Brace,
    Bracket,
    Other,
}

impl Parser<'_> {
    // ---- types --------------------------------------------------------------------------

    /// Parses a type expression: a union of postfix types.
    pub(super) fn parse_type(&mut self) -> PResult<Type> {
        self.enter()?;
        let ty = self.parse_union();
        self.leave();
        ty
    }

    fn parse_union(&mut self) -> PResult<Type> {
        // A leading `|` (multi-line unions) is allowed and carries no meaning.
        self.eat_punct('|');
        let mut alternatives = Vec::new();
        loop {
            let mut group = false;
            let ty = self.parse_postfix(&mut group)?;
            match ty {
                Type::Union(inner) if group => alternatives.extend(inner),
                ty => alternatives.push(ty),
            }
            if !self.eat_punct('|') {
                break;
            }
        }
        if self.is_punct('&') {
            return Err(self.error("intersection types (`&`) are not supported"));
        }
        if matches!(self.peek_kind(), TokenKind::Arrow) {
            return Err(self.error("function types (`=>`) are not supported"));
        }
        if alternatives.len() == 1 {
            if let Some(only) = alternatives.pop() {
                return Ok(only);
            }
        }
        Ok(Type::Union(alternatives))
    }

    /// Parses a primary type with its `[]` / `[index]` suffixes. Sets `group` when the result
    /// is a parenthesized type without suffix (so a union in it may be flattened).
    fn parse_postfix(&mut self, group: &mut bool) -> PResult<Type> {
        *group = self.is_punct('(');
        let mut ty = self.parse_primary()?;
        let mut suffixes = 0usize;
        while self.is_punct('[') && !self.newline_before() {
            *group = false;
            suffixes += 1;
            if self.depth.saturating_add(suffixes) >= MAX_DEPTH {
                return Err(self.too_deep());
            }
            ty = self.parse_suffix(ty)?;
        }
        Ok(ty)
    }

    /// Parses `[]` or `[index]` after `ty`.
    fn parse_suffix(&mut self, ty: Type) -> PResult<Type> {
        let open = self.span();
        self.bump(); // `[`
        if self.eat_punct(']') {
            return Ok(Type::Array(Box::new(ty)));
        }
        let index = self.parse_type()?;
        self.expect_punct_with(']', &|| {
            format!("`]` to close the index type opened at {}", at(open))
        })?;
        Ok(Type::Indexed {
            object: Box::new(ty),
            index: Box::new(index),
        })
    }

    fn type_start(&self) -> TypeStart {
        match self.peek_kind() {
            TokenKind::Ident(w) => match w.as_str() {
                "string" => TypeStart::String,
                "number" => TypeStart::Number,
                "boolean" => TypeStart::Boolean,
                "true" => TypeStart::Bool(true),
                "false" => TypeStart::Bool(false),
                "typeof" => TypeStart::TypeOf,
                "keyof" | "unique" | "infer" | "readonly" | "asserts"
                    if matches!(
                        self.peek_nth_kind(1),
                        TokenKind::Ident(_) | TokenKind::Punct('(' | '{' | '[')
                    ) =>
                {
                    TypeStart::Operator
                }
                _ => TypeStart::Named,
            },
            TokenKind::Str(_) | TokenKind::Num(_) => TypeStart::Literal,
            TokenKind::Punct('-') => TypeStart::Minus,
            TokenKind::Punct('(') => TypeStart::Paren,
            TokenKind::Punct('{') => TypeStart::Brace,
            TokenKind::Punct('[') => TypeStart::Bracket,
            _ => TypeStart::Other,
        }
    }

    fn parse_primary(&mut self) -> PResult<Type> {
        let ty = match self.type_start() {
            TypeStart::String => Type::String,
            TypeStart::Number => Type::Number,
            TypeStart::Boolean => Type::Boolean,
            TypeStart::Bool(b) => Type::BoolLit(b),
            TypeStart::Literal => match self.bump() {
                TokenKind::Str(s) => return Ok(Type::StrLit(s)),
                TokenKind::Num(n) => return Ok(Type::NumLit(n)),
                _ => return Err(self.expected("a type")),
            },
            TypeStart::TypeOf => {
                self.bump();
                return Ok(Type::TypeOf(self.parse_path("a name after `typeof`")?));
            }
            TypeStart::Named => return self.parse_named(),
            TypeStart::Minus => return self.parse_negative(),
            TypeStart::Paren => return self.parse_parenthesized(),
            TypeStart::Brace => {
                let open = self.span();
                self.bump();
                let members = self.parse_members(open, &|| "the object type".to_owned())?;
                return Ok(Type::Object(members));
            }
            TypeStart::Bracket => return self.parse_tuple(),
            TypeStart::Operator => return Err(self.unsupported_operator()),
            TypeStart::Other => return Err(self.expected("a type")),
        };
        self.bump();
        Ok(ty)
    }

    #[cold]
    #[inline(never)]
    fn unsupported_operator(&self) -> Diagnostic {
        let word = describe(self.peek_kind());
        self.error_with(&|| format!("type operator {word} is not supported"))
    }

    /// Parses `-1`.
    fn parse_negative(&mut self) -> PResult<Type> {
        self.bump(); // `-`
        if !matches!(self.peek_kind(), TokenKind::Num(_)) {
            return Err(self.expected("a number after `-`"));
        }
        match self.bump() {
            TokenKind::Num(n) => Ok(Type::NumLit(format!("-{n}"))),
            _ => Err(self.expected("a number after `-`")),
        }
    }

    /// Parses `( Type )`.
    fn parse_parenthesized(&mut self) -> PResult<Type> {
        let open = self.span();
        self.bump(); // `(`
        if self.is_punct(')') {
            return Err(self.error("function types (`() => …`) are not supported"));
        }
        let inner = self.parse_type()?;
        self.expect_punct_with(')', &|| {
            format!("`)` to close the parenthesized type opened at {}", at(open))
        })?;
        if matches!(self.peek_kind(), TokenKind::Arrow) {
            return Err(self.error("function types (`=>`) are not supported"));
        }
        Ok(inner)
    }

    /// Parses `[A, B]` (or `[]`).
    fn parse_tuple(&mut self) -> PResult<Type> {
        let open = self.span();
        self.bump(); // `[`
        let mut elements = Vec::new();
        loop {
            if self.eat_punct(']') {
                return Ok(Type::Tuple(elements));
            }
            elements.push(self.parse_type()?);
            if !(self.eat_punct(',') || self.is_punct(']')) {
                return Err(
                    self.expected_with(&|| format!("`,` or `]` in the tuple type opened at {}", at(open)))
                );
            }
        }
    }

    /// Parses `A.B` or `A.B<T, U>`.
    fn parse_named(&mut self) -> PResult<Type> {
        let span = self.span();
        let path = self.parse_path("a type")?;
        if !self.is_punct('<') {
            return Ok(Type::Ref { path, span });
        }
        let open = self.span();
        self.bump(); // `<`
        let mut args = Vec::new();
        loop {
            args.push(self.parse_type()?);
            let comma = self.eat_punct(',');
            if self.eat_punct('>') {
                return Ok(Type::Generic { path, args, span });
            }
            if !comma {
                return Err(self.expected_with(&|| {
                    format!(
                        "`,` or `>` in the type arguments of `{}` (opened at {})",
                        truncate(&path.join(".")),
                        at(open)
                    )
                }));
            }
        }
    }

    /// Parses `A.B.C`.
    pub(super) fn parse_path(&mut self, what: &str) -> PResult<Vec<String>> {
        self.parse_path_with(&|| what.to_owned())
    }

    pub(super) fn parse_path_with(&mut self, what: Lazy<'_>) -> PResult<Vec<String>> {
        let mut path = vec![self.ident_with(what)?.0];
        while self.eat_punct('.') {
            let seg = self
                .ident_with(&|| format!("a name after `{}.`", truncate(&path.join("."))))?
                .0;
            path.push(seg);
        }
        Ok(path)
    }
}
