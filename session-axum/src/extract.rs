//! The extractors: [`TypedSession<T>`], the [`Session`] handle and the [`Avatar`].

use std::fmt;
use std::ops::{Deref, DerefMut};

use axum_core::extract::FromRequestParts;
use http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use session_core::bag::{AsBagPath, Bag};
use session_core::{AuthSnapshot, BagError, SessionData, SessionId, TypedPath};

use crate::error::SessionRejection;
use crate::state::RequestSession;

async fn request_session(parts: &Parts) -> Result<RequestSession, SessionRejection> {
    let session = parts
        .extensions
        .get::<RequestSession>()
        .cloned()
        .ok_or(SessionRejection::MissingLayer)?;
    session.ensure_loaded(parts).await?;
    Ok(session)
}

/// The session's data as a typed struct: derefs to `T`, and the fields that changed
/// are written back when the handler is done.
///
/// Loading never writes. A handler that only reads (no `DerefMut`) writes nothing back;
/// one that takes `&mut T` writes the fields whose values differ from the session's.
/// Several `TypedSession<A>`, `TypedSession<B>` in one handler share one session.
///
/// The write-back happens when the extractor is dropped, which is when the handler
/// returns; keep it inside the handler (do not move it into a spawned task).
///
/// ```
/// use session_axum::{SessionData, TypedSession};
///
/// #[derive(SessionData, Default)]
/// struct Visits {
///     count: u64,
/// }
///
/// async fn counter(mut visits: TypedSession<Visits>) -> String {
///     visits.count += 1;
///     visits.count.to_string()
/// }
/// # let _ = counter;
/// ```
pub struct TypedSession<T: SessionData> {
    value: T,
    session: RequestSession,
    dirty: bool,
}

impl<T: SessionData> TypedSession<T> {
    /// The session id the client will hold after this request.
    pub fn id(&self) -> SessionId {
        self.session.with_session(|s| s.id())
    }

    /// Writes the current value into the session now, instead of when dropped.
    pub fn save(&mut self) -> Result<(), BagError> {
        self.session
            .with_session_mut(|s| self.value.write_to_bag(s.data_mut()))?;
        self.dirty = false;
        Ok(())
    }
}

impl<T: SessionData> Deref for TypedSession<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: SessionData> DerefMut for TypedSession<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.dirty = true;
        &mut self.value
    }
}

impl<T: SessionData> Drop for TypedSession<T> {
    fn drop(&mut self) {
        if self.dirty
            && let Err(error) = self.save()
        {
            self.session
                .record_write_error(format!("{}: {error}", std::any::type_name::<T>()));
        }
    }
}

impl<T: SessionData + fmt::Debug> fmt::Debug for TypedSession<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.value, f)
    }
}

impl<S, T> FromRequestParts<S> for TypedSession<T>
where
    S: Send + Sync,
    T: SessionData + Send,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let session = request_session(parts).await?;
        let value = session
            .with_session(|s| T::from_bag(s.data()))
            .map_err(|source| SessionRejection::Data {
                type_name: std::any::type_name::<T>(),
                source,
            })?;
        Ok(TypedSession {
            value,
            session,
            dirty: false,
        })
    }
}

/// The whole session of the request: its id, the raw data [`Bag`], and the
/// operations that change who it belongs to (login, logout, id rotation).
///
/// Changes are written back by the layer after the handler, path by path.
///
/// ```
/// use session_axum::{AuthSnapshot, Session};
///
/// async fn login(session: Session) -> &'static str {
///     session.login(AuthSnapshot::new("ada").with_tags(["admin"]));
///     "welcome"
/// }
///
/// async fn remember(session: Session) -> Result<(), session_axum::BagError> {
///     session.set("prefs.theme", &"dark")
/// }
/// # let _ = (login, remember);
/// ```
#[derive(Clone)]
pub struct Session {
    session: RequestSession,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.session.with_session(|s| {
            f.debug_struct("Session")
                .field("id", &s.id())
                .field("identity", &s.avatar().identity())
                .finish_non_exhaustive()
        })
    }
}

impl Session {
    /// The session id the client will hold after this request (a new one after
    /// [`login`](Self::login) or [`cycle_id`](Self::cycle_id)).
    pub fn id(&self) -> SessionId {
        self.session.with_session(|s| s.id())
    }

    /// True when the request came without a live session (the session is stored only
    /// if something is written into it).
    pub fn is_new(&self) -> bool {
        self.session.is_new()
    }

    /// The value at `path`, deserialized.
    pub fn get<T: DeserializeOwned>(&self, path: impl AsBagPath) -> Result<Option<T>, BagError> {
        self.session.with_session(|s| s.data().get_as(path))
    }

    /// Serializes `value` and stores it at `path`.
    pub fn set<T: Serialize + ?Sized>(
        &self,
        path: impl AsBagPath,
        value: &T,
    ) -> Result<(), BagError> {
        self.session
            .with_session_mut(|s| s.data_mut().set_as(path, value))
    }

    /// Removes the node at `path`; `true` when it existed.
    pub fn remove(&self, path: impl AsBagPath) -> Result<bool, BagError> {
        self.session
            .with_session_mut(|s| s.data_mut().remove(path).map(|n| n.is_some()))
    }

    /// The value at a typed path.
    pub fn get_path<T: Serialize + DeserializeOwned>(
        &self,
        path: &TypedPath<T>,
    ) -> Result<Option<T>, BagError> {
        self.session.with_session(|s| path.get(s.data()))
    }

    /// Stores a value at a typed path.
    pub fn set_path<T: Serialize + DeserializeOwned>(
        &self,
        path: &TypedPath<T>,
        value: &T,
    ) -> Result<(), BagError> {
        self.session
            .with_session_mut(|s| path.set(s.data_mut(), value))
    }

    /// Reads the data Bag.
    pub fn with_data<R>(&self, f: impl FnOnce(&Bag) -> R) -> R {
        self.session.with_session(|s| f(s.data()))
    }

    /// Changes the data Bag; whatever `f` sets or removes is written back.
    pub fn update_data<R>(&self, f: impl FnOnce(&mut Bag) -> R) -> R {
        self.session.with_session_mut(|s| f(s.data_mut()))
    }

    /// Reads the session as a typed struct (a snapshot; write it back with
    /// [`Session::store`]).
    pub fn load<T: SessionData>(&self) -> Result<T, BagError> {
        self.session.with_session(|s| T::from_bag(s.data()))
    }

    /// Writes a typed struct into the session (only fields that differ are changes).
    pub fn store<T: SessionData>(&self, value: &T) -> Result<(), BagError> {
        self.session
            .with_session_mut(|s| value.write_to_bag(s.data_mut()))
    }

    /// The user identity built from the auth snapshot.
    pub fn avatar(&self) -> session_core::Avatar {
        self.session.with_session(|s| s.avatar().clone())
    }

    /// The auth snapshot, if the session is authenticated.
    pub fn auth(&self) -> Option<AuthSnapshot> {
        self.session.with_session(|s| s.auth().cloned())
    }

    /// Logs in: the auth snapshot and avatar are replaced, the data is kept, and the
    /// session moves to a new id (the old one is deleted), which defeats session
    /// fixation. Written when the handler returns.
    pub fn login(&self, auth: AuthSnapshot) {
        self.session.login(auth);
    }

    /// Logs out: the session is deleted and the response tells the client to drop the
    /// cookie.
    pub fn logout(&self) {
        self.session.logout();
    }

    /// Moves the session to a new id, keeping everything else (the old id is deleted).
    pub fn cycle_id(&self) {
        self.session.cycle_id();
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Session {
            session: request_session(parts).await?,
        })
    }
}

/// The user identity of the request's session, for guards such as "admin only".
///
/// ```
/// use axum::http::StatusCode;
/// use session_axum::Avatar;
///
/// async fn admin(avatar: Avatar) -> StatusCode {
///     if avatar.has_tag("admin") { StatusCode::OK } else { StatusCode::FORBIDDEN }
/// }
/// # let _ = admin;
/// ```
#[derive(Debug, Clone)]
pub struct Avatar(pub session_core::Avatar);

impl Deref for Avatar {
    type Target = session_core::Avatar;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Avatar {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let session = request_session(parts).await?;
        Ok(Avatar(session.with_session(|s| s.avatar().clone())))
    }
}
