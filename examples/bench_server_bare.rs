//! The load test's baseline: `GET /counter` on bare axum, no session, answering what the
//! demo answers on a first visit. Used by `scripts/loadtest.sh`.
//!
//! ```text
//! PORT=3001 cargo run --release --example bench_server_bare
//! ```

use axum::Router;
use axum::routing::get;

async fn counter() -> String {
    std::hint::black_box(1_u64).to_string()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3001);
    let app = Router::new().route("/counter", get(counter));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("bare axum listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
