//! Backups (issue #24): a consistent snapshot of the database, encrypted and
//! authenticated (`format`), made on a schedule exactly once across replicas under the
//! database lease `backup` (`worker`), copied to an off-site folder and read back,
//! retried with back-off and told to the alerts' channels when that fails, restored
//! into a scratch database and verified after each backup (the drill, `inspect`), and
//! deleted from both folders after the backup retention period.
//!
//! What the snapshot is depends on the database (`snapshot`): SQLite's `VACUUM INTO`,
//! or `pg_dump` on an exported snapshot. The master key never goes into a backup: a
//! random key per file, wrapped by the master key, is in its header.

pub mod format;
pub mod handlers;
pub mod inspect;
pub mod service;
pub mod snapshot;
pub mod worker;

use std::path::{Path, PathBuf};

pub use inspect::{restore, verify_file, Verified};
pub use worker::Backups;

/// Scheduled backups and their destinations (`Config::backup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Backups are made every `interval_hours` (an admin can always ask for one).
    pub scheduled: bool,
    /// Where backups are written first.
    pub dir: PathBuf,
    /// The off-site folder each backup is copied to.
    pub offsite_dir: Option<PathBuf>,
    pub interval_hours: u32,
    /// Backups older than this are deleted from both folders.
    pub keep_days: u32,
    /// PostgreSQL: where drills may create a scratch database (default: the `postgres`
    /// database of the server backed up).
    pub scratch_url: Option<String>,
}

impl Settings {
    /// The defaults, with backups in `<data_dir>/backups`.
    #[must_use]
    pub fn in_dir(data_dir: &Path) -> Self {
        Self {
            scheduled: true,
            dir: data_dir.join("backups"),
            offsite_dir: None,
            interval_hours: 24,
            keep_days: 30,
            scratch_url: None,
        }
    }

    /// Milliseconds between scheduled backups.
    #[must_use]
    pub fn interval_ms(&self) -> i64 {
        i64::from(self.interval_hours) * 3_600_000
    }

    /// Milliseconds a backup is kept.
    #[must_use]
    pub fn keep_ms(&self) -> i64 {
        i64::from(self.keep_days) * 86_400_000
    }

    /// Where a drill of a PostgreSQL backup may create its scratch database.
    pub fn scratch_admin_url(&self, database_url: &str) -> Result<String, BackupError> {
        match &self.scratch_url {
            Some(url) => Ok(url.clone()),
            None if database_url.starts_with("postgres") => {
                snapshot::with_database(database_url, "postgres")
            }
            None => Err(BackupError::NoScratch),
        }
    }
}

/// Why a backup, a drill or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Format(#[from] format::FormatError),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{tool} failed: {message}")]
    Tool { tool: String, message: String },
    #[error("the restored copy fails its integrity check: {0}")]
    Integrity(String),
    #[error("the restored copy's audit chain does not verify: {0}")]
    Chain(String),
    #[error("the restored copy does not hold what the backup's header says: {0}")]
    Mismatch(String),
    #[error("the restore target is not empty: {0}")]
    NotEmpty(String),
    #[error("a {backup:?} backup cannot be restored into a {target:?} database")]
    WrongDatabase {
        backup: shared::api::system::DatabaseKind,
        target: shared::api::system::DatabaseKind,
    },
    #[error("a PostgreSQL backup is checked in a scratch database: give --backup-scratch-url")]
    NoScratch,
    #[error("the database URL cannot be read")]
    Url,
    #[error("the backup folder's path is not valid UTF-8")]
    Path,
}

/// The file name of a backup made at `at_ms` holding the audit head `seq`/`hash`:
/// `consentry-20261204T020000Z-a1842-3f9c0b1e.backup`.
#[must_use]
pub fn file_name(at_ms: i64, seq: i64, hash: &str) -> String {
    format!(
        "consentry-{}-a{seq}-{}.backup",
        compact_time(at_ms),
        shared::audit::short_hash(hash)
    )
}

/// When the backup named `name` was made (from its name), if it is one of ours.
#[must_use]
pub fn made_at(name: &str) -> Option<i64> {
    let stamp = name.strip_prefix("consentry-")?.get(..16)?;
    if !name.ends_with(".backup") {
        return None;
    }
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = time::PrimitiveDateTime::parse(stamp, &format).ok()?;
    i64::try_from(at.assume_utc().unix_timestamp_nanos() / 1_000_000).ok()
}

fn compact_time(at_ms: i64) -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "00000000T000000Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_time_and_the_head() {
        let at = 1_796_349_600_000; // 2026-12-04T02:00:00Z
        let name = file_name(at, 1842, "sha256:3f9c0b1e99");
        assert_eq!(name, "consentry-20261204T020000Z-a1842-3f9c0b1e.backup");
        assert_eq!(made_at(&name), Some(at));
        assert_eq!(
            made_at("consentry-20261204T020000Z-a1-x.backup.partial"),
            None
        );
        assert_eq!(made_at("notes.txt"), None);
    }
}
