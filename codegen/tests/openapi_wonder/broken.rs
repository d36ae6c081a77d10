//! Documents the front-end cannot read or lower: each gives positioned diagnostics and no
//! document. Also the one composition it does lower (`allOf` of objects).

use codegen::diag::Diagnostic;
use codegen::ir::{Field, Type};
use codegen::openapi::lower;

use super::spec_text;

/// Lowers `text`, expecting diagnostics and no document.
fn broken(text: &str) -> Vec<Diagnostic> {
    match lower("broken.yaml", text) {
        Ok(doc) => panic!("lowered a broken document: {doc:#?}"),
        Err(d) => {
            assert!(!d.is_empty());
            d
        }
    }
}

#[test]
fn a_missing_schema_reference_is_a_diagnostic_at_the_ref() {
    let good = "'#/components/schemas/CancelPlanIn'";
    let text = spec_text().replacen(good, "'#/components/schemas/CancelPlanInput'", 1);
    let offset = text
        .find("'#/components/schemas/CancelPlanInput'")
        .expect("replaced");
    let line = text[..offset].matches('\n').count() + 1;
    let column = text[..offset].rsplit('\n').next().expect("line").chars().count() + 1;
    let d = broken(&text);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        (d[0].line as usize, d[0].column as usize),
        (line, column),
        "{}",
        d[0]
    );
    assert!(d[0].message.contains("CancelPlanInput"), "{}", d[0]);
    let pointer = "#/paths/~1svc~1payment~1api~1v1~1openapi~1recurring_payments~1plan~1{id}~1cancel/put/requestBody/content/application~1json/schema/$ref";
    assert!(d[0].message.starts_with(pointer), "{}", d[0]);
}

#[test]
fn invalid_yaml_is_a_diagnostic_with_its_position() {
    let d = broken("openapi: 3.0.3\ninfo: {title: x, version: '1'\npaths: {}\n");
    assert_eq!(d.len(), 1);
    assert!(d[0].line >= 2, "{}", d[0]);
    let d = broken(
        "openapi: 3.0.3\ninfo:\n  title: x\n  version: '1'\npaths:\n  /a:\n    get:\n      parameters:\n        - {name: a, in: nowhere}\n      responses: {}\n",
    );
    assert!(d[0].line >= 5 && d[0].message.contains("nowhere"), "{}", d[0]);
}

const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn constructs_the_ir_cannot_express_are_diagnostics() {
    let one_of = format!(
        "{MINIMAL}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      oneOf:\n        - {{type: string}}\n        - {{type: integer}}\n"
    );
    let d = broken(&one_of);
    assert!(
        d[0].message.starts_with("#/components/schemas/A/oneOf"),
        "{}",
        d[0]
    );
    // The position of the pointed-to node: the `oneOf` list, on the line after its key.
    assert_eq!((d[0].line, d[0].column), (8, 9), "{}", d[0]);

    let unnamed = format!(
        "{MINIMAL}paths:\n  /a/{{id}}:\n    get:\n      responses:\n        '200': {{description: ok}}\n"
    );
    let d = broken(&unnamed);
    assert!(d.iter().any(|d| d.message.contains("{id}")), "{d:#?}");

    let version = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let d = broken(version);
    assert_eq!((d[0].line, d[0].column), (1, 10), "{}", d[0]);

    let envelope = format!("{MINIMAL}paths: {{}}\nx-envelope: {{code: code}}\n");
    let d = broken(&envelope);
    assert!(d[0].message.starts_with("#/x-envelope"), "{}", d[0]);

    // A cycle of `allOf`s ends in a diagnostic, not in endless recursion.
    let cycle = format!(
        "{MINIMAL}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      allOf:\n        - $ref: '#/components/schemas/A'\n        - {{type: object, properties: {{x: {{type: string}}}}}}\n"
    );
    let d = broken(&cycle);
    assert!(d.iter().any(|d| d.message.contains("too deep")), "{d:#?}");
}

#[test]
fn all_of_objects_merge_their_fields() {
    let text = format!(
        "{MINIMAL}paths: {{}}\ncomponents:\n  schemas:\n    Base:\n      type: object\n      required: [id]\n      properties:\n        id: {{type: string}}\n    Derived:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - type: object\n          required: [price]\n          properties:\n            price: {{type: number, format: decimal}}\n"
    );
    let doc = lower("allof.yaml", &text).expect("lowers");
    assert_eq!(
        doc.named("Derived").map(|t| &t.ty),
        Some(&Type::Object {
            fields: vec![Field::new("id", Type::String), Field::new("price", Type::Decimal)]
        })
    );
}
