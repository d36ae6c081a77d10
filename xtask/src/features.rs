//! `cargo xtask check-features`: the generated crate builds with each product feature alone.
//!
//! Each product module is self-contained by construction; this proves it, and reports how long
//! `cargo check` takes per product (the crate's own compile time, dependencies already built).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Runs `cargo check -p wechatpay-typed --features F` for every feature `F` of the generated
/// WeChat Pay crate (`full` excluded), printing the wall time of each.
pub fn run(root: &Path, only: &[String]) -> Result<(), String> {
    let settings = codegen::emit::Settings::wechatpay();
    let package = settings.crate_name.as_str();
    let manifest = root
        .join("generated")
        .join(&settings.directory)
        .join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let features: Vec<String> = text
        .split("[features]")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(name, _)| name.trim().to_owned()))
        .filter(|f| f != "default" && f != "full")
        .filter(|f| only.is_empty() || only.contains(f))
        .collect();
    if features.is_empty() {
        return Err("no product feature to check".to_owned());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut failed = Vec::new();
    let started = Instant::now();
    for feature in &features {
        let start = Instant::now();
        let status = Command::new(&cargo)
            .current_dir(root)
            .args(["check", "--quiet", "--package", package, "--features", feature])
            .status()
            .map_err(|e| format!("cannot start cargo: {e}"))?;
        println!(
            "{feature:<28} {:>6.1} s {}",
            start.elapsed().as_secs_f64(),
            if status.success() { "ok" } else { "FAILED" }
        );
        if !status.success() {
            failed.push(feature.clone());
        }
    }
    println!(
        "{} features checked in {:.1} s",
        features.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("`{package}` does not build with: {}", failed.join(", ")))
    }
}
