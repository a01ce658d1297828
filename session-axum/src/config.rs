//! How the layer names, scopes and protects its cookie, and how long sessions live.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use cookie::SameSite;
use session_core::{SharedClock, SystemClock};

/// The default cookie name, as in genro_asgi.
pub const DEFAULT_COOKIE_NAME: &str = "session_id";
/// The default session ttl: one hour.
pub const DEFAULT_TTL_SECS: i64 = 3600;
/// The longest time between two persisted touches of a session (see
/// [`SessionLayer::with_touch_interval`](crate::SessionLayer::with_touch_interval)).
pub const DEFAULT_TOUCH_INTERVAL: Duration = Duration::from_secs(60);
/// Cookie values longer than this are ignored (browsers cap a cookie at 4 KiB).
pub const MAX_COOKIE_VALUE_LEN: usize = 4096;

/// A key that signs session cookies (HMAC-SHA256, through the `cookie` crate).
#[derive(Clone)]
pub struct SigningKey(pub(crate) cookie::Key);

impl SigningKey {
    /// Derives a key from at least 32 bytes of secret material.
    ///
    /// # Panics
    /// When `secret` is shorter than 32 bytes.
    pub fn derive_from(secret: &[u8]) -> Self {
        SigningKey(cookie::Key::derive_from(secret))
    }

    /// A fresh random key (cookies signed with it die with the process).
    pub fn generate() -> Self {
        SigningKey(cookie::Key::generate())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) cookie_name: Cow<'static, str>,
    pub(crate) path: Cow<'static, str>,
    pub(crate) domain: Option<Cow<'static, str>>,
    pub(crate) secure: bool,
    pub(crate) http_only: bool,
    pub(crate) same_site: SameSite,
    pub(crate) ttl: i64,
    pub(crate) touch_interval: Option<Duration>,
    pub(crate) key: Option<SigningKey>,
    pub(crate) clock: SharedClock,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cookie_name: Cow::Borrowed(DEFAULT_COOKIE_NAME),
            path: Cow::Borrowed("/"),
            domain: None,
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            ttl: DEFAULT_TTL_SECS,
            touch_interval: None,
            key: None,
            clock: Arc::new(SystemClock),
        }
    }
}

impl Config {
    /// How stale the stored `last_access` may get before a read-only request writes it:
    /// the configured interval, or by default a tenth of the ttl, at most 60 s.
    pub(crate) fn touch_interval(&self) -> Duration {
        self.touch_interval.unwrap_or_else(|| {
            let tenth = Duration::from_secs(self.ttl.max(0).unsigned_abs()) / 10;
            tenth.min(DEFAULT_TOUCH_INTERVAL)
        })
    }
}
