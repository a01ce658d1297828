//! The stored form of a session's data Bag and of a change set, as the Lua scripts
//! read and write them.
//!
//! A level is a JSON list of nodes `{"l": label, "v": leaf, "a": attributes}` or
//! `{"l": label, "b": [nodes], "a": attributes}`. A leaf (`v`) and the attributes
//! (`a`, left out when empty) are JSON *text* carried inside a JSON string: the Lua
//! side (Redis' cjson) moves them around without parsing them, so big integers,
//! float digits, key order of leaf objects, attribute order and empty arrays all
//! survive exactly. cjson writes an empty list as `{}`; reading accepts both.
//!
//! A change set is a JSON list of `{"p": [labels], "v" | "b", "a"}` (set) and
//! `{"p": [labels], "r": true}` (removed). Paths are lists of raw labels, so labels
//! holding dots, `#` or `?` need no escaping.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use session_core::bag::{Attributes, BagValue, Change, ChangeSet, Segment};
use session_core::{Bag, BagPath, StoreError};

/// The stored form of `bag`.
pub(crate) fn encode_bag(bag: &Bag) -> Result<String, StoreError> {
    serde_json::to_string(&Level(bag)).map_err(encode_error)
}

/// The Bag back from its stored form.
pub(crate) fn decode_bag(stored: &str) -> Result<Bag, StoreError> {
    serde_json::from_str::<StoredLevel>(stored)
        .map(|level| level.0)
        .map_err(|err| StoreError::Codec {
            action: "decoded",
            message: format!("stored session data is not a valid Bag: {err}"),
        })
}

/// The stored form of a change set, for the save script.
pub(crate) fn encode_changes(changes: &ChangeSet) -> Result<String, StoreError> {
    for change in changes {
        if !change.path().is_label_only() {
            return Err(StoreError::Codec {
                action: "encoded",
                message: format!(
                    "change path `{}` holds a `#N` index; change sets carry label paths",
                    change.path()
                ),
            });
        }
    }
    serde_json::to_string(&Changes(changes)).map_err(encode_error)
}

fn encode_error(err: serde_json::Error) -> StoreError {
    StoreError::Codec {
        action: "encoded",
        message: err.to_string(),
    }
}

/// Serializes one level of a Bag as a list of nodes.
struct Level<'a>(&'a Bag);

impl Serialize for Level<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for node in self.0 {
            seq.serialize_element(&Node {
                label: Some(node.label()),
                path: None,
                value: node.value(),
                attributes: node.attributes(),
            })?;
        }
        seq.end()
    }
}

/// A node, or a set change (the same fields, with a path instead of a label).
struct Node<'a> {
    label: Option<&'a str>,
    path: Option<&'a BagPath>,
    value: &'a BagValue,
    attributes: &'a Attributes,
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(label) = self.label {
            map.serialize_entry("l", label)?;
        }
        if let Some(path) = self.path {
            map.serialize_entry("p", &Labels(path))?;
        }
        match self.value {
            BagValue::Leaf(leaf) => map.serialize_entry("v", &json_text(leaf)?)?,
            BagValue::Bag(bag) => map.serialize_entry("b", &Level(bag))?,
        }
        if !self.attributes.is_empty() {
            map.serialize_entry("a", &json_text(self.attributes)?)?;
        }
        map.end()
    }
}

fn json_text<T: Serialize + ?Sized, E: serde::ser::Error>(value: &T) -> Result<String, E> {
    serde_json::to_string(value).map_err(E::custom)
}

struct Labels<'a>(&'a BagPath);

impl Serialize for Labels<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let segments = self.0.segments();
        let mut seq = serializer.serialize_seq(Some(segments.len()))?;
        for segment in segments {
            match segment {
                Segment::Label(label) => seq.serialize_element(label)?,
                Segment::Index(_) => {
                    return Err(serde::ser::Error::custom("index in a change path"));
                }
            }
        }
        seq.end()
    }
}

struct Changes<'a>(&'a ChangeSet);

impl Serialize for Changes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for change in self.0 {
            match change {
                Change::Set {
                    path,
                    value,
                    attributes,
                } => seq.serialize_element(&Node {
                    label: None,
                    path: Some(path),
                    value,
                    attributes,
                })?,
                Change::Removed { path } => seq.serialize_element(&Removed(path))?,
            }
        }
        seq.end()
    }
}

struct Removed<'a>(&'a BagPath);

impl Serialize for Removed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("p", &Labels(self.0))?;
        map.serialize_entry("r", &true)?;
        map.end()
    }
}

/// A stored level read back into a Bag.
struct StoredLevel(Bag);

impl<'de> Deserialize<'de> for StoredLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LevelVisitor;

        impl<'de> Visitor<'de> for LevelVisitor {
            type Value = StoredLevel;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of stored Bag nodes")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StoredLevel, A::Error> {
                let mut bag = Bag::new();
                while let Some(node) = seq.next_element::<StoredNode>()? {
                    let path = BagPath::from_labels([node.l.as_str()])
                        .ok_or_else(|| de::Error::custom("a stored node has an empty label"))?;
                    if bag.contains(&path).unwrap_or(false) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate label `{}` in one level",
                            node.l
                        )));
                    }
                    let value = match (node.v, node.b) {
                        (Some(text), None) => BagValue::Leaf(
                            serde_json::from_str::<Value>(&text).map_err(de::Error::custom)?,
                        ),
                        (None, Some(level)) => BagValue::Bag(level.0),
                        _ => {
                            return Err(de::Error::custom(format_args!(
                                "stored node `{}` must hold exactly one of `v` and `b`",
                                node.l
                            )));
                        }
                    };
                    let attributes = match node.a {
                        Some(text) => serde_json::from_str::<Map<String, Value>>(&text)
                            .map_err(de::Error::custom)?,
                        None => Map::new(),
                    };
                    bag.set_with_attributes(&path, value, attributes)
                        .map_err(de::Error::custom)?;
                }
                Ok(StoredLevel(bag))
            }

            // cjson encodes an empty Lua table, an empty list included, as `{}`.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredLevel, A::Error> {
                match map.next_key::<de::IgnoredAny>()? {
                    None => Ok(StoredLevel(Bag::new())),
                    Some(_) => Err(de::Error::custom(
                        "a stored level is a list of nodes (or `{}` when empty)",
                    )),
                }
            }
        }

        deserializer.deserialize_any(LevelVisitor)
    }
}

#[derive(Deserialize)]
struct StoredNode {
    l: String,
    v: Option<String>,
    b: Option<StoredLevel>,
    a: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Bag {
        let mut bag = Bag::new();
        bag.set("z", 1).unwrap();
        bag.set("a.b", json!([{"y": 1, "x": [], "w": {}}])).unwrap();
        bag.set("a.c", Value::Null).unwrap();
        bag.set("a?zeta", 1).unwrap();
        bag.set("a?alpha", json!({"q": 2, "p": 1})).unwrap();
        bag.set("big", u64::MAX).unwrap();
        bag.set("float", 0.1 + 0.2).unwrap();
        bag.set(r"fichier\.txt", "é ✓ \u{1F600}").unwrap();
        bag.set("empty", Bag::new()).unwrap();
        bag
    }

    #[test]
    fn bag_round_trips_exactly() {
        let bag = sample();
        let stored = encode_bag(&bag).unwrap();
        let back = decode_bag(&stored).unwrap();
        assert_eq!(back, bag);
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&bag).unwrap(),
            "same order everywhere, leaf objects and attributes included"
        );
    }

    #[test]
    fn cjson_empty_levels_read_as_empty() {
        let bag = decode_bag(r#"[{"l":"x","b":{}}]"#).unwrap();
        assert_eq!(bag.get_bag("x").unwrap().map(Bag::len), Some(0));
        assert!(decode_bag("{}").unwrap().is_empty());
        assert!(decode_bag(r#"{"l":"x"}"#).is_err());
    }

    #[test]
    fn malformed_nodes_are_codec_errors() {
        for bad in [
            r#"[{"l":"x"}]"#,
            r#"[{"l":"x","v":"1","b":[]}]"#,
            r#"[{"l":"","v":"1"}]"#,
            r#"[{"l":"x","v":"1"},{"l":"x","v":"2"}]"#,
            r#"[{"l":"x","v":"not json"}]"#,
            "nope",
        ] {
            assert!(
                matches!(decode_bag(bad), Err(StoreError::Codec { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn changes_carry_raw_labels() {
        let mut bag = Bag::new();
        bag.mark();
        bag.set(r"notes.a\.b", "x").unwrap();
        bag.set("gone", 1).unwrap();
        bag.remove("gone").unwrap();
        let text = encode_changes(&bag.changes()).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!([
                {"p": ["notes"], "b": [{"l": "a.b", "v": "\"x\""}]},
                {"p": ["gone"], "r": true}
            ])
        );
    }
}
