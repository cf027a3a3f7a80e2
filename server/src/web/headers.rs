//! Security and caching headers on every response.

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::state::AppState;

/// The Content-Security-Policy of the app's own pages: no inline scripts or styles,
/// nothing from other origins, WASM compilation allowed, never framed.
pub const APP_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
     manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

/// The policy of an embeddable form page: the app's own, except that the form's listed
/// websites (already validated as plain origins by the schema) may frame it.
#[must_use]
pub fn form_csp(embed_origins: &[String]) -> String {
    let mut ancestors = String::from("'self'");
    for origin in embed_origins {
        if shared::schema::is_valid_origin(origin) {
            ancestors.push(' ');
            ancestors.push_str(origin);
        }
    }
    APP_CSP.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors {ancestors}"),
    )
}

/// Adds the security headers a response does not already carry (a route may set a
/// stricter or per-form policy of its own first).
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    // Host pages on other sites load the embed loader script.
    let cross_origin_resource = path == "/embed/embed.js";
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // A page that sets its own policy (an embeddable form) chooses its own framing.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(APP_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if cross_origin_resource {
        headers.insert(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        );
    }
    let defaults: [(HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if is_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// True for file names Trunk gives a content hash (`app-1a2b3c4d5e6f7a8b_bg.wasm`),
/// which may be cached for a year because a new build gets a new name.
#[must_use]
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    stem.split(['-', '_'])
        // Trunk writes a 64-bit hash in hex without leading zeros: 10 to 16 digits.
        .any(|part| (10..=16).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_asset_names_are_recognised() {
        assert!(is_hashed_asset(
            "/consentry-frontend-9f8e7d6c5b4a3921_bg.wasm"
        ));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(is_hashed_asset(
            "/consentry-frontend-a0d145c059508b0_bg.wasm"
        ));
        assert!(!is_hashed_asset("/consentry-frontend.js"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.ico"));
    }

    #[test]
    fn the_policy_forbids_inline_code_and_framing() {
        assert!(!APP_CSP.contains("unsafe-inline"));
        assert!(!APP_CSP.contains("'unsafe-eval'"));
        assert!(APP_CSP.contains("frame-ancestors 'none'"));
    }
}
