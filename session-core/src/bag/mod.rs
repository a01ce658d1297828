//! The Bag: an ordered, path-addressed tree whose nodes carry attributes (a port of
//! genro_bag's model).
//!
//! Each level holds nodes with unique labels, in insertion order. A node has a label,
//! a [`BagValue`] (a JSON-like leaf or a nested Bag) and ordered [`Attributes`].
//! Paths address nodes and attributes; see [`BagPath`].
//!
//! ```
//! use session_core::bag::Bag;
//!
//! let mut bag = Bag::new();
//! bag.set("user.name", "Ada")?;
//! bag.set("user.visits", 3)?;
//! bag.set("user?role", "admin")?;          // an attribute of node `user`
//!
//! assert_eq!(bag.get("user.name")?.and_then(|v| v.as_str()), Some("Ada"));
//! assert_eq!(bag.get_as::<u32>("user.#1")?, Some(3));   // the second node of `user`
//! assert_eq!(bag.get_as::<String>("user?role")?.as_deref(), Some("admin"));
//!
//! let paths: Vec<String> = bag.walk().map(|(path, _)| path.to_string()).collect();
//! assert_eq!(paths, ["user", "user.name", "user.visits"]);
//! # Ok::<(), session_core::bag::BagError>(())
//! ```
//!
//! Lookups scan a level's nodes in order, which is the fastest layout for the small
//! levels session state is made of; a level of thousands of nodes still works, in
//! linear time per step.

mod changes;
mod compare;
mod node;
mod path;
mod serde_impl;

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use changes::{Change, ChangeSet};
pub use node::{Attributes, BagNode, BagValue, ValueRef};
pub use path::{AsBagPath, BagPath, PathError, Segment, escape_label};

use changes::Tracker;

/// What went wrong in a Bag operation, with the path it concerned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BagError {
    /// The path text could not be parsed.
    #[error(transparent)]
    Path(#[from] PathError),
    /// A step of the path went through a leaf, where a nested Bag was needed.
    #[error("cannot go through `{path}`: it holds {found}, not a nested bag")]
    NotABag {
        /// The path up to the leaf.
        path: String,
        /// What the node holds.
        found: &'static str,
    },
    /// A `#N` step pointed past the end of its level.
    #[error("index #{index} in `{path}` is out of range: that level has {len} node(s)")]
    IndexOutOfRange {
        /// The whole path.
        path: String,
        /// The index asked for.
        index: usize,
        /// The number of nodes in that level.
        len: usize,
    },
    /// The node an attribute belongs to does not exist.
    #[error("no node at `{path}` to hold attribute `{attribute}`")]
    NoSuchNode {
        /// The node path.
        path: String,
        /// The attribute asked for.
        attribute: String,
    },
    /// An attribute was given a nested Bag, which attributes cannot hold.
    #[error("attribute `{path}` cannot hold a nested bag: attributes are leaf values")]
    BagInAttribute {
        /// The attribute path.
        path: String,
    },
    /// A value did not have the type asked for.
    #[error("`{path}` holds {found}, which is not a valid {expected}: {message}")]
    Type {
        /// The path read.
        path: String,
        /// The Rust type asked for.
        expected: &'static str,
        /// What the path holds.
        found: &'static str,
        /// The deserializer's explanation.
        message: String,
    },
    /// A value could not be turned into a Bag value.
    #[error("cannot store a value at `{path}`: {message}")]
    Serialize {
        /// The path written.
        path: String,
        /// The serializer's explanation.
        message: String,
    },
}

/// An ordered tree of labelled nodes with attributes. See the [module docs](self).
#[derive(Default)]
pub struct Bag {
    nodes: Vec<BagNode>,
    // Inline, not boxed: marking a Bag (every request that loads a session does) then
    // costs no allocation.
    tracker: Option<Tracker>,
}

impl Clone for Bag {
    /// Clones the nodes. Change tracking is not cloned: the copy starts unmarked.
    fn clone(&self) -> Self {
        Bag {
            nodes: self.nodes.clone(),
            tracker: None,
        }
    }
}

impl PartialEq for Bag {
    /// Two Bags are equal when their nodes are, in order; change tracking is ignored.
    fn eq(&self, other: &Self) -> bool {
        self.nodes == other.nodes
    }
}

impl fmt::Debug for Bag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for node in &self.nodes {
            match &node.value {
                BagValue::Leaf(value) => map.entry(&node.label, value),
                BagValue::Bag(bag) => map.entry(&node.label, bag),
            };
        }
        map.finish()
    }
}

/// Where a resolved step landed.
enum Step {
    Found(usize),
    Missing,
}

impl Bag {
    /// An empty Bag.
    pub const fn new() -> Self {
        Bag {
            nodes: Vec::new(),
            tracker: None,
        }
    }

    /// A Bag of these top-level nodes, unmarked (for stores that keep nodes only).
    pub(crate) fn from_nodes(nodes: Vec<BagNode>) -> Self {
        Bag {
            nodes,
            tracker: None,
        }
    }

    /// The top-level nodes; change tracking is dropped.
    pub(crate) fn into_nodes(self) -> Vec<BagNode> {
        self.nodes
    }

    /// Number of nodes at the top level.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the top level has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The top-level nodes, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, BagNode> {
        self.nodes.iter()
    }

    /// The top-level labels, in order.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = &str> {
        self.nodes.iter().map(|n| n.label.as_str())
    }

    /// A depth-first, pre-order walk over every node, with its full path.
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            stack: vec![(None, self.nodes.iter())],
        }
    }

    fn position(&self, segment: &Segment) -> Step {
        match segment {
            Segment::Label(label) => match self.nodes.iter().position(|n| n.label == *label) {
                Some(i) => Step::Found(i),
                None => Step::Missing,
            },
            Segment::Index(i) if *i < self.nodes.len() => Step::Found(*i),
            Segment::Index(_) => Step::Missing,
        }
    }

    fn node_at(&self, segments: &[Segment]) -> Result<Option<&BagNode>, BagError> {
        let mut bag = self;
        let mut node = None;
        for (depth, segment) in segments.iter().enumerate() {
            if depth > 0 {
                let parent: &BagNode = node.expect("set on the previous step");
                bag = match &parent.value {
                    BagValue::Bag(inner) => inner,
                    BagValue::Leaf(_) => return Ok(None),
                };
            }
            node = match bag.position(segment) {
                Step::Found(i) => Some(&bag.nodes[i]),
                Step::Missing => return Ok(None),
            };
        }
        Ok(node)
    }

    /// The node at `path` (an attribute part, if any, is ignored).
    pub fn get_node(&self, path: impl AsBagPath) -> Result<Option<&BagNode>, BagError> {
        let path = path.as_bag_path()?;
        self.node_at(path.segments())
    }

    /// The value at `path`, or the attribute when the path ends in `?name`.
    ///
    /// A path that goes through a leaf, or names a missing node, gives `Ok(None)`.
    pub fn get(&self, path: impl AsBagPath) -> Result<Option<ValueRef<'_>>, BagError> {
        let path = path.as_bag_path()?;
        let Some(node) = self.node_at(path.segments())? else {
            return Ok(None);
        };
        Ok(match path.attribute() {
            Some(name) => node.attributes.get(name).map(ValueRef::Leaf),
            None => Some(node.value.as_ref()),
        })
    }

    /// The nested Bag at `path`, if that node holds one.
    pub fn get_bag(&self, path: impl AsBagPath) -> Result<Option<&Bag>, BagError> {
        Ok(self.get(path)?.and_then(ValueRef::as_bag))
    }

    /// The value at `path` deserialized as `T`; a nested Bag deserializes from its
    /// plain form (see [`Bag::to_plain_json`]). `Ok(None)` when the path is absent.
    pub fn get_as<T: DeserializeOwned>(&self, path: impl AsBagPath) -> Result<Option<T>, BagError> {
        let parsed = path.as_bag_path()?;
        let Some(found) = self.get(&*parsed)? else {
            return Ok(None);
        };
        let result = match found {
            ValueRef::Leaf(value) => T::deserialize(value),
            ValueRef::Bag(bag) => T::deserialize(&bag.to_plain_json()),
        };
        result.map(Some).map_err(|err| BagError::Type {
            path: parsed.to_string(),
            expected: std::any::type_name::<T>(),
            found: found.kind(),
            message: err.to_string(),
        })
    }

    /// True when a node (or, for `?name`, an attribute) exists at `path`.
    pub fn contains(&self, path: impl AsBagPath) -> Result<bool, BagError> {
        Ok(self.get(path)?.is_some())
    }

    /// Sets the value at `path`, creating intermediate Bags. Updating an existing label
    /// keeps its position and attributes; a new label is appended. A path ending in
    /// `?name` sets that attribute of an existing node.
    pub fn set(
        &mut self,
        path: impl AsBagPath,
        value: impl Into<BagValue>,
    ) -> Result<(), BagError> {
        let path = path.as_bag_path()?;
        let value = value.into();
        match path.attribute() {
            Some(name) => match value {
                BagValue::Leaf(leaf) => self.set_attr(&*path.node_path(), name, leaf),
                BagValue::Bag(_) => Err(BagError::BagInAttribute {
                    path: path.to_string(),
                }),
            },
            None => self.set_node(&path, value, None, false),
        }
    }

    /// Serializes `value` and sets it at `path` as a leaf.
    pub fn set_as<T: Serialize + ?Sized>(
        &mut self,
        path: impl AsBagPath,
        value: &T,
    ) -> Result<(), BagError> {
        let parsed = path.as_bag_path()?;
        // Writing back a typed struct sets every field; most hold what they held. Those
        // are found equal without building a value, so they cost no allocation.
        if parsed.attribute().is_none()
            && let Ok(Some(BagNode {
                value: BagValue::Leaf(current),
                ..
            })) = self.node_at(parsed.segments())
            && compare::serializes_to(value, current)
        {
            return Ok(());
        }
        let value = BagValue::serialize_from(value).map_err(|err| BagError::Serialize {
            path: parsed.to_string(),
            message: err.to_string(),
        })?;
        self.set(&*parsed, value)
    }

    /// Sets the value at `path` and sets (adds or updates) the given attributes on it.
    pub fn set_with_attributes<K, V>(
        &mut self,
        path: impl AsBagPath,
        value: impl Into<BagValue>,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(), BagError>
    where
        K: Into<String>,
        V: Into<Value>,
    {
        let path = path.as_bag_path()?;
        if path.attribute().is_some() {
            return Err(PathError::WrongKind {
                path: path.to_string(),
                problem: "names an attribute; set_with_attributes needs a node path",
            }
            .into());
        }
        let attributes: Attributes = attributes.into_iter().collect();
        self.set_node(&path, value.into(), Some(&attributes), false)
    }

    /// Walks to the parent level of `path`, creating Bags when `create` is set (and
    /// replacing leaves on the way when `force` is set). Returns the parent and the
    /// canonical label path walked so far, when tracking needs it.
    fn set_node(
        &mut self,
        path: &BagPath,
        value: BagValue,
        attributes: Option<&Attributes>,
        force: bool,
    ) -> Result<(), BagError> {
        let tracking = self.tracker.is_some();
        // The record names nodes by label. A label-only path already does, and is
        // recorded as it is (a shared copy); `#N` steps are resolved along the way.
        let build_canonical = tracking && !path.is_label_only();
        let mut canonical: Vec<Segment> = Vec::new();
        // A node created by this call is recorded whole at the topmost new level, so
        // that replaying the change set creates it at the same position.
        let mut created_at_depth: Option<usize> = None;
        let (parents, last) = path.split_last();
        let mut bag: &mut Bag = self;
        for (depth, segment) in parents.iter().enumerate() {
            let index = match bag.position(segment) {
                Step::Found(i) => i,
                Step::Missing => match segment {
                    Segment::Label(label) => {
                        bag.nodes.push(BagNode::new(label.clone(), Bag::new()));
                        created_at_depth.get_or_insert(depth);
                        bag.nodes.len() - 1
                    }
                    Segment::Index(index) => {
                        return Err(BagError::IndexOutOfRange {
                            path: path.to_string(),
                            index: *index,
                            len: bag.nodes.len(),
                        });
                    }
                },
            };
            let node = &mut bag.nodes[index];
            if build_canonical {
                canonical.push(Segment::Label(node.label.clone()));
            }
            if let BagValue::Leaf(leaf) = &node.value {
                if !force {
                    let found = BagValue::Leaf(leaf.clone()).kind();
                    return Err(BagError::NotABag {
                        path: BagPath::from_segments(path.segments()[..=depth].to_vec())
                            .to_string(),
                        found,
                    });
                }
                node.value = BagValue::Bag(Bag::new());
            }
            bag = match &mut node.value {
                BagValue::Bag(inner) => inner,
                BagValue::Leaf(_) => unreachable!("replaced by a bag just above"),
            };
        }
        let changed = match bag.position(last) {
            Step::Found(i) => {
                let node = &mut bag.nodes[i];
                let mut changed = false;
                if node.value != value {
                    node.value = value;
                    changed = true;
                }
                if let Some(attributes) = attributes {
                    changed |= node.attributes.extend_from(attributes);
                }
                // The label is copied for the record only when there is one to make.
                if build_canonical && changed {
                    canonical.push(Segment::Label(node.label.clone()));
                }
                changed
            }
            Step::Missing => match last {
                Segment::Label(label) => {
                    if build_canonical {
                        canonical.push(last.clone());
                    }
                    let mut node = BagNode::new(label.clone(), value);
                    if let Some(attributes) = attributes {
                        node.attributes = attributes.clone();
                    }
                    bag.nodes.push(node);
                    true
                }
                Segment::Index(index) => {
                    return Err(BagError::IndexOutOfRange {
                        path: path.to_string(),
                        index: *index,
                        len: bag.nodes.len(),
                    });
                }
            },
        };
        if changed && let Some(tracker) = &mut self.tracker {
            let recorded = if build_canonical {
                if let Some(depth) = created_at_depth {
                    canonical.truncate(depth + 1);
                }
                BagPath::from_segments(canonical)
            } else {
                match created_at_depth {
                    Some(depth) if depth + 1 < path.segments().len() => {
                        BagPath::from_segments(path.segments()[..=depth].to_vec())
                    }
                    _ => path.node_path().into_owned(),
                }
            };
            tracker.record_set(recorded);
        }
        Ok(())
    }

    fn node_mut(&mut self, segments: &[Segment]) -> Option<(&mut BagNode, Vec<Segment>)> {
        let mut canonical = Vec::with_capacity(segments.len());
        let (first, rest) = segments.split_first()?;
        let Step::Found(i) = self.position(first) else {
            return None;
        };
        let mut node = &mut self.nodes[i];
        canonical.push(Segment::Label(node.label.clone()));
        for segment in rest {
            let BagValue::Bag(bag) = &mut node.value else {
                return None;
            };
            let Step::Found(i) = bag.position(segment) else {
                return None;
            };
            node = &mut bag.nodes[i];
            canonical.push(Segment::Label(node.label.clone()));
        }
        Some((node, canonical))
    }

    /// Removes the node at `path` and returns it (genro_bag's `pop`).
    pub fn remove(&mut self, path: impl AsBagPath) -> Result<Option<BagNode>, BagError> {
        let path = path.as_bag_path()?;
        if path.attribute().is_some() {
            return Err(PathError::WrongKind {
                path: path.to_string(),
                problem: "names an attribute; use remove_attr to remove one",
            }
            .into());
        }
        let (parents, last) = path.split_last();
        let (parent, mut canonical) = if parents.is_empty() {
            (self as &mut Bag, Vec::new())
        } else {
            match self.node_mut(parents) {
                Some((
                    BagNode {
                        value: BagValue::Bag(bag),
                        ..
                    },
                    canonical,
                )) => (bag, canonical),
                _ => return Ok(None),
            }
        };
        let Step::Found(index) = parent.position(last) else {
            return Ok(None);
        };
        let node = parent.nodes.remove(index);
        if let Some(tracker) = &mut self.tracker {
            canonical.push(Segment::Label(node.label.clone()));
            tracker.record_removed(BagPath::from_segments(canonical));
        }
        Ok(Some(node))
    }

    /// Attribute `name` of the node at `path`.
    pub fn get_attr(&self, path: impl AsBagPath, name: &str) -> Result<Option<&Value>, BagError> {
        let path = path.as_bag_path()?;
        Ok(self
            .node_at(path.segments())?
            .and_then(|node| node.attributes.get(name)))
    }

    /// Sets attribute `name` of the existing node at `path`.
    pub fn set_attr(
        &mut self,
        path: impl AsBagPath,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<(), BagError> {
        let path = path.as_bag_path()?;
        let value = value.into();
        let Some((node, canonical)) = self.node_mut(path.segments()) else {
            return Err(BagError::NoSuchNode {
                path: path.node_path().to_string(),
                attribute: name.to_owned(),
            });
        };
        if node.attributes.set(name, value)
            && let Some(tracker) = &mut self.tracker
        {
            tracker.record_set(BagPath::from_segments(canonical));
        }
        Ok(())
    }

    /// Removes attribute `name` of the node at `path`, returning its value.
    pub fn remove_attr(
        &mut self,
        path: impl AsBagPath,
        name: &str,
    ) -> Result<Option<Value>, BagError> {
        let path = path.as_bag_path()?;
        let Some((node, canonical)) = self.node_mut(path.segments()) else {
            return Ok(None);
        };
        let removed = node.attributes.remove(name);
        if removed.is_some()
            && let Some(tracker) = &mut self.tracker
        {
            tracker.record_set(BagPath::from_segments(canonical));
        }
        Ok(removed)
    }

    /// Merges `other` into `self`: nested Bags on both sides merge recursively, any other
    /// node of `other` is set (updated in place or appended) with its attributes.
    pub fn merge(&mut self, other: &Bag) {
        self.merge_at(&mut Vec::new(), other);
    }

    fn merge_at(&mut self, prefix: &mut Vec<Segment>, other: &Bag) {
        for node in &other.nodes {
            prefix.push(Segment::Label(node.label.clone()));
            let path = BagPath::from_segments(prefix.clone());
            let both_bags = matches!(node.value, BagValue::Bag(_))
                && matches!(
                    self.node_at(path.segments()),
                    Ok(Some(BagNode {
                        value: BagValue::Bag(_),
                        ..
                    }))
                );
            match (&node.value, both_bags) {
                (BagValue::Bag(inner), true) => {
                    if !node.attributes.is_empty() {
                        self.set_node(&path, self_value(self, &path), Some(&node.attributes), true)
                            .expect("the path was just resolved");
                    }
                    self.merge_at(prefix, inner);
                }
                _ => self
                    .set_node(&path, node.value.clone(), Some(&node.attributes), true)
                    .expect("label paths can always be set with force"),
            }
            prefix.pop();
        }
    }

    /// Removes every node.
    pub fn clear(&mut self) {
        let nodes = std::mem::take(&mut self.nodes);
        if let Some(tracker) = &mut self.tracker {
            for node in nodes {
                tracker.record_removed(BagPath::from_segments(vec![Segment::Label(node.label)]));
            }
        }
    }

    /// The plain JSON form: an object of label to value, nested Bags as objects.
    /// Attributes are dropped; use serde on the Bag itself for the lossless form.
    pub fn to_plain_json(&self) -> Value {
        let mut map = serde_json::Map::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let value = match &node.value {
                BagValue::Leaf(value) => value.clone(),
                BagValue::Bag(bag) => bag.to_plain_json(),
            };
            map.insert(node.label.clone(), value);
        }
        Value::Object(map)
    }

    /// Starts (or restarts) change tracking: from now on the Bag records the paths set
    /// and removed, to be read with [`Bag::changes`] or [`Bag::take_changes`].
    pub fn mark(&mut self) {
        self.tracker = Some(Tracker::default());
    }

    /// Stops change tracking and forgets what was recorded.
    pub fn unmark(&mut self) {
        self.tracker = None;
    }

    /// True when changes are being tracked.
    pub fn is_marked(&self) -> bool {
        self.tracker.is_some()
    }

    /// True when something changed since the mark.
    pub fn has_changes(&self) -> bool {
        self.tracker.as_ref().is_some_and(|t| !t.is_empty())
    }

    /// What changed since the mark, with the current value of every set path.
    pub fn changes(&self) -> ChangeSet {
        match &self.tracker {
            Some(tracker) => tracker.materialize(self),
            None => ChangeSet::default(),
        }
    }

    /// What changed since the mark; tracking goes on from an empty record.
    pub fn take_changes(&mut self) -> ChangeSet {
        let changes = self.changes();
        if let Some(tracker) = &mut self.tracker {
            tracker.clear();
        }
        changes
    }

    /// Applies what `source` recorded since its mark, as
    /// `self.apply(&source.changes())` would, without building the change set.
    pub fn apply_changes_of(&mut self, source: &Bag) {
        let Some(tracker) = &source.tracker else {
            return;
        };
        tracker.replay(source, |change| match change {
            changes::ChangeRef::Set { path, node } => {
                self.apply_set(path, &node.value, &node.attributes);
            }
            changes::ChangeRef::Removed { path } => {
                let _ = self.remove(path);
            }
        });
    }

    /// Applies a change set (from this Bag or another copy of it): set paths are set
    /// (replacing leaves that stand in the way), removed paths are removed.
    pub fn apply(&mut self, changes: &ChangeSet) {
        for change in changes.iter() {
            match change {
                Change::Set {
                    path,
                    value,
                    attributes,
                } => self.apply_set(path, value, attributes),
                Change::Removed { path } => {
                    let _ = self.remove(path);
                }
            }
        }
    }
}

impl Bag {
    /// One `Set` change: the value (replacing leaves in the way), then the attributes.
    fn apply_set(&mut self, path: &BagPath, value: &BagValue, attributes: &Attributes) {
        self.set_node(path, value.clone(), None, true)
            .expect("change sets hold label paths, which can always be set");
        // Looked up without `node_mut`'s path copy first: attributes rarely change.
        let same = matches!(self.node_at(path.segments()), Ok(Some(node)) if node.attributes == *attributes);
        if !same && let Some((node, _)) = self.node_mut(path.segments()) {
            node.attributes = attributes.clone();
            if let Some(tracker) = &mut self.tracker {
                tracker.record_set(path.clone());
            }
        }
    }
}

fn self_value(bag: &Bag, path: &BagPath) -> BagValue {
    bag.node_at(path.segments())
        .ok()
        .flatten()
        .map(|node| node.value.clone())
        .unwrap_or(BagValue::Bag(Bag::new()))
}

/// Iterator of [`Bag::walk`]: `(full path, node)` pairs, depth first.
#[derive(Debug)]
pub struct Walk<'a> {
    stack: Vec<(Option<BagPath>, std::slice::Iter<'a, BagNode>)>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (BagPath, &'a BagNode);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (prefix, iter) = self.stack.last_mut()?;
            let Some(node) = iter.next() else {
                self.stack.pop();
                continue;
            };
            let path = match prefix {
                Some(prefix) => {
                    let mut segments = prefix.segments().to_vec();
                    segments.push(Segment::Label(node.label.clone()));
                    BagPath::from_segments(segments)
                }
                None => BagPath::from_segments(vec![Segment::Label(node.label.clone())]),
            };
            if let BagValue::Bag(inner) = &node.value {
                self.stack.push((Some(path.clone()), inner.nodes.iter()));
            }
            return Some((path, node));
        }
    }
}

impl<'a> IntoIterator for &'a Bag {
    type Item = &'a BagNode;
    type IntoIter = std::slice::Iter<'a, BagNode>;

    fn into_iter(self) -> Self::IntoIter {
        self.nodes.iter()
    }
}

#[cfg(test)]
mod tests;
