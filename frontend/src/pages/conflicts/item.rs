//! One item of the conflicts and approvals page: an edit conflict, or a change of a key
//! field waiting for approval, each with its two values, an optional comment and the
//! two choices. An item someone else decided first says so and keeps nothing to press;
//! it is gone from the list when the list next loads (after any decision).

use leptos::prelude::*;
use shared::api::conflicts::{
    ConflictKind, ConflictList, ConflictResolved, ConflictView, ResolveConflict, Take,
    MAX_DECISION_COMMENT_CHARS,
};
use shared::api::error::{ApiError, ErrorCode};

use super::{decision_comment, value_words};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_time;
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n, Texts};

/// The list the page shows, loaded again after each decision.
type Conflicts = LocalResource<Result<ConflictList, ApiError>>;

/// A decision: which value wins, and the comment.
type Decide = ApiCall<(Take, Option<String>), ConflictResolved>;

/// A choice: the value it takes, its test id, its button class and its words.
type Choice = (Take, &'static str, &'static str, fn(&Texts) -> &'static str);

/// The call that decides the item `id`; the list loads again once it is decided.
fn decide(id: shared::ids::ConflictId, conflicts: Conflicts) -> Decide {
    ApiCall::new(
        move |api, (take, comment): (Take, Option<String>)| async move {
            api.resolve_conflict(&id, &ResolveConflict { take, comment })
                .await
        },
    )
    .on_ok(move |_| conflicts.refetch())
}

/// True once the server said someone else decided the item first (a memo, so that what
/// it hides is built again only when it flips, not on every error).
fn decided_elsewhere(error: RwSignal<Option<ApiError>>) -> Memo<bool> {
    Memo::new(move |_| {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| e.code == ErrorCode::AlreadyResolved)
        })
    })
}

/// The item's record id, short enough to read.
fn short_record(c: &ConflictView) -> String {
    c.record_id.to_string().chars().take(8).collect()
}

/// One edit conflict with both values and the two choices.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(super) fn ConflictItem(conflict: ConflictView, conflicts: Conflicts) -> impl IntoView {
    let i18n = use_i18n();
    let call = decide(conflict.id, conflicts);
    let gone = decided_elsewhere(call.error());
    let label = conflict.field_label.clone();
    let record = [
        ("record", conflict.record_id.to_string()),
        ("base", conflict.base_version.to_string()),
        ("current", conflict.current_version.to_string()),
    ];
    let author = conflict
        .author_name
        .clone()
        .unwrap_or_else(|| conflict.author_id.to_string());
    let by = (
        author,
        conflict.device_id.to_string(),
        conflict.created_at_ms,
    );
    let (server, device) = (conflict.server_value.clone(), conflict.device_value.clone());
    let (visibility, cleared) = (conflict.visibility, conflict.device_cleared);
    let server = move || value_words(&i18n.t().conflicts, server.as_deref(), visibility, false);
    let device = move || value_words(&i18n.t().conflicts, device.as_deref(), visibility, cleared);
    let (id, inner_id) = (conflict.id.to_string(), conflict.id.to_string());
    view! {
        // `conflict-row` names each kind of row alike; the inner `conflict` is the
        // name older browser tests know.
        <li
            class="card conflict"
            data-testid="conflict-row"
            data-id=id
            data-field=conflict.field_key
            data-kind="conflict"
        >
            <div data-testid="conflict" data-id=inner_id data-field=conflict.field_key.clone()>
                <h2 class="conflict-field">
                    {move || label.get(i18n.locale()).to_owned()} " "
                    <code class="muted">{conflict.field_key.clone()}</code>
                </h2>
                <p class="muted">
                    {move || {
                        let params: Vec<(&str, &str)> =
                            record.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        fill(i18n.t().conflicts.record, &params)
                    }}
                </p>
                <p class="muted">
                    {move || {
                        let time = local_time(by.2, i18n.locale().tag());
                        fill(
                            i18n.t().conflicts.by,
                            &[("author", by.0.as_str()), ("device", by.1.as_str()), ("time", time.as_str())],
                        )
                    }}
                </p>
                <Show when=move || !gone.get()>
                    <dl class="facts conflict-values">
                        <div>
                            <dt>{move || i18n.t().conflicts.server_value}</dt>
                            <dd data-testid="conflict-server-value">{server.clone()}</dd>
                        </div>
                        <div>
                            <dt>{move || i18n.t().conflicts.device_value}</dt>
                            <dd data-testid="conflict-device-value">{device.clone()}</dd>
                        </div>
                    </dl>
                </Show>
                <Decision call gone kind=ConflictKind::Conflict item=conflict.id.to_string() />
            </div>
        </li>
    }
}

/// One change of a key field: the value in force beside the proposed one, a warning
/// when it is contested, and approve or reject.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(super) fn ApprovalItem(change: ConflictView, conflicts: Conflicts) -> impl IntoView {
    let i18n = use_i18n();
    let call = decide(change.id, conflicts);
    let gone = decided_elsewhere(call.error());
    let label = change.field_label.clone();
    let key = change.field_key.clone();
    let heading = move || {
        let text = label.get(i18n.locale());
        let field = if text.is_empty() { key.as_str() } else { text };
        fill(i18n.t().conflicts.approval_heading, &[("field", field)])
    };
    let form = change.form_title.clone();
    let record = short_record(&change);
    let full_record = change.record_id.to_string();
    let record_line = move || {
        fill(
            i18n.t().conflicts.approval_record,
            &[
                ("form", form.get(i18n.locale())),
                ("record", record.as_str()),
            ],
        )
    };
    let author = change
        .author_name
        .clone()
        .unwrap_or_else(|| change.author_id.to_string());
    let at = change.created_at_ms;
    let by_line = move || {
        let time = local_time(at, i18n.locale().tag());
        fill(
            i18n.t().conflicts.approval_by,
            &[("author", author.as_str()), ("time", time.as_str())],
        )
    };
    let (old, new) = (change.server_value.clone(), change.device_value.clone());
    let (visibility, cleared) = (change.visibility, change.device_cleared);
    let old = move || value_words(&i18n.t().conflicts, old.as_deref(), visibility, false);
    let new = move || value_words(&i18n.t().conflicts, new.as_deref(), visibility, cleared);
    let contested = change.contested.then(|| {
        view! {
            <div class="alert alert-warning" data-testid="approval-contested">
                <p>
                    <span aria-hidden="true">"⚠ "</span>
                    {move || i18n.t().conflicts.approval_contested}
                </p>
            </div>
        }
    });
    view! {
        <li
            class="card conflict approval"
            data-testid="approval-row"
            data-id=change.id.to_string()
            data-field=change.field_key
            data-kind="approval"
        >
            <h2 class="conflict-field">
                <span aria-hidden="true">"⏳ "</span>
                {heading} " "
                <code class="muted">{change.field_key.clone()}</code>
            </h2>
            <p class="muted" title=full_record>{record_line}</p>
            <p class="muted">{by_line}</p>
            {contested}
            <Show when=move || !gone.get()>
                <dl class="approval-values">
                    <div class="approval-value">
                        <dt>{move || i18n.t().conflicts.approval_old}</dt>
                        <dd data-testid="approval-old">{old.clone()}</dd>
                    </div>
                    <div class="approval-value approval-value-new">
                        <dt>
                            <span aria-hidden="true">"→ "</span>
                            {move || i18n.t().conflicts.approval_new}
                        </dt>
                        <dd data-testid="approval-new">{new.clone()}</dd>
                    </div>
                </dl>
            </Show>
            <Decision call gone kind=ConflictKind::Approval item=change.id.to_string() />
        </li>
    }
}

/// The comment, the error of the last attempt and the two choices of an item; only the
/// error once someone else decided it.
#[component]
fn Decision(call: Decide, gone: Memo<bool>, kind: ConflictKind, item: String) -> impl IntoView {
    let i18n = use_i18n();
    let comment = RwSignal::new(String::new());
    let too_long = RwSignal::new(false);
    let busy = call.pending();
    let error = call.error();
    let send = move |take: Take| match decision_comment(&comment.get_untracked()) {
        Ok(text) => {
            too_long.set(false);
            call.dispatch((take, text));
        }
        Err(_) => too_long.set(true),
    };
    let (field_id, hint_id, issue_id) = (
        format!("decision-comment-{item}"),
        format!("decision-comment-{item}-hint"),
        format!("decision-comment-{item}-issue"),
    );
    let summary = match kind {
        ConflictKind::Conflict => conflict_summary,
        ConflictKind::Approval => approval_summary,
    };
    // Keep (or reject) first, then take (or approve), as the page always had them.
    let buttons: [Choice; 2] = match kind {
        ConflictKind::Conflict => [
            (
                Take::Server,
                "conflict-keep-server",
                "button-secondary",
                |t| t.conflicts.keep_server,
            ),
            (
                Take::Device,
                "conflict-take-device",
                "button-primary",
                |t| t.conflicts.take_device,
            ),
        ],
        ConflictKind::Approval => [
            (Take::Server, "reject", "button-secondary", |t| {
                t.conflicts.reject
            }),
            (Take::Device, "approve", "button-primary", |t| {
                t.conflicts.approve
            }),
        ],
    };
    let buttons = move || {
        (!gone.get()).then(|| {
            let buttons = buttons
                .into_iter()
                .map(|(take, testid, class, text)| {
                    view! {
                        <button
                            type="button"
                            class=format!("button {class}")
                            data-testid=testid
                            disabled=move || busy.get()
                            on:click=move |_| send(take)
                        >
                            {move || text(i18n.t())}
                        </button>
                        " "
                    }
                })
                .collect_view();
            view! { <div class="form-actions">{buttons}</div> }
        })
    };
    let too_long_words = move || {
        too_long.get().then(|| {
            fill(
                i18n.t().conflicts.comment_too_long,
                &[("max", &MAX_DECISION_COMMENT_CHARS.to_string())],
            )
        })
    };
    let comment_field = move || {
        (!gone.get()).then(|| {
            view! {
                <div class="field" class:field-invalid=move || too_long.get()>
                    <label for=field_id.clone()>{move || i18n.t().conflicts.comment}</label>
                    <p id=hint_id.clone() class="field-hint">
                        {move || i18n.t().conflicts.comment_hint}
                    </p>
                    <textarea
                        id=field_id.clone()
                        rows="2"
                        maxlength=MAX_DECISION_COMMENT_CHARS.to_string()
                        aria-invalid=move || too_long.get().to_string()
                        aria-describedby=format!("{hint_id} {issue_id}")
                        bind:value=comment
                        data-testid="decision-comment"
                    ></textarea>
                    <p id=issue_id.clone() class="field-issues" aria-live="polite">
                        {too_long_words}
                    </p>
                </div>
            }
        })
    };
    let error_view = move || {
        error.with(Option::is_some).then(|| {
            view! {
                <div data-testid="decision-error">
                    <FormAlert error summary />
                </div>
            }
        })
    };
    view! { {comment_field} {error_view} {buttons} }
}

/// The words for a conflict's errors the page explains itself.
fn conflict_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    (error.code == ErrorCode::AlreadyResolved).then_some(t.conflicts.already_decided)
}

/// The words for a change's errors the page explains itself: its author may not decide
/// it, or someone else already did.
fn approval_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    match error.code {
        ErrorCode::Forbidden => Some(t.conflicts.own_change),
        code => (code == ErrorCode::AlreadyResolved).then_some(t.conflicts.already_decided),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::texts;
    use shared::i18n::Locale;

    #[test]
    fn a_change_explains_who_may_decide_it_and_that_it_was_decided() {
        let t = texts(Locale::En);
        let forbidden = ApiError::new(ErrorCode::Forbidden, "no");
        let decided = ApiError::new(ErrorCode::AlreadyResolved, "done");
        assert_eq!(
            approval_summary(t, &forbidden),
            Some(t.conflicts.own_change)
        );
        assert_eq!(
            approval_summary(t, &decided),
            Some(t.conflicts.already_decided)
        );
        assert_eq!(
            conflict_summary(t, &forbidden),
            None,
            "a conflict's 403 is generic"
        );
        assert_eq!(
            conflict_summary(t, &decided),
            Some(t.conflicts.already_decided)
        );
    }
}
