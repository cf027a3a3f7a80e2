//! The newest backups as a table: when and why each was made, its state, size, audit
//! head, records, off-site copy and restore drill, with a line under each row for its
//! file and any error. On a phone each row is a block, each cell under its column's
//! name (`backups.css`).

use leptos::prelude::*;
use shared::api::backups::{BackupDrill, BackupEntry, BackupState, OffsiteState};

use super::summary::{DrillBadge, Size};
use super::{offsite_name, state_name, Current};
use crate::components::console_ui::local_time;
use crate::i18n::{fill, use_i18n, BackupsTexts, I18n};
use shared::audit::short_hash;

/// A row's key: the whole entry, so that a poll rebuilds a row when anything in it
/// changed and keeps it (with its drill's details open) when nothing did.
#[must_use]
fn row_key(backup: &BackupEntry) -> String {
    serde_json::to_string(backup).unwrap_or_else(|_| backup.id.to_string())
}

/// The list of backups, newest first (as the server sends them), or "no backups yet".
#[component]
pub(super) fn BackupsTable(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let backups = Memo::new(move |_| current.read(|s| s.backups.clone()).unwrap_or_default());
    let empty = move || backups.with(Vec::is_empty);
    let column = move |name: fn(&BackupsTexts) -> &'static str, numeric: bool| {
        view! {
            <th scope="col" class:num=numeric>{move || name(&i18n.t().backups)}</th>
        }
    };
    let table = move || {
        view! {
            <div class="table-wrap">
                <table class="table backups-table" data-testid="backups-table">
                    <thead>
                        <tr>
                            {column(|t| t.col_started, false)}
                            {column(|t| t.col_trigger, false)}
                            {column(|t| t.col_state, false)}
                            {column(|t| t.col_size, true)}
                            {column(|t| t.col_audit, false)}
                            {column(|t| t.col_records, true)}
                            {column(|t| t.col_offsite, false)}
                            {column(|t| t.col_drill, false)}
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || backups.get()
                            key=row_key
                            children=move |backup| view! { <BackupRow backup /> }
                        />
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        <section class="card backups-list" aria-labelledby="backups-list-heading">
            <h2 id="backups-list-heading" class="small-heading">
                {move || i18n.t().backups.list_heading}
            </h2>
            <Show when=empty fallback=table>
                <p class="muted" data-testid="backups-empty">
                    {move || i18n.t().backups.list_empty}
                </p>
            </Show>
        </section>
    }
}

/// A cell's column name, which a phone shows above the cell's content.
fn label(i18n: I18n, name: fn(&BackupsTexts) -> &'static str) -> impl Fn() -> &'static str {
    move || name(&i18n.t().backups)
}

/// Why a backup failed and why its off-site copy did (a copy still pending after a
/// failed attempt says why too), each when there is something to say.
#[must_use]
fn errors_of(backup: &BackupEntry) -> (Option<String>, Option<String>) {
    let said = |e: &Option<String>| e.clone().filter(|e| !e.trim().is_empty());
    let offsite = match backup.offsite {
        OffsiteState::Pending | OffsiteState::Failed => said(&backup.offsite_error),
        OffsiteState::Copied | OffsiteState::NotConfigured => None,
    };
    (said(&backup.error), offsite)
}

/// Whether a backup's counts mean something: one being made or that failed holds none.
#[must_use]
const fn has_counts(state: BackupState) -> bool {
    matches!(state, BackupState::Done | BackupState::Expired)
}

/// One backup, and under it, across the table, its file and why it or its off-site
/// copy failed.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn BackupRow(backup: BackupEntry) -> impl IntoView {
    let i18n = use_i18n();
    let started = backup.started_at_ms;
    let trigger = backup.trigger;
    let by = backup.requested_by_name.clone();
    let drill_state = match &backup.drill {
        None => "none",
        Some(d) if d.passed => "passed",
        Some(_) => "failed",
    };
    let size = (backup.size_bytes > 0).then_some(backup.size_bytes);
    let records = has_counts(backup.state).then(|| backup.counts.records.to_string());
    let (error, offsite_error) = errors_of(&backup);
    view! {
        <tr
            class="backups-row"
            data-testid="backups-row"
            data-id=backup.id.to_string()
            data-state=state_name(backup.state)
            data-offsite=offsite_name(backup.offsite)
            data-drill=drill_state
        >
            <td data-label=label(i18n, |t| t.col_started)>
                {move || local_time(started, i18n.locale().tag())}
            </td>
            <td data-label=label(i18n, |t| t.col_trigger)>
                {move || i18n.t().backups.trigger(trigger, by.as_deref())}
            </td>
            <td data-label=label(i18n, |t| t.col_state)>{state_cell(i18n, &backup)}</td>
            <td class="num" data-label=label(i18n, |t| t.col_size)>
                {size.map_or_else(|| "—".into_any(), |bytes| view! { <Size bytes /> }.into_any())}
            </td>
            <td data-label=label(i18n, |t| t.col_audit)>
                {audit_head(backup.audit_seq, &backup.audit_head)}
            </td>
            <td class="num" data-label=label(i18n, |t| t.col_records)>
                {records.unwrap_or_else(|| "—".to_owned())}
            </td>
            <td data-label=label(i18n, |t| t.col_offsite)>{offsite_cell(i18n, &backup)}</td>
            <td data-label=label(i18n, |t| t.col_drill)>{drill_cell(i18n, backup.drill.clone())}</td>
        </tr>
        <tr class="backups-detail-row" data-testid="backups-row-detail">
            <td colspan="8">
                <p class="backups-file-line">
                    <span class="muted">{move || i18n.t().backups.label_file}</span>
                    " "
                    <code class="backups-file">{backup.file_name.clone()}</code>
                </p>
                {error.map(|error| view! {
                    <p class="backups-error" data-testid="backups-error-text">
                        <strong>{move || i18n.t().backups.error_label}</strong>
                        {error}
                    </p>
                })}
                {offsite_error.map(|error| view! {
                    <p class="backups-error" data-testid="backups-offsite-error">
                        <strong>{move || i18n.t().backups.offsite_error_label}</strong>
                        {error}
                    </p>
                })}
            </td>
        </tr>
    }
}

/// The state as a badge (an icon and a word, its border style differing too), and when
/// an expired backup was removed.
fn state_cell(i18n: I18n, backup: &BackupEntry) -> impl IntoView {
    let state = backup.state;
    let icon = match state {
        BackupState::Running => "⟳ ",
        BackupState::Done => "✓ ",
        BackupState::Failed => "✗ ",
        BackupState::Expired => "⌫ ",
    };
    let expired = backup.expired_at_ms;
    // One element, so that a phone shows it beside the column's name.
    view! {
        <div>
            <span class=format!("badge backups-badge backups-badge-{}", state_name(state))>
                <span aria-hidden="true">{icon}</span>
                {move || i18n.t().backups.state(state)}
            </span>
            {expired.map(|at| view! {
                <p class="backups-note">
                    {move || fill(
                        i18n.t().backups.expired_at,
                        &[("time", &local_time(at, i18n.locale().tag()))],
                    )}
                </p>
            })}
        </div>
    }
}

/// The newest audit entry a backup holds: its number and the first characters of its
/// hash (the whole hash as the tooltip); a dash when it holds none.
fn audit_head(seq: i64, hash: &str) -> impl IntoView {
    if hash.is_empty() {
        return "—".into_any();
    }
    view! {
        <span class="backups-head">
            {format!("#{seq} ")}
            <code title=hash.to_owned() data-audit-head=hash.to_owned()>{short_hash(hash).to_owned()}</code>
        </span>
    }
    .into_any()
}

/// The off-site copy: copied when, pending until when, failed after how many attempts
/// (why is under the row), or no destination configured.
fn offsite_cell(i18n: I18n, backup: &BackupEntry) -> impl IntoView {
    let state = backup.offsite;
    let copied = backup.offsite_at_ms;
    let attempts = backup.offsite_attempts;
    let next = backup.next_attempt_at_ms;
    let (class, icon) = match state {
        OffsiteState::Copied => ("backups-offsite backups-offsite-copied", "✓ "),
        OffsiteState::Pending => ("backups-offsite backups-offsite-pending", "… "),
        OffsiteState::Failed => ("backups-offsite backups-offsite-failed", "✗ "),
        OffsiteState::NotConfigured => ("backups-offsite muted", ""),
    };
    let words = move || {
        let tag = i18n.locale().tag();
        let copied = copied.map(|at| local_time(at, tag));
        let next = next.map(|at| local_time(at, tag));
        i18n.t()
            .backups
            .offsite(state, copied.as_deref(), attempts, next.as_deref())
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{icon}</span>
            {words}
        </span>
    }
}

/// The restore drill: "not run", or its outcome, which opens on what it found, when,
/// how long it took and what the restored copy holds.
fn drill_cell(i18n: I18n, drill: Option<BackupDrill>) -> impl IntoView {
    let Some(drill) = drill else {
        return view! {
            <span class="muted">{move || i18n.t().backups.drill_not_run}</span>
        }
        .into_any();
    };
    let BackupDrill {
        at_ms,
        passed,
        message,
        counts,
        took_ms,
    } = drill;
    let when = move || {
        let t = &i18n.t().backups;
        fill(
            t.drill_when,
            &[
                ("time", &local_time(at_ms, i18n.locale().tag())),
                ("took", &t.duration(took_ms)),
            ],
        )
    };
    let counts = counts.map(|counts| {
        view! {
            <p class="backups-note">
                {move || i18n.t().backups.drill_counts_words(&counts)}
            </p>
        }
    });
    view! {
        <details class="backups-drill" data-testid="backups-drill">
            <summary title=message.clone()>
                <DrillBadge passed />
            </summary>
            <p class="backups-note">{when}</p>
            <p class="backups-message">{message}</p>
            {counts}
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::backups::{BackupCounts, BackupTrigger};
    use shared::api::system::DatabaseKind;
    use shared::ids::BackupId;

    fn entry() -> BackupEntry {
        BackupEntry {
            id: BackupId::from_random_bytes([4; 16]),
            state: BackupState::Running,
            trigger: BackupTrigger::Manual,
            requested_by_name: Some("Wang Admin".to_owned()),
            file_name: "consentry-20261204T020000Z-a1842-3f9c0b1e.backup".to_owned(),
            database: DatabaseKind::Sqlite,
            started_at_ms: 1_796_349_600_000,
            finished_at_ms: None,
            size_bytes: 0,
            sha256: String::new(),
            audit_seq: 1842,
            audit_head: "3f9c0b1e".repeat(8),
            counts: BackupCounts::default(),
            error: None,
            offsite: OffsiteState::Pending,
            offsite_at_ms: None,
            offsite_attempts: 0,
            offsite_error: None,
            next_attempt_at_ms: None,
            drill: None,
            expired_at_ms: None,
        }
    }

    #[test]
    fn a_row_is_rebuilt_when_its_backup_changes_and_kept_when_not() {
        let running = entry();
        assert_eq!(row_key(&running), row_key(&entry()));
        let mut done = entry();
        done.state = BackupState::Done;
        assert_ne!(row_key(&running), row_key(&done));
        let mut drilled = done.clone();
        drilled.drill = Some(BackupDrill {
            at_ms: 1_796_349_700_000,
            passed: true,
            message: "restored and checked".to_owned(),
            counts: None,
            took_ms: 850,
        });
        assert_ne!(row_key(&done), row_key(&drilled));
        let mut other = entry();
        other.id = BackupId::from_random_bytes([5; 16]);
        assert_ne!(row_key(&running), row_key(&other));
    }

    #[test]
    fn errors_show_under_a_row_when_there_is_something_to_say() {
        assert_eq!(errors_of(&entry()), (None, None));
        let mut failed = entry();
        failed.state = BackupState::Failed;
        failed.error = Some("No space left on device".to_owned());
        failed.offsite = OffsiteState::NotConfigured;
        failed.offsite_error = Some("left over".to_owned());
        assert_eq!(
            errors_of(&failed),
            (Some("No space left on device".to_owned()), None)
        );
        let mut pending = entry();
        pending.offsite_error = Some("Permission denied".to_owned());
        assert_eq!(
            errors_of(&pending),
            (None, Some("Permission denied".to_owned()))
        );
        // A copy that succeeded in the end no longer says why an attempt failed.
        pending.offsite = OffsiteState::Copied;
        assert_eq!(errors_of(&pending), (None, None));
        let mut blank = entry();
        blank.error = Some("  ".to_owned());
        blank.offsite = OffsiteState::Failed;
        blank.offsite_error = Some(String::new());
        assert_eq!(errors_of(&blank), (None, None));
    }

    #[test]
    fn only_a_made_backup_has_counts() {
        assert!(has_counts(BackupState::Done));
        assert!(has_counts(BackupState::Expired));
        assert!(!has_counts(BackupState::Running));
        assert!(!has_counts(BackupState::Failed));
    }
}
