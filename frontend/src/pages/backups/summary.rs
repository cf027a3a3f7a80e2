//! The three cards at the top (the last backup, the last off-site copy and the last
//! restore drill, each saying "never" when there is none) and the settings: schedule,
//! how long backups are kept, where they go, and when the next one is due.

use leptos::prelude::*;
use shared::api::backups::BackupDrill;

use super::{size_words, Current};
use crate::components::console_ui::local_time;
use crate::i18n::{fill, use_i18n, BackupsTexts};

/// The last backup, off-site copy and restore drill, side by side (stacked on a phone).
#[component]
pub(super) fn StatusCards(current: Current) -> impl IntoView {
    view! {
        <div class="backups-cards">
            <LastBackupCard current />
            <LastOffsiteCard current />
            <LastDrillCard current />
        </div>
    }
}

/// One fact of a card: a label and what it says.
#[component]
fn Fact(label: fn(&BackupsTexts) -> &'static str, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div>
            <dt>{move || label(&i18n.t().backups)}</dt>
            <dd>{children()}</dd>
        </div>
    }
}

/// A size, with the exact number of bytes as its tooltip.
#[component]
pub(super) fn Size(bytes: i64) -> impl IntoView {
    let i18n = use_i18n();
    let exact = move || fill(i18n.t().backups.bytes, &[("n", &bytes.to_string())]);
    view! {
        <span class="backups-size" title=exact data-bytes=bytes.to_string()>
            {size_words(bytes)}
        </span>
    }
}

/// "Never" (or another word for nothing yet) in a card.
#[component]
fn Nothing(words: fn(&BackupsTexts) -> &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="backups-never">{move || words(&i18n.t().backups)}</p> }
}

/// The newest backup made: when, how big, how many audit entries it holds, its file.
#[component]
fn LastBackupCard(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let last = Memo::new(move |_| current.read(|s| s.last_backup.clone()).flatten());
    let body = move || match last.get() {
        None => view! { <Nothing words=|t| t.never /> }.into_any(),
        Some(backup) => {
            let made = backup.finished_at_ms.unwrap_or(backup.started_at_ms);
            view! {
                <dl class="facts backups-facts">
                    <Fact label=|t| t.label_made>
                        {move || local_time(made, i18n.locale().tag())}
                    </Fact>
                    <Fact label=|t| t.label_size>
                        <Size bytes=backup.size_bytes />
                    </Fact>
                    <Fact label=|t| t.label_audit_entries>
                        {backup.counts.audit_entries.to_string()}
                    </Fact>
                    <Fact label=|t| t.label_file>
                        <code class="backups-file">{backup.file_name.clone()}</code>
                    </Fact>
                </dl>
            }
            .into_any()
        }
    };
    let state = move || {
        if last.with(Option::is_some) {
            "done"
        } else {
            "never"
        }
    };
    view! {
        <section
            class="card backups-card"
            aria-labelledby="backups-last-heading"
            data-testid="backups-last-backup"
            data-state=state
        >
            <h2 id="backups-last-heading" class="small-heading">
                {move || i18n.t().backups.last_backup_heading}
            </h2>
            {body}
        </section>
    }
}

/// The newest backup copied off-site, "none yet", or a warning that no off-site
/// destination is configured.
#[component]
fn LastOffsiteCard(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let configured = Memo::new(move |_| current.read(|s| s.offsite.is_some()).unwrap_or(false));
    let last = Memo::new(move |_| current.read(|s| s.last_offsite.clone()).flatten());
    let body = move || {
        if !configured.get() {
            return view! {
                <p class="alert alert-warning backups-card-warning" data-testid="backups-no-offsite">
                    <span aria-hidden="true">"⚠ "</span>
                    {move || i18n.t().backups.no_offsite}
                </p>
            }
            .into_any();
        }
        match last.get() {
            None => view! { <Nothing words=|t| t.none_yet /> }.into_any(),
            Some(backup) => {
                let copied = backup.offsite_at_ms;
                view! {
                    <dl class="facts backups-facts">
                        <Fact label=|t| t.label_copied>
                            {move || copied.map(|at| local_time(at, i18n.locale().tag()))}
                        </Fact>
                        <Fact label=|t| t.label_size>
                            <Size bytes=backup.size_bytes />
                        </Fact>
                        <Fact label=|t| t.label_file>
                            <code class="backups-file">{backup.file_name.clone()}</code>
                        </Fact>
                    </dl>
                }
                .into_any()
            }
        }
    };
    let state = move || match (configured.get(), last.with(Option::is_some)) {
        (false, _) => "not_configured",
        (true, false) => "never",
        (true, true) => "copied",
    };
    view! {
        <section
            class="card backups-card"
            aria-labelledby="backups-offsite-heading"
            data-testid="backups-last-offsite"
            data-state=state
        >
            <h2 id="backups-offsite-heading" class="small-heading">
                {move || i18n.t().backups.last_offsite_heading}
            </h2>
            {body}
        </section>
    }
}

/// The newest restore drill: when, passed or failed, what it found and how long it
/// took.
#[component]
fn LastDrillCard(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let last = Memo::new(move |_| {
        current
            .read(|s| {
                s.last_drill
                    .as_ref()
                    .and_then(|b| b.drill.clone().map(|d| (d, b.file_name.clone())))
            })
            .flatten()
    });
    let body = move || match last.get() {
        None => view! { <Nothing words=|t| t.never /> }.into_any(),
        Some((drill, file)) => view! { <DrillFacts drill file /> }.into_any(),
    };
    let state = move || {
        last.with(|d| match d {
            None => "never",
            Some((d, _)) if d.passed => "passed",
            Some(_) => "failed",
        })
    };
    view! {
        <section
            class="card backups-card"
            aria-labelledby="backups-drill-heading"
            data-testid="backups-last-drill"
            data-state=state
        >
            <h2 id="backups-drill-heading" class="small-heading">
                {move || i18n.t().backups.last_drill_heading}
            </h2>
            {body}
        </section>
    }
}

/// A drill's facts, as the card shows them.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn DrillFacts(drill: BackupDrill, file: String) -> impl IntoView {
    let i18n = use_i18n();
    let BackupDrill {
        at_ms,
        passed,
        message,
        took_ms,
        counts,
    } = drill;
    // What the restored copy holds in the reader's language; the server's own words
    // (English) only when the drill failed, since they say why.
    let found = move || match (&counts, passed) {
        (Some(c), true) => i18n.t().backups.drill_counts_words(c),
        _ => message.clone(),
    };
    view! {
        <dl class="facts backups-facts">
            <Fact label=|t| t.label_drill_at>
                {move || local_time(at_ms, i18n.locale().tag())}
            </Fact>
            <Fact label=|t| t.label_result>
                <DrillBadge passed />
            </Fact>
            <Fact label=|t| t.label_found>
                <span class="backups-message">{found}</span>
            </Fact>
            <Fact label=|t| t.label_took>
                {move || i18n.t().backups.duration(took_ms)}
            </Fact>
            <Fact label=|t| t.label_file>
                <code class="backups-file">{file}</code>
            </Fact>
        </dl>
    }
}

/// Passed or failed, as an icon and a word (and a border style), never colour alone.
#[component]
pub(super) fn DrillBadge(passed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (class, icon) = if passed {
        ("badge backups-badge backups-badge-ok", "✓ ")
    } else {
        ("badge backups-badge backups-badge-failed", "✗ ")
    };
    view! {
        <span class=class data-drill=if passed { "passed" } else { "failed" }>
            <span aria-hidden="true">{icon}</span>
            {move || i18n.t().backups.drill_result(passed)}
        </span>
    }
}

/// The settings: schedule, keeping, the two destinations and the next backup.
#[component]
pub(super) fn SettingsCard(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let schedule = Memo::new(move |_| current.read(|s| (s.scheduled, s.interval_hours)));
    let keep = Memo::new(move |_| current.read(|s| s.keep_days).unwrap_or_default());
    let local_dir = Memo::new(move |_| current.read(|s| s.local_dir.clone()).unwrap_or_default());
    let offsite = Memo::new(move |_| current.read(|s| s.offsite.clone()).flatten());
    let next_due = Memo::new(move |_| current.read(|s| s.next_due_at_ms).flatten());
    let schedule_words = move || {
        schedule
            .get()
            .map(|(on, hours)| i18n.t().backups.schedule(on, hours))
    };
    let keep_words = move || {
        fill(
            i18n.t().backups.keep_days,
            &[("days", &keep.get().to_string())],
        )
    };
    let offsite_words = move || match offsite.get() {
        Some(dir) => view! { <code class="backups-path">{dir}</code> }.into_any(),
        None => view! {
            <span class="backups-unset">
                <span aria-hidden="true">"⚠ "</span>
                {move || i18n.t().backups.not_configured}
            </span>
        }
        .into_any(),
    };
    let next_words = move || {
        let t = &i18n.t().backups;
        next_due.get().map_or_else(
            || t.next_due_none.to_owned(),
            |at| local_time(at, i18n.locale().tag()),
        )
    };
    view! {
        <section class="card backups-settings" aria-labelledby="backups-settings-heading" data-testid="backups-settings">
            <h2 id="backups-settings-heading" class="small-heading">
                {move || i18n.t().backups.settings_heading}
            </h2>
            <dl class="facts backups-facts">
                <Fact label=|t| t.label_schedule>
                    <span data-testid="backups-schedule">{schedule_words}</span>
                </Fact>
                <Fact label=|t| t.label_keep>{keep_words}</Fact>
                <Fact label=|t| t.label_local_dir>
                    <code class="backups-path">{move || local_dir.get()}</code>
                </Fact>
                <Fact label=|t| t.label_offsite_dir>{offsite_words}</Fact>
                <Fact label=|t| t.label_next_due>
                    <span data-testid="backups-next-due">{next_words}</span>
                </Fact>
            </dl>
        </section>
    }
}
