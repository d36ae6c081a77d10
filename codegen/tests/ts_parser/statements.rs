//! Statements: imports, namespaces, interfaces and variables.

use super::{interface, parse, path, sref, strlit};
use codegen::diag::Span;
use codegen::wechat::ts::{Interface, Item, Namespace, Type};

#[test]
fn empty_and_comment_only_modules() {
    assert_eq!(parse("").items, []);
    assert_eq!(parse("  \n\n ;; // nothing\n/* still nothing */\n").items, []);
}

#[test]
fn imports_and_reference_directives_are_skipped() {
    let src = r#"/// <reference types="node" />
import { AxiosRequestConfig, AxiosPromise } from 'axios'
import { Multipart } from 'wechatpay-axios-plugin';
import * as fs from "fs"
import Default from 'x'
import 'side-effect'
import type { A } from 'a'
import X = require('x')
import {
  A,
  B,
} from 'multi-line'
export { A, B as C }
export * from 'y'
export as namespace Foo
interface After {}
"#;
    let m = parse(src);
    assert_eq!(m.items.len(), 1, "{m:?}");
    assert!(matches!(&m.items[0], Item::Interface(i) if i.name == "After"));
}

#[test]
fn namespaces_with_dotted_paths_and_nesting() {
    let src = "namespace WeChatPay.OpenAPI.V3 {\n  export declare namespace Inner {\n    export interface A {}\n  }\n}\ndeclare module Mod {}\nexport namespace E {}";
    let m = parse(src);
    assert_eq!(
        m.items,
        [
            Item::Namespace(Namespace {
                path: path(&["WeChatPay", "OpenAPI", "V3"]),
                items: vec![Item::Namespace(Namespace {
                    path: path(&["Inner"]),
                    items: vec![Item::Interface(Interface {
                        name: "A".into(),
                        type_params: vec![],
                        extends: vec![],
                        members: vec![],
                        doc: None,
                        span: Span::new(3, 22),
                    })],
                    span: Span::new(2, 28),
                })],
                span: Span::new(1, 11),
            }),
            Item::Namespace(Namespace {
                path: path(&["Mod"]),
                items: vec![],
                span: Span::new(6, 16),
            }),
            Item::Namespace(Namespace {
                path: path(&["E"]),
                items: vec![],
                span: Span::new(7, 18),
            }),
        ]
    );
}

#[test]
fn interface_extends() {
    let i = interface("export interface RequestConfig extends AxiosRequestConfig, A.B.C {\n}");
    assert_eq!(i.name, "RequestConfig");
    assert_eq!(i.extends, [path(&["AxiosRequestConfig"]), path(&["A", "B", "C"])]);
    assert_eq!(i.members, []);
    assert_eq!(i.span, Span::new(1, 18));
}

#[test]
fn var_declarations() {
    let src = "export var wxpay: Wechatpay\nexport var baseURL: A.B.RequestConfig['baseURL'];\ndeclare const a: string, b: number\nlet c: boolean";
    let m = parse(src);
    let vars: Vec<_> = m
        .items
        .iter()
        .map(|i| match i {
            Item::Var(v) => (v.name.as_str(), v.ty.clone(), v.span),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        vars,
        [
            ("wxpay", sref(&["Wechatpay"], 1, 19), Span::new(1, 12)),
            (
                "baseURL",
                Type::Indexed {
                    object: Box::new(sref(&["A", "B", "RequestConfig"], 2, 21)),
                    index: Box::new(strlit("baseURL")),
                },
                Span::new(2, 12)
            ),
            ("a", Type::String, Span::new(3, 15)),
            ("b", Type::Number, Span::new(3, 26)),
            ("c", Type::Boolean, Span::new(4, 5)),
        ]
    );
}

#[test]
fn interface_type_parameters_keep_their_names_and_defaults() {
    let m = parse("interface RequestConfig<D = XmlDataRequest, E> extends AxiosRequestConfig { data?: D }");
    let [Item::Interface(iface)] = m.items.as_slice() else {
        panic!("{:?}", m.items)
    };
    let names: Vec<&str> = iface.type_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["D", "E"]);
    assert!(matches!(
        &iface.type_params[0].default,
        Some(Type::Ref { path, .. }) if path == &["XmlDataRequest"]
    ));
    assert_eq!(iface.type_params[1].default, None);
    assert_eq!(iface.extends, [vec!["AxiosRequestConfig".to_owned()]]);
}
