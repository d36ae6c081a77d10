//! Unit-style tests of the TypeScript declaration parser: every construct, spans and errors.

#[path = "ts_parser/doc_comments.rs"]
mod doc_comments;
#[path = "ts_parser/errors.rs"]
mod errors;
#[path = "ts_parser/limits.rs"]
mod limits;
#[path = "ts_parser/members.rs"]
mod members;
#[path = "ts_parser/positions.rs"]
mod positions;
#[path = "ts_parser/statements.rs"]
mod statements;
#[path = "ts_parser/types.rs"]
mod types;

use codegen::diag::{Diagnostic, Span};
use codegen::wechat::ts::{Interface, Item, Member, Module, Property, Type, parse_module};

fn parse(src: &str) -> Module {
    parse_module(src, Span::new(1, 1)).unwrap_or_else(|d| panic!("{d:?}\n--- source:\n{src}"))
}

fn error(src: &str) -> Diagnostic {
    match parse_module(src, Span::new(1, 1)) {
        Ok(m) => panic!("expected an error, parsed {m:?}"),
        Err(mut diags) => {
            assert_eq!(diags.len(), 1, "{diags:?}");
            diags.remove(0)
        }
    }
}

fn assert_error(src: &str, line: u32, column: u32, message: &str) {
    let d = error(src);
    assert_eq!(
        (d.line, d.column, d.message.as_str()),
        (line, column, message),
        "source:\n{src}"
    );
}

/// The only interface of `src`.
fn interface(src: &str) -> Interface {
    match parse(src).items.as_slice() {
        [Item::Interface(i)] => i.clone(),
        other => panic!("expected one interface, got {other:?}"),
    }
}

/// The members of `interface X { <body> }`.
fn members(body: &str) -> Vec<Member> {
    interface(&format!("interface X {{\n{body}\n}}")).members
}

/// The properties of `interface X { <body> }`.
fn props(body: &str) -> Vec<Property> {
    members(body)
        .into_iter()
        .map(|m| match m {
            Member::Property(p) => p,
            other => panic!("not a property: {other:?}"),
        })
        .collect()
}

/// The type of `interface X { a: <ty> }`.
fn ty(ty: &str) -> Type {
    let p = props(&format!("a: {ty}"));
    assert_eq!(p.len(), 1, "{p:?}");
    p[0].ty.clone()
}

fn sref(path: &[&str], line: u32, column: u32) -> Type {
    Type::Ref {
        path: path.iter().map(|s| s.to_string()).collect(),
        span: Span::new(line, column),
    }
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

fn strlit(s: &str) -> Type {
    Type::StrLit(s.to_owned())
}
