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
    /// The database could not be reached, or is overloaded: a 503 the client may retry.
    #[error("database unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// Anything else that went wrong on the server: an opaque 500.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
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
        AppError::Client(ApiError::generic(
            ErrorCode::Unauthenticated,
            "Sign in to continue",
        ))
    }

    pub fn forbidden() -> Self {
        AppError::Client(ApiError::generic(
            ErrorCode::Forbidden,
            "Your role does not allow this action",
        ))
    }

    /// A server failure: what was being done, and the error that stopped it. The cause
    /// keeps its chain, so a database error anywhere under it still answers 503 when
    /// the database is down rather than an opaque 500.
    pub fn internal<E>(context: impl Into<String>, cause: E) -> Self
    where
        E: Into<anyhow::Error>,
    {
        Self::from(cause.into().context(context.into()))
    }

    /// A server failure with no underlying error: an invariant that did not hold
    /// (a row that vanished inside its own transaction, a stored value that cannot be
    /// read). The message goes to the log only.
    pub fn invariant(message: impl Into<String>) -> Self {
        AppError::Internal(anyhow::Error::msg(message.into()))
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
        Self::from(anyhow::Error::new(e))
    }
}

impl From<anyhow::Error> for AppError {
    /// A database error anywhere in the chain that says the database is gone or
    /// overloaded makes a 503; anything else is a 500.
    fn from(e: anyhow::Error) -> Self {
        let unavailable = e
            .chain()
            .filter_map(|cause| cause.downcast_ref::<sqlx::Error>())
            .any(database_unavailable);
        if unavailable {
            AppError::Unavailable(e)
        } else {
            AppError::Internal(e)
        }
    }
}

/// Whether a database error means "not now" (connection lost or refused, pool
/// exhausted, database busy, shutting down, out of disk) rather than a defect.
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
            db.code().is_some_and(|code| {
                if sqlite {
                    sqlite_unavailable(&code)
                } else {
                    sqlstate_unavailable(&code)
                }
            })
        }
        _ => false,
    }
}

/// SQLite's result codes BUSY, LOCKED, IOERR, FULL and CANTOPEN; extended codes keep
/// the primary code in their low byte.
fn sqlite_unavailable(code: &str) -> bool {
    code.parse::<u32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14))
}

/// PostgreSQL's SQLSTATEs of class 08 (connection exception), 53 (insufficient
/// resources) and 57P01–57P03 (administrator or crash shutdown, cannot connect now).
fn sqlstate_unavailable(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || matches!(code, "57P01" | "57P02" | "57P03")
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
                tracing::error!(error = %format_args!("{cause:#}"), "database unavailable");
                api_error_response(&ApiError::generic(
                    ErrorCode::Unavailable,
                    "The service is temporarily unavailable; try again shortly",
                ))
            }
            AppError::Internal(cause) => {
                // The cause chain without a backtrace; causes never carry personal data.
                tracing::error!(error = %format_args!("{cause:#}"), "internal error");
                api_error_response(&ApiError::generic(
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
        assert!(body.contains("\"generic\":true"));
    }

    #[test]
    fn client_errors_keep_their_status() {
        let r = AppError::conflict("Published versions cannot change").into_response();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn a_database_that_is_gone_is_a_503_even_under_context() {
        let lost = AppError::internal("loading a record", sqlx::Error::PoolTimedOut);
        assert_eq!(
            lost.into_response().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let defect = AppError::internal("loading a record", sqlx::Error::RowNotFound);
        assert_eq!(
            defect.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn unavailable_codes_of_both_databases() {
        for code in ["5", "517", "6", "10", "13", "14"] {
            assert!(sqlite_unavailable(code), "{code}");
        }
        for code in ["19", "2067", "1", "787"] {
            assert!(!sqlite_unavailable(code), "{code}");
        }
        for code in ["08006", "08001", "53300", "53100", "57P01", "57P03"] {
            assert!(sqlstate_unavailable(code), "{code}");
        }
        for code in ["23505", "42P01", "57014", "40001", "22P02"] {
            assert!(!sqlstate_unavailable(code), "{code}");
        }
    }

    /// A real SQLite file locked by another connection: the busy error is a 503.
    #[test]
    fn a_locked_sqlite_database_is_a_503() {
        use sqlx::{Connection, Executor};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let dir = std::env::temp_dir().join(format!("consentry-busy-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.join("busy.db").display());
            let mut holder = sqlx::SqliteConnection::connect(&url).await.unwrap();
            holder
                .execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
                .await
                .unwrap();
            holder.execute("BEGIN EXCLUSIVE").await.unwrap();
            let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
            other.execute("PRAGMA busy_timeout = 0").await.unwrap();
            let err = other.execute("INSERT INTO t VALUES (1)").await.unwrap_err();
            assert!(database_unavailable(&err), "{err:?}");
            let status = AppError::internal("writing", err).into_response().status();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            holder.execute("ROLLBACK").await.unwrap();
            drop((holder, other));
            let _ = std::fs::remove_dir_all(&dir);
        });
    }

    /// A real PostgreSQL connection that the server ends (as a restart or failover
    /// does): the next query's error is a 503, not an opaque 500.
    #[test]
    fn a_postgres_connection_ended_by_the_server_is_a_503() {
        use sqlx::{Connection, Executor};
        let url = std::env::var("CONSENTRY_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut victim = sqlx::PgConnection::connect(&url).await.unwrap();
            let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut victim)
                .await
                .unwrap();
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("SELECT pg_terminate_backend($1)")
                .bind(pid)
                .execute(&mut admin)
                .await
                .unwrap();
            let err = victim.execute("SELECT 1").await.unwrap_err();
            assert!(database_unavailable(&err), "{err:?}");
            let status = AppError::from(err).into_response().status();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        });
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
