//! The contract between sessions and where they are kept.

mod memory;

use std::future::Future;
use std::time::{Duration, SystemTime};

pub use memory::MemoryStore;

use crate::bag::ChangeSet;
use crate::id::SessionId;
use crate::session::Session;

/// The result type of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `create` was given an id that a live session already has.
    #[error("a live session already has this id; generate another")]
    IdCollision,
    /// `save_changes` named a session the store does not hold (deleted or expired).
    #[error("the session to update no longer exists (deleted or expired)")]
    NotFound,
    /// The backend did not answer in time.
    #[error("the session store did not answer within {0:?}")]
    Timeout(Duration),
    /// The backend could not be reached or refused the operation.
    #[error("the session store is unavailable: {message}")]
    Unavailable {
        /// What failed.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Stored data could not be encoded or decoded.
    #[error("session data could not be {action}: {message}")]
    Codec {
        /// "encoded" or "decoded".
        action: &'static str,
        /// What was wrong.
        message: String,
    },
}

impl StoreError {
    /// An [`StoreError::Unavailable`] error wrapping `source`.
    pub fn unavailable(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError::Unavailable {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// What a request changed in a session, for [`SessionStore::save_changes`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionChanges {
    /// The paths of the data Bag that were set or removed, in order.
    pub data: ChangeSet,
    /// A new `last_access` (the session was touched), if it is to be persisted.
    pub last_access: Option<SystemTime>,
    /// A new ttl in seconds, if it changed.
    pub ttl: Option<i64>,
}

impl SessionChanges {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.last_access.is_none() && self.ttl.is_none()
    }
}

/// Where sessions live: the embedded [`MemoryStore`], Redis, or a store of your own.
///
/// Contract, for every implementation:
/// - `create` never overwrites a live session: an id in use gives
///   [`StoreError::IdCollision`].
/// - `load` never returns an expired session (by the rule of
///   [`SessionMeta::is_expired_at`](crate::SessionMeta::is_expired_at)).
/// - `save_changes` applies the change set path by path, so two saves of one session
///   that touched different paths both survive, whatever their order.
/// - Errors are returned, never panics, and never hang past the store's timeout.
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session.
    fn create(&self, session: &Session) -> impl Future<Output = Result<()>> + Send;

    /// The live session with this id, or `None` (unknown or expired).
    fn load(&self, id: &SessionId) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Applies what a request changed. [`StoreError::NotFound`] when the session is gone.
    fn save_changes(
        &self,
        id: &SessionId,
        changes: &SessionChanges,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes a session; `true` when it existed.
    fn delete(&self, id: &SessionId) -> impl Future<Output = Result<bool>> + Send;

    /// Removes expired sessions, returning how many. Stores whose backend expires keys
    /// by itself may return `Ok(0)`.
    fn purge_expired(&self) -> impl Future<Output = Result<usize>> + Send;
}
