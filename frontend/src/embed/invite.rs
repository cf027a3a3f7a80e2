//! `/consent#<token>`: a consent request for a record that was imported from a
//! spreadsheet. The page says who holds the person's information and on what basis,
//! opens the same privacy pop-up as a form, and signs the person's choices over the
//! record's hashes (made by the server with a key it keeps: the page never sees a
//! value). The server countersigns a receipt, shown as after a form, with its
//! withdrawal link. The token stays in the fragment, which browsers never send.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::consent::SubmitResponse;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::imports::{AcceptInvitation, ConsentInvitation, InviteToken};
use shared::consent::build_statement_over;

use super::consent_dialog::{ConsentDialog, PopupChoices};
use super::receipt::ReceiptView;
use super::submission::{now_ms, random};
use super::{api, error_text};
use crate::api::ApiClient;
use crate::i18n::{fill, use_i18n};

/// The token in the page's fragment.
fn token() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// Loads the request, then asks.
#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token();
    let loaded = RwSignal::new(None::<Result<ConsentInvitation, ApiError>>);
    let t = token.clone();
    spawn_local(async move {
        let client = ApiClient::new(i18n.locale_untracked(), None);
        loaded.set(Some(
            api::open_invitation(&client, &InviteToken { token: t }).await,
        ));
    });
    move || match loaded.get() {
        None => view! {
            <p class="muted" role="status">{move || i18n.t().customer.invite_loading}</p>
        }
        .into_any(),
        Some(Err(e)) => {
            let t = &i18n.t().customer;
            let message = match e.code {
                ErrorCode::AlreadyResolved => t.invite_answered.to_owned(),
                ErrorCode::Gone => t.invite_expired.to_owned(),
                ErrorCode::NotFound => t.invite_invalid.to_owned(),
                _ => error_text(&e),
            };
            view! { <p class="alert alert-error" role="alert" data-testid="invite-error">{message}</p> }
                .into_any()
        }
        Some(Ok(invitation)) => view! { <Ask invitation token=token.clone() /> }.into_any(),
    }
}

/// The intro, the pop-up and, once answered, the receipt.
#[component]
fn Ask(invitation: ConsentInvitation, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let def = invitation.version.definition.clone();
    crate::i18n::set_page_title(def.title.get(i18n.locale_untracked()));
    let choices = PopupChoices::new();
    let open = RwSignal::new(true);
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<SubmitResponse>);
    let invitation = StoredValue::new(invitation);
    let token = StoredValue::new(token);
    let send = move |()| {
        if sending.get_untracked() {
            return;
        }
        let Some(seed) = random::<32>() else {
            error.set(Some(crate::api::local_error(ErrorCode::Internal)));
            return;
        };
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let request = invitation.with_value(|inv| {
            let statement = build_statement_over(
                &inv.version,
                &inv.hashes,
                &choices.to_choices(&inv.version.definition),
                inv.receipt_id.to_string(),
                (now_ms(), i18n.locale_untracked()),
            );
            let (client_public_key, client_signature) = statement.sign(&key);
            AcceptInvitation {
                token: token.get_value(),
                statement,
                client_public_key,
                client_signature,
            }
        });
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            match api::accept_invitation(&client, &request).await {
                Ok(response) => done.set(Some(response)),
                Err(e) => {
                    error.set(Some(e));
                    open.set(true);
                }
            }
            sending.set(false);
        });
    };
    let intro = move || {
        invitation.with_value(|inv| {
            let locale = i18n.locale();
            let def = &inv.version.definition;
            let purposes = inv
                .purposes_held
                .iter()
                .map(|k| {
                    def.purpose(k.as_str())
                        .map_or_else(|| k.to_string(), |p| p.name.get(locale).to_owned())
                })
                .collect::<Vec<_>>()
                .join("、");
            fill(
                i18n.t().customer.invite_intro,
                &[
                    ("controller", def.controller.name.get(locale)),
                    ("purposes", &purposes),
                    ("basis", inv.basis.label(locale)),
                ],
            )
        })
    };
    let version_hash = invitation.with_value(|inv| inv.version.summary.hash.clone());
    view! {
        <div class="embed-flow" data-testid="consent-request">
            {move || match done.get() {
                Some(response) => {
                    let def = invitation.with_value(|inv| inv.version.definition.clone());
                    view! { <ReceiptView definition=def response hash_key=None /> }.into_any()
                }
                None => view! {
                    <section class="embed-card">
                        <h1>{move || i18n.t().customer.invite_title}</h1>
                        <p data-testid="invite-intro">{intro}</p>
                        <p class="muted">{move || i18n.t().customer.invite_declined_note}</p>
                        <Show when=move || sending.get()>
                            <p class="muted" role="status">{move || i18n.t().customer.invite_sending}</p>
                        </Show>
                        {move || error.get().map(|e| view! {
                            <p class="alert alert-error" role="alert" data-testid="invite-send-error">
                                {error_text(&e)}
                            </p>
                        })}
                        <button
                            type="button"
                            class="button button-primary"
                            data-testid="invite-review"
                            on:click=move |_| open.set(true)
                        >
                            {move || i18n.t().customer.invite_review}
                        </button>
                        <ConsentDialog
                            definition=def.clone()
                            version_hash=version_hash.clone()
                            choices
                            open
                            on_continue=Callback::new(move |()| {
                                open.set(false);
                                send(());
                            })
                        />
                    </section>
                }
                .into_any(),
            }}
        </div>
    }
}
