//! The embedded store: sessions kept in this process's memory, as Rust values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};
use std::time::{Duration, SystemTime};

use tokio::sync::oneshot;

use super::{Result, SessionChanges, SessionStore, StoreError};
use crate::avatar::AuthSnapshot;
use crate::bag::{Bag, BagNode};
use crate::clock::{SharedClock, SystemClock};
use crate::id::{BuildIdHasher, SessionId};
use crate::session::{Session, SessionMeta};

const SHARDS: usize = 64;

/// What is kept per session: no id copy (it is the key), no avatar (rebuilt on load)
/// and the data's nodes without the Bag's change tracking, to keep small sessions
/// small. Records are boxed, so that the maps' empty slots cost 24 bytes, not a record.
#[derive(Debug)]
struct Record {
    meta: SessionMeta,
    data: Vec<BagNode>,
    auth: Option<Box<AuthSnapshot>>,
}

impl Record {
    /// Changes the data as a Bag.
    fn update_data(&mut self, change: impl FnOnce(&mut Bag)) {
        let mut bag = Bag::from_nodes(std::mem::take(&mut self.data));
        change(&mut bag);
        self.data = bag.into_nodes();
    }

    fn touch(&mut self, last_access: Option<SystemTime>) {
        if let Some(last_access) = last_access
            && last_access > self.meta.last_access
        {
            self.meta.last_access = last_access;
        }
    }
}

type Shard = RwLock<HashMap<SessionId, Box<Record>, BuildIdHasher>>;

#[derive(Debug)]
struct Inner {
    shards: Box<[Shard]>,
    clock: SharedClock,
    purge_interval: Option<Duration>,
    purge_started: OnceLock<()>,
    // Dropping the store drops this sender, which stops the purge task at once.
    stop_purge: Mutex<Option<oneshot::Sender<()>>>,
}

/// Sessions in this process's memory: the embedded default store.
///
/// - Concurrent: sessions are spread over 64 independently locked shards, and no lock
///   is held across an `.await`.
/// - No serialization: sessions are kept as Rust values and cloned out on load.
/// - Path-granular saves: a save applies its change set to the stored Bag, so
///   concurrent requests that changed different paths of one session all survive.
/// - Optional background purge of expired sessions ([`MemoryStore::with_purge_interval`]),
///   started on first use inside a Tokio runtime and stopped when the last clone of the
///   store is dropped. Expired sessions are never returned by `load` either way.
///
/// Clones share the same sessions.
///
/// ```
/// use session_core::{MemoryStore, Session, SessionId, SessionStore};
///
/// # tokio_test_block_on(async {
/// let store = MemoryStore::new();
/// let mut session = Session::new(SessionId::generate(), None, 3600);
/// session.data_mut().set("visits", 1)?;
/// store.create(&session).await?;
///
/// let loaded = store.load(&session.id()).await?.expect("just created");
/// assert_eq!(loaded.data().get_as::<u32>("visits")?, Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store on the system clock, without background purge.
    pub fn new() -> Self {
        Self::build(Arc::new(SystemClock), None)
    }

    fn build(clock: SharedClock, purge_interval: Option<Duration>) -> Self {
        let shards = (0..SHARDS)
            .map(|_| RwLock::new(HashMap::with_hasher(BuildIdHasher::default())))
            .collect();
        MemoryStore {
            inner: Arc::new(Inner {
                shards,
                clock,
                purge_interval,
                purge_started: OnceLock::new(),
                stop_purge: Mutex::new(None),
            }),
        }
    }

    /// The same (still empty) store, purging expired sessions every `interval` in the
    /// background once it is first used.
    ///
    /// # Panics
    /// If the store already holds sessions: configure the store before use.
    pub fn with_purge_interval(self, interval: Duration) -> Self {
        assert!(
            self.is_empty(),
            "configure MemoryStore before storing sessions"
        );
        Self::build(self.inner.clock.clone(), Some(interval))
    }

    /// The same (still empty) store reading time from `clock` (tests move a
    /// [`ManualClock`](crate::ManualClock) instead of sleeping).
    ///
    /// # Panics
    /// If the store already holds sessions: configure the store before use.
    pub fn with_clock(self, clock: SharedClock) -> Self {
        assert!(
            self.is_empty(),
            "configure MemoryStore before storing sessions"
        );
        Self::build(clock, self.inner.purge_interval)
    }

    /// The number of sessions held, expired ones not yet purged included.
    pub fn len(&self) -> usize {
        self.inner.shards.iter().map(|s| read(s).len()).sum()
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, id: &SessionId) -> &Shard {
        // Byte 8 is not part of the hash (bytes 0..8), so shards and buckets spread
        // independently.
        &self.inner.shards[usize::from(id.as_bytes()[8]) % SHARDS]
    }

    fn ensure_purge_task(&self) {
        let Some(interval) = self.inner.purge_interval else {
            return;
        };
        self.inner.purge_started.get_or_init(|| {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                tracing::warn!("MemoryStore purge not started: no Tokio runtime");
                return;
            };
            let (stop, mut stopped) = oneshot::channel();
            *self
                .inner
                .stop_purge
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(stop);
            let weak: Weak<Inner> = Arc::downgrade(&self.inner);
            runtime.spawn(async move {
                loop {
                    // Ends on the timeout (time to purge) or when the sender is dropped.
                    if tokio::time::timeout(interval, &mut stopped).await.is_ok() {
                        return;
                    }
                    let Some(inner) = weak.upgrade() else { return };
                    let purged = MemoryStore { inner }.purge_now();
                    tracing::debug!(purged, "MemoryStore purged expired sessions");
                }
            });
        });
    }

    /// Removes expired sessions now, returning how many.
    pub fn purge_now(&self) -> usize {
        let now = self.inner.clock.now();
        let mut purged = 0;
        for shard in self.inner.shards.iter() {
            let mut map = write(shard);
            let before = map.len();
            map.retain(|_, record| !record.meta.is_expired_at(now));
            purged += before - map.len();
        }
        purged
    }
}

fn read(
    shard: &Shard,
) -> std::sync::RwLockReadGuard<'_, HashMap<SessionId, Box<Record>, BuildIdHasher>> {
    // A panic while holding the lock cannot leave a record half-written in a way that
    // matters more than refusing service, so poisoning is ignored.
    shard.read().unwrap_or_else(|e| e.into_inner())
}

fn write(
    shard: &Shard,
) -> std::sync::RwLockWriteGuard<'_, HashMap<SessionId, Box<Record>, BuildIdHasher>> {
    shard.write().unwrap_or_else(|e| e.into_inner())
}

/// The store operations without a future: the memory store never waits, and callers
/// that know their store is a `MemoryStore` (the axum layer) skip the future
/// machinery. Each behaves as the [`SessionStore`] method of the same name.
impl MemoryStore {
    /// [`SessionStore::create`], at once.
    pub fn create_now(&self, session: &Session) -> Result<()> {
        self.ensure_purge_task();
        let now = self.inner.clock.now();
        let mut map = write(self.shard(&session.id()));
        match map.get(&session.id()) {
            Some(existing) if !existing.meta.is_expired_at(now) => Err(StoreError::IdCollision),
            _ => {
                map.insert(
                    session.id(),
                    Box::new(Record {
                        meta: *session.meta(),
                        data: session.data().clone().into_nodes(),
                        auth: session.auth().cloned().map(Box::new),
                    }),
                );
                Ok(())
            }
        }
    }

    /// [`SessionStore::load`], at once.
    pub fn load_now(&self, id: &SessionId) -> Option<Session> {
        let now = self.inner.clock.now();
        let shard = self.shard(id);
        {
            let map = read(shard);
            let record = map.get(id)?;
            if !record.meta.is_expired_at(now) {
                return Some(Session::from_parts(
                    *id,
                    record.meta,
                    Bag::from_nodes(record.data.clone()),
                    record.auth.as_deref().cloned(),
                ));
            }
        }
        let mut map = write(shard);
        if map.get(id).is_some_and(|r| r.meta.is_expired_at(now)) {
            map.remove(id);
        }
        None
    }

    /// [`SessionStore::save_changes`], at once.
    pub fn save_changes_now(&self, id: &SessionId, changes: &SessionChanges) -> Result<()> {
        self.update(id, |record| {
            record.update_data(|bag| bag.apply(&changes.data));
            record.touch(changes.last_access);
            if let Some(ttl) = changes.ttl {
                record.meta.ttl = ttl;
            }
        })
    }

    /// [`SessionStore::save_changes`] of what `data` recorded since its mark (see
    /// [`Bag::changes`]) and of `last_access`, without building the change set.
    pub fn save_changes_of_now(
        &self,
        id: &SessionId,
        data: &Bag,
        last_access: Option<SystemTime>,
    ) -> Result<()> {
        self.update(id, |record| {
            record.update_data(|bag| bag.apply_changes_of(data));
            record.touch(last_access);
        })
    }

    fn update(&self, id: &SessionId, change: impl FnOnce(&mut Record)) -> Result<()> {
        let now = self.inner.clock.now();
        let mut map = write(self.shard(id));
        let Some(record) = map.get_mut(id) else {
            return Err(StoreError::NotFound);
        };
        if record.meta.is_expired_at(now) {
            map.remove(id);
            return Err(StoreError::NotFound);
        }
        change(record);
        Ok(())
    }

    /// [`SessionStore::delete`], at once.
    pub fn delete_now(&self, id: &SessionId) -> bool {
        write(self.shard(id)).remove(id).is_some()
    }
}

impl SessionStore for MemoryStore {
    async fn create(&self, session: &Session) -> Result<()> {
        self.create_now(session)
    }

    async fn load(&self, id: &SessionId) -> Result<Option<Session>> {
        Ok(self.load_now(id))
    }

    async fn save_changes(&self, id: &SessionId, changes: &SessionChanges) -> Result<()> {
        self.save_changes_now(id, changes)
    }

    async fn delete(&self, id: &SessionId) -> Result<bool> {
        Ok(self.delete_now(id))
    }

    async fn purge_expired(&self) -> Result<usize> {
        Ok(self.purge_now())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Explicit for the reader: the sender goes, and the purge task ends with it.
        drop(
            self.stop_purge
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
