//! Type expressions.

use super::{assert_error, path, sref, strlit, ty};
use codegen::diag::Span;
use codegen::wechat::ts::{Member, Property, Type};

#[test]
fn keyword_and_literal_types() {
    assert_eq!(ty("string"), Type::String);
    assert_eq!(ty("number"), Type::Number);
    assert_eq!(ty("boolean"), Type::Boolean);
    assert_eq!(ty("true"), Type::BoolLit(true));
    assert_eq!(ty("false"), Type::BoolLit(false));
    assert_eq!(ty("'GZIP'"), strlit("GZIP"));
    assert_eq!(ty("\"GZIP\""), strlit("GZIP"));
    assert_eq!(ty("''"), strlit(""));
    assert_eq!(
        ty("'https://pay.wechatpay.cn/'"),
        strlit("https://pay.wechatpay.cn/")
    );
    assert_eq!(
        ty(r#"'it\'s \"q\" \\ \n \u4e2d \u{1F600} \x41'"#),
        strlit("it's \"q\" \\ \n 中 😀 A")
    );
    assert_eq!(ty("\"say 'hi'\""), strlit("say 'hi'"));
    assert_eq!(ty("1"), Type::NumLit("1".into()));
    assert_eq!(ty("-1"), Type::NumLit("-1".into()));
    assert_eq!(ty("1.5"), Type::NumLit("1.5".into()));
    assert_eq!(ty("0x1F"), Type::NumLit("0x1F".into()));
    assert_eq!(ty("1e-3"), Type::NumLit("1e-3".into()));
    assert_eq!(ty("null"), sref(&["null"], 2, 4));
}

#[test]
fn named_and_generic_types() {
    assert_eq!(ty("Date"), sref(&["Date"], 2, 4));
    assert_eq!(
        ty("WeChatPay.OpenAPI.V3.X"),
        sref(&["WeChatPay", "OpenAPI", "V3", "X"], 2, 4)
    );
    assert_eq!(
        ty("AxiosPromise<A.B>"),
        Type::Generic {
            path: path(&["AxiosPromise"]),
            args: vec![sref(&["A", "B"], 2, 17)],
            span: Span::new(2, 4),
        }
    );
    // `>>` closes two argument lists; several arguments; trailing comma.
    assert_eq!(
        ty("Map<string, Array<number>,>"),
        Type::Generic {
            path: path(&["Map"]),
            args: vec![
                Type::String,
                Type::Generic {
                    path: path(&["Array"]),
                    args: vec![Type::Number],
                    span: Span::new(2, 16),
                },
            ],
            span: Span::new(2, 4),
        }
    );
}

#[test]
fn array_tuple_and_union_types() {
    assert_eq!(ty("string[]"), Type::Array(Box::new(Type::String)));
    assert_eq!(
        ty("string[][]"),
        Type::Array(Box::new(Type::Array(Box::new(Type::String))))
    );
    assert_eq!(
        ty("('A' | 'B')[]"),
        Type::Array(Box::new(Type::Union(vec![strlit("A"), strlit("B")])))
    );
    assert_eq!(
        ty("{\n  x: number\n}[]"),
        Type::Array(Box::new(Type::Object(vec![Member::Property(Property {
            name: "x".into(),
            quoted: false,
            optional: false,
            ty: Type::Number,
            doc: None,
            span: Span::new(3, 3),
        })])))
    );
    assert_eq!(ty("[]"), Type::Tuple(vec![]));
    assert_eq!(
        ty("[string, number,]"),
        Type::Tuple(vec![Type::String, Type::Number])
    );
    assert_eq!(
        ty("string | Date"),
        Type::Union(vec![Type::String, sref(&["Date"], 2, 13)])
    );
    assert_eq!(
        ty("'A'|'B'|'C'"),
        Type::Union(vec![strlit("A"), strlit("B"), strlit("C")])
    );
    // Multi-line union with a leading `|`, and a parenthesized group flattened into it.
    assert_eq!(
        ty("\n    | 'A'\n    | ('B' | 'C')\n    | 'D'"),
        Type::Union(vec![strlit("A"), strlit("B"), strlit("C"), strlit("D")])
    );
    assert_eq!(ty("| 'only'"), strlit("only"));
    assert_eq!(ty("(string)"), Type::String);
}

#[test]
fn array_suffix_needs_to_be_on_the_same_line() {
    // A `[` on the next line starts a new member (here: an unsupported index signature).
    assert_error(
        "interface X {\n  a: string\n  [k: string]: number\n}",
        3,
        3,
        "index signatures and computed property names (`[…]`) are not supported",
    );
}

#[test]
fn nested_object_types() {
    let t = ty(
        "{\n  headers: {\n    'Wechatpay-Serial': typeof platformCertificateSerial\n  }\n  amount?: { from: { account: string }[] }\n}",
    );
    let Type::Object(outer) = t else { panic!() };
    let [Member::Property(headers), Member::Property(amount)] = outer.as_slice() else {
        panic!("{outer:?}")
    };
    assert_eq!(headers.name, "headers");
    let Type::Object(h) = &headers.ty else { panic!() };
    assert_eq!(
        h,
        &[Member::Property(Property {
            name: "Wechatpay-Serial".into(),
            quoted: true,
            optional: false,
            ty: Type::TypeOf(path(&["platformCertificateSerial"])),
            doc: None,
            span: Span::new(4, 5),
        })]
    );
    assert!(amount.optional);
    let Type::Object(a) = &amount.ty else { panic!() };
    let [Member::Property(from)] = a.as_slice() else {
        panic!()
    };
    assert!(matches!(&from.ty, Type::Array(inner) if matches!(**inner, Type::Object(_))));
}

#[test]
fn typeof_and_indexed_access() {
    assert_eq!(ty("typeof a.b"), Type::TypeOf(path(&["a", "b"])));
    assert_eq!(
        ty("X.Y.RequestConfig['responseType']"),
        Type::Indexed {
            object: Box::new(sref(&["X", "Y", "RequestConfig"], 2, 4)),
            index: Box::new(strlit("responseType")),
        }
    );
    assert_eq!(
        ty("X['a']['b']"),
        Type::Indexed {
            object: Box::new(Type::Indexed {
                object: Box::new(sref(&["X"], 2, 4)),
                index: Box::new(strlit("a")),
            }),
            index: Box::new(strlit("b")),
        }
    );
}
