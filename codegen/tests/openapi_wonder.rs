//! The OpenAPI 3.0 front-end on Wonder's hand-written `specs/wonder/openapi.yaml`: it lowers
//! without diagnostics, the facts the YAML states hold in the IR (counted and read from the YAML
//! itself, never hard-coded), the "Cancel a plan" reference page (seed 002) agrees with the
//! lowered operation, broken documents give positioned diagnostics, and a snapshot of
//! `cancel_plan`.

use std::collections::BTreeSet;

use codegen::ir::{Document, Field, RequestBody, ResponseBody, Type};
use codegen::openapi::lower;
use serde_norway::Value;

#[path = "openapi_wonder/broken.rs"]
mod broken;
#[path = "openapi_wonder/seed.rs"]
mod seed;

use seed::parse_seed;

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/wonder/openapi.yaml");
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/seeds/002_b0b1eb1f52be97ac.txt"
);
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn spec_text() -> String {
    std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("{SPEC}: {e}"))
}

/// The spec as a plain YAML value, for facts read independently of the front-end.
fn spec_value() -> Value {
    serde_norway::from_str(&spec_text()).expect("the spec is YAML")
}

fn wonder() -> Document {
    lower("specs/wonder/openapi.yaml", &spec_text()).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter().map(|d| format!("{SPEC}:{d}\n")).collect::<String>()
        )
    })
}

/// `(path, method, operation)` for every operation of the YAML.
fn yaml_operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().expect("path item") {
            let method = method.as_str().expect("key");
            if METHODS.contains(&method) {
                out.push((path.as_str().expect("path").to_owned(), method.to_owned(), op));
            }
        }
    }
    out
}

/// Follows [`Type::Named`] to the type it names.
fn resolved<'a>(doc: &'a Document, mut ty: &'a Type) -> &'a Type {
    while let Type::Named { name } = ty {
        ty = &doc
            .named(name)
            .unwrap_or_else(|| panic!("no named type {name}"))
            .ty;
    }
    ty
}

/// Every type that occurs in the document (operations and named types), nested ones included.
fn all_types(doc: &Document) -> Vec<&Type> {
    fn walk<'a>(ty: &'a Type, out: &mut Vec<&'a Type>) {
        out.push(ty);
        match ty {
            Type::Array { items } => walk(items, out),
            Type::Object { fields } => fields.iter().for_each(|f| walk(&f.ty, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for op in &doc.operations {
        let fields = op.path_params.iter().chain(&op.query).chain(&op.headers);
        fields.for_each(|f| walk(&f.ty, &mut out));
        match &op.request {
            RequestBody::Json { fields } | RequestBody::Xml { fields } => {
                fields.iter().for_each(|f| walk(&f.ty, &mut out))
            }
            RequestBody::Value { ty } => walk(ty, &mut out),
            RequestBody::None | RequestBody::Multipart => {}
        }
        match &op.response {
            ResponseBody::Json { fields } | ResponseBody::Xml { fields } => {
                fields.iter().for_each(|f| walk(&f.ty, &mut out))
            }
            ResponseBody::Value { ty } => walk(ty, &mut out),
            ResponseBody::Binary => {}
        }
    }
    doc.types.iter().for_each(|t| walk(&t.ty, &mut out));
    out
}

/// The field `property` of the named object type `schema`.
fn field<'a>(doc: &'a Document, schema: &str, property: &str) -> &'a Field {
    let Some(Type::Object { fields }) = doc.named(schema).map(|t| &t.ty) else {
        panic!("{schema} is not an object type");
    };
    fields
        .iter()
        .find(|f| f.name == property)
        .unwrap_or_else(|| panic!("{schema}.{property}"))
}

#[test]
fn wonder_lowers_with_every_operation_and_schema() {
    let doc = wonder();
    let spec = spec_value();
    assert_eq!(doc.title.as_deref(), spec["info"]["title"].as_str());
    let ops = yaml_operations(&spec);
    assert!(!ops.is_empty());
    assert_eq!(
        doc.operations.len(),
        ops.len(),
        "one IR operation per path and method"
    );
    // Every operation has its operationId, unique, in document order with its method and path.
    for (op, (path, method, yaml)) in doc.operations.iter().zip(&ops) {
        assert_eq!(
            op.operation_id.as_deref(),
            yaml["operationId"].as_str(),
            "{method} {path}"
        );
        assert_eq!(op.method.lower(), method);
        assert_eq!(&op.path, path);
    }
    let ids: BTreeSet<_> = doc
        .operations
        .iter()
        .map(|o| o.operation_id.clone().expect("id"))
        .collect();
    assert_eq!(ids.len(), doc.operations.len(), "operation ids are unique");
    // Every schema, in document order.
    let schemas = spec["components"]["schemas"].as_mapping().expect("schemas");
    let names: Vec<_> = schemas.keys().map(|k| k.as_str().expect("name")).collect();
    assert_eq!(
        doc.types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        names
    );
}

#[test]
fn every_named_reference_resolves() {
    let doc = wonder();
    let mut named = 0;
    for ty in all_types(&doc) {
        if let Type::Named { name } = ty {
            assert!(doc.named(name).is_some(), "{name} is not a type of the document");
            named += 1;
        }
    }
    assert!(named > 0);
}

#[test]
fn property_facts_of_the_yaml_hold() {
    let doc = wonder();
    let spec = spec_value();
    let (mut decimals, mut nullables, mut known) = (0, 0, 0);
    for (schema, body) in spec["components"]["schemas"].as_mapping().expect("schemas") {
        let schema = schema.as_str().expect("name");
        let Some(properties) = body["properties"].as_mapping() else {
            continue;
        };
        let required: Vec<&str> = body["required"]
            .as_sequence()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (property, p) in properties {
            let property = property.as_str().expect("property");
            let f = field(&doc, schema, property);
            assert_eq!(
                f.optional,
                !required.contains(&property),
                "{schema}.{property} optional"
            );
            let nullable = p["nullable"].as_bool() == Some(true);
            assert_eq!(f.nullable, nullable, "{schema}.{property} nullable");
            nullables += usize::from(nullable);
            if let Some(r) = p["$ref"].as_str() {
                let target = r.rsplit('/').next().expect("ref name");
                assert_eq!(
                    f.ty,
                    Type::Named {
                        name: target.to_owned()
                    },
                    "{schema}.{property}"
                );
            }
            match p["type"].as_str() {
                Some("number") => {
                    assert_eq!(f.ty, Type::Decimal, "{schema}.{property}: money is exact");
                    decimals += 1;
                }
                Some("integer") => assert_eq!(f.ty, Type::Integer, "{schema}.{property}"),
                Some("boolean") => assert_eq!(f.ty, Type::Boolean, "{schema}.{property}"),
                Some("string") => {
                    let values = p["enum"].as_sequence().or(p["x-known-values"].as_sequence());
                    let expected = match values {
                        Some(v) => Type::Enum {
                            values: v.iter().map(|v| v.as_str().expect("value").to_owned()).collect(),
                        },
                        None if p["format"].as_str() == Some("date-time") => Type::DateTime,
                        None => Type::String,
                    };
                    known += usize::from(p.get("x-known-values").is_some());
                    assert_eq!(f.ty, expected, "{schema}.{property}");
                }
                _ => {}
            }
        }
    }
    assert!(
        decimals > 0 && nullables > 0 && known > 0,
        "{decimals} {nullables} {known}"
    );
}

#[test]
fn every_operation_has_the_documents_envelope() {
    let doc = wonder();
    let spec = spec_value();
    let declared = &spec["x-envelope"];
    let ops = yaml_operations(&spec);
    assert_eq!(doc.operations.len(), ops.len());
    for op in &doc.operations {
        let envelope = op
            .envelope
            .as_ref()
            .unwrap_or_else(|| panic!("{:?}: no envelope", op.operation_id));
        assert_eq!(Some(envelope.code.as_str()), declared["code"].as_str());
        assert_eq!(Some(envelope.message.as_str()), declared["message"].as_str());
        assert_eq!(Some(envelope.data.as_str()), declared["data"].as_str());
        assert_eq!(Some(envelope.success), declared["success"].as_i64());
    }
}

/// The seed's type word agrees with a lowered type (through named types).
fn agrees(doc: &Document, word: &str, values: &[String], ty: &Type) -> bool {
    match (word, resolved(doc, ty)) {
        ("string", Type::Enum { values: v }) => !values.is_empty() && v == values,
        ("string", Type::String | Type::DateTime) => values.is_empty(),
        ("integer", Type::Integer) => true,
        ("number", Type::Decimal) | ("boolean", Type::Boolean) => true,
        ("object", Type::Object { .. } | Type::Json) => true,
        ("array", Type::Array { .. }) => true,
        _ => false,
    }
}

#[test]
fn seed_page_agrees_with_the_cancel_plan_operation() {
    let seed = parse_seed(&std::fs::read_to_string(SEED).unwrap_or_else(|e| panic!("{SEED}: {e}")));
    assert!(
        !seed.method.is_empty() && !seed.path_params.is_empty() && !seed.body.is_empty(),
        "{seed:#?}"
    );
    let doc = wonder();
    let matching: Vec<_> = doc
        .operations
        .iter()
        .filter(|o| o.method.as_str() == seed.method && o.path == seed.path)
        .collect();
    let [op] = matching[..] else {
        panic!("one operation is {} {}: {matching:#?}", seed.method, seed.path)
    };

    let params: Vec<_> = op.path_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        params,
        seed.path_params
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
    );
    for (p, s) in op.path_params.iter().zip(&seed.path_params) {
        assert!(s.required && !p.optional, "{} is required", s.name);
        assert!(agrees(&doc, &s.ty, &s.values, &p.ty), "{s:?} vs {p:?}");
    }

    let fields = match &op.request {
        RequestBody::Json { fields } => fields,
        RequestBody::Value { ty } => match resolved(&doc, ty) {
            Type::Object { fields } => fields,
            other => panic!("request body is not an object: {other:?}"),
        },
        other => panic!("no JSON request body: {other:?}"),
    };
    let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        seed.body.iter().map(|f| f.name.as_str()).collect::<Vec<_>>()
    );
    for (f, s) in fields.iter().zip(&seed.body) {
        assert_eq!(f.optional, !s.required, "{}: required flag", s.name);
        assert!(agrees(&doc, &s.ty, &s.values, &f.ty), "{s:?} vs {f:?}");
    }
    assert!(
        seed.body.iter().any(|f| !f.values.is_empty()),
        "the seed lists enum values"
    );

    let envelope = op.envelope.as_ref().expect("the response is enveloped");
    let members: BTreeSet<_> = seed.response.iter().map(|f| f.name.as_str()).collect();
    let expected: BTreeSet<_> = [&envelope.code, &envelope.message, &envelope.data]
        .map(String::as_str)
        .into();
    assert_eq!(members, expected, "the seed's response schema is the envelope");
    for s in &seed.response {
        assert!(s.required, "{} is required", s.name);
        let ok = match s.name.as_str() {
            n if n == envelope.code => s.ty == "integer",
            n if n == envelope.message => s.ty == "string",
            _ => s.ty == "object" && matches!(op.response, ResponseBody::Json { .. }),
        };
        assert!(ok, "{s:?} vs {:?}", op.response);
    }
}

#[test]
fn cancel_plan_snapshot() {
    let doc = wonder();
    let op = doc
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("cancel_plan"))
        .expect("cancel_plan");
    // The named types it refers to, transitively, in document order.
    let mut wanted = BTreeSet::new();
    let mut todo: Vec<&Type> = Vec::new();
    if let RequestBody::Value { ty } = &op.request {
        todo.push(ty);
    }
    if let ResponseBody::Value { ty } = &op.response {
        todo.push(ty);
    }
    while let Some(ty) = todo.pop() {
        match ty {
            Type::Named { name } if wanted.insert(name.clone()) => {
                todo.push(&doc.named(name).expect("named").ty)
            }
            Type::Array { items } => todo.push(items),
            Type::Object { fields } => todo.extend(fields.iter().map(|f| &f.ty)),
            _ => {}
        }
    }
    let subset = Document {
        moved_to: None,
        source: doc.source.clone(),
        title: doc.title.clone(),
        operations: vec![op.clone()],
        types: doc
            .types
            .iter()
            .filter(|t| wanted.contains(&t.name))
            .cloned()
            .collect(),
        events: Vec::new(),
    };
    insta::assert_yaml_snapshot!("cancel_plan", subset);
}
