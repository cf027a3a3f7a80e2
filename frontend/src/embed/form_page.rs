//! `/f/{form_id}`: the privacy pop-up, the form, an optional guardian step, the signed
//! submission (kept locally until confirmed) and the receipt.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::consent::SubmitResponse;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::forms::VersionDetail;
use shared::consent::needs_guardian;
use shared::schema::{Answers, FormDefinition};

use super::consent_dialog::{effective_definition, ConsentDialog, PopupChoices};
use super::receipt::ReceiptView;
use super::submission::{self, Pending};
use super::{api, error_text, frame};
use crate::api::ApiClient;
use crate::components::form_renderer::{state, FormRenderer};
use crate::i18n::{fill, use_i18n};

/// Where the customer is in the flow.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Reading the notice and filling in the form.
    Filling,
    /// The answers show a minor: a guardian must consent before sending.
    Guardian,
    Sending,
    Done(Box<SubmitResponse>),
}

/// The errors worth retrying with the same signed request.
fn is_transient(error: &ApiError) -> bool {
    matches!(
        error.code,
        ErrorCode::Unavailable | ErrorCode::Internal | ErrorCode::RateLimited
    )
}

/// Loads the published form, then runs the flow.
#[component]
pub fn FormPage(form_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = RwSignal::new(None::<Result<VersionDetail, ApiError>>);
    spawn_local(async move {
        let client = ApiClient::new(i18n.locale_untracked(), None);
        loaded.set(Some(client.public_form(&form_id).await));
    });
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
    let form_id = version.form_id.clone();
    let kept = submission::kept(&form_id);
    let pending = RwSignal::new(kept.clone());
    let choices = PopupChoices::new();
    let popup_open = RwSignal::new(kept.is_none());
    let phase = RwSignal::new(Phase::Filling);
    let error = RwSignal::new(None::<ApiError>);
    let guardian = RwSignal::new(false);
    let answers = RwSignal::new(Answers::new());
    let version = StoredValue::new(version);
    let full = Signal::derive(move || version.with_value(|v| v.definition.clone()));
    let effective = Memo::new(move |_| {
        let granted = choices.granted();
        let sensitive = choices.sensitive.get();
        full.with(|d| effective_definition(d, &granted, sensitive))
    });

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
                    phase.set(Phase::Done(Box::new(response)));
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
        let locale = i18n.locale_untracked();
        let today = state::today();
        let (eff, raw) = (effective.get_untracked(), answers.get_untracked());
        let checked = version
            .with_value(|v| state::validated_submission(&v.definition, &eff, &raw, locale, today));
        let (sendable, validated) = match checked {
            Ok(v) => v,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let minor = version.with_value(|v| needs_guardian(&v.definition, &validated, today));
        if minor && !guardian.get_untracked() {
            phase.set(Phase::Guardian);
            return;
        }
        let signed = version.with_value(|v| {
            let picked = choices.to_choices(&v.definition, minor && guardian.get_untracked());
            submission::sign(v, sendable, &validated, &picked, locale)
        });
        let Some(request) = signed else {
            error.set(Some(ApiError::new(
                ErrorCode::Internal,
                crate::i18n::EN.error(ErrorCode::Internal),
            )));
            return;
        };
        let request = Pending {
            form_id: form_id.clone(),
            request,
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
            <p class="embed-review">
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="review-choices"
                    on:click=move |_| popup_open.set(true)
                >
                    {move || i18n.t().customer.review_choices}
                </button>
            </p>
            <fieldset class="embed-form-wrap" disabled=sending>
                <FormRenderer
                    definition=effective
                    answers
                    on_submit=move |_| submit_answers.with_value(|f| f())
                    id_prefix="cf"
                />
            </fieldset>
        </Show>
    };
    let guardian_view = move || {
        (phase.get() == Phase::Guardian).then(|| {
            let age = version
                .with_value(|v| v.definition.guardian_consent_under_age)
                .unwrap_or_default()
                .to_string();
            view! { <GuardianStep age guardian submit=Callback::new(move |()| submit_answers.with_value(|f| f())) back=phase /> }
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
            {e.map(|e| view! { <ServerProblems error=e definition=full /> })}
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
        Phase::Done(response) => {
            let def = version.with_value(|v| v.definition.clone());
            Some(view! { <ReceiptView definition=def response=*response /> })
        }
        _ => None,
    };
    let dialog = version.with_value(|v| {
        view! {
            <ConsentDialog
                definition=v.definition.clone()
                version_hash=v.summary.hash.clone()
                choices
                open=popup_open
                on_continue=move |()| error.set(None)
            />
        }
    });
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

/// Asks for a guardian's consent before sending a minor's answers.
#[component]
fn GuardianStep(
    age: String,
    guardian: RwSignal<bool>,
    submit: Callback<()>,
    back: RwSignal<Phase>,
) -> impl IntoView {
    let i18n = use_i18n();
    let explain = move || fill(i18n.t().customer.guardian_explain, &[("age", &age)]);
    view! {
        <section class="embed-card" aria-labelledby="guardian-title" data-testid="guardian-step">
            <h2 id="guardian-title">{move || i18n.t().customer.guardian_heading}</h2>
            <p>{explain}</p>
            <div class="choice">
                <input
                    id="consent-guardian"
                    type="checkbox"
                    data-testid="consent-guardian"
                    prop:checked=move || guardian.get()
                    on:change=move |ev| guardian.set(event_target_checked(&ev))
                />
                <label for="consent-guardian">{move || i18n.t().customer.guardian_checkbox}</label>
            </div>
            <div class="form-nav">
                <button type="button" class="button button-secondary" on:click=move |_| back.set(Phase::Filling)>
                    {move || i18n.t().renderer.back}
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || !guardian.get()
                    on:click=move |_| submit.run(())
                >
                    {move || i18n.t().customer.guardian_submit}
                </button>
            </div>
        </section>
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
