//! A type-erased [`SessionStore`], so the layer and the extractors need no store type
//! parameter.

use std::future::Future;
use std::pin::Pin;

use session_core::store::Result;
use session_core::{Session, SessionChanges, SessionId, SessionStore};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub(crate) trait DynStore: Send + Sync + 'static {
    fn create<'a>(&'a self, session: &'a Session) -> BoxFuture<'a, Result<()>>;
    fn load<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<Option<Session>>>;
    fn save_changes<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a SessionChanges,
    ) -> BoxFuture<'a, Result<()>>;
    fn delete<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<bool>>;
    fn purge_expired(&self) -> BoxFuture<'_, Result<usize>>;
}

impl<S: SessionStore> DynStore for S {
    fn create<'a>(&'a self, session: &'a Session) -> BoxFuture<'a, Result<()>> {
        Box::pin(SessionStore::create(self, session))
    }

    fn load<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<Option<Session>>> {
        Box::pin(SessionStore::load(self, id))
    }

    fn save_changes<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a SessionChanges,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(SessionStore::save_changes(self, id, changes))
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<bool>> {
        Box::pin(SessionStore::delete(self, id))
    }

    fn purge_expired(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(SessionStore::purge_expired(self))
    }
}
