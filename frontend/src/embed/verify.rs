//! `/verify`: anyone pastes or uploads a receipt (a receipt document or a bare signed
//! receipt) and sees two independent verdicts: the server's, and the browser's own
//! check with `shared`'s `SignedReceipt::verify` against the published keys.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::consent::ReceiptDocument;
use shared::consent::{HashKey, SignedReceipt};
use wasm_bindgen::JsCast;

use super::{api, error_text};
use crate::api::ApiClient;
use crate::i18n::use_i18n;

/// The signed receipt in a pasted text, whichever of the two shapes it has, and the key
/// of its statement's hashes when the text is the customer's own document.
fn parse_receipt(text: &str) -> Option<(SignedReceipt, Option<HashKey>)> {
    serde_json::from_str::<ReceiptDocument>(text)
        .map(|d| (d.receipt, d.hash_key.as_deref().and_then(HashKey::parse)))
        .or_else(|_| serde_json::from_str::<SignedReceipt>(text).map(|r| (r, None)))
        .ok()
}

/// One verdict: valid, or not with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdict {
    valid: bool,
    reason: Option<String>,
}

/// The verification page.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::i18n::set_page_title(i18n.t().customer.verify_title);
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let server = RwSignal::new(None::<Verdict>);
    let local = RwSignal::new(None::<Verdict>);
    let busy = RwSignal::new(false);
    let subject = RwSignal::new(String::new());
    let names = RwSignal::new(None::<bool>);
    // The customer's document carries the hash key: offer to check whom it names.
    let keyed = Memo::new(move |_| {
        parse_receipt(&text.get())
            .and_then(|(r, key)| key.map(|k| (r.body.statement.subject_hash, k)))
    });
    let check_subject = move |_| {
        let today =
            time::OffsetDateTime::from_unix_timestamp(super::submission::now_ms().div_euclid(1000))
                .map_or(time::Date::MIN, |t| t.date());
        names.set(keyed.with_untracked(|k| {
            k.as_ref()
                .map(|(hash, key)| key.names_subject(hash, &subject.get_untracked(), today))
        }));
    };
    let check = move |_| {
        server.set(None);
        local.set(None);
        let Some((receipt, _)) = parse_receipt(&text.get_untracked()) else {
            problem.set(Some(i18n.t().customer.verify_not_json.to_owned()));
            return;
        };
        problem.set(None);
        busy.set(true);
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            server.set(Some(match api::verify(&client, &receipt).await {
                Ok(v) => Verdict {
                    valid: v.valid,
                    reason: v.problem,
                },
                Err(e) => Verdict {
                    valid: false,
                    reason: Some(error_text(&e)),
                },
            }));
            local.set(Some(match api::keys(&client).await {
                Ok(keys) => match receipt.verify(&keys) {
                    Ok(()) => Verdict {
                        valid: true,
                        reason: None,
                    },
                    Err(e) => Verdict {
                        valid: false,
                        reason: Some(e.to_string()),
                    },
                },
                Err(_) => Verdict {
                    valid: false,
                    reason: Some(i18n.t().customer.verify_keys_unavailable.to_owned()),
                },
            }));
            busy.set(false);
        });
    };
    let upload = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            spawn_local(async move {
                if let Ok(content) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    text.set(content.as_string().unwrap_or_default());
                }
            });
        }
    };
    let verdict = move |label: &'static str, testid: &'static str, v: RwSignal<Option<Verdict>>| {
        move || {
            v.get().map(|v| {
                let t = &i18n.t().customer;
                let (class, word) = if v.valid {
                    ("alert alert-success", t.verify_valid)
                } else {
                    ("alert alert-error", t.verify_invalid)
                };
                view! {
                    <div class=class data-testid=testid data-valid=v.valid.to_string()>
                        <p class="alert-title">{label} ": " {word}</p>
                        {v.reason.map(|r| view! { <p>{r}</p> })}
                    </div>
                }
            })
        }
    };
    view! {
        <section class="embed-card" aria-labelledby="verify-title">
            <h1 id="verify-title">{move || i18n.t().customer.verify_title}</h1>
            <p>{move || i18n.t().customer.verify_intro}</p>
            <div class="field">
                <label for="verify-text">{move || i18n.t().customer.verify_paste}</label>
                <textarea
                    id="verify-text"
                    rows="10"
                    class="mono"
                    data-testid="verify-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </div>
            <div class="field">
                <label for="verify-file">{move || i18n.t().customer.verify_upload}</label>
                <input id="verify-file" type="file" accept=".json,application/json" on:change=upload />
            </div>
            <button
                type="button"
                class="button button-primary"
                data-testid="verify-submit"
                disabled=move || busy.get()
                on:click=check
            >
                {move || i18n.t().customer.verify_submit}
            </button>
            {move || problem.get().map(|p| view! { <p class="alert alert-error" role="alert">{p}</p> })}
            <div aria-live="polite">
                {move || verdict(i18n.t().customer.verify_server, "verify-server", server)}
                {move || verdict(i18n.t().customer.verify_local, "verify-local", local)}
            </div>
            <Show when=move || keyed.with(Option::is_some)>
                <div class="field">
                    <label for="verify-subject">{move || i18n.t().customer.verify_subject}</label>
                    <input
                        id="verify-subject"
                        type="text"
                        autocomplete="off"
                        aria-describedby="verify-subject-help"
                        data-testid="verify-subject"
                        prop:value=move || subject.get()
                        on:input=move |ev| {
                            names.set(None);
                            subject.set(event_target_value(&ev));
                        }
                    />
                    <p id="verify-subject-help" class="muted">
                        {move || i18n.t().customer.verify_subject_help}
                    </p>
                </div>
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="verify-subject-submit"
                    on:click=check_subject
                >
                    {move || i18n.t().customer.verify_subject_submit}
                </button>
                <p aria-live="polite" data-testid="verify-subject-result">
                    {move || names.get().map(|yes| {
                        let t = &i18n.t().customer;
                        if yes { t.verify_subject_yes } else { t.verify_subject_no }
                    })}
                </p>
            </Show>
        </section>
    }
}
