//! Lowering a parsed docs page ([`Page`]) to the IR ([`Document`]).
//!
//! A page declares each operation as a namespace
//! `WeChatPay.OpenAPI.<Root>.<Segment>….<Method>HttpMethod` holding the interfaces
//! `JsonDataRequest` / `BinaryDataRequest`, `RequestConfig` and `WellformedResponse`.
//! The URL path comes from the namespace chain (`_name_` is the path parameter `{name}`,
//! `_empty_` an empty last segment) with each literal segment spelled as in the page's own
//! path when the two agree (`PayscorePlans` ↔ `payscore-plans`).

use std::collections::BTreeSet;

use super::page::Page;
use super::segments::{file_segments, fold, kebab, param_segment};
use super::ts::{Doc, Interface, Item, Member, Property, Type as TsType};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Document, Field, HttpMethod, Operation, RequestBody, ResponseBody, Type};

/// Lowers a parsed page to a [`Document`].
///
/// `source` is the page's path in the docs repository (e.g. `openapi/v3/pay/transactions/jsapi.md`);
/// it names the document and spells the path segments.
///
/// # Errors
/// Every construct the IR cannot express (an unknown `RequestConfig` member, an unsupported
/// union, an unresolvable type reference, …) is reported as a [`Diagnostic`] at its position in
/// the page; all of them are returned together.
pub fn lower(page: &Page, source: &str) -> Result<Lowered, Vec<Diagnostic>> {
    if let (Some(target), true) = (&page.moved_to, page.blocks.is_empty()) {
        return Ok(Lowered {
            document: Document {
                source: source.to_owned(),
                title: page.title.clone(),
                moved_to: Some(target.clone()),
                operations: Vec::new(),
                types: Vec::new(),
                events: Vec::new(),
            },
            warnings: Vec::new(),
        });
    }
    let mut cx = Lowering {
        interfaces: Vec::new(),
        namespace: Vec::new(),
        diagnostics: Vec::new(),
        warnings: Vec::new(),
    };
    cx.collect(&page.module.items, &[], Span { line: 1, column: 1 });
    let file_segments = file_segments(source);
    let mut operations = Vec::new();
    let mut namespaces: Vec<(Vec<String>, Span)> = Vec::new();
    for (path, _, span) in &cx.interfaces {
        if path.last().is_some_and(|s| s.ends_with("HttpMethod"))
            && !namespaces.iter().any(|(p, _)| p == path)
        {
            namespaces.push((path.clone(), *span));
        }
    }
    for (ns, span) in &namespaces {
        if let Some(mut op) = cx.operation(ns, *span, &file_segments) {
            // The official-doc links the page gives after the block that declares the operation.
            if let Some(block) = page.blocks.iter().rev().find(|b| b.span <= *span) {
                for link in &block.trailing_links {
                    if !op.links.contains(link) {
                        op.links.push(link.clone());
                    }
                }
            }
            operations.push(op);
        }
    }
    if operations.is_empty() && cx.diagnostics.is_empty() {
        cx.diagnostics.push(Diagnostic::new(
            Span { line: 1, column: 1 },
            "the page declares no operation (no `namespace WeChatPay.OpenAPI.….<Method>HttpMethod`)",
        ));
    }
    let mut seen = BTreeSet::new();
    for op in &operations {
        if !seen.insert((op.method, op.path.clone())) {
            cx.diagnostics.push(Diagnostic::new(
                Span { line: 1, column: 1 },
                format!("the page declares `{} {}` twice", op.method.as_str(), op.path),
            ));
        }
    }
    if !cx.diagnostics.is_empty() {
        return Err(cx.diagnostics);
    }
    operations.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
    // A page about one operation is titled after it.
    if let [only] = operations.as_mut_slice() {
        if only.summary.is_none() {
            only.summary.clone_from(&page.title);
        }
    }
    Ok(Lowered {
        document: Document {
            types: Vec::new(),
            events: Vec::new(),
            moved_to: None,
            source: source.to_owned(),
            title: page.title.clone(),
            operations,
        },
        warnings: cx.warnings,
    })
}

/// A lowered page: the document, and the upstream errata that were worked around (each a
/// [`Diagnostic`] at its position in the page, for the import report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lowered {
    /// The IR of the page.
    pub document: Document,
    /// Problems that did not stop the import (e.g. a `RequestConfig` member that names no path
    /// parameter, which the docs' own SDK ignores too).
    pub warnings: Vec<Diagnostic>,
}

struct Lowering<'p> {
    /// Every interface with its full namespace path and the span of its namespace.
    interfaces: Vec<(Vec<String>, &'p Interface, Span)>,
    /// The namespace of the operation being lowered: where `XmlDataRequest['trade_type']` looks.
    namespace: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl<'p> Lowering<'p> {
    fn collect(&mut self, items: &'p [Item], prefix: &[String], span: Span) {
        for item in items {
            match item {
                Item::Namespace(ns) => {
                    let mut path = prefix.to_vec();
                    path.extend(ns.path.iter().cloned());
                    self.collect(&ns.items, &path, ns.span);
                }
                Item::Interface(iface) => self.interfaces.push((prefix.to_vec(), iface, span)),
                Item::Var(_) => {}
            }
        }
    }

    /// Every declaration of interface `name` in namespace `ns` (a page with one code block per
    /// method may declare the same interface once per block).
    fn interfaces_named<'a>(
        &'a self,
        ns: &'a [String],
        name: &'a str,
    ) -> impl Iterator<Item = &'p Interface> + 'a {
        self.interfaces
            .iter()
            .filter(move |(path, iface, _)| path == ns && iface.name == name)
            .map(|(_, iface, _)| *iface)
    }

    /// The first declaration of interface `name` in namespace `ns`.
    fn interface(&self, ns: &[String], name: &str) -> Option<&'p Interface> {
        self.interfaces_named(ns, name).next()
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(span, message));
    }

    fn operation(&mut self, ns: &[String], span: Span, file: &[String]) -> Option<Operation> {
        self.namespace = ns.to_vec();
        let last = ns.last()?;
        let method_name = last.strip_suffix("HttpMethod").unwrap_or(last);
        let Some(method) = HttpMethod::ALL
            .into_iter()
            .find(|m| m.lower().eq_ignore_ascii_case(method_name))
        else {
            self.error(
                span,
                format!(
                    "unknown HTTP method `{method_name}` in namespace `{}`",
                    ns.join(".")
                ),
            );
            return None;
        };
        if ns.len() < 4 || ns[0] != "WeChatPay" || ns[1] != "OpenAPI" {
            self.error(
                span,
                format!(
                    "operation namespace `{}` is not under `WeChatPay.OpenAPI`",
                    ns.join(".")
                ),
            );
            return None;
        }
        let chain = &ns[2..ns.len() - 1];

        // Path template and its parameters.
        let mut segments = Vec::new();
        let mut params_in_path = Vec::new();
        for (i, seg) in chain.iter().enumerate() {
            if seg == "_empty_" {
                segments.push(String::new());
            } else if let Some(name) = param_segment(seg) {
                segments.push(format!("{{{name}}}"));
                params_in_path.push(name.to_owned());
            } else if let Some(f) = file.get(i).filter(|f| fold(f) == fold(seg)) {
                segments.push(f.clone());
            } else {
                segments.push(kebab(seg));
            }
        }
        // APIv2's namespaces start with `V2`, which is not on the wire (`/pay/micropay`).
        if chain.first().is_some_and(|s| s == "V2") {
            segments.remove(0);
        }
        let path = format!("/{}", segments.join("/"));

        let mut op = Operation::new(method, path);

        // The method's JSDoc: the parent namespace declares `interface <Last> { post(…): … }`.
        let doc = self
            .interfaces_named(&ns[..ns.len() - 2], &chain[chain.len() - 1])
            .flat_map(|iface| &iface.members)
            .find_map(|m| match m {
                Member::Method(sig) if sig.name == method.lower() => sig.doc.as_ref(),
                _ => None,
            });
        if let Some(doc) = doc {
            op.summary = summary(doc);
            op.links = doc.links.clone();
            op.deprecated = doc.tags.iter().find(|t| t.name == "deprecated").map(|t| {
                let note = t.text.trim().trim_start_matches('-').trim();
                if note.is_empty() {
                    "deprecated".to_owned()
                } else {
                    note.to_owned()
                }
            });
        }

        let mut download = false;
        let mut declared_params: Vec<Field> = Vec::new();
        if let Some(config) = self.interface(ns, "RequestConfig") {
            for member in &config.members {
                let Member::Property(prop) = member else {
                    self.error(config.span, "`RequestConfig` members must be properties");
                    continue;
                };
                match prop.name.as_str() {
                    "data" | "transformResponse" | "timeout" => {}
                    // APIv2: the call needs the merchant's certificate as a TLS client certificate.
                    "security" => match &prop.ty {
                        TsType::BoolLit(true) => op.mutual_tls = true,
                        _ => self.error(prop.span, "`security` must be the literal `true`"),
                    },
                    "params" => op.query = self.object_fields(prop),
                    "headers" => op.headers = self.object_fields(prop),
                    "responseType" => match &prop.ty {
                        TsType::StrLit(v) if v == "stream" || v == "arraybuffer" => download = true,
                        TsType::StrLit(_) => {}
                        _ => self.error(prop.span, "`responseType` must be a string literal"),
                    },
                    "baseURL" => match &prop.ty {
                        TsType::StrLit(v) => op.base_url = Some(v.clone()),
                        _ => self.error(prop.span, "`baseURL` must be a string literal"),
                    },
                    name if params_in_path.iter().any(|p| p == name) => {
                        let ty = self.ty(&prop.ty, prop.span, 0);
                        declared_params.push(Field::new(name, ty));
                    }
                    "empty" if chain.iter().any(|s| s == "_empty_") => {}
                    // A header declared beside `headers` instead of inside it.
                    name if name.eq_ignore_ascii_case("Wechatpay-Serial") => {
                        let ty = self.ty(&prop.ty, prop.span, 0);
                        op.headers.push(Field {
                            optional: prop.optional,
                            ..Field::new(name, ty)
                        });
                    }
                    name if is_identifier(name) => self.warnings.push(Diagnostic::new(
                        prop.span,
                        format!(
                            "`RequestConfig` member `{name}` is neither a request option nor a path \
                             parameter of `{}`; ignored (the docs' SDK fills only path parameters \
                             from the config)",
                            op.path
                        ),
                    )),
                    name => self.error(
                        prop.span,
                        format!(
                            "`RequestConfig` member `{name}` is neither a request option \
                             (params, headers, data, responseType, baseURL) nor a path parameter \
                             of `{}`",
                            op.path
                        ),
                    ),
                }
            }
        }
        for name in &params_in_path {
            let field = declared_params
                .iter()
                .find(|f| &f.name == name)
                .cloned()
                .unwrap_or_else(|| Field::new(name.clone(), Type::String));
            if op.path_params.iter().any(|f| &f.name == name) {
                self.error(
                    span,
                    format!("path parameter `{name}` appears twice in `{}`", op.path),
                );
            }
            op.path_params.push(field);
        }

        if let Some(body) = self.interface(ns, "JsonDataRequest") {
            op.request = RequestBody::Json {
                fields: self.fields(&body.members, 0),
            };
        } else if self.interface(ns, "BinaryDataRequest").is_some() {
            op.request = RequestBody::Multipart;
        } else if let Some(body) = self.interface(ns, "XmlDataRequest") {
            let fields = self.fields(&body.members, 0);
            op.request = RequestBody::Xml {
                fields: self.indexed(fields, body.span),
            };
        }

        match self.interface(ns, "WellformedResponse") {
            Some(resp) if download || extends(resp, "ReadStream") => op.response = ResponseBody::Binary,
            Some(resp) if matches!(op.request, RequestBody::Xml { .. }) => {
                let fields = self.fields(&resp.members, 0);
                op.response = ResponseBody::Xml {
                    fields: self.indexed(fields, resp.span),
                };
            }
            Some(resp) => {
                op.response = ResponseBody::Json {
                    fields: self.fields(&resp.members, 0),
                }
            }
            None if download => op.response = ResponseBody::Binary,
            None => {}
        }
        Some(op)
    }

    /// APIv2 `fields` with their indexed members (`coupon_id_$n`) grouped into lists.
    fn indexed(&mut self, fields: Vec<Field>, span: Span) -> Vec<Field> {
        super::indexed::group(fields, span, &mut self.diagnostics)
    }

    /// The fields of a property whose type is an inline object (`params`, `headers`).
    fn object_fields(&mut self, prop: &Property) -> Vec<Field> {
        match &prop.ty {
            TsType::Object(members) => self.fields(members, 0),
            _ => {
                self.error(
                    prop.span,
                    format!("`{}` must be an inline object type", prop.name),
                );
                Vec::new()
            }
        }
    }

    fn fields(&mut self, members: &[Member], depth: usize) -> Vec<Field> {
        let mut fields: Vec<Field> = Vec::new();
        // Names seen so far: a set, so that a huge interface is checked in linear time.
        let mut seen = std::collections::HashSet::new();
        for member in members {
            match member {
                Member::Property(prop) => {
                    if !seen.insert(prop.name.as_str()) {
                        self.error(prop.span, format!("field `{}` is declared twice", prop.name));
                        continue;
                    }
                    let ty = self.ty(&prop.ty, prop.span, depth);
                    fields.push(Field {
                        optional: prop.optional,
                        ..Field::new(prop.name.clone(), ty)
                    });
                }
                Member::Method(sig) | Member::Call(sig) => {
                    self.error(sig.span, "a data type cannot declare methods or call signatures")
                }
            }
        }
        fields
    }

    fn ty(&mut self, ty: &TsType, span: Span, depth: usize) -> Type {
        if depth > 64 {
            self.error(span, "type nesting is deeper than 64 levels");
            return Type::String;
        }
        match ty {
            TsType::String | TsType::TypeOf(_) => Type::String,
            TsType::Number => Type::Integer,
            TsType::Boolean | TsType::BoolLit(_) => Type::Boolean,
            TsType::StrLit(v) => Type::Enum {
                values: vec![v.clone()],
            },
            TsType::NumLit(v) => match v.parse::<i64>() {
                Ok(n) => Type::IntegerEnum { values: vec![n] },
                Err(_) => {
                    self.error(span, format!("number literal `{v}` is not an integer"));
                    Type::Integer
                }
            },
            TsType::Ref { path, .. } if path.len() == 1 && path[0] == "Date" => Type::DateTime,
            TsType::Ref { path, span: at } => {
                self.error(
                    *at,
                    format!("cannot resolve the type `{}` to a data type", path.join(".")),
                );
                Type::String
            }
            TsType::Array(inner) => Type::Array {
                items: Box::new(self.ty(inner, span, depth + 1)),
            },
            TsType::Object(members) => Type::Object {
                fields: self.fields(members, depth + 1),
            },
            TsType::Union(alternatives) => self.union(alternatives, span),
            // `[]` (an empty tuple) is how the docs write "a list" without an element type.
            TsType::Tuple(items) if items.is_empty() => Type::Array {
                items: Box::new(Type::Json),
            },
            TsType::Indexed { object, index } => match self.member_type(object, index) {
                Some(member) => self.ty(member, span, depth + 1),
                None => {
                    self.error(
                        span,
                        "an indexed type must name a member of an interface of its namespace \
                         (`XmlDataRequest['trade_type']`)",
                    );
                    Type::String
                }
            },
            TsType::Tuple(_) | TsType::Generic { .. } => {
                self.error(span, "tuple, generic and indexed types are not data types");
                Type::String
            }
        }
    }

    /// The type of member `index` (a string literal) of the interface `object` names in the
    /// operation's namespace.
    fn member_type(&self, object: &TsType, index: &TsType) -> Option<&'p TsType> {
        let (TsType::Ref { path, .. }, TsType::StrLit(key)) = (object, index) else {
            return None;
        };
        let [name] = path.as_slice() else {
            return None;
        };
        self.interfaces_named(&self.namespace, name)
            .flat_map(|iface| &iface.members)
            .find_map(|m| match m {
                Member::Property(prop) if &prop.name == key => Some(&prop.ty),
                _ => None,
            })
    }

    fn union(&mut self, alternatives: &[TsType], span: Span) -> Type {
        let mut flat = Vec::new();
        flatten(alternatives, &mut flat);
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        let (mut string, mut number, mut date, mut boolean, mut other) = (false, false, false, false, false);
        for alt in &flat {
            match alt {
                TsType::StrLit(v) => {
                    if !strings.contains(v) {
                        strings.push(v.clone());
                    }
                }
                TsType::NumLit(v) => match v.parse::<i64>() {
                    Ok(n) if !numbers.contains(&n) => numbers.push(n),
                    Ok(_) => {}
                    Err(_) => other = true,
                },
                TsType::String => string = true,
                TsType::Number => number = true,
                TsType::Boolean | TsType::BoolLit(_) => boolean = true,
                TsType::Ref { path, .. } if path.len() == 1 && path[0] == "Date" => date = true,
                _ => other = true,
            }
        }
        let literals = !strings.is_empty() || !numbers.is_empty();
        match (other, boolean, date, number, literals) {
            (false, false, false, false, true) if numbers.is_empty() => Type::Enum { values: strings },
            (false, false, false, false, true) if strings.is_empty() && !string => {
                Type::IntegerEnum { values: numbers }
            }
            (false, false, true, false, false) => Type::DateTime,
            (false, false, false, true, false) if string => Type::StringOrNumber,
            (false, true, false, false, false) if !string => Type::Boolean,
            _ => {
                self.error(span, "this union mixes kinds the IR cannot express (expected string literals, number literals, `string | Date` or `string | number`)");
                Type::String
            }
        }
    }
}

/// A lower-case identifier such as a path parameter name (`out_order_no`).
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn flatten<'t>(alternatives: &'t [TsType], out: &mut Vec<&'t TsType>) {
    for alt in alternatives {
        match alt {
            TsType::Union(inner) => flatten(inner, out),
            other => out.push(other),
        }
    }
}

fn extends(iface: &Interface, name: &str) -> bool {
    iface.extends.iter().any(|p| p.last().is_some_and(|l| l == name))
}

/// The first line of a JSDoc that is a title (the docs use `shortland` as a placeholder).
fn summary(doc: &Doc) -> Option<String> {
    doc.lines
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && *l != "shortland" && !l.starts_with('@'))
        .map(str::to_owned)
}
