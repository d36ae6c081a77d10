//! Tests of `xml.rs` (kept apart to keep that file short).

use super::*;
use crate::ErrorKind;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn decode_error(body: &str) -> String {
    error_of(parse(body.as_bytes()).map(drop), body)
}

fn list_error(inner: &str) -> String {
    error_of(parse_list(inner).map(drop), inner)
}

/// The `DecodeError` of a refused `input`, which never quotes a value.
fn error_of(result: Result<(), Error>, input: &str) -> String {
    let e = result.expect_err(input);
    assert_eq!(e.kind(), ErrorKind::Decode, "{input}: {e}");
    let source = std::error::Error::source(&e).expect("a DecodeError").to_string();
    assert!(!source.contains("SECRET"), "{source}");
    source
}

#[test]
fn cdata_escaped_text_and_whitespace() {
    let body = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  <!-- c -->\n  \
                <return_code><![CDATA[SUCCESS]]></return_code>\n  <total_fee>1</total_fee>\n  \
                <attach> a &amp; b &lt;&#x4E2D;&#25991;&gt; </attach>\n  <empty/>\n  <blank></blank>\n  \
                <split>x<![CDATA[]]]]><![CDATA[>]]>y</split>\n</xml>\n";
    assert_eq!(
        parse(body.as_bytes()).expect("parses"),
        map(&[
            ("attach", " a & b <中文> "),
            ("blank", ""),
            ("empty", ""),
            ("return_code", "SUCCESS"),
            ("split", "x]]>y"),
            ("total_fee", "1"),
        ])
    );
    assert_eq!(parse(b"<root/>").expect("empty root"), BTreeMap::new());
    assert_eq!(
        parse(b"<root><a x=\"1\">v</a></root>").expect("attributes ignored"),
        map(&[("a", "v")])
    );
}

#[test]
fn write_round_trips_every_value() {
    let values = map(&[
        ("a", "plain"),
        ("b", "]]>"),
        ("c", "x]]]>y]]>]]>z]"),
        ("d", "line\r\nend\r"),
        ("e", "<&>\"' 中文 \t"),
        ("f", ""),
    ]);
    let xml = write(&values);
    assert!(xml.starts_with("<xml><a><![CDATA[plain]]></a><b>"), "{xml}");
    assert_eq!(parse(xml.as_bytes()).expect("parses"), values);
    assert_eq!(write(&BTreeMap::new()), "<xml></xml>");
}

#[test]
fn dtds_and_unknown_entities_are_refused_unexpanded() {
    let xxe = r#"<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>"#;
    assert!(decode_error(xxe).contains("DOCTYPE"));
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><a>&lol2;</a></xml>"#;
    assert!(decode_error(laughs).contains("DOCTYPE"));
    assert!(decode_error("<xml><a>&xxe;</a></xml>").contains("entity reference"));
    assert!(decode_error("<xml><a>&#0;</a></xml>").contains("character reference"));
    assert!(decode_error("<xml><a>&#x1;</a></xml>").contains("character reference"));
    assert!(decode_error("<!ENTITY x \"y\"><xml/>").contains("malformed"));
}

#[test]
fn shapes_other_than_a_flat_document_are_refused() {
    assert!(decode_error("<xml><a>SECRET</a><a>SECRET</a></xml>").contains("duplicate field `a`"));
    assert!(decode_error("<xml><a><b>SECRET</b></a></xml>").contains("nested"));
    assert!(decode_error("<xml>SECRET<a>1</a></xml>").contains("text outside"));
    assert!(decode_error("<xml><a>1</a></xml><xml/>").contains("more than one root"));
    assert!(decode_error("<html><a>1</a></html>").contains("neither"));
    assert!(decode_error("<xml><a>SECRET</b></xml>").contains("malformed"));
    assert!(decode_error("<xml><a>SECRET</a>").contains("ends inside"));
    assert!(decode_error("").contains("no root"));
    assert!(decode_error("SECRET").contains("text outside"));
    let e = parse(b"<xml><a>\xff</a></xml>").expect_err("not UTF-8");
    assert_eq!(e.kind(), ErrorKind::Decode);
}

#[test]
fn bodies_over_the_limit_are_too_large() {
    let body = format!("<xml><a>{}</a></xml>", "x".repeat(100));
    assert_eq!(
        parse_with_limit(body.as_bytes(), 64)
            .expect_err("too large")
            .kind(),
        ErrorKind::TooLarge
    );
    assert!(parse_with_limit(body.as_bytes(), body.len()).is_ok());
    let huge = vec![b' '; MAX_XML_BYTES + 1];
    assert_eq!(parse(&huge).expect_err("too large").kind(), ErrorKind::TooLarge);
}

#[test]
fn a_nested_list_is_kept_raw_and_read_with_parse_list() {
    let items = "\n  <hbinfo>\n    <openid><![CDATA[oTkwm1]]></openid>\n    <amount>100</amount>\n    \
                 <rcv_time><![CDATA[2015-04-21 20:00:00]]></rcv_time>\n  </hbinfo>\n  \
                 <hbinfo><openid>o&amp;2</openid><amount>200</amount><!-- c --><empty/></hbinfo>\n  <hbinfo/>\n";
    let body =
        format!("<xml><mch_id>10000098</mch_id><hblist>{items}</hblist><status>RECEIVED</status></xml>");
    let fields = parse(body.as_bytes()).expect("parses");
    assert_eq!(fields["hblist"], items);
    assert_eq!(
        (fields["mch_id"].as_str(), fields["status"].as_str()),
        ("10000098", "RECEIVED")
    );
    assert_eq!(
        parse_list(&fields["hblist"]).expect("a list"),
        [
            map(&[
                ("amount", "100"),
                ("openid", "oTkwm1"),
                ("rcv_time", "2015-04-21 20:00:00")
            ]),
            map(&[("amount", "200"), ("empty", ""), ("openid", "o&2")]),
            map(&[]),
        ]
    );
    assert_eq!(
        parse_list(" \n").expect("empty"),
        Vec::<BTreeMap<String, String>>::new()
    );
    // Whitespace only is a (blank) text value, not a list.
    assert_eq!(parse(b"<xml><a> </a></xml>").expect("parses"), map(&[("a", " ")]));
}

#[test]
fn deeper_nesting_and_mixed_content_are_refused() {
    assert!(decode_error("<xml><l><i><m><x>SECRET</x></m></i></l></xml>").contains("too deep"));
    assert!(decode_error("<xml><l><i><m><x/></m></i></l></xml>").contains("too deep"));
    assert!(list_error("<i><m><x>SECRET</x></m></i>").contains("too deep"));
    for mixed in [
        "<xml><l>SECRET<i><m>1</m></i></l></xml>",
        "<xml><l><i><m>1</m></i>SECRET</l></xml>",
        "<xml><l><![CDATA[ ]]><i/></l></xml>",
        "<xml><l>&amp;<i/></l></xml>",
        "<xml><l><i>SECRET<m>1</m></i></l></xml>",
        "<xml><l><i><m>1</m><![CDATA[SECRET]]></i></l></xml>",
    ] {
        assert!(decode_error(mixed).contains("mixed content"), "{mixed}");
    }
    assert!(list_error("<i>SECRET<m>1</m></i>").contains("mixed content"));
    assert!(list_error("SECRET<i><m>1</m></i>").contains("outside the nested list"));
    assert!(
        list_error("<i><m>SECRET</m><m>SECRET</m></i>").contains("duplicate field `m` in a nested list item")
    );
    assert!(list_error("<i><m>SECRET</m>").contains("ends inside"));
    assert!(list_error("<i><m>SECRET</x></i>").contains("malformed"));
    assert!(decode_error("<xml><l><i/></l><l><i/></l></xml>").contains("duplicate field `l`"));
    let huge = " ".repeat(MAX_XML_BYTES + 1);
    assert_eq!(
        parse_list(&huge).expect_err("too large").kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn dtds_and_unknown_entities_are_refused_inside_a_nested_list() {
    assert!(decode_error("<xml><l><i><m>&xxe;</m></i></l></xml>").contains("entity reference"));
    assert!(decode_error("<xml><l><i><m>&#0;</m></i></l></xml>").contains("character reference"));
    let xxe =
        r#"<xml><l><!DOCTYPE i [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><i><m>&xxe;</m></i></l></xml>"#;
    assert!(decode_error(xxe).contains("DOCTYPE"), "{}", decode_error(xxe));
    let xxe = r#"<!DOCTYPE i [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><i><m>&xxe;</m></i>"#;
    assert!(list_error(xxe).contains("DOCTYPE"));
    assert!(list_error("<i><m>&xxe;</m></i>").contains("entity reference"));
    // An escaped text value that looks like a list is read with the same protections.
    let fields = parse(b"<xml><l>&lt;!DOCTYPE i&gt;&lt;i/&gt;</l></xml>").expect("text");
    assert!(list_error(&fields["l"]).contains("DOCTYPE"));
}

#[test]
fn a_signed_flat_answer_still_verifies() {
    use super::super::key::ApiV2Key;
    use super::super::sign::{SIGN_FIELD, SignType, sign, verify};
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").expect("key");
    let mut fields = map(&[
        ("return_code", "SUCCESS"),
        ("appid", "wxd930ea5d5a258f4f"),
        ("attach", "<b>not a list</b>"),
        ("detail", "<hbinfo><openid>o</openid></hbinfo>"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ]);
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        fields.insert(SIGN_FIELD.to_owned(), sign(&fields, &key, sign_type));
        let read = parse(write(&fields).as_bytes()).expect("parses");
        assert_eq!(read, fields);
        verify(&read, &key).expect("verifies");
        let spelled =
            write(&fields).replace("<![CDATA[<b>not a list</b>]]>", "&lt;b&gt;not a list&lt;/b&gt;");
        verify(&parse(spelled.as_bytes()).expect("parses"), &key).expect("escaped verifies");
    }
}
