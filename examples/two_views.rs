//! Two typed views of one session: a cart under `shop` and preferences under
//! `prefs`, each loaded and written back independently, plus the schema they declare.
//!
//! ```text
//! cargo run --example two_views
//! curl -c jar -b jar -X POST http://127.0.0.1:3003/cart/apple
//! curl -c jar -b jar -X POST http://127.0.0.1:3003/theme/dark
//! curl -c jar -b jar http://127.0.0.1:3003/
//! ```

use axum::Router;
use axum::extract::Path;
use axum::routing::{get, post};
use session_axum::{MemoryStore, SessionData, SessionLayer, TypedSession};

#[derive(SessionData, Default, Debug)]
#[session(root = "shop")]
struct Cart {
    /// Path `shop.items`.
    items: Vec<String>,
    /// Path `shop.checkout.coupon`; absent while `None`.
    #[session(path = "checkout.coupon")]
    coupon: Option<String>,
}

#[derive(SessionData, Debug)]
#[session(root = "prefs")]
struct Prefs {
    /// Path `prefs.theme`; a session without it gets `"light"`.
    #[session(default = "light")]
    theme: String,
}

fn light() -> String {
    "light".to_owned()
}

async fn add(mut cart: TypedSession<Cart>, Path(item): Path<String>) -> String {
    cart.items.push(item);
    if cart.items.len() >= 3 {
        cart.coupon = Some("BULK10".to_owned());
    }
    format!("{} item(s)\n", cart.items.len())
}

async fn theme(mut prefs: TypedSession<Prefs>, Path(theme): Path<String>) -> String {
    prefs.theme = theme;
    format!("theme {}\n", prefs.theme)
}

async fn show(cart: TypedSession<Cart>, prefs: TypedSession<Prefs>) -> String {
    format!("{:?}\n{:?}\n", *cart, *prefs)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    for field in Cart::schema().into_iter().chain(Prefs::schema()) {
        println!("{:<22} {}", field.path, field.type_name);
    }
    let app = Router::new()
        .route("/", get(show))
        .route("/cart/{item}", post(add))
        .route("/theme/{theme}", post(theme))
        .layer(SessionLayer::new(MemoryStore::new()).with_secure(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3003").await?;
    println!("two views on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
