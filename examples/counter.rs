//! The smallest useful session: a typed counter.
//!
//! ```text
//! cargo run --example counter
//! curl -c jar -b jar http://127.0.0.1:3001/   # 1, 2, 3, ...
//! ```

use axum::{Router, routing::get};
use session_axum::{MemoryStore, SessionData, SessionLayer, TypedSession};

/// Lives at path `visits` of the session's Bag.
#[derive(SessionData, Default)]
struct Counter {
    visits: u64,
}

async fn count(mut counter: TypedSession<Counter>) -> String {
    counter.visits += 1;
    format!("{}\n", counter.visits)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new()
        .route("/", get(count))
        // Plain http on localhost: the Secure cookie flag would stop curl sending it.
        .layer(SessionLayer::new(MemoryStore::new()).with_secure(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
    println!("counter on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
