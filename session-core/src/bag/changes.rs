//! Change tracking: which paths of a Bag were set or removed since its mark.
//!
//! A store writes back exactly this set, so a request that changed one field writes
//! one field, and two requests of one session that changed different paths do not
//! overwrite each other.

use serde::{Deserialize, Serialize};

use super::{Attributes, Bag, BagNode, BagPath, BagValue};

/// One change: a node set (with its current value and attributes) or removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// The node at `path` now holds `value` with `attributes`; it is created (appended)
    /// where missing and updated in place where present.
    Set {
        /// Label-only path of the node.
        path: BagPath,
        /// The node's value.
        value: BagValue,
        /// The node's attributes, all of them.
        #[serde(default, skip_serializing_if = "Attributes::is_empty")]
        attributes: Attributes,
    },
    /// The node at `path` (and everything under it) was removed.
    Removed {
        /// Label-only path of the node.
        path: BagPath,
    },
}

impl Change {
    /// The path this change concerns.
    pub fn path(&self) -> &BagPath {
        match self {
            Change::Set { path, .. } | Change::Removed { path } => path,
        }
    }
}

/// The ordered changes of a Bag since its mark. Applying them, in order, to another
/// copy of the Bag's marked state gives the Bag's current state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeSet {
    changes: Vec<Change>,
}

impl ChangeSet {
    /// No changes.
    pub const fn new() -> Self {
        ChangeSet {
            changes: Vec::new(),
        }
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The number of changes.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// The changes, in the order they must be applied.
    pub fn iter(&self) -> std::slice::Iter<'_, Change> {
        self.changes.iter()
    }

    /// Adds a change at the end.
    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Appends the changes of `other` after those of `self`.
    pub fn extend(&mut self, other: ChangeSet) {
        self.changes.extend(other.changes);
    }
}

impl IntoIterator for ChangeSet {
    type Item = Change;
    type IntoIter = std::vec::IntoIter<Change>;

    fn into_iter(self) -> Self::IntoIter {
        self.changes.into_iter()
    }
}

impl<'a> IntoIterator for &'a ChangeSet {
    type Item = &'a Change;
    type IntoIter = std::slice::Iter<'a, Change>;

    fn into_iter(self) -> Self::IntoIter {
        self.changes.iter()
    }
}

impl FromIterator<Change> for ChangeSet {
    fn from_iter<I: IntoIterator<Item = Change>>(iter: I) -> Self {
        ChangeSet {
            changes: iter.into_iter().collect(),
        }
    }
}

/// A recorded change, borrowed from the Bag that recorded it.
pub(super) enum ChangeRef<'a> {
    Set {
        path: &'a BagPath,
        node: &'a BagNode,
    },
    Removed {
        path: &'a BagPath,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Set,
    Removed,
}

/// The record kept by a marked Bag: label paths, in the order they changed. Set
/// values are read from the Bag when the record is materialized, so a path set ten
/// times is recorded once.
#[derive(Debug, Default)]
pub(super) struct Tracker {
    entries: Vec<(BagPath, Kind)>,
}

impl Tracker {
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(super) fn clear(&mut self) {
        self.entries.clear();
    }

    fn covered_by_set_ancestor(&self, path: &BagPath) -> bool {
        self.entries
            .iter()
            .any(|(recorded, kind)| *kind == Kind::Set && recorded.is_prefix_of(path))
    }

    pub(super) fn record_set(&mut self, path: BagPath) {
        if self.covered_by_set_ancestor(&path) {
            return;
        }
        // A set of `path` rewrites its whole subtree: earlier sets below it are moot.
        // Earlier removals of the path itself must stay, so that replaying them
        // re-appends the node where this Bag appended it.
        self.entries.retain(|(recorded, kind)| {
            !(path.is_prefix_of(recorded) && (recorded != &path || *kind == Kind::Set))
        });
        self.entries.push((path, Kind::Set));
    }

    pub(super) fn record_removed(&mut self, path: BagPath) {
        if self.entries.iter().any(|(recorded, kind)| {
            *kind == Kind::Set && recorded.is_prefix_of(&path) && *recorded != path
        }) {
            return;
        }
        self.entries
            .retain(|(recorded, _)| !path.is_prefix_of(recorded));
        self.entries.push((path, Kind::Removed));
    }

    /// Hands each recorded change to `apply`, with the node's current state read from
    /// `bag`, in order: what [`Tracker::materialize`] builds, borrowed.
    pub(super) fn replay<'a>(&'a self, bag: &'a Bag, mut apply: impl FnMut(ChangeRef<'a>)) {
        for (path, kind) in &self.entries {
            match kind {
                Kind::Removed => apply(ChangeRef::Removed { path }),
                Kind::Set => {
                    if let Ok(Some(node)) = bag.node_at(path.segments()) {
                        apply(ChangeRef::Set { path, node });
                    }
                }
            }
        }
    }

    pub(super) fn materialize(&self, bag: &Bag) -> ChangeSet {
        let mut changes = Vec::with_capacity(self.entries.len());
        self.replay(bag, |change| {
            changes.push(match change {
                ChangeRef::Removed { path } => Change::Removed { path: path.clone() },
                ChangeRef::Set { path, node } => Change::Set {
                    path: path.clone(),
                    value: node.value.clone(),
                    attributes: node.attributes.clone(),
                },
            });
        });
        ChangeSet { changes }
    }
}
