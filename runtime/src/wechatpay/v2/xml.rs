//! The APIv2 document: a flat `<xml><key>value</key>…</xml>` (UTF-8), read into and written from
//! a map of element name → text.
//!
//! Reading is defensive (the body comes from the network, or from anyone who can reach a
//! notification URL): no DTD is accepted, so no entity is ever declared or expanded (no XXE, no
//! billion laughs); only the five predefined entities and numeric character references are
//! resolved; elements nested below the root's children, duplicate keys and bodies over a size
//! limit are refused. Errors name what is wrong and where, never a value.
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)") and
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2>.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use crate::{DecodeError, Error};

/// The largest APIv2 document [`parse`] reads: 1 MiB (1 048 576 bytes). Real answers and
/// notifications are a few KiB; a longer body is refused with
/// [`TooLarge`](crate::ErrorKind::TooLarge) before it is parsed.
pub const MAX_XML_BYTES: usize = 1024 * 1024;

/// Parses an APIv2 document (at most [`MAX_XML_BYTES`]) into a map of child element name →
/// text. See [`parse_with_limit`].
///
/// # Errors
/// As [`parse_with_limit`].
pub fn parse(body: &[u8]) -> Result<BTreeMap<String, String>, Error> {
    parse_with_limit(body, MAX_XML_BYTES)
}

/// Parses a flat APIv2 document of at most `limit` bytes into a map of child element name →
/// text, e.g. `<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>`
/// → `{"return_code": "SUCCESS", "total_fee": "1"}`.
///
/// - The root is `<xml>` (answers, requests, notifications) or `<root>` (the decrypted refund
///   `req_info`); its attributes, and those of its children, are ignored.
/// - A value is the child's text exactly as written: CDATA sections and escaped text (the five
///   predefined entities and numeric character references resolved, line ends normalized to
///   `\n` as every XML parser does), concatenated, never trimmed. `<a/>` is `""`.
/// - Whitespace between the elements, comments, processing instructions and the `<?xml …?>`
///   declaration are ignored; a UTF-8 byte order mark is skipped.
///
/// # Errors
/// - [`TooLarge`](crate::ErrorKind::TooLarge) if `body` is longer than `limit` bytes;
/// - [`Decode`](crate::ErrorKind::Decode) (its source a [`DecodeError`] naming the problem and
///   the byte offset, never a value) if the body is not UTF-8 or not well-formed XML; holds a
///   `<!DOCTYPE` (any DTD, hence any `<!ENTITY`); references an entity other than `lt`, `gt`,
///   `amp`, `apos`, `quot`; has an element nested below the root's children, text directly in
///   the root, a root other than `<xml>`/`<root>` or more than one root; or repeats a key.
pub fn parse_with_limit(body: &[u8], limit: usize) -> Result<BTreeMap<String, String>, Error> {
    if body.len() > limit {
        return Err(Error::too_large(
            "the XML body",
            limit as u64,
            "bytes",
            None,
            None,
        ));
    }
    let text =
        std::str::from_utf8(body).map_err(|e| malformed("the body is not UTF-8", Some(e.valid_up_to())))?;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut reader = Reader::from_str(&text[bom..]);
    let mut doc = Document::default();
    loop {
        let at = bom + reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| malformed(describe(&e), Some(bom + reader.error_position() as usize)))?;
        match event {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(malformed(
                    "a DOCTYPE (DTD) is not allowed: entities are never declared or expanded",
                    Some(at),
                ));
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Start(start) => doc.open(name(start.name().as_ref()), false, at)?,
            Event::Empty(start) => doc.open(name(start.name().as_ref()), true, at)?,
            Event::End(_) => doc.close(at)?,
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|_| malformed("the body is not UTF-8", Some(at)))?;
                doc.text(&text, at)?;
            }
            Event::CData(c) => {
                let text = c
                    .xml10_content()
                    .map_err(|_| malformed("the body is not UTF-8", Some(at)))?;
                doc.cdata(&text, at)?;
            }
            Event::GeneralRef(r) => {
                let c = resolve(&r).ok_or_else(|| {
                    malformed(
                        "an entity reference other than the predefined ones (lt, gt, amp, apos, quot) \
                         or a valid character reference",
                        Some(at),
                    )
                })?;
                doc.cdata(c.encode_utf8(&mut [0; 4]), at)?;
            }
        }
    }
    doc.finish(bom + reader.buffer_position() as usize)
}

/// Writes `map` as an APIv2 document: `<xml><k1><![CDATA[v1]]></k1>…</xml>`, keys in the map's
/// (byte-wise) order, each value in CDATA so that it is sent exactly: a `]]>` inside a value
/// splits the section (`]]]]><![CDATA[>`) and a carriage return is written `&#13;` between
/// sections (a raw one would reach WeChat Pay as `\n`), so [`parse`] gives the map back.
///
/// Keys must be XML names (the field names of the APIv2 docs are); they are written as given.
pub fn write(map: &BTreeMap<String, String>) -> String {
    let capacity = 11 + map.iter().map(|(k, v)| 2 * k.len() + v.len() + 17).sum::<usize>();
    let mut out = String::with_capacity(capacity);
    out.push_str("<xml>");
    for (key, value) in map {
        out.push('<');
        out.push_str(key);
        out.push_str("><![CDATA[");
        let mut rest = value.as_str();
        while let Some(at) = rest.find(['\r', ']']) {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            if let Some(after) = rest.strip_prefix('\r') {
                out.push_str("]]>&#13;<![CDATA[");
                rest = after;
            } else if let Some(after) = rest.strip_prefix("]]>") {
                out.push_str("]]]]><![CDATA[>");
                rest = after;
            } else {
                out.push(']');
                rest = &rest[1..];
            }
        }
        out.push_str(rest);
        out.push_str("]]></");
        out.push_str(key);
        out.push('>');
    }
    out.push_str("</xml>");
    out
}

/// Where the reader is in the document, and what it has read.
#[derive(Default)]
struct Document {
    /// 0: before or after the root; 1: in the root; 2: in a child.
    depth: u8,
    root_seen: bool,
    /// The child being read: its name and text so far.
    current: Option<(String, String)>,
    map: BTreeMap<String, String>,
}

impl Document {
    fn open(&mut self, name: String, empty: bool, at: usize) -> Result<(), Error> {
        match self.depth {
            0 if self.root_seen => Err(malformed("more than one root element", Some(at))),
            0 if name == "xml" || name == "root" => {
                self.root_seen = true;
                if !empty {
                    self.depth = 1;
                }
                Ok(())
            }
            0 => Err(malformed(
                "the root element is neither <xml> nor <root>",
                Some(at),
            )),
            1 if empty => self.insert(name, String::new(), at),
            1 => {
                self.current = Some((name, String::new()));
                self.depth = 2;
                Ok(())
            }
            _ => Err(malformed(
                "a nested element: APIv2 documents are flat (root and children only)",
                Some(at),
            )),
        }
    }

    fn close(&mut self, at: usize) -> Result<(), Error> {
        match self.depth {
            2 => {
                self.depth = 1;
                let (name, value) = self.current.take().unwrap_or_default();
                self.insert(name, value, at)
            }
            1 => {
                self.depth = 0;
                Ok(())
            }
            _ => Err(malformed("an end tag without a start tag", Some(at))),
        }
    }

    /// Escaped text (already unescaped by the reader): whitespace outside a child is ignored.
    fn text(&mut self, text: &str, at: usize) -> Result<(), Error> {
        if self.depth < 2 && text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            return Ok(());
        }
        self.cdata(text, at)
    }

    /// Text that is part of a value whatever it is (CDATA, a resolved reference).
    fn cdata(&mut self, text: &str, at: usize) -> Result<(), Error> {
        match (&mut self.current, self.depth) {
            (Some((_, value)), 2) => {
                value.push_str(text);
                Ok(())
            }
            _ => Err(malformed("text outside the root's child elements", Some(at))),
        }
    }

    fn insert(&mut self, name: String, value: String, at: usize) -> Result<(), Error> {
        if self.map.contains_key(&name) {
            // The element name is the docs' field name, not a value: it may be shown.
            return Err(malformed(&format!("duplicate field `{name}`"), Some(at)));
        }
        self.map.insert(name, value);
        Ok(())
    }

    fn finish(self, at: usize) -> Result<BTreeMap<String, String>, Error> {
        match (self.root_seen, self.depth) {
            (true, 0) => Ok(self.map),
            (false, _) => Err(malformed("no root element", Some(at))),
            _ => Err(malformed("the document ends inside an element", Some(at))),
        }
    }
}

/// An element name as text (the input is UTF-8, so its names are).
fn name(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The character a reference stands for: one of the five predefined entities, or a numeric
/// character reference to a character XML allows.
fn resolve(reference: &BytesRef<'_>) -> Option<char> {
    if reference.is_char_ref() {
        let c = reference.resolve_char_ref().ok()??;
        let allowed = matches!(c, '\t' | '\n' | '\r')
            || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
        return allowed.then_some(c);
    }
    match reference.as_ref() {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"apos" => Some('\''),
        b"quot" => Some('"'),
        _ => None,
    }
}

/// What kind of problem the reader found, in words that quote nothing from the body.
fn describe(error: &quick_xml::Error) -> &'static str {
    use quick_xml::Error as E;
    match error {
        E::Syntax(_) => "malformed XML: unclosed or unknown markup",
        E::IllFormed(_) => "malformed XML: mismatched, missing or stray tags, or a stray `&`",
        E::Encoding(_) => "the body is not UTF-8",
        E::Escape(_) => "an invalid character or entity reference",
        _ => "malformed XML",
    }
}

/// A [`Decode`](crate::ErrorKind::Decode) error about the document.
fn malformed(message: &str, at: Option<usize>) -> Error {
    Error::decode_xml(DecodeError::xml(message, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn decode_error(body: &str) -> String {
        let e = parse(body.as_bytes()).expect_err(body);
        assert_eq!(e.kind(), ErrorKind::Decode, "{body}: {e}");
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
}
