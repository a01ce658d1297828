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

use session_axum::{MemoryStore, SessionLayer, SessionStore};

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

    let (layer, store_name) = match std::env::var("REDIS_URL") {
        Ok(url) => {
            // Lazy: the demo starts even while Redis is down, and answers 503 until
            // it is reachable.
            let store = session_redis::RedisStore::builder(&url).connect_lazy()?;
            (
                layer_for(store, ttl, secure),
                format!("Redis at {}", redact(&url)),
            )
        }
        Err(_) => (
            layer_for(MemoryStore::new(), ttl, secure).with_purge_interval(Duration::from_secs(60)),
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

fn layer_for(store: impl SessionStore, ttl: u64, secure: bool) -> SessionLayer {
    SessionLayer::new(store)
        .with_ttl(Duration::from_secs(ttl))
        .with_secure(secure)
}

/// The URL without its password, for the start-up line.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
