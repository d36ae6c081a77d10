//! The APIv2 body: `<xml><name>value</name>…</xml>`, read with quick-xml (no DTD, so no entity
//! expansion) and written with CDATA values. One documented answer nests a list
//! (`<hblist><hbinfo><openid>…</openid>…</hbinfo>…</hblist>` of `POST
//! /mmpaymkttransfers/gethbinfo`): such a field's value is [`NESTED_LIST`] then its inner XML.

use std::collections::BTreeMap;
use std::io::Cursor;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};

/// The parameters of an APIv2 body: element name → text, sorted by name (byte-wise, the order
/// signs are computed in).
pub type Params = BTreeMap<String, String>;

/// Starts a [`Params`] value that is a nested list's inner XML, written and read as elements
/// (`<hbinfo>…</hbinfo>…`), not as text: U+0001, a character no XML 1.0 text can hold (not
/// even as a reference), so no text value is ever taken for a list.
pub const NESTED_LIST: &str = "\u{1}";

/// A field being read.
#[derive(Default)]
struct Field {
    name: String,
    text: String,
    /// Where its content starts in the body, and whether it is elements (a nested list).
    start: usize,
    list: bool,
}

/// Reads an APIv2 body: a root element `<xml>` whose children are elements holding text
/// (plain, escaped or CDATA, possibly mixed), or a nested list (items holding members of text,
/// whitespace between them), read as [`NESTED_LIST`] then the list's inner XML as written. An
/// XML declaration, comments and whitespace between elements are allowed; attributes are
/// ignored.
///
/// # Errors
/// A message saying what is wrong: not well-formed XML, a `<!DOCTYPE>` (refused: entity
/// expansion is a classic XXE vector, and WeChat Pay never sends one), a root other than
/// `<xml>`, an element nested inside a list member (APIv2 bodies are at most list > item >
/// member below the root; indexed lists are `name_0`, `name_1` siblings), text beside the
/// elements of a list or item, a field given twice, an unknown entity, or text outside the
/// fields.
pub fn parse_xml(body: &str) -> Result<Params, String> {
    let mut reader = Reader::from_str(body);
    let mut params = Params::new();
    // Depth 0: before the root; 1: inside `<xml>`; 2: inside a field; 3: inside an item of a
    // nested list; 4: inside a member of that item.
    let mut depth = 0usize;
    let mut field: Option<Field> = None;
    let mut done = false;
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| format!("not well-formed XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::DocType(_) => return Err("a DOCTYPE is not allowed".to_owned()),
            Event::Start(start) | Event::Empty(start) if done => {
                return Err(format!(
                    "element <{}> after the root element",
                    String::from_utf8_lossy(start.name().as_ref())
                ));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                let name = element_name(start)?;
                match (depth, field.as_mut()) {
                    (0, _) if name == "xml" => match empty {
                        true => done = true,
                        false => depth = 1,
                    },
                    (0, _) => return Err(format!("the root element is <{name}>, not <xml>")),
                    (1, _) if empty => insert(&mut params, name, String::new())?,
                    (1, _) => {
                        let start = reader.buffer_position() as usize;
                        field = Some(Field {
                            name,
                            start,
                            ..Field::default()
                        });
                        depth = 2;
                    }
                    (2 | 3, Some(list)) => {
                        if depth == 2 && !list.text.trim().is_empty() {
                            return Err(format!(
                                "text beside the elements of the nested list <{}>",
                                list.name
                            ));
                        }
                        list.list = true;
                        depth += usize::from(!empty);
                    }
                    (_, parent) => {
                        let parent = parent.map_or("", |f| f.name.as_str());
                        return Err(format!(
                            "element <{name}> nested in a member of <{parent}>: APIv2 bodies are \
                             flat, or list > item > member at most"
                        ));
                    }
                }
            }
            Event::End(_) => match depth {
                3 | 4 => depth -= 1,
                2 => {
                    let closed = field.take().unwrap_or_default();
                    let value = match closed.list {
                        true => format!("{NESTED_LIST}{}", body.get(closed.start..at).unwrap_or_default()),
                        false => closed.text,
                    };
                    insert(&mut params, closed.name, value)?;
                    depth = 1;
                }
                _ => {
                    depth = 0;
                    done = true;
                }
            },
            Event::Text(text) => {
                let text = text.xml10_content().map_err(|e| format!("bad text: {e}"))?;
                push_text(&mut field, depth, &text)?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|e| format!("bad CDATA: {e}"))?;
                push_text(&mut field, depth, &text)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.decode().map_err(|e| e.to_string())?;
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                push_text(&mut field, depth, &resolved)?;
            }
            Event::Eof if done => return Ok(params),
            Event::Eof => return Err("the document ends before </xml>".to_owned()),
        }
    }
}

fn element_name(start: &BytesStart<'_>) -> Result<String, String> {
    String::from_utf8(start.name().as_ref().to_vec()).map_err(|_| "an element name is not UTF-8".to_owned())
}

fn insert(params: &mut Params, name: String, value: String) -> Result<(), String> {
    if params.contains_key(&name) {
        return Err(format!("field {name} given twice"));
    }
    params.insert(name, value);
    Ok(())
}

/// Appends text to the open field; a member's text is part of its list's raw XML; whitespace
/// between fields, items and members is ignored, other text there is an error.
fn push_text(field: &mut Option<Field>, depth: usize, text: &str) -> Result<(), String> {
    match (field, depth) {
        (_, 4) => Ok(()),
        (Some(field), 2) if !field.list => {
            field.text.push_str(text);
            Ok(())
        }
        _ if text.trim().is_empty() => Ok(()),
        (Some(list), 2 | 3) => Err(format!(
            "text {:?} beside the elements of the nested list <{}>",
            text.trim(),
            list.name
        )),
        _ => Err(format!("text {:?} outside a field", text.trim())),
    }
}

/// Writes an APIv2 body: `<xml><name><![CDATA[value]]></name>…</xml>`, in the order given (so
/// `sign` can come last), each value in CDATA (escaped text when it holds `]]>`), but a value
/// starting with [`NESTED_LIST`] (made by [`nested_list`]), written as the elements that follow.
///
/// Names are written as given: they must be XML names (the model's field names are).
pub fn to_xml<K: AsRef<str>, V: AsRef<str>>(params: impl IntoIterator<Item = (K, V)>) -> String {
    let mut writer = Writer::new(Cursor::new(Vec::new()));
    // Writing to a Vec cannot fail.
    let _ = writer.write_event(Event::Start(BytesStart::new("xml")));
    for (name, value) in params {
        let (name, value) = (name.as_ref(), value.as_ref());
        match value.strip_prefix(NESTED_LIST) {
            Some(inner) => {
                let _ = writer.write_event(Event::Start(BytesStart::new(name)));
                let _ = writer.write_event(Event::Text(BytesText::from_escaped(inner)));
                let _ = writer.write_event(Event::End(BytesEnd::new(name)));
            }
            None => write_field(&mut writer, name, value),
        }
    }
    let _ = writer.write_event(Event::End(BytesEnd::new("xml")));
    String::from_utf8(writer.into_inner().into_inner()).unwrap_or_default()
}

/// A nested list's value for [`to_xml`]: [`NESTED_LIST`] then one `<{item}>` element per item
/// of `items`, holding its members as [`to_xml`] writes fields, e.g. `nested_list("hbinfo",
/// …)` → `"\u{1}<hbinfo><openid><![CDATA[o1]]></openid>…</hbinfo>…"`.
pub fn nested_list(item: &str, items: &[Vec<(String, String)>]) -> String {
    let mut writer = Writer::new(Cursor::new(Vec::new()));
    for members in items {
        let _ = writer.write_event(Event::Start(BytesStart::new(item)));
        for (name, value) in members {
            write_field(&mut writer, name, value);
        }
        let _ = writer.write_event(Event::End(BytesEnd::new(item)));
    }
    let inner = String::from_utf8(writer.into_inner().into_inner()).unwrap_or_default();
    format!("{NESTED_LIST}{inner}")
}

/// Writes `<name>value</name>`: the value in CDATA, or escaped text when it holds `]]>`.
fn write_field(writer: &mut Writer<Cursor<Vec<u8>>>, name: &str, value: &str) {
    // Writing to a Vec cannot fail.
    let _ = writer.write_event(Event::Start(BytesStart::new(name)));
    let _ = if value.contains("]]>") {
        writer.write_event(Event::Text(BytesText::new(value)))
    } else {
        writer.write_event(Event::CData(BytesCData::new(value)))
    };
    let _ = writer.write_event(Event::End(BytesEnd::new(name)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_cdata_and_escaped_values() {
        let body = "<?xml version=\"1.0\"?>\n<xml>\n  <a><![CDATA[x<y]]></a>\n  <b>1 &amp; 2&#x21;</b><c/><d></d>\n</xml>\n";
        let params = parse_xml(body).unwrap();
        assert_eq!(params["a"], "x<y");
        assert_eq!(params["b"], "1 & 2!");
        assert_eq!(params["c"], "");
        assert_eq!(params["d"], "");
    }

    #[test]
    fn refuses_doctype_nesting_duplicates_and_other_roots() {
        let xxe = "<!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><a>&e;</a></xml>";
        assert!(parse_xml(xxe).unwrap_err().contains("DOCTYPE"));
        assert!(
            parse_xml("<xml><a><b>1</b></a></xml>")
                .unwrap_err()
                .contains("nested")
        );
        assert!(
            parse_xml("<xml><a>1</a><a>2</a></xml>")
                .unwrap_err()
                .contains("twice")
        );
        assert!(parse_xml("<root><a>1</a></root>").unwrap_err().contains("root"));
        assert!(parse_xml("<xml><a>1</a>").is_err());
        assert!(parse_xml("<xml><a>1</b></xml>").is_err());
        assert!(
            parse_xml("<xml>stray<a>1</a></xml>")
                .unwrap_err()
                .contains("outside")
        );
        assert!(parse_xml("<xml><a>&nope;</a></xml>").is_err());
    }

    #[test]
    fn nested_lists_are_written_and_read_as_elements() {
        let item = |openid: &str| {
            vec![
                ("openid".to_owned(), openid.to_owned()),
                ("amount".to_owned(), "1".to_owned()),
            ]
        };
        let hblist = nested_list("hbinfo", &[item("o1"), item("a]]>b")]);
        let xml = to_xml([("status", "RECEIVED"), ("hblist", hblist.as_str())]);
        assert_eq!(
            xml,
            "<xml><status><![CDATA[RECEIVED]]></status><hblist><hbinfo><openid><![CDATA[o1]]></openid>\
             <amount><![CDATA[1]]></amount></hbinfo><hbinfo><openid>a]]&gt;b</openid>\
             <amount><![CDATA[1]]></amount></hbinfo></hblist></xml>"
        );
        let back = parse_xml(&xml).unwrap();
        assert_eq!(back["hblist"], hblist);
        assert_eq!(
            to_xml(&back),
            to_xml([("hblist", hblist.as_str()), ("status", "RECEIVED")])
        );
        let spaced = "<xml><l>\n <i>\n  <m>1</m>\n </i>\n <i/>\n</l></xml>";
        assert_eq!(
            parse_xml(spaced).unwrap()["l"],
            format!("{NESTED_LIST}\n <i>\n  <m>1</m>\n </i>\n <i/>\n")
        );
        assert!(
            parse_xml("<xml><l><i><m><x/></m></i></l></xml>")
                .unwrap_err()
                .contains("nested")
        );
        assert!(
            parse_xml("<xml><l>x<i/></l></xml>")
                .unwrap_err()
                .contains("beside")
        );
        assert!(
            parse_xml("<xml><l><i/>x</l></xml>")
                .unwrap_err()
                .contains("beside")
        );
        assert!(
            parse_xml("<xml><l><i>x<m/></i></l></xml>")
                .unwrap_err()
                .contains("beside")
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let pairs = [("b", "中文 & <tag>"), ("a", "x]]>y"), ("sign", "ABC")];
        let xml = to_xml(pairs);
        assert!(xml.starts_with("<xml><b><![CDATA[中文 & <tag>]]></b>"), "{xml}");
        assert!(xml.ends_with("<sign><![CDATA[ABC]]></sign></xml>"), "{xml}");
        let back = parse_xml(&xml).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back["a"], "x]]>y");
        assert_eq!(back["b"], "中文 & <tag>");
    }
}
