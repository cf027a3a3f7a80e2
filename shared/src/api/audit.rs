//! The audit log as auditors read it.

use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, ChainReport};

/// `GET /api/v1/audit`: entries newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The user name of each account acting on this page (user id → name), so that
    /// auditors read who did what. Not part of the entries: their hashes cover the ids.
    #[serde(default)]
    pub actor_names: std::collections::BTreeMap<String, String>,
    /// The reason given for each reveal on this page (entry seq → reason), opened by the
    /// server: entries hold it sealed under the record's data key, so it is gone once
    /// the record is erased.
    #[serde(default)]
    pub reveal_reasons: std::collections::BTreeMap<i64, String>,
    /// Pass as `before_seq` to read the next page; `None` on the last page.
    pub next_before_seq: Option<i64>,
}

/// `GET /api/v1/audit/actors`: an account that appears as the actor of entries, for
/// the search's "who" by name (auditors may not list the accounts themselves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditActor {
    /// The `actor` filter's value.
    pub id: crate::ids::UserId,
    pub username: String,
    pub display_name: String,
}

/// `GET /api/v1/audit/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    pub report: ChainReport,
    /// The first break in words, when there is one.
    pub message: Option<String>,
}
