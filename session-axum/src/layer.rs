//! The tower layer: puts a lazy session handle in each request and writes the session
//! back, with its cookie, once the inner service has answered.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use axum_core::response::{IntoResponse, Response};
use http::header::SET_COOKIE;
use http::{HeaderValue, Request, StatusCode};
use pin_project_lite::pin_project;
use session_core::{SessionStore, SharedClock};
use tower_layer::Layer;
use tower_service::Service;

use crate::config::{Config, SameSite, SigningKey};
use crate::dyn_store::{BoxFuture, DynStore};
use crate::error::store_unavailable;
use crate::state::{CookieAction, FinishError, LayerParts, RequestSession};

/// A tower [`Layer`] that gives the routes it wraps server-side sessions.
///
/// Defaults are safe: cookie `session_id`, `Path=/`, `HttpOnly`, `SameSite=Lax`,
/// `Secure` (turn it off only for plain-http development), ttl 3600 s.
///
/// ```
/// use axum::{Router, routing::get};
/// use session_axum::{MemoryStore, SessionLayer};
/// use std::time::Duration;
///
/// let layer = SessionLayer::new(MemoryStore::new())
///     .with_cookie_name("sid")
///     .with_ttl(Duration::from_secs(30 * 60))
///     .with_purge_interval(Duration::from_secs(60));
/// let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
/// ```
#[derive(Clone)]
pub struct SessionLayer {
    store: Arc<dyn DynStore>,
    config: Arc<Config>,
    purge: Option<Arc<PurgeTask>>,
}

impl fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SessionLayer {
    /// A layer over `store` with the default settings.
    pub fn new(store: impl SessionStore) -> Self {
        SessionLayer {
            store: Arc::new(store),
            config: Arc::new(Config::default()),
            purge: None,
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// The cookie name (default `session_id`).
    pub fn with_cookie_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.config_mut().cookie_name = name.into();
        self
    }

    /// The cookie path (default `/`).
    pub fn with_path(mut self, path: impl Into<Cow<'static, str>>) -> Self {
        self.config_mut().path = path.into();
        self
    }

    /// The cookie domain (default: none, the cookie goes back to the host only).
    pub fn with_domain(mut self, domain: impl Into<Cow<'static, str>>) -> Self {
        self.config_mut().domain = Some(domain.into());
        self
    }

    /// Whether the cookie is `Secure` (default `true`: sent over https only).
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.config_mut().secure = secure;
        self
    }

    /// Whether the cookie is `HttpOnly` (default `true`: invisible to scripts).
    pub fn with_http_only(mut self, http_only: bool) -> Self {
        self.config_mut().http_only = http_only;
        self
    }

    /// The cookie's `SameSite` (default `Lax`).
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.config_mut().same_site = same_site;
        self
    }

    /// How long a session lives after its last use (default 3600 s), and the cookie's
    /// `Max-Age`. Whole seconds; a ttl of zero makes every session expired at once.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.config_mut().ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// Signs the cookie with `key`: a cookie whose signature does not verify is
    /// treated as no cookie.
    pub fn with_signing_key(mut self, key: SigningKey) -> Self {
        self.config_mut().key = Some(key);
        self
    }

    /// How stale the stored `last_access` may get before a request that only reads
    /// writes it (and re-sends the cookie's `Max-Age`). Default: a tenth of the ttl,
    /// at most 60 s. A session therefore expires between `ttl - interval` and `ttl`
    /// after its last use; `Duration::ZERO` persists every touch.
    pub fn with_touch_interval(mut self, interval: Duration) -> Self {
        self.config_mut().touch_interval = Some(interval);
        self
    }

    /// Where the layer reads the time (tests pass a `ManualClock`).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.config_mut().clock = clock;
        self
    }

    /// Purges expired sessions from the store every `interval`, in a task started with
    /// the first request and stopped when the last clone of the layer is dropped. Useful
    /// for `MemoryStore`; Redis expires keys by itself.
    pub fn with_purge_interval(mut self, interval: Duration) -> Self {
        self.purge = Some(Arc::new(PurgeTask {
            interval,
            started: AtomicBool::new(false),
            starting: Mutex::new(()),
        }));
        self
    }

    fn start_purge(&self) {
        let Some(purge) = &self.purge else { return };
        // Checked on every request: a load, not a lock, once the task runs.
        if purge.started.load(Ordering::Acquire) {
            return;
        }
        let _starting = purge.starting.lock().unwrap_or_else(|e| e.into_inner());
        if purge.started.load(Ordering::Acquire) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        purge.started.store(true, Ordering::Release);
        let weak_task: Weak<PurgeTask> = Arc::downgrade(purge);
        let store = Arc::downgrade(&self.store);
        let interval = purge.interval;
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let (Some(_alive), Some(store)) = (weak_task.upgrade(), store.upgrade()) else {
                    return;
                };
                match store.purge_expired().await {
                    Ok(purged) => tracing::debug!(purged, "expired sessions purged"),
                    Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
                }
            }
        });
    }
}

#[derive(Debug)]
struct PurgeTask {
    interval: Duration,
    started: AtomicBool,
    starting: Mutex<()>,
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            parts: Arc::new(LayerParts {
                store: self.store.clone(),
                config: self.config.clone(),
            }),
            layer: self.clone(),
        }
    }
}

/// The service made by [`SessionLayer`].
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    parts: Arc<LayerParts>,
    layer: SessionLayer,
}

impl<S> fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionService")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for SessionService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        if self.layer.purge.is_some() {
            self.layer.start_purge();
        }
        let session = RequestSession::new(self.parts.clone());
        request.extensions_mut().insert(session.clone());
        // The inner service is called here, right after it was polled ready, so the
        // service itself is not cloned (the usual clone-and-swap is for services that
        // call their inner one later, from their future).
        ResponseFuture {
            inner: self.inner.call(request),
            session: Some(session),
            finishing: None,
            _error: PhantomData,
        }
    }
}

pin_project! {
    /// The response future of [`SessionService`]: the inner service's response, with the
    /// session written back and its cookie set. A request that never used its session
    /// completes with no allocation of its own.
    pub struct ResponseFuture<F, E> {
        #[pin]
        inner: F,
        session: Option<RequestSession>,
        finishing: Option<BoxFuture<'static, Response>>,
        _error: PhantomData<fn() -> E>,
    }
}

impl<F, E> fmt::Debug for ResponseFuture<F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, E> Future for ResponseFuture<F, E>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(finishing) = this.finishing {
            return finishing.as_mut().poll(cx).map(Ok);
        }
        let response = match this.inner.poll(cx) {
            Poll::Ready(Ok(response)) => response,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        let session = this
            .session
            .take()
            .expect("ResponseFuture polled after completion");
        let Some(finishing) = session.take_for_finish() else {
            // No extractor asked for the session: no store call, no cookie.
            return Poll::Ready(Ok(response));
        };
        if finishing.is_immediate() {
            // The memory store answers at once: finish here, without boxing a future.
            let mut finish = std::pin::pin!(finishing.finish());
            return Poll::Ready(Ok(match finish.as_mut().poll(cx) {
                Poll::Ready(finished) => with_session_cookie(response, finished),
                Poll::Pending => {
                    tracing::error!("the memory store did not answer at once");
                    store_unavailable()
                }
            }));
        }
        let mut finishing: BoxFuture<'static, Response> =
            Box::pin(async move { with_session_cookie(response, finishing.finish().await) });
        let poll = finishing.as_mut().poll(cx);
        if poll.is_pending() {
            *this.finishing = Some(finishing);
        }
        poll.map(Ok)
    }
}

/// The response once the session is written: with its cookie, or the error answer.
fn with_session_cookie(
    mut response: Response,
    finished: Result<CookieAction, FinishError>,
) -> Response {
    match finished {
        Ok(CookieAction::None) => response,
        Ok(CookieAction::Set(cookie) | CookieAction::Remove(cookie)) => {
            match HeaderValue::try_from(cookie) {
                Ok(value) => {
                    response.headers_mut().append(SET_COOKIE, value);
                    response
                }
                Err(error) => {
                    tracing::error!(%error, "session cookie is not a valid header value");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        Err(FinishError::Store(error)) => {
            tracing::error!(%error, "session store failed while saving a session");
            store_unavailable()
        }
        Err(FinishError::Vanished) => {
            tracing::warn!("session ended (logout or expiry) while a request changed it");
            (
                StatusCode::CONFLICT,
                "the session ended while this request was changing it",
            )
                .into_response()
        }
        Err(FinishError::Write(error)) => {
            tracing::error!(%error, "a typed session value could not be stored");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "session data could not be stored",
            )
                .into_response()
        }
    }
}
