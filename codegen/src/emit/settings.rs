//! Per-API settings of the emitter, in the manner of progenitor's `GenerationSettings`: the
//! crate's name and words, and which runtime provider its code calls. One emitter serves every
//! API; what differs between them is here, not in the emitter's code.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;

/// What the emitter needs to know about the API it writes a crate for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The Cargo package name (`wechatpay-typed`); the library is named after it with `_` for
    /// `-` ([`Settings::lib_name`]).
    pub crate_name: String,
    /// The crate's directory under `generated/` (`wechatpay`); its conformance crate, when
    /// there is one, is beside it with `-conformance` after the name.
    pub directory: String,
    /// The API's name in generated prose (`WeChat Pay`, `Wonder`).
    pub api_name: String,
    /// Where each operation's function goes.
    pub layout: Layout,
    /// Whether the API signs its responses (and the runtime verifies them).
    pub signed_responses: bool,
    /// The conformance crate (`{crate_name}-conformance`), when one is wanted: the test-only
    /// crate that calls every operation by name from JSON input, tested against the API's mock.
    pub conformance: Option<Conformance>,
    /// The Cargo `description`.
    pub description: String,
    /// The Cargo `keywords` (at most five).
    pub keywords: Vec<String>,
    /// The Cargo `categories` (crates.io category slugs).
    pub categories: Vec<String>,
    /// The crate-level rustdoc; `{operation_count}` is replaced by the number of operations.
    pub crate_doc: String,
    /// The crate docs' and README's quick start: building a client and one call.
    pub quick_start: QuickStart,
    /// The module of `sdk_runtime` that holds the provider's client (`wechatpay`, `wonder`).
    pub provider: String,
    /// Items of the provider module the crate re-exports for its users (`Client`, …).
    pub reexports: Vec<String>,
    /// Request headers the provider's client sends itself (set once on the client): the spec
    /// may declare them on every operation, but they are no function's arguments.
    pub client_headers: Vec<String>,
    /// Items of `sdk_runtime` itself the crate re-exports (`Error`, `DateTime`, …).
    pub runtime_reexports: Vec<String>,
    /// How a webhook becomes an `events::Event`, for the events module's docs (the provider's
    /// runtime call).
    pub events_entry: String,
    /// Cargo features of `sdk-runtime` the crate offers under the same name, outside `full`
    /// (`axum`: the webhook extractor; a framework is the user's choice, not a product).
    pub runtime_features: Vec<String>,
    /// The API's XML protocol (WeChat Pay APIv2), when it has one: where its operations go and
    /// what its client does itself.
    pub xml: Option<XmlProtocol>,
}

/// How the emitter treats an API's XML operations ([`crate::ir::RequestBody::Xml`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlProtocol {
    /// The crate module the XML operations go under (`v2`), their paths having no version
    /// segment (`/pay/micropay` is `v2::pay::micropay`); its products' cargo features are named
    /// `{module}-{product}` (`v2-pay`).
    pub module: String,
    /// The runtime module of the protocol below the provider's (`v2`:
    /// `sdk_runtime::wechatpay::v2`), holding its `Client` and `Operation`.
    pub runtime: String,
    /// Request members the client fills itself (`nonce_str`, `sign`): no request type has them.
    pub client_fields: Vec<String>,
    /// The paths whose answers carry no sign (the runtime then checks `return_code` and
    /// `result_code` only).
    pub unsigned_responses: Vec<String>,
}

/// What the conformance crate of an API needs besides the model: how its generated test reaches
/// the API's mock server (in the test-only package `wechatpay-mock`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conformance {
    /// The mock in generated prose (`the mock WeChat Pay server`).
    pub mock_name: String,
    /// Rust items of the generated test, parsed as tokens: the `use` of the mock, a `key(file)`
    /// reading a test-vector key, and `fn setup() -> (Server, Client)` starting the mock and
    /// building the provider's client (`::sdk_runtime::{provider}::Client`) pointed at it. The
    /// server must have `requests()` and `clear_requests()`, each request `method`, `target`
    /// and `signature_verified`.
    pub test_setup: String,
}

/// The quick start of a generated crate's docs and README: a compiling example (a doctest,
/// `no_run`) that builds a client and makes one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickStart {
    /// The cargo feature the call needs; the doctest is compiled only when it is enabled.
    pub feature: String,
    /// The example: Rust code that names the crate by its library name.
    pub code: String,
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

/// Items of `sdk_runtime` itself that generated signatures and types name: every generated crate
/// re-exports them, and generated code names them as the crate's own (`crate::Error`).
pub(super) const SHARED_REEXPORTS: &[&str] = &[
    "DateTime",
    "Decimal",
    "Error",
    "ErrorKind",
    "JsonValue",
    "StringOrNumber",
    "Unparsed",
];

impl Settings {
    /// The library name: the package name with `_` for `-` (`wechatpay_typed`).
    pub fn lib_name(&self) -> String {
        self.crate_name.replace('-', "_")
    }

    /// The path of a runtime item of this API's provider: the crate's own re-export
    /// (`crate::Client`) when the crate re-exports it, so public signatures name the crate's
    /// items; else the provider's item itself (`::sdk_runtime::wechatpay::Operation`, used only
    /// inside function bodies).
    pub fn runtime(&self, item: Runtime) -> TokenStream {
        let name = ident(item.name());
        if self.reexports.iter().any(|r| r == item.name()) {
            return quote!(crate::#name);
        }
        let provider = ident(&self.provider);
        quote!(::sdk_runtime::#provider::#name)
    }

    /// The path of `item` (`Client`, `Operation`) in the runtime module of the API's XML
    /// protocol: `::sdk_runtime::wechatpay::v2::Client`.
    pub fn xml_runtime(&self, item: &str) -> TokenStream {
        let provider = ident(&self.provider);
        let item = ident(item);
        match &self.xml {
            Some(xml) => {
                let module = ident(&xml.runtime);
                quote!(::sdk_runtime::#provider::#module::#item)
            }
            None => quote!(::sdk_runtime::#provider::#item),
        }
    }

    /// Every item of `sdk_runtime` itself the crate re-exports: [`SHARED_REEXPORTS`] and the
    /// settings' own, sorted.
    pub fn shared_reexports(&self) -> Vec<String> {
        let mut all: Vec<String> = SHARED_REEXPORTS.iter().map(|s| (*s).to_owned()).collect();
        all.extend(self.runtime_reexports.iter().cloned());
        all.sort();
        all.dedup();
        all
    }

    /// WeChat Pay APIv3: modules mirror the URL path, a cargo feature per product.
    pub fn wechatpay() -> Settings {
        Settings {
            crate_name: "wechatpay-typed".to_owned(),
            directory: "wechatpay".to_owned(),
            api_name: "WeChat Pay".to_owned(),
            layout: Layout::UrlPath,
            signed_responses: true,
            conformance: Some(Conformance {
                mock_name: "the mock WeChat Pay server".to_owned(),
                test_setup: WECHATPAY_TEST_SETUP.to_owned(),
            }),
            description: "Typed WeChat Pay APIv3 client, generated from the official docs.".to_owned(),
            keywords: ["wechatpay", "wechat", "weixin", "payment", "sdk"]
                .map(str::to_owned)
                .to_vec(),
            categories: CATEGORIES.map(str::to_owned).to_vec(),
            crate_doc:
                "Typed client for WeChat Pay APIv3 and APIv2 ({operation_count} operations), generated \
                 from the official docs.\n\nModules mirror the URL path: `POST /v3/payscore/plan/payscore-plans/\
                 merchant-plan-no/{merchant_plan_no}/stop` is \
                 `v3::payscore::plan::payscore_plans::merchant_plan_no::by_merchant_plan_no::stop::post`. \
                 Each product (`v3::pay`, `v3::payscore`, …) sits behind the cargo feature of the same \
                 name; `full` enables all of them. The [`index`] lists every operation by its title \
                 and its path, and the docs' search finds one by either (`申请退款`, \
                 `/v3/refund/domestic/refunds`). Amounts are integers in fen (1/100 yuan).\n\n\
                 Operations whose docs declare the \
                 `Wechatpay-Serial` header take a closure that builds the request from an [`Encryptor`]: \
                 encrypt sensitive fields with it, and the request names that same key.\n\nAPIv2 \
                 (XML) operations are under [`v2`] (`/pay/micropay` is `v2::pay::micropay::post`, \
                 feature `v2-pay`), called with [`v2::Client`]: signed with the APIv2 key, over \
                 mutual TLS where the docs say `security: true`.\n\nSigning, \
                 verification, certificates, retries and downloads live in the [`runtime`] \
                 (`sdk-runtime`); this crate re-exports what a caller needs, so it is the one \
                 dependency to add."
                    .to_owned(),
            quick_start: QuickStart {
                feature: "pay".to_owned(),
                code: WECHATPAY_QUICK_START.to_owned(),
            },
            provider: "wechatpay".to_owned(),
            client_headers: Vec::new(),
            reexports: [
                "Client",
                "ClientBuilder",
                "Download",
                "Encryptor",
                "MediaUpload",
                "Notification",
                "NotificationReply",
                "RetryPolicy",
                "Sensitive",
            ]
            .map(str::to_owned)
            .to_vec(),
            runtime_reexports: ["SignatureErrorKind"].map(str::to_owned).to_vec(),
            events_entry: "`Client::notification::<Event>` verifies, decrypts and decodes a notification"
                .to_owned(),
            runtime_features: vec!["axum".to_owned()],
            xml: Some(XmlProtocol {
                module: "v2".to_owned(),
                runtime: "v2".to_owned(),
                client_fields: ["nonce_str", "sign"].map(str::to_owned).to_vec(),
                unsigned_responses: APIV2_UNSIGNED.map(str::to_owned).to_vec(),
            }),
        }
    }

    /// Wonder Open API (recurring payments): a module per tag, a function per operation id.
    pub fn wonder() -> Settings {
        Settings {
            crate_name: "wonder-typed".to_owned(),
            directory: "wonder".to_owned(),
            api_name: "Wonder".to_owned(),
            layout: Layout::Tags,
            signed_responses: false,
            conformance: Some(Conformance {
                mock_name: "the mock Wonder server".to_owned(),
                test_setup: WONDER_TEST_SETUP.to_owned(),
            }),
            description:
                "Typed Wonder Open API client (recurring payments), generated from its OpenAPI description."
                    .to_owned(),
            keywords: ["wonder", "payments", "recurring", "subscription", "sdk"]
                .map(str::to_owned)
                .to_vec(),
            categories: CATEGORIES.map(str::to_owned).to_vec(),
            crate_doc: "Typed client for the Wonder Open API ({operation_count} operations): recurring \
                 items, billing configs, plans, cycles and orders, plus the echo endpoint that \
                 checks request signing. Generated from `specs/wonder/openapi.yaml`.\n\nA module per \
                 tag, a function per operation id: `PUT /svc/payment/api/v1/openapi/recurring_payments/\
                 plan/{id}/cancel` is `recurring_payments::cancel_plan`. Each tag's module sits behind \
                 the cargo feature of the same name; `full` enables all of them. The [`index`] lists \
                 every operation by its summary and its path, and the docs' search finds one by \
                 either.\n\nEvery call is \
                 signed with Wonder-RSA-SHA256 and returns the `data` of Wonder's \
                 `{code, message, data}` envelope; a non-zero `code` is an \
                 [`Error`] of kind [`ErrorKind::Api`] even under HTTP 200. List operations take a \
                 [`Filter`] over their own field enum (`filter[field][operator]=value`). Money \
                 amounts are exact [`Decimal`]s.\n\nSigning, the envelope, webhooks, retries and \
                 timeouts live in the [`runtime`] (`sdk-runtime`); this crate re-exports what a \
                 caller needs, so it is the one dependency to add."
                .to_owned(),
            quick_start: QuickStart {
                feature: "recurring_payments".to_owned(),
                code: WONDER_QUICK_START.to_owned(),
            },
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
            runtime_reexports: Vec::new(),
            events_entry: "`Webhook::event::<Event>` decodes a verified webhook".to_owned(),
            runtime_features: Vec::new(),
            xml: None,
        }
    }
}

/// The APIv2 paths whose answers carry no `sign`, after the official SDKs' lists
/// (`shared/design/protocols.md`, "WeChat Pay APIv2"): transfers, red packets, bank-card
/// payouts (the lists name `/mmpaymkttransfers/query_bank`, whose page moved to
/// `/mmpaysptrans/query_bank`), the RSA key download, reporting and the sandbox key. The bill
/// downloads answer files and are never sign-checked.
const APIV2_UNSIGNED: [&str; 12] = [
    "/mmpaymkttransfers/gethbinfo",
    "/mmpaymkttransfers/gettransferinfo",
    "/mmpaymkttransfers/promotion/transfers",
    "/mmpaymkttransfers/query_bank",
    "/mmpaymkttransfers/sendgroupredpack",
    "/mmpaymkttransfers/sendminiprogramhb",
    "/mmpaymkttransfers/sendredpack",
    "/mmpaysptrans/pay_bank",
    "/mmpaysptrans/query_bank",
    "/payitil/report",
    "/risk/getpublickey",
    "/xdc/apiv2getsignkey/sign/getsignkey",
];

/// The crates.io categories of both generated crates.
const CATEGORIES: [&str; 3] = ["api-bindings", "finance", "web-programming::http-client"];

/// The WeChat Pay quick start: public key mode, then an order query (feature `pay`).
const WECHATPAY_QUICK_START: &str = r#"async fn query_order(merchant_key_pem: &str, wechatpay_public_key_pem: &str) -> Result<(), wechatpay_typed::Error> {
    let client = wechatpay_typed::Client::builder()
        .mchid("1900000109")
        .merchant_serial_number("3775B6A45ACD588826D15E583A95F5DD00000000")
        .merchant_private_key_pem(merchant_key_pem)?
        .wechatpay_public_key_pem("PUB_KEY_ID_0114232134912410000000000000", wechatpay_public_key_pem)?
        .build()?;
    // 商户订单号查询订单: GET /v3/pay/transactions/out-trade-no/{out_trade_no}
    use wechatpay_typed::v3::pay::transactions::out_trade_no::by_out_trade_no as order;
    let query = order::GetQuery { mchid: "1900000109".into() };
    let paid = order::get(&client, "1217752501201407033233368018", &query).await?; // signed, sent, verified, decoded
    println!("{:?} {:?}", paid.trade_state, paid.amount.and_then(|a| a.total)); // amounts in fen
    Ok(())
}"#;

/// The Wonder quick start: the sandbox, then cancelling a plan (feature `recurring_payments`).
const WONDER_QUICK_START: &str = r#"async fn cancel(app_private_key_pem: &str) -> Result<(), wonder_typed::Error> {
    let client = wonder_typed::Client::builder()
        .app_id("your-app-id")
        .private_key_pem(app_private_key_pem)?
        .sandbox()
        .build()?;
    use wonder_typed::recurring_payments::{CancelActivateType, CancelPlanIn, cancel_plan};
    let body = CancelPlanIn::new(CancelActivateType::Immediate, true);
    let _data = cancel_plan(&client, "plan-id", &body).await?; // signed; the envelope's `data`, typed
    Ok(())
}"#;

/// The WeChat Pay conformance test's mock and client: the merchant of the test vectors, in public
/// key mode.
const WECHATPAY_TEST_SETUP: &str = r#"
use ::wechatpay_mock::{MockConfig, MockServer, default_shared_dir};

fn key(name: &str) -> ::std::string::String {
    let path = default_shared_dir().join("test-vectors/keys").join(name);
    ::std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The mock, and a client configured as the merchant of the test vectors pointed at it.
fn setup() -> (MockServer, ::sdk_runtime::wechatpay::Client) {
    let config = MockConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
    let server = MockServer::start(config).expect("mock starts");
    let client = ::sdk_runtime::wechatpay::Client::builder()
        .mchid(::wechatpay_mock::TEST_MCHID)
        .merchant_serial_number(::wechatpay_mock::TEST_MERCHANT_SERIAL_NO)
        .merchant_private_key_pem(&key("merchant.pem"))
        .expect("merchant key")
        .wechatpay_public_key_pem(::wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID, &key("platform.pub.pem"))
        .expect("platform key")
        .base_url(&server.base_url())
        .build()
        .expect("client");
    (server, client)
}
"#;

/// The Wonder conformance test's mock and client: the app of the test vectors.
const WONDER_TEST_SETUP: &str = r#"
use ::wechatpay_mock::default_shared_dir;
use ::wechatpay_mock::wonder::{APP_PRIVATE_KEY_FILE, TEST_APP_ID, WonderConfig, WonderServer, test_key_path};

fn key(name: &str) -> ::std::string::String {
    let path = test_key_path(&default_shared_dir(), name);
    ::std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The mock, and a client configured as the app of the test vectors pointed at it.
fn setup() -> (WonderServer, ::sdk_runtime::wonder::Client) {
    let config = WonderConfig::from_test_vectors(&default_shared_dir()).expect("test keys");
    let server = WonderServer::start(config).expect("mock starts");
    let client = ::sdk_runtime::wonder::Client::builder()
        .app_id(TEST_APP_ID)
        .private_key_pem(&key(APP_PRIVATE_KEY_FILE))
        .expect("app key")
        .base_url(&server.base_url())
        .build()
        .expect("client");
    (server, client)
}
"#;
