//! The layer and extractors, driven through the router with `oneshot`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use session_axum::core::{
    Session as StoredSession, SessionChanges, SessionId, SessionStore, StoreError,
};
use session_axum::{ManualClock, MemoryStore, SessionLayer, SigningKey};

fn insecure_layer(store: MemoryStore) -> SessionLayer {
    SessionLayer::new(store)
}

#[tokio::test]
async fn counter_counts_across_requests() {
    let app = common::app(insecure_layer(MemoryStore::new()));
    let first = send(&app, "GET", "/counter", None, "").await;
    let cookie = cookie_pair(&first);
    assert_eq!(text(first).await, "1");
    for expected in 2..=5 {
        let response = send(&app, "GET", "/counter", Some(&cookie), "").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            set_cookies(&response).is_empty(),
            "no new cookie while the id holds"
        );
        assert_eq!(text(response).await, expected.to_string());
    }
}

#[tokio::test]
async fn cookie_attributes_are_safe_by_default() {
    let app =
        common::app(SessionLayer::new(MemoryStore::new()).with_ttl(Duration::from_secs(1234)));
    let response = send(&app, "GET", "/counter", None, "").await;
    let cookie = &set_cookies(&response)[0];
    let id = cookie
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("session_id=")
        .unwrap();
    assert!(SessionId::parse(id).is_some(), "{cookie}");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=1234",
        "Secure",
    ] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }

    let app = common::app(
        SessionLayer::new(MemoryStore::new())
            .with_secure(false)
            .with_cookie_name("sid")
            .with_domain("example.test")
            .with_path("/app"),
    );
    let cookie = &set_cookies(&send(&app, "GET", "/counter", None, "").await)[0];
    assert!(cookie.starts_with("sid="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(
        cookie.contains("Domain=example.test") && cookie.contains("Path=/app"),
        "{cookie}"
    );
}

#[tokio::test]
async fn untouched_sessions_cost_nothing() {
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()));
    let response = send(&app, "GET", "/nothing", None, "").await;
    assert!(set_cookies(&response).is_empty());
    // Reading a session that does not exist creates none.
    for uri in ["/peek", "/whoami", "/keys"] {
        let response = send(&app, "GET", uri, None, "").await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert!(set_cookies(&response).is_empty(), "{uri}");
    }
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn two_typed_views_share_one_session() {
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()));
    let response = send(&app, "GET", "/both", None, "").await;
    let cookie = cookie_pair(&response);
    assert_eq!(text(response).await, "10 both");
    assert_eq!(
        text(send(&app, "GET", "/counter", Some(&cookie), "").await).await,
        "11"
    );
    let id = SessionId::parse(cookie.strip_prefix("session_id=").unwrap()).unwrap();
    let stored = store.load(&id).await.unwrap().unwrap();
    assert_eq!(
        stored
            .data()
            .get_as::<String>("profile.name")
            .unwrap()
            .as_deref(),
        Some("both")
    );
    assert_eq!(stored.data().get_as::<u64>("count").unwrap(), Some(11));
}

#[tokio::test]
async fn login_rotates_the_id_and_keeps_data() {
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()));
    let cookie = cookie_pair(&send(&app, "GET", "/counter", None, "").await);
    let old_id = SessionId::parse(cookie.strip_prefix("session_id=").unwrap()).unwrap();

    let response = send(&app, "POST", "/login", Some(&cookie), "ada").await;
    let new_cookie = cookie_pair(&response);
    assert_ne!(new_cookie, cookie);
    let new_id = text(response).await;
    assert_eq!(new_cookie, format!("session_id={new_id}"));

    assert!(
        store.load(&old_id).await.unwrap().is_none(),
        "the old id is dead"
    );
    assert_eq!(
        text(send(&app, "GET", "/whoami", Some(&new_cookie), "").await).await,
        "ada [admin]"
    );
    assert_eq!(
        text(send(&app, "GET", "/counter", Some(&new_cookie), "").await).await,
        "2"
    );
    // The old cookie now gets a fresh, anonymous session.
    assert_eq!(
        text(send(&app, "GET", "/whoami", Some(&cookie), "").await).await,
        "anonymous []"
    );
}

#[tokio::test]
async fn logout_removes_cookie_and_session() {
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()).with_domain("example.test"));
    let cookie = cookie_pair(&send(&app, "POST", "/login", None, "bob").await);
    assert_eq!(store.len(), 1);
    let response = send(&app, "POST", "/logout", Some(&cookie), "").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let removal = &set_cookies(&response)[0];
    assert!(removal.starts_with("session_id=;"), "{removal}");
    for attribute in [
        "Max-Age=0",
        "Path=/",
        "Domain=example.test",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
    ] {
        assert!(
            removal.contains(attribute),
            "{attribute} missing from {removal}"
        );
    }
    assert_eq!(store.len(), 0);
    assert_eq!(
        text(send(&app, "GET", "/whoami", Some(&cookie), "").await).await,
        "anonymous []"
    );
}

#[tokio::test]
async fn expired_sessions_give_a_fresh_one() {
    let clock = ManualClock::new();
    let store = MemoryStore::new().with_clock(Arc::new(clock.clone()));
    let layer = SessionLayer::new(store.clone())
        .with_clock(Arc::new(clock.clone()))
        .with_ttl(Duration::from_secs(10));
    let app = common::app(layer);
    let cookie = cookie_pair(&send(&app, "GET", "/counter", None, "").await);
    clock.advance(Duration::from_secs(10));
    let response = send(&app, "GET", "/counter", Some(&cookie), "").await;
    assert_eq!(
        text(response).await,
        "2",
        "exactly ttl later the session is alive"
    );
    // That request's touch was persisted (10 s > the 1 s touch interval), so the
    // session now lives 10 s from here.
    clock.advance(Duration::from_secs(10) + Duration::from_millis(1));
    let response = send(&app, "GET", "/counter", Some(&cookie), "").await;
    let new_cookie = cookie_pair(&response);
    assert_ne!(new_cookie, cookie, "a fresh id for a fresh session");
    assert_eq!(text(response).await, "1");
}

#[tokio::test]
async fn read_only_requests_refresh_expiry_and_max_age_when_due() {
    let clock = ManualClock::new();
    let store = MemoryStore::new().with_clock(Arc::new(clock.clone()));
    let app = common::app(
        SessionLayer::new(store.clone())
            .with_clock(Arc::new(clock.clone()))
            .with_ttl(Duration::from_secs(100)),
    );
    let cookie = cookie_pair(&send(&app, "GET", "/counter", None, "").await);
    // Within the touch interval (10 s for a 100 s ttl): no write, no cookie.
    clock.advance(Duration::from_secs(5));
    let response = send(&app, "GET", "/peek", Some(&cookie), "").await;
    assert!(set_cookies(&response).is_empty());
    // Past it: the touch is stored and Max-Age re-sent.
    clock.advance(Duration::from_secs(6));
    let response = send(&app, "GET", "/peek", Some(&cookie), "").await;
    let refreshed = &set_cookies(&response)[0];
    assert!(refreshed.contains("Max-Age=100"), "{refreshed}");
    assert_eq!(format!("{}", refreshed.split(';').next().unwrap()), cookie);
    // 99 s after that read (110 s after creation) the session still lives.
    clock.advance(Duration::from_secs(99));
    assert_eq!(
        text(send(&app, "GET", "/peek", Some(&cookie), "").await).await,
        "1"
    );
}

#[tokio::test]
async fn bad_cookies_are_no_cookie() {
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()));
    let unknown = format!("session_id={}", SessionId::generate());
    let oversized = format!("session_id={}", "A".repeat(5000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("unknown id", unknown.clone().into_bytes()),
        ("garbage", b"session_id=%%%not-an-id%%%".to_vec()),
        ("oversized", oversized.into_bytes()),
        ("non-utf8", b"session_id=\xff\xfe\xfd".to_vec()),
        ("empty", b"session_id=".to_vec()),
        ("no equals", b"session_id".to_vec()),
        ("other cookie only", b"theme=dark".to_vec()),
    ];
    for (name, cookie) in cases {
        let request = axum::http::Request::get("/counter")
            .header(
                "cookie",
                axum::http::HeaderValue::from_bytes(&cookie).unwrap(),
            )
            .body(axum::body::Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        let issued = cookie_pair(&response);
        assert_ne!(issued, unknown, "{name}: an unknown id is never adopted");
        assert_eq!(text(response).await, "1", "{name}");
    }
}

#[tokio::test]
async fn signed_cookies_reject_tampering() {
    let key = SigningKey::derive_from(&[7u8; 64]);
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()).with_signing_key(key));
    let cookie = cookie_pair(&send(&app, "GET", "/counter", None, "").await);
    assert_eq!(
        text(send(&app, "GET", "/counter", Some(&cookie), "").await).await,
        "2"
    );

    // Flip one character of the signature, and separately swap in another valid id.
    let value = cookie.strip_prefix("session_id=").unwrap();
    let mut tampered = value.to_owned().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = format!("session_id={}", String::from_utf8(tampered).unwrap());
    let response = send(&app, "GET", "/counter", Some(&tampered), "").await;
    assert_eq!(
        text(response).await,
        "1",
        "tampered signature: fresh session"
    );

    let (signature, _id) = value.split_at(value.len() - 22);
    let swapped = format!("session_id={signature}{}", SessionId::generate());
    assert_eq!(
        text(send(&app, "GET", "/counter", Some(&swapped), "").await).await,
        "1"
    );
    let unsigned = format!("session_id={}", &value[value.len() - 22..]);
    assert_eq!(
        text(send(&app, "GET", "/counter", Some(&unsigned), "").await).await,
        "1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_distinct_paths_all_survive() {
    let store = MemoryStore::new();
    let app = common::app(SessionLayer::new(store.clone()));
    let cookie = cookie_pair(&send(&app, "PUT", "/keys/first", None, "x").await);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(100));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (app, cookie, semaphore) = (app.clone(), cookie.clone(), semaphore.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire().await.unwrap();
            let response = send(&app, "PUT", &format!("/keys/k{i}"), Some(&cookie), "v").await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        text(send(&app, "GET", "/keys", Some(&cookie), "").await).await,
        "201"
    );
}

#[tokio::test]
async fn missing_layer_is_a_500_naming_the_layer() {
    let app = routes();
    let response = send(&app, "GET", "/counter", None, "").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text(response).await.contains("SessionLayer"));
}

/// A store whose every operation fails, as a store whose backend is down.
#[derive(Debug, Clone, Default)]
struct DownStore {
    fail_saves_only: bool,
    inner: MemoryStore,
}

fn down() -> StoreError {
    StoreError::Unavailable {
        message: "backend down (test)".into(),
        source: None,
    }
}

impl SessionStore for DownStore {
    async fn create(&self, session: &StoredSession) -> Result<(), StoreError> {
        if self.fail_saves_only {
            return Err(down());
        }
        self.inner.create(session).await
    }
    async fn load(&self, id: &SessionId) -> Result<Option<StoredSession>, StoreError> {
        if self.fail_saves_only {
            return self.inner.load(id).await;
        }
        Err(down())
    }
    async fn save_changes(&self, _: &SessionId, _: &SessionChanges) -> Result<(), StoreError> {
        Err(down())
    }
    async fn delete(&self, _: &SessionId) -> Result<bool, StoreError> {
        Err(down())
    }
    async fn purge_expired(&self) -> Result<usize, StoreError> {
        Err(down())
    }
}

#[tokio::test]
async fn failing_store_gives_503_and_no_panic() {
    // Loading fails.
    let app = common::app(SessionLayer::new(DownStore::default()));
    let cookie = format!("session_id={}", SessionId::generate());
    let response = send(&app, "GET", "/counter", Some(&cookie), "").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(!text(response).await.is_empty());
    // Saving fails: the handler ran, but the write is not silently dropped.
    let app = common::app(SessionLayer::new(DownStore {
        fail_saves_only: true,
        ..DownStore::default()
    }));
    let response = send(&app, "GET", "/counter", None, "").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(set_cookies(&response).is_empty());
    // Untouched routes still work.
    assert_eq!(
        send(&app, "GET", "/nothing", None, "").await.status(),
        StatusCode::OK
    );
}

#[derive(session_axum::SessionData, Default, Debug)]
struct Strict {
    count: u64,
}

#[tokio::test]
async fn data_that_no_longer_fits_is_an_error_that_loses_nothing() {
    let store = MemoryStore::new();
    async fn strict(session: session_axum::TypedSession<Strict>) -> String {
        session.count.to_string()
    }
    let app = routes()
        .route("/strict", axum::routing::get(strict))
        .layer(SessionLayer::new(store.clone()));
    let cookie = cookie_pair(&send(&app, "PUT", "/keys/a", None, "x").await);
    let id = SessionId::parse(cookie.strip_prefix("session_id=").unwrap()).unwrap();
    // An old deploy stored a string where the struct now wants a number.
    let mut changes = SessionChanges::default();
    let mut bag = store.load(&id).await.unwrap().unwrap().data().clone();
    bag.mark();
    bag.set("count", "seven").unwrap();
    changes.data = bag.take_changes();
    store.save_changes(&id, &changes).await.unwrap();

    let response = send(&app, "GET", "/strict", Some(&cookie), "").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let stored = store.load(&id).await.unwrap().unwrap();
    assert_eq!(
        stored.data().get_as::<String>("count").unwrap().as_deref(),
        Some("seven")
    );
}

/// A memory store whose first `create` answers that the id is taken.
#[derive(Debug, Clone, Default)]
struct CollidingStore {
    collided: Arc<std::sync::atomic::AtomicBool>,
    inner: MemoryStore,
}

impl SessionStore for CollidingStore {
    async fn create(&self, session: &StoredSession) -> Result<(), StoreError> {
        if !self
            .collided
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(StoreError::IdCollision);
        }
        self.inner.create(session).await
    }
    async fn load(&self, id: &SessionId) -> Result<Option<StoredSession>, StoreError> {
        self.inner.load(id).await
    }
    async fn save_changes(
        &self,
        id: &SessionId,
        changes: &SessionChanges,
    ) -> Result<(), StoreError> {
        self.inner.save_changes(id, changes).await
    }
    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError> {
        self.inner.delete(id).await
    }
    async fn purge_expired(&self) -> Result<usize, StoreError> {
        self.inner.purge_expired().await
    }
}

#[tokio::test]
async fn an_id_collision_moves_the_new_session_to_another_id() {
    let store = CollidingStore::default();
    let app = common::app(SessionLayer::new(store.clone()));
    let response = send(&app, "GET", "/counter", None, "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = cookie_pair(&response);
    assert!(store.collided.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(store.inner.len(), 1);
    let id = SessionId::parse(cookie.strip_prefix("session_id=").unwrap()).unwrap();
    assert!(
        store.inner.load(&id).await.unwrap().is_some(),
        "the cookie names the stored session"
    );
    assert_eq!(
        text(send(&app, "GET", "/counter", Some(&cookie), "").await).await,
        "2"
    );
}
