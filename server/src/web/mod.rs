//! Serving the built web app: hashed assets with long caching, precompressed files when
//! present, `index.html` for every app route (SPA fallback), and security headers.

pub mod headers;
pub mod spa;

use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use shared::{
    api::error::{ApiError, ErrorCode},
    api::forms::{NoticePage, NOTICE_PAGE_ELEMENT, VERSION_ELEMENT},
    consent::notice::PrivacyNotice,
    ids::FormId,
};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use bytes::Bytes;

use crate::state::AppState;

/// Routes for the web app; everything the API does not claim ends up here.
pub fn router(state: &AppState) -> Router<AppState> {
    let files = ServeDir::new(&state.spa.dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    Router::new()
        .route("/_app/boot/{file}", get(boot_script))
        .route("/f/{id}", get(embedded_form_page))
        .route("/withdraw", get(customer_page))
        .route("/verify", get(customer_page))
        .route("/consent", get(customer_page))
        .fallback(move |State(state): State<AppState>, req: Request| {
            let files = files.clone();
            async move { serve_file_or_app(&state, files, req).await }
        })
        .layer(middleware::from_fn(cache_control))
}

async fn boot_script(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match state.spa.boot_script(&file) {
        Some(body) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            body,
        )
            .into_response(),
        None => not_found(),
    }
}

async fn serve_file_or_app(state: &AppState, files: ServeDir, req: Request) -> Response {
    // What the API does not claim under its prefix (`/api/v1/`, `/api/v2/x`) is the
    // API's own 404 in its JSON shape, not the web app.
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return crate::error::api_error_response(&ApiError::new(
            ErrorCode::NotFound,
            "No such API route",
        ));
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
    }
    let path = req.uri().path().to_owned();
    let looks_like_file = path.rsplit('/').next().is_some_and(|f| f.contains('.'));
    if path != "/" && path != "/index.html" {
        match files.oneshot(req).await {
            Ok(r) if r.status() != StatusCode::NOT_FOUND => return r.map(Body::new),
            Ok(_) if looks_like_file => return not_found(),
            Ok(_) => {}
            Err(never) => match never {},
        }
    }
    match &state.spa.index {
        Some(index) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            index.clone(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The web app has not been built. Run ./scripts/run.sh (see README.md).\n",
        )
            .into_response(),
    }
}

/// A customer app's page (the form's or the self-service pages') with a given
/// Content-Security-Policy.
fn customer_app(page: Option<&Bytes>, csp: &str) -> Response {
    match page {
        Some(page) => {
            let mut response = (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                page.clone(),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(csp) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, value);
            }
            response
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The customer web app has not been built. Run ./scripts/run.sh (see README.md).\n",
        )
            .into_response(),
    }
}

/// `/withdraw`, `/verify` and `/consent`: the self-service app, never framed.
async fn customer_page(State(state): State<AppState>) -> Response {
    customer_app(state.spa.self_service_index.as_ref(), headers::APP_CSP)
}

/// `/f/{id}`: a published form, which only the websites the form lists may frame. The
/// page carries the privacy pop-up's content and the version (see
/// `shared::api::forms::NoticePage`), so the first stage shows the pop-up at once.
async fn embedded_form_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let (Some(page), Some(app)) = (&state.spa.embed_index, &state.spa.form_app) else {
        return customer_app(None, headers::APP_CSP);
    };
    let version = match FormId::parse(&id) {
        Ok(form_id) => crate::forms::service::public_form(&state.db, form_id)
            .await
            .ok(),
        Err(_) => None,
    };
    let notice = NoticePage {
        form_id: id,
        app: app.clone(),
        preload: state.spa.form_app_files.clone(),
        notice: version
            .as_ref()
            .map(|v| PrivacyNotice::of(&v.definition, &v.summary.hash)),
    };
    let mut data = vec![(NOTICE_PAGE_ELEMENT, json(&notice))];
    if let Some(version) = &version {
        data.push((VERSION_ELEMENT, json(version)));
    }
    let origins = version
        .map(|v| v.definition.embed_origins)
        .unwrap_or_default();
    let page = spa::with_json_data(page, &data);
    customer_app(Some(&page), &headers::form_csp(&origins))
}

/// A payload of ours as JSON (its types always serialise).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not found\n",
    )
        .into_response()
}

/// Hashed assets are immutable for a year; everything else is revalidated.
async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = headers::is_hashed_asset(req.uri().path());
    let mut response = next.run(req).await;
    if response.status().is_success() && !response.headers().contains_key(header::CACHE_CONTROL) {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}
