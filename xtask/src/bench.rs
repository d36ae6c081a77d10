//! `cargo xtask bench`: runs the benchmarks (`tests/benches/calls.rs` and
//! `tests/benches/codegen.rs`, criterion, release build) and prints, from criterion's estimates
//! of this run, each figure for WeChat Pay and Wonder side by side, and the ratios: a call over
//! signing, 8 calls in flight over one at a time (throughput), a new client's first call over a
//! steady call (latency).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// Calls in flight at once in the `call_c8` group (`tests/benches/calls.rs`).
const IN_FLIGHT: f64 = 8.0;

/// The rows of the table: criterion group and what it measures.
const ROWS: &[(&str, &str)] = &[
    ("sign", "sign a request"),
    ("first_sign", "sign, key just parsed"),
    ("verify", "verify a response signature"),
    ("first_verify", "verify, key just parsed"),
    ("webhook", "webhook verify (+ decrypt)"),
    ("call", "call, concurrency 1 (latency)"),
    ("call_c8", "call, concurrency 8 (per 8)"),
    ("first_call", "first call of a new client"),
    ("codegen", "import + codegen"),
];

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    /// The time per iteration fitted over the samples (linear sampling only): the figure
    /// criterion prints first.
    #[serde(default)]
    slope: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    /// Nanoseconds.
    point_estimate: f64,
}

/// Criterion's estimates of this run, under `target/criterion`.
struct Results {
    dir: PathBuf,
}

impl Results {
    /// The time (ns) of one iteration of `group/name`, if it ran: criterion's slope estimate,
    /// or its mean where it has no slope (flat sampling).
    fn mean(&self, group: &str, name: &str) -> Option<f64> {
        let path = self.dir.join(group).join(name).join("new").join("estimates.json");
        let text = std::fs::read_to_string(path).ok()?;
        let estimates: Estimates = serde_json::from_str(&text).ok()?;
        Some(estimates.slope.unwrap_or(estimates.mean).point_estimate)
    }
}

/// Runs the benchmarks (criterion arguments, e.g. a filter, pass through) and prints the table.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the benchmarks (release) and running them; this takes a few minutes…");
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["bench", "--package", "wechatpay-mock"])
        .args(["--bench", "calls", "--bench", "codegen", "--"])
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
    print!("{}", report(&Results { dir }));
    Ok(())
}

/// The table and the ratios.
fn report(results: &Results) -> String {
    let mut out = format!(
        "\n{:<32} {:>12} {:>12} {:>16}\n",
        "time of", "wechatpay", "wonder", "wonder/wechatpay"
    );
    for (group, what) in ROWS {
        let (wechat, wonder) = (results.mean(group, "wechatpay"), results.mean(group, "wonder"));
        if wechat.is_none() && wonder.is_none() {
            continue;
        }
        let ratio = match (wechat, wonder) {
            (Some(a), Some(b)) => format!("{:.2}x", b / a),
            _ => "—".to_owned(),
        };
        out += &format!(
            "{what:<32} {:>12} {:>12} {ratio:>16}\n",
            duration(wechat),
            duration(wonder)
        );
    }
    out += "(webhook: WeChat Pay verified and its resource decrypted; Wonder verified, not encrypted.\n \
            verify: WeChat Pay signs responses, Wonder does not. call: stop a plan against the mock over\n \
            HTTP on 127.0.0.1, client and mock in one process; concurrency 8: 8 calls in flight on one\n \
            client, time per batch of 8.)\n\nratios\n";
    for api in ["wechatpay", "wonder"] {
        let mean = |group: &str| results.mean(group, api);
        let call_over_sign = ratio(mean("call"), mean("sign"));
        // Throughput: 8 calls per batch against 1 call per iteration.
        let c8_over_c1 = match (mean("call"), mean("call_c8")) {
            (Some(c1), Some(c8)) => Some(IN_FLIGHT * c1 / c8),
            _ => None,
        };
        let first_over_steady = ratio(mean("first_call"), mean("call"));
        out += &format!(
            "  {api:<10} call/sign {}   c8/c1 throughput {}   first/steady latency {}\n",
            times(call_over_sign),
            times(c8_over_c1),
            times(first_over_steady),
        );
    }
    out += "  call/sign: a call's latency at concurrency 1 over signing one request.\n  \
            c8/c1: calls per second with 8 in flight on one client over calls per second one at a time.\n  \
            first/steady: the first call of a client just built (not timing the build) over a steady call.\n";
    let first_use = |group: &str, steady: &str| {
        Some(results.mean(group, "wechatpay")? - results.mean(steady, "wechatpay")?)
    };
    if let (Some(sign), Some(verify)) = (
        first_use("first_sign", "sign"),
        first_use("first_verify", "verify"),
    ) {
        out += &format!(
            "\nkeys' first use: a private key's first signature costs {} more than the next ones (a\n\
             client's build() now makes it, and seeds the RNG, so its first call does not); a public\n\
             key's first verification {} more.\n",
            duration(Some(sign)),
            duration(Some(verify)),
        );
    }
    if let (Some(first), Some(steady)) = (results.mean("first_call", "http"), results.mean("call", "http")) {
        out += &format!(
            "\nfirst call vs steady state: a plain HTTP GET of the mock's admin route takes {} on a new\n\
             reqwest client and {} on a warm one: {} is opening the connection, which no client\n\
             can do before its first call. The rest of a first call's extra time is the SDK's.\n",
            duration(Some(first)),
            duration(Some(steady)),
            duration(Some(first - steady)),
        );
        for api in ["wechatpay", "wonder"] {
            if let (Some(f), Some(s)) = (results.mean("first_call", api), results.mean("call", api)) {
                let beyond = f - s - (first - steady);
                let beyond = if beyond > 0.0 {
                    format!("{} of it beyond opening the connection", duration(Some(beyond)))
                } else {
                    "less than opening the connection takes: no one-time set-up left".to_owned()
                };
                out += &format!(
                    "  {api:<10} first call {} vs steady {}: {} more, {beyond}\n",
                    duration(Some(f)),
                    duration(Some(s)),
                    duration(Some(f - s)),
                );
            }
        }
    }
    out
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
}

fn times(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}x"))
}

/// `ns` in µs or ms, or `—`.
fn duration(ns: Option<f64>) -> String {
    match ns {
        None => "—".to_owned(),
        Some(ns) if ns.abs() >= 1e9 => format!("{:.2} s", ns / 1e9),
        Some(ns) if ns.abs() >= 1e6 => format!("{:.1} ms", ns / 1e6),
        Some(ns) => format!("{:.1} µs", ns / 1e3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, group: &str, name: &str, mean_ns: f64) {
        let path = dir.join(group).join(name).join("new");
        std::fs::create_dir_all(&path).unwrap();
        let json =
            format!(r#"{{"mean":{{"point_estimate":{mean_ns}}},"median":{{"point_estimate":{mean_ns}}}}}"#);
        std::fs::write(path.join("estimates.json"), json).unwrap();
    }

    #[test]
    fn the_report_prints_each_figure_and_the_ratios() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        write(&dir, "sign", "wechatpay", 1_000_000.0);
        write(&dir, "call", "wechatpay", 2_000_000.0);
        write(&dir, "call_c8", "wechatpay", 4_000_000.0);
        write(&dir, "first_call", "wechatpay", 2_500_000.0);
        write(&dir, "first_call", "http", 300_000.0);
        write(&dir, "call", "http", 100_000.0);
        write(&dir, "codegen", "wonder", 20_000_000.0);
        write(&dir, "codegen", "wechatpay", 1_500_000_000.0);
        write(&dir, "first_call", "wonder", 1_000_000.0);
        write(&dir, "call", "wonder", 900_000.0);
        let text = report(&Results { dir: dir.clone() });
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(text.contains("sign a request"), "{text}");
        assert!(text.contains("1.0 ms"), "{text}");
        assert!(text.contains("call/sign 2.00x"), "{text}");
        // 8 calls in 4 ms against 1 call in 2 ms: 4 times the throughput.
        assert!(text.contains("c8/c1 throughput 4.00x"), "{text}");
        assert!(text.contains("first/steady latency 1.25x"), "{text}");
        assert!(text.contains("500.0 µs more"), "{text}");
        assert!(text.contains("import + codegen"), "{text}");
        assert!(text.contains("1.50 s"), "{text}");
        assert!(text.contains("100.0 µs more, less than opening"), "{text}");
        assert!(
            text.contains("300.0 µs of it beyond opening the connection"),
            "{text}"
        );
        assert!(!text.contains("verify a response"), "{text}");
    }
}
