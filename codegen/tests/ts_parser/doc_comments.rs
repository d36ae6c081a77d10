//! Doc comments and their tags.

use super::interface;
use codegen::wechat::ts::{Doc, DocTag, Member};

#[test]
fn doc_comments_attach_to_the_next_member_and_interface() {
    let src = r#"/**
 * The interface
 */
export interface Stop {
    /**
     * shortland
     * @link https://pay.weixin.qq.com/docs/merchant/apis/x.html
     */
    (data: A): R
    // a line comment in between
    /* and a block comment */
    /** 停止支付分计划 */
    post(data: A): R
    undocumented: string
    /** trailing doc with no member after it */
}"#;
    let i = interface(src);
    assert_eq!(
        i.doc,
        Some(Doc {
            lines: vec!["The interface".into()],
            ..Doc::default()
        })
    );
    let docs: Vec<_> = i
        .members
        .iter()
        .map(|m| match m {
            Member::Call(s) | Member::Method(s) => s.doc.clone(),
            Member::Property(p) => p.doc.clone(),
        })
        .collect();
    assert_eq!(
        docs,
        [
            Some(Doc {
                lines: vec!["shortland".into()],
                links: vec!["https://pay.weixin.qq.com/docs/merchant/apis/x.html".into()],
                tags: vec![],
            }),
            Some(Doc {
                lines: vec!["停止支付分计划".into()],
                ..Doc::default()
            }),
            None,
        ]
    );
}

#[test]
fn doc_tags_and_odd_links() {
    let doc = |body: &str| {
        let i = interface(&format!("/**{body}*/\ninterface X {{}}"));
        i.doc.expect("doc")
    };
    assert_eq!(
        doc(
            "\n * 通过先享卡订单号查询订单API\n * @deprecated - since 2020.03.26\n * @link https://a.example/x.shtml\n "
        ),
        Doc {
            lines: vec!["通过先享卡订单号查询订单API".into()],
            links: vec!["https://a.example/x.shtml".into()],
            tags: vec![DocTag {
                name: "deprecated".into(),
                text: "- since 2020.03.26".into()
            }],
        }
    );
    // Inline `{@link URL}`.
    assert_eq!(
        doc("\n * 获取平台证书列表\n * {@link https://a.example/c.shtml}\n "),
        Doc {
            lines: vec!["获取平台证书列表".into()],
            links: vec!["https://a.example/c.shtml".into()],
            tags: vec![],
        }
    );
    // `@link` followed by a sentence instead of a URL: the sentence stays text.
    assert_eq!(
        doc("\n * 查询用户捐赠单列表\n * @link 商户可根据品牌ID与用户标识查询捐赠单列表\n "),
        Doc {
            lines: vec![
                "查询用户捐赠单列表".into(),
                "商户可根据品牌ID与用户标识查询捐赠单列表".into()
            ],
            links: vec![],
            tags: vec![],
        }
    );
    // ... with a Markdown link in it: the URL (as written) is a link too.
    assert_eq!(
        doc(" @link 获取信息 [官方文档](hhttps://a.example/q.html) ").links,
        ["hhttps://a.example/q.html"]
    );
    // Blank lines inside are kept, at the ends dropped.
    assert_eq!(doc("\n *\n * a\n *\n * b\n *\n ").lines, ["a", "", "b"]);
    assert_eq!(doc("* single line *").lines, ["single line *"]);
    // `/**/` is an empty ordinary comment, not a doc.
    assert_eq!(interface("/**/ interface X {}").doc, None);
}
