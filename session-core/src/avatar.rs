//! The authentication snapshot kept with a session, and the user identity built from it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::bag::Bag;

/// What the authentication step knew about the user when the session was created or
/// at login: identity, tags, the backend that vouched for them, and anything else.
///
/// ```
/// use session_core::AuthSnapshot;
///
/// let auth = AuthSnapshot::new("ada").with_tags(["admin", "staff"]).with_backend("password");
/// assert_eq!(auth.identity.as_deref(), Some("ada"));
/// assert_eq!(auth.tags, ["admin", "staff"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthSnapshot {
    /// The user's identity (a user name, an email, a subject id), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Roles or permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Which authentication backend produced this snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Any other fields the backend supplied.
    #[serde(default, skip_serializing_if = "Map::is_empty", flatten)]
    pub extra: Map<String, Value>,
}

impl AuthSnapshot {
    /// A snapshot for `identity`, with no tags.
    pub fn new(identity: impl Into<String>) -> Self {
        AuthSnapshot {
            identity: Some(identity.into()),
            ..Self::default()
        }
    }

    /// The same snapshot with these tags.
    pub fn with_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// The same snapshot naming its backend.
    pub fn with_backend(mut self, backend: impl Into<String>) -> Self {
        self.backend = Some(backend.into());
        self
    }

    /// The same snapshot with one more extra field.
    pub fn with_extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}

/// The user identity of a session, built from its [`AuthSnapshot`] as genro_asgi's
/// `Avatar(auth=...)` is: `"anonymous"` without a snapshot, `"unknown"` when the
/// snapshot has no identity.
///
/// The avatar is rebuilt whenever a session is loaded; its `data` Bag is for state
/// derived during a request (resolved permissions, say) and is not stored. State that
/// must outlive the request belongs in the session's data.
///
/// ```
/// use session_core::{Avatar, AuthSnapshot};
///
/// assert_eq!(Avatar::from_auth(None).identity(), "anonymous");
/// assert_eq!(Avatar::from_auth(Some(&AuthSnapshot::default())).identity(), "unknown");
/// let admin = Avatar::from_auth(Some(&AuthSnapshot::new("ada").with_tags(["admin"])));
/// assert!(admin.has_tag("admin"));
/// assert!(!admin.has_tag("root"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Avatar {
    identity: Cow<'static, str>,
    tags: Vec<String>,
    /// Request-scoped data about the user.
    pub data: Bag,
}

/// The identity of a session without authentication.
pub const ANONYMOUS: &str = "anonymous";
/// The identity of an authenticated session whose snapshot names nobody.
pub const UNKNOWN: &str = "unknown";

impl Avatar {
    /// The avatar for a snapshot, or the anonymous avatar for none.
    pub fn from_auth(auth: Option<&AuthSnapshot>) -> Self {
        match auth {
            None => Avatar::anonymous(),
            Some(auth) => Avatar {
                identity: match &auth.identity {
                    Some(identity) => Cow::Owned(identity.clone()),
                    None => Cow::Borrowed(UNKNOWN),
                },
                tags: auth.tags.clone(),
                data: Bag::new(),
            },
        }
    }

    /// The avatar of a session nobody logged into.
    pub const fn anonymous() -> Self {
        Avatar {
            identity: Cow::Borrowed(ANONYMOUS),
            tags: Vec::new(),
            data: Bag::new(),
        }
    }

    /// The user's identity.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The user's tags (roles, permissions), empty by default.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// True when the user has `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// True for the avatar of a session without authentication.
    pub fn is_anonymous(&self) -> bool {
        matches!(self.identity, Cow::Borrowed(ANONYMOUS)) && self.tags.is_empty()
    }
}

impl Default for Avatar {
    fn default() -> Self {
        Avatar::anonymous()
    }
}
