//! Members: property names, separators, call and method signatures.

use super::{members, path, props, sref, ty};
use codegen::diag::Span;
use codegen::wechat::ts::{Member, MethodSig, Param, Type};

#[test]
fn property_names_of_every_shape() {
    let p = props(
        "_out_trade_no_: A\n$out_trade_no$: A\n'{out_trade_no}': A\n'Wechatpay-Serial'?: string\n\"1st\": number\n_x_: string\n42: string\ntype: string\nget: string\nreadonly r: string\nreadonly: string\n'': string",
    );
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.name.as_str(), p.quoted, p.optional))
        .collect();
    assert_eq!(
        got,
        [
            ("_out_trade_no_", false, false),
            ("$out_trade_no$", false, false),
            ("{out_trade_no}", true, false),
            ("Wechatpay-Serial", true, true),
            ("1st", true, false),
            ("_x_", false, false),
            ("42", false, false),
            ("type", false, false),
            ("get", false, false),
            ("r", false, false),
            ("readonly", false, false),
            ("", true, false),
        ]
    );
    // Spans point at the name (at the quote when quoted; past a `readonly` modifier).
    assert_eq!(p[2].span, Span::new(4, 1));
    assert_eq!(p[9].span, Span::new(11, 10));
}

#[test]
fn member_separators() {
    let expected = ["a", "b", "c", "d", "e"];
    for body in [
        "a: string\nb: string\nc: string\nd: string\ne: string",
        "a: string; b: string; c: string; d: string; e: string;",
        "a: string, b: string, c: string, d: string, e: string,",
        "a: string;\nb: string,\nc: string\n;d: string e: string"
            .replace(" e:", "\ne:")
            .as_str(),
    ] {
        let names: Vec<_> = props(body).into_iter().map(|p| p.name).collect();
        assert_eq!(names, expected, "{body}");
    }
    let t = ty("{ x: string; y?: number }");
    assert!(matches!(&t, Type::Object(m) if m.len() == 2));
}

#[test]
fn call_and_method_signatures() {
    let m = members(
        "(data: Stop.PostHttpMethod.JsonDataRequest, config?: Stop.PostHttpMethod.RequestConfig): AxiosPromise<Stop.PostHttpMethod.WellformedResponse>\npost(data?: Multipart, config: C,): AxiosPromise<R>\nget(): void",
    );
    assert_eq!(m.len(), 3);
    let Member::Call(call) = &m[0] else {
        panic!("{:?}", m[0])
    };
    assert_eq!(call.name, "");
    assert_eq!(call.span, Span::new(2, 1));
    assert_eq!(
        call.params,
        [
            Param {
                name: "data".into(),
                optional: false,
                ty: sref(&["Stop", "PostHttpMethod", "JsonDataRequest"], 2, 8),
            },
            Param {
                name: "config".into(),
                optional: true,
                ty: sref(&["Stop", "PostHttpMethod", "RequestConfig"], 2, 54),
            },
        ]
    );
    assert_eq!(
        call.ret,
        Type::Generic {
            path: path(&["AxiosPromise"]),
            args: vec![sref(&["Stop", "PostHttpMethod", "WellformedResponse"], 2, 103)],
            span: Span::new(2, 90),
        }
    );
    assert_eq!(
        m[1],
        Member::Method(MethodSig {
            name: "post".into(),
            params: vec![
                Param {
                    name: "data".into(),
                    optional: true,
                    ty: sref(&["Multipart"], 3, 13)
                },
                Param {
                    name: "config".into(),
                    optional: false,
                    ty: sref(&["C"], 3, 32)
                },
            ],
            ret: Type::Generic {
                path: path(&["AxiosPromise"]),
                args: vec![sref(&["R"], 3, 50)],
                span: Span::new(3, 37),
            },
            doc: None,
            span: Span::new(3, 1),
        })
    );
    assert!(matches!(&m[2], Member::Method(s) if s.name == "get" && s.params.is_empty()));
}
