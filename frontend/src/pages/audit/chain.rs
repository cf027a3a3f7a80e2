//! Verifying the audit chain and signing its head on demand.

use leptos::prelude::*;
use shared::api::error::ApiError;

use crate::components::api_call::ApiCall;
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n};

/// The Integrity card: Verify chain and Sign head now, with their reports.
#[component]
pub fn ChainPanel() -> impl IntoView {
    let i18n = use_i18n();
    // One alert for both buttons.
    let error = RwSignal::new(None::<ApiError>);
    let verify = ApiCall::with_error(error, |api, ()| async move { api.verify_audit().await });
    let sign = ApiCall::with_error(error, |api, ()| async move {
        api.sign_audit_head().await.map(|head| head.map(|h| h.seq))
    });
    let verifying = verify.pending();
    let signing = sign.pending();
    let report_view = move || {
        verify.value().map(|r| {
            let t = &i18n.t().console;
            let broken = r.report.first_break.is_some();
            let (class, icon, title) = if broken {
                ("alert alert-error chain-report", "✗", t.chain_broken)
            } else {
                ("alert alert-success chain-report", "✓", t.chain_intact)
            };
            let message = r.message.clone();
            view! {
                <div
                    class=class
                    role=if broken { "alert" } else { "status" }
                    data-testid="chain-report"
                    data-broken=if broken { "true" } else { "false" }
                >
                    <p class="alert-title">
                        <span aria-hidden="true">{icon} " "</span>
                        <span data-testid="chain-status">{title}</span>
                    </p>
                    <dl class="facts">
                        <div>
                            <dt>{t.entries_checked}</dt>
                            <dd data-testid="chain-entries">{r.report.entries_checked}</dd>
                        </div>
                        <div>
                            <dt>{t.heads_checked}</dt>
                            <dd>{r.report.heads_checked}</dd>
                        </div>
                        {message
                            .map(|m| {
                                view! {
                                    <div>
                                        <dt>{t.first_break}</dt>
                                        <dd data-testid="chain-break">{m}</dd>
                                    </div>
                                }
                            })}
                    </dl>
                </div>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="chain-heading">
            <h2 id="chain-heading" class="small-heading">
                {move || i18n.t().console.chain_heading}
            </h2>
            <FormAlert error />
            <div class="row-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || verifying.get()
                    on:click=move |_| verify.run()
                    data-testid="chain-verify"
                >
                    {move || {
                        let t = &i18n.t().console;
                        if verifying.get() { t.verifying } else { t.verify }
                    }}
                </button>
                <button
                    type="button"
                    class="button button-secondary"
                    disabled=move || signing.get()
                    on:click=move |_| sign.run()
                    data-testid="chain-sign"
                >
                    {move || {
                        let t = &i18n.t().console;
                        if signing.get() { t.signing_head } else { t.sign_head }
                    }}
                </button>
            </div>
            {report_view}
            {move || {
                sign.value()
                    .map(|seq| {
                        let t = &i18n.t().console;
                        let text = match seq {
                            Some(seq) => fill(t.head_signed, &[("seq", &seq.to_string())]),
                            None => t.head_none.to_owned(),
                        };
                        view! {
                            <p class="alert alert-success" role="status">
                                {text}
                            </p>
                        }
                    })
            }}
        </section>
    }
}
