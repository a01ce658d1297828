//! Typed server-side sessions for axum.
//!
//! Add a [`SessionLayer`] over a store, derive [`SessionData`] for the state you keep,
//! and take [`TypedSession<T>`] in handlers: the cookie carries only an opaque id, the
//! state stays on the server, and only the fields a request changed are written back.
//!
//! ```
//! use axum::{Router, routing::get};
//! use session_axum::{MemoryStore, SessionData, SessionLayer, TypedSession};
//!
//! #[derive(SessionData, Default)]
//! struct Counter {
//!     visits: u64,
//! }
//!
//! async fn count(mut counter: TypedSession<Counter>) -> String {
//!     counter.visits += 1;
//!     format!("visit #{}", counter.visits)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app: Router = Router::new()
//!     .route("/", get(count))
//!     .layer(SessionLayer::new(MemoryStore::new()));
//! # use tower::ServiceExt;
//! # let response = app
//! #     .oneshot(axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap())
//! #     .await
//! #     .unwrap();
//! # let cookie = response.headers()["set-cookie"].to_str().unwrap();
//! # assert!(cookie.starts_with("session_id="));
//! # assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"));
//! # }
//! ```
//!
//! # What the layer does
//!
//! - Lazy: a request whose handler takes no session extractor costs no store call and
//!   gets no `Set-Cookie`; a visitor who only reads a session they do not have gets
//!   none created.
//! - Unknown, garbage, oversized, non-UTF-8 or badly signed cookies count as no
//!   cookie; an unknown id is never adopted.
//! - Every request that uses the session touches it. The stored `last_access` is
//!   refreshed (and the cookie's `Max-Age` re-sent) once it is older than the touch
//!   interval, so read-only requests cost no write; see
//!   [`SessionLayer::with_touch_interval`].
//! - Expired sessions are deleted and the handler gets a fresh one under a new id.
//! - Store failures answer 503 with a short body and a `tracing` error; a missing
//!   layer answers 500 naming `SessionLayer`.

mod config;
mod cookies;
mod dyn_store;
mod error;
mod extract;
mod layer;
mod state;

pub use config::{
    DEFAULT_COOKIE_NAME, DEFAULT_TOUCH_INTERVAL, DEFAULT_TTL_SECS, MAX_COOKIE_VALUE_LEN, SameSite,
    SigningKey,
};
pub use error::SessionRejection;
pub use extract::{Avatar, Session, TypedSession};
pub use layer::{ResponseFuture, SessionLayer, SessionService};
pub use session_core::bag::{self, Bag, BagError, BagPath};
pub use session_core::{
    AuthSnapshot, Clock, ManualClock, MemoryStore, SchemaField, SessionData, SessionId,
    SessionStore, StoreError, TypedPath,
};
pub use session_derive::SessionData;

/// The core crate, for everything this crate does not re-export by name (and for the
/// code `#[derive(SessionData)]` generates).
pub use session_core as core;
