//! Reading the session id from request cookies and writing `Set-Cookie` headers, with
//! the `cookie` crate.

use cookie::{Cookie, CookieJar};
use http::HeaderMap;
use http::header::COOKIE;
use session_core::SessionId;

use crate::config::{Config, MAX_COOKIE_VALUE_LEN, SameSite};

/// The session id the client sent, if any well-formed (and, with a key, authentic) one.
///
/// Garbage, oversized, non-UTF-8, badly signed or malformed values are treated as no
/// cookie: the client will get a fresh id if the session is written.
pub(crate) fn session_id_from(headers: &HeaderMap, config: &Config) -> Option<SessionId> {
    if config.key.is_some() {
        return signed_session_id_from(headers, config);
    }
    // Unsigned ids are found without the `cookie` crate: this runs on every request that
    // uses its session, and only one name=value pair matters.
    let name = config.cookie_name.as_bytes();
    for header in headers.get_all(COOKIE) {
        for pair in header.as_bytes().split(|&b| b == b';') {
            // `name=value`, with optional whitespace around both.
            let Some(rest) = pair.trim_ascii_start().strip_prefix(name) else {
                continue;
            };
            let Some(value) = rest.trim_ascii_start().strip_prefix(b"=") else {
                continue;
            };
            let value = value.trim_ascii();
            if value.len() > MAX_COOKIE_VALUE_LEN {
                continue;
            }
            if let Some(id) = SessionId::parse_bytes(value) {
                return Some(id);
            }
        }
    }
    None
}

fn signed_session_id_from(headers: &HeaderMap, config: &Config) -> Option<SessionId> {
    let key = &config.key.as_ref()?.0;
    for header in headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for cookie in Cookie::split_parse(text).flatten() {
            if cookie.name() != config.cookie_name || cookie.value().len() > MAX_COOKIE_VALUE_LEN {
                continue;
            }
            let mut jar = CookieJar::new();
            jar.add_original(cookie.into_owned());
            let id = jar
                .signed(key)
                .get(&config.cookie_name)
                .and_then(|verified| SessionId::parse(verified.value()));
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

/// The cookie that hands `id` to the client for `ttl` seconds, unsigned.
fn id_cookie(config: &Config, id: SessionId) -> Cookie<'static> {
    let mut cookie = base_cookie(config, id.to_string());
    cookie.set_max_age(cookie::time::Duration::seconds(config.ttl.max(0)));
    cookie
}

/// The `Set-Cookie` value that hands `id` to the client for `ttl` seconds.
pub(crate) fn set_cookie(config: &Config, id: SessionId) -> String {
    if config.key.is_none() && config.domain.is_none() {
        return plain_set_cookie(config, id);
    }
    let cookie = id_cookie(config, id);
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

/// The common case of [`set_cookie`], written directly: the same text as the `cookie`
/// crate's, attribute for attribute and in its order, for a fraction of the work.
fn plain_set_cookie(config: &Config, id: SessionId) -> String {
    use std::fmt::Write;

    let mut out = String::with_capacity(96 + config.cookie_name.len() + config.path.len());
    out.push_str(&config.cookie_name);
    out.push('=');
    out.push_str(std::str::from_utf8(&id.encode()).expect("the id alphabet is ASCII"));
    if config.http_only {
        out.push_str("; HttpOnly");
    }
    out.push_str(match config.same_site {
        SameSite::Strict => "; SameSite=Strict",
        SameSite::Lax => "; SameSite=Lax",
        SameSite::None => "; SameSite=None",
    });
    if config.secure {
        out.push_str("; Secure");
    }
    out.push_str("; Path=");
    out.push_str(&config.path);
    let _ = write!(out, "; Max-Age={}", config.ttl.max(0));
    out
}

/// The `Set-Cookie` value that tells the client to drop its session cookie, with the
/// same name, path, domain and flags as the cookie it replaces.
pub(crate) fn removal_cookie(config: &Config) -> String {
    let mut cookie = base_cookie(config, String::new());
    cookie.make_removal();
    cookie.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_set_cookie_is_the_cookie_crates() {
        let id = SessionId::generate();
        for same_site in [SameSite::Strict, SameSite::Lax, SameSite::None] {
            for (secure, http_only) in [(true, true), (false, true), (true, false), (false, false)]
            {
                let config = Config {
                    same_site,
                    secure,
                    http_only,
                    path: "/app".into(),
                    ttl: 1234,
                    ..Config::default()
                };
                let expected = id_cookie(&config, id).to_string();
                assert!(expected.contains("Max-Age=1234"), "{expected}");
                assert_eq!(plain_set_cookie(&config, id), expected);
            }
        }
    }

    #[test]
    fn finds_the_id_among_other_cookies() {
        let id = SessionId::generate();
        let config = Config::default();
        let mut headers = HeaderMap::new();
        let line = format!("a=1;session_id=bad; session_id = {id} ;b=\"x\"");
        headers.append(COOKIE, line.parse().unwrap());
        assert_eq!(session_id_from(&headers, &config), Some(id));
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, "session_id".parse().unwrap());
        headers.append(COOKIE, format!("other={id}").parse().unwrap());
        assert_eq!(session_id_from(&headers, &config), None);
    }
}
