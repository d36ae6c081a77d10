//! The one place where spec names become Rust identifiers.
//!
//! Wire names are kept as they are in the model; here they are turned into snake_case (fields,
//! modules, arguments) or UpperCamelCase (types, variants) with heck, and made legal: keywords
//! become raw identifiers (`r#type`) or, where Rust forbids that (`self`, `Self`, `crate`,
//! `super`), get a trailing `_`; names that start with a digit get a prefix.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of Rust 2024 that may be written as raw identifiers.
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A snake_case identifier for a field, module, function or argument (`Wechatpay-Serial` →
/// `wechatpay_serial`, `type` → `r#type`, `self` → `self_`, `3ds` → `_3ds`).
pub fn snake(name: &str) -> String {
    let mut out = ascii(name).to_snake_case();
    if out.is_empty() {
        out.push_str("value");
    }
    legal(out, "_")
}

/// An UpperCamelCase identifier for a type or variant (`plan_detail_list` → `PlanDetailList`,
/// `Self` → `Self_`, `1` → `N1`).
pub fn pascal(name: &str) -> String {
    let mut out = ascii(name).to_upper_camel_case();
    if out.is_empty() {
        out.push_str("Empty");
    }
    legal(out, "N")
}

/// Identifiers are kept to ASCII: any other character separates words.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn legal(mut ident: String, digit_prefix: &str) -> String {
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert_str(0, digit_prefix);
    }
    if NON_RAW_KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    } else if RAW_KEYWORDS.contains(&ident.as_str()) {
        ident.insert_str(0, "r#");
    }
    ident
}

/// The name serde sees for an identifier (raw identifiers lose their `r#`).
pub fn serde_name(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Picks `base`, or `base2`, `base3`, … when `taken` says the name is in use.
pub fn unique(base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names_are_legal_identifiers() {
        assert_eq!(snake("Wechatpay-Serial"), "wechatpay_serial");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("crate"), "crate_");
        assert_eq!(snake("3ds"), "_3ds");
        assert_eq!(snake("$out_trade_no$"), "out_trade_no");
        assert_eq!(snake("payscore-plans"), "payscore_plans");
        assert_eq!(snake("---"), "value");
        assert_eq!(snake("名称"), "value");
        assert_eq!(snake("a·b"), "a_b");
    }

    #[test]
    fn pascal_names_are_legal_identifiers() {
        assert_eq!(pascal("plan_detail_list"), "PlanDetailList");
        assert_eq!(pascal("Self"), "Self_");
        assert_eq!(pascal("1"), "N1");
        assert_eq!(pascal("NO_SUCC"), "NoSucc");
        assert_eq!(pascal(""), "Empty");
    }

    #[test]
    fn unique_appends_the_first_free_number() {
        let taken = ["A", "A2"];
        assert_eq!(unique("A", |n| taken.contains(&n)), "A3");
        assert_eq!(unique("B", |n| taken.contains(&n)), "B");
    }
}
