//! Reading the session id from request cookies and writing `Set-Cookie` headers, with
//! the `cookie` crate.

use cookie::{Cookie, CookieJar};
use http::HeaderMap;
use http::header::COOKIE;
use session_core::SessionId;

use crate::config::{Config, MAX_COOKIE_VALUE_LEN};

/// The session id the client sent, if any well-formed (and, with a key, authentic) one.
///
/// Garbage, oversized, non-UTF-8, badly signed or malformed values are treated as no
/// cookie: the client will get a fresh id if the session is written.
pub(crate) fn session_id_from(headers: &HeaderMap, config: &Config) -> Option<SessionId> {
    for header in headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for cookie in Cookie::split_parse(text).flatten() {
            if cookie.name() != config.cookie_name || cookie.value().len() > MAX_COOKIE_VALUE_LEN {
                continue;
            }
            let id = match &config.key {
                None => SessionId::parse(cookie.value()),
                Some(key) => {
                    let mut jar = CookieJar::new();
                    jar.add_original(cookie.into_owned());
                    jar.signed(&key.0)
                        .get(&config.cookie_name)
                        .and_then(|verified| SessionId::parse(verified.value()))
                }
            };
            if id.is_some() {
                return id;
            }
        }
    }
    None
}

fn base_cookie(config: &Config, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::build((config.cookie_name.clone(), value))
        .path(config.path.clone())
        .secure(config.secure)
        .http_only(config.http_only)
        .same_site(config.same_site);
    if let Some(domain) = &config.domain {
        cookie = cookie.domain(domain.clone());
    }
    cookie.build()
}

/// The `Set-Cookie` value that hands `id` to the client for `ttl` seconds.
pub(crate) fn set_cookie(config: &Config, id: SessionId) -> String {
    let mut cookie = base_cookie(config, id.to_string());
    cookie.set_max_age(cookie::time::Duration::seconds(config.ttl.max(0)));
    match &config.key {
        None => cookie.to_string(),
        Some(key) => {
            let mut jar = CookieJar::new();
            jar.signed_mut(&key.0).add(cookie);
            jar.delta()
                .next()
                .map(ToString::to_string)
                .expect("the cookie was just added")
        }
    }
}

/// The `Set-Cookie` value that tells the client to drop its session cookie, with the
/// same name, path, domain and flags as the cookie it replaces.
pub(crate) fn removal_cookie(config: &Config) -> String {
    let mut cookie = base_cookie(config, String::new());
    cookie.make_removal();
    cookie.to_string()
}
