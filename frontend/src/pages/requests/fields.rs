//! The inputs of the requests pages' forms: a labelled line or text area whose issues
//! (the server's, or this module's checks made before sending) show beneath it.

use leptos::prelude::*;
use shared::api::error::{ApiError, FieldIssue};
use shared::api::requests::{MAX_REQUESTER_CHARS, MAX_REQUEST_TEXT_CHARS, MIN_REASON_CHARS};

use super::draft::{DATE_INVALID, NAME_TOO_LONG, REASON_TOO_SHORT, TEXT_TOO_LONG};
use crate::components::form::FieldIssues;
use crate::i18n::{fill, use_i18n, Texts};

/// A field issue in words, with the checks made before sending.
pub(crate) fn issue_text(t: &Texts, issue: &FieldIssue) -> String {
    let r = &t.requests;
    match issue.code.as_str() {
        NAME_TOO_LONG => fill(
            r.issue_too_long,
            &[("max", &MAX_REQUESTER_CHARS.to_string())],
        ),
        TEXT_TOO_LONG => fill(
            r.issue_too_long,
            &[("max", &MAX_REQUEST_TEXT_CHARS.to_string())],
        ),
        REASON_TOO_SHORT => fill(
            r.issue_reason_short,
            &[("min", &MIN_REASON_CHARS.to_string())],
        ),
        DATE_INVALID => r.issue_date.to_owned(),
        _ => t.issue(issue),
    }
}

/// True when `error` has issues under `field` (tracked).
pub(crate) fn has_issues(
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

/// The ids an input's `aria-describedby` names: its hint (if any) and its issues.
fn described_by(id: &str, hint: bool) -> (String, String, String) {
    let hint_id = format!("{id}-hint");
    let issues_id = format!("{id}-issues");
    let both = if hint {
        format!("{hint_id} {issues_id}")
    } else {
        issues_id.clone()
    };
    (hint_id, issues_id, both)
}

/// A labelled one-line input.
#[component]
pub(crate) fn LineField(
    /// The input's `id` and `name`.
    id: &'static str,
    /// The key of this field in `details.fields` of an API error.
    field: &'static str,
    label: fn(&Texts) -> &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    testid: &'static str,
    #[prop(optional)] hint: Option<fn(&Texts) -> String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] required: bool,
    #[prop(default = MAX_REQUESTER_CHARS)] max: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let invalid = has_issues(error, field);
    let (hint_id, issues_id, described) = described_by(id, hint.is_some());
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id>{move || label(i18n.t())}</label>
            {hint.map(|h| view! { <p id=hint_id class="field-hint">{move || h(i18n.t())}</p> })}
            <input
                id=id
                name=id
                type=input_type
                autocomplete="off"
                required=required
                maxlength=max.to_string()
                aria-invalid=move || invalid().to_string()
                aria-describedby=described
                bind:value=value
                data-testid=testid
            />
            <FieldIssues id=issues_id field error text=issue_text />
        </div>
    }
}

/// A labelled text area for a description, note or reason.
#[component]
pub(crate) fn AreaField(
    /// The text area's `id` and `name`.
    id: &'static str,
    /// The key of this field in `details.fields` of an API error.
    field: &'static str,
    label: fn(&Texts) -> &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    testid: &'static str,
    #[prop(optional)] hint: Option<fn(&Texts) -> String>,
    #[prop(optional)] required: bool,
    #[prop(default = 3)] rows: u32,
) -> impl IntoView {
    let i18n = use_i18n();
    let invalid = has_issues(error, field);
    let (hint_id, issues_id, described) = described_by(id, hint.is_some());
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id>{move || label(i18n.t())}</label>
            {hint.map(|h| view! { <p id=hint_id class="field-hint">{move || h(i18n.t())}</p> })}
            <textarea
                id=id
                name=id
                rows=rows.to_string()
                required=required
                maxlength=MAX_REQUEST_TEXT_CHARS.to_string()
                aria-invalid=move || invalid().to_string()
                aria-describedby=described
                bind:value=value
                data-testid=testid
            ></textarea>
            <FieldIssues id=issues_id field error text=issue_text />
        </div>
    }
}

/// A button that sends a form or runs a step: disabled, and saying so, while `pending`.
#[component]
pub(crate) fn StepButton(
    label: fn(&Texts) -> &'static str,
    pending_label: fn(&Texts) -> &'static str,
    #[prop(into)] pending: Signal<bool>,
    testid: &'static str,
    /// `submit` for a form's button, else `button` with `on_click`.
    #[prop(default = "submit")]
    kind: &'static str,
    #[prop(default = "button button-primary")] class: &'static str,
    #[prop(optional)] on_click: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type=kind
            class=class
            disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()
            on:click=move |_| {
                if let Some(f) = on_click {
                    f.run(());
                }
            }
            data-testid=testid
        >
            {move || {
                let t = i18n.t();
                if pending.get() { pending_label(t) } else { label(t) }
            }}
        </button>
    }
}
