//! The properties of the selected field: key, texts, required, kind settings and rules,
//! default, visibility condition, sensitivity, purposes, retention, masking, and whether
//! changes wait for approval.

use leptos::prelude::*;
use serde_json::Value;
use shared::mask::MaskStyle;
use shared::retention::AnonymisationRule;
use shared::schema::{FieldKey, FieldKind, PurposeKey, RetentionAction, Sensitivity};

use super::condition::ConditionBuilder;
use super::retention::{AnonymisationNote, PeriodInputs};
use super::rules::KindSettings;
use super::Editor;
use crate::i18n::use_i18n;
use crate::pages::forms::widgets::{bilingual, checkbox, label, select, set_text, text_input};

/// The editor of the selected field, if any.
#[component]
pub fn SelectedField(editor: Editor) -> impl IntoView {
    move || {
        editor
            .selected
            .get()
            .filter(|at| {
                editor
                    .draft
                    .with_untracked(|d| d.sections.get(at.0).is_some_and(|s| at.1 < s.fields.len()))
            })
            .map(|at| view! { <FieldEditor editor at /> })
    }
}

/// A field key input that applies only valid keys and says why others are refused.
#[component]
pub fn KeyInput(
    id: String,
    label_text: fn(&crate::i18n::DesignerTexts) -> &'static str,
    initial: String,
    on_valid: Callback<String>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(initial);
    let invalid = RwSignal::new(false);
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field-invalid=move || invalid.get()>
            <label for=id.clone()>{move || label_text(&i18n.t().designer)}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                spellcheck="false"
                data-testid=testid
                aria-invalid=move || if invalid.get() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                prop:value=move || text.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let ok = FieldKey::parse(value.trim()).is_ok();
                    invalid.set(!ok);
                    if ok {
                        on_valid.run(value.trim().to_owned());
                    }
                    text.set(value);
                }
            />
            <p id=error_id class="field-issues" aria-live="polite">
                {move || invalid.get().then(|| i18n.t().designer.key_invalid)}
            </p>
        </div>
    }
}

#[component]
fn FieldEditor(editor: Editor, at: (usize, usize)) -> impl IntoView {
    let i18n = use_i18n();
    let kind = editor.draft.with_untracked(|d| {
        d.sections
            .get(at.0)
            .and_then(|s| s.fields.get(at.1))
            .map_or(FieldKind::Notice, |f| f.kind.clone())
    });
    let initial_key = editor
        .field(at, |f| f.key.as_str().to_owned())
        .unwrap_or_default();
    let id = |part: &str| format!("field-{part}");
    let holds_value = !matches!(kind, FieldKind::Notice);
    let on_key = Callback::new(move |key: String| {
        if let Ok(key) = FieldKey::parse(key) {
            editor.edit_field(at, |f| f.key = key);
        }
    });
    let value_props = holds_value.then(|| view! { <ValueProperties editor at /> });
    view! {
        <section class="card field-editor" aria-labelledby="field-editor-heading" data-testid="field-editor">
            <h2 id="field-editor-heading">
                {move || i18n.t().designer.field} ": "
                {move || editor.field(at, |f| i18n.t().designer.kind(&f.kind)).unwrap_or_default()}
            </h2>
            <KeyInput id=id("key") label_text=|t| t.field_key initial=initial_key on_valid=on_key testid="field-key" />
            {bilingual(
                "field-label",
                |t| t.label,
                move || editor.field(at, |f| f.label.clone()).unwrap_or_default(),
                move |locale, text| editor.edit_field(at, |f| set_text(&mut f.label, locale, text)),
                false,
                Some("field-label"),
            )}
            {bilingual(
                "field-help",
                |t| t.help,
                move || editor.field(at, |f| f.help.clone()).unwrap_or_default(),
                move |locale, text| editor.edit_field(at, |f| set_text(&mut f.help, locale, text)),
                true,
                Some("field-help"),
            )}
            {holds_value.then(|| checkbox(
                id("required"),
                label(|t| t.required),
                move || editor.field(at, |f| f.required).unwrap_or_default(),
                move |on| editor.edit_field(at, |f| f.required = on),
                Some("field-required".to_owned()),
            ))}
            <KindSettings editor at kind=kind.name() />
            {holds_value.then(|| view! { <DefaultValue editor at kind=kind.name() /> })}
            <ConditionBuilder editor at />
            {value_props}
        </section>
    }
}

/// The default answer, for the kinds where one makes sense.
#[component]
fn DefaultValue(editor: Editor, at: (usize, usize), kind: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let get = move || editor.field(at, |f| f.default.clone()).flatten();
    let set = move |value: Option<Value>| editor.edit_field(at, |f| f.default = value);
    match kind {
        "yes_no" => select(
            "field-default".to_owned(),
            label(|t| t.default_value),
            move || {
                let t = &i18n.t();
                vec![
                    (String::new(), t.designer.none.to_owned()),
                    ("true".to_owned(), t.renderer.yes.to_owned()),
                    ("false".to_owned(), t.renderer.no.to_owned()),
                ]
            },
            move || get().map(|v| v.to_string()).unwrap_or_default(),
            move |v| {
                set(match v.as_str() {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => None,
                });
            },
            Some("field-default".to_owned()),
        )
        .into_any(),
        "single_choice" => select(
            "field-default".to_owned(),
            label(|t| t.default_value),
            move || {
                let mut options = vec![(String::new(), i18n.t().designer.none.to_owned())];
                options.extend(
                    editor
                        .field(at, |f| {
                            f.options()
                                .iter()
                                .map(|o| {
                                    (
                                        o.key.as_str().to_owned(),
                                        o.label.get(i18n.locale()).to_owned(),
                                    )
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default(),
                );
                options
            },
            move || {
                get()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            },
            move |v| set((!v.is_empty()).then_some(Value::String(v))),
            Some("field-default".to_owned()),
        )
        .into_any(),
        "multiple_choice" | "address" | "signature" | "notice" => ().into_any(),
        _ => text_input(
            "field-default".to_owned(),
            label(|t| t.default_value),
            move || {
                get()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            },
            move |v| set((!v.trim().is_empty()).then_some(Value::String(v))),
            false,
            Some("field-default".to_owned()),
        )
        .into_any(),
    }
}

/// Sensitivity, purposes, retention, masking and approval of changes: how the answer is
/// protected.
#[component]
fn ValueProperties(editor: Editor, at: (usize, usize)) -> impl IntoView {
    let i18n = use_i18n();
    let purposes = move || {
        editor.draft.with(|d| {
            d.purposes
                .iter()
                .map(|p| (p.key.clone(), p.name.get(i18n.locale()).to_owned()))
                .collect::<Vec<_>>()
        })
    };
    let purpose_boxes = move || {
        let all = purposes();
        if all.is_empty() {
            return view! { <p class="muted">{move || i18n.t().designer.no_purposes}</p> }
                .into_any();
        }
        all.into_iter()
            .map(|(key, name): (PurposeKey, String)| {
                let (read, write) = (key.clone(), key.clone());
                checkbox(
                    format!("field-purpose-{}", key.as_str()),
                    move || name.clone(),
                    move || {
                        editor
                            .field(at, |f| f.purposes.contains(&read))
                            .unwrap_or_default()
                    },
                    move |on| {
                        let write = write.clone();
                        editor.edit_field(at, move |f| {
                            f.purposes.retain(|p| *p != write);
                            if on {
                                f.purposes.push(write);
                            }
                        });
                    },
                    Some(format!("field-purpose-{}", key.as_str())),
                )
            })
            .collect_view()
            .into_any()
    };
    let levels = [
        Sensitivity::Ordinary,
        Sensitivity::Personal,
        Sensitivity::Sensitive,
    ];
    let styles = [
        MaskStyle::None,
        MaskStyle::Phone,
        MaskStyle::IdNumber,
        MaskStyle::Name,
        MaskStyle::Email,
        MaskStyle::Partial,
        MaskStyle::Full,
    ];
    view! {
        {select(
            "field-sensitivity".to_owned(),
            label(|t| t.sensitivity),
            move || levels.iter().map(|l| (json_name(l), i18n.t().designer.sensitivity_name(*l).to_owned())).collect(),
            move || editor.field(at, |f| json_name(&f.sensitivity)).unwrap_or_default(),
            move |v| if let Some(level) = levels.into_iter().find(|l| json_name(l) == v) { editor.edit_field(at, |f| f.sensitivity = level) },
            Some("field-sensitivity".to_owned()),
        )}
        <fieldset class="field-group">
            <legend>{move || i18n.t().designer.field_purposes}</legend>
            {purpose_boxes}
        </fieldset>
        <PeriodInputs
            id="field-retention".to_owned()
            testid="field-retention"
            blank_is_none=true
            days_label=|t| t.designer.retention_days
            get=move || editor.field(at, |f| f.retention).flatten()
            set=move |period| editor.edit_field(at, |f| f.retention = period)
        />
        <AnonymisationNote
            rule=untrack(|| editor.field(at, |f| AnonymisationRule::of(&f.kind))).unwrap_or(AnonymisationRule::Removed)
            anonymises=move || {
                editor
                    .field(at, |f| f.retention.is_some_and(|r| r.action == RetentionAction::Anonymise))
                    .unwrap_or_default()
            }
        />
        {select(
            "field-mask".to_owned(),
            label(|t| t.mask),
            move || styles.iter().map(|s| (json_name(s), i18n.t().designer.mask_style(*s).to_owned())).collect(),
            move || editor.field(at, |f| json_name(&f.mask)).unwrap_or_default(),
            move |v| if let Some(style) = styles.into_iter().find(|s| json_name(s) == v) { editor.edit_field(at, |f| f.mask = style) },
            Some("field-mask".to_owned()),
        )}
        <div class="choice">
            <input
                id="field-needs-approval"
                type="checkbox"
                data-testid="field-needs-approval"
                aria-describedby="field-needs-approval-hint"
                prop:checked=move || editor.field(at, |f| f.needs_approval).unwrap_or_default()
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    editor.edit_field(at, |f| f.needs_approval = on);
                }
            />
            <label for="field-needs-approval">{move || i18n.t().designer.needs_approval}</label>
        </div>
        <p id="field-needs-approval-hint" class="field-hint">
            {move || i18n.t().designer.needs_approval_hint}
        </p>
    }
}

/// The JSON name of a unit enum value, such as `sensitive`.
pub fn json_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
