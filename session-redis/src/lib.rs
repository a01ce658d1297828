//! Sessions in Redis (6 or later) or Valkey, shared by every process and machine
//! that points at the same server: [`RedisStore`], a [`SessionStore`].
//!
//! ```no_run
//! use session_core::{Session, SessionId, SessionStore};
//! use session_redis::RedisStore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = RedisStore::connect("redis://127.0.0.1:6379").await?;
//!
//! let mut session = Session::new(SessionId::generate(), None, 3600);
//! session.data_mut().set("cart.apple", 3)?;
//! store.create(&session).await?;
//!
//! // Any process connected to the same Redis sees it.
//! let loaded = store.load(&session.id()).await?.expect("live session");
//! assert_eq!(loaded.data().get_as::<u32>("cart.apple")?, Some(3));
//! # Ok(())
//! # }
//! ```
//!
//! # Data layout
//!
//! One Redis hash per session, at `{prefix}{id}` (prefix `session:` by default):
//!
//! | field | holds |
//! |---|---|
//! | `created_at`, `last_access` | milliseconds since the Unix epoch, as decimal text (times are kept to the millisecond, as in `SessionMeta`'s serde form) |
//! | `ttl` | the session ttl in seconds |
//! | `auth` | the [`AuthSnapshot`](session_core::AuthSnapshot) as JSON; absent without one |
//! | `data` | the data Bag as a JSON list of nodes (below) |
//!
//! A stored node is `{"l": label, "v": leaf}` or `{"l": label, "b": [nodes]}`, with
//! `"a": attributes` when it has any. Leaves and attributes are JSON *text* inside a
//! JSON string, so the Lua side never parses them: Redis' cjson would lose the order
//! of object keys, the digits of big integers and floats, and the difference between
//! `[]` and `{}`. Order of nodes, nesting, attributes and every leaf survive exactly.
//!
//! # Writes: path by path, atomically
//!
//! [`SessionStore::save_changes`] sends the request's change set (the paths it set,
//! with their new values, and the paths it removed) to a Lua script that runs
//! atomically inside Redis: it checks the session is still live, applies each change
//! to the stored node list in order (as [`Bag::apply`](session_core::Bag::apply)
//! does: an update keeps the node's position, a new label is appended), updates
//! `last_access`/`ttl`, and refreshes the key's TTL. Two processes that change
//! different paths of one session at the same moment both keep their writes: each
//! script sees the other's result. [`SessionStore::create`] is a script too, so that
//! an id in use is refused ([`StoreError::IdCollision`], NX semantics) in the same
//! step that stores the session.
//!
//! Scripts are sent by SHA1 (`EVALSHA`); when Redis does not know them (first use,
//! or after a restart) the store sends them once with `EVAL`, which caches them.
//!
//! # Expiry
//!
//! Redis keeps the expiry: the key gets a TTL equal to the session ttl when it is
//! created, and again whenever a save persists a touch (`last_access`) or a new ttl.
//! No key is ever written without a TTL (a script never leaves one in between). A
//! session with a ttl of zero or less is never kept. `load` and `save_changes` also
//! apply [`SessionMeta::is_expired_at`](session_core::SessionMeta::is_expired_at) to
//! the stored metadata, so an expired session is never returned even in the moment
//! before Redis drops it; [`SessionStore::purge_expired`] has nothing to do and
//! returns `Ok(0)`.
//!
//! # Costs
//!
//! | operation | round trips |
//! |---|---|
//! | `load` | 1 (`HMGET`) |
//! | `save_changes` (data, touch, ttl, any mix) | 1 (`EVALSHA`); nothing when the change set is empty |
//! | `create` | 1 (`EVALSHA`) |
//! | `delete` | 1 (`UNLINK`) |
//!
//! So a request that only reads costs one round trip, plus one when the layer
//! persists a touch, and a request that changes data costs two. The first use of a
//! script on a server adds one (`EVAL` after the `NOSCRIPT` answer). The script
//! rewrites the session's `data` field, so its cost grows with the size of the data;
//! session state is small, and the network trip dominates.
//!
//! # Failures
//!
//! Every operation is bounded by the command timeout (default 1 s, see
//! [`RedisStoreBuilder::with_command_timeout`]), waiting for a reconnection
//! included: past it the operation fails with [`StoreError::Timeout`]; a refused
//! connection or a Redis error gives [`StoreError::Unavailable`], and stored data
//! that cannot be read gives [`StoreError::Codec`]. The session layer answers these
//! with 503. The connection reconnects by itself in the background, so service
//! resumes when Redis is back, without a restart. As with any network store, a
//! write that timed out may still have been applied by a Redis that was only slow.
//!
//! # Why the `redis` crate
//!
//! It is the most widely used Rust client for Redis and Valkey, maintained by the
//! redis-rs organisation, with a stable 1.x API. Its `ConnectionManager` is a
//! multiplexed connection that clones cheaply, reconnects by itself with bounded
//! backoff, and takes connect and response timeouts; that is all a session store
//! needs. `fred` is a fine client too, but brings a connection pool and many more
//! dependencies that one multiplexed connection does not need here. Only the
//! `tokio-comp`, `connection-manager` and `script` features are enabled.
//!
//! # Limits
//!
//! cjson refuses JSON nested deeper than 1000 levels, so a data Bag nested deeper
//! than about 500 levels cannot be saved (the save fails with
//! [`StoreError::Unavailable`]; nothing is written).

mod config;
mod store;
mod stored;

pub use config::{
    DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_KEY_PREFIX, RedisStoreBuilder,
};
pub use session_core::{SessionStore, StoreError};
pub use store::RedisStore;
