//! JSDoc, as the webhook pages write it: `@typedef Name` followed by `@prop {type} name` tags in a
//! `/** … */` comment, and the closure-compiler type expressions inside the braces
//! (`string`, `number`, `'A'|'B'`, `{a: string, b?: number}[]=`).
//!
//! Source: <https://jsdoc.app/tags-typedef> and <https://jsdoc.app/tags-type>.

use crate::ir::{Field, Type};

/// The deepest nesting of a type expression accepted (objects, lists, parentheses).
pub const MAX_DEPTH: usize = 64;

/// One `@typedef` and its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typedef {
    /// The type's name (`PlainObject`).
    pub name: String,
    /// Byte offset of the `@typedef` tag in the block.
    pub at: usize,
    /// Its `@prop` / `@property` tags, in order.
    pub props: Vec<Prop>,
}

/// One `@prop {type} name` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prop {
    /// The property's name (`transaction_id`, `wechatpay-nonce`).
    pub name: String,
    /// The type expression between the braces.
    pub ty: String,
    /// Byte offset of the type expression in the block.
    pub ty_at: usize,
    /// Byte offset of the tag in the block.
    pub at: usize,
}

/// A line of a typedef comment that was not understood, with why: reported as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// Byte offset in the block.
    pub at: usize,
    /// What was wrong and what was done about it.
    pub message: String,
}

/// The typedefs of the first `/** … */` comment of `block` that declares any, and the lines of
/// that comment that are neither tags nor blank.
pub fn typedefs(block: &str) -> (Vec<Typedef>, Vec<Stray>) {
    let mut defs: Vec<Typedef> = Vec::new();
    let mut strays = Vec::new();
    let mut in_comment = false;
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.trim();
        if !in_comment {
            in_comment = trimmed.starts_with("/**") && !trimmed.ends_with("*/");
            continue;
        }
        if trimmed.starts_with("*/") || trimmed.ends_with("*/") {
            if !defs.is_empty() {
                break;
            }
            in_comment = false;
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let content = trimmed.strip_prefix('*').unwrap_or(trimmed);
        let content_at = at + lead + (trimmed.len() - content.len());
        let text = content.trim_start();
        let text_at = content_at + (content.len() - text.len());
        if let Some(name) = text.strip_prefix("@typedef") {
            defs.push(Typedef {
                name: name.trim().trim_start_matches('{').trim().to_owned(),
                at: text_at,
                props: Vec::new(),
            });
        } else if let Some(rest) = text
            .strip_prefix("@property")
            .or_else(|| text.strip_prefix("@prop"))
        {
            let rest_at = text_at + (text.len() - rest.len());
            match (prop(rest, rest_at), defs.last_mut()) {
                (Ok((prop, fixed)), Some(def)) => {
                    if let Some(message) = fixed {
                        strays.push(Stray { at: prop.at, message });
                    }
                    def.props.push(prop);
                }
                (Err(message), _) => strays.push(Stray { at: text_at, message }),
                (Ok(_), None) => strays.push(Stray {
                    at: text_at,
                    message: "a `@prop` before any `@typedef`; ignored".to_owned(),
                }),
            }
        } else if !text.is_empty() && !defs.is_empty() {
            strays.push(Stray {
                at: text_at,
                message: format!("`{text}` is not a JSDoc tag (missing `* @prop {{type}}`); ignored"),
            });
        }
    }
    (defs, strays)
}

/// Parses the part of a `@prop` tag after the tag name: ` {type} name`. Returns the property
/// and, when an upstream slip was repaired, what it was.
fn prop(rest: &str, rest_at: usize) -> Result<(Prop, Option<String>), String> {
    let trimmed = rest.trim_start();
    let open = rest_at + (rest.len() - trimmed.len());
    let Some(inner) = trimmed.strip_prefix('{') else {
        return Err("a `@prop` without a `{type}`; ignored".to_owned());
    };
    let mut depth = 1usize;
    let mut close = None;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return Err("the `{type}` of this `@prop` is never closed; ignored".to_owned());
    };
    let mut ty = inner[..close].to_owned();
    let mut after = inner[close + 1..].trim_start();
    let mut fixed = None;
    // `{a: 'X', b: string}} name`: the object's own `{` is missing.
    if let Some(name) = after.strip_prefix('}') {
        ty = format!("{{{ty}}}");
        after = name.trim_start();
        fixed = Some("this `@prop` type lacks the `{` that opens its object; read as `{{…}}`".to_owned());
    }
    let name: String = after
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_matches(|c| c == '[' || c == ']')
        .to_owned();
    if name.is_empty() {
        return Err("a `@prop` without a name; ignored".to_owned());
    }
    Ok((
        Prop {
            name,
            ty,
            ty_at: open + 1,
            at: rest_at,
        },
        fixed,
    ))
}

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The type. `{}`, `object` and `*` are [`Type::Json`]: the docs give no shape.
    pub ty: Type,
    /// The expression ends in `=` (an optional property).
    pub optional: bool,
}

/// Parses a type expression.
///
/// # Errors
/// The byte offset in `src` of the first thing not understood, and why: an unknown type name,
/// a union mixing strings and numbers with other types, an unclosed brace, nesting deeper than
/// [`MAX_DEPTH`].
pub fn parse_type(src: &str) -> Result<Parsed, (usize, String)> {
    let mut p = TypeParser {
        src,
        pos: 0,
        depth: 0,
    };
    p.skip();
    if p.eat('?') {
        p.skip();
    }
    let ty = p.union()?;
    p.skip();
    let optional = p.eat('=');
    p.skip();
    if p.pos < src.len() {
        return Err((p.pos, format!("unexpected `{}` in the type", p.rest_char())));
    }
    Ok(Parsed { ty, optional })
}

struct TypeParser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

/// One member of a union before the union is resolved.
enum Part {
    Literal(String),
    Number(i64),
    Type(Type),
}

impl TypeParser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn rest_char(&self) -> char {
        self.rest().chars().next().unwrap_or(' ')
    }

    fn skip(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, (usize, String)> {
        Err((self.pos, message.into()))
    }

    fn union(&mut self) -> Result<Type, (usize, String)> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("the type is nested deeper than {MAX_DEPTH} levels"));
        }
        let start = self.pos;
        let mut parts = vec![self.postfix()?];
        loop {
            self.skip();
            if !self.eat('|') {
                break;
            }
            self.skip();
            parts.push(self.postfix()?);
        }
        self.depth -= 1;
        resolve(parts).ok_or((
            start,
            "a union the model cannot express (only string literals, \
             number literals, or literals with their base type)"
                .to_owned(),
        ))
    }

    fn postfix(&mut self) -> Result<Part, (usize, String)> {
        let mut part = self.primary()?;
        loop {
            self.skip();
            if self.rest().starts_with("[]") {
                self.pos += 2;
                let items = match part {
                    Part::Type(t) => t,
                    Part::Literal(_) => Type::String,
                    Part::Number(_) => Type::Integer,
                };
                part = Part::Type(Type::Array {
                    items: Box::new(items),
                });
            } else {
                return Ok(part);
            }
        }
    }

    fn primary(&mut self) -> Result<Part, (usize, String)> {
        self.skip();
        let c = self.rest_char();
        if c == '\'' || c == '"' {
            self.pos += 1;
            let Some(end) = self.rest().find(c) else {
                return self.error("an unclosed string literal");
            };
            let value = self.rest()[..end].to_owned();
            self.pos += end + 1;
            return Ok(Part::Literal(value));
        }
        if c == '{' {
            self.pos += 1;
            return self.object().map(Part::Type);
        }
        if c == '(' {
            self.pos += 1;
            let ty = self.union()?;
            self.skip();
            if !self.eat(')') {
                return self.error("expected `)`");
            }
            return Ok(Part::Type(ty));
        }
        if c == '-' || c.is_ascii_digit() {
            let len = self.rest()[1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(self.rest().len(), |n| n + 1);
            let number = self.rest()[..len].parse::<i64>();
            return match number {
                Ok(n) => {
                    self.pos += len;
                    Ok(Part::Number(n))
                }
                Err(_) => self.error("a number literal that is not an integer"),
            };
        }
        if c == '*' {
            self.pos += 1;
            return Ok(Part::Type(Type::Json));
        }
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(self.rest().len());
        let word = &self.rest()[..len];
        let ty = match word {
            "string" | "String" => Type::String,
            "number" | "Number" | "integer" => Type::Integer,
            "boolean" | "bool" | "Boolean" => Type::Boolean,
            "object" | "Object" | "any" => Type::Json,
            "Array" => {
                self.pos += len;
                self.skip();
                if !self.eat('<') {
                    return Ok(Part::Type(Type::Array {
                        items: Box::new(Type::Json),
                    }));
                }
                let items = self.union()?;
                self.skip();
                if !self.eat('>') {
                    return self.error("expected `>`");
                }
                return Ok(Part::Type(Type::Array {
                    items: Box::new(items),
                }));
            }
            "" => return self.error("expected a type"),
            other => return self.error(format!("unknown type `{other}`")),
        };
        self.pos += len;
        Ok(Part::Type(ty))
    }

    /// An object type after its `{`: `name?: type` members separated by `,` or `;`.
    fn object(&mut self) -> Result<Type, (usize, String)> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("the type is nested deeper than {MAX_DEPTH} levels"));
        }
        let mut fields: Vec<Field> = Vec::new();
        loop {
            self.skip();
            if self.eat('}') {
                break;
            }
            let len = self
                .rest()
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '$'))
                .unwrap_or(self.rest().len());
            if len == 0 {
                return self.error("expected a member name or `}`");
            }
            let name = self.rest()[..len].to_owned();
            self.pos += len;
            self.skip();
            let optional = self.eat('?');
            self.skip();
            if !self.eat(':') {
                return self.error(format!("expected `:` after `{name}`"));
            }
            let ty = self.union()?;
            self.skip();
            let optional = optional | self.eat('=');
            if fields.iter().any(|f| f.name == name) {
                return self.error(format!("member `{name}` is declared twice"));
            }
            let mut field = Field::new(name, ty);
            field.optional = optional;
            fields.push(field);
            self.skip();
            if !(self.eat(',') || self.eat(';')) {
                self.skip();
                if !self.eat('}') {
                    return self.error("expected `,` or `}`");
                }
                break;
            }
        }
        self.depth -= 1;
        Ok(if fields.is_empty() {
            Type::Json
        } else {
            Type::Object { fields }
        })
    }
}

/// The type of a union: string literals → an enum (with `string` too: still the enum, which is
/// open), number literals → an integer enum, one type → itself.
fn resolve(parts: Vec<Part>) -> Option<Type> {
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    let mut types = Vec::new();
    for part in parts {
        match part {
            Part::Literal(s) => {
                if !strings.contains(&s) {
                    strings.push(s);
                }
            }
            Part::Number(n) => {
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
            Part::Type(t) => {
                if !types.contains(&t) {
                    types.push(t);
                }
            }
        }
    }
    match (strings.is_empty(), numbers.is_empty(), types.as_slice()) {
        (false, true, []) | (false, true, [Type::String]) => Some(Type::Enum { values: strings }),
        (true, false, []) | (true, false, [Type::Integer]) => Some(Type::IntegerEnum { values: numbers }),
        (true, true, [one]) => Some(one.clone()),
        (true, true, [Type::String, Type::Integer] | [Type::Integer, Type::String]) => {
            Some(Type::StringOrNumber)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        parse_type(src).expect("parses").ty
    }

    #[test]
    fn scalars_literals_lists_and_objects() {
        assert_eq!(ty("string"), Type::String);
        assert_eq!(ty("number"), Type::Integer);
        assert_eq!(ty("bool"), Type::Boolean);
        assert_eq!(ty("{}"), Type::Json);
        assert_eq!(
            ty("'A' | 'B'"),
            Type::Enum {
                values: vec!["A".into(), "B".into()]
            }
        );
        let parsed = parse_type("{amount:number, currency?: 'CNY'}[]=").unwrap();
        assert!(parsed.optional);
        let Type::Array { items } = parsed.ty else {
            panic!("list")
        };
        let Type::Object { fields } = *items else {
            panic!("object")
        };
        assert_eq!(fields[0], Field::new("amount", Type::Integer));
        assert!(fields[1].optional);
        assert_eq!(parse_type("?string").unwrap().ty, Type::String);
    }

    #[test]
    fn errors_point_at_their_offset() {
        assert_eq!(parse_type("strin").unwrap_err().0, 0);
        assert_eq!(parse_type("{a: string").unwrap_err().0, 10);
        assert!(parse_type("'A'|{a: string}").is_err());
        let deep = format!("{}string{}", "{a:".repeat(100), "}".repeat(100));
        assert!(parse_type(&deep).unwrap_err().1.contains("deeper"));
    }

    #[test]
    fn typedefs_with_their_props_and_the_slips_repaired() {
        let block = "/**\n * @typedef Plain\n * @prop {string} id\n * @prop {x: 'A', y: string}} info\n\
                     stray\n */\nvar x;\n";
        let (defs, strays) = typedefs(block);
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].name, "Plain");
        assert_eq!(defs[0].props[0].name, "id");
        assert_eq!(&block[defs[0].props[0].ty_at..][..6], "string");
        assert_eq!(defs[0].props[1].name, "info");
        assert_eq!(defs[0].props[1].ty, "{x: 'A', y: string}");
        assert_eq!(strays.len(), 2);
        assert!(strays[1].message.contains("`stray`"));
    }
}
