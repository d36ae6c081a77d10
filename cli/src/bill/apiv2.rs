//! `payctl bill download --apiv2`: the APIv2 bill downloads, `POST /pay/downloadbill` (trade
//! bill) and `POST /pay/downloadfundflow` (fund-flow bill, mutual TLS, HMAC-SHA256), through the
//! same validated path as `payctl call`. APIv2 answers the file itself (no hash to check): it is
//! written to a temporary file next to `--out`, decompressed on the way with `--gzip`
//! (`tar_type=GZIP`) within the runtime's gzip ratio limit, and renamed only once whole.

use std::io::{Read as _, Write as _};
use std::path::Path;

use sdk_runtime::transport::{DEFAULT_MAX_GZIP_RATIO, GZIP_RATIO_GRACE_BYTES};
use serde_json::{Value, json};
use wechatpay_typed_conformance::Outcome as Answer;

use super::{commit, part_path};
use crate::call;
use crate::cli::{BillDownloadArgs, BillKind};
use crate::config::Profile;
use crate::exit::{Failure, Kind, Outcome};
use crate::input;

/// The APIv2 body of the bill `args` asks for: `(path, members)`.
fn request(profile: &Profile, args: &BillDownloadArgs) -> Outcome<(&'static str, Value)> {
    let appid = args
        .appid
        .as_deref()
        .ok_or_else(|| Failure::usage("--apiv2 needs --appid (the appid the bill is for)"))?;
    let mch_id = profile.require(&profile.mchid, "mchid")?;
    let mut body = json!({
        "appid": appid,
        "mch_id": mch_id,
        "bill_date": args.date.replace('-', ""),
    });
    let path = match args.kind {
        BillKind::Trade => {
            if let Some(bill_type) = &args.bill_type {
                body["bill_type"] = json!(bill_type);
            }
            "/pay/downloadbill"
        }
        BillKind::FundFlow => {
            // APIv2 spells the account types `Basic`, `Operation`, `Fees`, and signs this one
            // with HMAC-SHA256 only.
            let account_type = match args.account_type.as_deref().unwrap_or("BASIC") {
                "OPERATION" => "Operation",
                "FEES" => "Fees",
                _ => "Basic",
            };
            body["account_type"] = json!(account_type);
            body["sign_type"] = json!("HMAC-SHA256");
            "/pay/downloadfundflow"
        }
    };
    if args.gzip {
        body["tar_type"] = json!("GZIP");
    }
    Ok((path, body))
}

/// Runs `bill download --apiv2`, writing the bill to `out`.
pub async fn download(profile: &Profile, args: &BillDownloadArgs, out: &Path) -> Outcome {
    let (path, body) = request(profile, args)?;
    let mut request = call::Request {
        method: "POST".to_owned(),
        path: path.to_owned(),
        args: input::Args {
            data: Some(body.to_string()),
            ..input::Args::default()
        },
        out: None,
    };
    let (resolved, input, _) = call::prepare(profile, &mut request).await?;
    eprintln!(
        "payctl: downloading the {} bill of {} ({}, APIv2)",
        args.kind.name(),
        args.date,
        resolved.id
    );
    let bytes = match call::send(profile, &resolved, &input).await? {
        Answer::Bytes(bytes) => bytes,
        _ => return Err(Failure::new(Kind::Decode, "the APIv2 bill answer is not a file")),
    };
    let part = part_path(out);
    let written = commit(&part, out, write(&bytes, args.gzip, &part)).await?;
    eprintln!(
        "payctl: {} bytes received, {written} bytes written{}; saved to {}",
        bytes.len(),
        if args.gzip { " (gunzipped)" } else { "" },
        out.display()
    );
    Ok(())
}

/// Writes `bytes` (gunzipped when `gzip`) to `part`; the bytes written.
///
/// # Errors
/// I/O (exit 8); a stream that is not gzip (exit 6); one expanding past the ratio limit (exit 9).
fn write(bytes: &[u8], gzip: bool, part: &Path) -> Outcome<u64> {
    let io = |e| Failure::io(format!("writing {}", part.display()), e);
    let mut file = std::fs::File::create(part).map_err(io)?;
    let written = if gzip {
        let limit = (bytes.len() as u64)
            .saturating_mul(DEFAULT_MAX_GZIP_RATIO)
            .max(GZIP_RATIO_GRACE_BYTES);
        let mut decoder = flate2::read::GzDecoder::new(bytes).take(limit + 1);
        let copied = std::io::copy(&mut decoder, &mut file)
            .map_err(|e| Failure::new(Kind::Decode, format!("the APIv2 bill is not valid gzip: {e}")))?;
        if copied > limit {
            return Err(Failure::new(
                Kind::TooLarge,
                format!(
                    "the APIv2 bill expands past {DEFAULT_MAX_GZIP_RATIO} times its {} compressed bytes",
                    bytes.len()
                ),
            ));
        }
        copied
    } else {
        file.write_all(bytes).map_err(io)?;
        bytes.len() as u64
    };
    file.sync_all().map_err(io)?;
    Ok(written)
}
