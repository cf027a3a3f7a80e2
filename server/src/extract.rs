//! Extractors that answer bad input in the application's error shape.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
};
use serde::de::DeserializeOwned;
use shared::api::error::ErrorCode;

use crate::error::AppError;

/// Like [`axum::Json`], but a rejected body comes back as an [`AppError`] with a
/// stable code (`invalid_json`, `unsupported_media_type`, `payload_too_large`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::client(
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with Content-Type: application/json",
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::client(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => AppError::client(
            ErrorCode::InvalidJson,
            format!(
                "The JSON does not have the expected shape: {}",
                e.body_text()
            ),
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::client(ErrorCode::PayloadTooLarge, "The request body is too large")
        }
        other => AppError::client(ErrorCode::BadRequest, other.body_text()),
    }
}
