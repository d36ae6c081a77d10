//! The APIv2 document: `<xml><key>value</key>…</xml>` (UTF-8), read into and written from a
//! map of element name → text; a child holding a nested *list* (`<hblist><hbinfo>…</hbinfo>…
//! </hblist>`) is kept as its raw inner XML, read with [`parse_list`].
//!
//! Reading is defensive (the body comes from the network, or from anyone who can reach a
//! notification URL): no DTD is accepted, so no entity is ever declared or expanded (no XXE, no
//! billion laughs); only the five predefined entities and numeric character references are
//! resolved; elements nested more than three levels below the root (list > item > member),
//! mixed text and elements, duplicate keys and bodies over a size limit are refused. Errors
//! name what is wrong and where, never a value.
//!
//! Source: `shared/design/protocols.md` ("WeChat Pay APIv2 (XML)"),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2> and, for the one documented
//! nested list (`hblist` of `POST /mmpaymkttransfers/gethbinfo`),
//! <https://pay.weixin.qq.com/wiki/doc/api/tools/cash_coupon.php?chapter=13_6&index=5>.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use crate::{DecodeError, Error};

/// The largest APIv2 document [`parse`] reads (and the largest list [`parse_list`] reads):
/// 1 MiB (1 048 576 bytes). Real answers and notifications are a few KiB; a longer body is
/// refused with [`TooLarge`](crate::ErrorKind::TooLarge) before it is parsed.
pub const MAX_XML_BYTES: usize = 1024 * 1024;

/// Parses an APIv2 document (at most [`MAX_XML_BYTES`]) into a map of child element name →
/// text. See [`parse_with_limit`].
///
/// # Errors
/// As [`parse_with_limit`].
pub fn parse(body: &[u8]) -> Result<BTreeMap<String, String>, Error> {
    parse_with_limit(body, MAX_XML_BYTES)
}

/// Parses an APIv2 document of at most `limit` bytes into a map of child element name →
/// text, e.g. `<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>`
/// → `{"return_code": "SUCCESS", "total_fee": "1"}`.
///
/// - The root is `<xml>` (answers, requests, notifications) or `<root>` (the decrypted refund
///   `req_info`); its attributes, and those of its children, are ignored.
/// - A value is the child's text exactly as written: CDATA sections and escaped text (the five
///   predefined entities and numeric character references resolved, line ends normalized to
///   `\n` as every XML parser does), concatenated, never trimmed. `<a/>` is `""`.
/// - A child whose content is elements (a nested list: items, each holding members of text,
///   e.g. `<hblist><hbinfo><openid>…</openid></hbinfo>…</hblist>`) is kept as its raw inner
///   XML, exactly as written (`<hbinfo><openid>…</openid></hbinfo>…`), for [`parse_list`]:
///   whitespace between its elements is allowed, other text beside them is not. A text value
///   may start with `<` too (written escaped, `&lt;…`): [`parse_list`] reads either with the
///   same protections.
/// - Whitespace between the elements, comments, processing instructions and the `<?xml …?>`
///   declaration are ignored; a UTF-8 byte order mark is skipped.
///
/// # Errors
/// - [`TooLarge`](crate::ErrorKind::TooLarge) if `body` is longer than `limit` bytes;
/// - [`Decode`](crate::ErrorKind::Decode) (its source a [`DecodeError`] naming the problem and
///   the byte offset, never a value) if the body is not UTF-8 or not well-formed XML; holds a
///   `<!DOCTYPE` (any DTD, hence any `<!ENTITY`); references an entity other than `lt`, `gt`,
///   `amp`, `apos`, `quot`; has an element nested more than three levels below the root, text
///   beside the elements of a nested list or of one of its items, text directly in the root, a
///   root other than `<xml>`/`<root>` or more than one root; or repeats a key.
pub fn parse_with_limit(body: &[u8], limit: usize) -> Result<BTreeMap<String, String>, Error> {
    if body.len() > limit {
        return Err(too_large(limit));
    }
    let text =
        std::str::from_utf8(body).map_err(|e| malformed("the body is not UTF-8", Some(e.valid_up_to())))?;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut doc = Document {
        source: text,
        ..Document::default()
    };
    let end = read(&text[bom..], bom, &mut doc)?;
    doc.finish(end)
}

/// Parses the raw inner XML of a nested list ([`parse`] keeps it as the list's value), at most
/// [`MAX_XML_BYTES`], into its items: each child element is an item (its name is not kept),
/// each child of an item a member, whose text is read as [`parse_with_limit`] reads a value
/// (CDATA, escaped text, never trimmed). E.g. `<hbinfo><openid><![CDATA[o1]]></openid><amount>100
/// </amount></hbinfo><hbinfo><openid>o2</openid></hbinfo>` → `[{"amount": "100", "openid":
/// "o1"}, {"openid": "o2"}]`; `""` (or whitespace) → `[]`.
///
/// Whitespace, comments and processing instructions between the elements are ignored.
///
/// # Errors
/// - [`TooLarge`](crate::ErrorKind::TooLarge) if `inner` is longer than [`MAX_XML_BYTES`];
/// - [`Decode`](crate::ErrorKind::Decode) (a [`DecodeError`] naming the problem and the byte
///   offset in `inner`, never a value) if it is not well-formed XML; holds a `<!DOCTYPE`;
///   references an entity other than the predefined ones; has text outside the items or beside
///   an item's members, an element inside a member, or a member twice in one item.
pub fn parse_list(inner: &str) -> Result<Vec<BTreeMap<String, String>>, Error> {
    if inner.len() > MAX_XML_BYTES {
        return Err(too_large(MAX_XML_BYTES));
    }
    let mut list = List::default();
    let end = read(inner, 0, &mut list)?;
    match list.depth {
        0 => Ok(list.items),
        _ => Err(malformed("the list ends inside an element", Some(end))),
    }
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

/// What the event loop [`read`] tells: a document ([`Document`]) or a list ([`List`]).
trait Sink {
    /// A start tag (`empty` for `<a/>`) at byte `at`, its content starting at byte `after`.
    fn open(&mut self, name: String, empty: bool, at: usize, after: usize) -> Result<(), Error>;
    /// An end tag at byte `at`.
    fn close(&mut self, at: usize) -> Result<(), Error>;
    /// Text at byte `at`: escaped text (already unescaped), or `literal` (a CDATA section, a
    /// resolved reference) that is part of a value whatever it is.
    fn content(&mut self, text: &str, literal: bool, at: usize) -> Result<(), Error>;
}

/// Reads `text` (found at byte `base` of the input, for error offsets) into `sink`, refusing
/// DTDs and references other than the predefined entities and valid character references.
/// Returns the offset of the end.
fn read(text: &str, base: usize, sink: &mut impl Sink) -> Result<usize, Error> {
    let mut reader = Reader::from_str(text);
    loop {
        let at = base + reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| malformed(describe(&e), Some(base + reader.error_position() as usize)))?;
        let after = base + reader.buffer_position() as usize;
        match event {
            Event::Eof => return Ok(at),
            Event::DocType(_) => {
                return Err(malformed(
                    "a DOCTYPE (DTD) is not allowed: entities are never declared or expanded",
                    Some(at),
                ));
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Start(start) => sink.open(name(start.name().as_ref()), false, at, after)?,
            Event::Empty(start) => sink.open(name(start.name().as_ref()), true, at, after)?,
            Event::End(_) => sink.close(at)?,
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|_| malformed("the body is not UTF-8", Some(at)))?;
                sink.content(&text, false, at)?;
            }
            Event::CData(c) => {
                let text = c
                    .xml10_content()
                    .map_err(|_| malformed("the body is not UTF-8", Some(at)))?;
                sink.content(&text, true, at)?;
            }
            Event::GeneralRef(r) => {
                let c = resolve(&r).ok_or_else(|| {
                    malformed(
                        "an entity reference other than the predefined ones (lt, gt, amp, apos, quot) \
                         or a valid character reference",
                        Some(at),
                    )
                })?;
                sink.content(c.encode_utf8(&mut [0; 4]), true, at)?;
            }
        }
    }
}

/// Where the reader is in the document, and what it has read.
#[derive(Default)]
struct Document<'a> {
    /// The whole input (byte order mark included), for the raw text of nested lists.
    source: &'a str,
    /// 0: before or after the root; 1: in the root; 2: in a child; 3: in an item of a nested
    /// list; 4: in a member of such an item.
    depth: u8,
    root_seen: bool,
    /// The child being read.
    current: Option<Child>,
    map: BTreeMap<String, String>,
}

/// A child of the root being read.
#[derive(Default)]
struct Child {
    name: String,
    /// Its text so far (until it turns out to be a list).
    value: String,
    /// Whether a CDATA section or a reference is part of `value` (then it is text, not a list).
    literal: bool,
    /// Whether its content is elements: its value is then `source[start..end]`.
    list: bool,
    start: usize,
}

/// A nested list's shape error.
const MIXED: &str = "mixed content: a nested list or list item holds text beside its elements";
/// An element below a member.
const TOO_DEEP: &str =
    "an element nested too deep: APIv2 documents have at most list > item > member below the root";

/// Whether `text` is XML whitespace only.
fn blank(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

impl Sink for Document<'_> {
    fn open(&mut self, name: String, empty: bool, at: usize, after: usize) -> Result<(), Error> {
        match (self.depth, &mut self.current) {
            (0, _) if self.root_seen => return Err(malformed("more than one root element", Some(at))),
            (0, _) if name == "xml" || name == "root" => self.root_seen = true,
            (0, _) => {
                return Err(malformed(
                    "the root element is neither <xml> nor <root>",
                    Some(at),
                ));
            }
            (1, _) if empty => insert(&mut self.map, "", name, String::new(), at)?,
            (1, _) => {
                self.current = Some(Child {
                    name,
                    start: after,
                    ..Child::default()
                });
            }
            (2, Some(child)) if child.literal || !blank(&child.value) => {
                return Err(malformed(MIXED, Some(at)));
            }
            (2, Some(child)) => child.list = true,
            (3, _) => {}
            _ => return Err(malformed(TOO_DEEP, Some(at))),
        }
        self.depth += u8::from(!empty);
        Ok(())
    }

    fn close(&mut self, at: usize) -> Result<(), Error> {
        match self.depth {
            2 => {
                let child = self.current.take().unwrap_or_default();
                let value = match child.list {
                    true => self.source.get(child.start..at).unwrap_or_default().to_owned(),
                    false => child.value,
                };
                insert(&mut self.map, "", child.name, value, at)?;
            }
            1 | 3 | 4 => {}
            _ => return Err(malformed("an end tag without a start tag", Some(at))),
        }
        self.depth -= 1;
        Ok(())
    }

    fn content(&mut self, text: &str, literal: bool, at: usize) -> Result<(), Error> {
        match (self.depth, &mut self.current) {
            // A member's text is in the list's raw value.
            (4, _) => Ok(()),
            (2, Some(child)) if !child.list => {
                child.value.push_str(text);
                child.literal |= literal;
                Ok(())
            }
            _ if !literal && blank(text) => Ok(()),
            (2 | 3, _) => Err(malformed(MIXED, Some(at))),
            _ => Err(malformed("text outside the root's child elements", Some(at))),
        }
    }
}

impl Document<'_> {
    fn finish(self, at: usize) -> Result<BTreeMap<String, String>, Error> {
        match (self.root_seen, self.depth) {
            (true, 0) => Ok(self.map),
            (false, _) => Err(malformed("no root element", Some(at))),
            _ => Err(malformed("the document ends inside an element", Some(at))),
        }
    }
}

/// Where the reader is in a nested list's inner text, and what it has read.
#[derive(Default)]
struct List {
    /// 0: between items; 1: in an item; 2: in a member.
    depth: u8,
    items: Vec<BTreeMap<String, String>>,
    /// The item being read, and its member being read: its name and text so far.
    item: BTreeMap<String, String>,
    member: (String, String),
}

impl Sink for List {
    fn open(&mut self, name: String, empty: bool, at: usize, _after: usize) -> Result<(), Error> {
        match self.depth {
            0 if empty => self.items.push(BTreeMap::new()),
            1 if empty => insert(&mut self.item, IN_ITEM, name, String::new(), at)?,
            1 => self.member = (name, String::new()),
            0 => {}
            _ => return Err(malformed(TOO_DEEP, Some(at))),
        }
        self.depth += u8::from(!empty);
        Ok(())
    }

    fn close(&mut self, at: usize) -> Result<(), Error> {
        match self.depth {
            2 => {
                let (name, value) = std::mem::take(&mut self.member);
                insert(&mut self.item, IN_ITEM, name, value, at)?;
            }
            1 => self.items.push(std::mem::take(&mut self.item)),
            _ => return Err(malformed("an end tag without a start tag", Some(at))),
        }
        self.depth -= 1;
        Ok(())
    }

    fn content(&mut self, text: &str, literal: bool, at: usize) -> Result<(), Error> {
        match self.depth {
            2 => self.member.1.push_str(text),
            _ if !literal && blank(text) => {}
            1 => return Err(malformed(MIXED, Some(at))),
            _ => return Err(malformed("text outside the nested list's items", Some(at))),
        }
        Ok(())
    }
}

/// Where a duplicate member is (after its name in the error).
const IN_ITEM: &str = " in a nested list item";

/// Adds `name` to `map`, refusing a duplicate (`place` says where, after the name).
fn insert(
    map: &mut BTreeMap<String, String>,
    place: &str,
    name: String,
    value: String,
    at: usize,
) -> Result<(), Error> {
    if map.contains_key(&name) {
        // The element name is the docs' field name, not a value: it may be shown.
        return Err(malformed(&format!("duplicate field `{name}`{place}"), Some(at)));
    }
    map.insert(name, value);
    Ok(())
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

/// A [`TooLarge`](crate::ErrorKind::TooLarge) error about a body over `limit` bytes.
fn too_large(limit: usize) -> Error {
    Error::too_large("the XML body", limit as u64, "bytes", None, None)
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
