//! The session of one request: loaded lazily by the first extractor that asks, shared
//! by all of them, and written back by the layer once the handler is done.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::request::Parts;
use session_core::{AuthSnapshot, Session, SessionId, StoreError};

use crate::config::Config;
use crate::cookies;
use crate::dyn_store::DynStore;
use crate::error::SessionRejection;

/// Where the request's session came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Loaded from the store under this id; `stored_last_access` is what the store holds.
    Stored { stored_last_access: SystemTime },
    /// Made for this request; stored only if something is written into it.
    Fresh,
}

#[derive(Debug)]
struct Loaded {
    session: Session,
    origin: Origin,
    /// The id the store knows this session by, when rotation replaced it in `session`.
    rotated_from: Option<SessionId>,
    logged_out: bool,
    /// A typed write-back that failed (a value that cannot be serialized).
    write_error: Option<String>,
}

/// What every request of one layer shares: the store and the configuration.
pub(crate) struct LayerParts {
    pub(crate) store: Arc<dyn DynStore>,
    pub(crate) config: Arc<Config>,
}

impl std::fmt::Debug for LayerParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerParts")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The per-request handle the layer puts in the request extensions: one allocation
/// per request, cloned (a reference count) by each extractor.
#[derive(Clone)]
pub(crate) struct RequestSession(Arc<Shared>);

struct Shared {
    parts: Arc<LayerParts>,
    // Boxed: a session is a few hundred bytes, moved once into place.
    loaded: Mutex<Option<Box<Loaded>>>,
}

impl std::fmt::Debug for RequestSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSession").finish_non_exhaustive()
    }
}

/// What the layer must do to the response once the session is written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CookieAction {
    None,
    Set(String),
    Remove(String),
}

/// Why writing the session back failed.
#[derive(Debug)]
pub(crate) enum FinishError {
    Store(StoreError),
    /// The session vanished (logout elsewhere, expiry) while this request changed it.
    Vanished,
    /// A typed value could not be written into the Bag.
    Write(String),
}

/// A session some extractor loaded, to be written back once the handler is done.
#[derive(Debug)]
pub(crate) struct Finishing {
    // The request's own handle, not the layer's shared parts: no reference count
    // that other threads touch is changed to finish a request.
    session: RequestSession,
    loaded: Box<Loaded>,
}

impl RequestSession {
    pub(crate) fn new(parts: Arc<LayerParts>) -> Self {
        RequestSession(Arc::new(Shared {
            parts,
            loaded: Mutex::new(None),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Option<Box<Loaded>>> {
        // No code panics while holding this lock; recover rather than poison every
        // later extractor of the request if one ever does.
        self.0.loaded.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self) -> &dyn DynStore {
        &*self.0.parts.store
    }

    fn config(&self) -> &Config {
        &self.0.parts.config
    }

    /// Loads the session on first use: the cookie's session if the store holds a live
    /// one, else a fresh session under a new id (an unknown id is never adopted).
    pub(crate) async fn ensure_loaded(&self, parts: &Parts) -> Result<(), SessionRejection> {
        if self.lock().is_some() {
            return Ok(());
        }
        let now = self.config().clock.now();
        let cookie_id = cookies::session_id_from(&parts.headers, self.config());
        let found = match self.find_at_once(cookie_id, now) {
            Some(found) => found?,
            // Boxed, so that this future stays small for the memory store, which never
            // gets here.
            None => Box::pin(self.find(cookie_id, now)).await?,
        };
        self.install(found, now);
        Ok(())
    }

    /// The live session `id` names, from a store that answers at once (the memory
    /// store); `None` when the store would have to be awaited.
    fn find_at_once(
        &self,
        id: Option<SessionId>,
        now: SystemTime,
    ) -> Option<Result<Option<Session>, SessionRejection>> {
        let store = self.store();
        if !store.is_immediate() {
            return None;
        }
        let Some(id) = id else {
            return Some(Ok(None));
        };
        Some(match store.load(&id).into_ready()? {
            Ok(Some(session)) if !session.is_expired_at(now) => Ok(Some(session)),
            Ok(Some(_)) => store
                .delete(&id)
                .into_ready()?
                .map(|_| None)
                .map_err(SessionRejection::Store),
            Ok(None) => Ok(None),
            Err(err) => Err(SessionRejection::Store(err)),
        })
    }

    /// The live session `id` names, if any.
    async fn find(
        &self,
        id: Option<SessionId>,
        now: SystemTime,
    ) -> Result<Option<Session>, SessionRejection> {
        let Some(id) = id else { return Ok(None) };
        match self.store().load(&id).await {
            Ok(Some(session)) if !session.is_expired_at(now) => Ok(Some(session)),
            Ok(Some(_)) => {
                // A store that does not expire by itself: delete for it.
                self.store()
                    .delete(&id)
                    .await
                    .map_err(SessionRejection::Store)?;
                Ok(None)
            }
            Ok(None) => Ok(None),
            Err(err) => Err(SessionRejection::Store(err)),
        }
    }

    /// Makes `found` (or a fresh session, when nothing was found) the request's session.
    fn install(&self, found: Option<Session>, now: SystemTime) {
        let (mut session, origin) = match found {
            Some(mut session) => {
                let stored_last_access = session.meta().last_access;
                session.touch_at(now);
                (session, Origin::Stored { stored_last_access })
            }
            None => (
                Session::new_at(SessionId::generate(), None, self.config().ttl, now),
                Origin::Fresh,
            ),
        };
        session.data_mut().mark();
        let mut state = self.lock();
        if state.is_none() {
            *state = Some(Box::new(Loaded {
                session,
                origin,
                rotated_from: None,
                logged_out: false,
                write_error: None,
            }));
        }
    }

    /// Runs `f` on the loaded session.
    ///
    /// # Panics
    /// If called before [`RequestSession::ensure_loaded`] succeeded; extractors only
    /// hand out handles after it did.
    pub(crate) fn with_session<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        let state = self.lock();
        f(&state
            .as_ref()
            .expect("session loaded by the extractor")
            .session)
    }

    /// Runs `f` on the loaded session, mutably.
    pub(crate) fn with_session_mut<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R {
        self.with_loaded_mut(|loaded| f(&mut loaded.session))
    }

    /// Runs `f` on the loaded state (same precondition as [`Self::with_session`]).
    fn with_loaded_mut<R>(&self, f: impl FnOnce(&mut Loaded) -> R) -> R {
        let mut state = self.lock();
        f(state.as_mut().expect("session loaded by the extractor"))
    }

    /// Records that a typed write-back failed, so the layer refuses to pretend success.
    pub(crate) fn record_write_error(&self, message: String) {
        if let Some(loaded) = self.lock().as_mut() {
            loaded.write_error.get_or_insert(message);
        }
    }

    pub(crate) fn is_new(&self) -> bool {
        self.lock()
            .as_ref()
            .is_some_and(|l| l.origin == Origin::Fresh)
    }

    fn rotate(loaded: &mut Loaded) {
        if loaded.origin != Origin::Fresh && loaded.rotated_from.is_none() {
            loaded.rotated_from = Some(loaded.session.id());
        }
        loaded.session.set_id(SessionId::generate());
    }

    /// Login: replaces auth and avatar, keeps the data, moves the session to a new id.
    pub(crate) fn login(&self, auth: AuthSnapshot) {
        self.with_loaded_mut(|loaded| {
            loaded.session.set_auth(Some(auth));
            loaded.logged_out = false;
            Self::rotate(loaded);
        });
    }

    /// Moves the session to a new id, keeping everything else.
    pub(crate) fn cycle_id(&self) {
        self.with_loaded_mut(Self::rotate);
    }

    /// Logout: the session is deleted and the client told to drop its cookie.
    pub(crate) fn logout(&self) {
        self.with_loaded_mut(|loaded| loaded.logged_out = true);
    }

    /// The session to write back, if an extractor loaded one; `None` when the request
    /// never used its session (no store call, no cookie).
    pub(crate) fn take_for_finish(self) -> Option<Finishing> {
        let loaded = self.lock().take()?;
        Some(Finishing {
            session: self,
            loaded,
        })
    }
}

impl Finishing {
    /// True when [`Finishing::finish`] completes on its first poll (the memory store).
    pub(crate) fn is_immediate(&self) -> bool {
        self.session.store().is_immediate()
    }

    /// Writes back what the request changed and says what cookie the response needs.
    pub(crate) async fn finish(self) -> Result<CookieAction, FinishError> {
        let Finishing {
            session: handle,
            mut loaded,
        } = self;
        let store = handle.store();
        let config = handle.config();
        if let Some(message) = loaded.write_error.take() {
            return Err(FinishError::Write(message));
        }
        let now = loaded.session.meta().last_access;

        if loaded.logged_out {
            let stored_id = loaded.rotated_from.or(match loaded.origin {
                Origin::Stored { .. } => Some(loaded.session.id()),
                Origin::Fresh => None,
            });
            if let Some(id) = stored_id {
                store.delete(&id).await.map_err(FinishError::Store)?;
            }
            return Ok(CookieAction::Remove(cookies::removal_cookie(config)));
        }

        let rotated = loaded.rotated_from.is_some();
        let creating = loaded.origin == Origin::Fresh || rotated;
        if creating {
            let has_content =
                rotated || loaded.session.data().has_changes() || loaded.session.auth().is_some();
            if !has_content {
                return Ok(CookieAction::None);
            }
            let mut session = loaded.session;
            session.data_mut().unmark();
            // 128 random bits make a collision all but impossible; if one happens the
            // store refuses to overwrite, and the session moves to another fresh id.
            let mut attempts = 0;
            loop {
                match store.create(&session).await {
                    Ok(()) => break,
                    Err(StoreError::IdCollision) if attempts < 3 => {
                        attempts += 1;
                        session.set_id(SessionId::generate());
                    }
                    Err(err) => return Err(FinishError::Store(err)),
                }
            }
            let id = session.id();
            if let Some(old) = loaded.rotated_from {
                store.delete(&old).await.map_err(FinishError::Store)?;
            }
            return Ok(CookieAction::Set(cookies::set_cookie(config, id)));
        }

        let Origin::Stored { stored_last_access } = loaded.origin else {
            unreachable!("fresh sessions were handled above")
        };
        let touch_due = now
            .duration_since(stored_last_access)
            .unwrap_or(Duration::ZERO)
            >= config.touch_interval();
        let data_changed = loaded.session.data().has_changes();
        if !data_changed && !touch_due {
            return Ok(CookieAction::None);
        }
        let id = loaded.session.id();
        let last_access = touch_due.then_some(now);
        match store
            .save_changes_of(&id, loaded.session.data_mut(), last_access)
            .await
        {
            Ok(()) if touch_due => Ok(CookieAction::Set(cookies::set_cookie(config, id))),
            Ok(()) => Ok(CookieAction::None),
            Err(StoreError::NotFound) if !data_changed => {
                // Only a touch, of a session that ended meanwhile: nothing is lost.
                Ok(CookieAction::Remove(cookies::removal_cookie(config)))
            }
            Err(StoreError::NotFound) => Err(FinishError::Vanished),
            Err(err) => Err(FinishError::Store(err)),
        }
    }
}
