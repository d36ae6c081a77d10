//! List filters of the Wonder Open API: `filter[field][operator]=value` query parameters.
//!
//! A list operation (`list_plans`, `list_items`, …) takes a [`Filter`] over its own field enum
//! (generated as `ListPlansFilterField`), so only fields the operation filters on can be named:
//!
//! ```
//! use sdk_runtime::wonder::{Filter, FilterField};
//!
//! #[derive(Clone, Copy)]
//! enum PlanField { Name, CreatedAt }
//! impl FilterField for PlanField {
//!     fn as_str(&self) -> &str {
//!         match self { PlanField::Name => "name", PlanField::CreatedAt => "created_at" }
//!     }
//! }
//!
//! let filter = Filter::new()
//!     .eq(PlanField::Name, "Gold")
//!     .gte(PlanField::CreatedAt, "2024-01-01");
//! assert_eq!(
//!     filter.to_query("filter"),
//!     "filter%5Bname%5D%5B_eq%5D=Gold&filter%5Bcreated_at%5D%5B_gte%5D=2024-01-01"
//! );
//! ```
//!
//! The brackets are percent-encoded as PHP's `http_build_query` (Wonder's official SDK) does;
//! the query is signed exactly as sent. Source: `shared/design/wonder-api.md` ("Filters").

use std::fmt;
use std::marker::PhantomData;

/// A field a [`Filter`] may name: a generated `…FilterField` enum, or [`String`] for an
/// operation whose filterable fields are not documented (any name is passed through).
pub trait FilterField {
    /// The field's name on the wire (`created_at`).
    fn as_str(&self) -> &str;
}

impl FilterField for String {
    fn as_str(&self) -> &str {
        self
    }
}

/// A comparison of a [`Filter`] condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `_eq`: equal to.
    Eq,
    /// `_neq`: not equal to.
    Neq,
    /// `_gt`: greater than.
    Gt,
    /// `_gte`: greater than or equal to.
    Gte,
    /// `_lt`: less than.
    Lt,
    /// `_lte`: less than or equal to.
    Lte,
    /// `_contains`: contains the text.
    Contains,
    /// `_not_contains`: does not contain the text.
    NotContains,
    /// `_in`: one of a comma-separated list of values.
    In,
}

impl Operator {
    /// Every operator, in the order the API lists them.
    pub const ALL: [Operator; 9] = [
        Operator::Eq,
        Operator::Neq,
        Operator::Gt,
        Operator::Gte,
        Operator::Lt,
        Operator::Lte,
        Operator::Contains,
        Operator::NotContains,
        Operator::In,
    ];

    /// The operator as spelled on the wire (`_gte`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "_eq",
            Operator::Neq => "_neq",
            Operator::Gt => "_gt",
            Operator::Gte => "_gte",
            Operator::Lt => "_lt",
            Operator::Lte => "_lte",
            Operator::Contains => "_contains",
            Operator::NotContains => "_not_contains",
            Operator::In => "_in",
        }
    }
}

/// Conditions on the fields `F` of one list operation; all must hold. An empty filter adds
/// nothing to the query.
pub struct Filter<F> {
    conditions: Vec<(String, Operator, String)>,
    fields: PhantomData<fn(F)>,
}

impl<F> Default for Filter<F> {
    fn default() -> Self {
        Filter {
            conditions: Vec::new(),
            fields: PhantomData,
        }
    }
}

impl<F> Clone for Filter<F> {
    fn clone(&self) -> Self {
        Filter {
            conditions: self.conditions.clone(),
            fields: PhantomData,
        }
    }
}

/// Shows the field and operator of each condition, not the values (they may be personal data).
impl<F> fmt::Debug for Filter<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.conditions
                    .iter()
                    .map(|(field, op, _)| format!("{field}{}", op.as_str())),
            )
            .finish()
    }
}

impl<F: FilterField> Filter<F> {
    /// A filter with no conditions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `field operator value`.
    pub fn condition(mut self, field: F, operator: Operator, value: impl fmt::Display) -> Self {
        self.conditions
            .push((field.as_str().to_owned(), operator, value.to_string()));
        self
    }

    /// `field` equals `value` (`_eq`).
    pub fn eq(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Eq, value)
    }

    /// `field` differs from `value` (`_neq`).
    pub fn neq(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Neq, value)
    }

    /// `field` is greater than `value` (`_gt`).
    pub fn gt(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Gt, value)
    }

    /// `field` is greater than or equal to `value` (`_gte`).
    pub fn gte(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Gte, value)
    }

    /// `field` is less than `value` (`_lt`).
    pub fn lt(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Lt, value)
    }

    /// `field` is less than or equal to `value` (`_lte`).
    pub fn lte(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Lte, value)
    }

    /// `field` contains the text `value` (`_contains`).
    pub fn contains(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::Contains, value)
    }

    /// `field` does not contain the text `value` (`_not_contains`).
    pub fn not_contains(self, field: F, value: impl fmt::Display) -> Self {
        self.condition(field, Operator::NotContains, value)
    }

    /// `field` is one of `values` (`_in`, sent comma-separated).
    pub fn any_of<V: fmt::Display>(self, field: F, values: impl IntoIterator<Item = V>) -> Self {
        let joined = values
            .into_iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.condition(field, Operator::In, joined)
    }

    /// True when the filter has no conditions.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// The URL-encoded query of the conditions under the parameter `name`, in the order they
    /// were added, without `?`; empty for an empty filter.
    pub fn to_query(&self, name: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (field, op, value) in &self.conditions {
            query.append_pair(&format!("{name}[{field}][{}]", op.as_str()), value);
        }
        query.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_field_name_is_passed_through_and_values_are_encoded() {
        let filter = Filter::<String>::new()
            .any_of("number".to_owned(), ["A 1", "B&2"])
            .not_contains("note".to_owned(), "x=y");
        assert_eq!(
            filter.to_query("filter"),
            "filter%5Bnumber%5D%5B_in%5D=A+1%2CB%262&filter%5Bnote%5D%5B_not_contains%5D=x%3Dy"
        );
        assert_eq!(format!("{filter:?}"), r#"["number_in", "note_not_contains"]"#);
        assert!(Filter::<String>::new().to_query("filter").is_empty());
    }

    #[test]
    fn operators_are_spelled_as_on_the_wire() {
        let spelled: Vec<&str> = Operator::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            spelled,
            [
                "_eq",
                "_neq",
                "_gt",
                "_gte",
                "_lt",
                "_lte",
                "_contains",
                "_not_contains",
                "_in"
            ]
        );
    }
}
