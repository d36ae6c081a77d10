//! The intermediate representation shared by every front-end and the emitter.
//!
//! It is also the persisted API model: `cargo xtask import` writes one [`Document`] per spec page as
//! YAML under `specs/`, and `cargo xtask codegen` reads them back. It holds facts only (paths,
//! methods, fields, types, enum values, titles and links), never prose paragraphs.
//!
//! Anonymous (inline) object types stay inline here; stable Rust names are assigned once, by the
//! emitter's naming pass ([`crate::emit::names`]).

use serde::{Deserialize, Serialize};

/// One imported spec document (one docs page), as persisted in `specs/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Path of the page in the upstream docs repository, `/`-separated, e.g.
    /// `openapi/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop.md`.
    pub source: String,
    /// The page title from its front matter (e.g. `停止支付分计划`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where a redirect page sends its readers (the docs page that now documents its endpoint,
    /// e.g. `openapi/v2/mmpaysptrans/query_bank.md`); such a page declares nothing itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// The operations the page declares (usually one; a page may declare several methods).
    pub operations: Vec<Operation>,
    /// Named types the operations refer to by [`Type::Named`] (OpenAPI `components.schemas`),
    /// by name. The WeChat Pay docs declare every type inline, so their pages have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<NamedType>,
    /// The webhook events the API sends, by the name that tells them apart on the wire
    /// (Wonder's `X-Action: order.paid`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

/// A webhook event: its name on the wire and the type of its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The event's name as sent: Wonder's `X-Action` (`order.paid`), WeChat Pay's `event_type`
    /// (`TRANSACTION.SUCCESS`).
    pub name: String,
    /// What happened, in a sentence (WeChat Pay: the page title, `支付成功通知`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Links to the official documentation of the event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// The values the docs give for the encrypted resource's `original_type` (WeChat Pay:
    /// `transaction`, `mch_payment`); empty when they give none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub original_types: Vec<String>,
    /// The payload's type: a [`Type::Named`] (OpenAPI) or an inline [`Type::Object`] (WeChat
    /// Pay's decrypted resource).
    pub payload: Type,
    /// The name of the operation response type the payload shares (like
    /// [`Operation::response_type_name`], e.g. `payments.Transaction`): the payload and those
    /// responses decode into one type, the union of their fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_type_name: Option<String>,
    /// How an APIv2 (XML) notification carries the event (WeChat Pay's `webhook/v2` pages);
    /// `None` for a JSON event. The payload is then the notification's own members, the one
    /// holding a document of its own ([`XmlEvent::inner`]) typed as that document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml: Option<XmlEvent>,
}

/// What sets an APIv2 (XML) notification apart from a JSON one: a member that holds a document
/// of its own, and the reply its sender expects.
///
/// Source: the `js twoslash` handlers of WeChat Pay's `webhook/v2` pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XmlEvent {
    /// The member whose text is a document of its own, and how it is carried (`req_info`,
    /// AES-256-ECB); `None` when every member is plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<InnerDocument>,
    /// The members of the reply: `return_code`/`return_msg`, or `code`/`message`.
    pub reply: XmlReply,
}

/// A member of an XML notification whose text is a document of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerDocument {
    /// The member's name (`req_info`, `event_ciphertext`, `sub_order_list`).
    pub member: String,
    /// How the document is carried in it.
    pub carriage: Carriage,
}

/// How a member carries a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Carriage {
    /// Base64 of AES-256-ECB (PKCS#7), keyed by the lowercase hex MD5 of the APIv2 key; the
    /// plaintext is flat XML (the refund notification's `req_info`).
    #[serde(rename = "aes-256-ecb")]
    AesEcb,
    /// AEAD_AES_256_GCM with the APIv3 key, the nonce and associated data in sibling members
    /// (`event_nonce`, `event_associated_data`); the plaintext is flat XML (payscore's
    /// `event_ciphertext`).
    #[serde(rename = "aead-aes-256-gcm")]
    AeadAesGcm,
    /// JSON text (combined payments' `sub_order_list`).
    Json,
}

/// The members of the reply an XML notification's sender expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XmlReply {
    /// `<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>`.
    ReturnCode,
    /// `<xml><code>SUCCESS</code><message>OK</message></xml>` (payscore).
    Code,
}

impl Document {
    /// The named type `name` of this document.
    pub fn named(&self, name: &str) -> Option<&NamedType> {
        self.types.iter().find(|t| t.name == name)
    }
}

impl Event {
    /// The one value the payload's `event_type` member may take, when it declares one as a
    /// literal (an APIv2 payscore notification's `CHECK.SUCCESS`); `None` otherwise.
    pub fn event_type_literal(&self) -> Option<&str> {
        let Type::Object { fields } = &self.payload else {
            return None;
        };
        match fields.iter().find(|f| f.name == "event_type").map(|f| &f.ty) {
            Some(Type::Enum { values }) if values.len() == 1 => values.first().map(String::as_str),
            _ => None,
        }
    }
}

/// A type with a name of its own, which [`Type::Named`] refers to: the Rust name it is emitted
/// under is this name (PascalCase), unless two named types of a crate claim it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedType {
    /// The name as the spec gives it (`Plan`, `CycleIn`).
    pub name: String,
    /// What the spec says it is, in a sentence (no prose paragraphs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The type itself: usually an object or an enum.
    #[serde(flatten)]
    pub ty: Type,
}

/// One HTTP operation: a method on a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The spec's own name for the operation (OpenAPI `operationId`, e.g. `cancel_plan`), unique in
    /// its API. The WeChat Pay docs give none: their operations are named by path and method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template as sent on the wire, path parameters in braces, e.g.
    /// `/v3/payscore/plan/payscore-plans/merchant-plan-no/{merchant_plan_no}/stop`.
    pub path: String,
    /// A host that overrides the client's base URL for this operation (e.g. `https://pay.wechatpay.cn/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// True when the operation must be called over mutual TLS, with the merchant's API
    /// certificate as the client certificate (the APIv2 docs' `security: true`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub mutual_tls: bool,
    /// The operation's short title from the docs (e.g. `停止支付分计划`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Links to the official documentation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// Present when the docs mark the operation deprecated, with their note (e.g. `since 2020.03.26`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// Path parameters, in the order they appear in [`Operation::path`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_params: Vec<Field>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<Field>,
    /// Request headers the docs declare (e.g. `Wechatpay-Serial`, `Idempotency-Key`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Field>,
    /// The request body.
    pub request: RequestBody,
    /// The success response.
    pub response: ResponseBody,
    /// The envelope the response comes in, if any (the [`ResponseBody`] describes its `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
    /// A suggested name for the response type: the official SDK's, with its package
    /// (`payments.Transaction`, `refunddomestic.Refund`). Operations whose responses share it
    /// share one response type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type_name: Option<String>,
    /// The spec's groups of the operation (OpenAPI `tags`, e.g. `recurring_payments`); a
    /// layout may put each group in its own module.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A `name[field][operator]=value` filter the operation's query takes (OpenAPI deepObject
    /// with `x-filter`), kept apart from [`Operation::query`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<QueryFilter>,
    /// What of the operation its spec marks as inferred rather than confirmed by a reference
    /// page (OpenAPI `x-inferred`); told to callers in the rustdoc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inferred: Option<Inferred>,
}

/// A deepObject filter query parameter: `filter[created_at][_gte]=2024-01-01`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryFilter {
    /// The query parameter's name (`filter`).
    pub name: String,
    /// The operators the API accepts, as spelled on the wire (`_eq`, `_in`, …).
    pub operators: Vec<String>,
    /// The filterable fields; empty when the spec lists none and any field name is passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// Parts of an operation its spec marks as inferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inferred {
    /// Which parts (`path`, `response`, `type`).
    pub parts: Vec<String>,
    /// What exactly, in the spec's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Operation {
    /// An operation with no parameters, no request body and an empty JSON response; the rest is
    /// filled in by its front-end.
    pub fn new(method: HttpMethod, path: impl Into<String>) -> Operation {
        Operation {
            operation_id: None,
            method,
            path: path.into(),
            base_url: None,
            mutual_tls: false,
            summary: None,
            links: Vec::new(),
            deprecated: None,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            request: RequestBody::None,
            response: ResponseBody::Json { fields: Vec::new() },
            envelope: None,
            response_type_name: None,
            tags: Vec::new(),
            filter: None,
            inferred: None,
        }
    }
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// All methods, in a fixed order.
    pub const ALL: [HttpMethod; 5] = [
        HttpMethod::Get,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
    ];

    /// The method as written on the wire (`"GET"`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    /// The method in lower case (`"get"`), as used for generated function names.
    pub fn lower(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Post => "post",
            HttpMethod::Put => "put",
            HttpMethod::Patch => "patch",
            HttpMethod::Delete => "delete",
        }
    }
}

/// What an operation sends as its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestBody {
    /// No body.
    None,
    /// A JSON body (`JsonDataRequest`): always an object.
    Json {
        /// The body's fields.
        fields: Vec<Field>,
    },
    /// A multipart media upload (`BinaryDataRequest extends Multipart`): a `meta` JSON part
    /// (`filename`, `sha256`) and a `file` part.
    Multipart,
    /// A JSON body given as a type rather than fields: a [`Type::Named`] object (an OpenAPI
    /// `$ref` body), emitted as that named type.
    Value {
        /// The body's type.
        #[serde(flatten)]
        ty: Type,
    },
    /// A WeChat Pay APIv2 XML body (`XmlDataRequest`): `<xml><field>text</field>…</xml>`, flat,
    /// every value sent as text, signed with `nonce_str` and `sign` inside the body. A list
    /// member ([`Type::Array`] of objects) is an *indexed* list: it has no element of its own,
    /// each item `i` sends its members as `{member}_{i}` (the docs' `coupon_id_$n`), and a list
    /// inside an item `{member}_{i}_{j}` (`coupon_refund_id_$n_$m`).
    Xml {
        /// The body's fields.
        fields: Vec<Field>,
    },
}

/// What an operation answers with on success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResponseBody {
    /// A JSON object (`WellformedResponse`).
    Json {
        /// The response's fields.
        fields: Vec<Field>,
    },
    /// A byte stream: a file download (`WellformedResponse extends ReadStream`, or a
    /// `responseType` of `'stream'`/`'arraybuffer'`).
    Binary,
    /// A JSON value given as a type rather than fields: a list (`[Item]`) or a
    /// [`Type::Named`] object (an OpenAPI `$ref`).
    Value {
        /// The value's type.
        #[serde(flatten)]
        ty: Type,
    },
    /// A WeChat Pay APIv2 XML answer (`WellformedResponse` of an XML operation): flat, every
    /// value text, lists indexed as in [`RequestBody::Xml`]; checked by `return_code`,
    /// `result_code` and `sign` before it is data.
    Xml {
        /// The answer's fields.
        fields: Vec<Field>,
    },
}

/// A response envelope: every answer of the operation is an object whose `data` member holds the
/// value the [`ResponseBody`] describes, and whose `code` says whether the call succeeded
/// (Wonder's `{"code": 0, "message": "...", "data": {...}}`). The client returns `data`; any
/// other `code` is an API error, whatever the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The member holding the result code (`code`).
    pub code: String,
    /// The member holding the message (`message`).
    pub message: String,
    /// The member holding the value (`data`).
    pub data: String,
    /// The code of success (`0`).
    pub success: i64,
}

impl RequestBody {
    /// The body's fields: those of a JSON or an XML object body.
    pub fn fields(&self) -> Option<&[Field]> {
        match self {
            RequestBody::Json { fields } | RequestBody::Xml { fields } => Some(fields),
            RequestBody::None | RequestBody::Multipart | RequestBody::Value { .. } => None,
        }
    }

    /// The body's fields, to change them (see [`RequestBody::fields`]).
    pub fn fields_mut(&mut self) -> Option<&mut Vec<Field>> {
        match self {
            RequestBody::Json { fields } | RequestBody::Xml { fields } => Some(fields),
            RequestBody::None | RequestBody::Multipart | RequestBody::Value { .. } => None,
        }
    }
}

impl ResponseBody {
    /// The answer's fields: those of a JSON or an XML object answer.
    pub fn fields(&self) -> Option<&[Field]> {
        match self {
            ResponseBody::Json { fields } | ResponseBody::Xml { fields } => Some(fields),
            ResponseBody::Binary | ResponseBody::Value { .. } => None,
        }
    }

    /// The answer's fields, to change them (see [`ResponseBody::fields`]).
    pub fn fields_mut(&mut self) -> Option<&mut Vec<Field>> {
        match self {
            ResponseBody::Json { fields } | ResponseBody::Xml { fields } => Some(fields),
            ResponseBody::Binary | ResponseBody::Value { .. } => None,
        }
    }
}

/// A named, typed member: a body or object field, a query or path parameter, a header.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Field {
    /// The name exactly as on the wire (e.g. `out_trade_no`, `Wechatpay-Serial`).
    pub name: String,
    /// True when the docs mark the member optional (`?`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// The member's type.
    #[serde(flatten)]
    pub ty: Type,
    /// True when the member may be JSON `null` (OpenAPI `nullable`): a required nullable member is
    /// always sent, as `null` when it has no value (Wonder's `billing_count: null` bills forever).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// True when the value is encrypted with the WeChat Pay key (RSA-OAEP-SHA1) on the wire: a
    /// sensitive field (names, ID and bank account numbers), which the request must send under
    /// `Wechatpay-Serial` naming that key. The docs never say so; the official SDK does.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// The one-of group this member belongs to (an erratum declares it): of the members of an
    /// object that name the same group, a request sends exactly one (refunds take
    /// `transaction_id` or `out_trade_no`). The name is the group's Rust field name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<String>,
    /// What the official SDK's facts changed about this member, for the reviewer of `specs/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub official_sdk: Vec<Change>,
    /// What an erratum of `specs/overrides/` changed about this member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erratum: Vec<Change>,
    /// What the spec says the member is, in a sentence or two (OpenAPI `description`), shown in
    /// the member's rustdoc. The WeChat Pay docs give none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Field {
    /// A required member with no facts from other sources.
    pub fn new(name: impl Into<String>, ty: Type) -> Field {
        Field {
            name: name.into(),
            optional: false,
            ty,
            nullable: false,
            sensitive: false,
            one_of: None,
            official_sdk: Vec::new(),
            erratum: Vec::new(),
            description: None,
        }
    }

    /// An optional member with no facts from other sources.
    pub fn optional(name: impl Into<String>, ty: Type) -> Field {
        Field {
            optional: true,
            ..Field::new(name, ty)
        }
    }
}

/// One fact about a [`Field`] that a source other than its docs page gave: the official SDK's
/// facts (`Field::official_sdk`) or an erratum (`Field::erratum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The docs lack the field; this source sends or decodes it.
    Added,
    /// The docs mark it required; this source leaves it optional.
    Optional,
    /// The docs mark it optional; this source requires it.
    Required,
    /// This source encrypts it (see [`Field::sensitive`]).
    Sensitive,
    /// This source gives it another JSON shape (an integer or an object where the docs say
    /// string), and its shape was taken.
    Retyped,
    /// This source knows enum values the docs do not list; they were added.
    Values,
    /// This source puts it in a one-of group (see [`Field::one_of`]).
    OneOf,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Type {
    /// A string.
    String,
    /// An integer (TypeScript `number`; WeChat Pay amounts are integers in fen).
    Integer,
    /// A number that may have a fraction, kept exact (a JSON number on the wire, a decimal in
    /// Rust, never a float): Wonder's money amounts such as `price: 10.50`.
    Decimal,
    /// A boolean.
    Boolean,
    /// An RFC 3339 date-time such as `2024-11-21T15:40:01+08:00` (TypeScript `string | Date`).
    DateTime,
    /// A value that may be a string or a number (TypeScript `string | number`).
    StringOrNumber,
    /// An open set of string values (a union of string literals); values outside the set are kept.
    Enum {
        /// The known values, in the docs' order.
        values: Vec<String>,
    },
    /// An open set of integer values (a union of number literals).
    IntegerEnum {
        /// The known values, in the docs' order.
        values: Vec<i64>,
    },
    /// A list.
    Array {
        /// The element type.
        items: Box<Type>,
    },
    /// Any JSON value: the docs give no element type (TypeScript `[]` is lowered to a list of these).
    Json,
    /// An object with named fields.
    Object {
        /// The fields, in the docs' order.
        fields: Vec<Field>,
    },
    /// A reference to a [`NamedType`] of the same document, by its name (OpenAPI `$ref`). It
    /// may refer to itself (a plan cycle's `previous_cycle`).
    Named {
        /// The named type's [`NamedType::name`] (`ref:` in the YAML, beside the field's own
        /// `name:`).
        #[serde(rename = "ref")]
        name: String,
    },
}
