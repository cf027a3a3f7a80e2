//! Service information: version, health and readiness.

use serde::{Deserialize, Serialize};

/// Which database the server stores its data in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DatabaseKind {
    /// The embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server (for several stateless replicas).
    Postgres,
}

/// `GET /api/v1/system/version`: what is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionInfo {
    /// The product name.
    pub name: String,
    /// The server's semantic version.
    pub version: String,
    /// The version of the API's payloads (this crate's major schema of `api`).
    pub api_version: u32,
    /// The database backend in use.
    pub database: DatabaseKind,
}

/// `GET /healthz` and `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthStatus {
    /// `ok` when healthy or ready.
    pub status: String,
    /// For readiness: whether the database answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<bool>,
    /// For readiness: whether the submission writer runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<bool>,
}
