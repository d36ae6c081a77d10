//! Reading the facts of a rendered Wonder reference page (the seed text): its method and path,
//! and the field lines of its "Path Parameters", "Body" and response "Schema" sections.

use codegen::ir::HttpMethod;

/// What the seed page (a rendered Wonder reference page) states about its operation.
#[derive(Debug, Default)]
pub struct SeedPage {
    pub method: String,
    pub path: String,
    pub path_params: Vec<SeedField>,
    pub body: Vec<SeedField>,
    pub response: Vec<SeedField>,
}

/// One field line (`refund_credit booleanrequired`) and the `Possible values` under it.
#[derive(Debug)]
pub struct SeedField {
    pub name: String,
    pub ty: String,
    pub required: bool,
    pub values: Vec<String>,
}

/// Parses the rendered page: the `METHOD /path/:id` line, then the field lines of the sections
/// "Path Parameters", "Body" and the response "Schema".
pub fn parse_seed(text: &str) -> SeedPage {
    let mut page = SeedPage::default();
    let mut section: Option<&str> = None;
    for line in text.lines().map(str::trim) {
        if page.method.is_empty() {
            if let Some((method, path)) = line.split_once(' ') {
                if HttpMethod::ALL.iter().any(|m| m.as_str() == method) && path.starts_with('/') {
                    page.method = method.to_owned();
                    page.path = path
                        .split('/')
                        .map(|s| {
                            s.strip_prefix(':')
                                .map_or_else(|| s.to_owned(), |p| format!("{{{p}}}"))
                        })
                        .collect::<Vec<_>>()
                        .join("/");
                }
            }
            continue;
        }
        match line {
            "Path Parameters" | "Body" | "Schema" => {
                section = Some(line);
                continue;
            }
            "Responses" => section = None,
            _ if line.starts_with('{') => section = None,
            _ => {}
        }
        let Some(section) = section else { continue };
        let list = match section {
            "Path Parameters" => &mut page.path_params,
            "Body" => &mut page.body,
            _ => &mut page.response,
        };
        if let Some(values) = line
            .strip_prefix("Possible values: [")
            .and_then(|v| v.strip_suffix(']'))
        {
            let last = list.last_mut().expect("values follow a field");
            last.values = values.split(',').map(|v| v.trim().to_owned()).collect();
        } else if let Some((name, rest)) = line.split_once(' ') {
            let (ty, required) = match rest.strip_suffix("required") {
                Some(ty) => (ty, true),
                None => (rest, false),
            };
            let words = ["string", "integer", "number", "boolean", "object", "array"];
            if words.contains(&ty)
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                list.push(SeedField {
                    name: name.to_owned(),
                    ty: ty.to_owned(),
                    required,
                    values: Vec::new(),
                });
            }
        }
    }
    page
}
