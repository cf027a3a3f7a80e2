//! One field of a record as the server shows it, and the dialog that reveals a masked
//! value with a reason (audited by the server).
//!
//! Each state that is not a plain value carries an icon and a word, never colour alone.
//! Values retention deleted or anonymised say so, and have nothing to reveal.

use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use shared::access::{may_reveal, Visibility};
use shared::api::error::{ApiError, ErrorCode};
use shared::api::records::{
    RevealRequest, ViewValue, MAX_REVEAL_REASON_CHARS, MIN_REVEAL_REASON_CHARS,
};
use shared::api::retention::ProcessedValue;
use shared::i18n::Locale;
use shared::schema::RetentionAction;

use super::RecordsState;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{close_dialog, local_date, open_dialog};
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n, Texts};
use crate::session::use_session;

/// How a value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Full,
    Masked,
    Hidden,
    Withdrawn,
    Unreadable,
    Revealed,
}

impl Shown {
    /// The icon (decorative) and the word for a state, `None` for a plain value.
    fn badge(self, t: &Texts) -> Option<(&'static str, &'static str, &'static str)> {
        let c = &t.console;
        match self {
            Shown::Full => None,
            Shown::Masked => Some(("✱", c.state_masked, "state-masked")),
            Shown::Hidden => Some(("🔒", c.state_hidden, "state-hidden")),
            Shown::Withdrawn => Some(("⊘", c.state_withdrawn, "state-withdrawn")),
            Shown::Unreadable => Some(("⚠", c.state_unreadable, "state-unreadable")),
            Shown::Revealed => Some(("👁", c.state_revealed, "state-revealed")),
        }
    }
}

/// One field's value, its state, and for masked values the Reveal button.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub fn ValueCell(
    record_id: String,
    key: String,
    value: ViewValue,
    state: RecordsState,
) -> impl IntoView {
    if let Some(processed) = value.retention {
        let shown = value.display;
        return view! { <ProcessedCell key processed shown /> }.into_any();
    }
    let i18n = use_i18n();
    let session = use_session();
    let target = (record_id, key.clone());
    let revealed = {
        let target = target.clone();
        move || state.revealed.with(|r| r.get(&target).cloned())
    };
    let base = if value.unreadable {
        Shown::Unreadable
    } else if value.withdrawn {
        Shown::Withdrawn
    } else {
        match value.visibility {
            Visibility::Full => Shown::Full,
            Visibility::Masked => Shown::Masked,
            Visibility::Hidden => Shown::Hidden,
        }
    };
    let display = value.display;
    let shown = {
        let revealed = revealed.clone();
        move || {
            if revealed().is_some() {
                Shown::Revealed
            } else {
                base
            }
        }
    };
    let text = {
        let revealed = revealed.clone();
        move || revealed().or_else(|| display.clone())
    };
    // Read once: the page does not outlive the session, and a cell that followed it
    // would be rebuilt while signing out takes the page away (it panicked there).
    let may_now = untrack(|| session.info().is_some_and(|i| may_reveal(i.user.role)));
    let may = move || may_now;
    let can_reveal = { move || base == Shown::Masked && revealed().is_none() && may() };
    let testid = format!("value-{key}");
    let reveal_testid = format!("reveal-{key}");
    let open = move |_| state.reveal_target.set(Some(target.clone()));
    view! {
        <span class="value-cell">
            {move || text().map(|t| view! { <span class="value-text" data-testid=testid.clone()>{t}</span> })}
            {move || {
                let shown = shown();
                shown
                    .badge(i18n.t())
                    .map(|(icon, word, class)| {
                        view! {
                            <span class=format!("value-state {class}") data-state=class>
                                <span class="value-icon" aria-hidden="true">{icon}</span>
                                {word}
                            </span>
                        }
                    })
            }}
            <Show when=can_reveal>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    on:click=open.clone()
                    data-testid=reveal_testid.clone()
                >
                    {move || i18n.t().console.reveal}
                </button>
            </Show>
        </span>
    }
    .into_any()
}

/// A value retention processed: what anonymising left (as the server words it in the
/// viewer's language, choices by their labels), or when it was deleted. Neither can be
/// revealed.
#[component]
fn ProcessedCell(key: String, processed: ProcessedValue, shown: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let at = processed.at_ms;
    let date = move || local_date(at, i18n.locale().tag());
    match processed.action {
        RetentionAction::Anonymise => {
            let left = processed.anonymised.map(|a| {
                let testid = format!("value-{key}");
                view! {
                    <span class="value-text" data-testid=testid>
                        {move || shown.clone().unwrap_or_else(|| a.display(i18n.locale() == Locale::ZhCn))}
                    </span>
                }
            });
            view! {
                <span class="value-cell" data-field=key>
                    {left}
                    <span
                        class="value-state state-anonymised"
                        data-state="state-anonymised"
                        data-testid="value-anonymised"
                        title=move || fill(i18n.t().retention.value_anonymised_on, &[("date", &date())])
                    >
                        <span class="value-icon" aria-hidden="true">"◐"</span>
                        {move || i18n.t().retention.value_anonymised}
                    </span>
                </span>
            }
            .into_any()
        }
        RetentionAction::Delete => view! {
            <span class="value-cell" data-field=key>
                <span class="value-state state-erased" data-state="state-erased" data-testid="value-erased">
                    <span class="value-icon" aria-hidden="true">"⌫"</span>
                    {move || fill(i18n.t().retention.value_erased, &[("date", &date())])}
                </span>
            </span>
        }
        .into_any(),
    }
}

/// Asks why, then fetches the value in clear and shows it inline.
#[component]
pub fn RevealDialog(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<Dialog>::new();
    let reason = RwSignal::new(String::new());
    let short = RwSignal::new(false);
    let reveal = ApiCall::new(
        |api, (record_id, req): (String, RevealRequest)| async move {
            let answer = api.reveal(&record_id, &req).await?;
            Ok(((record_id, req.field), answer.value))
        },
    )
    .on_ok(move |(target, value): &((String, String), String)| {
        state
            .revealed
            .update(|r| drop(r.insert(target.clone(), value.clone())));
        close_dialog(dialog);
        state.reveal_target.set(None);
    });
    let pending = reveal.pending();
    let error = reveal.error();
    Effect::new(move |_| {
        if state.reveal_target.with(Option::is_some) {
            reason.set(String::new());
            short.set(false);
            error.set(None);
            open_dialog(dialog);
        }
    });
    let cancel = move |_| {
        close_dialog(dialog);
        state.reveal_target.set(None);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some((record_id, field)) = state.reveal_target.get_untracked() else {
            return;
        };
        let why = reason.get_untracked().trim().to_owned();
        if why.chars().count() < MIN_REVEAL_REASON_CHARS {
            short.set(true);
            return;
        }
        short.set(false);
        reveal.dispatch((record_id, RevealRequest { field, reason: why }));
    };
    let field_name = move || {
        state
            .reveal_target
            .with(|t| t.as_ref().map(|(_, f)| f.clone()).unwrap_or_default())
    };
    let issues = move || {
        let t = i18n.t();
        let mut list: Vec<String> = error.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.field_issues("reason")
                        .iter()
                        .map(|i| t.issue(i))
                        .collect()
                })
                .unwrap_or_default()
        });
        if short.get() {
            list.push(t.console.reveal_reason_short.to_owned());
        }
        list
    };
    let invalid = move || if issues().is_empty() { "false" } else { "true" };
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="reveal-title"
            on:close=move |_| state.reveal_target.set(None)
            data-testid="reveal-dialog"
        >
            <form class="form" on:submit=submit novalidate>
                <h2 id="reveal-title">{move || i18n.t().console.reveal_title}</h2>
                <p>{move || fill(i18n.t().console.reveal_intro, &[("field", &field_name())])}</p>
                <FormAlert error summary=reveal_summary />
                <div class="field" class:field-invalid=move || !issues().is_empty()>
                    <label for="reveal-reason">{move || i18n.t().console.reveal_reason}</label>
                    <p id="reveal-reason-hint" class="field-hint">
                        {move || i18n.t().console.reveal_reason_hint}
                    </p>
                    <textarea
                        id="reveal-reason"
                        rows="3"
                        required
                        minlength=MIN_REVEAL_REASON_CHARS.to_string()
                        maxlength=MAX_REVEAL_REASON_CHARS.to_string()
                        aria-invalid=invalid
                        aria-describedby="reveal-reason-hint reveal-reason-issues"
                        bind:value=reason
                        data-testid="reveal-reason"
                    ></textarea>
                    <ul id="reveal-reason-issues" class="field-issues" aria-live="polite">
                        {move || issues().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </div>
                <div class="row-actions">
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || pending.get()
                        data-testid="reveal-submit"
                    >
                        {move || {
                            let t = &i18n.t().console;
                            if pending.get() { t.reveal_pending } else { t.reveal_submit }
                        }}
                    </button>
                    <button type="button" class="button button-secondary" on:click=cancel>
                        {move || i18n.t().console.cancel}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// A role that may not reveal gets a plain sentence instead of the generic text.
fn reveal_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    (error.code == ErrorCode::Forbidden).then_some(t.console.reveal_forbidden)
}
