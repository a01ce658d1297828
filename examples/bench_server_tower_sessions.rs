//! The load test's comparison: the demo's `GET /counter` on tower-sessions 0.15 and its
//! `MemoryStore` (the cookie's `Secure` off, as in the demo). Used by
//! `scripts/loadtest.sh`.
//!
//! ```text
//! PORT=3002 cargo run --release --example bench_server_tower_sessions
//! ```

use axum::Router;
use axum::routing::{get, post, put};
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

async fn counter(session: Session) -> String {
    let visits: u64 = session
        .get("visits")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    match session.insert("visits", visits + 1).await {
        Ok(()) => (visits + 1).to_string(),
        Err(error) => format!("session error: {error}"),
    }
}

async fn other() -> &'static str {
    "not measured"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3002);
    let layer = SessionManagerLayer::new(MemoryStore::default()).with_secure(false);
    // The demo's routes, so that routing costs what it costs the demo; only /counter
    // is measured.
    let app = Router::new()
        .route("/", get(other))
        .route("/counter", get(counter))
        .route("/login", post(other))
        .route("/logout", post(other))
        .route("/whoami", get(other))
        .route("/notes/{key}", put(other))
        .route("/notes", get(other))
        .route("/admin", get(other))
        .layer(layer);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "tower-sessions listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await
}
