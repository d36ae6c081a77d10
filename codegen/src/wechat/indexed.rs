//! APIv2's indexed members (`coupon_id_$n`, `coupon_refund_id_$n_$m`) grouped into lists.
//!
//! The docs declare one member per indexed wire name: `coupon_type_$n`, `coupon_id_$n`,
//! `coupon_fee_$n` for `coupon_type_0`, `coupon_id_0`, … (`$n` counts from 0 and never appears
//! on the wire). The model holds them as one list of objects, here `coupons: [{coupon_type,
//! coupon_id, coupon_fee}]`; a member `_$n_$m` becomes a list inside each item. The list is
//! named after the object's `{stem}_count` member that counts it (`coupon_count` → `coupons`),
//! else after the items' common prefix, else `items`.

use crate::diag::{Diagnostic, Span};
use crate::ir::{Field, Type};

/// The marker of one index level in a member's name.
const INDEX: &str = "_$n";
/// The marker of the second level (`_$n_$m`): after the first one is stripped, it reads `_$m`.
const INNER_INDEX: &str = "_$m";

/// `fields` with their indexed members grouped into lists (see the module docs); problems (a
/// list name that collides with a member) are diagnostics at `span`.
pub fn group(fields: Vec<Field>, span: Span, diagnostics: &mut Vec<Diagnostic>) -> Vec<Field> {
    group_level(fields, INDEX, span, diagnostics)
}

fn group_level(
    fields: Vec<Field>,
    marker: &str,
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Field> {
    let mut out = Vec::new();
    let mut items: Vec<Field> = Vec::new();
    // Where the list goes: at its first member's place.
    let mut at = None;
    for mut field in fields {
        match strip_marker(&field.name, marker) {
            Some(base) => {
                at.get_or_insert(out.len());
                field.name = base;
                items.push(field);
            }
            None => out.push(field),
        }
    }
    let Some(at) = at else {
        return out;
    };
    // The second level, inside each item.
    let items = if marker == INDEX {
        group_level(items, INNER_INDEX, span, diagnostics)
    } else {
        items
    };
    let name = list_name(&out, &items);
    if out.iter().any(|f| f.name == name) {
        diagnostics.push(Diagnostic::new(
            span,
            format!(
                "the indexed members ({}) would be the list `{name}`, which is also a member's name",
                items
                    .iter()
                    .map(|f| format!("`{}{marker}`", f.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return out;
    }
    let list = Field::optional(
        name,
        Type::Array {
            items: Box::new(Type::Object { fields: items }),
        },
    );
    out.insert(at, list);
    out
}

/// `name` without its index marker, when it ends with one (`coupon_id_$n` → `coupon_id`;
/// `coupon_type_$n_$m` → `coupon_type_$m`, whose `_$m` the next level strips).
fn strip_marker(name: &str, marker: &str) -> Option<String> {
    if marker == INDEX {
        if let Some((base, rest)) = name.split_once(INDEX) {
            return (rest.is_empty() || rest == INNER_INDEX).then(|| format!("{base}{rest}"));
        }
        return None;
    }
    name.strip_suffix(marker).map(str::to_owned)
}

/// The list's name: from the `{stem}_count` sibling whose stem starts an item's name, else the
/// items' common `_`-separated prefix, else `items`; pluralized with `s`.
fn list_name(siblings: &[Field], items: &[Field]) -> String {
    let counted = siblings
        .iter()
        .filter_map(|f| f.name.strip_suffix("_count"))
        .find(|stem| items.iter().any(|i| i.name.starts_with(&format!("{stem}_"))));
    if let Some(stem) = counted {
        return format!("{stem}s");
    }
    let first: Vec<&str> = items
        .first()
        .map(|f| f.name.split('_').collect())
        .unwrap_or_default();
    let mut common = first.len();
    for item in items {
        let words: Vec<&str> = item.name.split('_').collect();
        common = common.min(words.iter().zip(&first).take_while(|(a, b)| a == b).count());
    }
    // A prefix that is a whole member's name is no stem (`refund_id` alone).
    let common = common.min(first.len().saturating_sub(1));
    if common == 0 {
        "items".to_owned()
    } else {
        format!("{}s", first[..common].join("_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fields: &[Field]) -> Vec<&str> {
        fields.iter().map(|f| f.name.as_str()).collect()
    }

    fn item_fields(field: &Field) -> &[Field] {
        match &field.ty {
            Type::Array { items } => match items.as_ref() {
                Type::Object { fields } => fields,
                other => panic!("not an object: {other:?}"),
            },
            other => panic!("not a list: {other:?}"),
        }
    }

    fn span() -> Span {
        Span { line: 3, column: 5 }
    }

    #[test]
    fn coupons_are_named_by_their_count() {
        let fields = vec![
            Field::new("total_fee", Type::Integer),
            Field::optional("coupon_count", Type::Integer),
            Field::optional("coupon_type_$n", Type::String),
            Field::optional("coupon_id_$n", Type::String),
            Field::optional("coupon_fee_$n", Type::Integer),
            Field::optional("transaction_id", Type::String),
        ];
        let mut diagnostics = Vec::new();
        let grouped = group(fields, span(), &mut diagnostics);
        assert!(diagnostics.is_empty());
        assert_eq!(
            names(&grouped),
            ["total_fee", "coupon_count", "coupons", "transaction_id"]
        );
        assert!(grouped[2].optional);
        assert_eq!(
            names(item_fields(&grouped[2])),
            ["coupon_type", "coupon_id", "coupon_fee"]
        );
    }

    #[test]
    fn refunds_hold_their_coupons_as_a_second_level() {
        let fields = vec![
            Field::optional("refund_count", Type::Integer),
            Field::optional("out_refund_no_$n", Type::String),
            Field::optional("refund_id_$n", Type::String),
            Field::optional("coupon_type_$n_$m", Type::String),
            Field::optional("coupon_refund_fee_$n", Type::Integer),
            Field::optional("coupon_refund_count_$n", Type::Integer),
            Field::optional("coupon_refund_id_$n_$m", Type::String),
            Field::optional("coupon_refund_fee_$n_$m", Type::Integer),
        ];
        let mut diagnostics = Vec::new();
        let grouped = group(fields, span(), &mut diagnostics);
        assert!(diagnostics.is_empty());
        assert_eq!(names(&grouped), ["refund_count", "refunds"]);
        let refund = item_fields(&grouped[1]);
        assert_eq!(
            names(refund),
            [
                "out_refund_no",
                "refund_id",
                "coupon_refunds",
                "coupon_refund_fee",
                "coupon_refund_count"
            ]
        );
        assert_eq!(
            names(item_fields(&refund[2])),
            ["coupon_type", "coupon_refund_id", "coupon_refund_fee"]
        );
    }

    #[test]
    fn without_a_count_the_common_prefix_names_the_list() {
        let fields = vec![
            Field::optional("coupon_type_$n", Type::String),
            Field::optional("coupon_refund_fee_$n", Type::Integer),
        ];
        let grouped = group(fields, span(), &mut Vec::new());
        assert_eq!(names(&grouped), ["coupons"]);
        let fields = vec![
            Field::optional("a_$n", Type::String),
            Field::optional("b_$n", Type::String),
        ];
        assert_eq!(names(&group(fields, span(), &mut Vec::new())), ["items"]);
    }

    #[test]
    fn a_list_name_taken_by_a_member_is_an_error_at_the_span() {
        let fields = vec![
            Field::optional("coupons", Type::String),
            Field::optional("coupon_count", Type::Integer),
            Field::optional("coupon_id_$n", Type::String),
        ];
        let mut diagnostics = Vec::new();
        group(fields, span(), &mut diagnostics);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (3, 5));
        assert!(
            diagnostics[0].message.contains("`coupons`"),
            "{:?}",
            diagnostics[0]
        );
    }

    #[test]
    fn a_marker_in_the_middle_is_not_an_index() {
        assert_eq!(strip_marker("a_$nb", INDEX), None);
        assert_eq!(strip_marker("a_$n_$m", INDEX).as_deref(), Some("a_$m"));
        assert_eq!(strip_marker("a_$m", INNER_INDEX).as_deref(), Some("a"));
    }
}
