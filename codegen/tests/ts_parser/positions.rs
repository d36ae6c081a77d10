//! Positions: origin offsets, columns and line endings.

use super::{parse, sref};
use codegen::diag::Span;
use codegen::wechat::ts::{Item, Member, parse_module};

#[test]
fn origin_offsets_first_line_only_and_columns_count_chars() {
    let m = parse_module("interface 中文 { 名: 类型 }\n  interface B {}", Span::new(10, 5)).expect("parses");
    let [Item::Interface(a), Item::Interface(b)] = m.items.as_slice() else {
        panic!("{m:?}")
    };
    assert_eq!(a.span, Span::new(10, 15));
    let Member::Property(p) = &a.members[0] else {
        panic!()
    };
    assert_eq!(p.span, Span::new(10, 20));
    assert_eq!(p.ty, sref(&["类型"], 10, 23));
    assert_eq!(b.span, Span::new(11, 13));
}

#[test]
fn crlf_line_endings() {
    let m = parse("interface A {\r\n  a: string\r\n  b?: number\r\n}\r\n");
    let [Item::Interface(a)] = m.items.as_slice() else {
        panic!()
    };
    assert_eq!(a.members.len(), 2);
    let Member::Property(b) = &a.members[1] else {
        panic!()
    };
    assert_eq!(b.span, Span::new(3, 3));
}
