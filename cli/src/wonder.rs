//! `payctl call … --dry-run` for a Wonder profile: the request as the runtime made it (validated
//! against the model by `wonder-typed-conformance`, captured, never sent), the content
//! `Wonder-RSA-SHA256` signs (method, path and query, body) and the digest of it
//! (`shared/design/wonder-api.md`, "Signature"). The signature itself is public (it goes on the
//! wire); the app's private key is never printed.

use sdk_runtime::wonder::sign::{Credential, content, digest};

use crate::capture::Captured;
use crate::exit::Outcome;
use crate::route::Resolved;

/// Prints the dry run of `captured`, the Wonder request for `resolved`.
pub fn print(resolved: &Resolved, captured: &Captured) -> Outcome {
    println!("# dry run: nothing was sent. {} would send:", resolved.id);
    crate::dry_run::print_request(captured, &[]);
    let method = captured.method.as_str();
    let signed = content(method, captured.path_and_query(), &captured.body);
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
