//! The load test's baseline: `GET /counter` on bare axum, no session, answering what the
//! demo answers on a first visit. Used by `scripts/loadtest.sh`.
//!
//! ```text
//! PORT=3001 cargo run --release --example bench_server_bare
//! ```

use axum::Router;
use axum::routing::{get, post, put};

async fn counter() -> String {
    std::hint::black_box(1_u64).to_string()
}

async fn other() -> &'static str {
    "not measured"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3001);
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
        .route("/admin", get(other));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("bare axum listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
