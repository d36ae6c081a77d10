//! Finding an operation by what its docs call it: `#[doc(alias)]`es on each function (its title
//! and its path template, so rustdoc's search finds `申请退款` or `/v3/refund/domestic/refunds`),
//! and `src/index.rs`, a module whose docs list every operation (title, `METHOD /path`, the
//! function).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::Located;
use super::settings::Settings;
use super::types::docs;
use crate::ir::Operation;

/// The rustdoc search aliases of an operation's function `function`: its summary, the summary
/// without a trailing `API` (`申请退款API` → `申请退款`), its page's `title` when the page holds
/// only it, and its path template; each made legal ([`alias`]), without repeats.
pub(super) fn aliases(op: &Operation, title: Option<&str>, function: &str) -> Vec<String> {
    let summary = op.summary.as_deref();
    let short = summary.and_then(|s| s.strip_suffix("API"));
    let mut out: Vec<String> = Vec::new();
    for text in [summary, short, title, Some(op.path.as_str())]
        .into_iter()
        .flatten()
    {
        if let Some(alias) = alias(text) {
            if alias != function && !out.contains(&alias) {
                out.push(alias);
            }
        }
    }
    out
}

/// `text` as a rustdoc alias, which cannot hold quotes or whitespace other than a space, nor
/// start or end with one: apostrophes are dropped (`person's` → `persons`), double quotes and
/// other whitespace become spaces, runs of spaces one, and the ends are trimmed. `None` when
/// nothing is left.
pub(super) fn alias(text: &str) -> Option<String> {
    let spaced: String = text
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| if c == '"' || c.is_whitespace() { ' ' } else { c })
        .collect();
    let alias = spaced
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!alias.is_empty()).then_some(alias)
}

/// `#[doc(alias = "…")]` for each alias.
pub(super) fn alias_attributes(aliases: &[String]) -> TokenStream {
    quote!(#(#[doc(alias = #aliases)])*)
}

/// `src/index.rs`: the `index` module, whose docs are a table per product of every operation:
/// its title, `METHOD /path` and its function. A function is linked when its product's feature
/// is enabled and named in plain text otherwise, so the docs build without broken links with
/// any set of features (docs.rs builds them all).
pub(super) fn index_rs(located: &[Located], settings: &Settings) -> TokenStream {
    let mut products: BTreeMap<(&[String], &str), Vec<&Located>> = BTreeMap::new();
    for l in located {
        products
            .entry((l.product.as_slice(), l.feature.as_str()))
            .or_default()
            .push(l);
    }
    let intro = docs(
        &format!(
            "Every operation of the {} API ({} operations) by its title and its request, with the \
             function that calls it: one table per product, in path order. The docs' search also \
             finds a function by its title or its path template.",
            settings.api_name,
            located.len()
        ),
        true,
    );
    let mut sections = Vec::new();
    for ((product, feature), mut rows) in products {
        rows.sort_by(|a, b| (&a.op.path, a.op.method).cmp(&(&b.op.path, b.op.method)));
        let heading = docs(
            &format!(
                "\n# `{}` (feature `{feature}`)\n\n| Title | Request | Function |\n|---|---|---|",
                display_path(product)
            ),
            true,
        );
        sections.push(heading);
        for l in rows {
            let modules: Vec<&str> = l
                .product
                .iter()
                .chain(&l.modules)
                .map(String::as_str)
                .chain(std::iter::once(l.signature.function.as_str()))
                .collect();
            let shown = display_path(&modules);
            let title = l.op.summary.as_deref().or(l.title).unwrap_or("");
            let cells = format!(" | {} | `{} {}` |", cell(title), l.op.method.as_str(), l.op.path);
            // Intra-doc links name raw identifiers without `r#` (`subsidies::return::post`).
            let linked = format!("{cells} [`{shown}`](crate::{shown}) |");
            let plain = format!("{cells} `{shown}` |");
            sections.push(quote! {
                #![cfg_attr(feature = #feature, doc = #linked)]
                #![cfg_attr(not(feature = #feature), doc = #plain)]
            });
        }
    }
    quote! {
        #intro
        #(#sections)*
    }
}

/// A module path as a reader writes it (`v3::marketing::return`, raw identifiers without `r#`).
fn display_path<S: AsRef<str>>(modules: &[S]) -> String {
    modules
        .iter()
        .map(|m| m.as_ref().trim_start_matches("r#"))
        .collect::<Vec<_>>()
        .join("::")
}

/// Text for a markdown table cell: pipes, markdown punctuation and line breaks escaped.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The README's product table, markdown: one row per cargo feature with its module, how many
/// operations it holds and the first one (title and `METHOD /path`), so a user finds the feature
/// to enable for what they call.
pub(super) fn feature_table(located: &[Located]) -> String {
    let mut products: BTreeMap<&str, (String, Vec<&Located>)> = BTreeMap::new();
    for l in located {
        products
            .entry(l.feature.as_str())
            .or_insert_with(|| (l.product.join("::"), Vec::new()))
            .1
            .push(l);
    }
    let mut out = String::from("| feature | module | operations | for example |\n|---|---|---|---|\n");
    for (feature, (module, ops)) in &products {
        let first = ops[0].op;
        let title = first.summary.as_deref().or(ops[0].title).unwrap_or("");
        out.push_str(&format!(
            "| `{feature}` | `{module}` | {} | {} `{} {}` |\n",
            ops.len(),
            title.replace('|', "\\|"),
            first.method.as_str(),
            first.path
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::test_support::operation;
    use crate::ir::HttpMethod;

    #[test]
    fn aliases_are_what_rustdoc_accepts() {
        assert_eq!(alias(" a\t\"b\"  c\u{3000}d \n"), Some("a b c d".to_owned()));
        assert_eq!(alias("a person's photo").as_deref(), Some("a persons photo"));
        assert_eq!(alias(" ' \n"), None);
        assert_eq!(
            alias("发起转账(用户确认模式)").as_deref(),
            Some("发起转账(用户确认模式)")
        );
    }

    #[test]
    fn an_operation_is_found_by_its_summary_its_short_title_its_page_title_and_its_path() {
        let mut op = operation(HttpMethod::Post, "/v3/refund/domestic/refunds");
        op.summary = Some("申请退款API".into());
        assert_eq!(
            aliases(&op, Some("申请退款"), "post"),
            ["申请退款API", "申请退款", "/v3/refund/domestic/refunds"]
        );
        assert_eq!(
            aliases(&op, Some("退款 申请"), "post"),
            [
                "申请退款API",
                "申请退款",
                "退款 申请",
                "/v3/refund/domestic/refunds"
            ]
        );
        // An alias equal to the function's name is refused by rustdoc: it is left out.
        op.summary = Some("cancel_plan".into());
        assert_eq!(aliases(&op, None, "cancel_plan"), ["/v3/refund/domestic/refunds"]);
    }

    #[test]
    fn a_product_named_like_a_root_item_of_the_crate_is_refused() {
        for root in ["index", "runtime", "types"] {
            let document = crate::ir::Document {
                moved_to: None,
                source: "page.md".into(),
                title: None,
                operations: vec![operation(HttpMethod::Get, &format!("/{root}/things"))],
                types: Vec::new(),
                events: Vec::new(),
            };
            let err = crate::emit::crates(&[document], &Settings::wechatpay()).unwrap_err();
            assert!(
                err.message.contains(&format!("module `{root}` would clash")),
                "{err}"
            );
        }
    }

    #[test]
    fn table_cells_escape_markdown() {
        assert_eq!(cell("a|b *c* [d]\nx"), "a\\|b \\*c\\* \\[d\\] x");
    }
}
