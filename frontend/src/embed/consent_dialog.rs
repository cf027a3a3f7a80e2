//! The privacy pop-up shown before anything is collected: who collects, the notice,
//! one choice per purpose (nothing pre-selected), and the separate consents the form
//! needs (sensitive information, transfer abroad). A native modal `<dialog>` keeps
//! keyboard focus inside it; Escape does not dismiss it without a choice.

use std::collections::{BTreeMap, BTreeSet};

use leptos::html::Dialog;
use leptos::prelude::*;
use shared::consent::notice::{PopupAnswers, PrivacyNotice};
use shared::consent::{ConsentChoices, SeparateConsents};
use shared::schema::{FormDefinition, Sensitivity};

use super::rich_text;
use crate::components::lang_switch::LangSwitch;
use crate::i18n::{fill, use_i18n};

/// What the customer has chosen so far in the pop-up.
#[derive(Debug, Clone, Copy)]
pub struct PopupChoices {
    /// Purpose key → agreed (absent: not chosen yet).
    pub decisions: RwSignal<BTreeMap<String, bool>>,
    pub sensitive: RwSignal<bool>,
    pub cross_border: RwSignal<bool>,
}

impl PopupChoices {
    #[must_use]
    pub fn new() -> Self {
        Self {
            decisions: RwSignal::new(BTreeMap::new()),
            sensitive: RwSignal::new(false),
            cross_border: RwSignal::new(false),
        }
    }

    /// The purposes agreed to (tracked).
    #[must_use]
    pub fn granted(self) -> BTreeSet<String> {
        self.decisions.with(|d| {
            d.iter()
                .filter(|(_, agreed)| **agreed)
                .map(|(k, _)| k.clone())
                .collect()
        })
    }

    /// The statement's purposes and separate consents, in the form's purpose order; the
    /// guardian's consent is the submit step's to set (`crate::submit::check`).
    #[must_use]
    pub fn to_choices(self, def: &FormDefinition) -> ConsentChoices {
        let separate = SeparateConsents {
            sensitive: self.sensitive.get_untracked(),
            cross_border: self.cross_border.get_untracked(),
            guardian: false,
        };
        self.decisions
            .with_untracked(|d| ConsentChoices::from_decisions(def, d, separate))
    }

    /// The choices so far (tracked), as the pop-up's rule reads them.
    #[must_use]
    pub fn answers(self) -> PopupAnswers {
        PopupAnswers {
            decisions: self.decisions.get(),
            sensitive: self.sensitive.get(),
            cross_border: self.cross_border.get(),
        }
    }

    /// Takes over choices made elsewhere (the first stage's pop-up).
    pub fn set(self, answers: PopupAnswers) {
        self.decisions.set(answers.decisions);
        self.sensitive.set(answers.sensitive);
        self.cross_border.set(answers.cross_border);
    }

    /// Forgets every choice (the next customer).
    pub fn clear(self) {
        self.decisions.set(BTreeMap::new());
        self.sensitive.set(false);
        self.cross_border.set(false);
    }
}

impl Default for PopupChoices {
    fn default() -> Self {
        Self::new()
    }
}

/// The form as this customer may fill it in: fields none of whose purposes was agreed
/// to are left out (the server refuses their answers), and so are sensitive fields
/// without the separate consent.
#[must_use]
pub fn effective_definition(
    def: &FormDefinition,
    granted: &BTreeSet<String>,
    sensitive: bool,
) -> FormDefinition {
    let mut out = def.clone();
    for section in &mut out.sections {
        section.fields.retain(|f| {
            let consented =
                f.purposes.is_empty() || f.purposes.iter().any(|p| granted.contains(p.as_str()));
            consented && (sensitive || f.sensitivity != Sensitivity::Sensitive)
        });
    }
    out.sections.retain(|s| !s.fields.is_empty());
    out
}

/// The modal privacy pop-up; `open` shows and hides it, `on_continue` runs once the
/// choices allow the form to be filled in.
#[component]
pub fn ConsentDialog(
    definition: FormDefinition,
    version_hash: String,
    choices: PopupChoices,
    open: RwSignal<bool>,
    #[prop(into)] on_continue: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() {
            if !el.open() {
                let _ = el.show_modal();
            }
        } else if el.open() {
            el.close();
        }
    });
    let notice = StoredValue::new(PrivacyNotice::of(&definition, &version_hash));
    let def = StoredValue::new(definition);
    let problems = Memo::new(move |_| {
        let (answers, locale) = (choices.answers(), i18n.locale());
        notice.with_value(|n| {
            n.blockers(&answers)
                .iter()
                .map(|b| crate::notice::blocker_text(n, b, locale))
                .collect::<Vec<_>>()
        })
    });
    let attempted = RwSignal::new(false);
    let purposes = move || {
        def.with_value(|d| {
            d.purposes
                .iter()
                .map(|p| purpose_choice(choices, p))
                .collect_view()
        })
    };
    let sensitive = def.with_value(|d| {
        d.has_sensitive_fields().then(|| {
            let text = d.sensitive_consent_text.clone();
            view! {
                <fieldset class="consent-separate">
                    <legend>{move || i18n.t().customer.sensitive_heading}</legend>
                    <div class="choice">
                        <input
                            id="consent-sensitive"
                            type="checkbox"
                            data-testid="consent-sensitive"
                            prop:checked=move || choices.sensitive.get()
                            on:change=move |ev| choices.sensitive.set(event_target_checked(&ev))
                        />
                        <label for="consent-sensitive">
                            {move || text.get(i18n.locale()).to_owned()}
                        </label>
                    </div>
                </fieldset>
            }
        })
    });
    let cross_border = def.with_value(|d| {
        d.cross_border.clone().map(|transfer| {
            view! {
                <fieldset class="consent-separate">
                    <legend>{move || i18n.t().customer.cross_border_heading}</legend>
                    <div class="choice">
                        <input
                            id="consent-cross-border"
                            type="checkbox"
                            data-testid="consent-cross-border"
                            prop:checked=move || choices.cross_border.get()
                            on:change=move |ev| {
                                choices.cross_border.set(event_target_checked(&ev));
                            }
                        />
                        <label for="consent-cross-border">
                            {move || {
                                fill(
                                    i18n.t().customer.cross_border_text,
                                    &[
                                        ("recipient", &transfer.recipient),
                                        ("country", &transfer.country),
                                    ],
                                )
                            }}
                            " "
                            {move || transfer.purpose.get(i18n.locale()).to_owned()}
                        </label>
                    </div>
                </fieldset>
            }
        })
    });
    let guardian = def.with_value(|d| {
        d.guardian_consent_under_age.map(|age| {
            view! {
                <p class="consent-guardian-note">
                    {move || fill(i18n.t().customer.guardian_notice, &[("age", &age.to_string())])}
                </p>
            }
        })
    });
    let controller = move || def.with_value(|d| d.controller.name.get(i18n.locale()).to_owned());
    let contact = def.with_value(|d| d.controller.contact.clone());
    let notice = move || def.with_value(|d| rich_text::render(d.notice.get(i18n.locale())));
    let go = move |_| {
        if problems.with_untracked(Vec::is_empty) {
            open.set(false);
            on_continue.run(());
        } else {
            attempted.set(true);
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="consent-dialog"
            aria-labelledby="privacy-title"
            data-testid="privacy-dialog"
            on:cancel=|ev: leptos::ev::Event| ev.prevent_default()
            // Where the browser closes it anyway (Chromium's close watchers let a second
            // Escape, or one before any other input, through), it opens again.
            on:close=move |_| {
                if open.get_untracked() {
                    if let Some(el) = dialog.get_untracked() {
                        let _ = el.show_modal();
                    }
                }
            }
        >
            // The page behind a modal dialog is inert: the pop-up has its own switch.
            <div class="consent-dialog-top">
                <LangSwitch />
            </div>
            // Opens with its title focused (see the first stage's `view.rs`).
            <h2 id="privacy-title" tabindex="-1" autofocus=true>
                {move || i18n.t().customer.privacy_title}
            </h2>
            <p class="muted">{move || i18n.t().customer.privacy_intro}</p>
            <dl class="consent-controller">
                <dt>{move || i18n.t().customer.controller}</dt>
                <dd data-testid="controller-name">{controller}</dd>
                <dt>{move || i18n.t().customer.contact}</dt>
                <dd>{contact}</dd>
            </dl>
            <div class="consent-notice" data-testid="privacy-notice">{notice}</div>
            <p class="consent-version">
                {move || i18n.t().customer.version} ": " <code>{version_hash}</code>
            </p>
            <h3>{move || i18n.t().customer.purposes_heading}</h3>
            <p class="muted">{move || i18n.t().customer.purposes_help}</p>
            {purposes}
            {sensitive}
            {cross_border}
            {guardian}
            <Show when=move || attempted.get() && !problems.with(Vec::is_empty)>
                <div class="alert alert-error" role="alert" data-testid="privacy-problems">
                    <ul>
                        {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    </ul>
                </div>
            </Show>
            <div class="form-nav">
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="privacy-continue"
                    on:click=go
                >
                    {move || i18n.t().customer.continue_to_form}
                </button>
            </div>
        </dialog>
    }
}

/// One purpose with its agree/decline pair; neither is selected at first.
fn purpose_choice(choices: PopupChoices, purpose: &shared::schema::Purpose) -> impl IntoView {
    let i18n = use_i18n();
    let key = purpose.key.as_str().to_owned();
    let name = purpose.name.clone();
    let description = purpose.description.clone();
    let required = purpose.required;
    let group = format!("purpose-{key}");
    let option = move |agree: bool| {
        let key = key.clone();
        let id = format!("{group}-{}", if agree { "agree" } else { "decline" });
        let read = key.clone();
        view! {
            <div class="choice">
                <input
                    id=id.clone()
                    type="radio"
                    name=group.clone()
                    data-testid=id.clone()
                    prop:checked=move || choices.decisions.with(|d| d.get(&read) == Some(&agree))
                    on:change=move |_| {
                        choices.decisions.update(|d| {
                            d.insert(key.clone(), agree);
                        });
                    }
                />
                <label for=id>
                    {move || {
                        let t = &i18n.t().customer;
                        if agree { t.agree } else { t.decline }
                    }}
                </label>
            </div>
        }
    };
    view! {
        <fieldset class="consent-purpose" data-purpose=purpose.key.as_str().to_owned()>
            <legend>{move || name.get(i18n.locale()).to_owned()}</legend>
            <p>{move || description.get(i18n.locale()).to_owned()}</p>
            <p class="muted">
                {move || {
                    let t = &i18n.t().customer;
                    if required { t.purpose_required } else { t.purpose_optional }
                }}
            </p>
            <div class="choices choices-inline">{option(true)} {option(false)}</div>
        </fieldset>
    }
}
