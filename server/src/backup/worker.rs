//! Each replica's backup worker: wakes every few seconds (or when an admin asks for a
//! backup), deletes expired files from its own folders, and, when something is due,
//! takes the database lease `backup` so that one replica acts: it makes the backup
//! due, retries off-site copies and expires old backups. A replica that dies holding
//! the lease loses it after `LEASE_MS`; another then marks what it left half made as
//! failed and carries on.

use std::time::Duration;

use shared::api::backups::{BackupEntry, OffsiteState};
use tokio::sync::Notify;

use super::service;
use crate::{
    error::AppResult,
    state::AppState,
    store::{
        self,
        retention::{keep_lease, release_lease, take_lease},
    },
};

const LEASE: &str = "backup";
/// How long the lease lasts without renewal; renewed every `LEASE_MS / 4` while work
/// goes on, so only a dead holder loses it.
const LEASE_MS: i64 = 120_000;

/// This replica's part in backups.
#[derive(Debug)]
pub struct Backups {
    /// Who this replica is in the lease table.
    pub holder: String,
    wake: Notify,
}

impl Default for Backups {
    fn default() -> Self {
        Self {
            holder: uuid::Uuid::new_v4().to_string(),
            wake: Notify::new(),
        }
    }
}

impl Backups {
    /// Makes the worker look now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Starts the worker; it runs until aborted.
#[must_use]
pub fn spawn(state: AppState, tick: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(tick) => {}
                () = state.backups.wake.notified() => {}
            }
            service::sweep(&state.config.backup, state.clock.now_ms());
            if let Err(e) = turn(&state).await {
                tracing::warn!(error = %e, "backup turn failed; it is tried again");
            }
        }
    })
}

/// One look: does what is due if this replica gets the lease. True when it acted.
pub async fn turn(state: &AppState) -> AppResult<bool> {
    let settings = &state.config.backup;
    let now = state.clock.now_ms();
    let request = state.db.waiting_backup_request().await?;
    let scheduled = settings.scheduled
        && match state.db.last_backup_attempt().await? {
            None => true,
            Some((at, made)) => {
                let wait = if made {
                    settings.interval_ms()
                } else {
                    settings.interval_ms().min(3_600_000)
                };
                now >= at + wait
            }
        };
    let done = state.db.backups_in("done").await?;
    let offsite_due = done.iter().any(|r| {
        r.entry.offsite == OffsiteState::Pending
            && r.entry.next_attempt_at_ms.is_some_and(|at| at <= now)
    });
    let expiry_due = done
        .iter()
        .any(|r| r.entry.started_at_ms <= now - settings.keep_ms());
    let stale = !state.db.backups_in("running").await?.is_empty();
    if request.is_none() && !scheduled && !offsite_due && !expiry_due && !stale {
        return Ok(false);
    }
    let holder = state.backups.holder.clone();
    {
        let mut conn = state.db.pool().acquire().await?;
        let real_now = store::now_ms();
        if !take_lease(&mut conn, LEASE, &holder, real_now, real_now + LEASE_MS).await? {
            return Ok(false);
        }
    }
    let keeper = keep_alive(state.clone(), holder.clone());
    let result = async {
        // Holding the lease, anything still running was left by a server that died.
        service::abandon_stale(state).await?;
        if let Some(id) = request {
            service::make(state, Some(id)).await?;
        } else if scheduled {
            service::make(state, None).await?;
        }
        service::retry_offsite(state).await?;
        service::expire(state).await?;
        AppResult::Ok(())
    }
    .await;
    keeper.abort();
    if let Err(e) = release_lease(&state.db, LEASE, &holder).await {
        tracing::warn!(error = %e, "backup: lease not released");
    }
    result.map(|()| true)
}

/// Renews the lease while the work goes on.
fn keep_alive(state: AppState, holder: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let period = Duration::from_millis(u64::try_from(LEASE_MS / 4).unwrap_or(30_000));
        loop {
            tokio::time::sleep(period).await;
            let kept = async {
                let mut conn = state.db.pool().acquire().await?;
                keep_lease(&mut conn, LEASE, &holder, store::now_ms() + LEASE_MS).await
            }
            .await;
            if !matches!(kept, Ok(true)) {
                tracing::warn!("backup: the lease could not be renewed");
            }
        }
    })
}

/// The payload sent to the alerts' webhook when a backup needs attention.
#[derive(Debug, serde::Serialize)]
struct BackupNotice<'a> {
    /// Always `backup_problem`, to tell it from an alert.
    event: &'static str,
    message: &'a str,
    backup: &'a BackupEntry,
    console_path: &'static str,
}

/// Sends `message` about `backup` to the alerts' webhook and e-mail recipients; false
/// when none is configured.
pub(super) async fn send_notice(
    state: &AppState,
    backup: &BackupEntry,
    message: &str,
) -> Result<bool, String> {
    use crate::alerts::delivery::{post, send_mail, ATTEMPT_TIMEOUT};
    let alerts = crate::alerts::settings::settings(state)
        .await
        .map_err(|e| e.to_string())?;
    let mut sent = false;
    if let Some(url) = &alerts.webhook_url {
        let secret = crate::alerts::settings::webhook_secret(state)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no webhook secret is set")?;
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let notice = BackupNotice {
            event: "backup_problem",
            message,
            backup,
            console_path: "/backups",
        };
        post(&client, url, &secret, &notice, state.clock.now_ms()).await?;
        sent = true;
    }
    if !alerts.email_to.is_empty() && state.config.smtp.is_some() {
        send_mail(
            state,
            &alerts.email_to,
            "Consentry: a backup needs attention".to_owned(),
            format!("{message}\n\nSee the Backups page of the console."),
        )
        .await?;
        sent = true;
    }
    Ok(sent)
}
