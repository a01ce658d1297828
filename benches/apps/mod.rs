//! The routers the benchmarks drive: bare axum, ours and tower-sessions, with the same
//! handler logic, and the requests each scenario sends through them.
//!
//! Shared by the criterion benchmark (`sessions`), the instruction-count driver
//! (`callgrind`) and the memory measurement (`memory`).

#![allow(dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use session_axum::{SessionData, TypedSession};
use tower::ServiceExt;

/// Which library serves the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Library {
    /// axum with no session layer.
    Bare,
    /// This workspace: `SessionLayer` over its `MemoryStore`.
    Ours,
    /// tower-sessions 0.15 over its `MemoryStore`.
    TowerSessions,
    /// Bare axum under a layer that does nothing: what `Router::layer` itself costs
    /// (not in `ALL`; for the callgrind driver).
    BareLayered,
}

impl Library {
    pub(crate) const ALL: [Library; 3] = [Library::Bare, Library::Ours, Library::TowerSessions];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Library::Bare => "bare",
            Library::Ours => "ours",
            Library::TowerSessions => "tower-sessions",
            Library::BareLayered => "bare-layered",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Library::BareLayered])
            .find(|l| l.name() == name)
    }
}

/// What one request does (numbered as in the benchmark issue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    /// 1. An existing session: read a counter and write it back incremented.
    ReadWrite,
    /// 2. An existing session: read the counter only.
    ReadOnly,
    /// 3. No cookie: a new session is created and written.
    Create,
    /// 4. The layer is present, the handler never touches the session.
    Untouched,
    /// 5. An existing session holding ~2 KB in 20 fields; one field is written.
    Large,
}

impl Scenario {
    pub(crate) const ALL: [Scenario; 5] = [
        Scenario::ReadWrite,
        Scenario::ReadOnly,
        Scenario::Create,
        Scenario::Untouched,
        Scenario::Large,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::ReadWrite => "1-read-write",
            Scenario::ReadOnly => "2-read-only",
            Scenario::Create => "3-create",
            Scenario::Untouched => "4-untouched",
            Scenario::Large => "5-large-state",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name || s.name()[..1] == *name)
    }

    fn uri(self) -> &'static str {
        match self {
            Scenario::ReadWrite | Scenario::Create => "/rw",
            Scenario::ReadOnly => "/ro",
            Scenario::Untouched => "/untouched",
            Scenario::Large => "/large",
        }
    }
}

/// The small session state: one counter.
#[derive(SessionData, Default, Debug)]
pub(crate) struct Counter {
    pub(crate) count: u64,
}

/// The larger session state: 20 fields, about 2 KB.
#[derive(SessionData, Serialize, Deserialize, Default, Debug, Clone)]
pub(crate) struct LargeState {
    pub(crate) visits: u64,
    pub(crate) user_name: String,
    pub(crate) email: String,
    pub(crate) locale: String,
    pub(crate) timezone: String,
    pub(crate) theme: String,
    pub(crate) last_page: String,
    pub(crate) referrer: String,
    pub(crate) user_agent: String,
    pub(crate) cart_note: String,
    pub(crate) csrf_token: String,
    pub(crate) flash: String,
    pub(crate) search: String,
    pub(crate) filter: String,
    pub(crate) sort: String,
    pub(crate) redirect_to: String,
    pub(crate) plan: String,
    pub(crate) currency: String,
    pub(crate) campaign: String,
    pub(crate) notes: String,
}

impl LargeState {
    /// Every string field 100 bytes long.
    pub(crate) fn sample() -> Self {
        let text = |name: &str| format!("{name}:{}", "x".repeat(99 - name.len()));
        LargeState {
            visits: 0,
            user_name: text("user_name"),
            email: text("email"),
            locale: text("locale"),
            timezone: text("timezone"),
            theme: text("theme"),
            last_page: text("last_page"),
            referrer: text("referrer"),
            user_agent: text("user_agent"),
            cart_note: text("cart_note"),
            csrf_token: text("csrf_token"),
            flash: text("flash"),
            search: text("search"),
            filter: text("filter"),
            sort: text("sort"),
            redirect_to: text("redirect_to"),
            plan: text("plan"),
            currency: text("currency"),
            campaign: text("campaign"),
            notes: text("notes"),
        }
    }
}

/// The non-session part of every handler: format a number.
async fn bare() -> String {
    black_box(1_u64).to_string()
}

mod ours {
    use super::*;

    pub(super) async fn read_write(mut counter: TypedSession<Counter>) -> String {
        counter.count += 1;
        counter.count.to_string()
    }

    pub(super) async fn read_only(counter: TypedSession<Counter>) -> String {
        counter.count.to_string()
    }

    pub(super) async fn large(mut state: TypedSession<LargeState>) -> String {
        state.visits += 1;
        state.visits.to_string()
    }

    pub(super) async fn seed_large(mut state: TypedSession<LargeState>) -> String {
        *state = LargeState::sample();
        state.visits.to_string()
    }
}

mod tower_sessions_handlers {
    use tower_sessions::Session;

    use super::LargeState;

    pub(super) async fn read_write(session: Session) -> String {
        let count: u64 = session.get("count").await.unwrap().unwrap_or_default();
        session.insert("count", count + 1).await.unwrap();
        (count + 1).to_string()
    }

    pub(super) async fn read_only(session: Session) -> String {
        let count: u64 = session.get("count").await.unwrap().unwrap_or_default();
        count.to_string()
    }

    pub(super) async fn large(session: Session) -> String {
        let mut state: LargeState = session.get("large").await.unwrap().unwrap_or_default();
        state.visits += 1;
        session.insert("large", &state).await.unwrap();
        state.visits.to_string()
    }

    pub(super) async fn seed_large(session: Session) -> String {
        let state = LargeState::sample();
        session.insert("large", &state).await.unwrap();
        state.visits.to_string()
    }
}

/// The store behind the router, kept to fill it directly.
#[derive(Clone)]
pub(crate) enum Store {
    None,
    Ours(session_axum::MemoryStore),
    TowerSessions(tower_sessions::MemoryStore),
}

/// The router of `library`, and its store.
///
/// The router is finished with `with_state(())`, as `axum::serve` does: otherwise axum
/// rebuilds each route, layers and all, on every request.
pub(crate) fn app(library: Library) -> (Router, Store) {
    let (router, store) = unfinished_app(library);
    (router.with_state(()), store)
}

fn unfinished_app(library: Library) -> (Router, Store) {
    match library {
        Library::Bare | Library::BareLayered => {
            let router = Router::new()
                .route("/rw", get(bare))
                .route("/ro", get(bare))
                .route("/untouched", get(bare))
                .route("/large", get(bare))
                .route("/seed-large", get(bare));
            if library == Library::BareLayered {
                let noop = tower::layer::layer_fn(|service| service);
                return (router.layer(noop), Store::None);
            }
            (router, Store::None)
        }
        Library::Ours => {
            let store = session_axum::MemoryStore::new();
            let router = Router::new()
                .route("/rw", get(ours::read_write))
                .route("/ro", get(ours::read_only))
                .route("/untouched", get(bare))
                .route("/large", get(ours::large))
                .route("/seed-large", get(ours::seed_large))
                .layer(session_axum::SessionLayer::new(store.clone()));
            (router, Store::Ours(store))
        }
        Library::TowerSessions => {
            use tower_sessions_handlers as h;
            let store = tower_sessions::MemoryStore::default();
            let router = Router::new()
                .route("/rw", get(h::read_write))
                .route("/ro", get(h::read_only))
                .route("/untouched", get(bare))
                .route("/large", get(h::large))
                .route("/seed-large", get(h::seed_large))
                .layer(tower_sessions::SessionManagerLayer::new(store.clone()));
            (router, Store::TowerSessions(store))
        }
    }
}

/// Sends one request and returns the response's `name=value` cookie, if any.
async fn request_cookie(router: &Router, uri: &str) -> Option<HeaderValue> {
    let request = Request::get(uri).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert!(
        response.status().is_success(),
        "{uri}: {}",
        response.status()
    );
    let set_cookie = response.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    let pair = set_cookie.split(';').next()?;
    HeaderValue::from_str(pair).ok()
}

/// Stores `count` sessions holding `{count: 0}` directly in the store, and returns
/// their cookies.
pub(crate) async fn fill(store: &Store, count: usize) -> Vec<HeaderValue> {
    fill_keeping(store, count, true).await
}

/// As [`fill`]; with `keep_cookies` false no cookie is kept (for memory measurements).
pub(crate) async fn fill_keeping(
    store: &Store,
    count: usize,
    keep_cookies: bool,
) -> Vec<HeaderValue> {
    let mut cookies = Vec::with_capacity(if keep_cookies { count } else { 0 });
    let mut keep = |cookie: String| {
        if keep_cookies {
            cookies.push(HeaderValue::from_str(&cookie).unwrap());
        }
    };
    match store {
        Store::None => {
            for _ in 0..count {
                let id = session_axum::SessionId::generate();
                keep(format!("session_id={id}"));
            }
        }
        Store::Ours(store) => {
            use session_axum::SessionStore;
            let now = SystemTime::now();
            for _ in 0..count {
                let mut session = session_axum::core::Session::new_at(
                    session_axum::SessionId::generate(),
                    None,
                    session_axum::DEFAULT_TTL_SECS,
                    now,
                );
                session.data_mut().set("count", 0_u64).unwrap();
                store.create(&session).await.unwrap();
                keep(format!("session_id={}", session.id()));
            }
        }
        Store::TowerSessions(store) => {
            use tower_sessions::cookie::time::{Duration as TimeDuration, OffsetDateTime};
            use tower_sessions::session::{Id, Record};
            use tower_sessions::session_store::SessionStore;
            let expiry_date = OffsetDateTime::now_utc() + TimeDuration::days(1);
            for _ in 0..count {
                let mut record = Record {
                    id: Id::default(),
                    data: [("count".to_owned(), serde_json::json!(0))].into(),
                    expiry_date,
                };
                store.create(&mut record).await.unwrap();
                keep(format!("id={}", record.id));
            }
        }
    }
    cookies
}

/// The cookies to send, side by side in one buffer, so that picking one costs one
/// cache miss whatever the number of sessions: the client's cookie arrives hot from
/// the network in a real server, and the harness should not add misses that grow with
/// the store.
struct Cookies {
    bytes: Vec<u8>,
    stride: usize,
    len: usize,
}

impl Cookies {
    fn new(cookies: &[HeaderValue]) -> Self {
        let stride = cookies.iter().map(HeaderValue::len).max().unwrap_or(0);
        let mut bytes = vec![b' '; stride * cookies.len()];
        for (slot, cookie) in bytes.chunks_mut(stride.max(1)).zip(cookies) {
            slot[..cookie.len()].copy_from_slice(cookie.as_bytes());
        }
        Cookies {
            bytes,
            stride,
            len: cookies.len(),
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, index: usize) -> HeaderValue {
        let slot = &self.bytes[index * self.stride..(index + 1) * self.stride];
        HeaderValue::from_bytes(slot.trim_ascii_end()).expect("a valid cookie")
    }
}

/// One scenario of one library, ready to send requests.
pub(crate) struct Bench {
    library: Library,
    scenario: Scenario,
    router: Router,
    cookies: Cookies,
    /// Walks the cookies in a scattered order, so that a large store is not read from
    /// cache.
    next: usize,
}

impl Bench {
    /// Builds the router; with `live_sessions` > 1 the store is filled with that many
    /// sessions and the requests go to all of them in turn.
    pub(crate) async fn new(library: Library, scenario: Scenario, live_sessions: usize) -> Bench {
        let (router, store) = app(library);
        let cookies = if live_sessions > 1 {
            fill(&store, live_sessions).await
        } else {
            let seed = if scenario == Scenario::Large {
                "/seed-large"
            } else {
                "/rw"
            };
            match request_cookie(&router, seed).await {
                Some(cookie) => vec![cookie],
                // Bare axum sets no cookie; send it one of the same shape.
                None => fill(&Store::None, 1).await,
            }
        };
        Bench {
            library,
            scenario,
            router,
            cookies: Cookies::new(&cookies),
            next: 0,
        }
    }

    fn request(&mut self) -> Request<Body> {
        let mut request = Request::get(self.scenario.uri());
        if self.scenario != Scenario::Create {
            // 7919 is prime and divides none of the sizes used, so the walk visits every
            // cookie before it repeats one.
            self.next = (self.next + 7_919) % self.cookies.len();
            request = request.header(header::COOKIE, self.cookies.get(self.next));
        }
        request.body(Body::empty()).unwrap()
    }

    /// Sends `n` requests and returns how long they took. Scenario 3 starts from an
    /// empty store each time, so that the store does not grow without bound.
    pub(crate) async fn run(&mut self, n: u64) -> Duration {
        if self.scenario == Scenario::Create {
            self.router = app(self.library).0;
        }
        let start = Instant::now();
        for _ in 0..n {
            let request = self.request();
            let response = self.router.clone().oneshot(request).await.unwrap();
            debug_assert!(response.status().is_success());
            black_box(response);
        }
        start.elapsed()
    }

    /// Checks that the requests do what the scenario says (status and cookie).
    pub(crate) async fn check(&mut self) {
        let request = self.request();
        let response = self.router.clone().oneshot(request).await.unwrap();
        assert!(
            response.status().is_success(),
            "{} {}: {}",
            self.library.name(),
            self.scenario.name(),
            response.status()
        );
        let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
        let bare = matches!(self.library, Library::Bare | Library::BareLayered);
        if !bare && self.scenario == Scenario::Create {
            assert!(sets_cookie, "a new session sends its cookie");
        }
        if self.scenario == Scenario::Untouched {
            assert!(!sets_cookie, "an untouched session sends no cookie");
        }
    }
}

/// A single-threaded runtime, as the in-process measurements use.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
