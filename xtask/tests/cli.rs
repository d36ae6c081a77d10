//! The driver on a scratch workspace: import is all-or-nothing and idempotent and prints the
//! changelog; `codegen --check` names every stale file and writes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOOD: &str = r#"---
title: Stop a widget
---

```js twoslash
// @filename: virtual.ts
namespace WeChatPay.OpenAPI.V3.Demo.Widgets._widget_id_.Stop.PostHttpMethod {
  export interface JsonDataRequest {
    reason: string
  }
  export interface RequestConfig extends AxiosRequestConfig {
    data?: JsonDataRequest
    widget_id: string
  }
  export interface WellformedResponse {
    widget_id: string
  }
}
```
"#;

/// A scratch workspace with a docs checkout holding `pages` (path under `openapi/v3` → text).
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str, pages: &[(&str, &str)]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("xtask-cli-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in pages {
            let file = dir.join("docs/openapi/v3").join(path);
            fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            fs::write(file, text).expect("write page");
        }
        fs::create_dir_all(dir.join("ws")).expect("mkdir ws");
        Scratch { dir }
    }

    fn page(&self, path: &str, text: &str) {
        fs::write(self.dir.join("docs/openapi/v3").join(path), text).expect("write page");
    }

    fn ws(&self) -> PathBuf {
        self.dir.join("ws")
    }

    /// Runs xtask on the WeChat Pay API of the scratch workspace (it holds no other spec).
    fn xtask(&self, args: &[&str]) -> Output {
        let docs = self.dir.join("docs");
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("--root")
            .arg(self.ws())
            .args(args)
            .args(["--api", "wechatpay", "--from"])
            .arg(&docs)
            .output()
            .expect("xtask runs")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_page_that_fails_names_file_line_and_column_and_nothing_is_written() {
    let broken = GOOD.replace("reason: string", "reason string");
    let scratch = Scratch::new("broken", &[("demo/good.md", GOOD), ("demo/broken.md", &broken)]);
    let out = scratch.xtask(&["import"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("openapi/v3/demo/broken.md:9:12: error:"),
        "{stderr}"
    );
    assert!(stderr.contains("1 of 2 pages failed"), "{stderr}");
    assert!(files_under(&scratch.ws()).is_empty(), "nothing written");
}

#[test]
fn import_is_idempotent_and_reports_the_changelog() {
    let scratch = Scratch::new("import", &[("demo/widgets/{widget_id}/stop.md", GOOD)]);
    let out = scratch.xtask(&["import"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("imported 1 pages: 1 operations"), "{stdout}");
    assert!(
        stdout.contains("+ POST /v3/demo/widgets/{widget_id}/stop\n"),
        "{stdout}"
    );
    let spec = scratch
        .ws()
        .join("specs/wechatpay/v3/demo/widgets/{widget_id}/stop.yaml");
    let first = fs::read_to_string(&spec).expect("spec written");
    assert!(
        first.contains("path: /v3/demo/widgets/{widget_id}/stop\n"),
        "{first}"
    );

    let again = scratch.xtask(&["import"]);
    let stdout = text(&again.stdout);
    assert!(stdout.contains("0 files written, 0 removed"), "{stdout}");
    assert!(
        stdout.contains("no operation or field added, removed or changed"),
        "{stdout}"
    );
    assert_eq!(fs::read_to_string(&spec).expect("spec"), first);

    scratch.page(
        "demo/widgets/{widget_id}/stop.md",
        &GOOD.replace(
            "    widget_id: string\n  }\n}",
            "    widget_id: string\n    stopped_at: string | Date\n  }\n}",
        ),
    );
    let changed = scratch.xtask(&["import"]);
    let stdout = text(&changed.stdout);
    assert!(
        stdout.contains("~ POST /v3/demo/widgets/{widget_id}/stop\n    + response.stopped_at (date-time)\n"),
        "{stdout}"
    );
    scratch.page(
        "demo/widgets/{widget_id}/stop.md",
        &GOOD.replace("reason: string", "reason: 'DONE' | 'CANCELLED'"),
    );
    let changed = scratch.xtask(&["import"]);
    let stdout = text(&changed.stdout);
    assert!(
        stdout.contains("    ~ request.reason: string → enum [DONE, CANCELLED] [breaking]\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    - response.stopped_at [breaking]\n"),
        "{stdout}"
    );
}

#[test]
fn codegen_check_names_every_stale_file_and_writes_nothing() {
    let scratch = Scratch::new("check", &[("demo/widgets/{widget_id}/stop.md", GOOD)]);
    assert!(scratch.xtask(&["import"]).status.success());
    let out = scratch.xtask(&["codegen"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ok = scratch.xtask(&["codegen", "--check"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    let product = scratch.ws().join("generated/wechatpay/src/v3/demo.rs");
    fs::write(&product, "// edited by hand\n").expect("edit");
    let extra = scratch.ws().join("generated/wechatpay/src/v3/extra.rs");
    fs::write(&extra, "// not generated\n").expect("extra");
    scratch.page(
        "demo/widgets/{widget_id}/stop.md",
        &GOOD.replace("reason: string", "reason?: string"),
    );

    let stale = scratch.xtask(&["codegen", "--check"]);
    assert!(!stale.status.success());
    let stderr = text(&stale.stderr);
    assert!(
        stderr.contains("stale: generated/wechatpay/src/v3/demo.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stale: generated/wechatpay/src/v3/extra.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stale: specs/wechatpay/v3/demo/widgets/{widget_id}/stop.yaml"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&product).expect("kept"), "// edited by hand\n");
    assert!(extra.exists());
}

#[test]
fn codegen_writes_the_conformance_crate_and_check_fails_when_it_is_stale_or_missing() {
    let scratch = Scratch::new("conformance", &[("demo/widgets/{widget_id}/stop.md", GOOD)]);
    assert!(scratch.xtask(&["import"]).status.success());
    let out = scratch.xtask(&["codegen"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("generated generated/wechatpay-conformance: 1 operations"),
        "{stdout}"
    );
    let dir = scratch.ws().join("generated/wechatpay-conformance");
    let lib = fs::read_to_string(dir.join("src/lib.rs")).expect("lib.rs written");
    assert!(
        lib.contains("\"POST /v3/demo/widgets/{widget_id}/stop\" => {")
            && lib.contains("v3::demo::post_widgets_by_widget_id_stop(client, input)"),
        "{lib}"
    );
    assert!(dir.join("Cargo.toml").exists());
    assert!(dir.join("src/support.rs").exists());
    assert!(dir.join("src/v3/demo.rs").exists());
    assert!(dir.join("tests/call/cases.rs").exists());

    // Missing, edited by hand, or not written by codegen: each is named.
    fs::remove_file(dir.join("Cargo.toml")).expect("remove");
    fs::write(dir.join("src/support.rs"), "// edited by hand\n").expect("edit");
    fs::write(dir.join("src/v3/old.rs"), "// an operation that is gone\n").expect("extra");
    let stale = scratch.xtask(&["codegen", "--check"]);
    assert!(!stale.status.success());
    let stderr = text(&stale.stderr);
    for (file, why) in [
        ("Cargo.toml", "missing"),
        ("src/support.rs", "differs from `cargo xtask codegen`"),
        ("src/v3/old.rs", "not written by `cargo xtask codegen`"),
    ] {
        assert!(
            stderr.contains(&format!("stale: generated/wechatpay-conformance/{file} ({why})")),
            "{file}: {stderr}"
        );
    }
    assert!(stderr.contains("3 stale files"), "{stderr}");

    // `codegen` repairs it: written again, the extra file removed.
    assert!(scratch.xtask(&["codegen"]).status.success());
    assert!(!dir.join("src/v3/old.rs").exists());
    let ok = scratch.xtask(&["codegen", "--check"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
}

/// Official SDK facts for the widget page: `reason` optional there, `note` only there.
const FACTS: &str = r#"{"source": {"repository": "o/sdk", "commit": "f00d"}, "operations": [
  {"method": "POST", "path": "/v3/demo/widgets/{id}/stop", "go": "demo.Stop", "fields": [
    {"in": "body", "name": "reason", "required": false, "kind": "string"},
    {"in": "body", "name": "note", "required": false, "kind": "string", "encrypted": true}
  ], "response": {"kind": "json", "fields": [
    {"in": "response", "name": "widget_id", "required": true, "kind": "integer"}
  ]}}]}"#;

#[test]
fn import_merges_the_official_facts_and_records_where_they_came_from() {
    let scratch = Scratch::new("facts", &[("demo/widgets/{widget_id}/stop.md", GOOD)]);
    let facts = scratch.dir.join("facts.json");
    fs::write(&facts, FACTS).expect("facts");
    let facts_arg = facts.display().to_string();
    let out = scratch.xtask(&["import", "--facts", &facts_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "official SDK facts: 1 operations matched; request fields: 1 relaxed, 0 tightened, \
             1 added, 0 retyped; response fields: 0 added, 1 retyped; 1 marked sensitive"
        ),
        "{stdout}"
    );
    let specs = scratch.ws().join("specs/wechatpay");
    let spec = fs::read_to_string(specs.join("v3/demo/widgets/{widget_id}/stop.yaml")).expect("spec");
    assert!(
        spec.contains(
            "    - name: note\n      optional: true\n      type: string\n      sensitive: true\n      \
             official_sdk:\n      - added\n      - sensitive\n"
        ),
        "{spec}"
    );
    let source = fs::read_to_string(specs.join("source.yaml")).expect("source");
    assert!(
        source.contains("official_sdk:\n  repository: o/sdk\n  commit: f00d\n  operations_matched: 1\n"),
        "{source}"
    );
    // `--check` merges the same facts: clean; without them, the specs are stale.
    assert!(scratch.xtask(&["codegen"]).status.success());
    let check = scratch.xtask(&["codegen", "--check", "--facts", &facts_arg]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let check = scratch.xtask(&["codegen", "--check"]);
    assert!(!check.status.success());

    // A malformed facts file names its line and column and writes nothing.
    fs::write(
        &facts,
        FACTS.replace("\"required\": false, \"kind\": \"string\"}", "\"required\": 0}"),
    )
    .expect("facts");
    let before = fs::read_to_string(specs.join("source.yaml")).expect("source");
    let out = scratch.xtask(&["import", "--facts", &facts_arg]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("facts.json:3:"), "{stderr}");
    assert_eq!(
        fs::read_to_string(specs.join("source.yaml")).expect("source"),
        before
    );
}

#[test]
fn the_recorded_commit_is_kept_only_while_the_pages_are_unchanged() {
    let scratch = Scratch::new("commit", &[("demo/widgets/{widget_id}/stop.md", GOOD)]);
    let source = scratch.ws().join("specs/wechatpay/source.yaml");
    assert!(scratch.xtask(&["import", "--commit", "c0ffee"]).status.success());
    assert!(
        fs::read_to_string(&source)
            .expect("source")
            .contains("commit: c0ffee\n")
    );
    let again = scratch.xtask(&["import"]);
    assert!(again.status.success());
    assert!(
        fs::read_to_string(&source)
            .expect("source")
            .contains("commit: c0ffee\n")
    );

    scratch.page(
        "demo/widgets/{widget_id}/stop.md",
        &GOOD.replace("reason: string", "reason?: string"),
    );
    let changed = scratch.xtask(&["import"]);
    assert!(changed.status.success());
    assert!(
        text(&changed.stdout).contains("no commit is recorded (pass --commit SHA)"),
        "{}",
        text(&changed.stdout)
    );
    let record = fs::read_to_string(&source).expect("source");
    assert!(!record.contains("commit:"), "{record}");
}

#[test]
fn check_says_missing_for_a_missing_spec_file() {
    let scratch = Scratch::new("missing", &[("demo/widgets/{widget_id}/stop.md", GOOD)]);
    assert!(scratch.xtask(&["import"]).status.success());
    assert!(scratch.xtask(&["codegen"]).status.success());
    fs::remove_file(scratch.ws().join("specs/wechatpay/source.yaml")).expect("remove");
    let stale = scratch.xtask(&["codegen", "--check"]);
    assert!(!stale.status.success());
    let stderr = text(&stale.stderr);
    assert!(
        stderr.contains("stale: specs/wechatpay/source.yaml (missing)"),
        "{stderr}"
    );
}

/// The Wonder API of the table on a scratch workspace holding only its OpenAPI document: `import`
/// checks it and writes nothing, `codegen` writes `generated/wonder`, `--check` names a stale
/// file, and a broken document names file, line and column and writes nothing.
#[test]
fn the_wonder_api_is_checked_generated_and_checked_for_staleness() {
    let scratch = Scratch::new("wonder", &[]);
    let spec = scratch.ws().join("specs/wonder/openapi.yaml");
    fs::create_dir_all(spec.parent().expect("parent")).expect("mkdir");
    let yaml = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../specs/wonder/openapi.yaml"
    ))
    .expect("the repository's Wonder spec");
    fs::write(&spec, &yaml).expect("write spec");
    let wonder = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("--root")
            .arg(scratch.ws())
            .args(args)
            .args(["--api", "wonder"])
            .output()
            .expect("xtask runs")
    };

    let import = wonder(&["import"]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(text(&import.stdout).contains("checked specs/wonder/openapi.yaml"));
    assert_eq!(
        files_under(&scratch.ws().join("specs")),
        [spec.display().to_string()]
    );

    let generated = scratch.ws().join("generated/wonder");
    assert!(wonder(&["codegen"]).status.success());
    let files = files_under(&generated);
    for file in ["src/recurring_payments.rs", "src/events.rs", "Cargo.toml"] {
        assert!(files.iter().any(|f| f.ends_with(file)), "{file} in {files:?}");
    }
    assert!(wonder(&["codegen", "--check"]).status.success());

    fs::write(generated.join("src/lib.rs"), "// edited by hand\n").expect("edit");
    let check = wonder(&["codegen", "--check"]);
    assert!(!check.status.success());
    assert!(
        text(&check.stderr).contains("generated/wonder/src/lib.rs"),
        "{}",
        text(&check.stderr)
    );

    let before = files_under(&generated);
    fs::write(
        &spec,
        yaml.replacen("operationId: cancel_plan", "operationId: [cancel_plan", 1),
    )
    .expect("break");
    let broken = wonder(&["codegen"]);
    assert!(!broken.status.success());
    let stderr = text(&broken.stderr);
    assert!(stderr.contains("openapi.yaml:"), "{stderr}");
    assert_eq!(files_under(&generated), before, "nothing is written");
}
