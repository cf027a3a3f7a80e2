//! The sections and fields of the draft: add, select, reorder (drag or buttons), remove.

use leptos::ev::DragEvent;
use leptos::prelude::*;
use shared::i18n::{Locale, LocalizedText};
use shared::schema::{
    ChoiceOption, Field, FieldKey, FieldKind, FormDefinition, OptionKey, PhoneFormat, Rules,
    Section, SectionKey,
};

use super::Editor;
use crate::i18n::{fill, texts, use_i18n, DesignerTexts};
use crate::pages::forms::widgets::{bilingual, checkbox, label, set_text, text_input};

/// Every kind a field can be added as, in the order the menu shows them.
fn kinds() -> Vec<FieldKind> {
    vec![
        FieldKind::ShortText,
        FieldKind::LongText,
        FieldKind::Number { decimals: 0 },
        FieldKind::Email,
        FieldKind::Phone {
            formats: vec![PhoneFormat::CnMobile],
        },
        FieldKind::ResidentId,
        FieldKind::Date,
        FieldKind::SingleChoice {
            options: Vec::new(),
        },
        FieldKind::MultipleChoice {
            options: Vec::new(),
        },
        FieldKind::YesNo,
        FieldKind::Address,
        FieldKind::Signature,
        FieldKind::Notice,
    ]
}

/// `stem_1`, `stem_2`, … : the first that `taken` does not hold.
fn unique_key(stem: &str, taken: impl Fn(&str) -> bool) -> String {
    (1..)
        .map(|n| format!("{stem}_{n}"))
        .find(|k| !taken(k))
        .unwrap_or_else(|| stem.to_owned())
}

/// A new field of `kind` with a fresh key; choice fields get two options to start from.
fn new_field(def: &FormDefinition, kind: &FieldKind) -> Option<Field> {
    let key = FieldKey::parse(unique_key(kind.name(), |k| def.field(k).is_some())).ok()?;
    let zh = texts(Locale::ZhCn).designer.kind(kind);
    let en = texts(Locale::En).designer.kind(kind);
    // Changes of a person's phone, email or ID number wait for approval unless the
    // designer turns it off.
    let needs_approval = matches!(
        kind,
        FieldKind::Phone { .. } | FieldKind::Email | FieldKind::ResidentId
    );
    let kind = match kind {
        FieldKind::SingleChoice { .. } | FieldKind::MultipleChoice { .. } => {
            let options = (1..=2)
                .filter_map(|n| {
                    Some(ChoiceOption {
                        key: OptionKey::parse(format!("option_{n}")).ok()?,
                        label: LocalizedText::new(format!("选项 {n}"), format!("Option {n}")),
                    })
                })
                .collect();
            if matches!(kind, FieldKind::SingleChoice { .. }) {
                FieldKind::SingleChoice { options }
            } else {
                FieldKind::MultipleChoice { options }
            }
        }
        other => other.clone(),
    };
    Some(Field {
        key,
        kind,
        label: LocalizedText::new(zh, en),
        help: LocalizedText::default(),
        required: false,
        rules: Rules::default(),
        default: None,
        visible_when: None,
        sensitivity: shared::schema::Sensitivity::Personal,
        purposes: Vec::new(),
        retention: None,
        mask: shared::mask::MaskStyle::None,
        needs_approval,
    })
}

/// Moves a field; `to` is its place after removal. Returns where it ended up.
fn move_field(
    def: &mut FormDefinition,
    from: (usize, usize),
    to: (usize, usize),
) -> Option<(usize, usize)> {
    let field = def
        .sections
        .get_mut(from.0)
        .and_then(|s| (from.1 < s.fields.len()).then(|| s.fields.remove(from.1)))?;
    let section = to.0.min(def.sections.len().saturating_sub(1));
    let fields = &mut def.sections.get_mut(section)?.fields;
    let index = to.1.min(fields.len());
    fields.insert(index, field);
    Some((section, index))
}

/// The place one step up or down, crossing into the neighbouring section at the ends.
fn step(def: &FormDefinition, at: (usize, usize), up: bool) -> Option<(usize, usize)> {
    let len = |s: usize| def.sections.get(s).map_or(0, |s| s.fields.len());
    match (up, at) {
        (true, (s, f)) if f > 0 => Some((s, f - 1)),
        (true, (s, _)) if s > 0 => Some((s - 1, len(s - 1))),
        (false, (s, f)) if f + 1 < len(s) => Some((s, f + 1)),
        (false, (s, _)) if s + 1 < def.sections.len() => Some((s + 1, 0)),
        _ => None,
    }
}

/// Moves a field and keeps the selection on the field that was selected.
fn relocate(editor: Editor, from: (usize, usize), to: (usize, usize)) {
    let selected_key = editor.selected.get_untracked().and_then(|at| {
        editor.draft.with_untracked(|d| {
            d.sections
                .get(at.0)?
                .fields
                .get(at.1)
                .map(|f| f.key.clone())
        })
    });
    editor.edit(|d| {
        move_field(d, from, to);
    });
    let again = selected_key.and_then(|key| {
        editor.draft.with_untracked(|d| {
            d.sections.iter().enumerate().find_map(|(s, section)| {
                section
                    .fields
                    .iter()
                    .position(|f| f.key == key)
                    .map(|f| (s, f))
            })
        })
    });
    editor.selected.set(again);
}

/// The sections with their fields, and the controls to add more.
#[component]
pub fn StructurePanel(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let shape = Memo::new(move |_| {
        editor.draft.with(|d| {
            d.sections
                .iter()
                .map(|s| s.fields.len())
                .collect::<Vec<_>>()
        })
    });
    let dragged = StoredValue::new(None::<(usize, usize)>);
    let add_section = move |_| {
        editor.edit(|d| {
            let key = unique_key("section", |k| {
                d.sections.iter().any(|s| s.key.as_str() == k)
            });
            if let Ok(key) = SectionKey::parse(key) {
                d.sections.push(Section {
                    key,
                    title: LocalizedText::default(),
                    new_page: false,
                    fields: Vec::new(),
                });
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="structure-heading" data-testid="structure">
            <h2 id="structure-heading">{move || i18n.t().designer.structure}</h2>
            <p class="muted">{move || i18n.t().designer.reorder_hint}</p>
            {move || {
                shape
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(s, count)| view! { <SectionCard editor s count dragged /> })
                    .collect_view()
            }}
            <button
                type="button"
                class="button button-secondary"
                data-testid="section-add"
                on:click=add_section
            >
                {move || i18n.t().designer.add_section}
            </button>
        </section>
    }
}

/// One section: its settings, its fields and the add-field bar.
#[component]
fn SectionCard(
    editor: Editor,
    s: usize,
    count: usize,
    dragged: StoredValue<Option<(usize, usize)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind_choice = RwSignal::new(FieldKind::ShortText.name().to_owned());
    let add = move |_| {
        let wanted = kind_choice.get_untracked();
        let Some(kind) = kinds().into_iter().find(|k| k.name() == wanted) else {
            return;
        };
        let mut added = None;
        editor.edit(|d| {
            if let Some(field) = new_field(d, &kind) {
                if let Some(section) = d.sections.get_mut(s) {
                    section.fields.push(field);
                    added = Some((s, section.fields.len() - 1));
                }
            }
        });
        editor.selected.set(added);
    };
    let remove_section = move |_| {
        editor.edit(|d| {
            if d.sections.len() > 1 && s < d.sections.len() {
                d.sections.remove(s);
            }
        });
        editor.selected.set(None);
    };
    let section_key = move || {
        editor.draft.with(|d| {
            d.sections
                .get(s)
                .map(|x| x.key.as_str().to_owned())
                .unwrap_or_default()
        })
    };
    let drop_at_end = move |ev: DragEvent| {
        ev.prevent_default();
        if let Some(from) = dragged.get_value() {
            relocate(editor, from, (s, count));
        }
    };
    view! {
        <div class="designer-section" data-testid="section" data-section-index=s>
            <div class="section-settings">
                {text_input(
                    format!("section-{s}-key"),
                    label(|t| t.section_key),
                    section_key,
                    move |text| {
                        if let Ok(key) = SectionKey::parse(text.trim()) {
                            editor.edit(|d| if let Some(x) = d.sections.get_mut(s) { x.key = key });
                        }
                    },
                    false,
                    Some("section-key".to_owned()),
                )}
                {bilingual(
                    &format!("section-{s}-title"),
                    |t| t.section_title,
                    move || editor.draft.with(|d| d.sections.get(s).map(|x| x.title.clone()).unwrap_or_default()),
                    move |locale, text| editor.edit(|d| if let Some(x) = d.sections.get_mut(s) { set_text(&mut x.title, locale, text) }),
                    false,
                    Some("section-title"),
                )}
                {checkbox(
                    format!("section-{s}-new-page"),
                    label(|t| t.new_page),
                    move || editor.draft.with(|d| d.sections.get(s).is_some_and(|x| x.new_page)),
                    move |on| editor.edit(|d| if let Some(x) = d.sections.get_mut(s) { x.new_page = on }),
                    Some("section-new-page".to_owned()),
                )}
            </div>
            <ol
                class="field-rows"
                data-testid="field-rows"
                on:dragover=|ev: DragEvent| ev.prevent_default()
                on:drop=drop_at_end
            >
                {(0..count).map(|f| view! { <FieldRow editor at=(s, f) dragged /> }).collect_view()}
            </ol>
            <Show when=move || count == 0>
                <p class="muted">{move || i18n.t().designer.no_fields}</p>
            </Show>
            <div class="add-field">
                <label for=format!("section-{s}-add-kind")>{move || i18n.t().designer.add_kind_label}</label>
                <select
                    id=format!("section-{s}-add-kind")
                    data-testid="field-add-kind"
                    on:change=move |ev| kind_choice.set(event_target_value(&ev))
                    prop:value=move || kind_choice.get()
                >
                    {move || {
                        let t = &i18n.t().designer;
                        kinds()
                            .into_iter()
                            .map(|k| view! { <option value=k.name()>{t.kind(&k)}</option> })
                            .collect_view()
                    }}
                </select>
                <button type="button" class="button button-primary" data-testid="field-add" on:click=add>
                    {move || i18n.t().designer.add_field}
                </button>
                <Show when=move || editor.draft.with(|d| d.sections.len() > 1)>
                    <button
                        type="button"
                        class="button button-secondary"
                        data-testid="section-remove"
                        on:click=remove_section
                    >
                        {move || i18n.t().designer.remove_section}
                    </button>
                </Show>
            </div>
        </div>
    }
}

/// One field in the list: select it, move it, or remove it.
#[component]
fn FieldRow(
    editor: Editor,
    at: (usize, usize),
    dragged: StoredValue<Option<(usize, usize)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = move || {
        editor
            .field(at, |f| f.label.get(i18n.locale()).to_owned())
            .unwrap_or_default()
    };
    let key = move || {
        editor
            .field(at, |f| f.key.as_str().to_owned())
            .unwrap_or_default()
    };
    let kind = move || {
        editor
            .field(at, |f| i18n.t().designer.kind(&f.kind))
            .unwrap_or_default()
    };
    let approval =
        Signal::derive(move || editor.field(at, |f| f.needs_approval).unwrap_or_default());
    let aria = move |template: fn(&DesignerTexts) -> &'static str| {
        move || fill(template(&i18n.t().designer), &[("label", &name())])
    };
    let shift = move |up: bool| {
        if let Some(to) = editor.draft.with_untracked(|d| step(d, at, up)) {
            relocate(editor, at, to);
        }
    };
    let remove = move |_| {
        editor.edit(|d| {
            if let Some(section) = d.sections.get_mut(at.0) {
                if at.1 < section.fields.len() {
                    section.fields.remove(at.1);
                }
            }
        });
        editor.selected.set(None);
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(from) = dragged.get_value() {
            relocate(editor, from, at);
        }
        dragged.set_value(None);
    };
    view! {
        <li
            class="field-row"
            class:selected=move || editor.selected.get() == Some(at)
            draggable="true"
            data-testid="field-row"
            data-field-key=key
            on:dragstart=move |ev: DragEvent| {
                dragged.set_value(Some(at));
                if let Some(data) = ev.data_transfer() {
                    let _ = data.set_data("text/plain", &key());
                }
            }
            on:dragover=|ev: DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <button
                type="button"
                class="field-row-select"
                data-testid="field-select"
                aria-pressed=move || if editor.selected.get() == Some(at) { "true" } else { "false" }
                on:click=move |_| editor.selected.set(Some(at))
            >
                <span class="field-row-label">{name}</span>
                <span class="field-row-meta">
                    {kind} " · " <code>{key}</code>
                    {move || approval.get().then(|| view! {
                        " · "
                        <span data-testid="field-row-approval">{move || i18n.t().designer.needs_approval_mark}</span>
                    })}
                </span>
            </button>
            <span class="field-row-actions">
                <button type="button" class="icon-button" data-testid="field-up" aria-label=aria(|t| t.move_up) on:click=move |_| shift(true)>
                    "↑"
                </button>
                <button type="button" class="icon-button" data-testid="field-down" aria-label=aria(|t| t.move_down) on:click=move |_| shift(false)>
                    "↓"
                </button>
                <button type="button" class="icon-button" data-testid="field-remove" aria-label=aria(|t| t.remove_field) on:click=remove>
                    "×"
                </button>
            </span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_move_within_and_across_sections() {
        let mut def = FormDefinition::demo_customer_registration();
        let first = def.sections[0].fields[0].key.clone();
        let to = step(&def, (0, 0), false);
        assert_eq!(to, Some((0, 1)));
        assert_eq!(move_field(&mut def, (0, 0), (0, 1)), Some((0, 1)));
        assert_eq!(def.sections[0].fields[1].key, first);
        assert_eq!(
            step(&def, (1, 0), true),
            Some((0, def.sections[0].fields.len()))
        );
        assert_eq!(step(&def, (0, 0), true), None);
    }

    #[test]
    fn new_fields_get_unique_keys_and_start_with_options() {
        let def = FormDefinition::blank();
        let field = new_field(
            &def,
            &FieldKind::SingleChoice {
                options: Vec::new(),
            },
        );
        assert_eq!(
            field.as_ref().map(|f| f.key.as_str()),
            Some("single_choice_1")
        );
        assert_eq!(field.map(|f| f.options().len()), Some(2));
        assert_eq!(unique_key("x", |k| k == "x_1"), "x_2");
    }

    #[test]
    fn new_phone_email_and_id_fields_need_approval_for_changes() {
        let def = FormDefinition::blank();
        let needs = |kind: FieldKind| new_field(&def, &kind).map(|f| f.needs_approval);
        assert_eq!(needs(FieldKind::Email), Some(true));
        assert_eq!(needs(FieldKind::ResidentId), Some(true));
        assert_eq!(needs(FieldKind::ShortText), Some(false));
        let phone = kinds()
            .into_iter()
            .find(|k| matches!(k, FieldKind::Phone { .. }));
        assert_eq!(phone.and_then(needs), Some(true));
    }
}
