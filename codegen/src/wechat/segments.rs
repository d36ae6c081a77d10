//! The segments of a page's URL path: the page's own path segments, and a namespace segment
//! spelled as a URL segment (the lowering's path rules, see [`super::lower`]).

/// The page's own path segments after the `openapi/` root, without `.md` and a trailing `index`.
pub(super) fn file_segments(source: &str) -> Vec<String> {
    let trimmed = source.strip_suffix(".md").unwrap_or(source);
    let mut segments: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
    if let Some(pos) = segments.iter().position(|s| s == "openapi") {
        segments.drain(..=pos);
    }
    if segments.last().is_some_and(|s| s == "index") {
        segments.pop();
    }
    segments
}

/// Lower-case with `-` and `_` removed: the form in which a namespace segment and a URL segment agree.
pub(super) fn fold(segment: &str) -> String {
    segment
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Spells a namespace segment as a URL segment when the page path does not tell:
/// `PayscorePlans` → `payscore-plans`, `Available_abroad_amounts` → `available_abroad_amounts`.
pub(super) fn kebab(segment: &str) -> String {
    if segment.contains('_') {
        return segment.to_lowercase();
    }
    let mut out = String::new();
    for (i, c) in segment.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The path-parameter name of a namespace segment `_name_`, if it is one.
pub(super) fn param_segment(segment: &str) -> Option<&str> {
    segment
        .strip_prefix('_')
        .and_then(|s| s.strip_suffix('_'))
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_spells_namespace_segments_as_url_segments() {
        assert_eq!(kebab("PayscorePlans"), "payscore-plans");
        assert_eq!(kebab("V3"), "v3");
        assert_eq!(kebab("Available_abroad_amounts"), "available_abroad_amounts");
        assert_eq!(kebab("Fapiao"), "fapiao");
    }

    #[test]
    fn file_segments_drop_root_extension_and_index() {
        assert_eq!(
            file_segments("openapi/v3/applyment4sub/applyment/index.md"),
            ["v3", "applyment4sub", "applyment"]
        );
        assert_eq!(fold("payscore-plans"), fold("PayscorePlans"));
        assert_eq!(param_segment("_merchant_plan_no_"), Some("merchant_plan_no"));
        assert_eq!(param_segment("Stop"), None);
    }
}
