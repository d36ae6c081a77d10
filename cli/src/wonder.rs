//! `payctl call` for a Wonder profile. `wonder-typed` has no dispatch by name (no conformance
//! crate, unlike WeChat Pay), so the request is built from the command line as given and sent
//! through the runtime's Wonder client (signed with `Wonder-RSA-SHA256`, the `{code, message,
//! data}` envelope unwrapped): it is **not** validated against the model; Wonder's answer (or
//! the mock's `E000001`) names a field that does not fit. `--dry-run` captures it on the
//! loopback and prints the request and the content and digest Wonder signs.

use std::collections::BTreeMap;

use sdk_runtime::Method;
use sdk_runtime::wechatpay::Operation;
use sdk_runtime::wonder::sign::{Credential, content, digest};
use serde_json::Value;

use crate::call::Request;
use crate::capture::Capture;
use crate::client;
use crate::config::Profile;
use crate::exit::{Failure, Outcome};

/// The operation for `request`: method, path, URL-encoded query, JSON body.
fn operation(request: &Request) -> Outcome<Operation> {
    let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| Failure::usage(format!("`{}` is not an HTTP method", request.method)))?;
    let (path, path_query) = match request.path.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (request.path.clone(), None),
    };
    let args = crate::input::Args {
        path_query,
        ..request.args.clone()
    };
    let input = crate::input::build(&[], &args)?;
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    if let Some(Value::Object(query)) = input.get("query") {
        let query: BTreeMap<&String, &Value> = query.iter().collect();
        for (name, value) in query {
            match value {
                Value::String(text) => serializer.append_pair(name, text),
                other => serializer.append_pair(name, &other.to_string()),
            };
        }
    }
    // The runtime names a call by its path template; a CLI call's template is its path.
    let template: &'static str = Box::leak(path.into_boxed_str());
    let mut op = Operation::new(method, template).raw_query(&serializer.finish());
    if let Some(body) = input.get("body") {
        op = op.json(body).map_err(|e| Failure::runtime("the body", &e))?;
    }
    Ok(op)
}

/// Runs `call` against Wonder (or prints its dry run).
pub async fn run(profile: &Profile, request: Request, dry_run: bool) -> Outcome {
    eprintln!(
        "payctl: Wonder requests are not validated against the model (wonder-typed has no dispatch by name)"
    );
    let op = operation(&request)?;
    if !dry_run {
        let client = client::wonder(profile, None)?;
        let data: Value = client
            .json(op)
            .await
            .map_err(|e| Failure::runtime(format!("{} {}", request.method, request.path), &e))?;
        println!(
            "{}",
            serde_json::to_string_pretty(&data).expect("a JSON value serializes")
        );
        return Ok(());
    }
    let capture = Capture::start().await?;
    let client = client::wonder(profile, Some(&capture.base_url()))?;
    let _ = client.json::<Value>(op).await;
    let captured = capture
        .requests()
        .pop()
        .ok_or_else(|| Failure::usage("the request could not be built; nothing was sent"))?;
    let base = profile
        .base_url
        .clone()
        .unwrap_or_else(|| "https://gateway.wonder.today".to_owned());
    println!("# dry run: nothing was sent. Wonder would receive:");
    println!(
        "{} {}{} HTTP/1.1",
        captured.method,
        base.trim_end_matches('/'),
        captured.path_and_query
    );
    for (name, value) in captured.headers.iter().filter(|(n, _)| n != "host") {
        println!("{name}: {value}");
    }
    println!();
    if !captured.body.is_empty() {
        println!("{}", String::from_utf8_lossy(&captured.body));
    }
    let signed = content(&captured.method, &captured.path_and_query, &captured.body);
    println!("\n# content Wonder-RSA-SHA256 signs the digest of (method, path and query, body):");
    println!(
        "{}",
        serde_json::to_string(&String::from_utf8_lossy(&signed)).expect("a string serializes")
    );
    let credential = captured.header("credential").and_then(Credential::parse);
    if let (Some(credential), Some(nonce)) = (credential, captured.header("nonce")) {
        println!(
            "# digest = hex HMAC-SHA256 chain (Nonce, REQUEST_TIME {}): {}",
            credential.request_time(),
            digest(nonce, credential.request_time(), &signed)
        );
    }
    Ok(())
}
