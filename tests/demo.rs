//! The demo app against a real server on 127.0.0.1, driven by a real HTTP client
//! that keeps cookies the way a browser does.

#[path = "../examples/demo/app.rs"]
#[allow(dead_code)]
mod app;

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use session_axum::{MemoryStore, SessionLayer};

struct Server {
    base: String,
    store: MemoryStore,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start() -> Server {
    let store = MemoryStore::new();
    let layer = SessionLayer::new(store.clone()).with_secure(false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app::router(layer)).await.unwrap();
    });
    Server { base, store, task }
}

fn client() -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (client, jar)
}

fn session_cookie(jar: &Jar, base: &str) -> Option<String> {
    let url = base.parse().unwrap();
    let header = jar.cookies(&url)?;
    header
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|pair| pair.strip_prefix("session_id=").map(str::to_owned))
}

#[tokio::test]
async fn counter_and_cookie_over_http() {
    let server = start().await;
    let (client, jar) = client();
    let first = client
        .get(format!("{}/counter", server.base))
        .send()
        .await
        .unwrap();
    let set_cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} in {set_cookie}"
        );
    }
    assert!(
        !set_cookie.contains("Secure"),
        "the demo turns Secure off for plain http"
    );
    assert_eq!(first.text().await.unwrap(), "1");
    for expected in 2..=4 {
        let body = client
            .get(format!("{}/counter", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(body.text().await.unwrap(), expected.to_string());
    }
    // The page counts as a visit too and shows the count.
    let page = get_text(&client, &server.base).await;
    assert!(page.contains(r#"<dd id="visits">5</dd>"#), "{page}");
    assert!(page.contains(r#"<dd id="identity">anonymous</dd>"#));
    assert!(session_cookie(&jar, &server.base).is_some());
    assert_eq!(server.store.len(), 1);
}

#[tokio::test]
async fn login_whoami_admin_logout() {
    let server = start().await;
    let (client, jar) = client();
    let url = |path: &str| format!("{}{path}", server.base);

    let whoami: serde_json::Value = get_json(&client, url("/whoami")).await;
    assert_eq!(
        whoami,
        serde_json::json!({"identity": "anonymous", "tags": []})
    );
    assert_eq!(
        server.store.len(),
        0,
        "asking who you are creates no session"
    );
    assert_eq!(
        client.get(url("/admin")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    client.get(url("/counter")).send().await.unwrap();
    let before = session_cookie(&jar, &server.base).unwrap();
    let response = client
        .post(url("/login"))
        .json(&serde_json::json!({"identity": "ada", "tags": ["admin", "staff"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"identity": "ada", "tags": ["admin", "staff"]})
    );
    let after = session_cookie(&jar, &server.base).unwrap();
    assert_ne!(before, after, "login rotates the id");
    assert_eq!(server.store.len(), 1, "the old id is deleted");
    assert_eq!(get_text(&client, url("/counter")).await, "2", "data kept");
    assert_eq!(
        client.get(url("/admin")).send().await.unwrap().status(),
        StatusCode::OK
    );

    // The old cookie no longer carries the session.
    let (other, other_jar) = client_with_cookie(&server.base, &before);
    let whoami: serde_json::Value = get_json(&other, url("/whoami")).await;
    assert_eq!(whoami["identity"], "anonymous");
    drop(other_jar);

    let response = client.post(url("/logout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        session_cookie(&jar, &server.base).is_none(),
        "the removal cookie cleared it"
    );
    assert_eq!(server.store.len(), 0);
    let whoami: serde_json::Value = get_json(&client, url("/whoami")).await;
    assert_eq!(whoami["identity"], "anonymous");
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: impl reqwest::IntoUrl,
) -> T {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

async fn get_text(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

fn client_with_cookie(base: &str, id: &str) -> (reqwest::Client, Arc<Jar>) {
    let (client, jar) = client();
    jar.add_cookie_str(&format!("session_id={id}; Path=/"), &base.parse().unwrap());
    (client, jar)
}

#[tokio::test]
async fn page_forms_work_without_scripts() {
    let server = start().await;
    let (client, _jar) = client();
    let url = |path: &str| format!("{}{path}", server.base);
    let response = client
        .post(url("/login"))
        .form(&[("identity", "<b>eve</b>"), ("tags", "admin, staff")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/");
    let page = get_text(&client, url("/")).await;
    assert!(
        page.contains(r#"<dd id="identity">&lt;b&gt;eve&lt;/b&gt;</dd>"#),
        "escaped: {page}"
    );
    assert!(page.contains(r#"<dd id="tags">admin, staff</dd>"#));
    for id in ["login-form", "logout-form", "notes-form"] {
        assert!(page.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    let response = client
        .post(url("/logout"))
        .form(&[("x", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = get_text(&client, url("/")).await;
    assert!(page.contains(r#"<dd id="identity">anonymous</dd>"#));
    assert_eq!(
        client
            .post(url("/login"))
            .form(&[("identity", " ")])
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn notes_keep_insertion_order_and_reject_bad_keys() {
    let server = start().await;
    let (client, _jar) = client();
    let url = |path: &str| format!("{}{path}", server.base);
    for (key, text) in [
        ("zeta", "last letter"),
        ("alpha", "first letter"),
        ("mid", "<i>m</i>"),
    ] {
        let response = client
            .put(url(&format!("/notes/{key}")))
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{key}");
    }
    for bad in ["a.b", "%23hash", "what%3F"] {
        let response = client
            .put(url(&format!("/notes/{bad}")))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let notes = get_text(&client, url("/notes")).await;
    assert_eq!(
        notes,
        r#"{"zeta":"last letter","alpha":"first letter","mid":"<i>m</i>"}"#
    );
    let page = get_text(&client, url("/")).await;
    assert!(
        page.contains("&lt;i&gt;m&lt;/i&gt;"),
        "notes are escaped on the page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_notes_of_one_session_all_survive() {
    let server = start().await;
    let (client, _jar) = client();
    let url = |path: &str| format!("{}{path}", server.base);
    client
        .put(url("/notes/seed"))
        .body("0")
        .send()
        .await
        .unwrap();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(100));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (client, semaphore, target) = (
            client.clone(),
            semaphore.clone(),
            url(&format!("/notes/n{i}")),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire().await.unwrap();
            let status = client
                .put(target)
                .body(i.to_string())
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, StatusCode::NO_CONTENT);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let notes: serde_json::Map<String, serde_json::Value> = get_json(&client, url("/notes")).await;
    assert_eq!(notes.len(), 201);
    for i in 0..200 {
        assert_eq!(notes[&format!("n{i}")], i.to_string());
    }
}
