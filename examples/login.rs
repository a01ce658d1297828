//! Login and logout with the `Session` handle, and an admin-only route with `Avatar`.
//!
//! ```text
//! cargo run --example login
//! curl -c jar -b jar -X POST http://127.0.0.1:3002/login/ada   # rotates the session id
//! curl -c jar -b jar http://127.0.0.1:3002/admin                # 200 for ada
//! curl -c jar -b jar -X POST http://127.0.0.1:3002/logout       # deletes the session
//! ```

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use session_axum::{AuthSnapshot, Avatar, MemoryStore, Session, SessionLayer};

async fn login(session: Session, Path(user): Path<String>) -> String {
    // A real service checks a password first; the snapshot records what it learned.
    let tags = if user == "ada" { vec!["admin"] } else { vec![] };
    session.login(
        AuthSnapshot::new(&user)
            .with_tags(tags)
            .with_backend("example"),
    );
    format!("hello {user}\n")
}

async fn logout(session: Session) -> StatusCode {
    session.logout();
    StatusCode::NO_CONTENT
}

async fn admin(avatar: Avatar) -> Result<String, StatusCode> {
    if avatar.has_tag("admin") {
        Ok(format!("welcome, {}\n", avatar.identity()))
    } else {
        Err(StatusCode::FORBIDDEN)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new()
        .route("/login/{user}", post(login))
        .route("/logout", post(logout))
        .route("/admin", get(admin))
        .layer(SessionLayer::new(MemoryStore::new()).with_secure(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3002").await?;
    println!("login example on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
