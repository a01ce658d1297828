//! The demo's routes: a typed visit counter, per-key notes, login, logout and an
//! admin-only page, over whatever store the layer was given.

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, RequestExt};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use session_axum::{AuthSnapshot, Avatar, Session, SessionData, SessionLayer, TypedSession};

/// The visit counter, shared by `GET /` and `GET /counter`.
#[derive(SessionData, Default, Debug)]
pub(crate) struct Visits {
    /// How many times this session asked for `/` or `/counter`.
    pub(crate) visits: u64,
}

/// The notes, one Bag node per key under `notes`, in insertion order, so that two
/// requests writing different notes never collide.
#[derive(SessionData, Default, Debug)]
pub(crate) struct Notes {
    /// Note text by key.
    #[session(map)]
    pub(crate) notes: IndexMap<String, String>,
}

/// The demo's router, with `layer` in front of every route.
pub(crate) fn router(layer: SessionLayer) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/counter", get(counter))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/whoami", get(whoami))
        .route("/notes/{key}", put(put_note))
        .route("/notes", get(list_notes))
        .route("/admin", get(admin))
        .layer(layer)
}

async fn counter(mut visits: TypedSession<Visits>) -> String {
    visits.visits += 1;
    visits.visits.to_string()
}

#[derive(Debug, Serialize)]
struct Identity {
    identity: String,
    tags: Vec<String>,
}

impl Identity {
    fn of(avatar: &session_axum::core::Avatar) -> Self {
        Identity {
            identity: avatar.identity().to_owned(),
            tags: avatar.tags().to_vec(),
        }
    }
}

async fn whoami(avatar: Avatar) -> Json<Identity> {
    Json(Identity::of(&avatar))
}

#[derive(Debug, Deserialize)]
struct JsonLogin {
    identity: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct FormLogin {
    identity: String,
    /// Comma-separated.
    #[serde(default)]
    tags: String,
}

fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, message.into()).into_response()
}

/// `POST /login`: JSON `{"identity", "tags"}` answers JSON; the page's form body
/// redirects back to `/`. Either way the session id rotates.
async fn login(session: Session, request: Request) -> Response {
    let from_form = is_form(&request);
    let (identity, tags) = if from_form {
        match request.extract::<Form<FormLogin>, _>().await {
            Ok(Form(form)) => {
                let tags = form
                    .tags
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                (form.identity, tags)
            }
            Err(rejection) => return rejection.into_response(),
        }
    } else {
        match request.extract::<Json<JsonLogin>, _>().await {
            Ok(Json(body)) => (body.identity, body.tags),
            Err(rejection) => return rejection.into_response(),
        }
    };
    let identity = identity.trim().to_owned();
    if identity.is_empty() || identity.len() > 128 {
        return bad_request("identity must be 1 to 128 characters");
    }
    session.login(
        AuthSnapshot::new(identity)
            .with_tags(tags)
            .with_backend("demo"),
    );
    if from_form {
        Redirect::to("/").into_response()
    } else {
        Json(Identity::of(&session.avatar())).into_response()
    }
}

/// `POST /logout`: 204, or back to `/` for the page's form.
async fn logout(session: Session, request: Request) -> Response {
    session.logout();
    if is_form(&request) {
        Redirect::to("/").into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// `PUT /notes/{key}`: the body text goes to path `notes.{key}`.
async fn put_note(session: Session, Path(key): Path<String>, text: String) -> Response {
    if key.is_empty() || key.contains(['.', '#', '?', '\\']) {
        return bad_request("a note key cannot contain `.`, `#`, `?` or `\\`");
    }
    let notes = Notes::paths().notes;
    match session.update_data(|bag| notes.set_entry(bag, &key, &text)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => bad_request(error.to_string()),
    }
}

async fn list_notes(notes: TypedSession<Notes>) -> Json<IndexMap<String, String>> {
    Json(notes.notes.clone())
}

async fn admin(avatar: Avatar) -> (StatusCode, &'static str) {
    if avatar.has_tag("admin") {
        (StatusCode::OK, "welcome, admin\n")
    } else {
        (StatusCode::FORBIDDEN, "admins only\n")
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `GET /`: counts as a visit and shows the session.
async fn page(
    mut visits: TypedSession<Visits>,
    notes: TypedSession<Notes>,
    avatar: Avatar,
) -> Html<String> {
    visits.visits += 1;
    let mut note_items = String::new();
    for (key, text) in &notes.notes {
        note_items.push_str(&format!(
            "<li><span class=\"key\">{}</span>: <span class=\"text\">{}</span></li>",
            escape_html(key),
            escape_html(text)
        ));
    }
    Html(format!(
        include_str!("page.html"),
        identity = escape_html(avatar.identity()),
        tags = escape_html(&avatar.tags().join(", ")),
        visits = visits.visits,
        notes = note_items,
    ))
}
