//! The pieces a Bag is made of: nodes, their values and their attributes.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::Bag;

/// What a node holds: a leaf (any JSON-like value) or a nested [`Bag`].
#[derive(Debug, Clone, PartialEq)]
pub enum BagValue {
    /// A leaf value.
    Leaf(Value),
    /// A nested Bag.
    Bag(Bag),
}

impl BagValue {
    /// The leaf value, or `None` for a nested Bag.
    pub fn as_leaf(&self) -> Option<&Value> {
        match self {
            BagValue::Leaf(value) => Some(value),
            BagValue::Bag(_) => None,
        }
    }

    /// The nested Bag, or `None` for a leaf.
    pub fn as_bag(&self) -> Option<&Bag> {
        match self {
            BagValue::Bag(bag) => Some(bag),
            BagValue::Leaf(_) => None,
        }
    }

    /// A borrowed view of this value.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            BagValue::Leaf(value) => ValueRef::Leaf(value),
            BagValue::Bag(bag) => ValueRef::Bag(bag),
        }
    }

    /// Converts any serializable value: a leaf, whatever its shape.
    pub fn serialize_from<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_value(value).map(BagValue::Leaf)
    }

    /// A short name of the kind of value, for error messages.
    pub fn kind(&self) -> &'static str {
        self.as_ref().kind()
    }
}

/// A borrowed node value or attribute value, as returned by [`Bag::get`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// A leaf value (or an attribute value).
    Leaf(&'a Value),
    /// A nested Bag.
    Bag(&'a Bag),
}

impl<'a> ValueRef<'a> {
    /// The leaf value, or `None` for a nested Bag.
    pub fn as_leaf(self) -> Option<&'a Value> {
        match self {
            ValueRef::Leaf(value) => Some(value),
            ValueRef::Bag(_) => None,
        }
    }

    /// The nested Bag, or `None` for a leaf.
    pub fn as_bag(self) -> Option<&'a Bag> {
        match self {
            ValueRef::Bag(bag) => Some(bag),
            ValueRef::Leaf(_) => None,
        }
    }

    /// The leaf as a string slice, if it is a JSON string.
    pub fn as_str(self) -> Option<&'a str> {
        self.as_leaf().and_then(Value::as_str)
    }

    /// The leaf as an `i64`, if it is an integer that fits.
    pub fn as_i64(self) -> Option<i64> {
        self.as_leaf().and_then(Value::as_i64)
    }

    /// The leaf as a `u64`, if it is a non-negative integer that fits.
    pub fn as_u64(self) -> Option<u64> {
        self.as_leaf().and_then(Value::as_u64)
    }

    /// The leaf as an `f64`, if it is a number.
    pub fn as_f64(self) -> Option<f64> {
        self.as_leaf().and_then(Value::as_f64)
    }

    /// The leaf as a `bool`, if it is one.
    pub fn as_bool(self) -> Option<bool> {
        self.as_leaf().and_then(Value::as_bool)
    }

    /// A short name of the kind of value, for error messages.
    pub fn kind(self) -> &'static str {
        match self {
            ValueRef::Bag(_) => "a nested bag",
            ValueRef::Leaf(Value::Null) => "null",
            ValueRef::Leaf(Value::Bool(_)) => "a boolean",
            ValueRef::Leaf(Value::Number(_)) => "a number",
            ValueRef::Leaf(Value::String(_)) => "a string",
            ValueRef::Leaf(Value::Array(_)) => "an array",
            ValueRef::Leaf(Value::Object(_)) => "an object",
        }
    }
}

impl From<Value> for BagValue {
    fn from(value: Value) -> Self {
        BagValue::Leaf(value)
    }
}

impl From<Bag> for BagValue {
    fn from(bag: Bag) -> Self {
        BagValue::Bag(bag)
    }
}

macro_rules! leaf_from {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for BagValue {
            fn from(value: $ty) -> Self {
                BagValue::Leaf(Value::from(value))
            }
        }
    )*};
}

leaf_from!(
    bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, String, &str
);

/// The ordered attributes of a node: name to leaf value, in insertion order.
///
/// Most nodes have none, so an empty set is a null pointer and a non-empty one a boxed
/// slice: 16 bytes per node instead of a vector's 24.
#[derive(Clone, Default)]
pub struct Attributes(Option<Box<[(String, Value)]>>);

impl Attributes {
    /// No attributes.
    pub const fn new() -> Self {
        Attributes(None)
    }

    fn entries(&self) -> &[(String, Value)] {
        self.0.as_deref().unwrap_or(&[])
    }

    /// Changes the entries as a vector (attributes change rarely; reads are the hot path).
    fn edit<R>(&mut self, change: impl FnOnce(&mut Vec<(String, Value)>) -> R) -> R {
        let mut entries = self.0.take().map(Vec::from).unwrap_or_default();
        let result = change(&mut entries);
        self.0 = (!entries.is_empty()).then(|| entries.into_boxed_slice());
        result
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Sets attribute `name`; an existing attribute keeps its position. Returns whether
    /// anything changed.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> bool {
        let name = name.into();
        let value = value.into();
        if let Some(entries) = self.0.as_deref_mut()
            && let Some((_, old)) = entries.iter_mut().find(|(n, _)| *n == name)
        {
            if *old == value {
                return false;
            }
            *old = value;
            return true;
        }
        self.edit(|entries| entries.push((name, value)));
        true
    }

    /// Removes attribute `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let index = self.entries().iter().position(|(n, _)| n == name)?;
        Some(self.edit(|entries| entries.remove(index)).1)
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The attributes in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries().iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Sets every attribute of `other` on `self`, in `other`'s order. Returns whether
    /// anything changed.
    pub fn extend_from(&mut self, other: &Attributes) -> bool {
        let mut changed = false;
        for (name, value) in other.entries() {
            changed |= self.set(name.clone(), value.clone());
        }
        changed
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.entries() == other.entries()
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Attributes").field(&self.entries()).finish()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut attributes = Attributes::new();
        for (name, value) in iter {
            attributes.set(name, value);
        }
        attributes
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a str, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a str, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries().iter().map(|(n, v)| (n.as_str(), v))
    }
}

/// One node of a Bag: a label unique in its level, a value and attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct BagNode {
    pub(crate) label: String,
    pub(crate) value: BagValue,
    pub(crate) attributes: Attributes,
}

impl BagNode {
    /// A node with no attributes.
    pub fn new(label: impl Into<String>, value: impl Into<BagValue>) -> Self {
        BagNode {
            label: label.into(),
            value: value.into(),
            attributes: Attributes::new(),
        }
    }

    /// The label, unique among the node's siblings.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The value.
    pub fn value(&self) -> &BagValue {
        &self.value
    }

    /// The attributes, in order.
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// Takes the node apart into label, value and attributes.
    pub fn into_parts(self) -> (String, BagValue, Attributes) {
        (self.label, self.value, self.attributes)
    }
}
