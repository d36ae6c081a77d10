//! The Wonder crate from `specs/wonder/openapi.yaml` through the one emitter with
//! `Settings::wonder()`: the IR keeps the spec's tags, filters, inferred markers and webhooks
//! (read back from the YAML itself, never counted by hand); every operation is a function named
//! by its operation id in its tag's module; list filters are typed; events are typed; snapshots
//! of the IR and of the emitted Rust.

use std::collections::BTreeMap;

use codegen::emit::{Settings, crates};
use codegen::ir::{Document, HttpMethod, Operation};
use codegen::openapi::lower;
use serde_norway::Value;

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/wonder/openapi.yaml");

fn text() -> String {
    std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("{SPEC}: {e}"))
}

fn wonder() -> Document {
    lower("specs/wonder/openapi.yaml", &text()).unwrap_or_else(|d| panic!("{d:?}"))
}

fn files(doc: &Document) -> BTreeMap<String, String> {
    crates(std::slice::from_ref(doc), &Settings::wonder())
        .expect("the Wonder crate emits")
        .sdk
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

/// Every YAML operation object, by operation id.
fn yaml_operations(spec: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (_, item) in spec["paths"].as_mapping().expect("paths") {
        for (_, op) in item.as_mapping().expect("path item") {
            if let Some(id) = op["operationId"].as_str() {
                out.insert(id.to_owned(), op.clone());
            }
        }
    }
    out
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|s| s.iter().map(|v| v.as_str().expect("string").to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn the_ir_keeps_tags_filters_inferred_markers_and_webhooks() {
    let doc = wonder();
    let spec: Value = serde_norway::from_str(&text()).expect("YAML");
    let yaml = yaml_operations(&spec);
    assert_eq!(yaml.len(), doc.operations.len());
    let mut filters = 0;
    for op in &doc.operations {
        let id = op.operation_id.as_deref().expect("id");
        let y = &yaml[id];
        assert_eq!(op.tags, strings(&y["tags"]), "{id}");
        assert_eq!(
            op.inferred.as_ref().map(|i| i.parts.clone()).unwrap_or_default(),
            strings(&y["x-inferred"]),
            "{id}"
        );
        let yaml_filter = y["parameters"]
            .as_sequence()
            .into_iter()
            .flatten()
            .find(|p| p.get("x-filter").is_some());
        match (yaml_filter, &op.filter) {
            (Some(p), Some(filter)) => {
                filters += 1;
                assert_eq!(filter.name, p["name"].as_str().expect("name"));
                assert_eq!(filter.operators, strings(&p["x-filter"]["operators"]));
                assert_eq!(filter.fields, strings(&p["x-filter"]["fields"]));
                assert!(
                    !op.query.iter().any(|q| q.name == filter.name),
                    "{id}: the filter is not also a plain query parameter"
                );
            }
            (None, None) => {}
            (y, ir) => panic!("{id}: YAML filter {y:?}, IR filter {ir:?}"),
        }
    }
    assert!(filters > 0, "the spec has list filters");
    let actions: Vec<String> = spec["x-webhooks"]
        .as_sequence()
        .expect("x-webhooks")
        .iter()
        .map(|w| w["action"].as_str().expect("action").to_owned())
        .collect();
    assert!(!actions.is_empty());
    assert_eq!(
        doc.events.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
        actions
    );
}

#[test]
fn every_operation_is_a_function_named_by_its_id_in_its_tags_module() {
    let doc = wonder();
    let files = files(&doc);
    for op in &doc.operations {
        let id = op.operation_id.as_deref().expect("id");
        let file = format!("src/{}.rs", op.tags[0]);
        let source = files.get(&file).unwrap_or_else(|| panic!("{file}"));
        assert!(source.contains(&format!("pub async fn {id}(")), "{id} in {file}");
        assert!(
            source.contains(&format!("`{} {}`", op.method.as_str(), op.path)),
            "{id} documents its method and path"
        );
        let lib = &files["src/lib.rs"];
        assert!(lib.contains(&format!("#[cfg(feature = \"{}\")]", op.tags[0])));
    }
    // The client sends `x-i18n-lang` itself (`ClientBuilder::lang`): no function takes it.
    assert!(files.values().all(|f| !f.contains("x_i18n_lang")));
    // A non-zero code is documented as an error on every operation (they all have the envelope).
    let all: String = files.values().cloned().collect();
    assert_eq!(
        all.matches("or a non-zero `code` in its envelope").count(),
        doc.operations.len()
    );
}

#[test]
fn list_filters_are_typed_by_the_operations_fields() {
    let doc = wonder();
    let files = files(&doc);
    let all: String = files.values().cloned().collect();
    for op in doc.operations.iter().filter(|o| o.filter.is_some()) {
        let filter = op.filter.as_ref().expect("filter");
        let id = op.operation_id.as_deref().expect("id");
        let prefix = heck_pascal(id);
        if filter.fields.is_empty() {
            assert!(
                all.contains("filter: &crate::Filter<::std::string::String>"),
                "{id}"
            );
            continue;
        }
        assert!(all.contains(&format!("pub enum {prefix}FilterField {{")), "{id}");
        for field in &filter.fields {
            assert!(all.contains(&format!("=> \"{field}\",")), "{id}.{field}");
        }
        assert!(all.contains(&format!("filter: &crate::Filter<{prefix}FilterField>")));
    }
}

fn heck_pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn every_event_is_a_variant_decoded_by_its_name() {
    let doc = wonder();
    let files = files(&doc);
    let events = &files["src/events.rs"];
    let compact: String = events.chars().filter(|c| !c.is_whitespace()).collect();
    for event in &doc.events {
        let arm = compact
            .find(&format!("{:?}=>", event.name))
            .unwrap_or_else(|| panic!("no arm for {}", event.name));
        let body: String = compact[arm..].chars().take(160).collect();
        assert!(
            body.contains("::sdk_runtime::decode_event_payload(payload)") && body.contains(".map(Event::"),
            "{}: {body}",
            event.name
        );
    }
    assert!(files["Cargo.toml"].contains("events = []"));
}

#[test]
fn the_tags_layout_refuses_an_operation_it_cannot_place() {
    let mut doc = wonder();
    let mut untagged = Operation::new(HttpMethod::Get, "/svc/untagged");
    untagged.operation_id = Some("untagged".into());
    doc.operations.push(untagged);
    let err = crates(std::slice::from_ref(&doc), &Settings::wonder()).expect_err("no tag");
    assert!(
        err.message
            .contains("specs/wonder/openapi.yaml: `GET /svc/untagged` has no tag"),
        "{err}"
    );
    let mut doc = wonder();
    let twin = doc.operations[0].clone();
    doc.operations.push(twin);
    let err = crates(std::slice::from_ref(&doc), &Settings::wonder()).expect_err("twice");
    assert!(err.message.contains("lands on the same function"), "{err}");
}

#[test]
fn snapshots_of_the_wonder_ir_and_emitted_rust() {
    let doc = wonder();
    let list_plans = doc
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("list_plans"))
        .expect("list_plans");
    insta::assert_yaml_snapshot!("list_plans_ir", list_plans);
    insta::assert_yaml_snapshot!("events_ir", &doc.events);
    let files = files(&doc);
    insta::assert_snapshot!("openapi_rs", files["src/openapi.rs"]);
    insta::assert_snapshot!("events_rs", files["src/events.rs"]);
    let plans = &files["src/recurring_payments.rs"];
    let start = plans.find("/// Cancel").expect("cancel_plan's doc");
    let end = start + plans[start..].find("\n}\n").expect("its end") + 3;
    insta::assert_snapshot!("cancel_plan_rs", &plans[start..end]);
}
