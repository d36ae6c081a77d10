//! Where an operation's function goes in the generated crate: the [`Layout`] rule of the API's
//! settings turns an operation into modules, a function name and a prefix for its types.

use super::names::{pascal, snake};
use super::settings::Layout;
use crate::ir::{Operation, RequestBody};

/// Where one operation's function goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    /// The modules from the crate root to the function, each with the phrase its rustdoc says
    /// the module holds operations of (`under `/v3/pay``, `tagged `openapi``).
    pub(super) modules: Vec<(String, String)>,
    /// How many leading modules name the product: its file and its cargo feature.
    pub(super) depth: usize,
    /// The function's name (`post`, `cancel_plan`).
    pub(super) function: String,
    /// The prefix of the names of the function's types (`Post`, `CancelPlan`).
    pub(super) prefix: String,
}

/// Where `op` goes under `layout`.
///
/// # Errors
/// A URL path with no product segment; under [`Layout::Tags`], an operation with no tag or no
/// operation id.
pub(super) fn place(op: &Operation, layout: Layout, xml_module: Option<&str>) -> Result<Place, String> {
    match layout {
        Layout::UrlPath => {
            // APIv2 paths carry no version: their modules go under the XML protocol's own.
            let root = xml_module
                .filter(|_| matches!(op.request, RequestBody::Xml { .. }))
                .map(|module| (module.to_owned(), "of APIv2 (XML)".to_owned()));
            let modules: Vec<(String, String)> = root
                .into_iter()
                .chain(
                    module_path(&op.path)
                        .into_iter()
                        .map(|(name, url)| (name, format!("under `{url}`"))),
                )
                .collect();
            let depth = product_depth(&modules);
            if modules.len() < depth {
                return Err(format!("`{}` has no product segment", op.path));
            }
            let method = op.method.lower();
            Ok(Place {
                modules,
                depth,
                function: method.to_owned(),
                prefix: pascal(method),
            })
        }
        Layout::Tags => {
            let line = format!("`{} {}`", op.method.as_str(), op.path);
            let tag = op.tags.first().ok_or_else(|| format!("{line} has no tag"))?;
            let id = op
                .operation_id
                .as_ref()
                .ok_or_else(|| format!("{line} has no operation id"))?;
            Ok(Place {
                modules: vec![(snake(tag), format!("tagged `{tag}`"))],
                depth: 1,
                function: snake(id),
                prefix: pascal(id),
            })
        }
    }
}

/// The module path of an operation: one module per literal segment, `by_<name>` per parameter.
fn module_path(path: &str) -> Vec<(String, String)> {
    let mut url = String::new();
    let mut out = Vec::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        url.push('/');
        url.push_str(segment);
        let name = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => snake(&format!("by_{param}")),
            None => snake(segment),
        };
        out.push((name, url.clone()));
    }
    out
}

/// The number of leading module segments that name a product (`v3/payscore` or `invoicing`).
fn product_depth(modules: &[(String, String)]) -> usize {
    match modules.first() {
        Some((root, _))
            if root.len() > 1 && root.starts_with('v') && root[1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            2
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_path_mirrors_the_url() {
        let modules: Vec<String> = module_path("/v3/pay/transactions/out-trade-no/{out_trade_no}/close")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            modules,
            [
                "v3",
                "pay",
                "transactions",
                "out_trade_no",
                "by_out_trade_no",
                "close"
            ]
        );
        assert_eq!(product_depth(&module_path("/v3/pay/x")), 2);
        assert_eq!(product_depth(&module_path("/invoicing/fapiao")), 1);
    }

    #[test]
    fn tags_put_a_function_named_by_its_operation_id_in_its_tags_module() {
        use crate::ir::HttpMethod;
        let mut op = Operation::new(HttpMethod::Put, "/svc/plan/{id}/cancel");
        assert_eq!(
            place(&op, Layout::Tags, None).unwrap_err(),
            "`PUT /svc/plan/{id}/cancel` has no tag"
        );
        op.tags = vec!["recurring_payments".into()];
        assert!(
            place(&op, Layout::Tags, None)
                .unwrap_err()
                .ends_with("has no operation id")
        );
        op.operation_id = Some("cancel_plan".into());
        let placed = place(&op, Layout::Tags, None).unwrap();
        assert_eq!(
            placed.modules,
            [(
                "recurring_payments".to_owned(),
                "tagged `recurring_payments`".to_owned()
            )]
        );
        assert_eq!(
            (placed.function.as_str(), placed.prefix.as_str(), placed.depth),
            ("cancel_plan", "CancelPlan", 1)
        );
        let by_path = place(&op, Layout::UrlPath, None).unwrap();
        assert_eq!(
            (by_path.function.as_str(), by_path.prefix.as_str(), by_path.depth),
            ("put", "Put", 1)
        );
        assert_eq!(
            by_path.modules[2],
            ("by_id".to_owned(), "under `/svc/plan/{id}`".to_owned())
        );
    }
}
