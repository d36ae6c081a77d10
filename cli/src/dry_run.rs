//! `payctl call … --dry-run`: the request as the runtime made it (recorded by its capture,
//! never sent), and for APIv3 the exact string to sign (`METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`,
//! `shared/design/protocols.md`) with the `Authorization` header over it. With `--timestamp` and
//! `--nonce` (for debugging) the string and header are signed again with those values through
//! the runtime's signer (`sdk_runtime::wechatpay::sign`), so a run can be compared byte for byte
//! with a test vector or a `SIGN_ERROR`'s `truncated_sign_message`.
//!
//! Nothing secret is printed: the signature is public (it goes on the wire), the keys are not
//! in the request, and an APIv2 request's `sign` is shown but the key it was made with is not.

use sdk_runtime::wechatpay::sign::{Authorization, Signer, string_to_sign};
use sdk_runtime::wechatpay::v2;

use crate::capture::{Captured, header_lines};
use crate::client;
use crate::config::Profile;
use crate::exit::{Failure, Outcome};
use crate::route::{Api, Resolved};

/// A fixed timestamp and nonce to sign a dry run with (each `None`: the runtime's own).
#[derive(Debug, Clone, Default)]
pub struct Fixed {
    /// Unix seconds.
    pub timestamp: Option<i64>,
    /// The nonce.
    pub nonce: Option<String>,
}

/// The `meta` part of a multipart upload body (what APIv3 signs for an upload).
fn multipart_meta(captured: &Captured) -> Option<Vec<u8>> {
    let content_type = captured.header("content-type")?;
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let body = String::from_utf8_lossy(&captured.body);
    let delimiter = format!("--{boundary}");
    body.split(&delimiter)
        .find(|part| part.contains("name=\"meta\""))
        .and_then(|part| part.split_once("\r\n\r\n"))
        .map(|(_, content)| content.trim_end_matches("\r\n").as_bytes().to_vec())
}

/// Prints the dry run of `captured`, the request for `resolved`.
pub fn print(profile: &Profile, resolved: &Resolved, captured: &Captured, fixed: &Fixed) -> Outcome {
    match resolved.api {
        Api::V3 => print_v3(profile, resolved, captured, fixed),
        Api::V2 => {
            println!(
                "# dry run: nothing was sent. {} (APIv2, XML) would send:",
                resolved.id
            );
            print_request(captured, &[]);
            println!(
                "\n# APIv2 signs the members sorted by name, then `&key=` and the APIv2 key ({}):\n\
                 # the key is not shown.",
                profile
                    .apiv2_sign_type
                    .as_deref()
                    .unwrap_or(v2::SignType::Md5.as_str())
            );
            Ok(())
        }
        Api::Wonder => crate::wonder::print(profile, resolved, captured, fixed),
    }
}

/// The APIv3 dry run: request, string to sign, `Authorization`.
fn print_v3(profile: &Profile, resolved: &Resolved, captured: &Captured, fixed: &Fixed) -> Outcome {
    let header = captured
        .header("authorization")
        .and_then(Authorization::parse)
        .ok_or_else(|| Failure::usage("the captured request has no APIv3 Authorization"))?;
    let sent_timestamp: i64 = header
        .timestamp
        .parse()
        .map_err(|_| Failure::usage("the captured Authorization has no numeric timestamp"))?;
    let key = client::merchant_key(profile)?;
    // Which bytes the runtime signed: the body, or an upload's `meta`. Checked with the public
    // half of the merchant key, over the path exactly as it reached the capture.
    let public = key.public_key();
    let candidates = [Some(captured.body.to_vec()), multipart_meta(captured)];
    let body = candidates
        .into_iter()
        .flatten()
        .find(|body| header.verify(&public, captured.method.as_str(), captured.path_and_query(), body))
        .ok_or_else(|| Failure::usage("the runtime's signature does not verify over the captured request"))?;
    let canonical_url = captured.path_and_query();
    let method = captured.method.as_str();
    let timestamp = fixed.timestamp.unwrap_or(sent_timestamp);
    let nonce = fixed.nonce.clone().unwrap_or_else(|| header.nonce_str.clone());
    let signer = Signer::new(header.mchid.clone(), header.serial_no.clone(), key);
    let authorization = signer
        .authorization(method, canonical_url, timestamp, &nonce, &body)
        .map_err(|e| Failure::runtime("signing", &e))?;
    let message = string_to_sign(method, canonical_url, timestamp, &nonce, &body);
    println!("# dry run: nothing was sent. {} would send:", resolved.id);
    print_request(captured, &[("authorization", &authorization)]);
    let text = String::from_utf8_lossy(&message);
    println!(
        "\n# string to sign (WECHATPAY2-SHA256-RSA2048: method, URL, timestamp, nonce, body; each line ends in \\n), {} bytes:",
        message.len()
    );
    print!("{text}");
    println!("\n# the same as a JSON string, to compare with a SIGN_ERROR's truncated_sign_message:");
    println!("{}", serde_json::to_string(&text).expect("a string serializes"));
    if fixed.timestamp.is_some() || fixed.nonce.is_some() {
        println!("# signed with the timestamp and nonce given (--timestamp/--nonce), not the runtime's");
    }
    if profile.wechatpay_public_key.is_none() {
        println!(
            "# the profile uses platform certificates, not downloaded in a dry run: Wechatpay-Serial names {}",
            client::DRY_RUN_KEY_ID
        );
    }
    Ok(())
}

/// Prints the request line (absolute URL), `host`, the headers (those in `replace` given their
/// new value) and the body.
pub fn print_request(captured: &Captured, replace: &[(&str, &str)]) {
    println!("{} {} HTTP/1.1", captured.method, captured.url);
    let url = &captured.url;
    println!(
        "host: {}",
        &url[url::Position::BeforeHost..url::Position::AfterPort]
    );
    for (name, value) in header_lines(captured) {
        let value = replace
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(value.as_str(), |(_, v)| v);
        println!("{name}: {value}");
    }
    println!();
    if !captured.body.is_empty() {
        println!("{}", String::from_utf8_lossy(&captured.body));
    }
}
