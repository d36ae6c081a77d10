//! A small parser for the TypeScript declarations embedded in WeChat Pay docs pages.
//!
//! It understands the subset the pages use: `namespace`, `interface`, `var` declarations, and
//! type expressions made of keywords, literals, dotted names, generics, arrays, tuples, unions,
//! inline object types, `typeof` and indexed access. Imports, `/// <reference …/>` directives and
//! comments are skipped; `/** … */` comments become [`Doc`]s of the next interface or member.

pub mod ast;
mod lexer;
mod parser;

pub use ast::{
    Doc, DocTag, Interface, Item, Member, MethodSig, Module, Namespace, Param, Property, Type, TypeParam,
    VarDecl,
};
pub(crate) use lexer::Loc;

use crate::diag::{Diagnostic, Span};

/// The deepest nesting of types (or of namespaces) accepted, in levels (64); deeper input is a
/// diagnostic at the token that opens level 65.
///
/// Each type expression inside another (`{ a: { … } }`, `Array<…>`, `( … )`, `[ … ]`, and each
/// `[]` suffix) and each namespace inside another is one level. Real pages nest a few levels.
/// The limit bounds the parser's recursion (no stack overflow on hostile input), and since
/// tokens are read on demand, a too-deep input costs time proportional to the depth reached,
/// not to the length of the rest of the source.
pub const MAX_DEPTH: usize = parser::MAX_DEPTH;

/// Parses TypeScript declarations.
///
/// `origin` is the position, in the document `src` was taken from, of `src`'s first char: spans
/// on the first line of `src` are offset by `origin.column - 1` columns, and lines by
/// `origin.line - 1`. Lines are separated by `\n`; columns count `char`s.
///
/// # Errors
///
/// Returns the first syntax error (one diagnostic) with the position of the offending token and
/// a message such as ``expected `:` after property name `foo`, found `}` ``. Constructs outside
/// the supported subset (type aliases, enums, index signatures, function types, …) and nesting
/// deeper than [`MAX_DEPTH`] levels are reported the same way. Never panics.
pub fn parse_module(src: &str, origin: Span) -> Result<Module, Vec<Diagnostic>> {
    let map = |loc: Loc| {
        let line = u32::try_from(loc.line).unwrap_or(u32::MAX);
        let column = u32::try_from(loc.column).unwrap_or(u32::MAX);
        if loc.line == 0 {
            Span::new(origin.line, origin.column.saturating_add(column))
        } else {
            Span::new(origin.line.saturating_add(line), column.saturating_add(1))
        }
    };
    parse_module_mapped(src, &map)
}

/// Like [`parse_module`], with positions computed by `map` from a location in `src`.
pub(crate) fn parse_module_mapped(src: &str, map: &dyn Fn(Loc) -> Span) -> Result<Module, Vec<Diagnostic>> {
    parser::Parser::new(lexer::Lexer::new(src, map))
        .parse_module()
        .map_err(|d| vec![d])
}
