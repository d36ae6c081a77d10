//! `payctl explain-sign-error`: offline, compares the string WeChat Pay verified (a `SIGN_ERROR`
//! answer's `detail.sign_information.truncated_sign_message`, with its `sign_message_length`)
//! with the string payctl computes for the request, line by line, and names the first differing
//! byte.
//!
//! WeChat Pay's `sign_information` is `{method, url, truncated_sign_message,
//! sign_message_length}`: the message is the five-line string it verified, its body cut short
//! (it ends with the cut body and `\n`), and the length is the whole string's in bytes. So a body
//! that agrees as far as shown but not in length differs after the cut.

use sdk_runtime::wechatpay::sign::{Authorization, string_to_sign};

use crate::exit::{Failure, Kind, Outcome};
use crate::input::read_json;

/// The request side: a file (as `payctl call --dry-run` prints it, or raw HTTP) and flags that
/// override its parts.
#[derive(Debug, Default, Clone)]
pub struct RequestSpec {
    /// The file, if any.
    pub file: Option<std::path::PathBuf>,
    /// The method.
    pub method: Option<String>,
    /// The URL: absolute or path and query.
    pub url: Option<String>,
    /// Unix seconds of the request's `Authorization`.
    pub timestamp: Option<i64>,
    /// The nonce of the request's `Authorization`.
    pub nonce: Option<String>,
    /// The body: text or `@FILE`.
    pub body: Option<String>,
    /// The `Authorization` header sent (its timestamp and nonce are used).
    pub authorization: Option<String>,
}

/// What WeChat Pay said it verified.
#[derive(Debug, Default, PartialEq)]
struct Theirs {
    message: String,
    length: Option<u64>,
}

/// Reads `--message`: the whole error answer (or its `detail`), a JSON string, or the message
/// itself, with `\n` escapes read as line ends when it has no line end of its own.
fn read_message(arg: &str) -> Outcome<Theirs> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read --message {path}: {e}")))?,
        None => arg.to_owned(),
    };
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let value = read_json(trimmed, "--message")?;
        let info = ["/detail/sign_information", "/sign_information", ""]
            .iter()
            .filter_map(|p| value.pointer(p))
            .find(|v| v.get("truncated_sign_message").is_some())
            .ok_or_else(|| Failure::usage("--message: no truncated_sign_message in this JSON"))?;
        return Ok(Theirs {
            message: info["truncated_sign_message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            length: info
                .get("sign_message_length")
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok())),
        });
    }
    if trimmed.starts_with('"') {
        let message =
            serde_json::from_str::<String>(trimmed).map_err(|e| Failure::usage(format!("--message: {e}")))?;
        return Ok(Theirs {
            message,
            length: None,
        });
    }
    let message = if !text.contains('\n') && text.contains("\\n") {
        serde_json::from_str::<String>(&format!("\"{text}\"")).unwrap_or_else(|_| text.replace("\\n", "\n"))
    } else {
        text
    };
    Ok(Theirs {
        message,
        length: None,
    })
}

/// The request as parsed: method, URL, headers, body.
#[derive(Debug, Default)]
struct Parsed {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Parses a request file: `#` comment lines, the request line, headers, a blank line, the body
/// (cut at `content-length` if given, else at a following `\n\n# ` section, without the file's
/// final line end).
fn parse_request(text: &str) -> Outcome<Parsed> {
    let mut lines = text.split_inclusive('\n');
    let mut parsed = Parsed::default();
    let request_line = lines
        .by_ref()
        .map(|l| l.trim_end_matches(['\r', '\n']))
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| Failure::usage("the request file has no request line"))?;
    let mut words = request_line.split_whitespace();
    parsed.method = words.next().unwrap_or_default().to_owned();
    parsed.url = words.next().unwrap_or_default().to_owned();
    for line in lines.by_ref() {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            parsed
                .headers
                .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let rest: String = lines.collect();
    let declared = parsed
        .headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    parsed.body = match declared {
        Some(length) if rest.len() >= length => rest.as_bytes()[..length].to_vec(),
        _ => {
            let body = rest.split("\n\n# ").next().unwrap_or_default();
            let body = body.strip_suffix('\n').unwrap_or(body);
            body.strip_suffix('\r').unwrap_or(body).as_bytes().to_vec()
        }
    };
    Ok(parsed)
}

/// The string payctl signs for `spec`.
fn ours(spec: &RequestSpec) -> Outcome<Vec<u8>> {
    let mut parsed = match &spec.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("cannot read --request {}: {e}", path.display())))?;
            parse_request(&text)?
        }
        None => Parsed::default(),
    };
    if let Some(method) = &spec.method {
        parsed.method = method.clone();
    }
    if let Some(url) = &spec.url {
        parsed.url = url.clone();
    }
    if let Some(body) = &spec.body {
        parsed.body = match body.strip_prefix('@') {
            Some(path) => {
                std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read --body {path}: {e}")))?
            }
            None => body.clone().into_bytes(),
        };
    }
    let header = spec.authorization.clone().or_else(|| {
        parsed
            .headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .map(|(_, v)| v.clone())
    });
    let authorization = header.as_deref().and_then(Authorization::parse);
    let timestamp = spec
        .timestamp
        .or_else(|| authorization.as_ref()?.timestamp.parse().ok())
        .ok_or_else(|| Failure::usage("no timestamp: give --timestamp or an Authorization header"))?;
    let nonce = spec
        .nonce
        .clone()
        .or_else(|| Some(authorization.as_ref()?.nonce_str.clone()))
        .ok_or_else(|| Failure::usage("no nonce: give --nonce or an Authorization header"))?;
    if parsed.method.is_empty() || parsed.url.is_empty() {
        return Err(Failure::usage(
            "no request: give --request FILE or --method and --url",
        ));
    }
    let canonical = match parsed.url.find("://") {
        Some(at) => {
            let after = &parsed.url[at + 3..];
            after.find('/').map_or("/", |slash| &after[slash..]).to_owned()
        }
        None => parsed.url.clone(),
    };
    Ok(string_to_sign(
        &parsed.method,
        &canonical,
        timestamp,
        &nonce,
        &parsed.body,
    ))
}

/// A line for people: escaped as in a JSON string, without the quotes.
fn shown(bytes: &[u8]) -> String {
    let text = serde_json::to_string(&String::from_utf8_lossy(bytes)).expect("a string serializes");
    text[1..text.len() - 1].to_owned()
}

/// The five parts of a string to sign: four lines and the body (which may hold line ends).
fn parts(message: &[u8]) -> Vec<&[u8]> {
    let mut parts: Vec<&[u8]> = message.splitn(5, |b| *b == b'\n').collect();
    if let Some(body) = parts.get_mut(4) {
        *body = body.strip_suffix(b"\n").unwrap_or(body);
    }
    parts
}

/// Runs the comparison, printing it; `Found` (exit 1) when the strings differ.
pub fn run(message: &str, spec: &RequestSpec) -> Outcome {
    let theirs = read_message(message)?;
    let ours = ours(spec)?;
    let names = ["method", "URL", "timestamp", "nonce", "body"];
    let (their_parts, our_parts) = (parts(theirs.message.as_bytes()), parts(&ours));
    println!(
        "WeChat Pay verified ({}):",
        theirs
            .length
            .map_or("length not given".to_owned(), |n| format!("{n} bytes"))
    );
    println!("  {}", shown(theirs.message.as_bytes()));
    println!("payctl computes ({} bytes):", ours.len());
    println!("  {}", shown(&ours));
    println!();
    let mut offset = 0;
    let mut first: Option<String> = None;
    for (index, name) in names.iter().enumerate() {
        let (t, o) = (
            their_parts.get(index).copied().unwrap_or_default(),
            our_parts.get(index).copied().unwrap_or_default(),
        );
        // The body WeChat Pay shows is cut short: a prefix of ours agrees as far as shown.
        let truncated_match = index == 4 && o.starts_with(t) && t.len() < o.len();
        let same = t == o || truncated_match;
        let status = if t == o {
            "same".to_owned()
        } else if truncated_match {
            format!("same as far as shown ({} of {} bytes)", t.len(), o.len())
        } else {
            "DIFFERENT".to_owned()
        };
        println!("line {} {name:<9} {status}", index + 1);
        if !same && first.is_none() {
            let at = t.iter().zip(o).take_while(|(a, b)| a == b).count();
            let byte = |s: &[u8]| {
                s.get(at).map_or("the end of the line".to_owned(), |b| {
                    format!("{:?} (0x{b:02x})", *b as char)
                })
            };
            first = Some(format!(
                "first difference: line {} ({name}), byte {} of the line (byte {} of the string): WeChat Pay has {}, payctl has {}\n  WeChat Pay: {}\n  payctl:     {}\n  {}",
                index + 1,
                at + 1,
                offset + at + 1,
                byte(t),
                byte(o),
                shown(t),
                shown(o),
                hint(index)
            ));
        }
        offset += o.len() + 1;
    }
    let length_differs = theirs.length.is_some_and(|n| n != ours.len() as u64);
    if let Some(first) = first {
        println!("\n{first}");
        return Err(Failure::new(Kind::Found, "the strings to sign differ"));
    }
    if length_differs {
        println!(
            "\nWeChat Pay verified {} bytes, payctl computes {}: the body differs after the part WeChat Pay shows.\n  {}",
            theirs.length.unwrap_or_default(),
            ours.len(),
            hint(4)
        );
        return Err(Failure::new(Kind::Found, "the strings to sign differ in length"));
    }
    println!(
        "\nThe strings agree: the signature over them is what WeChat Pay refused. Check that the private key \
         is the one of the certificate serial in Authorization (serial_no), that it is the merchant API key \
         (apiclient_key.pem) of this mchid, and that the signature is base64 of RSA-SHA256 over exactly this string."
    );
    Ok(())
}

/// What usually makes line `index` differ.
fn hint(index: usize) -> &'static str {
    match index {
        0 => "The method must be upper case and the one sent.",
        1 => {
            "Sign the path and query exactly as sent on the wire (no host; the same percent-encoding and parameter order)."
        }
        2 | 3 => "Sign with the same timestamp and nonce as the Authorization header carries.",
        _ => {
            "Sign the exact body bytes sent: serialize once, then sign and send those bytes (no re-encoding, pretty-printing or charset change); GET has an empty body."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_answer_the_detail_or_an_escaped_message() {
        let answer = r#"{"code":"SIGN_ERROR","detail":{"sign_information":{"method":"GET","sign_message_length":66,"truncated_sign_message":"GET\n/v3/certificates\n1\nN\n\n","url":"/v3/certificates"}}}"#;
        let theirs = read_message(answer).unwrap();
        assert_eq!(theirs.message, "GET\n/v3/certificates\n1\nN\n\n");
        assert_eq!(theirs.length, Some(66));
        assert_eq!(
            read_message(r"GET\n/x\n1\nN\n\n").unwrap().message,
            "GET\n/x\n1\nN\n\n"
        );
    }

    #[test]
    fn parses_a_dry_run_file() {
        let text = "# dry run\nPOST https://h/v3/x?a=1 HTTP/1.1\nauthorization: A\ncontent-length: 2\n\n{}\n\n# string to sign\nPOST\n";
        let parsed = parse_request(text).unwrap();
        assert_eq!(
            (parsed.method.as_str(), parsed.url.as_str()),
            ("POST", "https://h/v3/x?a=1")
        );
        assert_eq!(parsed.body, b"{}");
    }

    #[test]
    fn splits_the_body_whole() {
        let p = parts(b"POST\n/x\n1\nN\n{\n\"a\"\n");
        assert_eq!(p, vec![&b"POST"[..], b"/x", b"1", b"N", b"{\n\"a\""]);
    }
}
