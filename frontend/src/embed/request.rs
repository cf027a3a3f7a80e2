//! The customer's own data-subject request, on their consent page (`/withdraw`): what
//! each kind means, a short form (kind, name, where to answer, details, language of the
//! answer), and once sent the reference to quote with the date it is due.
//!
//! The receipt's secret token shows the request is theirs (`POST /public/requests`).
//! Withdrawal is left out: the section above this one does it. Like the rest of the
//! customer app, there is no session here, so the call runs in `spawn_local` with a busy
//! flag rather than through the console's `ApiCall`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::error::ApiError;
use shared::api::requests::{
    CustomerRequest, RequestFiled, RequestKind, Requester, MAX_REQUESTER_CHARS,
    MAX_REQUEST_TEXT_CHARS,
};
use shared::i18n::Locale;
use shared::ids::ReceiptId;

use super::error_text;
use super::submission::local_time;
use crate::api::ApiClient;
use crate::components::focus::focus_soon;
use crate::i18n::{fill, use_i18n, Texts};

/// The kinds a customer files here, in the order the select lists them.
const KINDS: [RequestKind; 5] = [
    RequestKind::Access,
    RequestKind::Copy,
    RequestKind::Correction,
    RequestKind::Erasure,
    RequestKind::Restriction,
];

/// The keys of the fields in the server's `validation_failed` errors.
const NAME: &str = "requester.name";
const CONTACT: &str = "requester.contact";
const DETAILS: &str = "details";

/// A problem found before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Required,
    TooLong(usize),
    /// A correction must say what is wrong and what is right.
    CorrectionNeedsDetails,
}

/// The problems of a request as typed (trimmed), by field key: the rules the server
/// applies, checked first so the customer hears at once.
fn check(
    kind: RequestKind,
    name: &str,
    contact: &str,
    details: &str,
) -> Vec<(&'static str, Problem)> {
    let mut problems = Vec::new();
    for (field, text) in [(NAME, name), (CONTACT, contact)] {
        if text.is_empty() {
            problems.push((field, Problem::Required));
        } else if text.chars().count() > MAX_REQUESTER_CHARS {
            problems.push((field, Problem::TooLong(MAX_REQUESTER_CHARS)));
        }
    }
    if kind == RequestKind::Correction && details.is_empty() {
        problems.push((DETAILS, Problem::CorrectionNeedsDetails));
    } else if details.chars().count() > MAX_REQUEST_TEXT_CHARS {
        problems.push((DETAILS, Problem::TooLong(MAX_REQUEST_TEXT_CHARS)));
    }
    problems
}

/// A problem in words.
fn problem_text(t: &Texts, field: &str, problem: Problem) -> String {
    let c = &t.customer_request;
    match problem {
        Problem::Required if field == NAME => c.name_required.to_owned(),
        Problem::Required => c.contact_required.to_owned(),
        Problem::CorrectionNeedsDetails => c.details_required_correction.to_owned(),
        Problem::TooLong(max) => fill(c.too_long, &[("max", &max.to_string())]),
    }
}

/// The explanation of a kind.
fn explanation(t: &Texts, kind: RequestKind) -> &'static str {
    let c = &t.customer_request;
    match kind {
        RequestKind::Access => c.explain_access,
        RequestKind::Copy => c.explain_copy,
        RequestKind::Correction => c.explain_correction,
        RequestKind::Erasure => c.explain_erasure,
        RequestKind::Restriction => c.explain_restriction,
        RequestKind::Withdrawal => c.explain_withdrawal,
    }
}

/// The section "Your rights": the explanation, then the form or, once sent, the
/// confirmation.
#[component]
pub fn RequestSection(receipt_id: ReceiptId, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(token);
    let kind = RwSignal::new(RequestKind::Access);
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let details = RwSignal::new(String::new());
    // `None`: the page's language, whichever it is when sent.
    let answer_locale = RwSignal::new(None::<Locale>);
    let problems = RwSignal::new(Vec::<(&'static str, Problem)>::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let filed = RwSignal::new(None::<RequestFiled>);
    let locale = move || answer_locale.get().unwrap_or_else(|| i18n.locale());

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let kind = kind.get_untracked();
        let name = name.get_untracked().trim().to_owned();
        let contact = contact.get_untracked().trim().to_owned();
        let details = details.get_untracked().trim().to_owned();
        error.set(None);
        let found = check(kind, &name, &contact, &details);
        let ok = found.is_empty();
        problems.set(found);
        if !ok {
            return;
        }
        let request = CustomerRequest {
            receipt_id,
            token: token.get_value(),
            kind,
            requester: Requester {
                name,
                contact,
                locale: untrack(locale),
            },
            details,
        };
        busy.set(true);
        spawn_local(async move {
            let client = ApiClient::new(i18n.locale_untracked(), None);
            match client.file_request(&request).await {
                Ok(done) => {
                    filed.set(Some(done));
                    focus_soon(vec!["#dsr-done-title".to_owned()]);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    // A field's messages: those found before sending, else the server's.
    let messages = move |field: &'static str| {
        let t = i18n.t();
        let local: Vec<String> = problems.with(|p| {
            p.iter()
                .filter(|(f, _)| *f == field)
                .map(|(f, p)| problem_text(t, f, *p))
                .collect()
        });
        if !local.is_empty() {
            return local;
        }
        error.with(|e| {
            e.as_ref()
                .map(|e| e.field_issues(field).iter().map(|i| t.issue(i)).collect())
                .unwrap_or_default()
        })
    };
    let issues = move |field: &'static str, id: &'static str| {
        view! {
            <ul id=id class="field-issues" aria-live="polite" data-error-for=field>
                {move || messages(field).into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        }
    };
    let invalid = move |field: &'static str| !messages(field).is_empty();
    let aria_invalid = move |field: &'static str| if invalid(field) { "true" } else { "false" };
    // The alert above the button: fields to check, or what the server said.
    let alert = move || {
        let t = i18n.t();
        let has_fields = problems.with(|p| !p.is_empty())
            || error.with(|e| {
                e.as_ref()
                    .and_then(|e| e.details.as_ref())
                    .is_some_and(|d| !d.is_empty())
            });
        let text = if has_fields {
            Some(t.customer_request.check_fields.to_owned())
        } else {
            error.with(|e| e.as_ref().map(error_text))
        };
        text.map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })
    };
    let is_correction = move || kind.get() == RequestKind::Correction;

    let form = move || {
        view! {
            <form class="form dsr-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="dsr-kind">{move || i18n.t().customer_request.kind_label}</label>
                    <select
                        id="dsr-kind"
                        data-testid="dsr-kind"
                        on:change=move |ev| {
                            if let Some(k) = RequestKind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                            }
                        }
                    >
                        {KINDS
                            .into_iter()
                            .map(|k| {
                                view! {
                                    <option value=k.as_str() selected=move || kind.get() == k>
                                        {move || k.label(i18n.locale())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field" class:field-invalid=move || invalid(NAME)>
                    <label for="dsr-name">{move || i18n.t().customer_request.name_label}</label>
                    <input
                        id="dsr-name"
                        type="text"
                        autocomplete="name"
                        required
                        maxlength=MAX_REQUESTER_CHARS.to_string()
                        aria-invalid=move || aria_invalid(NAME)
                        aria-describedby="dsr-name-issues"
                        data-testid="dsr-name"
                        bind:value=name
                    />
                    {issues(NAME, "dsr-name-issues")}
                </div>
                <div class="field" class:field-invalid=move || invalid(CONTACT)>
                    <label for="dsr-contact">
                        {move || i18n.t().customer_request.contact_label}
                    </label>
                    <p id="dsr-contact-hint" class="field-hint">
                        {move || i18n.t().customer_request.contact_hint}
                    </p>
                    <input
                        id="dsr-contact"
                        type="text"
                        required
                        maxlength=MAX_REQUESTER_CHARS.to_string()
                        aria-invalid=move || aria_invalid(CONTACT)
                        aria-describedby="dsr-contact-hint dsr-contact-issues"
                        data-testid="dsr-contact"
                        bind:value=contact
                    />
                    {issues(CONTACT, "dsr-contact-issues")}
                </div>
                <div class="field" class:field-invalid=move || invalid(DETAILS)>
                    <label for="dsr-details">
                        {move || i18n.t().customer_request.details_label}
                    </label>
                    <p id="dsr-details-hint" class="field-hint">
                        {move || {
                            let c = &i18n.t().customer_request;
                            if is_correction() { c.details_hint_correction } else { c.details_hint }
                        }}
                    </p>
                    <textarea
                        id="dsr-details"
                        rows="4"
                        maxlength=MAX_REQUEST_TEXT_CHARS.to_string()
                        required=is_correction
                        aria-invalid=move || aria_invalid(DETAILS)
                        aria-describedby="dsr-details-hint dsr-details-issues"
                        data-testid="dsr-details"
                        bind:value=details
                    ></textarea>
                    {issues(DETAILS, "dsr-details-issues")}
                </div>
                <div class="field">
                    <label for="dsr-locale">{move || i18n.t().customer_request.locale_label}</label>
                    <select
                        id="dsr-locale"
                        data-testid="dsr-locale"
                        on:change=move |ev| {
                            answer_locale.set(Locale::from_tag(&event_target_value(&ev)));
                        }
                    >
                        {Locale::ALL
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <option value=l.tag() lang=l.tag() selected=move || locale() == l>
                                        {l.native_name()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                {alert}
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="dsr-submit"
                    disabled=move || busy.get()
                    aria-busy=move || if busy.get() { "true" } else { "false" }
                >
                    {move || {
                        let c = &i18n.t().customer_request;
                        if busy.get() { c.sending } else { c.submit }
                    }}
                </button>
            </form>
        }
    };

    let another = move |_| {
        details.set(String::new());
        filed.set(None);
    };
    let done = move |f: RequestFiled| {
        view! {
            <div class="dsr-done" role="status" data-testid="dsr-done">
                <h3 id="dsr-done-title" tabindex="-1">
                    {move || i18n.t().customer_request.done_title}
                </h3>
                <p class="dsr-reference-label">
                    {move || i18n.t().customer_request.reference_label}
                </p>
                <p class="dsr-reference" data-testid="dsr-reference">{f.reference}</p>
                <p>{move || i18n.t().customer_request.reference_note}</p>
                <dl class="receipt-summary">
                    <dt>{move || i18n.t().customer_request.received}</dt>
                    <dd data-testid="dsr-received">{local_time(f.received_at_ms)}</dd>
                    <dt>{move || i18n.t().customer_request.due}</dt>
                    <dd data-testid="dsr-due">{local_time(f.due_at_ms)}</dd>
                </dl>
                <button type="button" class="button button-secondary" on:click=another>
                    {move || i18n.t().customer_request.another}
                </button>
            </div>
        }
    };

    view! {
        <section class="embed-card dsr-section" aria-labelledby="dsr-title" data-testid="dsr-section">
            <h2 id="dsr-title">{move || i18n.t().customer_request.heading}</h2>
            <p>{move || i18n.t().customer_request.intro}</p>
            <p>{move || i18n.t().customer_request.deadline_note}</p>
            <h3 class="dsr-kinds-title">{move || i18n.t().customer_request.kinds_heading}</h3>
            <ul class="dsr-kinds">
                {KINDS
                    .into_iter()
                    .chain([RequestKind::Withdrawal])
                    .map(|k| view! { <li>{move || explanation(i18n.t(), k)}</li> })
                    .collect_view()}
            </ul>
            {move || match filed.get() {
                Some(f) => done(f).into_any(),
                None => form().into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_contact_are_needed_and_limited() {
        assert_eq!(
            check(RequestKind::Access, "", "", ""),
            vec![(NAME, Problem::Required), (CONTACT, Problem::Required)]
        );
        let long = "x".repeat(MAX_REQUESTER_CHARS + 1);
        assert_eq!(
            check(RequestKind::Erasure, &long, "li@example.com", ""),
            vec![(NAME, Problem::TooLong(MAX_REQUESTER_CHARS))]
        );
        assert!(check(RequestKind::Access, "Li Wei", "13800000000", "").is_empty());
    }

    #[test]
    fn a_correction_says_what_is_wrong() {
        assert_eq!(
            check(RequestKind::Correction, "Li Wei", "13800000000", ""),
            vec![(DETAILS, Problem::CorrectionNeedsDetails)]
        );
        assert!(check(
            RequestKind::Correction,
            "Li Wei",
            "13800000000",
            "My city is Shanghai, not Beijing"
        )
        .is_empty());
        let long = "x".repeat(MAX_REQUEST_TEXT_CHARS + 1);
        assert_eq!(
            check(RequestKind::Copy, "Li Wei", "13800000000", &long),
            vec![(DETAILS, Problem::TooLong(MAX_REQUEST_TEXT_CHARS))]
        );
    }

    #[test]
    fn problems_are_worded_for_their_field() {
        let t = crate::i18n::texts(Locale::En);
        assert_eq!(problem_text(t, NAME, Problem::Required), "Enter your name.");
        assert_eq!(
            problem_text(t, CONTACT, Problem::Required),
            t.customer_request.contact_required
        );
        assert!(problem_text(t, DETAILS, Problem::TooLong(2000)).contains("2000"));
    }

    #[test]
    fn withdrawal_is_not_offered_here() {
        assert!(!KINDS.contains(&RequestKind::Withdrawal));
        assert_eq!(KINDS.len() + 1, RequestKind::ALL.len());
    }
}
