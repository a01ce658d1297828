//! The demo's `GET /counter` on tower-sessions 0.14 with tower-sessions-redis-store 0.16
//! (fred, one connection, as our `RedisStore` uses one multiplexed connection).
//!
//! ```text
//! PORT=3104 REDIS_URL=redis://127.0.0.1:6390 cargo run --release
//! ```

use axum::Router;
use axum::routing::get;
use tower_sessions::{Session, SessionManagerLayer};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, Pool};

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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3104);
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let pool = Pool::new(Config::from_url(&url)?, None, None, None, 1)?;
    let _connection = pool.connect();
    pool.wait_for_connect().await?;
    let layer = SessionManagerLayer::new(RedisStore::new(pool)).with_secure(false);
    let app = Router::new().route("/counter", get(counter)).layer(layer);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "tower-sessions (Redis) listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
