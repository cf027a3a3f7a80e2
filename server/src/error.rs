//! `AppError`: the one place where failures become HTTP statuses and JSON bodies.
//!
//! Client mistakes are 4xx with a stable [`ErrorCode`] and a message meant for people.
//! Server failures are logged with their cause and answered with an opaque 500 or 503.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use shared::api::error::{ApiError, ErrorCode, FieldIssue};
use std::collections::BTreeMap;

/// Every error a request handler or service can return.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A mistake of the client's, sent back as it is.
    #[error("{0}")]
    Client(ApiError),
    /// Too many attempts; the client may retry after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The database could not be reached in time.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Anything else that went wrong on the server.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// A result whose error is an [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A client error with a code and a message.
    pub fn client(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client(ApiError::new(code, message))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::Conflict, message)
    }

    pub fn unauthenticated() -> Self {
        Self::client(ErrorCode::Unauthenticated, "Sign in to continue")
    }

    pub fn forbidden() -> Self {
        Self::client(ErrorCode::Forbidden, "Your role does not allow this action")
    }

    /// A `validation_failed` error for one request field.
    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(
            field.to_owned(),
            vec![FieldIssue {
                code: code.to_owned(),
                params: BTreeMap::new(),
                message: message.into(),
            }],
        );
        AppError::Client(ApiError::validation("Some fields are invalid", fields))
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                AppError::Unavailable(e)
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Builds the JSON response for an [`ApiError`].
pub fn api_error_response(body: &ApiError) -> Response {
    let status =
        StatusCode::from_u16(body.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Client(body) => api_error_response(&body),
            AppError::RateLimited { retry_after_secs } => {
                let mut response = api_error_response(&ApiError::new(
                    ErrorCode::RateLimited,
                    format!("Too many attempts; try again in {retry_after_secs} seconds"),
                ));
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
                response
            }
            AppError::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                api_error_response(&ApiError::new(
                    ErrorCode::Unavailable,
                    "The service is temporarily unavailable; try again shortly",
                ))
            }
            AppError::Internal(cause) => {
                // The cause chain without a backtrace; causes never carry personal data.
                tracing::error!(error = %format_args!("{cause:#}"), "internal error");
                api_error_response(&ApiError::new(
                    ErrorCode::Internal,
                    "Something went wrong on our side; it has been logged",
                ))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let r =
            AppError::Internal(anyhow::anyhow!("password=hunter2 in table users")).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = futures_body(r);
        assert!(!body.contains("hunter2"));
        assert!(body.contains("\"code\":\"internal\""));
    }

    #[test]
    fn client_errors_keep_their_status() {
        let r = AppError::conflict("Published versions cannot change").into_response();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    }

    fn futures_body(r: Response) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = rt
            .block_on(axum::body::to_bytes(r.into_body(), 1 << 20))
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}
