//! One record in the list: its facts (with the basis of an imported one), a link to its
//! history, the end of its customer relationship, and each field as the server shows it
//! (marked when a change of it waits for approval, with a link to the conflicts and
//! approvals page). Recording the end or a withdrawal replaces the record with the
//! server's answer.

use leptos::prelude::*;
use shared::access::Permission;
use shared::api::imports::ImportedBasis;
use shared::api::records::{RecordSource, RecordView};
use shared::i18n::Locale;
use shared::schema::PurposeKey;

use super::consent_request::ConsentRequest;
use super::relationship::RelationshipEnd;
use super::value::ValueCell;
use super::withdrawal::RecordWithdrawalButton;
use super::RecordsState;
use crate::components::console_ui::{local_date, local_time};
use crate::i18n::{fill, use_i18n};
use crate::session::use_session;

/// One record: its facts, then each field as the server shows it.
#[component]
pub fn RecordRow(
    record: RecordView,
    state: RecordsState,
    may_assign: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Read once (see `relationship.rs`).
    let may_withdraw = untrack(|| session.may(Permission::RecordWithdrawals));
    let may_decide = untrack(|| session.may(Permission::ResolveConflicts));
    let id = record.id.to_string();
    let assign_id = id.clone();
    let history_href = format!("/records/{id}/history");
    let current = RwSignal::new(record);
    view! {
        <tr data-record-id=id>
            <td class="record-facts">
                {move || view! { <RecordFacts record=current.get() may_decide /> }}
                <a
                    href=history_href
                    class="button button-secondary button-small"
                    data-testid="record-history"
                >
                    {move || i18n.t().history.open}
                    <span class="muted">
                        {move || format!(" v{}", current.with(|r| r.version))}
                    </span>
                </a>
                <RelationshipEnd record=current />
                <ConsentRequest record=current />
                <Show when=move || may_withdraw>
                    <RecordWithdrawalButton record=current state />
                </Show>
                <Show when=may_assign>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click={
                            let assign_id = assign_id.clone();
                            move |_| state.assign_target.set(Some(assign_id.clone()))
                        }
                        data-testid="assign-open"
                    >
                        {move || i18n.t().console.assign}
                    </button>
                </Show>
            </td>
            <td>{move || view! { <RecordValues record=current.get() state /> }}</td>
        </tr>
    }
}

/// The record's id, form, time, source, version (with what waits for a manager) and
/// owner; `may_decide`: the viewer may open the conflicts and approvals page.
#[component]
fn RecordFacts(record: RecordView, may_decide: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = record.id.to_string();
    let short_id: String = id.chars().take(8).collect();
    let created = record.created_at_ms;
    // The owner by user name (the id only if the account is gone).
    let owner = record
        .owner_name
        .clone()
        .or_else(|| record.owner_id.map(|id| id.to_string()));
    let form_title = record.form_title.clone();
    let source = record.source;
    view! {
        <p class="record-id" title=id>
            <code>{short_id}</code>
        </p>
        <p>
            {move || i18n.t().console.form} ": "
            <span title=record.form_id.to_string()>
                {move || form_title.get(i18n.locale()).to_owned()}
            </span>
            " v" {record.form_version}
        </p>
        <p>
            {move || i18n.t().console.created} ": "
            {move || local_time(created, i18n.locale().tag())}
        </p>
        <p>{move || i18n.t().console.source} ": " {move || {
            let t = &i18n.t().console;
            match source {
                RecordSource::Web => t.source_web,
                RecordSource::Staff => t.source_staff,
                RecordSource::Import => t.source_import,
            }
        }}</p>
        <p data-testid="record-version">
            {move || fill(i18n.t().console.record_version, &[("version", &record.version.to_string())])}
            {(record.open_conflicts > 0).then(|| view! {
                " · "
                <a href="/conflicts" class="badge" data-testid="record-open-conflicts">
                    {move || fill(i18n.t().console.record_open_conflicts, &[("count", &record.open_conflicts.to_string())])}
                </a>
            })}
            {(!record.pending_fields.is_empty()).then(|| {
                let words = move || i18n.t().console.record_pending;
                // Those who decide get the link; others only learn that changes wait.
                let mark = if may_decide {
                    view! {
                        <a href="/conflicts" class="badge" data-testid="record-pending-approval">
                            <span aria-hidden="true">"⏳ "</span>
                            {words}
                        </a>
                    }
                    .into_any()
                } else {
                    view! {
                        <span class="badge" data-testid="record-pending-approval">
                            <span aria-hidden="true">"⏳ "</span>
                            {words}
                        </span>
                    }
                    .into_any()
                };
                view! { " · " {mark} }
            })}
        </p>
        {record.imported.clone().map(|imported| view! { <ImportedLine imported /> })}
        <p>
            {move || i18n.t().console.owner} ": "
            {match owner {
                Some(owner) => view! { <code>{owner}</code> }.into_any(),
                None => {
                    view! { <span>{move || i18n.t().console.unassigned}</span> }.into_any()
                }
            }}
        </p>
    }
}

/// How an imported record is held: the basis and purposes its import stated, and when
/// the person gave consent since, if they did.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn ImportedLine(imported: ImportedBasis) -> impl IntoView {
    let i18n = use_i18n();
    let separator = move || {
        if i18n.locale() == Locale::ZhCn {
            "、"
        } else {
            ", "
        }
    };
    let words = move || {
        let t = &i18n.t().imports;
        let basis = t.basis(imported.basis, i18n.locale());
        // By name as the form version names them (by key from an older server).
        let locale = i18n.locale();
        let purposes: Vec<&str> = if imported.purpose_names.len() == imported.purposes.len() {
            imported
                .purpose_names
                .iter()
                .map(|n| n.get(locale))
                .collect()
        } else {
            imported.purposes.iter().map(PurposeKey::as_str).collect()
        };
        let mut parts = vec![
            t.record_imported.to_owned(),
            fill(t.record_basis, &[("basis", basis)]),
            fill(
                t.record_purposes,
                &[("purposes", &purposes.join(separator()))],
            ),
        ];
        if let Some(at) = imported.consented_at_ms {
            let date = local_date(at, i18n.locale().tag());
            parts.push(fill(t.record_consented, &[("date", &date)]));
        }
        parts.join(" · ")
    };
    view! {
        <p class="record-imported" data-testid="record-imported" data-basis=imported.basis.as_str()>
            <span class="badge" aria-hidden="true">"⇪"</span>
            " "
            {words}
        </p>
    }
}

/// Each field of the record, by label, as the server shows it.
#[component]
fn RecordValues(mut record: RecordView, state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let id = record.id.to_string();
    let labels = std::mem::take(&mut record.labels);
    let pending = std::mem::take(&mut record.pending_fields);
    let values = record
        .take_ordered_values()
        .into_iter()
        .map(|(key, value)| {
            let waits = pending.contains(&key).then(|| view! { <PendingMark /> });
            // The field's label in the reader's language; its key only if it has none.
            let label = labels.get(&key).cloned().unwrap_or_default();
            let fallback = key.clone();
            let label = move || {
                let text = label.get(i18n.locale());
                if text.is_empty() {
                    fallback.clone()
                } else {
                    text.to_owned()
                }
            };
            view! {
                <div class="record-value">
                    <dt>{label}</dt>
                    <dd>
                        <ValueCell record_id=id.clone() key value state />
                        {waits}
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="record-values">{values}</dl> }
}

/// The mark beside a value whose change waits for approval: the value shown is the one
/// in force. An icon and words, never colour alone.
#[component]
fn PendingMark() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        " "
        <span class="value-state state-pending" data-state="state-pending" data-testid="value-pending">
            <span class="value-icon" aria-hidden="true">"⏳"</span>
            {move || i18n.t().console.value_pending}
        </span>
    }
}
