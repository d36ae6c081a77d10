//! The syntax tree of the TypeScript declarations found in WeChat Pay docs pages.
//!
//! Only the subset the docs use is modelled: namespaces, interfaces, `var` declarations and the
//! type expressions inside them. Every [`Span`] points into the original page file (1-based).

use crate::diag::Span;

/// A parsed `virtual.ts` part: its top-level declarations in source order.
///
/// Imports, `/// <reference …/>` directives, `export { … }` lists and empty statements are
/// skipped and leave no item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    /// Top-level declarations, in source order.
    pub items: Vec<Item>,
}

/// A declaration at module or namespace level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `namespace A.B.C { … }` (also `module A { … }`).
    Namespace(Namespace),
    /// `interface Name extends X { … }`.
    Interface(Interface),
    /// `var name: Type` (also `let` / `const`); `var a: A, b: B` gives one item per name.
    Var(VarDecl),
}

/// `namespace A.B.C { … }`; `export` / `declare` modifiers are accepted and not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The dotted name, one segment per element: `["WeChatPay", "OpenAPI", "V3"]`.
    pub path: Vec<String>,
    /// The declarations in the body, in source order; nested namespaces allowed.
    pub items: Vec<Item>,
    /// Position of the first segment of the name.
    pub span: Span,
}

/// `interface Name extends A, B.C { members }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// The interface name.
    pub name: String,
    /// Its type parameters (`RequestConfig<D = XmlDataRequest>`), in order.
    pub type_params: Vec<TypeParam>,
    /// The `extends` clause, one dotted path per parent: `[["AxiosRequestConfig"]]`.
    pub extends: Vec<Vec<String>>,
    /// The members, in source order.
    pub members: Vec<Member>,
    /// The `/** … */` comment right before the declaration, if any.
    pub doc: Option<Doc>,
    /// Position of the interface name.
    pub span: Span,
}

/// A type parameter of an interface: `D = XmlDataRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeParam {
    /// The parameter's name (`D`).
    pub name: String,
    /// Its default type, if it has one.
    pub default: Option<Type>,
}

/// `var name: Type` (from `export var wxpay: Wechatpay`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarDecl {
    /// The variable name.
    pub name: String,
    /// Its declared type.
    pub ty: Type,
    /// Position of the variable name.
    pub span: Span,
}

/// A member of an interface body or of an inline object type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// `name: Type`, `name?: Type`, `'quoted-name': Type`.
    Property(Property),
    /// `name(params): Ret`.
    Method(MethodSig),
    /// Call signature `(params): Ret`; its `name` is empty.
    Call(MethodSig),
}

/// A property signature: `name?: Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The name without quotes: `'Wechatpay-Serial'` gives `Wechatpay-Serial`.
    pub name: String,
    /// Whether the name was written as a string literal.
    pub quoted: bool,
    /// Whether the name was followed by `?`.
    pub optional: bool,
    /// The declared type.
    pub ty: Type,
    /// The `/** … */` comment right before the property, if any.
    pub doc: Option<Doc>,
    /// Position of the name (of its opening quote when quoted).
    pub span: Span,
}

/// A method signature `name(params): Ret`, or a call signature `(params): Ret` (empty `name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSig {
    /// The method name; empty for a call signature.
    pub name: String,
    /// The parameters, in order.
    pub params: Vec<Param>,
    /// The return type.
    pub ret: Type,
    /// The `/** … */` comment right before the signature, if any.
    pub doc: Option<Doc>,
    /// Position of the name (of the `(` for a call signature).
    pub span: Span,
}

/// A parameter `name?: Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The parameter name.
    pub name: String,
    /// Whether the name was followed by `?`.
    pub optional: bool,
    /// The declared type.
    pub ty: Type,
}

/// A JSDoc comment `/** … */`.
///
/// Each line has surrounding blanks and one leading `*` removed; blank lines at the start and end
/// are dropped. A line starting with `@link` contributes its URL to `links`; other `@tag` lines go
/// to `tags`; everything else to `lines`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// The plain-text lines, in order (blank lines inside the comment kept as `""`).
    pub lines: Vec<String>,
    /// The URL of each `@link URL` line and of each inline `{@link URL}`, in order.
    ///
    /// An `@link` whose text is not a URL (some pages put a sentence there) is kept in `lines`
    /// instead; a Markdown link `[text](url)` inside it still contributes its `url` here.
    pub links: Vec<String>,
    /// The other block tags, in order: `@deprecated - since 2020.03.26` gives
    /// `DocTag { name: "deprecated", text: "- since 2020.03.26" }`.
    pub tags: Vec<DocTag>,
}

/// A JSDoc block tag other than `@link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocTag {
    /// The tag name without `@`: `deprecated`.
    pub name: String,
    /// The rest of the line, trimmed (may be empty).
    pub text: String,
}

/// A type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `string`.
    String,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// `true` / `false`.
    BoolLit(bool),
    /// `'A'` or `"A"`: the unescaped content (`''` is the empty literal).
    StrLit(String),
    /// `1`, `-1`, `1.5`: kept as written (with the sign, if any).
    NumLit(String),
    /// A named type: `Foo`, `Foo.Bar.JsonDataRequest`, `Date`, `ReadStream`, `Multipart`. Other
    /// keywords such as `any`, `null` or `undefined` also land here as one-segment paths.
    Ref {
        /// The dotted path, one segment per element.
        path: Vec<String>,
        /// Position of the first segment.
        span: Span,
    },
    /// A named type with type arguments: `AxiosPromise<T>`.
    Generic {
        /// The dotted path of the generic type.
        path: Vec<String>,
        /// The type arguments, in order (at least one).
        args: Vec<Type>,
        /// Position of the first segment.
        span: Span,
    },
    /// `T[]` (also `(A | B)[]`, `{ … }[]`, `T[][]`).
    Array(Box<Type>),
    /// `[]` (empty tuple, e.g. `transformResponse: []`) and `[A, B]`.
    Tuple(Vec<Type>),
    /// `A | B | C`, at least two alternatives; a leading `|` is allowed and parenthesized unions
    /// directly inside a union are flattened into it.
    Union(Vec<Type>),
    /// An inline object type `{ … }`.
    Object(Vec<Member>),
    /// `typeof name` / `typeof a.b`.
    TypeOf(Vec<String>),
    /// An indexed access type `X.Y.RequestConfig['responseType']`.
    Indexed {
        /// The indexed type.
        object: Box<Type>,
        /// The index type (usually a string literal).
        index: Box<Type>,
    },
}
