//! The session: id, server-managed metadata, application data, the auth snapshot and
//! the avatar — genro_asgi's `Session`, typed.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::avatar::{AuthSnapshot, Avatar};
use crate::bag::Bag;
use crate::id::SessionId;

/// Server-managed metadata of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// When the session was created.
    #[serde(with = "unix_millis")]
    pub created_at: SystemTime,
    /// When the session was last used ([`Session::touch`]).
    #[serde(with = "unix_millis")]
    pub last_access: SystemTime,
    /// Time to live in seconds after the last access. Zero or less means the session
    /// is always expired, as in genro_asgi.
    pub ttl: i64,
}

impl SessionMeta {
    /// Metadata of a session created at `now`.
    pub fn new_at(now: SystemTime, ttl: i64) -> Self {
        SessionMeta {
            created_at: now,
            last_access: now,
            ttl,
        }
    }

    /// genro_asgi's rule: a ttl of zero or less is always expired; otherwise the
    /// session is expired when `now - last_access > ttl` (strictly greater).
    ///
    /// A `last_access` in the future (a clock stepped back) counts as no time elapsed.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        if self.ttl <= 0 {
            return true;
        }
        let elapsed = now
            .duration_since(self.last_access)
            .unwrap_or(Duration::ZERO);
        elapsed > Duration::from_secs(self.ttl.unsigned_abs())
    }

    /// The first instant at which the session counts as expired, or `None` when it
    /// already is (ttl of zero or less).
    pub fn expires_at(&self) -> Option<SystemTime> {
        (self.ttl > 0).then(|| self.last_access + Duration::from_secs(self.ttl.unsigned_abs()))
    }

    /// The ttl as a `Duration` (zero for a ttl of zero or less).
    pub fn ttl_duration(&self) -> Duration {
        Duration::from_secs(self.ttl.max(0).unsigned_abs())
    }
}

/// A server-side session: a unique id, metadata, a data [`Bag`], the auth snapshot and
/// the [`Avatar`] built from it.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use session_core::{AuthSnapshot, Session, SessionId};
///
/// let start = SystemTime::now();
/// let mut session = Session::new_at(SessionId::generate(), None, 60, start);
/// session.data_mut().set("cart.items", 2)?;
/// assert_eq!(session.avatar().identity(), "anonymous");
///
/// // Expired only once *more than* ttl seconds passed since the last access.
/// assert!(!session.is_expired_at(start + Duration::from_secs(60)));
/// assert!(session.is_expired_at(start + Duration::from_millis(60_001)));
/// session.touch_at(start + Duration::from_secs(30));
/// assert!(!session.is_expired_at(start + Duration::from_secs(90)));
/// # Ok::<(), session_core::bag::BagError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    id: SessionId,
    meta: SessionMeta,
    data: Bag,
    auth: Option<AuthSnapshot>,
    avatar: Avatar,
}

impl Session {
    /// A new session created now, as genro_asgi's `Session(session_id, auth, ttl)`.
    pub fn new(id: SessionId, auth: Option<AuthSnapshot>, ttl: i64) -> Self {
        Self::new_at(id, auth, ttl, SystemTime::now())
    }

    /// A new session created at `now`.
    pub fn new_at(id: SessionId, auth: Option<AuthSnapshot>, ttl: i64, now: SystemTime) -> Self {
        Self::from_parts(id, SessionMeta::new_at(now, ttl), Bag::new(), auth)
    }

    /// Reassembles a session from stored parts; the avatar is rebuilt from `auth`.
    pub fn from_parts(
        id: SessionId,
        meta: SessionMeta,
        data: Bag,
        auth: Option<AuthSnapshot>,
    ) -> Self {
        let avatar = Avatar::from_auth(auth.as_ref());
        Session {
            id,
            meta,
            data,
            auth,
            avatar,
        }
    }

    /// The session id.
    pub fn id(&self) -> SessionId {
        self.id
    }

    /// Server-managed metadata: created_at, last_access, ttl.
    pub fn meta(&self) -> &SessionMeta {
        &self.meta
    }

    /// Mutable metadata, for stores and for changing the ttl.
    pub fn meta_mut(&mut self) -> &mut SessionMeta {
        &mut self.meta
    }

    /// Application data.
    pub fn data(&self) -> &Bag {
        &self.data
    }

    /// Application data, mutable.
    pub fn data_mut(&mut self) -> &mut Bag {
        &mut self.data
    }

    /// The auth snapshot taken at creation or at login.
    pub fn auth(&self) -> Option<&AuthSnapshot> {
        self.auth.as_ref()
    }

    /// The user identity built from the auth snapshot.
    pub fn avatar(&self) -> &Avatar {
        &self.avatar
    }

    /// The avatar, mutable (its data Bag is request-scoped).
    pub fn avatar_mut(&mut self) -> &mut Avatar {
        &mut self.avatar
    }

    /// Replaces the auth snapshot and rebuilds the avatar from it.
    pub fn set_auth(&mut self, auth: Option<AuthSnapshot>) {
        self.avatar = Avatar::from_auth(auth.as_ref());
        self.auth = auth;
    }

    /// Moves the session to another id (for id rotation).
    pub fn set_id(&mut self, id: SessionId) {
        self.id = id;
    }

    /// The same session under another id (for id rotation).
    pub fn with_id(mut self, id: SessionId) -> Self {
        self.set_id(id);
        self
    }

    /// Takes the session apart into id, metadata, data and auth snapshot.
    pub fn into_parts(self) -> (SessionId, SessionMeta, Bag, Option<AuthSnapshot>) {
        (self.id, self.meta, self.data, self.auth)
    }

    /// Sets `last_access` to the current time.
    pub fn touch(&mut self) {
        self.touch_at(SystemTime::now());
    }

    /// Sets `last_access` to `now`.
    pub fn touch_at(&mut self, now: SystemTime) {
        self.meta.last_access = now;
    }

    /// Whether the session has exceeded its ttl now; see [`SessionMeta::is_expired_at`].
    pub fn is_expired(&self) -> bool {
        self.is_expired_at(SystemTime::now())
    }

    /// Whether the session has exceeded its ttl at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.meta.is_expired_at(now)
    }
}

/// Serializes a `SystemTime` as integer milliseconds since the Unix epoch.
pub mod unix_millis {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use serde::{Deserialize, Deserializer, Serializer};

    /// Milliseconds since the epoch (negative before it).
    pub fn to_millis(time: SystemTime) -> i64 {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// The time `millis` milliseconds after the epoch.
    pub fn from_millis(millis: i64) -> SystemTime {
        if millis >= 0 {
            UNIX_EPOCH + Duration::from_millis(millis.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_millis(millis.unsigned_abs())
        }
    }

    /// Serde `serialize_with`.
    pub fn serialize<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(to_millis(*time))
    }

    /// Serde `deserialize_with`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        i64::deserialize(deserializer).map(from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    #[test]
    fn new_session_matches_the_seed() {
        let session = Session::new_at(SessionId::generate(), None, 3600, at(0));
        assert_eq!(session.meta().created_at, at(0));
        assert_eq!(session.meta().last_access, at(0));
        assert_eq!(session.meta().ttl, 3600);
        assert!(session.data().is_empty());
        assert!(session.auth().is_none());
        assert_eq!(session.avatar().identity(), "anonymous");
    }

    #[test]
    fn ttl_zero_or_less_is_always_expired() {
        for ttl in [0, -1, i64::MIN] {
            let session = Session::new_at(SessionId::generate(), None, ttl, at(0));
            assert!(session.is_expired_at(at(0)), "ttl {ttl}");
            assert!(session.meta().expires_at().is_none());
        }
    }

    #[test]
    fn expiry_is_strictly_greater_than_ttl() {
        let mut session = Session::new_at(SessionId::generate(), None, 10, at(0));
        assert!(!session.is_expired_at(at(0)));
        assert!(!session.is_expired_at(at(10)), "exactly ttl is not expired");
        assert!(session.is_expired_at(at(10) + Duration::from_nanos(1)));
        assert!(session.is_expired_at(at(11)));
        assert_eq!(session.meta().expires_at(), Some(at(10)));
        session.touch_at(at(8));
        assert!(!session.is_expired_at(at(18)));
        assert!(session.is_expired_at(at(19)));
        // A clock that went backwards does not expire anything.
        assert!(!session.is_expired_at(at(1)));
    }

    #[test]
    fn touch_uses_the_wall_clock() {
        let mut session = Session::new_at(SessionId::generate(), None, 10, at(0));
        session.touch();
        assert!(session.meta().last_access > at(0));
        assert!(!session.is_expired());
    }

    #[test]
    fn set_auth_rebuilds_the_avatar() {
        let mut session = Session::new(SessionId::generate(), None, 60);
        session.set_auth(Some(AuthSnapshot::new("ada").with_tags(["admin"])));
        assert_eq!(session.avatar().identity(), "ada");
        assert!(session.avatar().has_tag("admin"));
        session.set_auth(Some(AuthSnapshot::default()));
        assert_eq!(session.avatar().identity(), "unknown");
        session.set_auth(None);
        assert!(session.avatar().is_anonymous());
    }

    #[test]
    fn meta_serializes_as_millis() {
        let meta = SessionMeta::new_at(at(0) + Duration::from_millis(5), 30);
        let json = serde_json::to_value(meta).unwrap();
        assert_eq!(json["created_at"], 1_700_000_000_005_i64);
        assert_eq!(serde_json::from_value::<SessionMeta>(json).unwrap(), meta);
    }
}
