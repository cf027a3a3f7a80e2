//! One record linked to a request: its form and date, how it was found, the legal holds
//! that block its erasure, its values by label with their state in words, its consent
//! per purpose, and links to its history and to take it off the request.

use leptos::prelude::*;
use shared::access::Visibility;
use shared::api::consent::PurposeState;
use shared::api::records::ViewValue;
use shared::api::requests::LinkedRecord;
use shared::ids::RecordId;
use shared::schema::RetentionAction;

use crate::components::console_ui::local_date;
use crate::i18n::{fill, use_i18n, Texts};
use crate::pages::retention::field_label;

/// One linked record: form and date, how it was found, holds, values, consent, and its
/// history and unlink.
#[component]
pub fn LinkedRecordCard<F>(
    linked: LinkedRecord,
    open: bool,
    unlinking: Signal<Option<RecordId>>,
    on_unlink: F,
) -> impl IntoView
where
    F: Fn(RecordId) + Copy + 'static,
{
    let i18n = use_i18n();
    let LinkedRecord {
        mut record,
        purposes,
        found_by,
        erased,
        holds,
        ..
    } = linked;
    let record_id = record.id;
    let id = record.id.to_string();
    let title = record.form_title.clone();
    let created = record.created_at_ms;
    let heading = move || {
        let locale = i18n.locale();
        let title = title.get(locale).to_owned();
        format!("{title} · {}", local_date(created, locale.tag()))
    };
    let labels = std::mem::take(&mut record.labels);
    let values = record
        .take_ordered_values()
        .into_iter()
        .map(|(key, value)| {
            let label = labels.get(&key).cloned().unwrap_or_default();
            let field = key.clone();
            view! {
                <div class="record-value" data-field=field>
                    <dt>{move || field_label(&label, &key, i18n.locale())}</dt>
                    <dd><LinkedValue value erased /></dd>
                </div>
            }
        })
        .collect_view();
    let holds = holds
        .into_iter()
        .map(|reason| {
            view! {
                <li data-testid="held-reason">
                    <span aria-hidden="true">"🔒 "</span>
                    {move || fill(i18n.t().requests.held, &[("reason", &reason)])}
                </li>
            }
        })
        .collect::<Vec<_>>();
    let has_holds = !holds.is_empty();
    let purposes = purposes
        .into_iter()
        .map(|p| view! { <PurposeLine purpose=p /> })
        .collect::<Vec<_>>();
    let has_purposes = !purposes.is_empty();
    let pending = move || unlinking.get() == Some(record_id);
    view! {
        <article class="requests-record" data-testid="linked-record" data-record-id=id data-erased=erased.to_string()>
            <h3 class="small-heading">{heading}</h3>
            <p class="muted requests-found-by">{move || i18n.t().requests.found_by(&found_by)}</p>
            {erased.then(|| view! {
                <p class="value-state state-erased" data-testid="record-erased">
                    <span class="value-icon" aria-hidden="true">"⌫"</span>
                    {move || i18n.t().requests.record_erased}
                </p>
            })}
            {has_holds.then(|| view! { <ul class="alert alert-warning requests-holds">{holds}</ul> })}
            <dl class="record-values">{values}</dl>
            {has_purposes.then(|| view! {
                <h4 class="requests-minor-heading">{move || i18n.t().requests.consent_heading}</h4>
                <ul class="requests-purposes">{purposes}</ul>
            })}
            <div class="row-actions">
                <a
                    class="button button-secondary button-small"
                    href=format!("/records/{id}/history")
                    data-testid="record-history-link"
                >
                    {move || i18n.t().requests.history}
                </a>
                {open.then(|| view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        disabled=pending
                        on:click=move |_| on_unlink(record_id)
                        data-testid="record-unlink"
                    >
                        {move || {
                            let t = &i18n.t().requests;
                            if pending() { t.unlinking } else { t.unlink }
                        }}
                    </button>
                })}
            </div>
        </article>
    }
}

/// The icon, word and class of a value's state, `None` for a plain value.
fn value_state(
    t: &Texts,
    value: &ViewValue,
    erased: bool,
) -> Option<(&'static str, &'static str, &'static str)> {
    if let Some(processed) = &value.retention {
        return Some(match processed.action {
            RetentionAction::Delete => ("⌫", t.requests.value_erased, "state-erased"),
            RetentionAction::Anonymise => ("◐", t.retention.value_anonymised, "state-anonymised"),
        });
    }
    if value.unreadable {
        return Some(("⚠", t.console.state_unreadable, "state-unreadable"));
    }
    if value.withdrawn {
        return Some(("⊘", t.console.state_withdrawn, "state-withdrawn"));
    }
    if erased && value.display.is_none() {
        return Some(("⌫", t.requests.value_erased, "state-erased"));
    }
    match value.visibility {
        Visibility::Full => None,
        Visibility::Masked => Some(("✱", t.console.state_masked, "state-masked")),
        Visibility::Hidden => Some(("🔒", t.console.state_hidden, "state-hidden")),
    }
}

/// A value as the server shows it, with its state in words beside an icon.
#[component]
fn LinkedValue(value: ViewValue, erased: bool) -> impl IntoView {
    let i18n = use_i18n();
    let display = value.display.clone();
    let state = move || {
        value_state(i18n.t(), &value, erased).map(|(icon, word, class)| {
            view! {
                <span class=format!("value-state {class}") data-state=class>
                    <span class="value-icon" aria-hidden="true">{icon}</span>
                    {word}
                </span>
            }
        })
    };
    view! {
        <span class="value-cell">
            {display.map(|d| view! { <span class="value-text" data-testid="linked-value">{d}</span> })}
            {state}
        </span>
    }
}

/// One purpose of the record's consent: granted or declined, and when withdrawn.
#[component]
fn PurposeLine(purpose: PurposeState) -> impl IntoView {
    let i18n = use_i18n();
    let PurposeState {
        key,
        name: label,
        required,
        granted,
        withdrawn_at_ms,
    } = purpose;
    let state = move || {
        let t = &i18n.t().requests;
        match (granted, withdrawn_at_ms) {
            (_, Some(at)) => (
                "⊘",
                fill(
                    t.purpose_withdrawn,
                    &[("date", &local_date(at, i18n.locale().tag()))],
                ),
            ),
            (true, None) => ("✓", t.purpose_granted.to_owned()),
            (false, None) => ("✗", t.purpose_declined.to_owned()),
        }
    };
    let status = match (granted, withdrawn_at_ms) {
        (_, Some(_)) => "withdrawn",
        (true, None) => "granted",
        (false, None) => "declined",
    };
    let purpose = key.clone();
    let required = required.then(|| {
        view! { <span class="badge">{move || i18n.t().requests.purpose_required}</span> }
    });
    view! {
        <li data-testid="linked-purpose" data-purpose=purpose data-consent=status>
            <span class="requests-purpose-label">{move || field_label(&label, &key, i18n.locale())}</span>
            {required}
            ": "
            <span aria-hidden="true">{move || state().0}" "</span>
            {move || state().1}
        </li>
    }
}
