//! Sessions: kept in the process, found by a random id in an HttpOnly, SameSite=Strict cookie
//! (Secure on the TLS listener), so no script ever reads the bearer token, which never leaves
//! the server. Each session has its CSRF token, which every form carries and every POST checks.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderMap, HeaderValue, header};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ConsoleError;

/// The cookie's name.
pub const COOKIE: &str = "rapd_console";
/// At most this many sessions at once; past it the one closest to its end is dropped.
const MAX_SESSIONS: usize = 10_000;
/// How long a session without a sign-in (the sign-in form's CSRF token) lives.
const ANONYMOUS_TTL_SECS: i64 = 3600;

#[derive(Clone)]
pub struct Session {
    pub csrf: String,
    pub user: Option<SignedIn>,
    pub expires_at: i64,
}

/// Who signed in, and the token the console calls Graph with.
#[derive(Clone)]
pub struct SignedIn {
    pub token: String,
    pub tenant: Uuid,
    pub username: String,
    pub display_name: String,
    /// Whether the token's scopes allow writes; the pages hide write buttons otherwise.
    pub can_write: bool,
}

/// Never shows the token.
impl fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedIn")
            .field("tenant", &self.tenant)
            .field("username", &self.username)
            .field("can_write", &self.can_write)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// The live session the request's cookie names.
    pub fn find(&self, headers: &HeaderMap, now: i64) -> Option<(String, Session)> {
        let id = cookie_value(headers)?;
        let sessions = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let session = sessions.get(id).filter(|s| s.expires_at > now)?;
        Some((id.to_owned(), session.clone()))
    }

    pub fn find_by_id(&self, id: &str) -> Option<Session> {
        let sessions = self.0.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(id).cloned()
    }

    /// A new session; returns its id.
    pub fn open(&self, user: Option<SignedIn>, expires_at: i64, now: i64) -> String {
        let id = random_token();
        let session = Session {
            csrf: random_token(),
            user,
            expires_at,
        };
        let mut sessions = self.0.lock().unwrap_or_else(|e| e.into_inner());
        insert_bounded(&mut sessions, id.clone(), session, MAX_SESSIONS, now, |s| {
            s.expires_at
        });
        id
    }

    pub fn close(&self, id: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }

    /// An anonymous session's lifetime from `now`.
    pub fn anonymous_expiry(now: i64) -> i64 {
        now + ANONYMOUS_TTL_SECS
    }
}

impl Session {
    /// Checks a form's CSRF token against the session's, in constant time.
    pub fn check_csrf(&self, given: &str) -> Result<(), ConsoleError> {
        match Sha256::digest(given.as_bytes()) == Sha256::digest(self.csrf.as_bytes()) {
            true => Ok(()),
            false => Err(ConsoleError::Csrf),
        }
    }
}

/// The `Set-Cookie` value of session `id`; `secure` on the TLS listener.
pub fn set_cookie(id: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{COOKIE}={id}; Path=/console; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        max_age.max(0)
    );
    HeaderValue::from_str(&value).expect("ids are base64url")
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    set_cookie("", 0, secure)
}

fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    cookie_named(headers, COOKIE)
}

/// The non-empty value of the request's cookie `name`.
pub fn cookie_named<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, value)| *n == name && !value.is_empty())
        .map(|(_, value)| value)
}

/// Inserts into a map of at most `max` entries: when full, the expired ones go, then the one
/// closest to its end.
pub(crate) fn insert_bounded<V>(
    map: &mut HashMap<String, V>,
    id: String,
    value: V,
    max: usize,
    now: i64,
    expires_at: impl Fn(&V) -> i64,
) {
    if map.len() >= max {
        map.retain(|_, v| expires_at(v) > now);
    }
    if map.len() >= max
        && let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| expires_at(v))
            .map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
    map.insert(id, value);
}

/// 32 random bytes, base64url: 43 characters (also what RFC 7636 asks of a PKCE verifier).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_cookie_until_it_expires() {
        let sessions = Sessions::default();
        let id = sessions.open(None, 100, 0);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {COOKIE}={id}")).unwrap(),
        );
        assert!(sessions.find(&headers, 99).is_some());
        assert!(sessions.find(&headers, 100).is_none());
        sessions.close(&id);
        assert!(sessions.find(&headers, 0).is_none());
    }

    #[test]
    fn the_csrf_token_must_match() {
        let sessions = Sessions::default();
        let id = sessions.open(None, 100, 0);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{COOKIE}={id}")).unwrap(),
        );
        let (_, session) = sessions.find(&headers, 0).unwrap();
        assert!(session.check_csrf(&session.csrf.clone()).is_ok());
        assert!(session.check_csrf("").is_err());
    }
}
