//! Form parts that show API errors: a labelled input with its issues, and a form-level alert.
//!
//! A form keeps its last error as `RwSignal<Option<ApiError>>`. Checks made in the browser
//! before sending produce the same `ApiError` shape as the server, so both kinds of
//! problem are shown the same way.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::api::error::{ApiError, ErrorCode, FieldIssue};

use crate::i18n::{use_i18n, Texts, EN};

/// A `validation_failed` error for problems found before sending, as `(field, issue code)`
/// pairs; `None` when there are none.
#[must_use]
pub fn local_validation(problems: &[(&str, &str)]) -> Option<ApiError> {
    if problems.is_empty() {
        return None;
    }
    let mut fields: BTreeMap<String, Vec<FieldIssue>> = BTreeMap::new();
    for (field, code) in problems {
        fields
            .entry((*field).to_owned())
            .or_default()
            .push(FieldIssue {
                code: (*code).to_owned(),
                params: BTreeMap::new(),
                message: (*code).to_owned(),
            });
    }
    Some(ApiError {
        generic: true,
        ..ApiError::validation(EN.error(ErrorCode::ValidationFailed), fields)
    })
}

/// A labelled input whose issues from `error` under the key `field` show beneath it.
#[component]
pub fn TextField(
    /// The input's `id` and `name`.
    id: &'static str,
    /// The key of this field in `details.fields` of an API error.
    field: &'static str,
    /// The label, from the translation table.
    label: fn(&Texts) -> &'static str,
    /// The `autocomplete` token, such as `username` or `new-password`.
    autocomplete: &'static str,
    /// The value, bound both ways.
    value: RwSignal<String>,
    /// The form's last error.
    error: RwSignal<Option<ApiError>>,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// A `data-testid` for browser tests.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// Guidance shown under the label.
    #[prop(optional)]
    hint: Option<fn(&Texts) -> String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let issues = Memo::new(move |_| {
        let t = i18n.t();
        error.with(|e| {
            e.as_ref()
                .map(|e| e.field_issues(field).iter().map(|i| t.issue(i)).collect())
                .unwrap_or_default()
        })
    });
    let invalid = move || issues.with(|i: &Vec<String>| !i.is_empty());
    let hint_id = format!("{id}-hint");
    let issues_id = format!("{id}-issues");
    let described_by = match hint {
        Some(_) => format!("{hint_id} {issues_id}"),
        None => issues_id.clone(),
    };
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id>{move || label(i18n.t())}</label>
            {hint.map(|hint| view! { <p id=hint_id class="field-hint">{move || hint(i18n.t())}</p> })}
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                required
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=described_by
                data-testid=testid
                bind:value=value
            />
            <ul id=issues_id class="field-issues" aria-live="polite" data-error-for=field>
                {move || {
                    issues.get().into_iter().map(|msg| view! { <li>{msg}</li> }).collect_view()
                }}
            </ul>
        </div>
    }
}

/// How a field issue is put into words: [`Texts::issue`] unless a form knows better.
pub type IssueText = fn(&Texts, &FieldIssue) -> String;

/// The messages of `error`'s issues under the key `field` (tracked).
pub fn field_messages(
    error: RwSignal<Option<ApiError>>,
    field: &str,
    text: IssueText,
) -> Vec<String> {
    let i18n = use_i18n();
    let t = i18n.t();
    error.with(|e| {
        e.as_ref()
            .map(|e| e.field_issues(field).iter().map(|i| text(t, i)).collect())
            .unwrap_or_default()
    })
}

/// The issues of one field under its input, for a form that lays out its own inputs:
/// the list `id` names in the input's `aria-describedby`, with `data-error-for` naming
/// the field's key in the API's error.
#[component]
pub fn FieldIssues(
    /// The list's `id`.
    id: String,
    /// The key of this field in `details.fields` of an API error.
    field: &'static str,
    /// The form's last error.
    error: RwSignal<Option<ApiError>>,
    /// How issues are put into words.
    #[prop(default = Texts::issue)]
    text: IssueText,
) -> impl IntoView {
    view! {
        <ul id=id class="field-issues" aria-live="polite" data-error-for=field>
            {move || {
                field_messages(error, field, text)
                    .into_iter()
                    .map(|msg| view! { <li>{msg}</li> })
                    .collect_view()
            }}
        </ul>
    }
}

/// The form-level alert: the translated meaning of the error code (or `summary`'s more
/// specific text), then the server's own message when it says something more.
#[component]
pub fn FormAlert(
    /// The form's last error.
    error: RwSignal<Option<ApiError>>,
    /// A text for this form that replaces the generic one for some codes.
    #[prop(optional)]
    summary: Option<fn(&Texts, &ApiError) -> Option<&'static str>>,
    /// The alert's `data-testid` (`form-error` unless a page names its own).
    #[prop(default = "form-error")]
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let t = i18n.t();
            let title = summary.and_then(|f| f(t, &e)).unwrap_or(t.error(e.code));
            let detail = says_more(&e, title).then(|| e.message.clone());
            view! {
                <div class="alert alert-error" role="alert" data-testid=testid>
                    <p class="alert-title">{title}</p>
                    {detail.map(|d| view! { <p class="alert-detail">{d}</p> })}
                </div>
            }
        })
    }
}

/// True when the server's message adds something to `title`: it is not generic (only
/// restating the code, which the title already says in the user's language) and not
/// the title itself. Field problems are shown at their fields, so their summary adds
/// nothing.
fn says_more(error: &ApiError, title: &str) -> bool {
    if error.generic || error.details.as_ref().is_some_and(|d| !d.is_empty()) {
        return false;
    }
    let trim = |s: &str| s.trim().trim_end_matches(['.', '。']).to_owned();
    let message = trim(&error.message);
    !message.is_empty() && message != trim(title)
}

/// A submit button that shows `pending_label` and is disabled while `pending`.
#[component]
pub fn SubmitButton(
    /// The label, from the translation table.
    label: fn(&Texts) -> &'static str,
    /// The label while the form is being sent.
    pending_label: fn(&Texts) -> &'static str,
    /// True while the form is being sent.
    #[prop(into)]
    pending: Signal<bool>,
    /// A `data-testid` for browser tests.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="submit"
            class="button button-primary"
            disabled=move || pending.get()
            aria-busy=move || if pending.get() { "true" } else { "false" }
            data-testid=testid
        >
            {move || {
                let t = i18n.t();
                if pending.get() { pending_label(t) } else { label(t) }
            }}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_message_shows_only_when_it_adds_something() {
        let wrong = ApiError::new(ErrorCode::Unauthenticated, "Wrong user name or password");
        assert!(!says_more(&wrong, "Wrong user name or password."));
        assert!(says_more(&wrong, "用户名或密码错误。"));
        let generic = ApiError::generic(ErrorCode::Unavailable, "Try again shortly");
        assert!(!says_more(&generic, "暂时无法连接服务，请检查网络后重试。"));
    }

    #[test]
    fn local_problems_become_a_validation_error() {
        assert!(local_validation(&[]).is_none());
        let error = local_validation(&[("username", "required")]);
        let error = error
            .as_ref()
            .map(|e| (e.code, e.field_issues("username").len()));
        assert_eq!(error, Some((ErrorCode::ValidationFailed, 1)));
    }
}

/// A settings form's actions: its submit button, busy while saving, and the note that
/// the settings were saved. `words` picks (save, saving, saved) from the texts; the
/// test ids are `{test_id}-save` and `{test_id}-saved`.
#[component]
pub fn SaveActions(
    pending: Signal<bool>,
    saved: RwSignal<bool>,
    words: fn(&'static Texts) -> (&'static str, &'static str, &'static str),
    test_id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="row-actions">
            <button
                type="submit"
                class="button button-primary"
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
                data-testid=format!("{test_id}-save")
            >
                {move || {
                    let (save, saving, _) = words(i18n.t());
                    if pending.get() { saving } else { save }
                }}
            </button>
            <Show when=move || saved.get()>
                <p class="requests-ok" role="status" data-testid=format!("{test_id}-saved")>
                    <span aria-hidden="true">"✓ "</span>
                    {move || words(i18n.t()).2}
                </p>
            </Show>
        </div>
    }
}
