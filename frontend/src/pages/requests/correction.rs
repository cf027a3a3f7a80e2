//! Correcting one value of a linked record: a new version of the record with the
//! request as its reason. The new value is sent as text (a choice by its option key);
//! the form's rules are the server's, and their issues show under the value.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::requests::{Correction, RequestDetail};
use shared::i18n::{Locale, LocalizedText};
use shared::ids::RecordId;

use super::draft::note;
use super::fields::{issue_text, StepButton};
use super::RequestState;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_date;
use crate::components::form::{local_validation, FormAlert};
use crate::i18n::use_i18n;
use crate::pages::retention::field_label;

/// A record that can be corrected, as the pickers offer it.
#[derive(Debug, Clone, PartialEq)]
struct Correctable {
    id: String,
    title: LocalizedText,
    created_at_ms: i64,
    /// Field keys and labels, in the record's order.
    fields: Vec<(String, LocalizedText)>,
}

/// The linked records whose values are not all erased.
fn correctable(detail: &RequestDetail) -> Vec<Correctable> {
    detail
        .records
        .iter()
        .filter(|r| !r.erased)
        .map(|r| Correctable {
            id: r.record.id.to_string(),
            title: r.record.form_title.clone(),
            created_at_ms: r.record.created_at_ms,
            fields: r
                .record
                .values
                .keys()
                .map(|k| {
                    (
                        k.clone(),
                        r.record.labels.get(k).cloned().unwrap_or_default(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// `wanted` if `options` offers it, else the first option (empty when there is none).
fn pick_or_first<'a>(wanted: &str, options: impl IntoIterator<Item = &'a String>) -> String {
    let mut first = None;
    for option in options {
        if option == wanted {
            return option.clone();
        }
        first.get_or_insert_with(|| option.clone());
    }
    first.unwrap_or_default()
}

/// The correction card, shown while the request is open and has records to correct.
#[component]
pub fn CorrectionCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let record_pick = RwSignal::new(String::new());
    let field_pick = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let id = state.id;
    let correct =
        ApiCall::new(
            move |api, c: Correction| async move { api.correct_for_request(&id, &c).await },
        )
        .on_ok(move |d: &RequestDetail| {
            state.show(d);
            value.set(String::new());
            done.set(true);
        });
    let error = correct.error();
    let records = Memo::new(move |_| detail.with(correctable));
    let record = Memo::new(move |_| {
        records.with(|list| {
            let chosen = record_pick.with(|w| pick_or_first(w, list.iter().map(|r| &r.id)));
            list.iter().find(|r| r.id == chosen).cloned()
        })
    });
    let field = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| field_pick.with(|w| pick_or_first(w, r.fields.iter().map(|(k, _)| k))))
                .unwrap_or_default()
        })
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let Some(record_id) =
            record.with_untracked(|r| r.as_ref().and_then(|r| RecordId::parse(&r.id).ok()))
        else {
            return;
        };
        let field = field.get_untracked();
        // The value is sent as typed, even empty (clearing an optional field); only
        // its length is checked here.
        match note(&value.get_untracked(), "value", false) {
            Ok(_) => correct.dispatch(Correction {
                record_id,
                field,
                value: serde_json::Value::String(value.get_untracked().trim().to_owned()),
            }),
            Err(problems) => correct.fail(local_validation(&problems)),
        }
    };
    let record_options = move || {
        let locale = i18n.locale();
        let chosen = record.with(|r| r.as_ref().map(|r| r.id.clone()));
        records
            .get()
            .into_iter()
            .map(|r| {
                let label = record_name(&r, locale);
                let selected = chosen.as_deref() == Some(r.id.as_str());
                view! { <option value=r.id selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let field_options = move || {
        let locale = i18n.locale();
        let chosen = field.get();
        record
            .get()
            .map(|r| r.fields)
            .unwrap_or_default()
            .into_iter()
            .map(|(key, label)| {
                let text = field_label(&label, &key, locale);
                let selected = key == chosen;
                view! { <option value=key selected=selected>{text}</option> }
            })
            .collect_view()
    };
    // The server names the field's key (or `value`) in its issues.
    let issues = move || {
        let t = i18n.t();
        let key = field.get();
        error.with(|e| {
            e.as_ref()
                .map(|e| {
                    [key.as_str(), "value", "field", "record_id"]
                        .into_iter()
                        .flat_map(|k| e.field_issues(k).iter().map(|i| issue_text(t, i)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let invalid = move || !issues().is_empty();
    let shown = move || state.open() && records.with(|r| !r.is_empty());
    view! {
        <Show when=shown>
            <section class="card" aria-labelledby="correction-heading" data-testid="request-correction">
                <h2 id="correction-heading" class="small-heading">{move || i18n.t().requests.correction_heading}</h2>
                <p class="muted">{move || i18n.t().requests.correction_intro}</p>
                <form class="form" on:submit=submit novalidate data-testid="correction-form">
                    <FormAlert error />
                    <div class="requests-pair">
                        <div class="field">
                            <label for="correction-record">{move || i18n.t().requests.correction_record}</label>
                            <select
                                id="correction-record"
                                prop:value=move || record.with(|r| r.as_ref().map(|r| r.id.clone()).unwrap_or_default())
                                on:change=move |ev| {
                                    record_pick.set(event_target_value(&ev));
                                    field_pick.set(String::new());
                                }
                                data-testid="correction-record"
                            >
                                {record_options}
                            </select>
                        </div>
                        <div class="field">
                            <label for="correction-field">{move || i18n.t().requests.correction_field}</label>
                            <select
                                id="correction-field"
                                prop:value=move || field.get()
                                on:change=move |ev| field_pick.set(event_target_value(&ev))
                                data-testid="correction-field"
                            >
                                {field_options}
                            </select>
                        </div>
                    </div>
                    <div class="field" class:field-invalid=invalid>
                        <label for="correction-value">{move || i18n.t().requests.correction_value}</label>
                        <p id="correction-value-hint" class="field-hint">{move || i18n.t().requests.correction_value_hint}</p>
                        <input
                            id="correction-value"
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            aria-invalid=move || invalid().to_string()
                            aria-describedby="correction-value-hint correction-value-issues"
                            bind:value=value
                            data-testid="correction-value"
                        />
                        <ul
                            id="correction-value-issues"
                            class="field-issues"
                            aria-live="polite"
                            data-error-for=move || field.get()
                        >
                            {move || issues().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                        </ul>
                    </div>
                    <StepButton
                        label=|t| t.requests.correction_submit
                        pending_label=|t| t.requests.saving
                        pending=correct.pending()
                        testid="correction-submit"
                    />
                    <Show when=move || done.get()>
                        <p class="alert alert-success" role="status" data-testid="correction-done">
                            {move || i18n.t().requests.correction_done}
                        </p>
                    </Show>
                </form>
            </section>
        </Show>
    }
}

/// A record as the picker names it: its form and the day it was collected.
fn record_name(record: &Correctable, locale: Locale) -> String {
    format!(
        "{} · {}",
        record.title.get(locale),
        local_date(record.created_at_ms, locale.tag())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pick_no_longer_offered_falls_back_to_the_first() {
        let options = ["a".to_owned(), "b".to_owned()];
        assert_eq!(pick_or_first("b", &options), "b");
        assert_eq!(pick_or_first("gone", &options), "a");
        assert_eq!(pick_or_first("", &options), "a");
        assert_eq!(pick_or_first("a", &[] as &[String]), "");
    }
}
