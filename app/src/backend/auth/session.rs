//! Sessions: a random 256-bit token in an `HttpOnly`, `SameSite=Lax` cookie (`Secure` when the
//! site is served over HTTPS), looked up by its SHA-256 in the store. Sessions slide: each use
//! more than a day after the last renewal pushes the expiry 30 days out again.

use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::*;
use sha2::{Digest, Sha256};

use crate::backend::state::AppState;
use crate::backend::store::accounts::Session;
use crate::backend::store::UserId;
use crate::backend::throttle::anonymous_readers;
use crate::error::AppError;

/// The cookie's name.
pub const COOKIE_NAME: &str = "shelfwise_session";
/// How long a session lives without use.
pub const TTL_SECS: u64 = 30 * 24 * 60 * 60;
/// Renew at most this often, so reading pages does not write to the store on every request.
const RENEW_AFTER_SECS: u64 = 24 * 60 * 60;

/// The session of the current request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current {
    /// The token's hash (the store's key).
    pub hash: [u8; 32],
    /// The session.
    pub session: Session,
}

impl Current {
    /// The reader's user id.
    pub fn user(&self) -> UserId {
        self.session.user
    }
}

/// A fresh token (64 hex characters) and its hash.
pub fn new_token() -> Result<(String, [u8; 32]), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = hash_token(&token).ok_or(AppError::Internal)?;
    Ok((token, hash))
}

/// The hash of a well-formed token; `None` for anything else (so junk cookies cost nothing).
pub fn hash_token(token: &str) -> Option<[u8; 32]> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Sha256::digest(token.as_bytes()).into())
}

/// The session token in a `Cookie` header, if any.
pub fn token_in(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value for a token (empty token and zero age: delete it).
pub fn cookie_header(token: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

fn set_cookie(value: String) {
    if let (Some(options), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        options.append_header(SET_COOKIE, v);
    }
}

/// The current request's session, if it has a live one; renews it when due.
pub fn current(state: &AppState) -> Result<Option<Current>, AppError> {
    let Some(parts) = use_context::<Parts>() else {
        return Ok(None);
    };
    let Some(hash) = token_in(&parts).as_deref().and_then(hash_token) else {
        return Ok(None);
    };
    let now = super::now();
    let Some(mut session) = state.store.session(&hash, now)? else {
        return Ok(None);
    };
    if session.expires.saturating_sub(now) < TTL_SECS - RENEW_AFTER_SECS {
        let renewed = Session {
            expires: now + TTL_SECS,
            ..session
        };
        // A renewal that cannot be stored (a full disk) leaves the session as it was: the
        // reader goes on, and the next request tries again.
        if let Err(e) = state.store.put_session(&hash, &renewed) {
            tracing::warn!(error = %e, "session renewal not stored");
        } else {
            session = renewed;
        }
        if let Some(token) = token_in(&parts).filter(|_| session == renewed) {
            set_cookie(cookie_header(
                &token,
                TTL_SECS,
                state.settings.secure_cookies,
            ));
        }
    }
    Ok(Some(Current { hash, session }))
}

/// Start a session for `user` and send its cookie.
pub fn start(state: &AppState, user: UserId, account: bool) -> Result<Current, AppError> {
    let (token, hash) = new_token()?;
    let session = Session {
        user,
        expires: super::now() + TTL_SECS,
        account,
    };
    state.store.put_session(&hash, &session)?;
    set_cookie(cookie_header(
        &token,
        TTL_SECS,
        state.settings.secure_cookies,
    ));
    Ok(Current { hash, session })
}

/// Tell the browser to forget its session cookie.
pub fn clear_cookie(state: &AppState) {
    set_cookie(cookie_header("", 0, state.settings.secure_cookies));
}

/// The current session, or a new anonymous reader with a session of their own: rating and
/// shelving work before signing up.
pub fn current_or_anonymous(state: &AppState) -> Result<Current, AppError> {
    if let Some(current) = current(state)? {
        return Ok(current);
    }
    let address = client_address(state);
    let _counted = state
        .throttle
        .attempt(&[(
            anonymous_readers(state.settings.limits.anonymous_per_hour),
            &address,
        )])
        .map_err(|r| {
            r.into_error("Too many new readers from your network. Sign up or log in to go on.")
        })?;
    let (key, _) = new_token()?;
    let user = state.store.create_anonymous_user(&key[..32])?;
    start(state, user, false)
}

/// The client's address for throttling: the connection's peer, or, behind a trusted reverse
/// proxy, the last address the proxy appended to `X-Forwarded-For`.
pub fn client_address(state: &AppState) -> String {
    let Some(parts) = use_context::<Parts>() else {
        return "unknown".into();
    };
    if state.settings.trust_proxy {
        if let Some(addr) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            return addr.trim().to_string();
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_only_when_well_formed() {
        let (a, ha) = new_token().unwrap();
        let (b, hb) = new_token().unwrap();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_token(&a), Some(ha));
        assert_eq!(hash_token("abc"), None);
        assert_eq!(hash_token(&"z".repeat(64)), None);
    }

    #[test]
    fn cookie_flags() {
        let c = cookie_header("ab", TTL_SECS, true);
        assert_eq!(
            c,
            "shelfwise_session=ab; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(!cookie_header("ab", 1, false).contains("Secure"));
    }

    #[test]
    fn finds_the_token_among_other_cookies() {
        let req = http::Request::builder()
            .header(COOKIE, "a=1; shelfwise_session=tok; b=2")
            .body(())
            .unwrap();
        let (parts, _) = req.into_parts();
        assert_eq!(token_in(&parts).as_deref(), Some("tok"));
    }
}
