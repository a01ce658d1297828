//! Typed views of session data: the [`SessionData`] trait that
//! `#[derive(SessionData)]` implements, and the typed path handles it generates
//! ([`TypedPath`] for one value, [`MapPath`] for a map kept as a sub-Bag).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bag::{Bag, BagError, BagPath, BagValue, PathError, ValueRef};

/// A Rust struct whose fields live at paths of a session's data [`Bag`].
///
/// Implemented by `#[derive(SessionData)]` (see the `session-derive` crate), which
/// also generates a struct of typed path handles ([`SessionData::Paths`]). Several
/// structs with different roots can be typed views of one session's Bag.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `SessionData`",
    label = "not a SessionData struct",
    note = "add #[derive(SessionData)] to `{Self}`, or drop #[session(nested)] to store it as one value"
)]
pub trait SessionData: Sized {
    /// The typed path handles of the fields, one per stored field.
    type Paths;

    /// The typed path handles, addressing the struct at its root.
    fn paths() -> Self::Paths;

    /// The fields' full paths and Rust type names, in declaration order; a nested
    /// struct contributes its own fields, under its path.
    fn schema() -> Vec<SchemaField>;

    /// Reads the struct from `bag`: missing paths take the field's default; a value of
    /// the wrong type is a [`BagError::Type`] naming the path.
    fn from_bag(bag: &Bag) -> Result<Self, BagError>;

    /// Writes every field into `bag`. Fields equal to what the Bag holds are not
    /// changes, so a marked Bag records only the fields that changed; an `Option`
    /// field that became `None` and a map entry that disappeared are removed.
    fn write_to_bag(&self, bag: &mut Bag) -> Result<(), BagError>;

    /// Reads the struct from where `base` puts it. The derive overrides this; the
    /// default, for hand-written impls, reads the sub-Bag at a nested base.
    #[doc(hidden)]
    fn __read(bag: &Bag, base: __private::Base<'_>) -> Result<Self, BagError> {
        match base {
            __private::Base::Root => Self::from_bag(bag),
            __private::Base::At(path) => match bag.get_bag(path)? {
                Some(sub) => Self::from_bag(sub),
                None => Self::from_bag(&Bag::new()),
            },
        }
    }

    /// Writes the struct where `base` puts it. The derive overrides this; the
    /// default, for hand-written impls, sets each top-level node under a nested base.
    #[doc(hidden)]
    fn __write(&self, bag: &mut Bag, base: __private::Base<'_>) -> Result<(), BagError> {
        match base {
            __private::Base::Root => self.write_to_bag(bag),
            __private::Base::At(path) => {
                let mut own = Bag::new();
                self.write_to_bag(&mut own)?;
                for node in &own {
                    bag.set(&path.child(node.label.as_str())?, node.value.clone())?;
                }
                Ok(())
            }
        }
    }

    /// The path handles where `base` puts the struct. The default ignores a nested
    /// base; the derive overrides it.
    #[doc(hidden)]
    fn __paths(base: __private::Base<'_>) -> Self::Paths {
        let _ = base;
        Self::paths()
    }

    /// Appends the schema where `base` puts the struct.
    #[doc(hidden)]
    fn __schema(base: __private::Base<'_>, out: &mut Vec<SchemaField>) {
        for mut field in Self::schema() {
            if let __private::Base::At(prefix) = base {
                field.path = format!("{prefix}.{}", field.path);
            }
            out.push(field);
        }
    }
}

/// One entry of a [`SessionData::schema`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaField {
    /// The full Bag path of the field.
    pub path: String,
    /// The Rust type of the field, as written in the struct.
    pub type_name: &'static str,
}

/// A typed handle on one path: reads and writes values of type `T` only.
///
/// ```
/// use session_core::{Bag, TypedPath};
///
/// let visits: TypedPath<u32> = TypedPath::parse("stats.visits")?;
/// let mut bag = Bag::new();
/// assert_eq!(visits.get(&bag)?, None);
/// visits.set(&mut bag, &7)?;
/// assert_eq!(visits.get(&bag)?, Some(7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TypedPath<T> {
    path: BagPath,
    _type: PhantomData<fn() -> T>,
}

impl<T> TypedPath<T> {
    /// A handle on a parsed path.
    pub fn new(path: BagPath) -> Self {
        TypedPath {
            path,
            _type: PhantomData,
        }
    }

    /// A handle on a path given as text.
    pub fn parse(path: &str) -> Result<Self, PathError> {
        BagPath::parse(path).map(Self::new)
    }

    /// The path.
    pub fn path(&self) -> &BagPath {
        &self.path
    }
}

impl<T: Serialize + DeserializeOwned> TypedPath<T> {
    /// The value at the path, `None` when absent.
    pub fn get(&self, bag: &Bag) -> Result<Option<T>, BagError> {
        bag.get_as(&self.path)
    }

    /// Sets the value at the path.
    pub fn set(&self, bag: &mut Bag, value: &T) -> Result<(), BagError> {
        bag.set_as(&self.path, value)
    }

    /// Removes the value; `true` when it was there.
    pub fn remove(&self, bag: &mut Bag) -> Result<bool, BagError> {
        Ok(bag.remove(&self.path)?.is_some())
    }
}

impl<T> Clone for TypedPath<T> {
    fn clone(&self) -> Self {
        Self::new(self.path.clone())
    }
}

impl<T> fmt::Debug for TypedPath<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TypedPath<{}>({})",
            std::any::type_name::<T>(),
            self.path
        )
    }
}

/// A map with string keys that a session keeps as a sub-Bag, one node per key, so
/// that changing one entry writes one path.
///
/// Implemented for `BTreeMap<String, V>`, `HashMap<String, V, S>` and
/// `IndexMap<String, V, S>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be kept as a sub-Bag: it is not a map with `String` keys",
    label = "a sub-Bag map needs `String` keys",
    note = "use `BTreeMap<String, V>`, `HashMap<String, V>` or `IndexMap<String, V>`, or mark the field #[session(leaf)] to store it as one value"
)]
pub trait MapField: Default {
    /// The type of the map's values.
    type Value: Serialize + DeserializeOwned;

    /// The entries, in the map's iteration order.
    fn entries(&self) -> impl Iterator<Item = (&str, &Self::Value)>;

    /// True when the map has an entry for `key`.
    fn has_key(&self, key: &str) -> bool;

    /// Inserts an entry read from the Bag.
    fn insert_entry(&mut self, key: String, value: Self::Value);
}

impl<V: Serialize + DeserializeOwned> MapField for BTreeMap<String, V> {
    type Value = V;

    fn entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn has_key(&self, key: &str) -> bool {
        self.contains_key(key)
    }

    fn insert_entry(&mut self, key: String, value: V) {
        self.insert(key, value);
    }
}

impl<V: Serialize + DeserializeOwned, S: BuildHasher + Default> MapField for HashMap<String, V, S> {
    type Value = V;

    fn entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn has_key(&self, key: &str) -> bool {
        self.contains_key(key)
    }

    fn insert_entry(&mut self, key: String, value: V) {
        self.insert(key, value);
    }
}

impl<V: Serialize + DeserializeOwned, S: BuildHasher + Default> MapField
    for indexmap::IndexMap<String, V, S>
{
    type Value = V;

    fn entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn has_key(&self, key: &str) -> bool {
        self.contains_key(key)
    }

    fn insert_entry(&mut self, key: String, value: V) {
        self.insert(key, value);
    }
}

/// A typed handle on a map field kept as a sub-Bag: the whole map, or one entry.
///
/// ```
/// use std::collections::BTreeMap;
/// use session_core::{Bag, MapPath};
///
/// let notes: MapPath<BTreeMap<String, String>> = MapPath::parse("notes")?;
/// let mut bag = Bag::new();
/// notes.set_entry(&mut bag, "todo", &"milk".to_owned())?;
/// assert_eq!(bag.get_as::<String>("notes.todo")?.as_deref(), Some("milk"));
/// assert_eq!(notes.get(&bag)?.map(|m| m.len()), Some(1));
/// assert!(notes.remove_entry(&mut bag, "todo")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MapPath<M> {
    path: BagPath,
    _type: PhantomData<fn() -> M>,
}

impl<M> MapPath<M> {
    /// A handle on a parsed path.
    pub fn new(path: BagPath) -> Self {
        MapPath {
            path,
            _type: PhantomData,
        }
    }

    /// A handle on a path given as text.
    pub fn parse(path: &str) -> Result<Self, PathError> {
        BagPath::parse(path).map(Self::new)
    }

    /// The path of the sub-Bag.
    pub fn path(&self) -> &BagPath {
        &self.path
    }
}

impl<M: MapField> MapPath<M> {
    /// The handle on the entry `key` (any non-empty text: it is one label, dots and
    /// all).
    pub fn entry(&self, key: &str) -> Result<TypedPath<M::Value>, PathError> {
        self.path.child(key).map(TypedPath::new)
    }

    /// The whole map, `None` when the path is absent.
    pub fn get(&self, bag: &Bag) -> Result<Option<M>, BagError> {
        __private::read_map(bag, &self.path)
    }

    /// Writes the whole map: one node per entry; entries no longer in `map` are removed.
    pub fn set(&self, bag: &mut Bag, map: &M) -> Result<(), BagError> {
        __private::write_map(bag, &self.path, map)
    }

    /// The value of entry `key`, `None` when absent.
    pub fn get_entry(&self, bag: &Bag, key: &str) -> Result<Option<M::Value>, BagError> {
        self.entry(key)?.get(bag)
    }

    /// Sets entry `key`: one path written.
    pub fn set_entry(&self, bag: &mut Bag, key: &str, value: &M::Value) -> Result<(), BagError> {
        self.entry(key)?.set(bag, value)
    }

    /// Removes entry `key`; `true` when it was there.
    pub fn remove_entry(&self, bag: &mut Bag, key: &str) -> Result<bool, BagError> {
        self.entry(key)?.remove(bag)
    }
}

impl<M> Clone for MapPath<M> {
    fn clone(&self) -> Self {
        Self::new(self.path.clone())
    }
}

impl<M> fmt::Debug for MapPath<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MapPath<{}>({})", std::any::type_name::<M>(), self.path)
    }
}

/// Runtime support for the code `#[derive(SessionData)]` generates. Not a public API:
/// it changes without notice.
#[doc(hidden)]
pub mod __private {
    use super::*;

    pub use crate::bag::{Bag, BagError, BagPath};
    pub use crate::data::{MapField, MapPath, SchemaField, SessionData, TypedPath};
    pub use std::sync::OnceLock;

    /// Where a struct lives in the Bag: at its own root, or nested at a path.
    #[derive(Debug, Clone, Copy)]
    pub enum Base<'a> {
        /// At the struct's own `#[session(root)]` (the top of the Bag without one).
        Root,
        /// Nested at this path (the struct's own root is ignored).
        At(&'a BagPath),
    }

    /// A value a session field can hold: serde both ways. The derive bounds field
    /// types by this one trait (not by serde's two) so that a type that is not
    /// serializable gets one error, worded below.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be stored in a session: it does not implement serde's `Serialize` and `Deserialize`",
        label = "this field's type is not serde-serializable",
        note = "derive `serde::Serialize` and `serde::Deserialize` for it, or mark the field #[session(skip)]"
    )]
    pub trait FieldValue: Sized {
        /// Reads the value at `path`: `None` when absent.
        fn read(bag: &Bag, path: &BagPath) -> Result<Option<Self>, BagError>;

        /// Reads an `Option` of the value: `None` when absent, `Some(None)` for null.
        fn read_optional(bag: &Bag, path: &BagPath) -> Result<Option<Option<Self>>, BagError>;

        /// Writes the value at `path` (an equal value is not a change).
        fn write(&self, bag: &mut Bag, path: &BagPath) -> Result<(), BagError>;
    }

    #[diagnostic::do_not_recommend]
    impl<T: Serialize + DeserializeOwned> FieldValue for T {
        fn read(bag: &Bag, path: &BagPath) -> Result<Option<Self>, BagError> {
            bag.get_as(path)
        }

        fn read_optional(bag: &Bag, path: &BagPath) -> Result<Option<Option<Self>>, BagError> {
            bag.get_as(path)
        }

        fn write(&self, bag: &mut Bag, path: &BagPath) -> Result<(), BagError> {
            bag.set_as(path, self)
        }
    }

    /// The paths of a struct's fields, parsed once.
    #[derive(Debug)]
    pub struct PathTable {
        /// Paths relative to where the struct is nested.
        relative: Vec<BagPath>,
        /// Paths under the struct's root.
        full: Vec<BagPath>,
    }

    impl PathTable {
        /// Builds the table from label lists the derive has already validated.
        pub fn new(root: &[&str], fields: &[&[&str]]) -> Self {
            let relative: Vec<BagPath> = fields
                .iter()
                .map(|labels| {
                    BagPath::from_labels(labels.iter().copied()).expect("validated by the derive")
                })
                .collect();
            let full = match BagPath::from_labels(root.iter().copied()) {
                Some(root) => relative.iter().map(|rel| root.join(rel)).collect(),
                None => relative.clone(),
            };
            PathTable { relative, full }
        }

        /// The full path of field `index` where `base` puts the struct.
        pub fn at(&self, index: usize, base: Base<'_>) -> Cow<'_, BagPath> {
            match base {
                Base::Root => Cow::Borrowed(&self.full[index]),
                Base::At(prefix) => Cow::Owned(prefix.join(&self.relative[index])),
            }
        }
    }

    /// Reads a value field: `None` when the path is absent.
    pub fn read_value<T: FieldValue>(bag: &Bag, path: &BagPath) -> Result<Option<T>, BagError> {
        T::read(bag, path)
    }

    /// Reads an `Option` field: `None` when absent, `Some(None)` for a stored null.
    pub fn read_optional<T: FieldValue>(
        bag: &Bag,
        path: &BagPath,
    ) -> Result<Option<Option<T>>, BagError> {
        T::read_optional(bag, path)
    }

    /// Writes a value field (an equal value is not a change).
    pub fn write_value<T: FieldValue>(
        bag: &mut Bag,
        path: &BagPath,
        value: &T,
    ) -> Result<(), BagError> {
        value.write(bag, path)
    }

    /// Writes an `Option` field: `None` removes the path.
    pub fn write_optional<T: FieldValue>(
        bag: &mut Bag,
        path: &BagPath,
        value: &Option<T>,
    ) -> Result<(), BagError> {
        match value {
            Some(value) => value.write(bag, path),
            None => bag.remove(path).map(drop),
        }
    }

    /// Reads a map kept as a sub-Bag; a map stored whole as one leaf (by an older
    /// version of the struct) is read too.
    pub fn read_map<M: MapField>(bag: &Bag, path: &BagPath) -> Result<Option<M>, BagError> {
        let Some(found) = bag.get(path)? else {
            return Ok(None);
        };
        let sub = match found {
            ValueRef::Bag(sub) => sub,
            ValueRef::Leaf(leaf) => {
                let entries =
                    <BTreeMapOrOrdered<M::Value>>::deserialize_leaf(leaf).map_err(|err| {
                        BagError::Type {
                            path: path.to_string(),
                            expected: std::any::type_name::<M>(),
                            found: found.kind(),
                            message: err.to_string(),
                        }
                    })?;
                let mut map = M::default();
                for (key, value) in entries {
                    map.insert_entry(key, value);
                }
                return Ok(Some(map));
            }
        };
        let mut map = M::default();
        for node in sub {
            let value = match &node.value {
                BagValue::Leaf(leaf) => M::Value::deserialize(leaf),
                BagValue::Bag(inner) => M::Value::deserialize(&inner.to_plain_json()),
            };
            let value = value.map_err(|err| BagError::Type {
                path: path
                    .child(node.label.as_str())
                    .map_or_else(|_| path.to_string(), |p| p.to_string()),
                expected: std::any::type_name::<M::Value>(),
                found: node.value.kind(),
                message: err.to_string(),
            })?;
            map.insert_entry(node.label.clone(), value);
        }
        Ok(Some(map))
    }

    /// A map stored whole as one JSON object leaf, in the leaf's order.
    struct BTreeMapOrOrdered<V>(PhantomData<V>);

    impl<V: DeserializeOwned> BTreeMapOrOrdered<V> {
        fn deserialize_leaf(
            leaf: &serde_json::Value,
        ) -> Result<Vec<(String, V)>, serde_json::Error> {
            let object = serde_json::Map::<String, serde_json::Value>::deserialize(leaf)?;
            object
                .into_iter()
                .map(|(key, value)| V::deserialize(value).map(|value| (key, value)))
                .collect()
        }
    }

    /// Writes a map as a sub-Bag: one node per entry (an equal value is not a change),
    /// and entries no longer in the map are removed.
    pub fn write_map<M: MapField>(bag: &mut Bag, path: &BagPath, map: &M) -> Result<(), BagError> {
        let stale: Vec<String> = match bag.get(path)? {
            Some(ValueRef::Bag(sub)) => sub
                .labels()
                .filter(|label| !map.has_key(label))
                .map(str::to_owned)
                .collect(),
            Some(ValueRef::Leaf(_)) => {
                // An older version stored the map whole; it becomes a sub-Bag.
                bag.remove(path)?;
                Vec::new()
            }
            None => Vec::new(),
        };
        for label in stale {
            bag.remove(&path.child(label)?)?;
        }
        if bag.get(path)?.is_none() {
            bag.set(path, Bag::new())?;
        }
        for (key, value) in map.entries() {
            bag.set_as(&path.child(key)?, value)?;
        }
        Ok(())
    }

    use serde::Deserialize;
}
