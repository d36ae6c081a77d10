//! Hostile input: mutated real pages never make `parse_page`, the lowering or the emitter panic,
//! and every diagnostic points inside the input.

use std::path::Path;
use std::sync::OnceLock;

use codegen::emit::wechatpay_crate;
use codegen::wechat::lower::lower;
use codegen::wechat::page::parse_page;
use proptest::prelude::*;
use proptest::sample::Index;

/// The three WeChat seeds (`000_*`, `001_*`, `003_*`).
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                ["000_", "001_", "003_"].iter().any(|s| name.starts_with(s))
            })
            .collect();
        paths.sort();
        assert_eq!(paths.len(), 3, "{paths:?}");
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("seed is UTF-8"))
            .collect()
    })
}

/// Fragments that are meaningful to one of the parsers involved.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    ":",
    "?",
    "?:",
    "|",
    "&",
    ",",
    ";",
    ".",
    "-",
    "=",
    "=>",
    "...",
    "'",
    "\"",
    "`",
    "\\",
    "/",
    "*",
    "/*",
    "*/",
    "/**",
    "//",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "---",
    "...",
    "```",
    "```js twoslash\n",
    "\n```\n",
    "// @filename: virtual.ts\n",
    "// @filename: business.js\n",
    "namespace",
    "interface",
    "export",
    "declare",
    "import",
    "var",
    "type",
    "extends",
    "typeof",
    "string",
    "number",
    "boolean",
    "true",
    "Date",
    "1",
    "-1",
    "1.5e",
    "0x",
    "'A'",
    "''",
    "[]",
    "{}",
    "()",
    " * @link https://x.example/y\n",
    "{@link ",
    "中",
    "文",
    "\u{feff}",
    "\u{2028}",
    "\0",
    "😀",
    "title: ",
    "description: ",
    ": :",
    "- ",
    "&anchor",
    "*alias",
    "!!tag",
    "{#post}",
    "# ",
    "> ",
    "  - ",
    "    ",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteChars(Index, usize),
    InsertText(Index, String),
    ReplaceChars(Index, usize, String),
    InsertToken(Index, Index),
    Truncate(Index),
    DuplicateLine(Index),
    DeleteLine(Index),
    SwapLines(Index, Index),
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 1..4).prop_map(|c| c.into_iter().collect()),
        "[ -~]{1,6}",
        prop::sample::select(TOKENS).prop_map(str::to_owned),
    ]
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1usize..8).prop_map(|(i, n)| Mutation::DeleteChars(i, n)),
        3 => (any::<Index>(), text_strategy()).prop_map(|(i, s)| Mutation::InsertText(i, s)),
        3 => (any::<Index>(), 1usize..6, text_strategy())
            .prop_map(|(i, n, s)| Mutation::ReplaceChars(i, n, s)),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::InsertToken(i, t)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match mutation {
        Mutation::DeleteChars(i, n) => {
            let start = at(i, chars.len()).min(chars.len());
            let end = (start + n).min(chars.len());
            chars.drain(start..end);
        }
        Mutation::InsertText(i, s) => {
            let pos = at(i, chars.len());
            chars.splice(pos..pos, s.chars());
        }
        Mutation::ReplaceChars(i, n, s) => {
            let start = at(i, chars.len()).min(chars.len());
            let end = (start + n).min(chars.len());
            chars.splice(start..end, s.chars());
        }
        Mutation::InsertToken(i, t) => {
            let pos = at(i, chars.len());
            let token = TOKENS[t.index(TOKENS.len())];
            chars.splice(pos..pos, token.chars());
        }
        Mutation::Truncate(i) => chars.truncate(at(i, chars.len())),
        Mutation::DuplicateLine(i) | Mutation::DeleteLine(i) | Mutation::SwapLines(i, _) => {
            let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
            if lines.is_empty() {
                return text.to_owned();
            }
            let a = i.index(lines.len());
            match mutation {
                Mutation::DuplicateLine(_) => {
                    let line = lines[a].clone();
                    lines.insert(a, line);
                }
                Mutation::DeleteLine(_) => {
                    lines.remove(a);
                }
                Mutation::SwapLines(_, j) => {
                    let b = j.index(lines.len());
                    lines.swap(a, b);
                }
                _ => {}
            }
            return lines.concat();
        }
    }
    chars.into_iter().collect()
}

/// Every diagnostic lies inside `text`: line within the input (at most one past the last line
/// break) and column at most one past the end of that line.
fn check_positions(diags: &[codegen::diag::Diagnostic], lines: &[&str]) -> Result<(), TestCaseError> {
    for d in diags {
        prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
        prop_assert!(d.line as usize <= lines.len(), "{d}: only {} lines", lines.len());
        prop_assert!(!d.message.is_empty());
    }
    Ok(())
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.split('\n').collect();
    prop_assert!(lines.len() <= text.lines().count() + 1);
    match parse_page(text) {
        Ok(page) => {
            for block in &page.blocks {
                prop_assert!(block.span.line >= 1 && block.span.column >= 1);
                prop_assert!(block.items.end <= page.module.items.len());
            }
            // Lowering and emitting never panic either; their diagnostics point inside the input.
            match lower(&page, "openapi/v3/fuzz/page.md") {
                Ok(lowered) => {
                    check_positions(&lowered.warnings, &lines)?;
                    let _ = wechatpay_crate(std::slice::from_ref(&lowered.document));
                }
                Err(diags) => {
                    prop_assert!(!diags.is_empty());
                    check_positions(&diags, &lines)?;
                }
            }
        }
        Err(diags) => {
            prop_assert!(!diags.is_empty());
            for d in &diags {
                prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
                prop_assert!(d.line as usize <= lines.len(), "{d}: only {} lines", lines.len());
                let width = lines[d.line as usize - 1].chars().count();
                prop_assert!(
                    d.column as usize <= width + 1,
                    "{d}: line {} has {width} chars",
                    d.line
                );
                prop_assert!(!d.message.is_empty());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A few random edits of a real page.
    #[test]
    fn mutated_pages_never_panic(
        seed in any::<Index>(),
        mutations in prop::collection::vec(mutation_strategy(), 1..8),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        check(&text)?;
    }

    /// Random token soup inside the TypeScript part of a real page.
    #[test]
    fn token_soup_in_the_typescript_part(
        seed in any::<Index>(),
        at in any::<Index>(),
        soup in prop::collection::vec(any::<Index>(), 0..40),
    ) {
        let seeds = seeds();
        let page = &seeds[seed.index(seeds.len())];
        let lines: Vec<&str> = page.split_inclusive('\n').collect();
        let first = lines
            .iter()
            .position(|l| l.contains("@filename: virtual.ts"))
            .map_or(0, |i| i + 1);
        let last = lines
            .iter()
            .position(|l| l.contains("@filename: business.js"))
            .unwrap_or(lines.len());
        let insert = first + at.index(last.saturating_sub(first) + 1);
        let soup: String = soup.iter().map(|t| TOKENS[t.index(TOKENS.len())]).collect::<Vec<_>>().join(" ");
        let mut text = lines[..insert.min(lines.len())].concat();
        text.push_str(&soup);
        text.push('\n');
        text.push_str(&lines[insert.min(lines.len())..].concat());
        check(&text)?;
    }
}

#[test]
fn unmodified_seeds_parse() {
    for seed in seeds() {
        check(seed).expect("valid positions");
        assert!(parse_page(seed).is_ok());
    }
}

#[test]
fn pathological_inputs() {
    let long_line = format!(
        "---\ntitle: x\n---\n```js twoslash\n// @filename: virtual.ts\n{}\n```\n",
        "interface A { a: string } ".repeat(5_000)
    );
    for text in [
        String::new(),
        "\n".into(),
        "---".into(),
        "---\n".into(),
        "---\n---".into(),
        "---\n---\n".into(),
        "---\ntitle: [\n---\n".into(),
        "---\n- a\n- b\n---\n".into(),
        "---\ntitle: {a: 1}\n---\n".into(),
        "---\r\ntitle: x\r\n---\r\n```js twoslash\r\n// @filename: virtual.ts\r\ninterface A {\r\n  a:\r\n}\r\n```\r\n".into(),
        "---\ntitle: x\n---\n```js twoslash\n```".into(),
        "---\ntitle: x\n---\n```js twoslash\n// @filename: virtual.ts".into(),
        "---\ntitle: x\n---\n> ```js twoslash\n> // @filename: virtual.ts\n> interface A { a: }\n> ```\n".into(),
        "---\ntitle: x\n---\n- ```js twoslash\n\t// @filename: virtual.ts\n\tinterface A { a: }\n  ```\n".into(),
        format!("---\ntitle: {}\n---\n", "[".repeat(10_000)),
        format!("---\ntitle: x\n---\n```js twoslash\n// @filename: virtual.ts\n{}\n```\n", "{".repeat(50_000)),
        long_line,
    ] {
        check(&text).unwrap_or_else(|e| panic!("{e}\n--- input:\n{}", &text[..text.len().min(300)]));
    }
}
