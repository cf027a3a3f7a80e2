//! The form-wide settings: title, description, controller, purposes, notices, embedding,
//! cross-border transfer and guardian age.

use leptos::prelude::*;
use shared::i18n::LocalizedText;
use shared::schema::{CrossBorderTransfer, FormDefinition, LawfulBasis, Purpose, PurposeKey};

use super::embed::EmbedPanel;
use super::field_editor::{json_name, KeyInput};
use super::retention::{PeriodInputs, DEFAULT_PURPOSE_PERIOD};
use super::Editor;
use crate::i18n::use_i18n;
use crate::pages::forms::widgets::{
    bilingual, checkbox, label, parse_optional, select, set_text, text_input,
};

const BASES: [LawfulBasis; 7] = [
    LawfulBasis::Consent,
    LawfulBasis::Contract,
    LawfulBasis::Employment,
    LawfulBasis::LegalObligation,
    LawfulBasis::VitalInterests,
    LawfulBasis::PublicInterest,
    LawfulBasis::LegitimateInterests,
];

/// A bilingual input bound to one text of the definition.
fn form_text(
    editor: Editor,
    id: &str,
    label_text: crate::pages::forms::widgets::Label,
    read: fn(&FormDefinition) -> &LocalizedText,
    write: fn(&mut FormDefinition) -> &mut LocalizedText,
    multiline: bool,
) -> impl IntoView {
    bilingual(
        id,
        label_text,
        move || editor.draft.with(|d| read(d).clone()),
        move |locale, value| editor.edit(|d| set_text(write(d), locale, value)),
        multiline,
        Some(id),
    )
}

/// The settings, folded by default; problems about them open it.
#[component]
pub fn SettingsPanel(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let guardian_text = RwSignal::new(
        editor
            .draft
            .with_untracked(|d| d.guardian_consent_under_age.map(|a| a.to_string()))
            .unwrap_or_default(),
    );
    let guardian_invalid = RwSignal::new(false);
    let cross_border = move || editor.draft.with(|d| d.cross_border.clone());
    let edit_transfer = move |change: Box<dyn FnOnce(&mut CrossBorderTransfer)>| {
        editor.edit(|d| {
            if let Some(t) = d.cross_border.as_mut() {
                change(t);
            }
        });
    };
    view! {
        <details
            class="card settings"
            data-testid="form-settings"
            prop:open=move || editor.settings_open.get()
            on:toggle=move |ev| {
                let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                if open != editor.settings_open.get_untracked() {
                    editor.settings_open.set(open);
                }
            }
        >
            <summary data-testid="form-settings-toggle">{move || i18n.t().designer.settings}</summary>
            {form_text(editor, "title", |t| t.title, |d| &d.title, |d| &mut d.title, false)}
            {form_text(editor, "description", |t| t.description, |d| &d.description, |d| &mut d.description, true)}
            {form_text(editor, "controller-name", |t| t.controller_name, |d| &d.controller.name, |d| &mut d.controller.name, false)}
            {text_input(
                "controller-contact".to_owned(),
                label(|t| t.controller_contact),
                move || editor.draft.with(|d| d.controller.contact.clone()),
                move |v| editor.edit(|d| d.controller.contact = v),
                false,
                Some("controller-contact".to_owned()),
            )}
            <Purposes editor />
            {form_text(editor, "notice", |t| t.notice, |d| &d.notice, |d| &mut d.notice, true)}
            {form_text(editor, "sensitive-consent", |t| t.sensitive_consent, |d| &d.sensitive_consent_text, |d| &mut d.sensitive_consent_text, true)}
            {text_input(
                "embed-origins".to_owned(),
                label(|t| t.embed_origins),
                move || editor.draft.with(|d| d.embed_origins.join("\n")),
                move |v| editor.edit(|d| d.embed_origins = v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()),
                true,
                Some("embed-origins".to_owned()),
            )}
            <EmbedPanel form_id=editor.id />
            {checkbox(
                "cross-border".to_owned(),
                label(|t| t.cross_border),
                move || cross_border().is_some(),
                move |on| editor.edit(|d| {
                    d.cross_border = on.then(|| CrossBorderTransfer {
                        recipient: String::new(),
                        country: String::new(),
                        purpose: LocalizedText::default(),
                    });
                }),
                Some("cross-border".to_owned()),
            )}
            <Show when=move || cross_border().is_some()>
                <div class="nested">
                    {text_input(
                        "cross-border-recipient".to_owned(),
                        label(|t| t.cross_border_recipient),
                        move || cross_border().map(|t| t.recipient).unwrap_or_default(),
                        move |v| edit_transfer(Box::new(move |t| t.recipient = v)),
                        false,
                        Some("cross-border-recipient".to_owned()),
                    )}
                    {text_input(
                        "cross-border-country".to_owned(),
                        label(|t| t.cross_border_country),
                        move || cross_border().map(|t| t.country).unwrap_or_default(),
                        move |v| edit_transfer(Box::new(move |t| t.country = v)),
                        false,
                        Some("cross-border-country".to_owned()),
                    )}
                    {bilingual(
                        "cross-border-purpose",
                        |t| t.cross_border_purpose,
                        move || cross_border().map(|t| t.purpose).unwrap_or_default(),
                        move |locale, v| edit_transfer(Box::new(move |t| set_text(&mut t.purpose, locale, v))),
                        false,
                        Some("cross-border-purpose"),
                    )}
                </div>
            </Show>
            <div class="field" class:field-invalid=move || guardian_invalid.get()>
                <label for="guardian-age">{move || i18n.t().designer.guardian_age}</label>
                <input
                    id="guardian-age"
                    type="text"
                    inputmode="numeric"
                    data-testid="guardian-age"
                    prop:value=move || guardian_text.get()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        match parse_optional::<u8>(&text) {
                            Ok(age) => {
                                guardian_invalid.set(false);
                                editor.edit(|d| d.guardian_consent_under_age = age);
                            }
                            Err(()) => guardian_invalid.set(true),
                        }
                        guardian_text.set(text);
                    }
                />
                <p class="field-issues">{move || guardian_invalid.get().then(|| i18n.t().designer.invalid_number)}</p>
            </div>
        </details>
    }
}

/// The purposes: key, name, description, lawful basis and whether required.
#[component]
fn Purposes(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| editor.draft.with(|d| d.purposes.len()));
    let edit = move |i: usize, change: Box<dyn FnOnce(&mut Purpose)>| {
        editor.edit(|d| {
            if let Some(p) = d.purposes.get_mut(i) {
                change(p);
            }
        });
    };
    let read = move |i: usize| editor.draft.with(|d| d.purposes.get(i).cloned());
    let add = move |_| {
        editor.edit(|d| {
            let key = (1..)
                .map(|n| format!("purpose_{n}"))
                .find(|k| d.purpose(k).is_none());
            if let Some(key) = key.and_then(|k| PurposeKey::parse(k).ok()) {
                d.purposes.push(Purpose {
                    key,
                    name: LocalizedText::default(),
                    description: LocalizedText::default(),
                    lawful_basis: LawfulBasis::Consent,
                    required: false,
                    retention: None,
                });
            }
        });
    };
    let rows = move || {
        (0..count.get())
            .map(|i| {
                let initial = read(i).map(|p| p.key.as_str().to_owned()).unwrap_or_default();
                let on_key = Callback::new(move |key: String| {
                    if let Ok(key) = PurposeKey::parse(key) {
                        edit(i, Box::new(move |p| p.key = key));
                    }
                });
                view! {
                    <li class="purpose-row" data-testid="purpose-row">
                        <KeyInput id=format!("purpose-{i}-key") label_text=|t| t.purpose_key initial on_valid=on_key testid="purpose-key" />
                        {bilingual(&format!("purpose-{i}-name"), |t| t.purpose_name,
                            move || read(i).map(|p| p.name).unwrap_or_default(),
                            move |locale, v| edit(i, Box::new(move |p| set_text(&mut p.name, locale, v))),
                            false, Some("purpose-name"))}
                        {bilingual(&format!("purpose-{i}-description"), |t| t.description,
                            move || read(i).map(|p| p.description).unwrap_or_default(),
                            move |locale, v| edit(i, Box::new(move |p| set_text(&mut p.description, locale, v))),
                            true, Some("purpose-description"))}
                        {select(
                            format!("purpose-{i}-basis"),
                            label(|t| t.lawful_basis),
                            move || BASES.iter().map(|b| (json_name(b), i18n.t().designer.basis(*b).to_owned())).collect(),
                            move || read(i).map(|p| json_name(&p.lawful_basis)).unwrap_or_default(),
                            move |v| if let Some(b) = BASES.into_iter().find(|b| json_name(b) == v) { edit(i, Box::new(move |p| p.lawful_basis = b)) },
                            Some("purpose-basis".to_owned()),
                        )}
                        {checkbox(
                            format!("purpose-{i}-required"),
                            label(|t| t.purpose_required),
                            move || read(i).is_some_and(|p| p.required),
                            move |on| edit(i, Box::new(move |p| p.required = on)),
                            Some("purpose-required".to_owned()),
                        )}
                        {checkbox(
                            format!("purpose-{i}-retention"),
                            move || i18n.t().retention.purpose_retention.to_owned(),
                            move || read(i).is_some_and(|p| p.retention.is_some()),
                            move |on| edit(i, Box::new(move |p| p.retention = on.then_some(DEFAULT_PURPOSE_PERIOD))),
                            Some("purpose-retention-enabled".to_owned()),
                        )}
                        <Show when=move || read(i).is_some_and(|p| p.retention.is_some())>
                            <div class="nested" data-testid="purpose-retention">
                                <PeriodInputs
                                    id=format!("purpose-{i}-retention")
                                    testid="purpose-retention"
                                    blank_is_none=false
                                    days_label=|t| t.retention.purpose_retention_days
                                    get=move || read(i).and_then(|p| p.retention)
                                    set=move |period| edit(i, Box::new(move |p| p.retention = period))
                                />
                            </div>
                        </Show>
                        <button type="button" class="button button-secondary button-small" data-testid="purpose-remove"
                            on:click=move |_| editor.edit(|d| if i < d.purposes.len() { d.purposes.remove(i); })>
                            {move || i18n.t().designer.remove}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="field-group purposes">
            <legend>{move || i18n.t().designer.purposes}</legend>
            <p class="field-hint" data-testid="purpose-retention-note">
                {move || i18n.t().retention.longest_clock_wins}
            </p>
            <ol class="purpose-rows">{rows}</ol>
            <button type="button" class="button button-secondary button-small" data-testid="purpose-add" on:click=add>
                {move || i18n.t().designer.add_purpose}
            </button>
        </fieldset>
    }
}
