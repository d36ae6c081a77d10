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
    /// The Cargo `description`.
    pub description: String,
    /// The crate-level rustdoc; `{operation_count}` is replaced by the number of operations.
    pub crate_doc: String,
    /// The module of `sdk_runtime` that holds the provider's client (`wechatpay`, `wonder`).
    pub provider: String,
    /// Items of the provider module the crate re-exports for its users (`Client`, …).
    pub reexports: Vec<String>,
    /// Items of `sdk_runtime` itself the crate re-exports (`Error`, `DateTime`, …).
    pub runtime_reexports: Vec<String>,
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
}
