//! The JSON input of the conformance crate's `call` from a command line: path parameters from
//! the concrete path, `--query k=v` (text) or `k:=JSON` (any JSON value, as in HTTPie), the
//! path's own `?query`, `--header`, `--data JSON|@FILE`, `--encrypt POINTER`, `--upload FILE`.
//!
//! A command line has no types: a path or query value is text until the model says otherwise.
//! [`repair`] reads the conformance crate's refusal (`path.x` is not an integer; a query string
//! where the model has a number) and turns that one value into a number, so `--query limit=10`
//! works; the validation pass runs it before anything is sent.

use serde_json::{Map, Value, json};

use crate::exit::{Failure, Outcome};

/// What the command line says about one call's arguments.
#[derive(Debug, Default, Clone)]
pub struct Args {
    /// The path's own query, after `?` (URL-encoded).
    pub path_query: Option<String>,
    /// `--query` items: `k=v` or `k:=JSON`.
    pub query: Vec<String>,
    /// `--header` items: `Name: value` or `Name=value`.
    pub headers: Vec<String>,
    /// `--data`: JSON text, `@FILE`, or `@-` for standard input.
    pub data: Option<String>,
    /// `--encrypt` JSON pointers of sensitive fields to encrypt.
    pub encrypt: Vec<String>,
    /// `--upload FILE` (media upload operations): its name and UTF-8 content.
    pub upload: Option<std::path::PathBuf>,
}

/// Reads `JSON`, `@FILE` or `@-` (standard input) as JSON; `what` names it in errors.
pub fn read_json(arg: &str, what: &str) -> Outcome<Value> {
    let (text, source) = match arg.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Failure::io(format!("reading {what} from standard input"), e))?;
            (text, "standard input".to_owned())
        }
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("cannot read {what} {path}: {e}")))?,
            path.to_owned(),
        ),
        None => (arg.to_owned(), what.to_owned()),
    };
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("{source} is not JSON: {e}")))
}

/// The input object for `params` (from the path) and `args`.
pub fn build(params: &[(String, String)], args: &Args) -> Outcome<Value> {
    let mut input = Map::new();
    if !params.is_empty() {
        let path: Map<String, Value> = params
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
            .collect();
        input.insert("path".into(), Value::Object(path));
    }
    let mut query = Map::new();
    if let Some(raw) = &args.path_query {
        for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            query.insert(name.into_owned(), Value::String(value.into_owned()));
        }
    }
    for item in &args.query {
        let (name, value) = if let Some((name, json)) = item.split_once(":=") {
            let value = serde_json::from_str(json)
                .map_err(|e| Failure::usage(format!("--query {name}:=…: the value is not JSON: {e}")))?;
            (name, value)
        } else if let Some((name, text)) = item.split_once('=') {
            (name, Value::String(text.to_owned()))
        } else {
            return Err(Failure::usage(format!(
                "--query `{item}`: write NAME=VALUE or NAME:=JSON"
            )));
        };
        query.insert(name.to_owned(), value);
    }
    if !query.is_empty() {
        input.insert("query".into(), Value::Object(query));
    }
    if !args.headers.is_empty() {
        let mut headers = Map::new();
        for item in &args.headers {
            let (name, value) = item
                .split_once(':')
                .or_else(|| item.split_once('='))
                .ok_or_else(|| Failure::usage(format!("--header `{item}`: write NAME: VALUE")))?;
            headers.insert(name.trim().to_owned(), Value::String(value.trim().to_owned()));
        }
        input.insert("headers".into(), Value::Object(headers));
    }
    if let Some(data) = &args.data {
        input.insert("body".into(), read_json(data, "--data")?);
    }
    if !args.encrypt.is_empty() {
        input.insert("encrypt".into(), json!(args.encrypt));
    }
    if let Some(path) = &args.upload {
        let content = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read --upload {}: {e}", path.display())))?;
        let filename = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        input.insert(
            "upload".into(),
            json!({ "filename": filename, "content": content }),
        );
    }
    Ok(Value::Object(input))
}

/// A value of text `value` as the JSON number (or boolean) it spells, if it does.
fn typed(text: &str) -> Option<Value> {
    match text {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => serde_json::from_str::<serde_json::Number>(text)
            .ok()
            .map(Value::Number),
    }
}

/// Given the conformance crate's refusal `message` (the error and its causes), changes the one
/// text value of `input` it complains about into the number it spells; whether it changed
/// anything (if not, the refusal stands).
pub fn repair(input: &mut Value, message: &str) -> bool {
    // `input `path.store_id` is not an integer`
    if let Some(name) = between(message, "input `path.", "` is not an integer") {
        let slot = input.pointer_mut(&format!("/path/{name}"));
        return match slot {
            Some(slot @ Value::String(_)) => match slot.as_str().and_then(typed) {
                Some(number @ Value::Number(_)) => {
                    *slot = number;
                    true
                }
                _ => false,
            },
            _ => false,
        };
    }
    // serde: `invalid type: string "10", expected i64` (the value as JSON text)
    if message.contains("input `query` does not fit")
        && let Some(quoted) = between(message, "invalid type: string ", ", expected")
        && let Ok(Value::String(text)) = serde_json::from_str::<Value>(quoted)
        && let Some(Value::Object(query)) = input.get_mut("query")
    {
        for value in query.values_mut() {
            if value.as_str() == Some(text.as_str())
                && let Some(number) = typed(&text)
            {
                *value = number;
                return true;
            }
        }
    }
    false
}

/// The text between the first `start` and the next `end` in `text`.
fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_items_and_the_paths_query() {
        let args = Args {
            path_query: Some("mchid=1900000109&x=a%20b".into()),
            query: vec!["limit:=10".into(), "status=OK".into()],
            ..Args::default()
        };
        let input = build(&[("id".into(), "7".into())], &args).unwrap();
        assert_eq!(
            input,
            json!({"path": {"id": "7"}, "query": {"mchid": "1900000109", "x": "a b", "limit": 10, "status": "OK"}})
        );
    }

    #[test]
    fn repairs_integers_the_model_asks_for() {
        let mut input = json!({"path": {"store_id": "12"}, "query": {"offset": "0", "mchid": "19"}});
        assert!(repair(
            &mut input,
            "GET /x/{store_id}: input `path.store_id` is not an integer"
        ));
        assert_eq!(input["path"]["store_id"], json!(12));
        let message = "GET /x: input `query` does not fit `Q`: invalid type: string \"0\", expected i64";
        assert!(repair(&mut input, message));
        assert_eq!(input["query"], json!({"offset": 0, "mchid": "19"}));
        assert!(!repair(
            &mut input,
            "GET /x: input `body` does not fit `B`: missing field `a`"
        ));
    }
}
