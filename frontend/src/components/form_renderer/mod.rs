//! The form renderer: shows a [`FormDefinition`] exactly as customers see it, validates the
//! answers with the shared engine as the person types, and hands valid answers to its owner.
//!
//! The designer's preview, the published-version view and the customer's form all use
//! [`FormRenderer`], so what the designer sees is what people fill in. Visibility and
//! validation come from `shared::schema` only: the browser never has rules of its own.

mod field;
mod inputs;
mod signature;
pub mod state;

use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::schema::{
    validate, validate_field, Answers, FieldKey, FormDefinition, ValidatedAnswers, ValidationIssue,
};
use time::Date;
use wasm_bindgen::JsCast;

use crate::components::focus::{focus_soon, page_heading};
use crate::i18n::{fill, use_i18n};
use field::SectionView;

/// What every part of one rendered form shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormState {
    definition: Signal<FormDefinition>,
    answers: RwSignal<Answers>,
    /// Fields whose issues are shown: left once, changed (choices), or part of a failed submit.
    touched: RwSignal<BTreeSet<String>>,
    visible: Memo<BTreeSet<FieldKey>>,
    /// The answers that would be sent: visible fields only.
    sendable: Memo<Answers>,
    today: Date,
    prefix: &'static str,
}

impl FormState {
    /// The `id` of the field's (first) input.
    fn input_id(self, key: &str) -> String {
        format!("{}-{key}", self.prefix)
    }

    /// The shared engine's issues with one field, given all answers so far (tracked).
    fn issues(self, key: &str) -> Vec<ValidationIssue> {
        self.definition.with(|d| {
            self.sendable
                .with(|a| validate_field(d, a, key, self.today))
        })
    }

    /// Starts showing the field's issues.
    fn touch(self, key: &str) {
        if !self.touched.with_untracked(|t| t.contains(key)) {
            self.touched.update(|t| {
                t.insert(key.to_owned());
            });
        }
    }

    /// Replaces the answer to `key` (a blank value removes it).
    fn set(self, key: &str, value: serde_json::Value) {
        self.answers.update(|a| state::set_answer(a, key, value));
    }
}

/// A form definition rendered for filling in.
///
/// `answers` holds what has been entered (in the API's answer shape) and may be read or
/// preset by the owner; `on_submit` receives the validated answers of the visible fields.
#[component]
pub fn FormRenderer(
    /// The form to show; it may change (the designer's live preview).
    #[prop(into)]
    definition: Signal<FormDefinition>,
    /// The answers, by field key.
    answers: RwSignal<Answers>,
    /// Called with the answers once they are all valid.
    #[prop(into)]
    on_submit: Callback<ValidatedAnswers>,
    /// The `id` of the form element and the prefix of its inputs' ids; unique on the page.
    #[prop(default = "form")]
    id_prefix: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let today = state::today();
    let visible =
        Memo::new(move |_| definition.with(|d| answers.with(|a| d.visible_fields(a, today))));
    let sendable = Memo::new(move |_| {
        definition.with(|d| answers.with(|a| visible.with(|v| state::submittable(d, a, v))))
    });
    let form = FormState {
        definition,
        answers,
        touched: RwSignal::new(BTreeSet::new()),
        visible,
        sendable,
        today,
        prefix: id_prefix,
    };
    let page = RwSignal::new(0_usize);
    let attempted = RwSignal::new(false);
    let page_count = Memo::new(move |_| definition.with(|d| state::pages(d).len()));

    // Defaults fill the fields that have no answer yet.
    Effect::new(move |_| {
        definition.with(|d| {
            let missing = answers.with_untracked(|a| {
                d.fields()
                    .any(|f| f.default.is_some() && !a.contains_key(f.key.as_str()))
            });
            if missing {
                answers.update(|a| state::apply_defaults(d, a));
            }
        });
    });
    // A definition with fewer pages (designer edits) must not leave us past the end.
    Effect::new(move |_| {
        let count = page_count.get();
        if page.get_untracked() >= count {
            page.set(count.saturating_sub(1));
        }
    });

    let issue_count = Memo::new(move |_| {
        let touched = form.touched.get();
        definition.with(|d| {
            sendable.with(|a| match validate(d, a, today) {
                Ok(_) => 0,
                Err(e) => e
                    .issues
                    .iter()
                    .map(|i| i.field.as_str())
                    .filter(|f| touched.contains(*f))
                    .collect::<BTreeSet<_>>()
                    .len(),
            })
        })
    });

    let on_submit_event = move |ev: SubmitEvent| {
        ev.prevent_default();
        let current = page.get_untracked();
        let last = current + 1 >= page_count.get_untracked();
        let result =
            definition.with_untracked(|d| sendable.with_untracked(|a| validate(d, a, today)));
        let problems: Vec<String> = match result {
            Ok(valid) if last => {
                attempted.set(false);
                on_submit.run(valid);
                return;
            }
            Ok(_) => Vec::new(),
            Err(errors) => {
                let on_page = definition.with_untracked(|d| state::keys_on_page(d, current));
                let mut keys: Vec<String> = Vec::new();
                for issue in errors.issues {
                    if (last || on_page.contains(&issue.field)) && !keys.contains(&issue.field) {
                        keys.push(issue.field);
                    }
                }
                keys
            }
        };
        let Some(first) = problems.first().cloned() else {
            page.set(current + 1);
            to_page_start(id_prefix);
            return;
        };
        attempted.set(true);
        form.touched.update(|t| t.extend(problems));
        if let Some(target) = definition.with_untracked(|d| state::page_of_field(d, &first)) {
            page.set(target);
        }
        request_animation_frame(move || focus_field(id_prefix, &first));
    };

    let body = move || {
        let current = page.get();
        definition.with(|d| {
            state::pages(d)
                .get(current)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|i| d.sections.get(i).cloned())
                .map(|section| view! { <SectionView form section /> })
                .collect_view()
        })
    };
    let text = move |get: fn(&FormDefinition) -> &shared::i18n::LocalizedText| {
        move || definition.with(|d| get(d).get(i18n.locale()).to_owned())
    };
    let is_last = move || page.get() + 1 >= page_count.get();

    view! {
        <form id=id_prefix class="rendered-form" novalidate on:submit=on_submit_event>
            <header class="rendered-form-header">
                <h2 class="rendered-form-title" tabindex="-1">{text(|d| &d.title)}</h2>
                <p class="rendered-form-description">{text(|d| &d.description)}</p>
            </header>
            <Show when=move || { attempted.get() && issue_count.get() > 0 }>
                <div class="alert alert-error" role="alert" data-testid="form-issues-summary">
                    <p class="alert-title">
                        {move || {
                            fill(
                                i18n.t().renderer.issues_summary,
                                &[("count", &issue_count.get().to_string())],
                            )
                        }}
                    </p>
                </div>
            </Show>
            {body}
            <Show when=is_last>
                <PrivacyNotice definition />
            </Show>
            <div class="form-nav">
                <Show when=move || { page.get() > 0 }>
                    <button
                        type="button"
                        class="button button-secondary"
                        data-testid="form-back"
                        on:click=move |_| {
                            page.update(|p| *p = p.saturating_sub(1));
                            to_page_start(id_prefix);
                        }
                    >
                        {move || i18n.t().renderer.back}
                    </button>
                </Show>
                <Show when=move || { page_count.get() > 1 }>
                    <span class="form-page-indicator" aria-live="polite">
                        {move || {
                            fill(
                                i18n.t().renderer.page_of,
                                &[
                                    ("n", &(page.get() + 1).to_string()),
                                    ("total", &page_count.get().to_string()),
                                ],
                            )
                        }}
                    </span>
                </Show>
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid=move || if is_last() { "form-submit" } else { "form-next" }
                >
                    {move || {
                        let t = &i18n.t().renderer;
                        if is_last() { t.submit } else { t.next }
                    }}
                </button>
            </div>
        </form>
    }
}

/// Who collects the data and the privacy notice, folded, above the submit button.
#[component]
fn PrivacyNotice(definition: Signal<FormDefinition>) -> impl IntoView {
    let i18n = use_i18n();
    let paragraphs = move || {
        definition.with(|d| {
            d.notice
                .get(i18n.locale())
                .split("\n\n")
                .filter(|p| !p.trim().is_empty())
                .map(|p| view! { <p class="preserve-lines">{p.to_owned()}</p> })
                .collect_view()
        })
    };
    let controller = move || {
        definition.with(|d| {
            let name = d.controller.name.get(i18n.locale());
            let contact = &d.controller.contact;
            match (name.trim().is_empty(), contact.trim().is_empty()) {
                (true, true) => String::new(),
                (false, true) => name.to_owned(),
                (true, false) => contact.clone(),
                (false, false) => format!("{name} · {contact}"),
            }
        })
    };
    view! {
        <details class="form-privacy">
            <summary>{move || i18n.t().renderer.privacy_notice}</summary>
            <p class="muted">{move || i18n.t().renderer.controller} ": " {controller}</p>
            {paragraphs}
        </details>
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Moves keyboard focus to the first input of the field `key`.
fn focus_field(prefix: &str, key: &str) {
    let selector = format!(
        "#{prefix} [data-field-key=\"{key}\"] input, #{prefix} [data-field-key=\"{key}\"] textarea"
    );
    if let Some(el) = document()
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Brings the top of the form into view after a page change and focuses the new page's
/// heading (focus would otherwise stay on Next, below the new page's fields).
fn to_page_start(prefix: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(prefix)) {
        el.scroll_into_view();
    }
    focus_soon(page_heading(prefix));
}
