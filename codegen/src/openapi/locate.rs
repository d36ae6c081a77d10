//! Positions of JSON pointers in the YAML text.
//!
//! `serde_norway` keeps no positions in its values, but it attaches the position of the node
//! being read to any error a visitor raises there. So a pointer is located by deserializing the
//! text with a seed that walks down the pointer's segments (ignoring every other member) and
//! fails on purpose at the target node (or, when a segment does not exist, at the nearest
//! existing ancestor): the error's location is the node's line and column. This handles flow
//! and block style, quoting and aliases exactly as the parser does.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::diag::Span;

/// The 1-based line and column of the node `pointer` names (its value: the scalar, or the first
/// member of a mapping), or of its nearest existing ancestor; `None` when the text does not parse.
pub(crate) fn locate(text: &str, pointer: &[String]) -> Option<Span> {
    let seek = Seek {
        rest: pointer,
        goal: Goal::Position,
    };
    match seek.deserialize(serde_norway::Deserializer::from_str(text)) {
        Ok(_) => None,
        Err(err) => err.location().map(|l| Span {
            line: u32::try_from(l.line()).unwrap_or(u32::MAX),
            column: u32::try_from(l.column()).unwrap_or(u32::MAX),
        }),
    }
}

/// The keys of the mapping `pointer` names, in the order they are written; empty when there is
/// no such mapping.
pub(crate) fn keys(text: &str, pointer: &[String]) -> Vec<String> {
    let seek = Seek {
        rest: pointer,
        goal: Goal::Keys,
    };
    seek.deserialize(serde_norway::Deserializer::from_str(text))
        .unwrap_or_default()
}

/// What to do at the target node.
#[derive(Clone, Copy)]
enum Goal {
    /// Fail there, so that the error carries its position.
    Position,
    /// Return the keys of the mapping there.
    Keys,
}

/// The message of the deliberate error (never shown).
const HERE: &str = "located";

/// Walks down `rest`, then reaches `goal`.
struct Seek<'p> {
    rest: &'p [String],
    goal: Goal,
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = Vec<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<String>, D::Error> {
        if self.rest.is_empty() {
            deserializer.deserialize_any(Target(self.goal))
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping or sequence")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
        let mut found = None;
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if found.is_none() && key == self.rest[0] {
                found = Some(map.next_value_seed(Seek {
                    rest: &self.rest[1..],
                    goal: self.goal,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        found.map_or_else(|| self.missing(), Ok)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let wanted = self.rest[0].parse::<usize>().ok();
        let mut found = None;
        let mut index = 0usize;
        loop {
            if Some(index) == wanted && found.is_none() {
                let seek = Seek {
                    rest: &self.rest[1..],
                    goal: self.goal,
                };
                match seq.next_element_seed(seek)? {
                    Some(keys) => found = Some(keys),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            index += 1;
        }
        found.map_or_else(|| self.missing(), Ok)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<String>, E> {
        self.missing()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<String>, E> {
        self.missing()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<String>, E> {
        self.missing()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<String>, E> {
        self.missing()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<String>, E> {
        self.missing()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        self.missing()
    }
}

impl Seek<'_> {
    /// The next segment does not exist under this node: its position is the nearest one.
    fn missing<E: de::Error>(&self) -> Result<Vec<String>, E> {
        match self.goal {
            Goal::Position => Err(E::custom(HERE)),
            Goal::Keys => Ok(Vec::new()),
        }
    }
}

/// The visitor of the target node.
struct Target(Goal);

impl<'de> Visitor<'de> for Target {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
        if let Goal::Position = self.0 {
            return Err(de::Error::custom(HERE));
        }
        let mut keys = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            map.next_value::<IgnoredAny>()?;
            keys.push(key);
        }
        Ok(keys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Vec<String>, A::Error> {
        self.scalar()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<String>, E> {
        self.scalar()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<String>, E> {
        self.scalar()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<String>, E> {
        self.scalar()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<String>, E> {
        self.scalar()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<String>, E> {
        self.scalar()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        self.scalar()
    }
}

impl Target {
    /// A node that is not a mapping: its position, or no keys.
    fn scalar<E: de::Error>(&self) -> Result<Vec<String>, E> {
        match self.0 {
            Goal::Position => Err(E::custom(HERE)),
            Goal::Keys => Ok(Vec::new()),
        }
    }
}

/// A mapping key as text, whatever scalar it is written as (`'200'` or `200`).
struct Key(String);

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// Reads a [`Key`].
struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.to_owned()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        Ok(Key("null".to_owned()))
    }
}
