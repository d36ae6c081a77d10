//! `payctl call … --dry-run` for a Wonder profile: the request as the runtime made it (validated
//! against the model by `wonder-typed-conformance`, captured, never sent), the content
//! `Wonder-RSA-SHA256` signs (method, path and query, body) and the digest of it
//! (`shared/design/wonder-api.md`, "Signature"), signed again with `--timestamp`/`--nonce` when
//! given. The signature itself is public (it goes on the wire); the app's private key is never
//! printed.

use sdk_runtime::wonder::sign::{Credential, content, digest};

use crate::capture::Captured;
use crate::config::Profile;
use crate::dry_run::Fixed;
use crate::exit::{Failure, Outcome};
use crate::route::Resolved;

/// Prints the dry run of `captured`, the Wonder request for `resolved`. With a `fixed`
/// timestamp or nonce, the request is signed again with them (through
/// `sdk_runtime::wonder::Signer`, the other taken from the captured request), so the run can be
/// compared byte for byte with a test vector or Wonder's own example.
pub fn print(profile: &Profile, resolved: &Resolved, captured: &Captured, fixed: &Fixed) -> Outcome {
    let method = captured.method.as_str();
    let path_and_query = captured.path_and_query();
    let sent = captured
        .header("credential")
        .and_then(Credential::parse)
        .zip(captured.header("nonce"))
        .ok_or_else(|| Failure::usage("the captured request has no Wonder Credential and Nonce"))?;
    let (credential, nonce, signed) = if fixed.timestamp.is_some() || fixed.nonce.is_some() {
        let timestamp = fixed.timestamp.unwrap_or_else(|| sent.0.unix_seconds());
        let nonce = fixed.nonce.as_deref().unwrap_or(sent.1);
        let headers = crate::client::wonder(profile, None)?
            .signer()
            .sign(method, path_and_query, &captured.body, timestamp, nonce)
            .map_err(|e| Failure::runtime("signing", &e))?;
        let credential = Credential::parse(&headers.credential).expect("the signer's own credential");
        (credential, headers.nonce, Some(headers.signature))
    } else {
        (sent.0, sent.1.to_owned(), None)
    };
    println!("# dry run: nothing was sent. {} would send:", resolved.id);
    let credential_text = credential.to_string();
    let mut replace = vec![
        ("credential", credential_text.as_str()),
        ("nonce", nonce.as_str()),
    ];
    if let Some(signature) = &signed {
        replace.push(("signature", signature.as_str()));
    }
    crate::dry_run::print_request(captured, &replace);
    let content = content(method, path_and_query, &captured.body);
    println!("\n# content Wonder-RSA-SHA256 signs the digest of (method, path and query, body):");
    println!(
        "{}",
        serde_json::to_string(&String::from_utf8_lossy(&content)).expect("a string serializes")
    );
    println!(
        "# digest = hex HMAC-SHA256 chain (Nonce, REQUEST_TIME {}): {}",
        credential.request_time(),
        digest(&nonce, credential.request_time(), &content)
    );
    if signed.is_some() {
        println!("# signed with the timestamp and nonce given (--timestamp/--nonce), not the runtime's");
    }
    Ok(())
}
