//! The one JSON shape of every API error.
//!
//! ```json
//! {"code": "validation_failed", "message": "Some fields are invalid",
//!  "details": {"fields": {"phone": [{"code": "phone_invalid", "message": "..."}]}}}
//! ```
//!
//! `code` is stable and meant for programs; `message` is for people and may change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code. Its JSON form is the `snake_case` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed in a way no more specific code describes.
    BadRequest,
    /// The body is not valid JSON, or not of the expected shape.
    InvalidJson,
    /// The body has a content type the route does not accept.
    UnsupportedMediaType,
    /// One or more fields break their rules; `details.fields` says which and why.
    ValidationFailed,
    /// No such resource, or the caller may not know it exists.
    NotFound,
    /// The route exists but not with this HTTP method.
    MethodNotAllowed,
    /// The caller is not signed in, or the session expired.
    Unauthenticated,
    /// The password was right, but the account also needs its second-factor code
    /// (`totp_code`); ask for it and sign in again.
    TotpRequired,
    /// The caller is signed in but lacks the permission.
    Forbidden,
    /// A state-changing request came without a valid CSRF token.
    CsrfRejected,
    /// A signature in the request does not verify.
    InvalidSignature,
    /// The request conflicts with the current state (for example a published version).
    Conflict,
    /// The conflict was already resolved (by someone else, or by a retried request).
    AlreadyResolved,
    /// It existed but is no longer available (a one-time download taken, expired or
    /// withdrawn).
    Gone,
    /// The body is larger than the route allows.
    PayloadTooLarge,
    /// Too many attempts; try again later.
    RateLimited,
    /// The request took longer than the server allows, sending its body included, and
    /// was stopped; it may be sent again.
    Timeout,
    /// The service cannot answer right now (for example the database is unreachable).
    Unavailable,
    /// Something failed on the server; the cause is logged, not shown.
    Internal,
}

impl ErrorCode {
    /// True when the same request may succeed if sent again unchanged: the failure is
    /// the server's or momentary (busy, too soon, too slow), not the request's.
    #[must_use]
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::Internal
                | ErrorCode::Unavailable
                | ErrorCode::RateLimited
                | ErrorCode::Timeout
        )
    }

    /// Every code.
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidJson,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Unauthenticated,
        ErrorCode::TotpRequired,
        ErrorCode::Forbidden,
        ErrorCode::CsrfRejected,
        ErrorCode::InvalidSignature,
        ErrorCode::Conflict,
        ErrorCode::AlreadyResolved,
        ErrorCode::Gone,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Timeout,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The code with this JSON name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.as_str() == name)
    }

    /// The HTTP status this code is sent with.
    #[must_use]
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::InvalidJson | ErrorCode::InvalidSignature => 400,
            ErrorCode::Unauthenticated | ErrorCode::TotpRequired => 401,
            ErrorCode::Forbidden | ErrorCode::CsrfRejected => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Timeout => 408,
            ErrorCode::Conflict | ErrorCode::AlreadyResolved => 409,
            ErrorCode::Gone => 410,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }

    /// The JSON name of this code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::TotpRequired => "totp_required",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfRejected => "csrf_rejected",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::Conflict => "conflict",
            ErrorCode::AlreadyResolved => "already_resolved",
            ErrorCode::Gone => "gone",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

/// What is wrong with one field: a stable code, its parameters, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldIssue {
    /// Stable code such as `required` or `too_short`; the UI translates it.
    pub code: String,
    /// Values the message refers to, such as `{"min": "2"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// A message in the request's language.
    pub message: String,
}

/// Structured details of an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetails {
    /// Problems per field key (a form field key, or a request field name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<FieldIssue>>,
}

impl ErrorDetails {
    /// True when there are no details worth sending.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// The body of every API error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable code for programs.
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// Per-field problems, when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<ErrorDetails>,
    /// True when `message` says no more than the code does (the server is down, the
    /// session ended, the role may not): a client in another language shows its own
    /// sentence for the code instead. False when the message is about this request.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generic: bool,
}

impl ApiError {
    /// An error with a code and a message about this request, and no details.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            generic: false,
        }
    }

    /// An error whose message only restates its code (see [`ApiError::generic`]).
    #[must_use]
    pub fn generic(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            generic: true,
            ..Self::new(code, message)
        }
    }

    /// An error with per-field problems under another code than `validation_failed`.
    #[must_use]
    pub fn with_fields(
        code: ErrorCode,
        message: impl Into<String>,
        fields: BTreeMap<String, Vec<FieldIssue>>,
    ) -> Self {
        Self {
            details: Some(ErrorDetails { fields }),
            ..Self::new(code, message)
        }
    }

    /// A `validation_failed` error carrying per-field issues.
    #[must_use]
    pub fn validation(
        message: impl Into<String>,
        fields: BTreeMap<String, Vec<FieldIssue>>,
    ) -> Self {
        Self::with_fields(ErrorCode::ValidationFailed, message, fields)
    }

    /// The issues reported for one field, if any.
    #[must_use]
    pub fn field_issues(&self, field: &str) -> &[FieldIssue] {
        self.details
            .as_ref()
            .and_then(|d| d.fields.get(field))
            .map_or(&[], Vec::as_slice)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_flag_is_on_the_wire_only_when_set() {
        let specific = ApiError::new(ErrorCode::Conflict, "Published versions cannot change");
        let json = serde_json::to_string(&specific).unwrap();
        assert!(!json.contains("generic"), "{json}");
        let generic = ApiError::generic(ErrorCode::Unavailable, "Try again shortly");
        let json = serde_json::to_string(&generic).unwrap();
        assert!(json.contains(r#""generic":true"#), "{json}");
        let back: ApiError = serde_json::from_str(&json).unwrap();
        assert!(back.generic);
        let old: ApiError =
            serde_json::from_str(r#"{"code":"internal","message":"Something went wrong"}"#)
                .unwrap();
        assert!(!old.generic);
    }

    #[test]
    fn codes_serialise_to_their_stable_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let status = code.http_status();
            assert!((400..600).contains(&status), "{code:?} -> {status}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }

    #[test]
    fn error_body_omits_empty_details() {
        let e = ApiError::new(ErrorCode::NotFound, "No such form");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "not_found", "message": "No such form"})
        );
    }

    #[test]
    fn field_issues_are_reachable_by_key() {
        let mut fields = BTreeMap::new();
        fields.insert(
            "phone".to_owned(),
            vec![FieldIssue {
                code: "phone_invalid".into(),
                params: BTreeMap::new(),
                message: "Not a phone number".into(),
            }],
        );
        let e = ApiError::validation("Some fields are invalid", fields);
        assert_eq!(e.field_issues("phone").len(), 1);
        assert!(e.field_issues("email").is_empty());
        let round: ApiError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(round, e);
    }
}
