//! `payctl call METHOD PATH`: any operation of the profile's model (WeChat Pay APIv3, or APIv2
//! with the APIv2 key; or Wonder), its input validated against the model before anything is
//! sent, the decoded answer printed as pretty JSON.
//!
//! Validation is the conformance crate's own decoding of the input into the generated typed
//! request, run first by a client with the runtime's capture ([`crate::capture`]): a refusal
//! names the member (`missing field `out_trade_no``) and nothing has left the process; a
//! request that reaches the capture is valid (once [`crate::unsent`] finds no member of the
//! input missing from it), and is what `--dry-run` prints.

use sdk_runtime::ErrorKind;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use wechatpay_typed_conformance::Outcome as Answer;

use sdk_runtime::transport::RequestCapture;

use crate::capture::Captured;
use crate::client;
use crate::config::{Profile, Provider};
use crate::exit::{Failure, Kind, Outcome, chain};
use crate::input;
use crate::route::{Api, Resolved};

/// How many times a refusal may be repaired (a text value made a number) before it stands.
const MAX_REPAIRS: usize = 16;

/// What `payctl call` was asked.
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method.
    pub method: String,
    /// The concrete path, with or without `?query`.
    pub path: String,
    /// The arguments.
    pub args: input::Args,
    /// Where a file download goes (`None`: standard output).
    pub out: Option<std::path::PathBuf>,
}

/// The operation of `provider`'s model for `request`, and the path without its query (kept in
/// `args`).
pub fn resolve(provider: Provider, request: &mut Request) -> Outcome<Resolved> {
    if let Some((path, query)) = request.path.clone().split_once('?') {
        request.path = path.to_owned();
        request.args.path_query = Some(query.to_owned());
    }
    crate::route::resolve(provider, &request.method, &request.path)
}

/// Which client a validation pass uses.
pub enum Validator<'a> {
    /// APIv3.
    V3(&'a sdk_runtime::wechatpay::Client),
    /// APIv2.
    V2(&'a sdk_runtime::wechatpay::v2::Client),
    /// Wonder.
    Wonder(&'a sdk_runtime::wonder::Client),
}

/// Runs the generated call of `id` with `input` against the capture until it arrives there
/// (repairing text values the model wants as numbers); returns the request as it arrived.
///
/// # Errors
/// A usage failure (exit 2) naming the operation and the member when the input does not fit;
/// any other failure of the runtime as it is.
pub async fn validate(
    validator: Validator<'_>,
    capture: &RequestCapture,
    id: &str,
    input: &mut Value,
) -> Outcome<Captured> {
    for _ in 0..MAX_REPAIRS {
        let result = match validator {
            Validator::V3(client) => wechatpay_typed_conformance::call(client, id, input).await,
            Validator::V2(client) => wechatpay_typed_conformance::call_xml(client, id, input).await,
            Validator::Wonder(client) => wonder_typed_conformance::call(client, id, input)
                .await
                .map(|_| Answer::Json(Value::Null)),
        };
        let error = match result {
            Ok(_) => {
                return Err(Failure::usage("the capture answered 2xx: nothing to compare"));
            }
            Err(error) => error,
        };
        // The client has no network: an API error is the capture's answer, once it recorded the
        // request.
        if error.kind() == ErrorKind::Api
            && let Some(captured) = capture.requests().pop()
        {
            crate::unsent::check(id, input, &captured)?;
            return Ok(captured);
        }
        let message = chain(&error);
        if error.kind() == ErrorKind::Build && input::repair(input, &message) {
            continue;
        }
        return Err(Failure::new(
            Kind::of(error.kind()),
            format!("the input does not fit the model (nothing was sent): {message}"),
        ));
    }
    Err(Failure::usage(format!(
        "{id}: the input could not be made to fit the model"
    )))
}

/// `payctl call`: validate, then (unless `dry_run` prints instead) call and print.
pub async fn run(profile: &Profile, mut request: Request, dry_run: Option<crate::dry_run::Fixed>) -> Outcome {
    let (resolved, input, captured) = prepare(profile, &mut request).await?;
    if let Some(fixed) = dry_run {
        return crate::dry_run::print(profile, &resolved, &captured, &fixed);
    }
    let answer = send(profile, &resolved, &input).await?;
    print_answer(answer, request.out.as_deref()).await
}

/// Resolves `request` to the model's operation and validates its input with a capturing client
/// (nothing leaves the process): the operation, its input (repaired) and the request as the
/// runtime made it.
///
/// # Errors
/// A usage failure (exit 2) for an unknown operation or input that does not fit the model.
pub async fn prepare(profile: &Profile, request: &mut Request) -> Outcome<(Resolved, Value, Captured)> {
    let resolved = resolve(profile.provider(), request)?;
    let mut input = input::build(&resolved.params, &request.args)?;
    let capture = crate::capture::start();
    let captured = match resolved.api {
        Api::V3 => {
            let validator = client::wechatpay_capture(profile, &capture)?;
            validate(Validator::V3(&validator), &capture, resolved.id, &mut input).await?
        }
        Api::V2 => {
            let validator = client::wechatpay_v2(profile, Some(&capture))?;
            validate(Validator::V2(&validator), &capture, resolved.id, &mut input).await?
        }
        Api::Wonder => {
            let validator = client::wonder(profile, Some(&capture))?;
            validate(Validator::Wonder(&validator), &capture, resolved.id, &mut input).await?
        }
    };
    Ok((resolved, input, captured))
}

/// Sends a call [`prepare`] validated with the profile's real client; its answer.
///
/// # Errors
/// The runtime's failure, by kind (API error, signature, transport, …).
pub async fn send(profile: &Profile, resolved: &Resolved, input: &Value) -> Outcome<Answer> {
    let answer = match resolved.api {
        Api::V3 => {
            let client = client::wechatpay(profile)?;
            wechatpay_typed_conformance::call(&client, resolved.id, input).await
        }
        Api::V2 => {
            let client = client::wechatpay_v2(profile, None)?;
            wechatpay_typed_conformance::call_xml(&client, resolved.id, input).await
        }
        Api::Wonder => {
            let client = client::wonder(profile, None)?;
            wonder_typed_conformance::call(&client, resolved.id, input)
                .await
                .map(|wonder_typed_conformance::Outcome::Json(value)| Answer::Json(value))
        }
    };
    answer.map_err(|e| Failure::runtime(resolved.id, &e))
}

/// Prints a JSON answer pretty; writes a download to `out` (or standard output).
pub async fn print_answer(answer: Answer, out: Option<&std::path::Path>) -> Outcome {
    match answer {
        Answer::Json(value) => {
            let text = serde_json::to_string_pretty(&value).expect("a JSON value serializes");
            println!("{text}");
            Ok(())
        }
        Answer::Download(download) => {
            let written = match out {
                Some(path) => {
                    let mut file = tokio::fs::File::create(path)
                        .await
                        .map_err(|e| Failure::io(format!("creating {}", path.display()), e))?;
                    download.write_to(&mut file).await
                }
                None => download.write_to(&mut tokio::io::stdout()).await,
            };
            let written = written.map_err(|e| Failure::runtime("downloading", &e))?;
            eprintln!("payctl: {written} bytes downloaded");
            Ok(())
        }
        Answer::Bytes(bytes) => {
            match out {
                Some(path) => std::fs::write(path, &bytes)
                    .map_err(|e| Failure::io(format!("writing {}", path.display()), e))?,
                None => {
                    let mut stdout = tokio::io::stdout();
                    stdout
                        .write_all(&bytes)
                        .await
                        .map_err(|e| Failure::io("writing the answer", e))?;
                    stdout
                        .flush()
                        .await
                        .map_err(|e| Failure::io("writing the answer", e))?;
                }
            }
            eprintln!("payctl: {} bytes downloaded", bytes.len());
            Ok(())
        }
    }
}
