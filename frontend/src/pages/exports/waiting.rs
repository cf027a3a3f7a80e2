//! "Waiting for approval" (admins and privacy officers): everyone's unmasked exports
//! above the threshold, each with who asked, the form, the rows and the reason, a
//! comment and the two choices; an export an alert holds says that an admin must
//! approve it. Who asked may not decide: the server answers 403, which
//! is said next to the buttons. The lists load again after each decision.

use leptos::prelude::*;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::exports::{ExportDecision, ExportEntry, MAX_EXPORT_REASON_CHARS};

use super::mine::MaskingWord;
use super::{awaiting, issue_text, text_problem, ExportsState, StatusNotes};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{local_time, ErrorAlert, Loading};
use crate::components::form::{local_validation, FieldIssues};
use crate::i18n::{fill, use_i18n, Texts};
use crate::session::use_session;

/// The exports waiting for a decision.
#[component]
pub(super) fn Waiting(state: ExportsState) -> impl IntoView {
    let i18n = use_i18n();
    let items = move || {
        state.all.get().map(|loaded| match loaded {
            Ok(list) => {
                let waiting = awaiting(&list);
                if waiting.is_empty() {
                    return view! {
                        <p class="muted" data-testid="waiting-empty">
                            {move || i18n.t().exports.waiting_empty}
                        </p>
                    }
                    .into_any();
                }
                let items = waiting
                    .into_iter()
                    .map(|entry| view! { <WaitingItem entry state /> })
                    .collect_view();
                view! { <ul class="exports-waiting" data-testid="waiting-list">{items}</ul> }
                    .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section
            class="exports-section"
            aria-labelledby="exports-waiting-heading"
            data-testid="exports-waiting"
        >
            <h2 id="exports-waiting-heading">{move || i18n.t().exports.waiting_heading}</h2>
            <p class="muted">{move || i18n.t().exports.waiting_intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{items}</Transition>
        </section>
    }
}

/// The words for a failed decision, next to the buttons.
fn decision_error(t: &Texts, error: &ApiError) -> Option<String> {
    if error.details.as_ref().is_some_and(|d| !d.is_empty()) {
        // Shown at the comment.
        return None;
    }
    Some(match error.code {
        ErrorCode::Forbidden => t.exports.own_export.to_owned(),
        ErrorCode::AlreadyResolved => t.exports.decided_elsewhere.to_owned(),
        code => t.error(code).to_owned(),
    })
}

/// One export waiting for a decision.
#[component]
fn WaitingItem(entry: ExportEntry, state: ExportsState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let notes = entry.clone();
    let ExportEntry {
        id,
        requested_by,
        requested_by_name,
        requested_at_ms,
        form_title,
        unmasked,
        reason,
        rows,
        ..
    } = entry;
    // Read once, like the role (see `mod.rs`).
    let yours = untrack(|| session.info().is_some_and(|i| i.user.id == requested_by));
    let comment = RwSignal::new(String::new());
    let decide = ApiCall::new(move |api, decision: ExportDecision| async move {
        api.decide_export(&id, &decision).await
    })
    .on_ok(move |_| state.reload());
    let pending = decide.pending();
    let error = decide.error();
    let send = move |approve: bool| {
        let text = comment.get_untracked();
        if let Some(problem) = text_problem(&text, 0) {
            decide.fail(local_validation(&[("comment", problem)]));
            return;
        }
        let text = text.trim().to_owned();
        decide.dispatch(ExportDecision {
            approve,
            comment: (!text.is_empty()).then_some(text),
        });
    };
    let asked = move || {
        let t = &i18n.t().exports;
        let name = requested_by_name
            .clone()
            .unwrap_or_else(|| t.unknown_person.to_owned());
        let time = local_time(requested_at_ms, i18n.locale().tag());
        fill(t.asked_by, &[("name", &name), ("time", &time)])
    };
    let comment_id = format!("decision-comment-{id}");
    let issues_id = format!("decision-comment-{id}-issues");
    let button = move |approve: bool| {
        let (testid, class) = if approve {
            ("export-approve", "button button-primary button-small")
        } else {
            (
                "export-refuse",
                "button button-secondary button-small exports-refuse",
            )
        };
        view! {
            <button
                type="button"
                class=class
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
                on:click=move |_| send(approve)
                data-testid=testid
            >
                {move || {
                    let t = &i18n.t().exports;
                    match (pending.get(), approve) {
                        (true, _) => t.deciding,
                        (false, true) => t.approve,
                        (false, false) => t.refuse,
                    }
                }}
            </button>
        }
    };
    let failed = move || error.with(|e| e.as_ref().and_then(|e| decision_error(i18n.t(), e)));
    view! {
        <li class="card exports-waiting-item" data-testid="waiting-export" data-id=id.to_string()>
            <h3 class="small-heading">
                {move || form_title.get(i18n.locale()).to_owned()}
                {yours.then(|| view! {
                    <span class="badge" data-testid="waiting-yours">{move || i18n.t().exports.yours}</span>
                })}
            </h3>
            <p class="muted">{asked}</p>
            <div class="exports-notes"><StatusNotes entry=notes /></div>
            <dl class="facts exports-facts">
                <div>
                    <dt>{move || i18n.t().exports.col_rows}</dt>
                    <dd class="exports-number">{rows.to_string()}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().exports.col_values}</dt>
                    <dd><MaskingWord unmasked /></dd>
                </div>
            </dl>
            <p class="exports-reason-label">{move || i18n.t().exports.col_reason}</p>
            <blockquote class="exports-quote" data-testid="waiting-reason">
                {reason.unwrap_or_default()}
            </blockquote>
            <div class="field">
                <label for=comment_id.clone()>{move || i18n.t().exports.comment}</label>
                <textarea
                    id=comment_id
                    rows="2"
                    maxlength=MAX_EXPORT_REASON_CHARS.to_string()
                    aria-describedby=issues_id.clone()
                    bind:value=comment
                    data-testid="decision-comment"
                ></textarea>
                <FieldIssues id=issues_id field="comment" error text=issue_text />
            </div>
            <div class="row-actions exports-decision">
                {button(true)}
                {button(false)}
                {move || failed().map(|text| view! {
                    <p class="inline-error" role="alert" data-testid="decision-error">{text}</p>
                })}
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn a_refused_decision_says_why_next_to_the_buttons() {
        let own = ApiError::new(ErrorCode::Forbidden, "You cannot approve your own export");
        assert_eq!(
            decision_error(&EN, &own).as_deref(),
            Some("You cannot approve your own export")
        );
        assert_eq!(
            decision_error(&ZH_CN, &own).as_deref(),
            Some("您不能审批自己的导出申请")
        );
        let late = ApiError::new(ErrorCode::AlreadyResolved, "done");
        assert_eq!(
            decision_error(&EN, &late).as_deref(),
            Some(EN.exports.decided_elsewhere)
        );
        // Issues of the comment are shown at the comment.
        let invalid = local_validation(&[("comment", "too_long")]);
        assert_eq!(invalid.map(|e| decision_error(&EN, &e)), Some(None));
    }
}
