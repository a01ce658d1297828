//! A type-erased [`SessionStore`], so the layer and the extractors need no store type
//! parameter.
//!
//! Calls into a type-erased store need boxed futures, except for the embedded
//! [`MemoryStore`], which never waits: it is recognised once per call and answered
//! without a future allocation.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::SystemTime;

use session_core::bag::Bag;
use session_core::store::Result;
use session_core::{MemoryStore, Session, SessionChanges, SessionId, SessionStore};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The future of a [`DynStore`] call: ready at once for the memory store, boxed for
/// the others.
pub(crate) enum StoreFuture<'a, T> {
    Ready(Option<T>),
    Boxed(BoxFuture<'a, T>),
}

impl<T> StoreFuture<'_, T> {
    /// The answer, when the store gave it at once.
    pub(crate) fn into_ready(self) -> Option<T> {
        match self {
            StoreFuture::Ready(value) => value,
            StoreFuture::Boxed(_) => None,
        }
    }
}

// Neither variant is pinned in place: the boxed future is pinned in its box.
impl<T> Unpin for StoreFuture<'_, T> {}

impl<T> Future for StoreFuture<'_, T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.get_mut() {
            StoreFuture::Ready(value) => {
                Poll::Ready(value.take().expect("StoreFuture polled after completion"))
            }
            StoreFuture::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

pub(crate) trait DynStore: Send + Sync + 'static {
    /// True when every call answers at once (the memory store): its futures are ready
    /// on their first poll.
    fn is_immediate(&self) -> bool;
    fn create<'a>(&'a self, session: &'a Session) -> StoreFuture<'a, Result<()>>;
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Result<Option<Session>>>;
    /// Writes back what `data` recorded since its mark, and `last_access` if given.
    fn save_changes_of<'a>(
        &'a self,
        id: &'a SessionId,
        data: &'a mut Bag,
        last_access: Option<SystemTime>,
    ) -> StoreFuture<'a, Result<()>>;
    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Result<bool>>;
    fn purge_expired(&self) -> BoxFuture<'_, Result<usize>>;
}

fn memory<S: SessionStore>(store: &S) -> Option<&MemoryStore> {
    (store as &dyn Any).downcast_ref::<MemoryStore>()
}

impl<S: SessionStore> DynStore for S {
    fn is_immediate(&self) -> bool {
        memory(self).is_some()
    }

    fn create<'a>(&'a self, session: &'a Session) -> StoreFuture<'a, Result<()>> {
        match memory(self) {
            Some(memory) => StoreFuture::Ready(Some(memory.create_now(session))),
            None => StoreFuture::Boxed(Box::pin(SessionStore::create(self, session))),
        }
    }

    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Result<Option<Session>>> {
        match memory(self) {
            Some(memory) => StoreFuture::Ready(Some(Ok(memory.load_now(id)))),
            None => StoreFuture::Boxed(Box::pin(SessionStore::load(self, id))),
        }
    }

    fn save_changes_of<'a>(
        &'a self,
        id: &'a SessionId,
        data: &'a mut Bag,
        last_access: Option<SystemTime>,
    ) -> StoreFuture<'a, Result<()>> {
        if let Some(memory) = memory(self) {
            // Applied straight from the request's Bag: no change set is built.
            return StoreFuture::Ready(Some(memory.save_changes_of_now(id, data, last_access)));
        }
        let changes = SessionChanges {
            data: data.take_changes(),
            last_access,
            ttl: None,
        };
        StoreFuture::Boxed(Box::pin(async move {
            SessionStore::save_changes(self, id, &changes).await
        }))
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Result<bool>> {
        match memory(self) {
            Some(memory) => StoreFuture::Ready(Some(Ok(memory.delete_now(id)))),
            None => StoreFuture::Boxed(Box::pin(SessionStore::delete(self, id))),
        }
    }

    fn purge_expired(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(SessionStore::purge_expired(self))
    }
}
