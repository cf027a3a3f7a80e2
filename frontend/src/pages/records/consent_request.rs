//! Asking the person behind an imported record for their consent: a link to hand to
//! them (by text message or e-mail, from the staff member's own channel), shown once
//! with its expiry. The person's page (`/consent`) turns their choice into a receipt,
//! which then replaces the imported basis.

use leptos::prelude::*;
use shared::access::Permission;
use shared::api::imports::ConsentInvite;
use shared::api::records::RecordView;

use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_date;
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n};
use crate::session::use_session;

/// The full address of a link the server gave as a path.
fn absolute(link: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{link}")
}

/// The button and, once asked, the link; only for an imported record whose person has
/// not consented yet, and for those who may record withdrawals (they deal with people).
#[component]
pub fn ConsentRequest(record: RwSignal<RecordView>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let may = untrack(|| session.may(Permission::RecordWithdrawals));
    let waiting = move || {
        record.with(|r| {
            r.imported
                .as_ref()
                .is_some_and(|b| b.consented_at_ms.is_none())
        })
    };
    let link = RwSignal::new(None::<ConsentInvite>);
    let ask = ApiCall::new(|api, id: String| async move { api.consent_request(&id).await })
        .on_ok(move |invite: &ConsentInvite| link.set(Some(invite.clone())));
    let error = ask.error();
    let id = record.with_untracked(|r| r.id.to_string());
    let input_id = format!("consent-link-{id}");
    view! {
        <Show when=move || may && waiting()>
            {
                let id = id.clone();
                let input_id = input_id.clone();
                view! {
                    <div class="consent-request" data-testid="consent-request">
                        {move || match link.get() {
                            None => {
                                let id = id.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="button button-secondary button-small"
                                        data-testid="consent-request-create"
                                        disabled=move || ask.pending().get()
                                        on:click=move |_| ask.dispatch(id.clone())
                                    >
                                        {move || i18n.t().imports.consent_request_create}
                                    </button>
                                }
                                .into_any()
                            }
                            Some(invite) => {
                                let url = absolute(&invite.link);
                                let until = invite.expires_at_ms;
                                view! {
                                    <label for=input_id.clone()>
                                        {move || i18n.t().imports.consent_request_link}
                                    </label>
                                    <input
                                        id=input_id.clone()
                                        type="text"
                                        readonly
                                        class="consent-request-link"
                                        data-testid="consent-request-link"
                                        prop:value=url
                                        on:focus=move |ev| {
                                            use wasm_bindgen::JsCast as _;
                                            if let Some(input) = ev
                                                .target()
                                                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                            {
                                                input.select();
                                            }
                                        }
                                    />
                                    <p class="muted">
                                        {move || fill(
                                            i18n.t().imports.consent_request_note,
                                            &[("date", &local_date(until, i18n.locale().tag()))],
                                        )}
                                    </p>
                                }
                                .into_any()
                            }
                        }}
                        <FormAlert error />
                    </div>
                }
            }
        </Show>
    }
}
