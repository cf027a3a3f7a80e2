//! The preview of a file: the counts of its rows, where it was read from (the encoding,
//! which can be overridden, or the sheet of a workbook), which field each column fills,
//! required fields no column fills, what to do with cells that look like formulas, and
//! the rows with problems (`problems.rs`). Every change checks the file again.

use leptos::prelude::*;
use shared::api::imports::{FormulaCells, ImportField, ImportPreview};
use shared::i18n::Locale;

use super::new::{file_issue, Draft};
use super::problems::ProblemRows;
use crate::components::form::FieldIssues;
use crate::i18n::{fill, use_i18n, Texts};

/// The mapping after column `column` is set to `field` (empty: not imported), for a
/// file of `columns` columns. A field is filled from one column: a column that went to
/// it before goes nowhere now.
#[must_use]
pub(super) fn remap(
    mapping: &[Option<String>],
    columns: usize,
    column: usize,
    field: &str,
) -> Vec<Option<String>> {
    let field = (!field.is_empty()).then(|| field.to_owned());
    (0..columns.max(mapping.len()))
        .map(|i| {
            let current = mapping.get(i).cloned().flatten();
            if i == column {
                field.clone()
            } else if field.is_some() && current == field {
                None
            } else {
                current
            }
        })
        .collect()
}

/// A field's label in `locale`, its key when it has none.
#[must_use]
pub(super) fn field_label(field: &ImportField, locale: Locale) -> String {
    let label = field.label.get(locale);
    if label.is_empty() {
        field.key.clone()
    } else {
        label.to_owned()
    }
}

/// The labels of the required fields no column fills, joined for a sentence.
#[must_use]
pub(super) fn unmapped_words(preview: &ImportPreview, locale: Locale) -> Option<String> {
    if preview.unmapped_required.is_empty() {
        return None;
    }
    let separator = if locale == Locale::ZhCn { "、" } else { ", " };
    let labels: Vec<String> = preview
        .unmapped_required
        .iter()
        .map(|key| {
            preview
                .fields
                .iter()
                .find(|f| f.key == *key)
                .map_or_else(|| key.clone(), |f| field_label(f, locale))
        })
        .collect();
    Some(labels.join(separator))
}

/// A string of the translation table.
type Label = fn(&Texts) -> &'static str;

/// The encodings a text file may be read as: the value sent (empty: detect) and its name.
const ENCODINGS: [(&str, Label); 3] = [
    ("", |t| t.imports.encoding_auto),
    ("utf-8", |t| t.imports.encoding_utf8),
    ("gb18030", |t| t.imports.encoding_gb18030),
];

/// The preview section: shown while the draft has a preview.
#[component]
pub(super) fn PreviewSection(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let body = move || {
        draft.preview.get().map(|preview| {
            let locale = i18n.locale();
            let unmapped = unmapped_words(&preview, locale);
            let problems_total = preview.invalid + preview.duplicate_in_file + preview.already_stored;
            view! {
                <Counts preview=preview.clone() />
                <Source draft preview=preview.clone() />
                <Mapping draft preview=preview.clone() />
                {unmapped.map(|fields| view! {
                    <p class="alert alert-warning imports-unmapped" role="status" data-testid="import-unmapped">
                        {move || fill(i18n.t().imports.unmapped_required, &[("fields", &fields)])}
                    </p>
                })}
                <Formulas draft />
                <ProblemRows rows=preview.problems total=problems_total />
            }
        })
    };
    view! {
        <section class="card imports-section" aria-labelledby="imports-preview-heading" data-testid="import-preview">
            <h2 id="imports-preview-heading">{move || i18n.t().imports.preview_heading}</h2>
            <p class="muted">{move || i18n.t().imports.nothing_written}</p>
            {body}
        </section>
    }
}

/// The counts of the file's rows.
#[component]
fn Counts(preview: ImportPreview) -> impl IntoView {
    let i18n = use_i18n();
    let count = move |kind: &'static str, label: Label, n: u64| {
        view! {
            <div class=format!("imports-count imports-count-{kind}") data-testid="import-count" data-kind=kind data-count=n.to_string()>
                <dt>{move || label(i18n.t())}</dt>
                <dd>{n.to_string()}</dd>
            </div>
        }
    };
    view! {
        <dl class="imports-counts" aria-label=move || i18n.t().imports.summary_label>
            {count("valid", |t| t.imports.count_valid, preview.valid)}
            {count("invalid", |t| t.imports.count_invalid, preview.invalid)}
            {count("duplicate_in_file", |t| t.imports.count_duplicate, preview.duplicate_in_file)}
            {count("already_stored", |t| t.imports.count_stored, preview.already_stored)}
            {count("total", |t| t.imports.count_total, preview.rows_total)}
        </dl>
    }
}

/// Where the rows were read from: the encoding detected (with a choice of another) or
/// the workbook's sheet.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn Source(draft: Draft, preview: ImportPreview) -> impl IntoView {
    let i18n = use_i18n();
    let error = draft.error;
    let busy = move || draft.busy();
    let source = preview.source.clone();
    let workbook = !preview.sheets.is_empty() || source == "xlsx";
    let on_encoding = move |ev: leptos::ev::Event| {
        draft.encoding.set(event_target_value(&ev));
        // Other text, other headers: the server suggests again.
        draft.mapping.set(None);
        draft.recheck();
    };
    let on_sheet = move |ev: leptos::ev::Event| {
        draft.sheet.set(Some(event_target_value(&ev)));
        draft.mapping.set(None);
        draft.recheck();
    };
    let encoding = (!workbook).then(|| {
        let options = ENCODINGS
            .into_iter()
            .map(|(value, label)| {
                let selected = draft.encoding.with_untracked(|e| e == value);
                view! { <option value=value selected=selected>{move || label(i18n.t())}</option> }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="import-encoding">{move || i18n.t().imports.encoding_label}</label>
                <p id="import-encoding-hint" class="field-hint">{move || i18n.t().imports.encoding_hint}</p>
                <select
                    id="import-encoding"
                    prop:value=move || draft.encoding.get()
                    aria-describedby="import-encoding-hint import-encoding-issues"
                    on:change=on_encoding
                    disabled=busy
                    data-testid="import-encoding"
                >
                    {options}
                </select>
                <FieldIssues id="import-encoding-issues".to_owned() field="encoding" error text=file_issue />
            </div>
        }
    });
    let sheets = preview.sheets.clone();
    let first = sheets.first().cloned().unwrap_or_default();
    let shown_sheet = draft.sheet.get_untracked().unwrap_or_else(|| first.clone());
    let sheet = (!sheets.is_empty()).then(|| {
        let options = sheets
            .into_iter()
            .map(|name| {
                let label = name.clone();
                let selected = name == shown_sheet;
                view! { <option value=name selected=selected>{label}</option> }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="import-sheet">{move || i18n.t().imports.sheet_label}</label>
                <select
                    id="import-sheet"
                    prop:value=move || draft.sheet.get().unwrap_or_else(|| first.clone())
                    aria-describedby="import-sheet-issues"
                    on:change=on_sheet
                    disabled=busy
                    data-testid="import-sheet"
                >
                    {options}
                </select>
                <FieldIssues id="import-sheet-issues".to_owned() field="sheet" error text=file_issue />
            </div>
        }
    });
    let header_row = preview.header_row.to_string();
    let source_name = source.clone();
    view! {
        <div class="imports-source">
            <p data-testid="import-source" data-source=source>
                {move || i18n.t().imports.source_label} ": "
                <strong>{move || i18n.t().imports.source(&source_name).to_owned()}</strong>
                " · "
                <span class="muted">{move || fill(i18n.t().imports.header_row, &[("row", &header_row)])}</span>
            </p>
            {encoding}
            {sheet}
        </div>
    }
}

/// Each column's header and the field it fills, as a select.
#[component]
fn Mapping(draft: Draft, preview: ImportPreview) -> impl IntoView {
    let i18n = use_i18n();
    let error = draft.error;
    let busy = move || draft.busy();
    let ImportPreview {
        headers,
        mapping,
        fields,
        ..
    } = preview;
    let columns = headers.len();
    let fields = StoredValue::new(fields);
    let mapping = StoredValue::new(mapping);
    let rows = headers
        .into_iter()
        .enumerate()
        .map(|(column, header)| {
            let id = format!("import-mapping-{column}");
            let chosen =
                mapping.with_value(|m| m.get(column).cloned().flatten().unwrap_or_default());
            let on_change = move |ev: leptos::ev::Event| {
                let field = event_target_value(&ev);
                let now = mapping.with_value(|m| remap(m, columns, column, &field));
                draft.mapping.set(Some(now));
                draft.recheck();
            };
            let chosen_key = chosen.clone();
            let unmapped = chosen.is_empty();
            let options = move || {
                let locale = i18n.locale();
                fields.with_value(|fields| {
                    fields
                        .iter()
                        .map(|f| {
                            let mut label = field_label(f, locale);
                            if f.required {
                                label.push_str(" *");
                            }
                            let selected = f.key == chosen_key;
                            view! { <option value=f.key.clone() selected=selected>{label}</option> }
                        })
                        .collect_view()
                })
            };
            let blank = header.trim().is_empty();
            let shown = if blank {
                format!("#{}", column + 1)
            } else {
                header.clone()
            };
            view! {
                <tr data-testid="import-mapping-row" data-column=column.to_string()>
                    <th scope="row" class="imports-header">
                        <label for=id.clone()>{shown}</label>
                    </th>
                    <td>
                        <select
                            id=id
                            prop:value=chosen
                            on:change=on_change
                            disabled=busy
                            data-testid="import-mapping"
                            data-column=column.to_string()
                            data-header=header
                        >
                            <option value="" selected=unmapped>
                                {move || i18n.t().imports.not_imported}
                            </option>
                            {options}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="imports-mapping">
            <h3 id="imports-mapping-heading">{move || i18n.t().imports.mapping_heading}</h3>
            <p id="imports-mapping-hint" class="field-hint">{move || i18n.t().imports.mapping_hint}</p>
            <div class="table-wrap">
                <table class="table imports-mapping-table" aria-labelledby="imports-mapping-heading" aria-describedby="imports-mapping-hint">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().imports.col_column}</th>
                            <th scope="col">{move || i18n.t().imports.col_field}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <FieldIssues id="import-mapping-issues".to_owned() field="mapping" error />
        </div>
    }
}

/// What to do with cells a spreadsheet would run as formulas.
#[component]
fn Formulas(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let busy = move || draft.busy();
    let choice = move |value: FormulaCells, name: &'static str, label: Label| {
        let id = format!("import-formulas-{name}");
        view! {
            <div class="checkbox-field">
                <input
                    id=id.clone()
                    type="radio"
                    name="formulas"
                    value=name
                    prop:checked=move || draft.formulas.get() == value
                    on:change=move |_| {
                        draft.formulas.set(value);
                        draft.recheck();
                    }
                    disabled=busy
                    data-testid="import-formulas"
                    data-value=name
                />
                <label for=id>{move || label(i18n.t())}</label>
            </div>
        }
    };
    view! {
        <fieldset class="checkbox-group imports-choice" aria-describedby="import-formulas-hint">
            <legend>{move || i18n.t().imports.formulas_label}</legend>
            <p id="import-formulas-hint" class="field-hint">{move || i18n.t().imports.formulas_hint}</p>
            {choice(FormulaCells::Inert, "inert", |t| t.imports.formulas_inert)}
            {choice(FormulaCells::Refuse, "refuse", |t| t.imports.formulas_refuse)}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::i18n::LocalizedText;

    fn mapped(keys: &[&str]) -> Vec<Option<String>> {
        keys.iter()
            .map(|k| (!k.is_empty()).then(|| (*k).to_owned()))
            .collect()
    }

    #[test]
    fn a_column_is_mapped_and_the_field_leaves_its_old_column() {
        let mapping = mapped(&["full_name", "mobile", ""]);
        // The third column to the mobile number: the second no longer fills it.
        assert_eq!(
            remap(&mapping, 3, 2, "mobile"),
            mapped(&["full_name", "", "mobile"])
        );
        // A column left out.
        assert_eq!(remap(&mapping, 3, 0, ""), mapped(&["", "mobile", ""]));
        // A mapping shorter than the file's columns grows to them.
        assert_eq!(remap(&[], 2, 1, "email"), mapped(&["", "email"]));
    }

    #[test]
    fn required_fields_no_column_fills_are_named_by_label() {
        let field = |key: &str, zh: &str, en: &str| ImportField {
            key: key.to_owned(),
            label: LocalizedText::new(zh, en),
            required: true,
        };
        let preview = ImportPreview {
            source: "gb18030".to_owned(),
            sheets: Vec::new(),
            header_row: 1,
            headers: vec!["姓名".to_owned()],
            mapping: mapped(&["full_name"]),
            fields: vec![
                field("full_name", "姓名", "Full name"),
                field("mobile", "手机号码", "Mobile number"),
                field("consent_sig", "", ""),
            ],
            unmapped_required: vec!["mobile".to_owned(), "consent_sig".to_owned()],
            rows_total: 0,
            valid: 0,
            invalid: 0,
            duplicate_in_file: 0,
            already_stored: 0,
            problems: Vec::new(),
        };
        assert_eq!(
            unmapped_words(&preview, Locale::En).as_deref(),
            Some("Mobile number, consent_sig")
        );
        assert_eq!(
            unmapped_words(&preview, Locale::ZhCn).as_deref(),
            Some("手机号码、consent_sig")
        );
        let all_mapped = ImportPreview {
            unmapped_required: Vec::new(),
            ..preview
        };
        assert_eq!(unmapped_words(&all_mapped, Locale::En), None);
    }
}
