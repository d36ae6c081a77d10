//! Every real WeChat Pay docs page parses without diagnostics.

use std::path::{Path, PathBuf};

use codegen::wechat::page::parse_page;
use codegen::wechat::ts::{Item, Member, Type};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn seeds() -> Vec<PathBuf> {
    let dir = shared().join("seeds");
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            ["000_", "001_", "003_"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
        })
        .collect();
    seeds.sort();
    seeds
}

/// Counts the items of a module, recursively, for a sanity check.
fn count_interfaces(items: &[Item]) -> usize {
    items
        .iter()
        .map(|item| match item {
            Item::Namespace(ns) => count_interfaces(&ns.items),
            Item::Interface(_) => 1,
            Item::Var(_) => 0,
        })
        .sum()
}

#[test]
fn every_docs_page_parses() {
    let root = shared().join("wechatpay-docs/openapi/v3");
    let mut files = Vec::new();
    markdown_files(&root, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no pages under {}", root.display());

    let mut failures = Vec::new();
    let mut blocks = 0;
    let mut fences = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("page is UTF-8");
        fences += text.lines().filter(|l| l.trim() == "```js twoslash").count();
        match parse_page(&text) {
            Ok(page) => {
                assert!(page.title.is_some(), "{}: no title", file.display());
                // Two pages have an empty `description:`, which YAML reads as null.
                assert!(!page.blocks.is_empty(), "{}", file.display());
                assert!(
                    count_interfaces(&page.module.items) > 0,
                    "{}: no interface",
                    file.display()
                );
                blocks += page.blocks.len();
            }
            Err(diags) => {
                for d in diags {
                    failures.push(format!("{}:{d}", file.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Several pages document more than one HTTP method, one block each: every fence is a block.
    assert_eq!(blocks, fences);
}

#[test]
fn seed_pages_parse() {
    let seeds = seeds();
    assert_eq!(seeds.len(), 3, "{seeds:?}");
    for file in &seeds {
        let text = std::fs::read_to_string(file).expect("seed is UTF-8");
        let page = parse_page(&text).unwrap_or_else(|d| panic!("{}: {d:?}", file.display()));
        assert!(page.title.is_some());
        assert_eq!(page.blocks.len(), 1);
        assert_eq!(page.blocks[0].anchor.as_deref(), Some("post"));
    }
}

/// The 1-based line and column (in chars) where `needle` first occurs in `text`, plus `skip`
/// chars: how a test finds a position in a page without pinning the page's layout.
fn position(text: &str, needle: &str, skip: u32) -> (u32, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the page"));
    let before = &text[..at];
    let line = u32::try_from(before.matches('\n').count()).expect("small") + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count();
    (line, u32::try_from(column).expect("small") + 1 + skip)
}

/// The destinations of the Markdown links of a page's prose (outside code blocks), in order,
/// duplicates removed: found by a plain scan for `](…)`, independently of the parser.
fn prose_links(text: &str) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let mut rest = line;
        while let (false, Some(at)) = (in_code, rest.find("](")) {
            let tail = &rest[at + 2..];
            let end = tail.find(')').unwrap_or(tail.len());
            if !links.iter().any(|l| l == &tail[..end]) {
                links.push(tail[..end].to_owned());
            }
            rest = &tail[end..];
        }
    }
    links
}

#[test]
fn upload_page_shape() {
    let file = shared().join("wechatpay-docs/openapi/v3/merchant/media/upload.md");
    let text = std::fs::read_to_string(file).expect("page");
    let page = parse_page(&text).expect("parses");
    assert_eq!(page.title.as_deref(), Some("商户图片上传"));
    assert!(!page.links.is_empty());
    assert_eq!(page.links, prose_links(&text));
    let Some(Item::Namespace(ns)) = page.module.items.first() else {
        panic!("first item is not a namespace: {:?}", page.module.items.first());
    };
    assert_eq!(
        ns.path,
        [
            "WeChatPay",
            "OpenAPI",
            "V3",
            "Merchant",
            "Media",
            "Upload",
            "PostHttpMethod"
        ]
    );
    assert_eq!(
        (ns.span.line, ns.span.column),
        position(
            &text,
            "namespace WeChatPay.OpenAPI.V3.Merchant.Media.Upload.PostHttpMethod",
            10
        )
    );
    let Some(Item::Interface(req)) = ns.items.first() else {
        panic!("no interface");
    };
    assert_eq!(req.name, "BinaryDataRequest");
    // HEAD no longer writes `extends Multipart`; whichever form the page has is parsed.
    let extends: Vec<Vec<String>> = if text.contains("BinaryDataRequest extends Multipart") {
        vec![vec!["Multipart".to_owned()]]
    } else {
        Vec::new()
    };
    assert_eq!(req.extends, extends);
    assert_eq!(
        (req.span.line, req.span.column),
        position(&text, "export interface BinaryDataRequest", 17)
    );
    // `export var wxpay: Wechatpay`
    let Some(Item::Var(var)) = page.module.items.last() else {
        panic!("last item is not a var");
    };
    assert_eq!(var.name, "wxpay");
    assert!(matches!(&var.ty, Type::Ref { path, .. } if path == &["Wechatpay"]));
    // The call signature and the method of `Upload`.
    let Some(Item::Namespace(ns)) = page.module.items.get(1) else {
        panic!("no second namespace");
    };
    let Some(Item::Interface(upload)) = ns.items.first() else {
        panic!("no Upload interface");
    };
    assert!(
        matches!(&upload.members[0], Member::Call(sig) if sig.params.len() == 2 && sig.params[0].optional)
    );
    let Member::Method(post) = &upload.members[1] else {
        panic!("no post method");
    };
    assert_eq!(post.name, "post");
    let doc = post.doc.as_ref().expect("doc");
    assert_eq!(doc.lines, ["图片上传API"]);
    // The `@link` of the method's doc comment (the one after its summary line).
    let tag = "     * 图片上传API\n     * @link ";
    let at = text.find(tag).expect("the method's doc comment") + tag.len();
    let link = text[at..].lines().next().expect("a link").trim();
    assert_eq!(doc.links, [link]);
}

#[test]
fn multi_method_page_keeps_each_block() {
    let file = shared().join("wechatpay-docs/openapi/v3/merchant-risk-manage/violation-notifications.md");
    let text = std::fs::read_to_string(file).expect("page");
    let page = parse_page(&text).expect("parses");
    let anchors: Vec<_> = page.blocks.iter().map(|b| b.anchor.as_deref()).collect();
    assert_eq!(anchors, [Some("post"), Some("get"), Some("put"), Some("delete")]);
    let mut next = 0;
    for block in &page.blocks {
        assert_eq!(block.items.start, next);
        assert!(!block.items.is_empty());
        next = block.items.end;
        assert_eq!(block.links.len(), 1, "{block:?}");
    }
    assert_eq!(next, page.module.items.len());
    let second_fence = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "```js twoslash")
        .nth(1)
        .map(|(i, _)| i + 1)
        .expect("a second block");
    assert_eq!(page.blocks[1].span.line as usize, second_fence);
}

// ---- page-level diagnostics (positions are page positions) -------------------------------

fn page_errors(text: &str) -> Vec<(u32, u32, String)> {
    match parse_page(text) {
        Ok(page) => panic!("expected errors, parsed {page:?}"),
        Err(diags) => diags.into_iter().map(|d| (d.line, d.column, d.message)).collect(),
    }
}

#[test]
fn typescript_errors_point_into_the_page() {
    let file = shared().join("wechatpay-docs/openapi/v3/merchant/media/upload.md");
    let text = std::fs::read_to_string(file).expect("page");
    let (line, column) = position(&text, "    media_id: string", 0);
    let broken = text.replacen("    media_id: string", "    media_id string", 1);
    assert_eq!(
        page_errors(&broken),
        [(
            line,
            column + 13,
            "expected `:` after property name `media_id`, found `string`".to_owned()
        )]
    );
    // Columns count chars, not bytes.
    let broken = text.replacen("    media_id: string", "    图片: 图片 图片", 1);
    assert_eq!(
        page_errors(&broken),
        [(
            line,
            column + 11,
            "expected `;`, `,`, a line break or `}` after property `图片`, found `图片`".to_owned()
        )]
    );
    // A doc comment closed early: the error is on the next line of the page.
    let (line, _) = position(&text, "     * 图片上传API\n", 0);
    let broken = text.replacen("     * 图片上传API\n", "     * 图片上传API */\n", 1);
    assert_eq!(
        page_errors(&broken),
        [(
            line + 1,
            6,
            "expected a property name, a method or a call signature, found `*`".to_owned()
        )]
    );
}

#[test]
fn every_failure_is_reported() {
    let text = "---\ntitle: [x\n---\n\n# A {#post}\n\n```js twoslash\n// @filename: virtual.ts\ninterface 中文 { 名: }\n```\n\n# B {#get}\n\n```js twoslash\nconsole.log(1)\n```\n\n```js twoslash\n// @filename: virtual.ts\ninterface B {\n  b: 'x\n}\n```\n";
    let errors = page_errors(text);
    let positions: Vec<_> = errors.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(positions, [(3, 1), (9, 19), (14, 1), (21, 6)], "{errors:?}");
    assert!(
        errors[0].2.starts_with("invalid YAML front matter: "),
        "{errors:?}"
    );
    assert_eq!(errors[1].2, "expected a type, found `}`");
    assert_eq!(
        errors[2].2,
        "this ```js twoslash block has no `// @filename: virtual.ts` line, so it declares no API"
    );
    assert_eq!(
        errors[3].2,
        "unterminated string literal: the `'` has no closing `'` on its line"
    );
}

#[test]
fn front_matter_problems() {
    let block = "```js twoslash\n// @filename: virtual.ts\ninterface A {}\n```\n";
    assert_eq!(
        page_errors(&format!("# no front matter\n{block}")),
        [(
            1,
            1,
            "missing YAML front matter: a page must start with a `---` line, then `title: …` and \
             `description: …`, then another `---` line"
                .to_owned()
        )]
    );
    assert_eq!(
        page_errors(&format!("---\ntitle: x\n{block}")),
        [(
            1,
            1,
            "the YAML front matter opened here is never closed: add a `---` line after it".to_owned()
        ),]
    );
    assert_eq!(
        page_errors(&format!("---\ntitle: x\ndescription: y: z\n---\n{block}")),
        [(
            3,
            15,
            "invalid YAML front matter: mapping values are not allowed in this context at line 3 column 15"
                .to_owned()
        )]
    );
    assert_eq!(
        page_errors(&format!("---\n- a\n---\n{block}")),
        [(
            2,
            1,
            "the YAML front matter must be a mapping of `key: value` lines".to_owned()
        )]
    );
    assert_eq!(
        page_errors(&format!("---\ndescription: d\ntitle:\n  - a\n---\n{block}")),
        [(
            3,
            1,
            "front matter `title` must be a single line of text".to_owned()
        )]
    );
    let page = parse_page(&format!("---\ntitle: 123\nextra: [1]\n---\n{block}")).expect("parses");
    assert_eq!(page.title.as_deref(), Some("123"));
    assert_eq!(page.description, None);
}

#[test]
fn no_code_block() {
    assert_eq!(
        page_errors("---\ntitle: x\n---\n\n```js\nconst a = 1\n```\n"),
        [(
            4,
            1,
            "no ```js twoslash code block found: the page must declare its API in one".to_owned()
        )]
    );
}

#[test]
fn indented_and_crlf_blocks_keep_page_positions() {
    let quoted =
        "---\ntitle: x\n---\n> ```js twoslash\n> // @filename: virtual.ts\n> interface A { a: }\n> ```\n";
    assert_eq!(
        page_errors(quoted),
        [(6, 20, "expected a type, found `}`".to_owned())]
    );
    let crlf = "---\r\ntitle: x\r\n---\r\n```js twoslash\r\n// @filename: virtual.ts\r\ninterface A {\r\n  a: string\r\n  b:\r\n}\r\n```\r\n";
    assert_eq!(
        page_errors(crlf),
        [(9, 1, "expected a type, found `}`".to_owned())]
    );
    let ok = parse_page(&crlf.replace("  b:\r\n", "")).expect("parses");
    let Some(Item::Interface(a)) = ok.module.items.first() else {
        panic!("{ok:?}")
    };
    let Member::Property(p) = &a.members[0] else {
        panic!("{a:?}")
    };
    assert_eq!((p.span.line, p.span.column), (7, 3));
}

#[test]
fn the_example_javascript_is_ignored() {
    let text = "---\ntitle: x\n---\n```js twoslash\n// @filename: virtual.ts\nexport var wxpay: W\n// @filename: business.js\nimport { wxpay } from './virtual'\nwxpay.v3.x.post({}).then(({ data }) => data)\n```\n";
    let page = parse_page(text).expect("parses");
    assert_eq!(page.module.items.len(), 1);
}
