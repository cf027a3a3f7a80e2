//! The submit step the customer app (`embed::form_page`) and staff collection
//! (`collect::fill`) share: the form narrowed by the choices made in the privacy pop-up,
//! the answers checked as the server will check them, a guardian's consent asked for
//! when they show a minor, and then what the consent statement is built from.
//!
//! Only what follows differs: the customer's browser signs the statement with a fresh
//! key and sends it (`embed::submission::sign`); a staff device signs the record's sync
//! envelope with its own key and keeps it in the outbox (`offline::outbox`). Both build
//! the statement with `shared::consent::build_statement`.

use leptos::prelude::*;
use shared::api::error::ApiError;
use shared::api::forms::VersionDetail;
use shared::consent::{needs_guardian, ConsentChoices};
use shared::i18n::Locale;
use shared::schema::{Answers, FormDefinition, ValidatedAnswers};
use time::Date;

use crate::components::focus::{focus_soon, form_title};
use crate::components::form_renderer::{state, FormRenderer};
use crate::embed::consent_dialog::{effective_definition, ConsentDialog, PopupChoices};
use crate::embed::submission::Choices;
use crate::i18n::{fill, use_i18n};

/// What the customer gave: the answers to send, the same answers checked with the
/// published definition, and the choices made in the privacy pop-up.
#[derive(Debug, Clone)]
pub struct Collected {
    pub answers: Answers,
    pub validated: ValidatedAnswers,
    pub choices: Choices,
    pub locale: Locale,
}

/// One published form version being filled in: the choices made in the privacy pop-up,
/// the answers so far and a guardian's consent.
#[derive(Clone, Copy)]
pub struct FormInProgress {
    pub version: StoredValue<VersionDetail>,
    pub choices: PopupChoices,
    pub answers: RwSignal<Answers>,
    /// A guardian consented (asked only when the answers show a minor).
    pub guardian: RwSignal<bool>,
    /// The published definition.
    pub published: Signal<FormDefinition>,
    /// The published definition narrowed by the choices: what the renderer shows.
    pub shown: Memo<FormDefinition>,
}

impl FormInProgress {
    /// Nothing chosen or answered yet.
    #[must_use]
    pub fn new(version: VersionDetail) -> Self {
        let version = StoredValue::new(version);
        let choices = PopupChoices::new();
        let published = Signal::derive(move || version.with_value(|v| v.definition.clone()));
        let shown = Memo::new(move |_| {
            let granted = choices.granted();
            let sensitive = choices.sensitive.get();
            published.with(|d| effective_definition(d, &granted, sensitive))
        });
        Self {
            version,
            choices,
            answers: RwSignal::new(Answers::new()),
            guardian: RwSignal::new(false),
            published,
            shown,
        }
    }

    /// The answers and choices so far, checked at the browser's date (untracked): ready
    /// to build the statement from, or `None` once `error` holds the problems or
    /// `ask_guardian` has run because a guardian must consent first.
    pub fn ready(
        self,
        locale: Locale,
        error: RwSignal<Option<ApiError>>,
        ask_guardian: impl FnOnce(),
    ) -> Option<Collected> {
        let (shown, raw) = (self.shown.get_untracked(), self.answers.get_untracked());
        let guardian = self.guardian.get_untracked();
        let checked = self.version.with_value(|v| {
            let choices = self.choices.to_choices(&v.definition);
            check(
                &v.definition,
                &shown,
                &raw,
                choices,
                guardian,
                locale,
                state::today(),
            )
        });
        match checked {
            Checked::Ready(collected) => Some(collected),
            Checked::NeedsGuardian => {
                ask_guardian();
                None
            }
            Checked::Invalid(e) => {
                error.set(Some(e));
                None
            }
        }
    }

    /// Starts again with nothing chosen or answered (the next customer).
    pub fn clear(self) {
        self.answers.set(Answers::new());
        self.choices.clear();
        self.guardian.set(false);
    }

    /// The privacy pop-up, shown while `open`; continuing from it clears `error`.
    pub fn consent_dialog(
        self,
        open: RwSignal<bool>,
        error: RwSignal<Option<ApiError>>,
    ) -> impl IntoView {
        self.version.with_value(|v| {
            view! {
                <ConsentDialog
                    definition=v.definition.clone()
                    version_hash=v.summary.hash.clone()
                    choices=self.choices
                    open
                    on_continue=move |()| error.set(None)
                />
            }
        })
    }

    /// The form's guardian age, as text.
    #[must_use]
    pub fn guardian_age(self) -> String {
        self.version
            .with_value(|v| v.definition.guardian_consent_under_age)
            .unwrap_or_default()
            .to_string()
    }
}

/// Where a submit stands after the check.
#[derive(Debug, Clone)]
pub enum Checked {
    /// Some answers are missing or wrong; nothing is built.
    Invalid(ApiError),
    /// The answers show a minor and no guardian has consented yet.
    NeedsGuardian,
    /// Ready to build the statement from.
    Ready(Collected),
}

/// Checks `raw` answers as the server will: the answers of the fields `shown` displays,
/// validated against the `published` definition; a minor's answers wait for a guardian.
/// `choices` come from the pop-up; their guardian consent is set here, as the answers
/// need it.
#[must_use]
pub fn check(
    published: &FormDefinition,
    shown: &FormDefinition,
    raw: &Answers,
    mut choices: ConsentChoices,
    guardian: bool,
    locale: Locale,
    today: Date,
) -> Checked {
    let (answers, validated) =
        match state::validated_submission(published, shown, raw, locale, today) {
            Ok(checked) => checked,
            Err(e) => return Checked::Invalid(e),
        };
    let minor = needs_guardian(published, &validated, today);
    if minor && !guardian {
        return Checked::NeedsGuardian;
    }
    choices.separate.guardian = minor;
    Checked::Ready(Collected {
        answers,
        validated,
        choices,
        locale,
    })
}

/// The form as the customer's choices narrow it, under a button that reopens the pop-up
/// to review those choices (hidden when they may not change: an edit of a synced record
/// keeps the consent as given).
#[component]
pub fn FillStep(
    form: FormInProgress,
    popup_open: RwSignal<bool>,
    /// Sending or saving: the form is disabled.
    #[prop(into)]
    busy: Signal<bool>,
    submit: Callback<()>,
    /// The renderer's id prefix.
    id_prefix: &'static str,
    #[prop(default = true)] can_review: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    // Shown when the pop-up closes: focus goes on to the form, not back to the page.
    focus_soon(form_title(id_prefix));
    view! {
        <p class="embed-review" hidden=!can_review>
            <button
                type="button"
                class="button button-secondary button-small"
                data-testid="review-choices"
                on:click=move |_| popup_open.set(true)
            >
                {move || i18n.t().customer.review_choices}
            </button>
        </p>
        <fieldset class="embed-form-wrap" disabled=busy>
            <FormRenderer
                definition=form.shown
                answers=form.answers
                on_submit=move |_| submit.run(())
                id_prefix
            />
        </fieldset>
    }
}

/// Asks for a guardian's consent before a minor's answers go further.
#[component]
pub fn GuardianStep(
    /// The form's guardian age.
    age: String,
    guardian: RwSignal<bool>,
    submit: Callback<()>,
    back: Callback<()>,
    /// The checkbox's `id` (and test id).
    input_id: &'static str,
    /// The section's class.
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let explain = move || fill(i18n.t().customer.guardian_explain, &[("age", &age)]);
    view! {
        <section class=class aria-labelledby="guardian-title" data-testid="guardian-step">
            <h2 id="guardian-title">{move || i18n.t().customer.guardian_heading}</h2>
            <p>{explain}</p>
            <div class="choice">
                <input
                    id=input_id
                    type="checkbox"
                    data-testid=input_id
                    prop:checked=move || guardian.get()
                    on:change=move |ev| guardian.set(event_target_checked(&ev))
                />
                <label for=input_id>{move || i18n.t().customer.guardian_checkbox}</label>
            </div>
            <div class="form-nav">
                <button type="button" class="button button-secondary" on:click=move |_| back.run(())>
                    {move || i18n.t().renderer.back}
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || !guardian.get()
                    on:click=move |_| submit.run(())
                >
                    {move || i18n.t().customer.guardian_submit}
                </button>
            </div>
        </section>
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use shared::consent::SeparateConsents;
    use time::Month;

    use super::*;

    fn on(year: i32) -> Date {
        Date::from_calendar_date(year, Month::June, 1).unwrap()
    }

    fn run(answers: &Answers, guardian: bool, today: Date) -> Checked {
        let def = FormDefinition::demo_customer_registration();
        check(
            &def,
            &def,
            answers,
            ConsentChoices::all_demo(),
            guardian,
            Locale::En,
            today,
        )
    }

    #[test]
    fn valid_answers_are_ready_with_the_choices_and_no_guardian() {
        let Checked::Ready(c) = run(&FormDefinition::demo_answers(), false, on(2026)) else {
            panic!("the demo answers should be ready");
        };
        assert_eq!(c.answers, FormDefinition::demo_answers());
        assert_eq!(c.choices.granted, ConsentChoices::all_demo().granted);
        assert_eq!(
            c.choices.separate,
            SeparateConsents {
                sensitive: true,
                ..SeparateConsents::default()
            }
        );
    }

    #[test]
    fn a_minor_waits_for_a_guardian_whose_consent_goes_into_the_choices() {
        let answers = FormDefinition::demo_answers();
        assert!(matches!(
            run(&answers, false, on(2000)),
            Checked::NeedsGuardian
        ));
        let Checked::Ready(c) = run(&answers, true, on(2000)) else {
            panic!("a guardian consented");
        };
        assert!(c.choices.separate.guardian);
        // A guardian ticked for an adult is not recorded.
        let Checked::Ready(c) = run(&answers, true, on(2026)) else {
            panic!("an adult's answers are ready");
        };
        assert!(!c.choices.separate.guardian);
    }

    #[test]
    fn missing_answers_are_refused() {
        let mut answers = FormDefinition::demo_answers();
        answers.remove("full_name");
        assert!(matches!(
            run(&answers, false, on(2026)),
            Checked::Invalid(_)
        ));
    }
}
