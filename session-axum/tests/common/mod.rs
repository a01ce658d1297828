//! Helpers shared by the layer tests: a router with a few session routes, and
//! request/response plumbing for `oneshot`.

#![allow(dead_code, unreachable_pub, missing_docs)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post, put};
use session_axum::{AuthSnapshot, Avatar, Session, SessionData, SessionLayer, TypedSession};
use tower::ServiceExt;

#[derive(SessionData, Default, Debug)]
pub struct Counter {
    pub count: u64,
}

#[derive(SessionData, Default, Debug)]
#[session(root = "profile")]
pub struct Profile {
    pub name: Option<String>,
}

async fn counter(mut counter: TypedSession<Counter>) -> String {
    counter.count += 1;
    counter.count.to_string()
}

async fn peek(counter: TypedSession<Counter>) -> String {
    counter.count.to_string()
}

async fn both(mut counter: TypedSession<Counter>, mut profile: TypedSession<Profile>) -> String {
    counter.count += 10;
    profile.name = Some("both".into());
    format!(
        "{} {}",
        counter.count,
        profile.name.as_deref().unwrap_or("")
    )
}

async fn whoami(avatar: Avatar) -> String {
    format!("{} [{}]", avatar.identity(), avatar.tags().join(","))
}

async fn login(session: Session, body: String) -> String {
    session.login(AuthSnapshot::new(body).with_tags(["admin"]));
    session.id().to_string()
}

async fn logout(session: Session) -> StatusCode {
    session.logout();
    StatusCode::NO_CONTENT
}

async fn set_key(
    session: Session,
    axum::extract::Path(key): axum::extract::Path<String>,
    body: String,
) -> StatusCode {
    let path = session_axum::BagPath::from_labels(["keys".to_owned(), key]).expect("non-empty key");
    session
        .set(&path, &body)
        .expect("a string always serializes");
    StatusCode::NO_CONTENT
}

async fn keys(session: Session) -> String {
    session.with_data(|bag| {
        bag.get_bag("keys")
            .ok()
            .flatten()
            .map(|keys| keys.len())
            .unwrap_or(0)
            .to_string()
    })
}

async fn nothing() -> &'static str {
    "no session here"
}

pub fn routes() -> Router {
    Router::new()
        .route("/counter", get(counter))
        .route("/peek", get(peek))
        .route("/both", get(both))
        .route("/whoami", get(whoami))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/keys/{key}", put(set_key))
        .route("/keys", get(keys))
        .route("/nothing", get(nothing))
}

pub fn app(layer: SessionLayer) -> Router {
    routes().layer(layer)
}

pub async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    body: &str,
) -> Response {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap()
}

pub async fn text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The `Set-Cookie` headers of a response.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// `name=value` of the one `Set-Cookie`, ready for a `Cookie` header.
pub fn cookie_pair(response: &Response) -> String {
    let cookies = set_cookies(response);
    assert_eq!(cookies.len(), 1, "expected one Set-Cookie, got {cookies:?}");
    cookies[0].split(';').next().unwrap().to_owned()
}
