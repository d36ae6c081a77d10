//! Members of the input that did not reach the request. The generated request types hold the
//! model's members only, and serde drops any other while decoding, so a misspelt member
//! (`--query limt=10`, `"out_trade_nu"` in the body) would vanish from a real call without a
//! word. After validation the request as the runtime made it is compared with the input: every
//! query member must be among the query's names, every body member (at any depth of a JSON
//! body; at the top of an APIv2 XML body) in the body sent. A member whose value is `null` or
//! empty (`[]`, `{}`) is not looked for: a request leaves those out by design.

use serde_json::Value;

use crate::capture::Captured;
use crate::exit::{Failure, Outcome};

/// Fails, exit 2, naming every member of `input`'s `query` and `body` missing from `captured`.
///
/// # Errors
/// A usage failure listing `query.NAME` and `body/POINTER` of each member not sent.
pub fn check(id: &str, input: &Value, captured: &Captured) -> Outcome {
    let mut missing = Vec::new();
    if let Some(Value::Object(query)) = input.get("query") {
        let sent: Vec<String> = captured
            .url
            .query_pairs()
            .map(|(name, _)| name.into_owned())
            .collect();
        for (name, value) in query {
            if given(value) && !sent.iter().any(|s| s == name) {
                missing.push(format!("query.{name}"));
            }
        }
    }
    if let Some(body) = input.get("body").filter(|_| input.get("upload").is_none()) {
        let content_type = captured.header("content-type").unwrap_or_default();
        if content_type.starts_with("application/json") {
            let sent: Value = serde_json::from_slice(&captured.body).unwrap_or(Value::Null);
            json_members(body, &sent, "", &mut missing);
        } else if content_type.starts_with("text/xml") {
            let sent = String::from_utf8_lossy(&captured.body);
            if let Value::Object(members) = body {
                for (name, value) in members {
                    if given(value) && !sent.contains(&format!("<{name}>")) {
                        missing.push(format!("body/{name}"));
                    }
                }
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "{id}: the model's request has no {} (nothing was sent): check the spelling against the \
         operation's docs",
        missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// Whether `value` is one a request must carry (not `null`, `[]` or `{}`).
fn given(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
        _ => true,
    }
}

/// Adds the JSON pointer (under `body`) of every member of `given_value` missing from `sent`.
fn json_members(given_value: &Value, sent: &Value, at: &str, missing: &mut Vec<String>) {
    match (given_value, sent) {
        (Value::Object(members), Value::Object(sent_members)) => {
            for (name, value) in members {
                let pointer = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                match sent_members.get(name) {
                    Some(sent_value) => json_members(value, sent_value, &pointer, missing),
                    None if given(value) => missing.push(format!("body{pointer}")),
                    None => {}
                }
            }
        }
        (Value::Array(items), Value::Array(sent_items)) => {
            for (index, (item, sent_item)) in items.iter().zip(sent_items).enumerate() {
                json_members(item, sent_item, &format!("{at}/{index}"), missing);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn captured(url: &str, content_type: &str, body: &str) -> Captured {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_str(content_type).expect("a header value"),
        );
        Captured {
            method: http::Method::POST,
            url: url::Url::parse(url).expect("a URL"),
            headers,
            body: body.as_bytes().to_vec().into(),
        }
    }

    #[test]
    fn members_sent_pass_and_members_dropped_are_named() {
        let sent = captured(
            "https://h/v3/x?limit=10&filter%5Bid%5D%5B_eq%5D=1",
            "application/json",
            r#"{"amount":{"total":1},"list":[{"a":1}]}"#,
        );
        let input = json!({
            "query": {"limit": "10", "filter[id][_eq]": "1", "empty": null},
            "body": {"amount": {"total": 1}, "list": [{"a": 1}], "none": [], "gone": {}},
        });
        check("POST /v3/x", &input, &sent).expect("everything given was sent");
        let input = json!({
            "query": {"limt": "10"},
            "body": {"amount": {"totl": 1}, "list": [{"a": 1, "b/c": 2}], "note": "x"},
        });
        let e = check("POST /v3/x", &input, &sent).unwrap_err();
        for member in [
            "`query.limt`",
            "`body/amount/totl`",
            "`body/list/0/b~1c`",
            "`body/note`",
        ] {
            assert!(e.message.contains(member), "{member}: {}", e.message);
        }
        assert_eq!(e.kind, crate::exit::Kind::Usage);
    }

    #[test]
    fn an_xml_body_is_checked_at_its_top() {
        let sent = captured(
            "https://h/pay/orderquery",
            "text/xml; charset=utf-8",
            "<xml><appid>a</appid></xml>",
        );
        check("POST /pay/orderquery", &json!({"body": {"appid": "a"}}), &sent).expect("sent");
        let e = check("POST /pay/orderquery", &json!({"body": {"app_id": "a"}}), &sent).unwrap_err();
        assert!(e.message.contains("`body/app_id`"), "{}", e.message);
    }
}
