//! Typed views of session data: the [`SessionData`] trait that
//! `#[derive(SessionData)]` implements, and typed path handles.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bag::{Bag, BagError, BagPath, PathError};

/// A Rust struct whose fields live at paths of a session's data [`Bag`].
///
/// Implemented by `#[derive(SessionData)]`; see the `session-derive` crate.
pub trait SessionData: Sized {
    /// The typed path handles of the fields, one per field.
    type Paths;

    /// The typed path handles.
    fn paths() -> Self::Paths;

    /// The fields' paths and Rust type names, in declaration order.
    fn schema() -> Vec<SchemaField>;

    /// Reads the struct from `bag`: missing paths take the field's default; a value of
    /// the wrong type is a [`BagError::Type`] naming the path.
    fn from_bag(bag: &Bag) -> Result<Self, BagError>;

    /// Writes every field into `bag`. Fields equal to what the Bag holds are not
    /// changes, so a marked Bag records only the fields that changed.
    fn write_to_bag(&self, bag: &mut Bag) -> Result<(), BagError>;
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
