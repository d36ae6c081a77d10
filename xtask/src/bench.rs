//! `cargo xtask bench`: runs the benchmarks (`tests/benches/calls.rs`, criterion) and prints,
//! from criterion's estimates, each Wonder measurement against its WeChat Pay twin of the same
//! run: the time per call and the ratio.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// The benchmark groups whose `wonder` and `wechatpay` members are compared.
const GROUPS: &[&str] = &["call", "sign"];

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    median: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    /// Nanoseconds.
    point_estimate: f64,
}

/// Runs the benchmarks (criterion arguments, e.g. a filter, pass through) and prints the table.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["bench", "--package", "wechatpay-mock", "--bench", "calls", "--"])
        .args(args)
        .status()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the benchmarks failed: {status}"));
    }
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("criterion");
    println!(
        "\n{:<6} {:>16} {:>16} {:>8}",
        "group", "wechatpay", "wonder", "ratio"
    );
    for group in GROUPS {
        let (Ok(wechat), Ok(wonder)) = (read(&dir, group, "wechatpay"), read(&dir, group, "wonder")) else {
            continue;
        };
        println!(
            "{group:<6} {:>13.1} µs {:>13.1} µs {:>7.2}x   (mean; medians {:.1} µs and {:.1} µs)",
            wechat.mean.point_estimate / 1e3,
            wonder.mean.point_estimate / 1e3,
            wonder.mean.point_estimate / wechat.mean.point_estimate,
            wechat.median.point_estimate / 1e3,
            wonder.median.point_estimate / 1e3,
        );
    }
    println!("ratio: Wonder's time over WeChat Pay's, both measured in this run");
    Ok(())
}

fn read(dir: &Path, group: &str, name: &str) -> Result<Estimates, String> {
    let path = dir.join(group).join(name).join("new").join("estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
