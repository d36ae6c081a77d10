//! Statements: declarations, `import` / `export`, namespaces, interfaces and variables.

use super::super::ast::{Doc, Interface, Item, Module, Namespace, TypeParam, VarDecl};
use super::super::lexer::{TokenKind, truncate};
use super::{PResult, Parser, at, describe};
use crate::diag::{Diagnostic, Span};

const DECLARATION: &str = "a declaration (`namespace`, `interface`, `var` or `import`)";

impl Parser<'_> {
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
        let mut type_params = Vec::new();
        if self.eat_punct('<') {
            // `<D = XmlDataRequest, …>`: each parameter's name and default.
            loop {
                let (param, _) =
                    self.ident_with(&|| format!("a type parameter of interface `{}`", shown()))?;
                let default = if self.eat_punct('=') {
                    Some(self.parse_type()?)
                } else {
                    None
                };
                type_params.push(TypeParam { name: param, default });
                if !self.eat_punct(',') {
                    break;
                }
            }
            self.expect_punct_with('>', &|| {
                format!("`>` to close the type parameters of interface `{}`", shown())
            })?;
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
            type_params,
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
}
