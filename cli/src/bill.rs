//! `payctl bill download` and `payctl bill parse` (in [`parse`]).
//!
//! `bill download` applies for a bill (`GET /v3/bill/tradebill` or `GET /v3/bill/fundflowbill`)
//! through the same path as `payctl call`: the input is validated against the model by the
//! conformance crate (captured first, nothing sent if it does not fit), then sent with the
//! profile's client and its answer verified. The answer's `download_url` is then streamed with
//! `Client::download_url`, decompressed on the fly with `--gzip` (which asks for
//! `tar_type=GZIP`), its SHA-1 checked against the answer's `hash_value`, into a temporary file
//! next to `--out`; the file is renamed to `--out` only once the download ended `Ok`. A failed
//! download (a hash that differs: exit 7) removes the temporary file and leaves no bill behind.

mod apiv2;
pub mod parse;
mod record;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sdk_runtime::wechatpay::Download;
use serde_json::Value;
use tokio::io::AsyncWriteExt as _;
use wechatpay_typed_conformance::Outcome as Answer;

use crate::call;
use crate::cli::{BillDownloadArgs, BillKind};
use crate::config::Profile;
use crate::exit::{Failure, Kind, Outcome};
use crate::input;

/// How often the progress line on a terminal is redrawn.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Runs `bill download`.
pub async fn download(profile: &Profile, args: &BillDownloadArgs) -> Outcome {
    check_date(&args.date)?;
    if args.kind == BillKind::Trade && args.account_type.is_some() {
        return Err(Failure::usage(
            "--account-type is for --kind fund-flow (a trade bill takes --bill-type)",
        ));
    }
    if args.kind == BillKind::FundFlow && args.bill_type.is_some() {
        return Err(Failure::usage(
            "--bill-type is for --kind trade (a fund-flow bill takes --account-type)",
        ));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.csv", args.kind.name(), args.date)));
    if args.apiv2 {
        return apiv2::download(profile, args, &out).await;
    }
    if args.appid.is_some() {
        return Err(Failure::usage(
            "--appid is for --apiv2 (APIv3 bills are the merchant's)",
        ));
    }
    let (path, mut query) = match args.kind {
        BillKind::Trade => {
            let mut query = vec![format!("bill_date={}", args.date)];
            query.extend(args.bill_type.iter().map(|t| format!("bill_type={t}")));
            ("/v3/bill/tradebill", query)
        }
        BillKind::FundFlow => {
            let mut query = vec![format!("bill_date={}", args.date)];
            query.extend(args.account_type.iter().map(|t| format!("account_type={t}")));
            ("/v3/bill/fundflowbill", query)
        }
    };
    if args.gzip {
        query.push("tar_type=GZIP".to_owned());
    }

    let mut request = call::Request {
        method: "GET".to_owned(),
        path: path.to_owned(),
        args: input::Args {
            query,
            ..input::Args::default()
        },
        out: None,
    };
    let (resolved, input, _) = call::prepare(profile, &mut request).await?;
    eprintln!(
        "payctl: applying for the {} bill of {} ({})",
        args.kind.name(),
        args.date,
        resolved.id
    );
    let value = match call::send(profile, &resolved, &input).await? {
        Answer::Json(value) => value,
        _ => return Err(decode("the bill-apply answer is not JSON")),
    };
    let member = |name: &str| value.get(name).and_then(Value::as_str);
    let url = member("download_url").ok_or_else(|| decode("the bill-apply answer has no download_url"))?;
    let hash_type = member("hash_type").unwrap_or("SHA1");
    let hash_value = member("hash_value").ok_or_else(|| decode("the bill-apply answer has no hash_value"))?;

    let client = crate::client::wechatpay(profile)?;
    let mut download = client
        .download_url(url)
        .await
        .map_err(|e| Failure::runtime("downloading the bill", &e))?;
    if args.gzip {
        download = download.gunzip();
    }
    let download = download
        .verify_hash(hash_type, hash_value)
        .map_err(|e| Failure::runtime("the bill's hash", &e))?;
    let bytes = save(download, &out).await?;
    eprintln!(
        "payctl: {bytes} bytes downloaded{}, {hash_type} checked; saved to {}",
        if args.gzip { " (gunzipped)" } else { "" },
        out.display()
    );
    Ok(())
}

/// A decode failure (exit 6).
fn decode(message: &str) -> Failure {
    Failure::new(Kind::Decode, message)
}

/// Refuses a date that is not `YYYY-MM-DD` (a real day).
fn check_date(date: &str) -> Outcome {
    let parts: Vec<&str> = date.split('-').collect();
    let fits = matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
            && date.bytes().all(|b| b == b'-' || b.is_ascii_digit()));
    let real = fits
        && time::Month::try_from(parts[1].parse::<u8>().unwrap_or(0))
            .ok()
            .and_then(|month| {
                let year = parts[0].parse().ok()?;
                time::Date::from_calendar_date(year, month, parts[2].parse().ok()?).ok()
            })
            .is_some();
    if real {
        Ok(())
    } else {
        Err(Failure::usage(format!("--date `{date}`: write YYYY-MM-DD")))
    }
}

/// The temporary file next to `out` the download is written to.
fn part_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bill".to_owned());
    out.with_file_name(format!(".{name}.payctl-{}.part", std::process::id()))
}

/// Streams `download` into a temporary file, renamed to `out` once it ended `Ok` (the hash is
/// checked by the last read); on any failure the temporary file is removed. The bytes written.
async fn save(mut download: Download, out: &Path) -> Outcome<u64> {
    let part = part_path(out);
    let mut file = tokio::fs::File::create(&part)
        .await
        .map_err(|e| Failure::io(format!("creating {}", part.display()), e))?;
    let written = stream(&mut download, &mut file, &part).await;
    let result = match written {
        Ok(bytes) => match file.sync_all().await {
            Ok(()) => Ok(bytes),
            Err(e) => Err(Failure::io(format!("writing {}", part.display()), e)),
        },
        Err(failure) => Err(failure),
    };
    drop(file);
    commit(&part, out, result).await
}

/// Renames the temporary file `part` to `out` once `written` (the bytes written to it, or why it
/// is incomplete) is `Ok`; removes `part` on any failure, so no partial bill is left behind.
async fn commit(part: &Path, out: &Path, written: Outcome<u64>) -> Outcome<u64> {
    let renamed = match written {
        Ok(bytes) => tokio::fs::rename(part, out)
            .await
            .map(|()| bytes)
            .map_err(|e| Failure::io(format!("renaming {} to {}", part.display(), out.display()), e)),
        Err(failure) => Err(failure),
    };
    if renamed.is_err() {
        let _ = tokio::fs::remove_file(part).await;
    }
    renamed
}

/// Copies the chunks of `download` to `file`, with a progress line on a terminal's stderr.
async fn stream(download: &mut Download, file: &mut tokio::fs::File, part: &Path) -> Outcome<u64> {
    let terminal = std::io::stderr().is_terminal();
    let mut bytes = 0u64;
    let mut shown = Instant::now();
    loop {
        let chunk = download.chunk().await;
        let chunk = match chunk {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                if terminal {
                    eprintln!();
                }
                return Err(Failure::runtime(
                    format!("downloading the bill ({bytes} bytes received; no file written)"),
                    &e,
                ));
            }
        };
        file.write_all(&chunk)
            .await
            .map_err(|e| Failure::io(format!("writing {}", part.display()), e))?;
        bytes += chunk.len() as u64;
        if terminal && shown.elapsed() >= PROGRESS_EVERY {
            eprint!("\rpayctl: {bytes} bytes…");
            shown = Instant::now();
        }
    }
    if terminal {
        eprint!("\r\x1b[2K");
    }
    file.flush()
        .await
        .map_err(|e| Failure::io(format!("writing {}", part.display()), e))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert!(check_date("2024-11-20").is_ok());
        assert!(check_date("2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2024-1-20",
            "20241120",
            "2024-13-01",
            "2024-11-2x",
            "",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_part_file_is_hidden_next_to_the_output() {
        let part = part_path(Path::new("dir/trade-2024-11-20.csv"));
        assert_eq!(part.parent(), Some(Path::new("dir")));
        assert!(
            part.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".trade-2024-11-20.csv.payctl-")
        );
    }
}
