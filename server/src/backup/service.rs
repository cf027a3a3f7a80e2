//! Making a backup, copying it off site, drilling it, expiring old ones, and the
//! status the console shows.

use std::{
    io::Read as _,
    path::{Path, PathBuf},
};

use sha2::{Digest as _, Sha256};
use shared::{
    api::backups::{
        BackupDrill, BackupEntry, BackupProblem, BackupState, BackupStatus, BackupTrigger,
        OffsiteState,
    },
    ids::BackupId,
};

use super::{file_name, format, inspect, snapshot, BackupError, Settings};
use crate::{
    alerts::delivery::after_failure,
    audit::{self, Event},
    error::AppResult,
    extract::Origin,
    state::AppState,
    store::backups::BackupRow,
};

/// Makes a backup now (the caller holds the lease): snapshot, encrypt, copy off site,
/// drill. `request`: the admin's request being carried out.
pub async fn make(state: &AppState, request: Option<BackupId>) -> AppResult<BackupRow> {
    let settings = &state.config.backup;
    let now = state.clock.now_ms();
    let mut row = BackupRow {
        entry: BackupEntry {
            id: request.unwrap_or_else(|| BackupId::from_uuid(uuid::Uuid::now_v7())),
            state: BackupState::Running,
            trigger: if request.is_some() {
                BackupTrigger::Manual
            } else {
                BackupTrigger::Schedule
            },
            requested_by_name: None,
            file_name: String::new(),
            database: state.db.kind(),
            started_at_ms: now,
            finished_at_ms: None,
            size_bytes: 0,
            sha256: String::new(),
            audit_seq: 0,
            audit_head: String::new(),
            counts: shared::api::backups::BackupCounts::default(),
            error: None,
            offsite: OffsiteState::NotConfigured,
            offsite_at_ms: None,
            offsite_attempts: 0,
            offsite_error: None,
            next_attempt_at_ms: None,
            drill: None,
            expired_at_ms: None,
        },
        local_dir: settings.dir.display().to_string(),
        alerted: false,
    };
    state.db.start_backup(&row, request.is_some()).await?;
    match write_backup(state, &mut row).await {
        Ok(path) => {
            row.entry.state = BackupState::Done;
            row.entry.finished_at_ms = Some(state.clock.now_ms());
            if settings.offsite_dir.is_some() {
                row.entry.offsite = OffsiteState::Pending;
                copy_offsite(state, &mut row, &path).await;
            }
            // The row shows the backup done once its drill has run too.
            drill(state, &mut row, &path).await;
            state.db.update_backup(&row).await?;
            record_event(state, "backup.made", &row).await?;
        }
        Err(e) => {
            tracing::warn!(backup = %row.entry.id, error = %e, "backup failed");
            row.entry.state = BackupState::Failed;
            row.entry.finished_at_ms = Some(state.clock.now_ms());
            row.entry.error = Some(clip(&e.to_string()));
            state.db.update_backup(&row).await?;
            record_event(state, "backup.failed", &row).await?;
        }
    }
    if needs_alert(&row) {
        notify(state, &mut row).await;
        state.db.update_backup(&row).await?;
    }
    Ok(row)
}

/// Takes the snapshot and writes the encrypted file; returns its path.
async fn write_backup(state: &AppState, row: &mut BackupRow) -> Result<PathBuf, BackupError> {
    let dir = state.config.backup.dir.clone();
    create_private_dir(&dir)?;
    let plain = dir.join(format!(".snapshot-{}", row.entry.id));
    let _ = std::fs::remove_file(&plain);
    let written = async {
        let contents = snapshot::take(&state.db, &state.config.database_url, &plain).await?;
        let name = file_name(
            row.entry.started_at_ms,
            contents.audit_seq,
            &contents.audit_head,
        );
        let path = dir.join(&name);
        let header = format::Header {
            format: 1,
            id: row.entry.id.to_string(),
            created_at_ms: row.entry.started_at_ms,
            database: state.db.kind(),
            content: match state.db.kind() {
                shared::api::system::DatabaseKind::Sqlite => "sqlite",
                shared::api::system::DatabaseKind::Postgres => "pg_dump",
            }
            .to_owned(),
            audit_seq: contents.audit_seq,
            audit_head: contents.audit_head.clone(),
            counts: contents.counts.clone(),
            server_version: env!("CARGO_PKG_VERSION").to_owned(),
            master_key_id: String::new(),
            wrapped_key: String::new(),
            nonce_prefix: String::new(),
        };
        let master = state.master.clone();
        let (source, target) = (plain.clone(), path.clone());
        let (size, sha) = tokio::task::spawn_blocking(move || {
            let partial = snapshot::partial(&target);
            let _ = std::fs::remove_file(&partial);
            let sealed = (|| -> Result<(i64, String), BackupError> {
                let mut input = std::io::BufReader::new(std::fs::File::open(&source)?);
                let mut output = Hashing::new(inspect::create_private(&partial)?);
                format::seal(header, master.as_ref(), &mut input, &mut output)?;
                let (file, size, sha) = output.finish()?;
                file.sync_all()?;
                std::fs::rename(&partial, &target)?;
                Ok((size, sha))
            })();
            if sealed.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            sealed
        })
        .await
        .map_err(|e| BackupError::Io(std::io::Error::other(e)))??;
        row.entry.file_name = name;
        row.entry.size_bytes = size;
        row.entry.sha256 = sha;
        row.entry.audit_seq = contents.audit_seq;
        row.entry.audit_head = contents.audit_head;
        row.entry.counts = contents.counts;
        Ok(path)
    }
    .await;
    inspect::remove_sqlite_files(&plain);
    written
}

/// A writer that counts and hashes what goes through it.
struct Hashing {
    file: std::io::BufWriter<std::fs::File>,
    hash: Sha256,
    size: i64,
}

impl Hashing {
    fn new(file: std::fs::File) -> Self {
        Self {
            file: std::io::BufWriter::new(file),
            hash: Sha256::new(),
            size: 0,
        }
    }

    fn finish(self) -> std::io::Result<(std::fs::File, i64, String)> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok((file, self.size, hex::encode(self.hash.finalize())))
    }
}

impl std::io::Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += i64::try_from(n).unwrap_or(0);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Copies the backup at `path` to the off-site folder and reads the copy back; the
/// row says how it went and when to try again.
pub async fn copy_offsite(state: &AppState, row: &mut BackupRow, path: &Path) {
    let Some(offsite) = state.config.backup.offsite_dir.clone() else {
        row.entry.offsite = OffsiteState::NotConfigured;
        return;
    };
    let (source, name, sha) = (
        path.to_owned(),
        row.entry.file_name.clone(),
        row.entry.sha256.clone(),
    );
    let copied = tokio::task::spawn_blocking(move || copy_checked(&source, &offsite, &name, &sha))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    row.entry.offsite_attempts += 1;
    match copied {
        Ok(()) => {
            row.entry.offsite = OffsiteState::Copied;
            row.entry.offsite_at_ms = Some(state.clock.now_ms());
            row.entry.offsite_error = None;
            row.entry.next_attempt_at_ms = None;
        }
        Err(e) => {
            tracing::warn!(backup = %row.entry.id, error = %e, "off-site copy failed");
            let attempts = usize::try_from(row.entry.offsite_attempts - 1).unwrap_or(usize::MAX);
            let (status, next, why) =
                after_failure(state.clock.now_ms(), attempts, &format!("{e}"));
            row.entry.offsite = if status == "failed" {
                OffsiteState::Failed
            } else {
                OffsiteState::Pending
            };
            row.entry.offsite_error = Some(why);
            row.entry.next_attempt_at_ms = next;
        }
    }
}

fn copy_checked(source: &Path, dir: &Path, name: &str, sha: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let target = dir.join(name);
    let partial = snapshot::partial(&target);
    let _ = std::fs::remove_file(&partial);
    let copied = (|| {
        let mut input = std::fs::File::open(source)?;
        let mut output = inspect::create_private(&partial)?;
        std::io::copy(&mut input, &mut output)?;
        output.sync_all()?;
        std::fs::rename(&partial, &target)?;
        // Read back what the destination holds now.
        let mut back = std::fs::File::open(&target)?;
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = back.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
        if hex::encode(hash.finalize()) != sha {
            return Err(std::io::Error::other(
                "the copy read back differs from the backup",
            ));
        }
        Ok(())
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    copied
}

/// The restore drill of the backup at `path`, recorded on its row.
async fn drill(state: &AppState, row: &mut BackupRow, path: &Path) {
    let started = std::time::Instant::now();
    let settings = state.config.backup.clone();
    let url = state.config.database_url.clone();
    let verified = inspect::verify_file(path, state.master.clone(), None, &settings.dir, || {
        settings.scratch_admin_url(&url)
    })
    .await;
    let took_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    row.entry.drill = Some(match verified {
        Ok(v) => BackupDrill {
            at_ms: state.clock.now_ms(),
            passed: true,
            message: v.summary(),
            counts: Some(v.contents.counts),
            took_ms,
        },
        Err(e) => BackupDrill {
            at_ms: state.clock.now_ms(),
            passed: false,
            message: clip(&e.to_string()),
            counts: None,
            took_ms,
        },
    });
}

/// Copies again the backups whose off-site copy is due for another attempt.
pub async fn retry_offsite(state: &AppState) -> AppResult<()> {
    let now = state.clock.now_ms();
    for mut row in state.db.backups_in("done").await? {
        let due = row.entry.offsite == OffsiteState::Pending
            && row.entry.next_attempt_at_ms.is_some_and(|at| at <= now);
        if !due {
            continue;
        }
        let path = PathBuf::from(&row.local_dir).join(&row.entry.file_name);
        copy_offsite(state, &mut row, &path).await;
        state.db.update_backup(&row).await?;
        if needs_alert(&row) {
            notify(state, &mut row).await;
            state.db.update_backup(&row).await?;
        }
    }
    Ok(())
}

/// Marks backups past the retention period expired and deletes their files from both
/// folders.
pub async fn expire(state: &AppState) -> AppResult<()> {
    let settings = &state.config.backup;
    let now = state.clock.now_ms();
    for state_name in ["done", "failed"] {
        for mut row in state.db.backups_in(state_name).await? {
            if row.entry.started_at_ms > now - settings.keep_ms()
                || row.entry.expired_at_ms.is_some()
            {
                continue;
            }
            if !row.entry.file_name.is_empty() {
                let _ =
                    std::fs::remove_file(PathBuf::from(&row.local_dir).join(&row.entry.file_name));
                if let Some(offsite) = &settings.offsite_dir {
                    let _ = std::fs::remove_file(offsite.join(&row.entry.file_name));
                }
            }
            if row.entry.state == BackupState::Done {
                row.entry.state = BackupState::Expired;
                row.entry.expired_at_ms = Some(now);
                state.db.update_backup(&row).await?;
                record_event(state, "backup.expired", &row).await?;
            } else {
                row.entry.expired_at_ms = Some(now);
                state.db.update_backup(&row).await?;
            }
        }
    }
    sweep(settings, now);
    Ok(())
}

/// Deletes backup files older than the retention period from this server's folders,
/// whether or not the database knows them (a backup made before a restore, say).
pub fn sweep(settings: &Settings, now_ms: i64) {
    let dirs = std::iter::once(&settings.dir).chain(settings.offsite_dir.as_ref());
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(made) = name.to_str().and_then(super::made_at) else {
                continue;
            };
            if made <= now_ms - settings.keep_ms() {
                if let Err(e) = std::fs::remove_file(entry.path()) {
                    tracing::warn!(file = %entry.path().display(), error = %e, "an expired backup was not deleted");
                }
            }
        }
    }
}

/// Rows left `running` by a server that stopped while making them.
pub async fn abandon_stale(state: &AppState) -> AppResult<()> {
    for mut row in state.db.backups_in("running").await? {
        row.entry.state = BackupState::Failed;
        row.entry.finished_at_ms = Some(state.clock.now_ms());
        row.entry.error = Some("the server making it stopped before it finished".to_owned());
        state.db.update_backup(&row).await?;
    }
    Ok(())
}

fn needs_alert(row: &BackupRow) -> bool {
    !row.alerted
        && (row.entry.state == BackupState::Failed
            || row.entry.offsite_error.is_some()
            || row.entry.drill.as_ref().is_some_and(|d| !d.passed))
}

/// Tells the alerts' webhook and e-mail recipients that a backup needs attention
/// (once per backup).
async fn notify(state: &AppState, row: &mut BackupRow) {
    let what = if row.entry.state == BackupState::Failed {
        format!(
            "Backup {} failed: {}",
            row.entry.id,
            row.entry.error.as_deref().unwrap_or("")
        )
    } else if let Some(drill) = row.entry.drill.as_ref().filter(|d| !d.passed) {
        format!(
            "The restore drill of backup {} failed: {}",
            row.entry.file_name, drill.message
        )
    } else {
        format!(
            "The off-site copy of backup {} failed (attempt {}): {}",
            row.entry.file_name,
            row.entry.offsite_attempts,
            row.entry.offsite_error.as_deref().unwrap_or("")
        )
    };
    match super::worker::send_notice(state, &row.entry, &what).await {
        Ok(sent) => row.alerted = sent,
        Err(e) => tracing::warn!(error = %e, "the backup alert was not sent"),
    }
}

async fn record_event(state: &AppState, action: &'static str, row: &BackupRow) -> AppResult<()> {
    let mut tx = state.db.begin_write().await?;
    audit::record(
        &mut tx,
        &Origin::default(),
        Event::new(action, None)
            .target("backup", row.entry.id)
            .details(serde_json::json!({
                "backup_id": row.entry.id,
                "file": row.entry.file_name,
                "audit_seq": row.entry.audit_seq,
                "sha256": row.entry.sha256,
                "offsite": row.entry.offsite,
                "drill_passed": row.entry.drill.as_ref().map(|d| d.passed),
                "error": row.entry.error,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The console's view: settings, the last backup, off-site copy and drill, problems.
pub async fn status(state: &AppState) -> AppResult<BackupStatus> {
    let settings = &state.config.backup;
    let now = state.clock.now_ms();
    let rows = state.db.backups(60).await?;
    let requested = state.db.waiting_backup_request().await?.is_some();
    let running = rows.iter().any(|r| r.entry.state == BackupState::Running);
    let done = |r: &&BackupRow| r.entry.state == BackupState::Done;
    let last_backup = rows.iter().find(done).map(|r| r.entry.clone());
    let last_offsite = rows
        .iter()
        .find(|r| r.entry.offsite == OffsiteState::Copied)
        .map(|r| r.entry.clone());
    let last_drill = rows
        .iter()
        .find(|r| r.entry.drill.is_some())
        .map(|r| r.entry.clone());
    let newest_finished = rows
        .iter()
        .find(|r| matches!(r.entry.state, BackupState::Done | BackupState::Failed));
    let last_attempt = state.db.last_backup_attempt().await?;
    let next_due_at_ms = settings.scheduled.then(|| match last_attempt {
        None => now,
        Some((at, true)) => at + settings.interval_ms(),
        Some((at, false)) => at + settings.interval_ms().min(3_600_000),
    });
    let mut problems = Vec::new();
    if !settings.scheduled {
        problems.push(BackupProblem::NotScheduled);
    }
    if settings.offsite_dir.is_none() {
        problems.push(BackupProblem::NoOffsite);
    }
    let overdue = last_backup
        .as_ref()
        .is_none_or(|b| b.started_at_ms + settings.interval_ms() + 3_600_000 < now);
    if settings.scheduled && overdue {
        problems.push(BackupProblem::Overdue);
    }
    if newest_finished.is_some_and(|r| r.entry.state == BackupState::Failed) {
        problems.push(BackupProblem::LastFailed);
    }
    if last_backup.as_ref().is_some_and(|b| {
        b.offsite == OffsiteState::Failed
            || (b.offsite == OffsiteState::Pending && b.offsite_error.is_some())
    }) {
        problems.push(BackupProblem::OffsiteFailing);
    }
    if last_drill
        .as_ref()
        .and_then(|b| b.drill.as_ref())
        .is_some_and(|d| !d.passed)
    {
        problems.push(BackupProblem::DrillFailed);
    }
    Ok(BackupStatus {
        scheduled: settings.scheduled,
        interval_hours: settings.interval_hours,
        keep_days: settings.keep_days,
        local_dir: settings.dir.display().to_string(),
        offsite: settings
            .offsite_dir
            .as_ref()
            .map(|d| d.display().to_string()),
        next_due_at_ms,
        running,
        requested,
        last_backup,
        last_offsite,
        last_drill,
        problems,
        backups: rows.into_iter().map(|r| r.entry).collect(),
    })
}

/// Creates the backup folder readable by this server's user only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn clip(text: &str) -> String {
    text.chars().take(500).collect()
}
