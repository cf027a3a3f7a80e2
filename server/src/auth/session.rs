//! Session cookies: who is calling, loaded once per request.
//!
//! The cookie holds a random token; the database holds only its SHA-256. The cookie is
//! `HttpOnly` (scripts cannot read it), `Secure`, `SameSite=Strict`, host-only
//! (`__Host-` prefix) and ends with the browser session; the server also ends it after
//! an idle period and after a maximum age.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use shared::api::{
    auth::{CurrentUser, Role},
    error::ErrorCode,
};

use crate::{error::AppError, state::AppState, store::now_ms};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "__Host-consentry_session";

/// The signed-in caller of a request.
#[derive(Clone)]
pub struct Principal {
    pub user: CurrentUser,
    pub csrf_token: String,
    pub session_hash: String,
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("user_id", &self.user.id)
            .field("role", &self.user.role)
            .finish_non_exhaustive()
    }
}

impl Principal {
    #[must_use]
    pub fn role(&self) -> Role {
        self.user.role
    }
}

/// The session token from the request's cookies, if any.
#[must_use]
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// `Set-Cookie` that stores a new session token.
#[must_use]
pub fn session_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; Secure; SameSite=Strict"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("__Host-consentry_session=; Path=/"))
}

/// `Set-Cookie` that removes the session cookie.
#[must_use]
pub fn clearing_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-consentry_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
    )
}

/// True for methods that change state and so need CSRF and origin checks.
#[must_use]
pub fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware on every API request: refuses cross-origin state changes, then loads
/// the caller's session (if any) into the request's extensions as `Option<Principal>`.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Public form submissions check the origin against each form's own embedding list.
    let per_form_origin = req.uri().path().starts_with("/public/forms/");
    if is_state_changing(req.method()) && !per_form_origin {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            if origin.as_bytes() != state.config.public_origin().as_bytes() {
                return AppError::client(
                    ErrorCode::Forbidden,
                    "Requests from another website are not accepted here",
                )
                .into_response();
            }
        }
    }
    let principal = match session_token(req.headers()) {
        Some(token) => match resolve(&state, token).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    req.extensions_mut().insert(principal);
    next.run(req).await
}

async fn resolve(state: &AppState, token: &str) -> Result<Option<Principal>, AppError> {
    let hash = crate::auth::token_hash(token);
    let now = now_ms();
    let Some(row) = state.db.session(&hash, now).await? else {
        return Ok(None);
    };
    if row.user.disabled {
        state.db.delete_session(&hash).await?;
        return Ok(None);
    }
    let mut expires_at_ms = row.expires_at_ms;
    // Slide the idle window, at most once a minute so reads stay cheap.
    if now - row.last_seen_ms > 60_000 {
        expires_at_ms = state.sessions.expiry(row.created_at_ms, now);
        state.db.touch_session(&hash, now, expires_at_ms).await?;
    }
    Ok(Some(Principal {
        user: CurrentUser {
            id: row.user.id,
            username: row.user.username,
            display_name: row.user.display_name,
            role: row.user.role,
            must_change_password: row.user.must_change_password,
        },
        csrf_token: row.csrf_token,
        session_hash: hash,
        expires_at_ms,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-consentry_session=tok123; b=2"),
        );
        assert_eq!(session_token(&h), Some("tok123"));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("consentry_session=x"),
        );
        assert_eq!(session_token(&h), None);
    }

    #[test]
    fn cookie_has_every_protective_attribute() {
        let c = session_cookie("abc");
        let c = c.to_str().unwrap_or_default();
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(c.contains(attr), "{c} lacks {attr}");
        }
        assert!(!c.contains("Domain"));
    }
}
