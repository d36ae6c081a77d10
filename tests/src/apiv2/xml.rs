//! The APIv2 body: a flat `<xml><name>value</name>…</xml>` document, read with quick-xml (no
//! DTD, so no entity expansion) and written with CDATA values.

use std::collections::BTreeMap;
use std::io::Cursor;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};

/// The parameters of an APIv2 body: element name → text, sorted by name (byte-wise, the order
/// signs are computed in).
pub type Params = BTreeMap<String, String>;

/// Reads an APIv2 body: a root element `<xml>` whose children are elements holding text
/// (plain, escaped or CDATA, possibly mixed). An XML declaration, comments and whitespace
/// between elements are allowed; attributes are ignored.
///
/// # Errors
/// A message saying what is wrong: not well-formed XML, a `<!DOCTYPE>` (refused: entity
/// expansion is a classic XXE vector, and WeChat Pay never sends one), a root other than
/// `<xml>`, an element nested inside a field (the APIv2 bodies are flat; indexed lists are
/// `name_0`, `name_1` siblings), a field given twice, an unknown entity, or text outside the
/// fields.
pub fn parse_xml(body: &str) -> Result<Params, String> {
    let mut reader = Reader::from_str(body);
    let mut params = Params::new();
    // Depth 0: before the root; 1: inside `<xml>`; 2: inside a field.
    let mut depth = 0usize;
    let mut field: Option<(String, String)> = None;
    let mut done = false;
    loop {
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
            Event::Start(start) => {
                let name = element_name(&start)?;
                match depth {
                    0 if name == "xml" => depth = 1,
                    0 => return Err(format!("the root element is <{name}>, not <xml>")),
                    1 => {
                        field = Some((name, String::new()));
                        depth = 2;
                    }
                    _ => {
                        let parent = field.as_ref().map_or("", |(n, _)| n.as_str());
                        return Err(format!(
                            "element <{name}> nested in <{parent}>: APIv2 bodies are flat"
                        ));
                    }
                }
            }
            Event::Empty(start) => {
                let name = element_name(&start)?;
                match depth {
                    0 if name == "xml" => done = true,
                    0 => return Err(format!("the root element is <{name}>, not <xml>")),
                    1 => insert(&mut params, name, String::new())?,
                    _ => {
                        let parent = field.as_ref().map_or("", |(n, _)| n.as_str());
                        return Err(format!(
                            "element <{name}> nested in <{parent}>: APIv2 bodies are flat"
                        ));
                    }
                }
            }
            Event::End(_) => match depth {
                2 => {
                    let (name, value) = field.take().unwrap_or_default();
                    insert(&mut params, name, value)?;
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

/// Appends text to the open field; whitespace between fields is ignored, other text outside a
/// field is an error.
fn push_text(field: &mut Option<(String, String)>, depth: usize, text: &str) -> Result<(), String> {
    match field {
        Some((_, value)) if depth == 2 => {
            value.push_str(text);
            Ok(())
        }
        _ if text.trim().is_empty() => Ok(()),
        _ => Err(format!("text {:?} outside a field", text.trim())),
    }
}

/// Writes an APIv2 body: `<xml><name><![CDATA[value]]></name>…</xml>`, in the order given (so
/// `sign` can come last), each value in CDATA (escaped text when it holds `]]>`).
///
/// Names are written as given: they must be XML names (the model's field names are).
pub fn to_xml<K: AsRef<str>, V: AsRef<str>>(params: impl IntoIterator<Item = (K, V)>) -> String {
    let mut writer = Writer::new(Cursor::new(Vec::new()));
    // Writing to a Vec cannot fail.
    let _ = writer.write_event(Event::Start(BytesStart::new("xml")));
    for (name, value) in params {
        let (name, value) = (name.as_ref(), value.as_ref());
        let _ = writer.write_event(Event::Start(BytesStart::new(name)));
        let _ = if value.contains("]]>") {
            writer.write_event(Event::Text(BytesText::new(value)))
        } else {
            writer.write_event(Event::CData(BytesCData::new(value)))
        };
        let _ = writer.write_event(Event::End(BytesEnd::new(name)));
    }
    let _ = writer.write_event(Event::End(BytesEnd::new("xml")));
    String::from_utf8(writer.into_inner().into_inner()).unwrap_or_default()
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
