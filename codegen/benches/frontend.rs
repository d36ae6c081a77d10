//! The docs front-end on large and deep pages (`cargo bench -p codegen --bench frontend`):
//! - `frontend/wide_1mb/*`: a ~1 MB page shaped like a real one (front matter keys, documented
//!   request fields, prose links), through [`parse_page`] and through [`import_page`];
//! - `frontend/deep_*_near_limit`: front matter and TypeScript nested one level under the
//!   documented limits ([`MAX_FRONT_MATTER_DEPTH`], [`ts::MAX_DEPTH`]), which still parse;
//! - `frontend/deep_*_40k`: the issue's 40 000-level front matter and types, which are rejected
//!   with a diagnostic.
//!
//! The inputs are built once, before timing; only parsing is measured.

use std::hint::black_box;
use std::time::Duration;

use codegen::wechat::import_page;
use codegen::wechat::page::{MAX_FRONT_MATTER_DEPTH, parse_page};
use codegen::wechat::ts;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SOURCE: &str = "openapi/v3/pay/transactions/jsapi.md";

/// A page modelled on `openapi/v3/pay/transactions/jsapi.md`: `{front}` goes into the front
/// matter, `{fields}` into the request interface and `{prose}` after the code block.
const TEMPLATE: &str = r#"---
{front}title: JSAPI下单
description: 商户系统先调用该接口在微信支付服务后台生成预支付交易单。
---

# {{ $frontmatter.title }} {#post}

{{ $frontmatter.description }} [官方文档](https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/pay/transactions/chapter3_2.shtml)

```js twoslash
// @filename: virtual.ts
/// <reference types="node" />
import { AxiosRequestConfig, AxiosPromise } from 'axios'
namespace WeChatPay.OpenAPI.V3.Pay.Transactions.Jsapi.PostHttpMethod {
  export interface JsonDataRequest {
    appid: string
    mchid: string
{fields}  }
  export interface RequestConfig extends AxiosRequestConfig {
    data?: JsonDataRequest
  }
  export interface WellformedResponse {
    prepay_id: string
  }
}
namespace WeChatPay.OpenAPI.V3.Pay.Transactions {
  export interface Jsapi {
    post(data: Jsapi.PostHttpMethod.JsonDataRequest, config?: Jsapi.PostHttpMethod.RequestConfig): AxiosPromise<Jsapi.PostHttpMethod.WellformedResponse>
  }
}
namespace WeChatPay.OpenAPI.V3.Pay {
  export interface Transactions {
    jsapi: Transactions.Jsapi
  }
}
namespace WeChatPay.OpenAPI.V3 {
  export interface Pay {
    transactions: Pay.Transactions
  }
}
namespace WeChatPay.OpenAPI {
  export interface V3 {
    pay: V3.Pay
  }
}
export interface Wechatpay {
  v3: WeChatPay.OpenAPI.V3
}
export var wxpay: Wechatpay
```
{prose}"#;

fn page(front: &str, fields: &str, prose: &str) -> String {
    TEMPLATE
        .replacen("{front}", front, 1)
        .replacen("{fields}", fields, 1)
        .replacen("{prose}", prose, 1)
}

/// About 1 MB: a quarter front matter keys, half documented request fields, a quarter links.
fn wide_page() -> String {
    let mut front = String::new();
    let mut i = 0;
    while front.len() < 256 * 1024 {
        front.push_str(&format!("extra_{i}: 第 {i} 个附加键，含 [括号] 与 'quotes'\n"));
        i += 1;
    }
    let mut fields = String::new();
    let mut i = 0;
    while fields.len() < 512 * 1024 {
        fields.push_str(&format!(
            "    /**\n     * 字段 {i} 的说明 {{@link https://example.com/f/{i}}}\n     */\n    \
             field_{i}?: {{ a: string, b: number[], c: 'X' | 'Y' }}\n"
        ));
        i += 1;
    }
    let mut prose = String::new();
    let mut i = 0;
    while prose.len() < 256 * 1024 {
        prose.push_str(&format!("参阅 [文档 {i}](https://example.com/doc/{i})\n"));
        i += 1;
    }
    page(&front, &fields, &prose)
}

fn nested(open: &str, inner: &str, close: &str, levels: usize) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

/// Front matter one level under the limit, in flow and in block style (the key is level 1).
fn deep_front_matter(levels: usize) -> String {
    let flow = nested("{a: ", "[1]", "}", levels.saturating_sub(2));
    let block: String = (0..levels).map(|i| format!("{}b:\n", " ".repeat(i))).collect();
    page(&format!("flow: {flow}\n{block}"), "", "")
}

/// A request field whose type makes `levels` levels of nesting (the namespace around the
/// interface is level 1, the field's type level 2).
fn deep_typescript(levels: usize) -> String {
    let ty = nested("{ a: ", "string", " }", levels.saturating_sub(2));
    page("", &format!("    deep: {ty}\n"), "")
}

fn frontend(c: &mut Criterion) {
    let wide = wide_page();
    let deep_front = deep_front_matter(MAX_FRONT_MATTER_DEPTH);
    let deep_ts = deep_typescript(ts::MAX_DEPTH);
    let front_40k = page(&format!("x: {}\n", nested("[", "", "]", 40_000)), "", "");
    let ts_40k = deep_typescript(40_000);
    assert!(parse_page(&wide).is_ok(), "the wide page parses");
    assert!(import_page(SOURCE, &wide).is_ok(), "the wide page imports");
    assert!(parse_page(&deep_front).is_ok(), "the deep front matter parses");
    assert!(parse_page(&deep_ts).is_ok(), "the deep TypeScript parses");
    assert!(parse_page(&front_40k).is_err() && parse_page(&ts_40k).is_err());

    let mut group = c.benchmark_group("frontend");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(wide.len() as u64));
    group.bench_function("wide_1mb/parse_page", |b| b.iter(|| parse_page(black_box(&wide))));
    group.bench_function("wide_1mb/import_page", |b| {
        b.iter(|| import_page(SOURCE, black_box(&wide)))
    });
    let cases = [
        ("deep_front_matter_near_limit", &deep_front),
        ("deep_typescript_near_limit", &deep_ts),
        ("deep_front_matter_40k", &front_40k),
        ("deep_typescript_40k", &ts_40k),
    ];
    for (name, text) in cases {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| parse_page(black_box(text))));
    }
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
