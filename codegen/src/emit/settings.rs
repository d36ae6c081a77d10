//! Per-API settings of the emitter, in the manner of progenitor's `GenerationSettings`: the
//! crate's name and words, and which runtime provider its code calls. One emitter serves every
//! API; what differs between them is here, not in the emitter's code.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;

/// What the emitter needs to know about the API it writes a crate for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The Cargo package and library name (`wechatpay`).
    pub crate_name: String,
    /// The API's name in generated prose (`WeChat Pay`, `Wonder`).
    pub api_name: String,
    /// Where each operation's function goes.
    pub layout: Layout,
    /// Whether the API signs its responses (and the runtime verifies them).
    pub signed_responses: bool,
    /// Whether to emit `wechatpay-conformance`, the test-only crate that calls every operation by
    /// name from JSON input against the WeChat Pay mock (its callers, sensitive-field closures and
    /// mock setup are WeChat Pay's; another API tests its crate through its own mock).
    pub conformance: bool,
    /// The Cargo `description`.
    pub description: String,
    /// The crate-level rustdoc; `{operation_count}` is replaced by the number of operations.
    pub crate_doc: String,
    /// The module of `sdk_runtime` that holds the provider's client (`wechatpay`, `wonder`).
    pub provider: String,
    /// Items of the provider module the crate re-exports for its users (`Client`, …).
    pub reexports: Vec<String>,
    /// Request headers the provider's client sends itself (set once on the client): the spec
    /// may declare them on every operation, but they are no function's arguments.
    pub client_headers: Vec<String>,
    /// Items of `sdk_runtime` itself the crate re-exports (`Error`, `DateTime`, …).
    pub runtime_reexports: Vec<String>,
}

/// The rule that puts an operation's function in a module of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Modules mirror the URL path (a module per literal segment, `by_<name>` per path
    /// parameter) and the function is named after the HTTP method; the first segment, or the
    /// first two under a version segment (`v3/pay`), name the product, a file and a cargo
    /// feature. For specs whose operations have no names (the WeChat Pay docs).
    UrlPath,
    /// A module, file and cargo feature per tag (the operation's first), and the function
    /// named after the operation id: `recurring_payments::cancel_plan`. For OpenAPI specs.
    Tags,
}

/// A runtime item generated code names; [`Settings::runtime`] gives its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// The provider's client, which signs, sends, verifies and decodes.
    Client,
    /// The request description generated functions build.
    Operation,
    /// A streamed download.
    Download,
    /// A media upload.
    MediaUpload,
    /// WeChat Pay's encryptor of sensitive fields.
    Encryptor,
    /// WeChat Pay's plaintext of a sensitive field.
    Sensitive,
    /// A `filter[field][operator]=value` list filter.
    Filter,
    /// The trait of the fields a filter names.
    FilterField,
    /// A webhook whose signature verified: `action().as_str()` names its event, `json()`
    /// decodes its payload.
    Webhook,
}

impl Runtime {
    fn name(self) -> &'static str {
        match self {
            Runtime::Client => "Client",
            Runtime::Operation => "Operation",
            Runtime::Download => "Download",
            Runtime::MediaUpload => "MediaUpload",
            Runtime::Encryptor => "Encryptor",
            Runtime::Sensitive => "Sensitive",
            Runtime::Filter => "Filter",
            Runtime::FilterField => "FilterField",
            Runtime::Webhook => "Webhook",
        }
    }
}

impl Settings {
    /// The path of a runtime item of this API's provider: `::sdk_runtime::wechatpay::Client`.
    pub fn runtime(&self, item: Runtime) -> TokenStream {
        let provider = ident(&self.provider);
        let name = ident(item.name());
        quote!(::sdk_runtime::#provider::#name)
    }

    /// WeChat Pay APIv3: modules mirror the URL path, a cargo feature per product.
    pub fn wechatpay() -> Settings {
        Settings {
            crate_name: "wechatpay".to_owned(),
            api_name: "WeChat Pay".to_owned(),
            layout: Layout::UrlPath,
            signed_responses: true,
            conformance: true,
            description: "Typed WeChat Pay APIv3 client, generated from the official docs.".to_owned(),
            crate_doc:
                "Typed client for the WeChat Pay APIv3 ({operation_count} operations), generated from the \
                 official docs.\n\nModules mirror the URL path: `POST /v3/payscore/plan/payscore-plans/\
                 merchant-plan-no/{merchant_plan_no}/stop` is \
                 `v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop::post`. \
                 Each product (`v3::pay`, `v3::payscore`, …) sits behind the cargo feature of the same \
                 name; `full` enables all of them.\n\nOperations whose docs declare the \
                 `Wechatpay-Serial` header take a closure that builds the request from an [`Encryptor`]: \
                 encrypt sensitive fields with it, and the request names that same key.\n\nSigning, \
                 verification, certificates, retries and downloads live in [`sdk_runtime`]; this crate \
                 re-exports what a caller needs."
                    .to_owned(),
            provider: "wechatpay".to_owned(),
            client_headers: Vec::new(),
            reexports: [
                "Client",
                "ClientBuilder",
                "Download",
                "Encryptor",
                "MediaUpload",
                "Notification",
                "RetryPolicy",
            ]
            .map(str::to_owned)
            .to_vec(),
            runtime_reexports: [
                "DateTime",
                "Error",
                "ErrorKind",
                "SignatureErrorKind",
                "StringOrNumber",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }

    /// Wonder Open API (recurring payments): a module per tag, a function per operation id.
    pub fn wonder() -> Settings {
        Settings {
            crate_name: "wonder".to_owned(),
            api_name: "Wonder".to_owned(),
            layout: Layout::Tags,
            signed_responses: false,
            conformance: false,
            description:
                "Typed Wonder Open API client (recurring payments), generated from its OpenAPI description."
                    .to_owned(),
            crate_doc: "Typed client for the Wonder Open API ({operation_count} operations): recurring \
                 items, billing configs, plans, cycles and orders, plus the echo endpoint that \
                 checks request signing. Generated from `specs/wonder/openapi.yaml`.\n\nA module per \
                 tag, a function per operation id: `PUT /svc/payment/api/v1/openapi/recurring_payments/\
                 plan/{id}/cancel` is `recurring_payments::cancel_plan`. Each tag's module sits behind \
                 the cargo feature of the same name; `full` enables all of them.\n\nEvery call is \
                 signed with Wonder-RSA-SHA256 and returns the `data` of Wonder's \
                 `{code, message, data}` envelope; a non-zero `code` is an \
                 [`Error`] of kind [`ErrorKind::Api`] even under HTTP 200. List operations take a \
                 [`Filter`] over their own field enum (`filter[field][operator]=value`). Money \
                 amounts are exact [`Decimal`]s.\n\nSigning, the envelope, webhooks, retries and \
                 timeouts live in [`sdk_runtime`]; this crate re-exports what a caller needs."
                .to_owned(),
            provider: "wonder".to_owned(),
            // `ClientBuilder::lang`.
            client_headers: vec!["x-i18n-lang".to_owned()],
            reexports: [
                "Client",
                "ClientBuilder",
                "Filter",
                "FilterField",
                "Lang",
                "Operator",
                "RetryPolicy",
                "Webhook",
            ]
            .map(str::to_owned)
            .to_vec(),
            runtime_reexports: ["Decimal", "Error", "ErrorKind"].map(str::to_owned).to_vec(),
        }
    }
}
