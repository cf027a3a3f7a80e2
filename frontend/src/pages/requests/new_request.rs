//! The form that registers a request received by letter, email, phone or in person,
//! then opens it. Its checks are in `draft.rs`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::api::requests::{NewRequest, RequestDetail, RequestKind};
use shared::i18n::Locale;

use super::draft::{RequestDraft, ID_KINDS};
use super::fields::{has_issues, issue_text, AreaField, LineField, StepButton};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::today_iso;
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::i18n::{use_i18n, Texts};

/// The person identifier kind's name.
pub(crate) fn id_kind_name(t: &Texts, kind: &str) -> &'static str {
    match kind {
        "email" => t.console.kind_email,
        "resident_id" => t.console.kind_resident_id,
        _ => t.console.kind_phone,
    }
}

/// The input type that suits an identifier kind (a phone's keypad, say).
pub(crate) fn id_input_type(kind: &str) -> &'static str {
    match kind {
        "phone" => "tel",
        "email" => "email",
        _ => "text",
    }
}

/// Registers a request.
#[component]
pub fn NewRequestForm(on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let kind = RwSignal::new(RequestKind::Access.as_str().to_owned());
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let locale = RwSignal::new(i18n.locale_untracked().tag().to_owned());
    let details = RwSignal::new(String::new());
    let received_on = RwSignal::new(today_iso());
    let id_kind = RwSignal::new(ID_KINDS[0].to_owned());
    let id_value = RwSignal::new(String::new());
    let create = ApiCall::new(|api, req: NewRequest| async move { api.create_request(&req).await })
        .on_ok(move |created: &RequestDetail| {
            navigate(
                &format!("/requests/{}", created.summary.id),
                NavigateOptions::default(),
            );
        });
    let error = create.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let draft = RequestDraft {
            kind: kind.get_untracked(),
            name: name.get_untracked(),
            contact: contact.get_untracked(),
            locale: locale.get_untracked(),
            details: details.get_untracked(),
            received_on: received_on.get_untracked(),
            id_kind: id_kind.get_untracked(),
            id_value: id_value.get_untracked(),
        };
        match draft.request() {
            Ok(req) => create.dispatch(req),
            Err(problems) => create.fail(local_validation(&problems)),
        }
    };
    let kind_options = move || {
        let locale = i18n.locale();
        RequestKind::ALL
            .into_iter()
            .map(|k| {
                let selected = kind.with_untracked(|v| v == k.as_str());
                view! { <option value=k.as_str() selected=selected>{k.label(locale)}</option> }
            })
            .collect_view()
    };
    let locale_options = Locale::ALL
        .into_iter()
        .map(|l| view! { <option value=l.tag()>{l.native_name()}</option> })
        .collect_view();
    let id_kind_options = ID_KINDS
        .into_iter()
        .map(|k| view! { <option value=k>{move || id_kind_name(i18n.t(), k)}</option> })
        .collect_view();
    let id_invalid = has_issues(error, "identifiers[0].value");
    let received_invalid = has_issues(error, "received_on");
    view! {
        <form
            id="requests-new-form"
            class="card form requests-new-form"
            on:submit=submit
            novalidate
            data-testid="requests-new-form"
        >
            <h2 id="requests-new-heading" class="small-heading" tabindex="-1">
                {move || i18n.t().requests.new_heading}
            </h2>
            <p class="muted">{move || i18n.t().requests.new_intro}</p>
            <FormAlert error />
            <div class="field">
                <label for="request-kind">{move || i18n.t().requests.kind_label}</label>
                <select id="request-kind" bind:value=kind data-testid="request-kind">
                    {kind_options}
                </select>
            </div>
            <div class="requests-pair">
                <LineField
                    id="request-name"
                    field="requester.name"
                    label=|t| t.requests.name_label
                    value=name
                    error
                    required=true
                    testid="request-name"
                />
                <LineField
                    id="request-contact"
                    field="requester.contact"
                    label=|t| t.requests.contact_label
                    hint=|t| t.requests.contact_hint.to_owned()
                    value=contact
                    error
                    required=true
                    testid="request-contact"
                />
            </div>
            <div class="field">
                <label for="request-locale">{move || i18n.t().requests.locale_label}</label>
                <p id="request-locale-hint" class="field-hint">{move || i18n.t().requests.locale_hint}</p>
                <select
                    id="request-locale"
                    bind:value=locale
                    aria-describedby="request-locale-hint"
                    data-testid="request-locale"
                >
                    {locale_options}
                </select>
            </div>
            <AreaField
                id="request-details"
                field="details"
                label=|t| t.requests.details_label
                hint=|t| t.requests.details_hint.to_owned()
                value=details
                error
                rows=4
                testid="request-details"
            />
            <div class="field" class:field-invalid=received_invalid>
                <label for="request-received">{move || i18n.t().requests.received_label}</label>
                <p id="request-received-hint" class="field-hint">{move || i18n.t().requests.received_hint}</p>
                <input
                    id="request-received"
                    type="date"
                    max=today_iso()
                    aria-invalid=move || received_invalid().to_string()
                    aria-describedby="request-received-hint request-received-issues"
                    bind:value=received_on
                    data-testid="request-received"
                />
                <FieldIssues id="request-received-issues".to_owned() field="received_on" error text=issue_text />
            </div>
            <fieldset class="field-group requests-identifier">
                <legend>{move || i18n.t().requests.identifier_legend}</legend>
                <p id="request-id-hint" class="field-hint">{move || i18n.t().requests.identifier_hint}</p>
                <div class="requests-pair">
                    <div class="field">
                        <label for="request-id-kind">{move || i18n.t().requests.identifier_kind}</label>
                        <select id="request-id-kind" bind:value=id_kind data-testid="request-id-kind">
                            {id_kind_options}
                        </select>
                    </div>
                    <div class="field" class:field-invalid=id_invalid>
                        <label for="request-id-value">{move || i18n.t().requests.identifier_value}</label>
                        <input
                            id="request-id-value"
                            type=move || id_input_type(&id_kind.get())
                            autocomplete="off"
                            spellcheck="false"
                            aria-invalid=move || id_invalid().to_string()
                            aria-describedby="request-id-hint request-id-value-issues"
                            bind:value=id_value
                            data-testid="request-id-value"
                        />
                        <FieldIssues
                            id="request-id-value-issues".to_owned()
                            field="identifiers[0].value"
                            error
                            text=issue_text
                        />
                    </div>
                </div>
            </fieldset>
            <div class="row-actions">
                <StepButton
                    label=|t| t.requests.new_submit
                    pending_label=|t| t.requests.new_pending
                    pending=create.pending()
                    testid="request-create"
                />
                <button
                    type="button"
                    class="button button-secondary"
                    on:click=move |_| on_cancel.run(())
                >
                    {move || i18n.t().console.cancel}
                </button>
            </div>
        </form>
    }
}
