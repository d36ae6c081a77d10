//! Recursive-descent parser for the TypeScript declaration subset.
//!
//! Stops at the first syntax error. Nesting (types inside types, namespaces inside namespaces)
//! is limited to [`MAX_DEPTH`] levels so hostile input cannot overflow the stack. To keep the
//! recursive functions' stack frames small (debug builds do not share frame slots), error
//! messages are built only on the error path, in separate `#[cold]` functions.

use super::ast::{
    Doc, Interface, Item, Member, MethodSig, Module, Namespace, Param, Property, Type, VarDecl,
};
use super::lexer::{Token, TokenKind, truncate};
use crate::diag::{Diagnostic, Span};

/// The deepest nesting of types (or namespaces) accepted.
pub(crate) const MAX_DEPTH: usize = 64;

type PResult<T> = Result<T, Diagnostic>;

/// A lazily built part of an error message.
type Lazy<'a> = &'a dyn Fn() -> String;

const DECLARATION: &str = "a declaration (`namespace`, `interface`, `var` or `import`)";

pub(crate) struct Parser {
    tokens: Vec<Token>,
    pos: usize,
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

impl Parser {
    pub(crate) fn new(tokens: Vec<Token>) -> Self {
        Parser {
            tokens,
            pos: 0,
            depth: 0,
        }
    }

    // ---- token access -------------------------------------------------------------------

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).or_else(|| self.tokens.last())
    }

    fn peek_kind(&self) -> &TokenKind {
        match self.peek() {
            Some(t) => &t.kind,
            None => &TokenKind::Eof,
        }
    }

    fn peek_nth_kind(&self, n: usize) -> &TokenKind {
        let i = self.pos.saturating_add(n);
        match self.tokens.get(i).or_else(|| self.tokens.last()) {
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
        if !matches!(kind, TokenKind::Eof | TokenKind::Error(_)) {
            self.pos += 1;
        }
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
            self.pos += 1;
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

    // ---- statements ---------------------------------------------------------------------

    /// Parses the whole token list as a module.
    pub(crate) fn parse_module(&mut self) -> PResult<Module> {
        let items = self.parse_items(None)?;
        Ok(Module { items })
    }

    /// Parses statements up to the end of the source (`closer` is `None`) or up to and
    /// including the `}` of the namespace `name` opened at `open` (`closer` is `Some`).
    fn parse_items(&mut self, closer: Option<(Span, &[String])>) -> PResult<Vec<Item>> {
        let mut items = Vec::new();
        loop {
            match self.peek_kind() {
                TokenKind::Error(_) => return Err(self.error("")),
                TokenKind::Eof => match closer {
                    None => return Ok(items),
                    Some((open, name)) => {
                        return Err(self.expected_with(&|| {
                            format!(
                                "`}}` to close namespace `{}` (opened at {})",
                                truncate(&name.join(".")),
                                at(open)
                            )
                        }));
                    }
                },
                TokenKind::Punct('}') if closer.is_some() => {
                    self.bump();
                    return Ok(items);
                }
                TokenKind::Punct(';') => {
                    self.bump();
                }
                _ => self.parse_statement(&mut items)?,
            }
        }
    }

    /// Parses one statement, pushing the declarations it makes to `items`.
    fn parse_statement(&mut self, items: &mut Vec<Item>) -> PResult<()> {
        let doc = self.doc();
        loop {
            if self.is_ident("export") {
                if self.skip_export()? {
                    return Ok(());
                }
            } else if self.is_ident("declare") {
                self.bump();
            } else {
                break;
            }
        }
        let keyword = match self.peek_kind() {
            TokenKind::Ident(s) => s.as_str(),
            _ => return Err(self.expected(DECLARATION)),
        };
        match keyword {
            "import" => self.skip_import(),
            "namespace" | "module" => {
                self.bump();
                let ns = self.parse_namespace()?;
                items.push(Item::Namespace(ns));
                Ok(())
            }
            "interface" => {
                self.bump();
                let iface = self.parse_interface(doc)?;
                items.push(Item::Interface(iface));
                Ok(())
            }
            "var" | "let" | "const" => {
                if matches!(self.peek_nth_kind(1), TokenKind::Ident(s) if s == "enum") {
                    return Err(self.unsupported_declaration());
                }
                if let TokenKind::Ident(keyword) = self.bump() {
                    self.parse_var(&keyword, items)?;
                }
                Ok(())
            }
            "type" | "enum" | "class" | "function" | "abstract" | "global" => {
                Err(self.unsupported_declaration())
            }
            _ => Err(self.expected(DECLARATION)),
        }
    }

    #[cold]
    #[inline(never)]
    fn unsupported_declaration(&self) -> Diagnostic {
        let keyword = match (self.peek_kind(), self.peek_nth_kind(1)) {
            (TokenKind::Ident(a), TokenKind::Ident(b)) if b == "enum" => format!("{a} {b}"),
            (TokenKind::Ident(a), _) => a.clone(),
            (other, _) => describe(other),
        };
        self.error_with(&|| {
            format!(
                "unsupported declaration `{keyword}`: only `namespace`, `interface` and `var` \
                 declarations are understood"
            )
        })
    }

    /// At `export`: skips an ignorable export statement (returning `true`), or consumes the
    /// `export` modifier (returning `false`).
    fn skip_export(&mut self) -> PResult<bool> {
        match self.peek_nth_kind(1) {
            TokenKind::Punct('{' | '*') => {
                self.bump();
                self.skip_export_list()?;
                Ok(true)
            }
            TokenKind::Ident(s) if s == "as" => {
                // `export as namespace X`
                self.bump();
                self.bump();
                if self.is_ident("namespace") {
                    self.bump();
                }
                self.ident("a name after `export as namespace`")?;
                self.eat_punct(';');
                Ok(true)
            }
            TokenKind::Ident(s) if s == "default" => {
                self.bump();
                Err(self.error("`export default` is not supported in declarations"))
            }
            TokenKind::Punct('=') => {
                self.bump();
                Err(self.error("`export =` is not supported in declarations"))
            }
            _ => {
                self.bump();
                Ok(false)
            }
        }
    }

    /// Skips `import …` up to and including its module specifier (and a `;`).
    fn skip_import(&mut self) -> PResult<()> {
        let start = self.span();
        let missing = || format!("the module specifier of the `import` at {}", at(start));
        self.bump(); // `import`
        let mut depth = 0usize;
        let mut seen_specifier = false;
        let mut consumed = 0usize;
        loop {
            if depth == 0 && seen_specifier {
                break;
            }
            if depth == 0
                && consumed > 0
                && self.newline_before()
                && !self.is_ident("from")
                && !matches!(self.peek_kind(), TokenKind::Str(_))
            {
                // `import X = A.B` has no module specifier; it ends at the line break.
                break;
            }
            match self.peek_kind() {
                TokenKind::Eof => return Err(self.expected_with(&missing)),
                TokenKind::Error(_) => return Err(self.error("")),
                TokenKind::Str(_) => seen_specifier = true,
                TokenKind::Punct('{' | '(') => depth += 1,
                TokenKind::Punct('}' | ')') => {
                    if depth == 0 {
                        return Err(self.expected_with(&missing));
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump();
            consumed += 1;
        }
        self.eat_punct(';');
        Ok(())
    }

    /// Skips `{ a, b as c } (from 'x')?` or `* (as ns)? from 'x'` after `export`.
    fn skip_export_list(&mut self) -> PResult<()> {
        if self.eat_punct('*') {
            if self.is_ident("as") {
                self.bump();
                self.ident("a name after `export * as`")?;
            }
        } else {
            let open = self.span();
            self.bump(); // `{`
            loop {
                match self.peek_kind() {
                    TokenKind::Punct('}') => {
                        self.bump();
                        break;
                    }
                    TokenKind::Ident(_) | TokenKind::Str(_) | TokenKind::Punct(',') => {
                        self.bump();
                    }
                    _ => {
                        return Err(self.expected_with(&|| {
                            format!("a name, `,` or `}}` in the export list opened at {}", at(open))
                        }));
                    }
                }
            }
            if !self.is_ident("from") {
                self.eat_punct(';');
                return Ok(());
            }
        }
        if !self.is_ident("from") {
            return Err(self.expected("`from` in `export * from '…'`"));
        }
        self.bump();
        if !matches!(self.peek_kind(), TokenKind::Str(_)) {
            return Err(self.expected("a module specifier after `from`"));
        }
        self.bump();
        self.eat_punct(';');
        Ok(())
    }

    /// Parses `A.B.C { … }` after `namespace`.
    fn parse_namespace(&mut self) -> PResult<Namespace> {
        let span = self.span();
        let path = if let TokenKind::Str(_) = self.peek_kind() {
            // `declare module 'name' { … }`
            match self.bump() {
                TokenKind::Str(s) => vec![s],
                _ => Vec::new(),
            }
        } else {
            self.parse_path("a namespace name after `namespace`")?
        };
        let open = self.span();
        self.expect_punct_with('{', &|| {
            format!("`{{` after namespace name `{}`", truncate(&path.join(".")))
        })?;
        self.enter()?;
        let items = self.parse_items(Some((open, &path)))?;
        self.leave();
        Ok(Namespace { path, items, span })
    }

    /// Parses `Name extends A, B { … }` after `interface`.
    fn parse_interface(&mut self, doc: Option<Doc>) -> PResult<Interface> {
        let (name, span) = self.ident("an interface name after `interface`")?;
        let shown = || truncate(&name);
        if self.is_punct('<') {
            return Err(self
                .error_with(&|| format!("generic interfaces are not supported (interface `{}`)", shown())));
        }
        let mut extends = Vec::new();
        if self.is_ident("extends") {
            self.bump();
            loop {
                let path = self
                    .parse_path_with(&|| format!("a type name after `extends` in interface `{}`", shown()))?;
                if self.is_punct('<') {
                    return Err(self.error_with(&|| {
                        format!(
                            "type arguments in the `extends` clause of interface `{}` are not supported",
                            shown()
                        )
                    }));
                }
                extends.push(path);
                if !self.eat_punct(',') {
                    break;
                }
            }
        }
        let open = self.span();
        self.expect_punct_with('{', &|| {
            format!("`{{` to start the body of interface `{}`", shown())
        })?;
        let members = self.parse_members(open, &|| format!("interface `{}`", shown()))?;
        Ok(Interface {
            name,
            extends,
            members,
            doc,
            span,
        })
    }

    /// Parses `a: A, b: B` after `var` / `let` / `const`.
    fn parse_var(&mut self, keyword: &str, items: &mut Vec<Item>) -> PResult<()> {
        loop {
            let (name, span) = self.ident_with(&|| format!("a variable name after `{keyword}`"))?;
            let shown = || truncate(&name);
            if self.is_punct('=') {
                return Err(self.error_with(&|| {
                    format!(
                        "initializers are not supported: declare `{}` with `: Type` only",
                        shown()
                    )
                }));
            }
            self.expect_punct_with(':', &|| format!("`:` and a type after variable `{}`", shown()))?;
            let ty = self.parse_type()?;
            let separated = self.eat_punct(',');
            let ended = separated
                || self.eat_punct(';')
                || self.newline_before()
                || self.at_eof()
                || self.is_punct('}');
            if !ended {
                return Err(self.expected_with(&|| {
                    format!("`;` or a line break after the declaration of `{}`", shown())
                }));
            }
            items.push(Item::Var(VarDecl { name, ty, span }));
            if !separated {
                return Ok(());
            }
        }
    }

    // ---- members ------------------------------------------------------------------------

    /// Parses members up to and including the `}` matching the `{` at `open`; `owner` names
    /// the interface or object type for error messages.
    fn parse_members(&mut self, open: Span, owner: Lazy<'_>) -> PResult<Vec<Member>> {
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

    // ---- types --------------------------------------------------------------------------

    /// Parses a type expression: a union of postfix types.
    fn parse_type(&mut self) -> PResult<Type> {
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
    fn parse_path(&mut self, what: &str) -> PResult<Vec<String>> {
        self.parse_path_with(&|| what.to_owned())
    }

    fn parse_path_with(&mut self, what: Lazy<'_>) -> PResult<Vec<String>> {
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
