//! `/collect/fill/{form_id}[?edit={uuid}|?synced={uuid}]`: a customer in front of a staff
//! member reads the privacy notice and chooses in the same pop-up as the customer app,
//! fills in the form with the one renderer and signs; the record is signed with this
//! device's key and saved to the outbox at once, to be synced when the device is online.
//! `edit` changes a record still in the outbox; `synced` edits this device's copy of a
//! record the server already stored: the consent stays as given, and the edit carries
//! the server version the copy came from.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::api::error::ApiError;
use shared::api::forms::VersionDetail;

use super::Collecting;
use crate::components::form::FormAlert;
use crate::embed::consent_dialog::PopupChoices;
use crate::embed::submission::{new_receipt_id, now_ms};
use crate::i18n::{set_page_title, use_i18n};
use crate::offline::outbox::{self, OutboxEntry};
use crate::offline::{device, forms, use_collector};
use crate::submit::Collected;
use crate::submit::{FillStep, FormInProgress, GuardianStep};

/// Where the collection is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Filling,
    /// The answers show a minor: a guardian must consent before saving.
    Guardian,
    Saving,
    /// Saved in the outbox under this UUID.
    Saved(String),
}

/// What the page loaded from this device.
#[derive(Debug, Clone)]
enum Loaded {
    Loading,
    Missing,
    /// The device keeps no copy of the synced record (or of its form version).
    NoCopy,
    /// The form is no longer assigned to the user: no new records with it.
    NotAssigned,
    Ready(Box<VersionDetail>, Option<Box<OutboxEntry>>),
}

/// The page: loads the kept form (and the record being edited) from IndexedDB.
#[component]
pub fn FillPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let loaded = RwSignal::new(Loaded::Loading);
    let c = use_collector();
    Effect::new(move |_| {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let edit = query.with(|q| q.get("edit"));
        let synced = query.with(|q| q.get("synced"));
        let user = c.user.get().map(|u| u.id);
        let vault = c.vault.get();
        loaded.set(Loaded::Loading);
        spawn_local(async move {
            let entry = match (edit, &synced, &vault) {
                (Some(uuid), _, Some(vault)) => outbox::entry(vault, &uuid).await.ok().flatten(),
                (None, Some(uuid), Some(vault)) => outbox::synced_entry(vault, uuid)
                    .await
                    .ok()
                    .flatten()
                    .and_then(edit_of_synced),
                _ => None,
            };
            // An edit needs the version its record was collected with, kept even after
            // a newer one arrived; a new record needs a form the user may collect with.
            let form = match &entry {
                Some(e) => forms::cached_version(&id, e.record.form_version).await,
                None => forms::cached_form(&id).await,
            }
            .ok()
            .flatten();
            loaded.set(match (form, entry) {
                (_, None) if synced.is_some() => Loaded::NoCopy,
                (None, _) => Loaded::Missing,
                (Some(f), None) if user.as_ref().is_some_and(|u| !f.usable_by(u)) => {
                    Loaded::NotAssigned
                }
                (Some(f), entry) => Loaded::Ready(Box::new(f.version), entry.map(Box::new)),
            });
        });
    });
    let i18n = use_i18n();
    view! {
        <section class="collect collect-fill" data-testid="collect-fill">
            <p><A href="/collect">{move || i18n.t().collect.back}</A></p>
            <Collecting>
                {move || match loaded.get() {
                    Loaded::Loading => view! { <p class="muted" role="status">{move || i18n.t().loading}</p> }.into_any(),
                    Loaded::Missing => view! {
                        <p class="alert alert-error" role="alert">{move || i18n.t().collect.form_not_cached}</p>
                    }
                    .into_any(),
                    Loaded::NoCopy => view! {
                        <p class="alert alert-error" role="alert">{move || i18n.t().collect.no_local_copy}</p>
                    }
                    .into_any(),
                    Loaded::NotAssigned => view! {
                        <p class="alert alert-error" role="alert" data-testid="form-not-assigned">
                            {move || i18n.t().collect.form_not_assigned}
                        </p>
                    }
                    .into_any(),
                    Loaded::Ready(version, edit) => view! { <Flow version=*version edit=edit.map(|e| *e) /> }.into_any(),
                }}
            </Collecting>
        </section>
    }
}

/// An outbox entry for editing this device's copy of a synced record: the copy's
/// record, marked with the server version it came from.
fn edit_of_synced(copy: outbox::SyncedEntry) -> Option<OutboxEntry> {
    let mut record = copy.record?;
    record.base_version = Some(copy.version);
    Some(OutboxEntry {
        user_id: copy.user_id,
        form_title: copy.form_title,
        created_at_ms: copy.created_at_ms,
        record,
        problem: None,
    })
}

/// Sets the pop-up's choices to those of an earlier statement.
fn restore_choices(choices: PopupChoices, entry: &OutboxEntry) {
    let statement = &entry.record.statement;
    let mut decisions = BTreeMap::new();
    for key in &statement.purposes_granted {
        decisions.insert(key.clone(), true);
    }
    for key in &statement.purposes_declined {
        decisions.insert(key.clone(), false);
    }
    choices.decisions.set(decisions);
    choices.sensitive.set(statement.separate_consents.sensitive);
    choices
        .cross_border
        .set(statement.separate_consents.cross_border);
}

/// The flow for one kept form version.
#[component]
fn Flow(version: VersionDetail, edit: Option<OutboxEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    set_page_title(version.definition.title.get(i18n.locale_untracked()));
    let form = FormInProgress::new(version);
    let version = form.version;
    // An edit of a synced record keeps the consent as given: no pop-up, no new statement.
    let base_version = edit.as_ref().and_then(|e| e.record.base_version);
    let editing = RwSignal::new(edit);
    if let Some(entry) = editing.get_untracked() {
        restore_choices(form.choices, &entry);
        form.answers.set(entry.record.answers);
    }
    let popup_open = RwSignal::new(base_version.is_none());
    let phase = RwSignal::new(Phase::Filling);
    let error = RwSignal::new(None::<ApiError>);

    // Signs the record with this device's key and the next sequence number, and keeps it.
    let save = move |collected: Collected| {
        let (Some(user), Some(vault)) = (c.user.get_untracked(), c.vault.get_untracked()) else {
            return;
        };
        phase.set(Phase::Saving);
        let previous = editing.get_untracked();
        spawn_local(async move {
            let saved = async {
                let (device, seq) = device::take_seq(&user.id).await.ok()?;
                let uuid = match &previous {
                    Some(e) => e.record.uuid.clone(),
                    None => new_receipt_id()?,
                };
                let record = match previous
                    .as_ref()
                    .map(|e| (&e.record, e.record.base_version))
                {
                    Some((original, Some(base))) => version.with_value(|v| {
                        outbox::signed_edit(v, original, collected, (&device, &vault), seq, base)
                    })?,
                    _ => version.with_value(|v| {
                        outbox::signed_record(v, collected, (&device, &vault), seq, uuid)
                    })?,
                };
                let entry = OutboxEntry {
                    user_id: user.id.clone(),
                    form_title: version.with_value(|v| v.definition.title.clone()),
                    created_at_ms: previous.as_ref().map_or_else(now_ms, |e| e.created_at_ms),
                    record,
                    problem: None,
                };
                outbox::save(&vault, &entry).await.ok()?;
                Some(entry.record.uuid)
            }
            .await;
            match saved {
                Some(uuid) => {
                    editing.set(None);
                    phase.set(Phase::Saved(uuid));
                    c.reload();
                    c.sync_now();
                }
                None => {
                    error.set(Some(ApiError::new(
                        shared::api::error::ErrorCode::Internal,
                        i18n.t().collect.save_failed,
                    )));
                    phase.set(Phase::Filling);
                }
            }
        });
    };

    // Checks the answers against the published form, asks for a guardian when needed.
    let submit = move || {
        if phase.get_untracked() == Phase::Saving {
            return;
        }
        if !c
            .device
            .with_untracked(|d| d.as_ref().is_some_and(device::Device::is_usable))
        {
            error.set(Some(ApiError::new(
                shared::api::error::ErrorCode::Forbidden,
                i18n.t().collect.needs_device,
            )));
            return;
        }
        let ask_guardian = || phase.set(Phase::Guardian);
        let Some(collected) = form.ready(i18n.locale_untracked(), error, ask_guardian) else {
            return;
        };
        error.set(None);
        save(collected);
    };
    let submit = StoredValue::new(submit);

    let another = move |_| {
        form.clear();
        error.set(None);
        phase.set(Phase::Filling);
        popup_open.set(true);
    };
    let filling =
        move || matches!(phase.get(), Phase::Filling | Phase::Saving) && !popup_open.get();
    let dialog = form.consent_dialog(popup_open, error);
    view! {
        <div class="collect-flow" data-testid="collect-flow">
            {dialog}
            <Show when=move || editing.with(Option::is_some)>
                <p class="alert alert-info" role="status" data-testid="editing-notice">
                    {move || {
                        let t = &i18n.t().collect;
                        if base_version.is_some() { t.editing_synced } else { t.editing }
                    }}
                </p>
            </Show>
            <FormAlert error />
            <Show when=filling>
                <FillStep
                    form
                    popup_open
                    busy=Signal::derive(move || phase.get() == Phase::Saving)
                    submit=Callback::new(move |()| submit.with_value(|f| f()))
                    id_prefix="cc"
                    can_review=base_version.is_none()
                />
            </Show>
            <Show when=move || phase.get() == Phase::Guardian>
                <GuardianStep
                    age=form.guardian_age()
                    guardian=form.guardian
                    submit=Callback::new(move |()| submit.with_value(|f| f()))
                    back=Callback::new(move |()| phase.set(Phase::Filling))
                    input_id="collect-guardian"
                    class="card"
                />
            </Show>
            {move || match phase.get() {
                Phase::Saved(uuid) => Some({
                    let shown = uuid.clone();
                    view! {
                    <section data-uuid=uuid class="card collect-saved" role="status" data-testid="saved-pending">
                        <h2>{move || i18n.t().collect.saved_title}</h2>
                        <p>{move || i18n.t().collect.saved_text}</p>
                        <p class="muted"><code>{shown}</code></p>
                        <div class="collect-actions">
                            <button type="button" class="button button-primary" data-testid="collect-another" on:click=another>
                                {move || i18n.t().collect.collect_another}
                            </button>
                            <A href="/collect/outbox" attr:class="button button-secondary">
                                {move || i18n.t().collect.outbox_heading}
                            </A>
                        </div>
                    </section>
                    }
                }),
                _ => None,
            }}
        </div>
    }
}
