//! Deterministic, type-valid sample requests and responses for every operation of the model.
//!
//! [`sample_response`] is exactly what the mock answers for an operation (every field, optional
//! ones too); [`sample_input`] is a request that passes the mock's checks, for the end-to-end
//! test that calls every operation through the generated client.

use codegen::ir::{Event, Field, NamedType, Operation, RequestBody, ResponseBody, Type};
use serde_json::{Map, Value, json};

use crate::TEST_PLATFORM_PUBLIC_KEY_ID;

/// The date-time every `date_time` sample holds.
pub const SAMPLE_DATE_TIME: &str = "2024-11-21T15:40:01+08:00";
/// The file name of the sample media upload.
pub const SAMPLE_UPLOAD_FILENAME: &str = "photo.jpg";
/// The content of the sample media upload.
pub const SAMPLE_UPLOAD_CONTENT: &str = "wechatpay-mock sample upload: not really a JPEG\n";

/// Header names the model declares whose value the mock checks against its platform keys.
pub const WECHATPAY_SERIAL: &str = "Wechatpay-Serial";

/// A small integer derived from `name` (FNV-1a), so that two integer fields of one sample
/// usually differ and a client that swaps them is caught.
pub fn sample_integer(name: &str) -> i64 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    1 + i64::from(hash % 9999)
}

/// The `download_url` every bill-apply sample holds: the bill download of WeChat Pay's own host,
/// as WeChat Pay answers (a client sends its path and query to the host it is configured with).
pub const SAMPLE_DOWNLOAD_URL: &str =
    "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2";

/// A realistic value for a string member whose name says what it holds: a `download_url` on
/// the bill download path, the SHA-1 `hash_value` of the file served there (`hash_type`
/// `SHA1`), and an RFC 3339 date-time for `…_time` members (the docs type them string).
fn realistic_string(name: &str) -> Option<String> {
    match name {
        "download_url" => Some(SAMPLE_DOWNLOAD_URL.to_owned()),
        "hash_type" => Some("SHA1".to_owned()),
        "hash_value" => Some(crate::download::download_sha1_hex(
            crate::download::BILL_DOWNLOAD_PATH,
        )),
        _ if name.ends_with("_time") => Some(SAMPLE_DATE_TIME.to_owned()),
        _ => None,
    }
}

/// How many named types deep a sample has every field; deeper objects have their required
/// fields only, which keeps the sample of a self-referring type small.
pub const SAMPLE_FULL_DEPTH: usize = 6;

/// The named types a model's [`Type::Named`] refer to (a document's `types`), for the request
/// checks and the samples, and whether its enums are closed. Resolution is bounded: a chain or
/// nesting of more than [`Types::MAX_DEPTH`] named types is not followed.
#[derive(Clone, Copy, Debug)]
pub struct Types<'a> {
    named: &'a [NamedType],
    closed_enums: bool,
    depth: usize,
}

impl Types<'static> {
    /// No named types, open enums: the WeChat Pay model, which declares every type inline.
    pub const NONE: Types<'static> = Types {
        named: &[],
        closed_enums: false,
        depth: 0,
    };
}

impl<'a> Types<'a> {
    /// How many named types deep resolution goes (a self-referring type stops there).
    pub const MAX_DEPTH: usize = 16;

    /// The named types of a document; enums open (any string is accepted).
    pub fn new(named: &'a [NamedType]) -> Types<'a> {
        Types {
            named,
            closed_enums: false,
            depth: 0,
        }
    }

    /// The same types, with enums closed: a value outside [`Type::Enum`] or
    /// [`Type::IntegerEnum`] is rejected (an OpenAPI `enum` is a closed set).
    pub fn closed_enums(self) -> Types<'a> {
        Types {
            closed_enums: true,
            ..self
        }
    }

    /// Whether enum values outside the declared set are rejected.
    pub fn enums_closed(&self) -> bool {
        self.closed_enums
    }

    /// `ty` with any [`Type::Named`] followed to the type it names, and the resolver to use
    /// inside it (one level deeper per name followed).
    ///
    /// # Errors
    /// What is wrong, when a name is unknown or the nesting exceeds [`Types::MAX_DEPTH`].
    pub fn resolve<'t>(self, mut ty: &'t Type) -> Result<(&'t Type, Types<'a>), String>
    where
        'a: 't,
    {
        let mut inner = self;
        while let Type::Named { name } = ty {
            if inner.depth >= Self::MAX_DEPTH {
                return Err(format!(
                    "named type `{name}` nests more than {} named types deep",
                    Self::MAX_DEPTH
                ));
            }
            ty = &inner
                .named
                .iter()
                .find(|t| &t.name == name)
                .ok_or_else(|| format!("refers to named type `{name}`, which the model does not declare"))?
                .ty;
            inner.depth += 1;
        }
        Ok((ty, inner))
    }
}

/// The sample value of a member named `name` of type `ty`: string `"sample-<name>"` (or a
/// realistic value where the name says what it holds: a URL, a hash, a date-time), integer
/// [`sample_integer`], decimal `10.5` (a JSON number), boolean `true`, date-time
/// [`SAMPLE_DATE_TIME`], string-or-number a string, enum its first value, list one item, object
/// every field, JSON `{"sample": name}`. A [`Type::Named`] is `{"sample": name}` here; see
/// [`sample_value_in`] to resolve it.
pub fn sample_value(name: &str, ty: &Type) -> Value {
    sample_value_in(name, ty, Types::NONE)
}

/// [`sample_value`] with named types resolved through `types`. Inside more than
/// [`SAMPLE_FULL_DEPTH`] named types (a self-referring type), optional fields are left out; a
/// type that does not resolve is `{"sample": name}`.
pub fn sample_value_in(name: &str, ty: &Type, types: Types<'_>) -> Value {
    match ty {
        Type::String => Value::String(realistic_string(name).unwrap_or_else(|| format!("sample-{name}"))),
        Type::StringOrNumber => Value::String(format!("sample-{name}")),
        Type::Integer => Value::from(sample_integer(name)),
        Type::Decimal => json!(10.5),
        Type::Boolean => Value::Bool(true),
        Type::DateTime => Value::String(SAMPLE_DATE_TIME.to_owned()),
        Type::Enum { values } => {
            Value::String(values.first().cloned().unwrap_or_else(|| "SAMPLE".to_owned()))
        }
        Type::IntegerEnum { values } => Value::from(values.first().copied().unwrap_or(1)),
        Type::Array { items } => Value::Array(vec![sample_value_in(name, items, types)]),
        Type::Json => json!({ "sample": name }),
        Type::Named { .. } => match types.resolve(ty) {
            Ok((ty, inner)) => sample_value_in(name, ty, inner),
            Err(_) => json!({ "sample": name }),
        },
        Type::Object { fields } => sample_object_in(fields, types),
    }
}

/// An object with every field of `fields` (optional ones too) set to its [`sample_value`], but
/// of a one-of group only its first member (a request sends exactly one).
pub fn sample_object(fields: &[Field]) -> Value {
    sample_object_in(fields, Types::NONE)
}

/// [`sample_object`] with named types resolved through `types`; inside more than
/// [`SAMPLE_FULL_DEPTH`] named types only the required fields.
pub fn sample_object_in(fields: &[Field], types: Types<'_>) -> Value {
    let deepest = types.depth > SAMPLE_FULL_DEPTH;
    Value::Object(
        fields
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                f.one_of
                    .as_ref()
                    .is_none_or(|g| !fields[..*i].iter().any(|e| e.one_of.as_ref() == Some(g)))
                    && !(deepest && f.optional)
            })
            .map(|(_, f)| (f.name.clone(), sample_value_in(&f.name, &f.ty, types)))
            .collect(),
    )
}

/// The decrypted resource of a sample `event` notification: its payload type's
/// [`sample_value`], every field (optional ones too), enums their first value.
pub fn sample_event(event: &Event) -> Value {
    sample_value(&event.name, &event.payload)
}

/// The JSON body the mock answers `op` with: every response field, recursively (an empty
/// field list gives `{}`, answered as `204 No Content`). `None` for a download
/// ([`ResponseBody::Binary`]; see [`crate::download::download_content`]).
///
/// `GET /v3/certificates` is the one exception: the mock serves its real platform
/// certificates there ([`crate::MockServer::certificates_json`]).
pub fn sample_response(op: &Operation) -> Option<Value> {
    match &op.response {
        ResponseBody::Json { fields } | ResponseBody::Xml { fields } => Some(sample_object(fields)),
        ResponseBody::Value { ty } => Some(sample_value("data", ty)),
        ResponseBody::Binary => None,
    }
}

/// The JSON body the mock answers a request to `op` whose query is `query` with: the
/// [`sample_response`], its bill `download_url` asking for the gzip file (`&tartype=GZIP`) when
/// the request's `tar_type` is `GZIP`, as WeChat Pay's link then serves the compressed bill.
///
/// The trade and fund-flow bill applications (`GET /v3/bill/tradebill`, `/v3/bill/fundflowbill`)
/// answer the bill asked for ([`crate::bills::applied_bill`]): a `download_url` whose token names
/// it, and the SHA-1 `hash_value` of its (uncompressed) content.
pub fn sample_response_to(op: &Operation, query: &[(String, String)]) -> Option<Value> {
    let mut body = sample_response(op)?;
    if let Some((kind, date)) = crate::bills::applied_bill(&op.path, query) {
        if let Some(Value::String(url)) = body.get_mut("download_url") {
            let token = crate::bills::bill_token(kind, &date);
            *url = format!(
                "https://api.mch.weixin.qq.com{}?token={token}",
                crate::download::BILL_DOWNLOAD_PATH
            );
        }
        if let Some(Value::String(hash)) = body.get_mut("hash_value") {
            *hash = crate::download::sha1_hex(&crate::bills::v3_bill(kind, &date));
        }
    }
    let gzip = query
        .iter()
        .any(|(k, v)| k == "tar_type" && v.eq_ignore_ascii_case("GZIP"));
    if let (true, Some(Value::String(url))) = (gzip, body.get_mut("download_url")) {
        url.push_str("&tartype=GZIP");
    }
    Some(body)
}

/// [`sample_response_to`] for the request a [`sample_input`] describes (its `query`, values as
/// the mock decodes them: strings as they are, other JSON as text).
pub fn sample_response_for_input(op: &Operation, input: &Value) -> Option<Value> {
    let query: Vec<(String, String)> = input["query"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect()
        })
        .unwrap_or_default();
    sample_response_to(op, &query)
}

/// Whether the model declares the `Wechatpay-Serial` request header for `op` (its requests
/// may carry fields encrypted with the platform key).
pub fn declares_wechatpay_serial(op: &Operation) -> bool {
    op.headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case(WECHATPAY_SERIAL))
}

/// Name fragments of fields that hold personal data (and are encrypted in the real API).
const SENSITIVE: &[&str] = &[
    "name",
    "mobile",
    "phone",
    "id_card",
    "id_number",
    "account_number",
    "encrypted",
    "email",
    "contact",
    "identity",
    "card_no",
    "address",
];

/// For an operation declaring `Wechatpay-Serial`, the JSON pointers (into the JSON body if it
/// has one, else into the query) of one or two top-level string fields a client encrypts in
/// [`sample_input`]: sensitive-looking names first, then the first string fields. Empty for
/// other operations and when there is no top-level string field.
pub fn encrypted_pointers(op: &Operation) -> Vec<String> {
    // With known sensitive fields, the generated call encrypts them itself.
    if !declares_wechatpay_serial(op) || !sensitive_pointers(op).is_empty() {
        return Vec::new();
    }
    let fields: &[Field] = match &op.request {
        RequestBody::Json { fields } | RequestBody::Xml { fields } => fields,
        RequestBody::None | RequestBody::Multipart | RequestBody::Value { .. } => &op.query,
    };
    let strings: Vec<&Field> = fields.iter().filter(|f| f.ty == Type::String).collect();
    let mut chosen: Vec<&Field> = strings
        .iter()
        .copied()
        .filter(|f| SENSITIVE.iter().any(|s| f.name.contains(s)))
        .take(2)
        .collect();
    if chosen.is_empty() {
        chosen = strings.into_iter().take(1).collect();
    }
    chosen
        .into_iter()
        .map(|f| format!("/{}", escape_pointer(&f.name)))
        .collect()
}

/// The JSON pointers, into the [`sample_input`] body (or query, without a body), of the fields
/// the model marks sensitive (the official SDK encrypts them): what the generated call must send
/// encrypted with the platform key. Lists contribute their one sample item (`/list/0/name`).
pub fn sensitive_pointers(op: &Operation) -> Vec<String> {
    fn walk(fields: &[Field], prefix: &str, out: &mut Vec<String>) {
        for field in fields {
            let mut pointer = format!("{prefix}/{}", escape_pointer(&field.name));
            if field.sensitive {
                out.push(pointer.clone());
            }
            let mut ty = &field.ty;
            while let Type::Array { items } = ty {
                ty = items;
                pointer.push_str("/0");
            }
            if let Type::Object { fields } = ty {
                walk(fields, &pointer, out);
            }
        }
    }
    let mut out = Vec::new();
    match &op.request {
        RequestBody::Json { fields } | RequestBody::Xml { fields } => walk(fields, "", &mut out),
        RequestBody::None | RequestBody::Multipart | RequestBody::Value { .. } => {
            walk(&op.query, "", &mut out)
        }
    }
    out
}

/// Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A request for `op` that passes the mock's checks, with a value for every member
/// (required and optional):
///
/// ```json
/// {"path": {name: value}, "query": {name: value}, "headers": {name: value},
///  "body": {...} | null, "upload": {"filename": "photo.jpg", "content": "..."} | null,
///  "encrypt": ["/json/pointer", ...]}
/// ```
///
/// Values are typed as the model says (integers are JSON numbers, also in `path` and
/// `query`). `headers` holds the headers the model declares (`Wechatpay-Serial` names
/// [`TEST_PLATFORM_PUBLIC_KEY_ID`]). `body` is `null` unless the operation takes a JSON body;
/// `upload` is set for media uploads. `encrypt` lists [`encrypted_pointers`]: the fields the
/// client must encrypt with the platform key before sending.
pub fn sample_input(op: &Operation) -> Value {
    let members = |fields: &[Field]| -> Map<String, Value> {
        fields
            .iter()
            .map(|f| (f.name.clone(), sample_value(&f.name, &f.ty)))
            .collect()
    };
    let headers: Map<String, Value> = op
        .headers
        .iter()
        .map(|h| {
            let value = if h.name.eq_ignore_ascii_case(WECHATPAY_SERIAL) {
                TEST_PLATFORM_PUBLIC_KEY_ID.to_owned()
            } else {
                format!("sample-{}", h.name.to_ascii_lowercase())
            };
            (h.name.clone(), Value::String(value))
        })
        .collect();
    let (body, upload) = match &op.request {
        RequestBody::None => (Value::Null, Value::Null),
        RequestBody::Json { fields } | RequestBody::Xml { fields } => (sample_object(fields), Value::Null),
        RequestBody::Value { ty } => (sample_value("body", ty), Value::Null),
        RequestBody::Multipart => (
            Value::Null,
            json!({ "filename": SAMPLE_UPLOAD_FILENAME, "content": SAMPLE_UPLOAD_CONTENT }),
        ),
    };
    json!({
        "path": Value::Object(members(&op.path_params)),
        "query": Value::Object(members(&op.query)),
        "headers": Value::Object(headers),
        "body": body,
        "upload": upload,
        "encrypt": encrypted_pointers(op),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn samples_cover_every_field() {
        let model = Model::load_default().unwrap();
        let op = model
            .operation("POST /v3/payscore/sign-plan/partner/user-sign-plans")
            .unwrap();
        let input = sample_input(op);
        assert_eq!(input["body"]["sub_openid"], "sample-sub_openid");
        assert_eq!(
            input["body"]["sign_plan_detail"][0]["plan_detail_no"],
            sample_integer("plan_detail_no")
        );
        assert_eq!(input["upload"], Value::Null);
        assert_eq!(input["encrypt"], json!([]));
        let response = sample_response(op).unwrap();
        assert_eq!(response["sign_plan"]["sub_openid"], "sample-sub_openid");
    }

    #[test]
    fn named_types_resolve_with_bounded_depth() {
        let node = Type::Object {
            fields: vec![
                Field::new("value", Type::Decimal),
                Field::optional("next", Type::Named { name: "Node".into() }),
            ],
        };
        let named = [
            NamedType {
                name: "Node".into(),
                summary: None,
                ty: node,
            },
            NamedType {
                name: "Loop".into(),
                summary: None,
                ty: Type::Named { name: "Loop".into() },
            },
        ];
        let types = Types::new(&named);
        let sample = sample_value_in("n", &Type::Named { name: "Node".into() }, types);
        assert_eq!(sample["value"], json!(10.5));
        // Every level up to SAMPLE_FULL_DEPTH has its optional `next`; deeper ones do not.
        let mut depth = 0;
        let mut at = &sample;
        while let Some(next) = at.get("next") {
            depth += 1;
            at = next;
        }
        assert_eq!(depth, SAMPLE_FULL_DEPTH);
        let looping = Type::Named { name: "Loop".into() };
        assert_eq!(sample_value_in("l", &looping, types), json!({ "sample": "l" }));
        assert!(types.resolve(&looping).unwrap_err().contains("deep"));
        assert!(
            Types::NONE
                .resolve(&looping)
                .unwrap_err()
                .contains("does not declare")
        );
        // Without named types (the WeChat Pay model), a name stays unresolved, as before.
        assert_eq!(
            sample_value("n", &Type::Named { name: "Node".into() }),
            json!({ "sample": "n" })
        );
    }

    #[test]
    fn encrypted_operations_name_string_fields() {
        let model = Model::load_default().unwrap();
        // Known sensitive fields: sealed by the generated call, not by a closure.
        let op = model.operation("POST /v3/profitsharing/receivers/add").unwrap();
        assert_eq!(sensitive_pointers(op), ["/name"]);
        assert!(encrypted_pointers(op).is_empty());
        let op = model.operation("POST /v3/transfer/batches").unwrap();
        assert_eq!(sensitive_pointers(op), ["/transfer_detail_list/0/user_name"]);
        let op = model
            .operation("GET /v3/capital/capitallhh/banks/search-banks-by-bank-account")
            .unwrap();
        assert_eq!(encrypted_pointers(op), vec!["/account_number".to_owned()]);
        let with_serial = model
            .operations()
            .iter()
            .filter(|op| declares_wechatpay_serial(op))
            .count();
        // The same count, read off the model files' text.
        let mut files = Vec::new();
        crate::model::collect_yaml(&crate::model::default_specs_dir().join("wechatpay"), &mut files).unwrap();
        let declared: usize = files
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .unwrap()
                    .to_ascii_lowercase()
                    .matches("- name: wechatpay-serial\n")
                    .count()
            })
            .sum();
        assert!(with_serial > 0);
        assert_eq!(with_serial, declared);
    }
}
