//! The lossless serde form of a Bag, modelled on genro_bag's node list:
//! `[{"label": "a", "value": 1, "attr": {"x": 2}}, {"label": "b", "bag": [...]}]`.
//!
//! A leaf is written under `value` and a nested Bag under `bag`, so a leaf that
//! happens to be an array of objects is never mistaken for a Bag (genro_bag 0.28's
//! `from_json(to_json())` loses exactly that distinction). Attributes are a map
//! written and read in order; `attr` is left out when empty.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Attributes, Bag, BagNode, BagValue};

impl Serialize for Bag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.nodes.len()))?;
        for node in &self.nodes {
            seq.serialize_element(node)?;
        }
        seq.end()
    }
}

impl Serialize for BagNode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = if self.attributes.is_empty() { 2 } else { 3 };
        let mut node = serializer.serialize_struct("BagNode", fields)?;
        node.serialize_field("label", &self.label)?;
        match &self.value {
            BagValue::Leaf(value) => node.serialize_field("value", value)?,
            BagValue::Bag(bag) => node.serialize_field("bag", bag)?,
        }
        if !self.attributes.is_empty() {
            node.serialize_field("attr", &self.attributes)?;
        }
        node.end()
    }
}

impl Serialize for BagValue {
    /// A leaf serializes as itself, a Bag as its node list; used by change sets,
    /// which carry the kind of value next to it.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        enum Tagged<'a> {
            #[serde(rename = "value")]
            Leaf(&'a Value),
            #[serde(rename = "bag")]
            Bag(&'a Bag),
        }
        match self {
            BagValue::Leaf(value) => Tagged::Leaf(value).serialize(serializer),
            BagValue::Bag(bag) => Tagged::Bag(bag).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for BagValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        enum Tagged {
            #[serde(rename = "value")]
            Leaf(Value),
            #[serde(rename = "bag")]
            Bag(Bag),
        }
        Ok(match Tagged::deserialize(deserializer)? {
            Tagged::Leaf(value) => BagValue::Leaf(value),
            Tagged::Bag(bag) => BagValue::Bag(bag),
        })
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttributesVisitor;

        impl<'de> Visitor<'de> for AttributesVisitor {
            type Value = Attributes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute names to values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut attributes = Attributes::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if attributes.get(&name).is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate attribute `{name}`"
                        )));
                    }
                    attributes.set(name, value);
                }
                Ok(attributes)
            }
        }

        deserializer.deserialize_map(AttributesVisitor)
    }
}

impl<'de> Deserialize<'de> for Bag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BagVisitor;

        impl<'de> Visitor<'de> for BagVisitor {
            type Value = Bag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of Bag nodes ({\"label\", \"value\" or \"bag\", \"attr\"})")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bag, A::Error> {
                let mut bag = Bag::new();
                while let Some(node) = seq.next_element::<BagNode>()? {
                    if bag.nodes.iter().any(|n| n.label == node.label) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate label `{}` in one level of a Bag",
                            node.label
                        )));
                    }
                    bag.nodes.push(node);
                }
                Ok(bag)
            }
        }

        deserializer.deserialize_seq(BagVisitor)
    }
}

impl<'de> Deserialize<'de> for BagNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Field {
            Label,
            Value,
            Bag,
            Attr,
        }

        struct NodeVisitor;

        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = BagNode;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Bag node ({\"label\", \"value\" or \"bag\", \"attr\"})")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BagNode, A::Error> {
                let mut label: Option<String> = None;
                let mut value: Option<BagValue> = None;
                let mut attributes: Option<Attributes> = None;
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Label if label.is_none() => label = Some(map.next_value()?),
                        Field::Value if value.is_none() => {
                            value = Some(BagValue::Leaf(map.next_value()?));
                        }
                        Field::Bag if value.is_none() => {
                            value = Some(BagValue::Bag(map.next_value()?));
                        }
                        Field::Attr if attributes.is_none() => {
                            attributes = Some(map.next_value()?);
                        }
                        Field::Value | Field::Bag => {
                            return Err(de::Error::custom(
                                "a Bag node holds exactly one of `value` and `bag`",
                            ));
                        }
                        Field::Label => return Err(de::Error::duplicate_field("label")),
                        Field::Attr => return Err(de::Error::duplicate_field("attr")),
                    }
                }
                let label = label.ok_or_else(|| de::Error::missing_field("label"))?;
                if label.is_empty() {
                    return Err(de::Error::custom("a Bag node label cannot be empty"));
                }
                let value = value.ok_or_else(|| {
                    de::Error::custom(format_args!(
                        "Bag node `{label}` has neither `value` nor `bag`"
                    ))
                })?;
                Ok(BagNode {
                    label,
                    value,
                    attributes: attributes.unwrap_or_default(),
                })
            }
        }

        deserializer.deserialize_struct("BagNode", &["label", "value", "bag", "attr"], NodeVisitor)
    }
}
