//! Backups (issue #24): the encrypted copies of the database the server makes on a
//! schedule, their off-site copies and the restore drills run on them.

use serde::{Deserialize, Serialize};

use crate::{api::system::DatabaseKind, ids::BackupId};

/// Where a backup is in its making.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupState {
    /// Being made now.
    Running,
    /// Made, encrypted and written to the backup folder.
    Done,
    /// Not made: `error` says why.
    Failed,
    /// Removed from every destination after the backup retention period.
    Expired,
}

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupTrigger {
    /// The schedule (`--backup-interval-hours`).
    Schedule,
    /// An admin asked for one from the console.
    Manual,
}

/// The off-site copy of a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OffsiteState {
    /// No off-site destination is configured.
    NotConfigured,
    /// Not copied yet: the next attempt is at `next_attempt_at_ms`.
    Pending,
    /// Copied and read back (same size and SHA-256).
    Copied,
    /// Every attempt failed; `offsite_error` says why.
    Failed,
}

/// What a backup holds, counted when it was made (no personal values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupCounts {
    pub records: i64,
    pub receipts: i64,
    pub forms: i64,
    pub users: i64,
    pub audit_entries: i64,
    pub signed_heads: i64,
}

/// A restore drill: the backup decrypted, restored into a scratch database, checked
/// (integrity, audit chain and signed heads) and counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupDrill {
    pub at_ms: i64,
    pub passed: bool,
    /// What was found: counts on success, the reason on failure (English, for the log
    /// and operators; the console shows its own words for `passed`).
    pub message: String,
    /// The counts the restored copy holds (when it could be opened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<BackupCounts>,
    /// Milliseconds the drill took.
    pub took_ms: i64,
}

/// One backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupEntry {
    pub id: BackupId,
    pub state: BackupState,
    pub trigger: BackupTrigger,
    /// Who asked for a manual backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by_name: Option<String>,
    /// The file's name: its time and the audit head it contains
    /// (`consentry-20261204T020000Z-a1842-3f9c0b1e.backup`).
    pub file_name: String,
    pub database: DatabaseKind,
    pub started_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at_ms: Option<i64>,
    /// Bytes of the encrypted file.
    pub size_bytes: i64,
    /// SHA-256 of the encrypted file (hex), as the off-site copy is checked against.
    pub sha256: String,
    /// The newest audit entry the backup holds and its hash (hex).
    pub audit_seq: i64,
    pub audit_head: String,
    pub counts: BackupCounts,
    /// Why the backup failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub offsite: OffsiteState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsite_at_ms: Option<i64>,
    pub offsite_attempts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsite_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<BackupDrill>,
    /// When the backup was removed from every destination (backup retention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at_ms: Option<i64>,
}

/// `GET /api/v1/system/backups`: the backup settings and the recent backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupStatus {
    /// Whether backups are made on a schedule.
    pub scheduled: bool,
    pub interval_hours: u32,
    /// Backups are removed from both destinations this many days after they were made.
    pub keep_days: u32,
    /// The folder backups are written to first (on the server that makes them).
    pub local_dir: String,
    /// The off-site destination (a folder, a mounted disk or share), if configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsite: Option<String>,
    /// When the next scheduled backup is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_due_at_ms: Option<i64>,
    /// A backup is being made now.
    pub running: bool,
    /// A manual backup was asked for and is waiting for a server to make it.
    pub requested: bool,
    /// The newest backup made (state `done`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_backup: Option<BackupEntry>,
    /// The newest backup whose off-site copy succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_offsite: Option<BackupEntry>,
    /// The newest backup a restore drill ran on (passed or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_drill: Option<BackupEntry>,
    /// Problems an operator must act on (English; the console words them itself from
    /// `BackupProblem`).
    pub problems: Vec<BackupProblem>,
    /// The newest backups first (at most 60), expired ones included.
    pub backups: Vec<BackupEntry>,
}

/// Something wrong with the backups, as the console warns of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupProblem {
    /// Scheduled backups are turned off.
    NotScheduled,
    /// No off-site destination is configured: a lost disk loses the backups too.
    NoOffsite,
    /// No backup was made within the interval (plus an hour).
    Overdue,
    /// The newest backup attempt failed.
    LastFailed,
    /// The newest backup's off-site copy failed or is still pending after a failure.
    OffsiteFailing,
    /// The newest restore drill failed.
    DrillFailed,
}

/// `POST /api/v1/system/backups`: answered 202 when the backup was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupRequested {
    /// True when a backup is already being made (the new request waits for it to end).
    pub already_running: bool,
}
