//! The form that places a legal hold on one record, on a person's records (found by an
//! identifier, which is not stored) or on a form's records. The records page links here
//! with `?hold_record=<id>` to fill in the record.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::api::error::{ApiError, FieldIssue};
use shared::api::retention::{NewHold, MAX_HOLD_REASON_CHARS};

use super::hold_draft::{
    HoldDraft, Scope, DATE_INVALID, KINDS, REASON_TOO_LONG, RECORD_ID_INVALID,
};
use super::RetentionState;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::today_iso;
use crate::components::focus::focus_soon;
use crate::components::form::{local_validation, FieldIssues, FormAlert, SubmitButton};
use crate::i18n::{fill, use_i18n, Texts};

/// A field issue in words, with this form's own checks.
fn issue_text(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        RECORD_ID_INVALID => t.retention.issue_record_id.to_owned(),
        REASON_TOO_LONG => fill(
            t.retention.issue_reason_long,
            &[("max", &MAX_HOLD_REASON_CHARS.to_string())],
        ),
        DATE_INVALID => t.retention.issue_date.to_owned(),
        _ => t.issue(issue),
    }
}

/// True when `error` has issues under `field` (tracked).
fn has_issues(
    error: RwSignal<Option<ApiError>>,
    field: &'static str,
) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues(field).is_empty())
        })
    }
}

/// Place a legal hold.
#[component]
pub fn HoldForm(state: RetentionState) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let prefilled = query.with_untracked(|q| q.get("hold_record"));
    let scope = RwSignal::new(Scope::Record);
    let record_id = RwSignal::new(prefilled.clone().unwrap_or_default());
    let kind = RwSignal::new(KINDS[0].to_owned());
    let value = RwSignal::new(String::new());
    let form_id = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let ends_on = RwSignal::new(String::new());
    let placed = RwSignal::new(false);
    if prefilled.is_some() {
        // Arrived from a record: the form is where the admin goes on.
        focus_soon(vec!["#retention-hold-heading".to_owned()]);
    }
    // The forms to pick from, by title, once the picker shows.
    let forms = api_resource(move |api| {
        let wanted = scope.get() == Scope::Form;
        async move {
            if wanted {
                api.record_forms().await
            } else {
                Ok(Vec::new())
            }
        }
    });
    let place = ApiCall::new(|api, req: NewHold| async move { api.place_hold(&req).await }).on_ok(
        move |_| {
            placed.set(true);
            for s in [record_id, value, form_id, reason, ends_on] {
                s.set(String::new());
            }
            state.holds_changed();
        },
    );
    let error = place.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        placed.set(false);
        let draft = HoldDraft {
            scope: scope.get_untracked(),
            record_id: record_id.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
            form_id: form_id.get_untracked(),
            reason: reason.get_untracked(),
            ends_on: ends_on.get_untracked(),
        };
        match draft.new_hold() {
            Ok(req) => place.dispatch(req),
            Err(problems) => place.fail(local_validation(&problems)),
        }
    };
    let scope_option = move |s: Scope, label: fn(&Texts) -> &'static str| {
        view! { <option value=s.as_str() selected=move || scope.get() == s>{move || label(i18n.t())}</option> }
    };
    let kind_option = move |k: &'static str| {
        view! { <option value=k>{move || super::holds::kind_name(i18n.t(), k)}</option> }
    };
    let value_type = move || match kind.get().as_str() {
        "phone" => "tel",
        "email" => "email",
        _ => "text",
    };
    let form_options = move || {
        let locale = i18n.locale();
        forms
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let id = f.id.to_string();
                let selected = form_id.with(|v| *v == id);
                view! { <option value=id selected=selected>{f.title.get(locale).to_owned()}</option> }
            })
            .collect_view()
    };
    let max = MAX_HOLD_REASON_CHARS.to_string();
    view! {
        <form class="form retention-hold-form" on:submit=submit novalidate data-testid="retention-hold-form">
            <h3 id="retention-hold-heading" class="small-heading" tabindex="-1">
                {move || i18n.t().retention.new_hold_heading}
            </h3>
            <FormAlert error />
            <Show when=move || placed.get()>
                <p class="alert alert-success" role="status" data-testid="retention-hold-placed">
                    {move || i18n.t().retention.hold_placed}
                </p>
            </Show>
            <div class="field">
                <label for="retention-hold-scope">{move || i18n.t().retention.hold_scope}</label>
                <select
                    id="retention-hold-scope"
                    prop:value=move || scope.get().as_str()
                    on:change=move |ev| scope.set(Scope::parse(&event_target_value(&ev)))
                    data-testid="retention-hold-scope"
                >
                    {scope_option(Scope::Record, |t| t.retention.scope_opt_record)}
                    {scope_option(Scope::Person, |t| t.retention.scope_opt_person)}
                    {scope_option(Scope::Form, |t| t.retention.scope_opt_form)}
                </select>
            </div>
            <Show when=move || scope.get() == Scope::Record>
                <div class="field" class:field-invalid=has_issues(error, "target.record_id")>
                    <label for="retention-hold-record">{move || i18n.t().retention.hold_record}</label>
                    <p id="retention-hold-record-hint" class="field-hint">{move || i18n.t().retention.hold_record_hint}</p>
                    <input
                        id="retention-hold-record"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        aria-invalid=move || has_issues(error, "target.record_id")().to_string()
                        aria-describedby="retention-hold-record-hint retention-hold-record-issues"
                        bind:value=record_id
                        data-testid="retention-hold-record"
                    />
                    <FieldIssues id="retention-hold-record-issues".to_owned() field="target.record_id" error text=issue_text />
                </div>
            </Show>
            <Show when=move || scope.get() == Scope::Person>
                <div class="field">
                    <label for="retention-hold-kind">{move || i18n.t().retention.hold_kind}</label>
                    <select
                        id="retention-hold-kind"
                        bind:value=kind
                        aria-describedby="retention-hold-kind-issues"
                        data-testid="retention-hold-kind"
                    >
                        {KINDS.map(kind_option)}
                    </select>
                    <FieldIssues id="retention-hold-kind-issues".to_owned() field="target.kind" error />
                </div>
                <div class="field" class:field-invalid=has_issues(error, "target.value")>
                    <label for="retention-hold-value">{move || i18n.t().retention.hold_value}</label>
                    <p id="retention-hold-value-hint" class="field-hint">{move || i18n.t().retention.hold_value_hint}</p>
                    <input
                        id="retention-hold-value"
                        type=value_type
                        autocomplete="off"
                        spellcheck="false"
                        aria-invalid=move || has_issues(error, "target.value")().to_string()
                        aria-describedby="retention-hold-value-hint retention-hold-value-issues"
                        bind:value=value
                        data-testid="retention-hold-value"
                    />
                    <FieldIssues id="retention-hold-value-issues".to_owned() field="target.value" error text=issue_text />
                </div>
            </Show>
            <Show when=move || scope.get() == Scope::Form>
                <div class="field" class:field-invalid=has_issues(error, "target.form_id")>
                    <label for="retention-hold-form-id">{move || i18n.t().retention.hold_form}</label>
                    <select
                        id="retention-hold-form-id"
                        prop:value=move || form_id.get()
                        on:change=move |ev| form_id.set(event_target_value(&ev))
                        aria-invalid=move || has_issues(error, "target.form_id")().to_string()
                        aria-describedby="retention-hold-form-id-issues"
                        data-testid="retention-hold-form-id"
                    >
                        <option value="">{move || i18n.t().retention.hold_form_choose}</option>
                        {form_options}
                    </select>
                    <FieldIssues id="retention-hold-form-id-issues".to_owned() field="target.form_id" error text=issue_text />
                </div>
            </Show>
            <div class="field" class:field-invalid=has_issues(error, "reason")>
                <label for="retention-hold-reason">{move || i18n.t().retention.hold_reason}</label>
                <p id="retention-hold-reason-hint" class="field-hint">
                    {move || fill(i18n.t().retention.hold_reason_hint, &[("max", &max)])}
                </p>
                <textarea
                    id="retention-hold-reason"
                    rows="3"
                    required
                    maxlength=MAX_HOLD_REASON_CHARS.to_string()
                    aria-invalid=move || has_issues(error, "reason")().to_string()
                    aria-describedby="retention-hold-reason-hint retention-hold-reason-issues"
                    bind:value=reason
                    data-testid="retention-hold-reason"
                ></textarea>
                <FieldIssues id="retention-hold-reason-issues".to_owned() field="reason" error text=issue_text />
            </div>
            <div class="field" class:field-invalid=has_issues(error, "ends_on")>
                <label for="retention-hold-ends">{move || i18n.t().retention.hold_ends}</label>
                <p id="retention-hold-ends-hint" class="field-hint">{move || i18n.t().retention.hold_ends_hint}</p>
                <input
                    id="retention-hold-ends"
                    type="date"
                    min=today_iso()
                    aria-invalid=move || has_issues(error, "ends_on")().to_string()
                    aria-describedby="retention-hold-ends-hint retention-hold-ends-issues"
                    bind:value=ends_on
                    data-testid="retention-hold-ends"
                />
                <FieldIssues id="retention-hold-ends-issues".to_owned() field="ends_on" error text=issue_text />
            </div>
            <SubmitButton
                label=|t| t.retention.hold_submit
                pending_label=|t| t.retention.hold_pending
                pending=place.pending()
                testid="retention-hold-submit"
            />
        </form>
    }
}
