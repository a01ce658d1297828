//! Typed, path-addressed server-side sessions: the runtime heart.
//!
//! A port of the session model of the Python framework genro_asgi: a [`Session`]
//! holds an id, server-managed metadata ([`SessionMeta`]), application data in a
//! [`Bag`] (an ordered tree addressed by paths such as `cart.items.#0?price`), the
//! [`AuthSnapshot`] taken at login and the [`Avatar`] built from it. Sessions live in
//! a [`SessionStore`]; [`MemoryStore`] is the embedded one.
//!
//! This crate depends on no web framework; `session-axum` puts it behind an axum
//! layer and extractors, and `session-redis` stores sessions in Redis.
//!
//! ```
//! use session_core::bag::Bag;
//! use session_core::{AuthSnapshot, MemoryStore, Session, SessionId, SessionStore};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! // A Bag: ordered, nested, with attributes.
//! let mut cart = Bag::new();
//! cart.set("items.apple", 3)?;
//! cart.set("items.pear", 1)?;
//! cart.set("items.apple?price", 0.5)?;
//! assert_eq!(cart.get_as::<u32>("items.#0")?, Some(3));
//! assert_eq!(cart.labels().collect::<Vec<_>>(), ["items"]);
//!
//! // A session, stored and loaded back.
//! let store = MemoryStore::new();
//! let auth = AuthSnapshot::new("ada").with_tags(["admin"]);
//! let mut session = Session::new(SessionId::generate(), Some(auth), 3600);
//! session.data_mut().merge(&cart);
//! store.create(&session).await?;
//!
//! let loaded = store.load(&session.id()).await?.expect("live session");
//! assert_eq!(loaded.avatar().identity(), "ada");
//! assert!(loaded.avatar().has_tag("admin"));
//! assert_eq!(loaded.data().get_as::<f64>("items.apple?price")?, Some(0.5));
//! assert!(!loaded.is_expired());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```

pub mod bag;

mod avatar;
mod clock;
mod data;
mod id;
mod session;
pub mod store;

pub use avatar::{ANONYMOUS, AuthSnapshot, Avatar, UNKNOWN};
pub use bag::{Bag, BagError, BagPath};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use data::*;
pub use id::{BuildIdHasher, IdHasher, InvalidSessionId, SESSION_ID_LEN, SessionId};
pub use session::{Session, SessionMeta, unix_millis};
pub use store::{MemoryStore, SessionChanges, SessionStore, StoreError};
