//! The demo: a small site with a typed visit counter, notes, login and logout.
//!
//! ```text
//! cargo run --release --example demo
//! ```
//!
//! Environment: `PORT` (default 3000), `SESSION_TTL` in seconds (default 3600),
//! `COOKIE_SECURE=1` to mark the cookie `Secure` (off here because the demo serves
//! plain http; the library's default is on), `REDIS_URL` to keep sessions in Redis
//! instead of this process's memory.

mod app;

use std::time::Duration;

use session_axum::{MemoryStore, SessionLayer};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name}={text:?} is not valid")),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let port: u16 = env_or("PORT", 3000)?;
    let ttl: u64 = env_or("SESSION_TTL", 3600)?;
    let secure = std::env::var("COOKIE_SECURE").is_ok_and(|v| v == "1");

    let layer = |store| {
        SessionLayer::new(store)
            .with_ttl(Duration::from_secs(ttl))
            .with_secure(secure)
    };
    let (layer, store_name) = match std::env::var("REDIS_URL") {
        Ok(url) => (redis_layer(&url, layer).await?, format!("Redis at {url}")),
        Err(_) => (
            layer(MemoryStore::new()).with_purge_interval(Duration::from_secs(60)),
            "memory".to_owned(),
        ),
    };

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "demo listening on http://{} (sessions in {store_name}, ttl {ttl} s)",
        listener.local_addr()?
    );
    axum::serve(listener, app::router(layer))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn redis_layer(
    url: &str,
    _layer: impl Fn(MemoryStore) -> SessionLayer,
) -> Result<SessionLayer, Box<dyn std::error::Error>> {
    Err(format!("REDIS_URL={url}: the Redis store is not available in this build yet").into())
}
