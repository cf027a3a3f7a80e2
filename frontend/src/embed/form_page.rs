//! `/f/{form_id}`: the privacy pop-up, the form, an optional guardian step, the signed
//! submission (kept locally until confirmed) and the receipt.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::consent::SubmitResponse;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::forms::{VersionDetail, VERSION_ELEMENT};
use shared::schema::FormDefinition;

use super::receipt::ReceiptView;
use super::submission::{self, Pending};
use super::{api, error_text, frame};
use crate::api::ApiClient;
use crate::components::focus::focus_soon;
use crate::i18n::use_i18n;
use crate::submit::{FillStep, FormInProgress, GuardianStep};

/// Where the customer is in the flow.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Reading the notice and filling in the form.
    Filling,
    /// The answers show a minor: a guardian must consent before sending.
    Guardian,
    Sending,
    /// The server's answer, and the key of the statement's hashes that was sent.
    Done(Box<SubmitResponse>, Option<String>),
}

/// The errors worth retrying with the same signed request.
fn is_transient(error: &ApiError) -> bool {
    error.code.is_retryable()
}

/// Loads the published form, then runs the flow.
#[component]
pub fn FormPage(form_id: String) -> impl IntoView {
    let i18n = use_i18n();
    // The page carries the latest version (see `shared::api::forms::VERSION_ELEMENT`);
    // it is asked for only when it does not.
    let in_page = crate::notice::page_json::<VersionDetail>(VERSION_ELEMENT)
        .filter(|v| v.form_id.to_string() == form_id);
    let loaded = RwSignal::new(in_page.map(Ok::<_, ApiError>));
    if loaded.with_untracked(Option::is_none) {
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            loaded.set(Some(client.public_form(&form_id).await));
        });
    }
    move || match loaded.get() {
        None => view! {
            <p class="muted" role="status">{move || i18n.t().customer.loading_form}</p>
        }
        .into_any(),
        Some(Err(e)) => {
            let message = if e.code == ErrorCode::NotFound {
                i18n.t().customer.form_unavailable.to_owned()
            } else {
                error_text(&e)
            };
            view! { <p class="alert alert-error" role="alert">{message}</p> }.into_any()
        }
        Some(Ok(version)) => view! { <Flow version /> }.into_any(),
    }
}

/// The flow for one loaded version.
#[component]
fn Flow(version: VersionDetail) -> impl IntoView {
    let i18n = use_i18n();
    crate::i18n::set_page_title(version.definition.title.get(i18n.locale_untracked()));
    let form_id = version.form_id.to_string();
    let kept = submission::kept(&form_id);
    let pending = RwSignal::new(kept.clone());
    // Choices made in the first stage's pop-up, for this very version, are taken over.
    let handed_over = crate::notice::handover::take(&version.summary.hash);
    let popup_open = RwSignal::new(kept.is_none() && handed_over.is_none());
    let phase = RwSignal::new(Phase::Filling);
    let error = RwSignal::new(None::<ApiError>);
    let form = FormInProgress::new(version);
    if let Some(answers) = handed_over {
        form.choices.set(answers);
    }
    let version = form.version;

    let send = move |request: Pending| {
        phase.set(Phase::Sending);
        error.set(None);
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            match api::submit(&client, &request.form_id, &request.request).await {
                Ok(response) => {
                    submission::forget(&request.form_id);
                    pending.set(None);
                    frame::report_submitted(&response.receipt.body.statement.receipt_id);
                    phase.set(Phase::Done(Box::new(response), request.request.hash_key));
                    // The button pressed is gone: focus goes on to the receipt.
                    focus_soon(vec!["#receipt-title".to_owned()]);
                }
                Err(e) => {
                    if !is_transient(&e) {
                        // The server refused these answers: they must change, so a new
                        // signed request will be made; this one is of no further use.
                        submission::forget(&request.form_id);
                        pending.set(None);
                    }
                    error.set(Some(e));
                    phase.set(Phase::Filling);
                }
            }
        });
    };

    // Checks the answers against the published form, asks for a guardian when needed,
    // signs and sends.
    let submit_answers = move || {
        if phase.get_untracked() == Phase::Sending {
            return;
        }
        let ask_guardian = || phase.set(Phase::Guardian);
        let Some(collected) = form.ready(i18n.locale_untracked(), error, ask_guardian) else {
            return;
        };
        let Some(request) = version.with_value(|v| submission::sign(v, collected)) else {
            error.set(Some(crate::api::local_error(ErrorCode::Internal)));
            return;
        };
        let request = Pending {
            form_id: form_id.clone(),
            request,
            kept_at_ms: submission::now_ms(),
        };
        submission::keep(&request);
        pending.set(Some(request.clone()));
        send(request);
    };
    let submit_answers = StoredValue::new(submit_answers);

    let sending = move || phase.get() == Phase::Sending;
    let show_form = Memo::new(move |_| {
        let filling = matches!(phase.get(), Phase::Filling | Phase::Sending);
        let awaiting_old = pending.with(Option::is_some) && !sending() && error.get().is_none();
        filling && !popup_open.get() && !awaiting_old
    });
    let form_view = view! {
        <Show when=move || show_form.get()>
            <FillStep
                form
                popup_open
                busy=Signal::derive(sending)
                submit=Callback::new(move |()| submit_answers.with_value(|f| f()))
                id_prefix="cf"
            />
        </Show>
    };
    let guardian_view = move || {
        (phase.get() == Phase::Guardian).then(|| {
            view! {
                <GuardianStep
                    age=form.guardian_age()
                    guardian=form.guardian
                    submit=Callback::new(move |()| submit_answers.with_value(|f| f()))
                    back=Callback::new(move |()| phase.set(Phase::Filling))
                    input_id="consent-guardian"
                    class="embed-card"
                />
            }
        })
    };
    let status_view = move || {
        let t = &i18n.t().customer;
        let retry = move |_| {
            if let Some(p) = pending.get_untracked() {
                send(p);
            }
        };
        let discard = move |_| {
            if let Some(p) = pending.get_untracked() {
                submission::forget(&p.form_id);
            }
            pending.set(None);
            error.set(None);
            popup_open.set(true);
        };
        let has_pending = pending.with(Option::is_some);
        let e = error.get();
        view! {
            <Show when=sending>
                <p class="muted" role="status" data-testid="sending">{t.sending}</p>
            </Show>
            {e.map(|e| view! { <ServerProblems error=e definition=form.published /> })}
            {(has_pending && !sending())
                .then(|| {
                    view! {
                        <div class="alert alert-info" role="status" data-testid="pending-submission">
                            <p>{if error.get().is_some() { t.send_failed } else { t.pending_found }}</p>
                            <button type="button" class="button button-primary" data-testid="send-again" on:click=retry>
                                {t.send_again}
                            </button>
                            " "
                            <button type="button" class="button button-secondary" on:click=discard>
                                {t.discard}
                            </button>
                        </div>
                    }
                })}
        }
    };
    let receipt_view = move || match phase.get() {
        Phase::Done(response, hash_key) => {
            let def = version.with_value(|v| v.definition.clone());
            Some(view! { <ReceiptView definition=def response=*response hash_key /> })
        }
        _ => None,
    };
    let dialog = form.consent_dialog(popup_open, error);
    view! {
        <div class="embed-flow" data-testid="embed-form">
            {dialog}
            {status_view}
            {form_view}
            {guardian_view}
            {receipt_view}
        </div>
    }
}

/// The server's refusal: its message, then each field's problems under the field's label.
#[component]
fn ServerProblems(error: ApiError, definition: Signal<FormDefinition>) -> impl IntoView {
    let i18n = use_i18n();
    let message = error_text(&error);
    let fields = error.details.map(|d| d.fields).unwrap_or_default();
    let rows = fields
        .into_iter()
        .map(|(key, issues)| {
            let label = definition.with_untracked(|d| {
                d.field(&key)
                    .map(|f| f.label.get(i18n.locale_untracked()).to_owned())
            });
            let target = format!("#cf-{key}");
            let messages = issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" ");
            view! {
                <li data-error-field=key>
                    {match label {
                        Some(l) => view! { <a href=target>{l}</a> ": " }.into_any(),
                        None => ().into_any(),
                    }}
                    {messages}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="alert alert-error" role="alert" data-testid="submit-error">
            <p class="alert-title">{message}</p>
            <ul>{rows}</ul>
        </div>
    }
}
