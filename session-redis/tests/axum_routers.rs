//! Routers behind `SessionLayer` on one Redis: what several processes of one service
//! see, driven through the router with `oneshot`.

mod common;

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post, put};
use common::RedisServer;
use redis::AsyncCommands;
use session_axum::{
    AuthSnapshot, Avatar, BagPath, Session, SessionData, SessionLayer, TypedSession,
};
use session_redis::RedisStore;
use tower::ServiceExt;

#[derive(SessionData, Default, Debug)]
struct Counter {
    count: u64,
}

async fn counter(mut counter: TypedSession<Counter>) -> String {
    counter.count += 1;
    counter.count.to_string()
}

async fn peek(counter: TypedSession<Counter>) -> String {
    counter.count.to_string()
}

async fn put_note(
    session: Session,
    axum::extract::Path(key): axum::extract::Path<String>,
    body: String,
) -> StatusCode {
    let path = BagPath::from_labels(["notes".to_owned(), key]).expect("non-empty key");
    session.set(&path, &body).expect("a string serializes");
    StatusCode::NO_CONTENT
}

async fn note_count(session: Session) -> String {
    session.with_data(|data| {
        data.get_bag("notes")
            .ok()
            .flatten()
            .map_or(0, |notes| notes.len())
            .to_string()
    })
}

async fn login(session: Session, identity: String) -> StatusCode {
    session.login(AuthSnapshot::new(identity).with_tags(["admin"]));
    StatusCode::NO_CONTENT
}

async fn whoami(avatar: Avatar) -> String {
    avatar.identity().to_owned()
}

/// One process of the service: its own store (its own connection) and layer.
fn app(store: RedisStore) -> Router {
    Router::new()
        .route("/counter", get(counter))
        .route("/peek", get(peek))
        .route("/notes/{key}", put(put_note))
        .route("/notes", get(note_count))
        .route("/login", post(login))
        .route("/whoami", get(whoami))
        .layer(SessionLayer::new(store).with_secure(false))
}

async fn send(app: &Router, method: &str, uri: &str, cookie: Option<&str>, body: &str) -> Response {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap()
}

async fn text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// `name=value` of the response's session cookie, if it set one.
fn new_cookie(response: &Response) -> Option<String> {
    let cookie = response.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    Some(cookie.split(';').next()?.to_owned())
}

async fn get_text(app: &Router, uri: &str, cookie: &str) -> String {
    let response = send(app, "GET", uri, Some(cookie), "").await;
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    text(response).await
}

#[tokio::test]
async fn two_routers_on_one_redis_see_the_same_session() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (a, b) = (app(redis.store().await), app(redis.store().await));
    let first = send(&a, "GET", "/counter", None, "").await;
    let cookie = new_cookie(&first).expect("a new session sets a cookie");
    assert_eq!(text(first).await, "1");
    assert_eq!(get_text(&b, "/counter", &cookie).await, "2");
    assert_eq!(get_text(&a, "/counter", &cookie).await, "3");
    assert_eq!(get_text(&b, "/peek", &cookie).await, "3");
}

#[tokio::test]
async fn a_session_survives_a_restart_of_the_app() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let before = app(redis.store().await);
    let first = send(&before, "GET", "/counter", None, "").await;
    let cookie = new_cookie(&first).unwrap();
    assert_eq!(get_text(&before, "/counter", &cookie).await, "2");
    drop(before);

    let after = app(redis.store().await);
    let response = send(&after, "GET", "/counter", Some(&cookie), "").await;
    assert_eq!(new_cookie(&response), None, "the same id holds");
    assert_eq!(text(response).await, "3");
}

#[tokio::test]
async fn concurrent_writes_to_distinct_paths_over_two_routers_all_survive() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let apps = [app(redis.store().await), app(redis.store().await)];
    let first = send(&apps[0], "PUT", "/notes/seed", None, "seed").await;
    let cookie = new_cookie(&first).unwrap();

    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let app = apps[i % 2].clone();
            let cookie = cookie.clone();
            tokio::spawn(async move {
                let uri = format!("/notes/k{i}");
                let response = send(&app, "PUT", &uri, Some(&cookie), "x").await;
                assert_eq!(response.status(), StatusCode::NO_CONTENT, "{uri}");
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(get_text(&apps[1], "/notes", &cookie).await, "201");
    assert_eq!(get_text(&apps[0], "/notes", &cookie).await, "201");
}

#[tokio::test]
async fn login_on_one_router_kills_the_old_id_for_the_other() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (a, b) = (app(redis.store().await), app(redis.store().await));
    let old = new_cookie(&send(&a, "GET", "/counter", None, "").await).unwrap();
    assert_eq!(get_text(&a, "/counter", &old).await, "2");

    let login = send(&b, "POST", "/login", Some(&old), "ada").await;
    assert_eq!(login.status(), StatusCode::NO_CONTENT);
    let new = new_cookie(&login).expect("login rotates the id");
    assert_ne!(new, old);

    // The old id is dead everywhere: router A starts a fresh session for it.
    let stale = send(&a, "GET", "/counter", Some(&old), "").await;
    let fresh = new_cookie(&stale).expect("an unknown id gets a new one");
    assert_ne!(fresh, old);
    assert_eq!(text(stale).await, "1");
    assert_eq!(get_text(&a, "/whoami", &old).await, "anonymous");

    // The new id carries the data and the login, on both routers.
    assert_eq!(get_text(&a, "/whoami", &new).await, "ada");
    assert_eq!(get_text(&a, "/counter", &new).await, "3");
    assert_eq!(get_text(&b, "/peek", &new).await, "3");
}

#[tokio::test]
async fn every_key_written_through_the_layer_has_a_ttl() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (a, b) = (app(redis.store().await), app(redis.store().await));
    for _ in 0..5 {
        let cookie = new_cookie(&send(&a, "GET", "/counter", None, "").await).unwrap();
        send(&b, "PUT", "/notes/n", Some(&cookie), "text").await;
        send(&a, "POST", "/login", Some(&cookie), "bob").await;
    }
    let mut inspect = redis.inspect().await;
    let keys: Vec<String> = inspect.keys("*").await.unwrap();
    assert_eq!(keys.len(), 5, "one key per live session: {keys:?}");
    for key in keys {
        let ttl: i64 = inspect.ttl(&key).await.unwrap();
        assert!(
            ttl > 3500 && ttl <= 3600,
            "{key} has TTL {ttl}, expected the layer's 3600 s"
        );
    }
}

#[tokio::test]
async fn redis_killed_mid_run_answers_503_in_time_and_service_resumes() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let bound = store.command_timeout() + Duration::from_millis(750);
    let a = app(store);
    let cookie = new_cookie(&send(&a, "GET", "/counter", None, "").await).unwrap();

    redis.kill();
    for (method, uri, cookie) in [
        ("GET", "/counter", Some(cookie.as_str())),
        ("GET", "/peek", Some(cookie.as_str())),
        ("PUT", "/notes/x", None),
    ] {
        let started = Instant::now();
        let response = send(&a, method, uri, cookie, "x").await;
        let elapsed = started.elapsed();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(elapsed < bound, "{uri} took {elapsed:?}");
    }

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = send(&a, "GET", "/counter", Some(&cookie), "").await;
        if response.status() == StatusCode::OK {
            // The restarted Redis kept nothing: a fresh session, counted from one.
            assert!(new_cookie(&response).is_some());
            assert_eq!(text(response).await, "1");
            break;
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(Instant::now() < deadline, "the service did not come back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn requests_cost_one_round_trip_to_read_and_two_to_write() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let a = app(store.clone());
    let cookie = new_cookie(&send(&a, "GET", "/counter", None, "").await).unwrap();
    // Warm the save script up, so the NOSCRIPT fallback is not counted below.
    assert_eq!(get_text(&a, "/counter", &cookie).await, "2");

    let before = store.round_trips();
    assert_eq!(get_text(&a, "/peek", &cookie).await, "2");
    assert_eq!(store.round_trips() - before, 1, "a read-only request");

    let before = store.round_trips();
    assert_eq!(get_text(&a, "/counter", &cookie).await, "3");
    assert_eq!(store.round_trips() - before, 2, "a request that writes");

    let before = store.round_trips();
    send(&a, "PUT", "/notes/a", Some(&cookie), "text").await;
    assert_eq!(
        store.round_trips() - before,
        2,
        "a request that writes a path"
    );
}
