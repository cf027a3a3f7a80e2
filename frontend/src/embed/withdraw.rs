//! `/withdraw#<receipt_id>.<token>`: the customer sees each purpose of their consent and
//! withdraws the ones they pick, as easily as they consented, and gets a signed
//! withdrawal receipt; below, they make other requests about their data (`request.rs`).
//! The token stays in the fragment, never in a URL the server sees.

use shared::ids::ReceiptId;
use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::consent::{ConsentStatus, ConsentTokenRequest, WithdrawalReceipt};
use shared::api::error::ApiError;

use super::request::RequestSection;
use super::submission::{download, local_time};
use super::{api, error_text};
use crate::api::ApiClient;
use crate::i18n::use_i18n;

/// The customer's withdrawal link, `<origin>/withdraw#<receipt_id>.<token>`: the token
/// is in the fragment, which browsers never send. [`parse_fragment`] reads it back.
#[must_use]
pub(crate) fn link(origin: &str, receipt_id: &str, token: &str) -> String {
    format!("{origin}/withdraw#{receipt_id}.{token}")
}

/// This page's origin: the server that stored the consent, whose `/withdraw` page the
/// link opens (known offline too).
#[must_use]
pub(crate) fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The receipt id and token from a fragment `#<receipt_id>.<token>`.
fn parse_fragment(hash: &str) -> Option<(ReceiptId, String)> {
    let (id, token) = hash.trim_start_matches('#').split_once('.')?;
    let id = ReceiptId::parse(id).ok()?;
    (!token.is_empty()).then(|| (id, token.to_owned()))
}

/// The withdrawal page.
#[component]
pub fn WithdrawPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::i18n::set_page_title(i18n.t().customer.withdraw_title);
    let link = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .and_then(|h| parse_fragment(&h));
    let (body, requests) = match link {
        None => (
            view! {
                <p class="alert alert-error" role="alert" data-testid="withdraw-bad-link">
                    {move || i18n.t().customer.withdraw_bad_link}
                </p>
            }
            .into_any(),
            None,
        ),
        Some((receipt_id, token)) => (
            view! { <Withdrawal receipt_id token=token.clone() /> }.into_any(),
            Some(view! { <RequestSection receipt_id token /> }),
        ),
    };
    view! {
        <section class="embed-card" aria-labelledby="withdraw-title">
            <h1 id="withdraw-title">{move || i18n.t().customer.withdraw_title}</h1>
            <p>{move || i18n.t().customer.withdraw_intro}</p>
            {body}
        </section>
        {requests}
    }
}

#[component]
fn Withdrawal(receipt_id: ReceiptId, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let request = StoredValue::new(ConsentTokenRequest {
        receipt_id,
        token,
        purposes: Vec::new(),
    });
    let status = RwSignal::new(None::<Result<ConsentStatus, ApiError>>);
    let picked = RwSignal::new(BTreeSet::<String>::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<WithdrawalReceipt>);
    let load = move || {
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            let req = request.get_value();
            status.set(Some(api::status(&client, &req).await));
        });
    };
    load();
    let withdraw = move |_| {
        let purposes: Vec<String> = picked.get_untracked().into_iter().collect();
        if purposes.is_empty() {
            problem.set(Some(i18n.t().customer.withdraw_pick_one.to_owned()));
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            let mut req = request.get_value();
            req.purposes = purposes;
            match api::withdraw(&client, &req).await {
                Ok(receipt) => {
                    picked.set(BTreeSet::new());
                    done.set(Some(receipt));
                    load();
                }
                Err(e) => problem.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    let purposes = move || match status.get() {
        None => view! { <p class="muted" role="status">{move || i18n.t().loading}</p> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any()
        }
        Some(Ok(s)) => {
            let locale = i18n.locale();
            let t = &i18n.t().customer;
            let rows = s
                .purposes
                .into_iter()
                .map(|p| {
                    let key = p.key.clone();
                    let id = format!("withdraw-{key}");
                    let (state, can_withdraw) = match (p.granted, p.withdrawn_at_ms) {
                        (_, Some(at)) => (format!("{} ({})", t.withdrawn, local_time(at)), false),
                        (true, None) => (t.granted.to_owned(), true),
                        (false, None) => (t.declined.to_owned(), false),
                    };
                    let toggle_key = key.clone();
                    let item_key = key.clone();
                    view! {
                        <li class="choice" data-purpose=item_key>
                            <input
                                id=id.clone()
                                type="checkbox"
                                data-testid=id.clone()
                                disabled=!can_withdraw
                                prop:checked=move || picked.with(|s| s.contains(&key))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    picked.update(|s| {
                                        if on {
                                            s.insert(toggle_key.clone());
                                        } else {
                                            s.remove(&toggle_key);
                                        }
                                    });
                                }
                            />
                            <label for=id>
                                <strong>{p.name.get(locale).to_owned()}</strong>
                                " · "
                                <span data-testid="purpose-state">{state}</span>
                            </label>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p class="muted">{s.form_title.get(locale).to_owned()} " · " {local_time(s.received_at_ms)}</p>
                <ul class="choices withdraw-list">{rows}</ul>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="withdraw-submit"
                    disabled=move || busy.get()
                    on:click=withdraw
                >
                    {move || i18n.t().customer.withdraw_submit}
                </button>
            }
            .into_any()
        }
    };
    let receipt = move || {
        done.get().map(|r| {
            let text = serde_json::to_string_pretty(&r).unwrap_or_default();
            let file = format!("consentry-withdrawal-{}.json", r.body.receipt_id);
            let saved = text.clone();
            view! {
                <div class="alert alert-success" role="status" data-testid="withdrawal-done">
                    <p>{move || i18n.t().customer.withdraw_done}</p>
                    <button
                        type="button"
                        class="button button-secondary"
                        on:click=move |_| download(&file, &saved)
                    >
                        {move || i18n.t().customer.download_withdrawal}
                    </button>
                    <pre class="receipt-pre" data-testid="withdrawal-json">{text}</pre>
                </div>
            }
        })
    };
    view! {
        {purposes}
        {move || problem.get().map(|p| view! { <p class="alert alert-error" role="alert">{p}</p> })}
        {receipt}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fragments_give_id_and_token() {
        assert_eq!(
            parse_fragment("#6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b.t0k-en"),
            Some((
                "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b".parse().unwrap(),
                "t0k-en".into()
            ))
        );
        assert_eq!(parse_fragment("#abc.t0k-en"), None, "not a receipt id");
        assert_eq!(parse_fragment("#abc"), None);
        assert_eq!(parse_fragment("#.x"), None);
        assert_eq!(parse_fragment(""), None);
    }

    #[test]
    fn the_link_carries_id_and_token_in_the_fragment_and_reads_back() {
        let id = "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b";
        let url = link("https://consent.example", id, "t0k-en_1");
        assert_eq!(
            url,
            "https://consent.example/withdraw#6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b.t0k-en_1"
        );
        let (path, fragment) = url.split_once('#').unwrap();
        assert!(path.ends_with("/withdraw"));
        assert_eq!(
            parse_fragment(&format!("#{fragment}")),
            Some((id.parse().unwrap(), "t0k-en_1".into()))
        );
    }
}
