//! The lawful basis of an import and its commit: the ground (consent is consent given
//! before, elsewhere), the form's purposes it covers, the evidence reference (required
//! for consent and contract), what to do with rows that have problems, and the button
//! that imports; then the result, with the report and the form's records.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::error::ErrorCode;
use shared::api::error::FieldIssue;
use shared::api::imports::{
    CommitImport, ImportBasis, ImportEntry, OnProblems, MAX_EVIDENCE_CHARS,
};
use shared::schema::{LawfulBasis, PurposeKey};

use super::new::{file_issue, Draft, Upload, UploadProgress};
use super::{import_error_summary, ReportLinks};
use crate::components::api_call::api_resource;
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::i18n::{fill, use_i18n, Texts};

/// The grounds an import may state, in the order the select offers them.
pub(super) const BASES: [LawfulBasis; 7] = [
    LawfulBasis::Consent,
    LawfulBasis::Contract,
    LawfulBasis::Employment,
    LawfulBasis::LegalObligation,
    LawfulBasis::VitalInterests,
    LawfulBasis::PublicInterest,
    LawfulBasis::LegitimateInterests,
];

/// Issue codes of the checks made before sending.
const TOO_LONG: &str = "too_long";

/// The problems of a basis before it is sent, under the fields the server names.
#[must_use]
pub(super) fn basis_problems(basis: &ImportBasis) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if basis.purposes.is_empty() {
        problems.push(("basis.purposes", "required"));
    }
    let evidence = basis.evidence.trim();
    if basis.needs_evidence() && evidence.is_empty() {
        problems.push(("basis.evidence", "required"));
    } else if evidence.chars().count() > MAX_EVIDENCE_CHARS {
        problems.push(("basis.evidence", TOO_LONG));
    }
    problems
}

/// A problem with the purposes, in words.
fn purposes_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" | "empty" => t.imports.issue_purposes.to_owned(),
        _ => t.issue(issue),
    }
}

/// A problem with the evidence reference, in words.
fn evidence_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" => t.imports.issue_evidence.to_owned(),
        TOO_LONG => fill(
            t.imports.issue_too_long,
            &[("max", &MAX_EVIDENCE_CHARS.to_string())],
        ),
        _ => t.issue(issue),
    }
}

/// The basis and the commit, under the preview.
#[component]
pub(super) fn BasisSection(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let basis = RwSignal::new(LawfulBasis::Consent);
    let purposes = RwSignal::new(Vec::<PurposeKey>::new());
    let evidence = RwSignal::new(String::new());
    let on_problems = RwSignal::new(OnProblems::Skip);
    let error = draft.commit.error();
    // The form's purposes, from its latest version (the one the import fills).
    let form = draft.form.get_untracked();
    let version = api_resource(move |api| {
        let form = form.clone();
        async move { api.public_form(&form).await }
    });
    let valid = move || draft.preview.with(|p| p.as_ref().map_or(0, |p| p.valid));
    let busy = move || draft.busy();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let chosen = ImportBasis {
            basis: basis.get_untracked(),
            purposes: purposes.get_untracked(),
            evidence: evidence.get_untracked().trim().to_owned(),
        };
        let problems = basis_problems(&chosen);
        if !problems.is_empty() {
            draft.commit.fail(local_validation(&problems));
            return;
        }
        let (Some(request), Some(file)) = (draft.request(), draft.file.get_untracked()) else {
            return;
        };
        let file_name = Some(file.name());
        draft.commit.dispatch(Upload {
            request: CommitImport {
                request,
                basis: chosen,
                on_problems: on_problems.get_untracked(),
                file_name,
            },
            file,
        });
    };
    let invalid = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !e.field_issues(field).is_empty())
            })
        }
    };
    let basis_options = move || {
        let locale = i18n.locale();
        BASES
            .into_iter()
            .map(|b| {
                let selected = basis.get_untracked() == b;
                view! {
                    <option value=b.as_str() selected=selected>
                        {i18n.t().imports.basis(b, locale)}
                    </option>
                }
            })
            .collect_view()
    };
    let purpose_boxes = move || {
        let locale = i18n.locale();
        version.get().and_then(Result::ok).map(|v| {
            v.definition
                .purposes
                .into_iter()
                .map(|p| {
                    let key = p.key.clone();
                    let id = format!("import-purpose-{}", key.as_str());
                    let name = p.name.get(locale).to_owned();
                    let shown = if name.is_empty() {
                        key.to_string()
                    } else {
                        name
                    };
                    let on = {
                        let key = key.clone();
                        move || purposes.with(|chosen| chosen.contains(&key))
                    };
                    let toggle = {
                        let key = key.clone();
                        move |ev: leptos::ev::Event| {
                            let checked = event_target_checked(&ev);
                            purposes.update(|chosen| {
                                chosen.retain(|k| *k != key);
                                if checked {
                                    chosen.push(key.clone());
                                }
                            });
                        }
                    };
                    view! {
                        <div class="checkbox-field">
                            <input
                                id=id.clone()
                                type="checkbox"
                                prop:checked=on
                                on:change=toggle
                                aria-describedby="import-purposes-issues"
                                data-testid="import-purpose"
                                data-key=key.to_string()
                            />
                            <label for=id>{shown}</label>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let evidence_hint = move || {
        let t = &i18n.t().imports;
        let needed = matches!(basis.get(), LawfulBasis::Consent | LawfulBasis::Contract);
        if needed {
            t.evidence_hint
        } else {
            t.evidence_optional
        }
    };
    let refused = move || error.with(|e| e.as_ref().is_some_and(|e| e.code == ErrorCode::Conflict));
    let choice = move |value: OnProblems, name: &'static str| {
        let id = format!("import-on-problems-{name}");
        view! {
            <div class="checkbox-field">
                <input
                    id=id.clone()
                    type="radio"
                    name="on_problems"
                    value=name
                    prop:checked=move || on_problems.get() == value
                    on:change=move |_| on_problems.set(value)
                    data-testid="import-on-problems"
                    data-value=name
                />
                <label for=id>{move || i18n.t().imports.on_problems(value)}</label>
            </div>
        }
    };
    view! {
        <section class="card imports-section" aria-labelledby="imports-basis-heading" data-testid="import-basis">
            <h2 id="imports-basis-heading">{move || i18n.t().imports.basis_heading}</h2>
            <p class="muted">{move || i18n.t().imports.basis_intro}</p>
            <form class="form imports-basis-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="import-basis">{move || i18n.t().imports.basis_label}</label>
                    <select
                        id="import-basis"
                        prop:value=move || basis.get().as_str()
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some(b) = BASES.into_iter().find(|b| b.as_str() == chosen) {
                                basis.set(b);
                            }
                        }
                        data-testid="import-basis-select"
                    >
                        {basis_options}
                    </select>
                </div>
                <fieldset class="checkbox-group" class:field-invalid=invalid("basis.purposes")>
                    <legend>{move || i18n.t().imports.purposes_label}</legend>
                    <p class="field-hint">{move || i18n.t().imports.purposes_hint}</p>
                    <Suspense fallback=|| ()>{purpose_boxes}</Suspense>
                    <FieldIssues id="import-purposes-issues".to_owned() field="basis.purposes" error text=purposes_issue />
                </fieldset>
                <div class="field" class:field-invalid=invalid("basis.evidence")>
                    <label for="import-evidence">{move || i18n.t().imports.evidence_label}</label>
                    <p id="import-evidence-hint" class="field-hint">{evidence_hint}</p>
                    <input
                        id="import-evidence"
                        type="text"
                        autocomplete="off"
                        maxlength=MAX_EVIDENCE_CHARS.to_string()
                        placeholder=move || i18n.t().imports.evidence_placeholder
                        aria-describedby="import-evidence-hint import-evidence-issues"
                        aria-invalid=move || invalid("basis.evidence")().to_string()
                        bind:value=evidence
                        data-testid="import-evidence"
                    />
                    <FieldIssues id="import-evidence-issues".to_owned() field="basis.evidence" error text=evidence_issue />
                </div>
                <fieldset class="checkbox-group" class:field-invalid=refused>
                    <legend>{move || i18n.t().imports.on_problems_label}</legend>
                    {choice(OnProblems::Skip, "skip")}
                    {choice(OnProblems::Refuse, "refuse")}
                    <Show when=refused>
                        <p class="inline-error" role="alert" data-testid="import-refused">
                            {move || i18n.t().imports.refused}
                        </p>
                    </Show>
                </fieldset>
                <FormAlert error summary=import_error_summary testid="import-commit-error" />
                // Problems of the file found only now (it changed since the preview, say).
                <FieldIssues id="import-commit-file-issues".to_owned() field="file" error text=file_issue />
                <FieldIssues id="import-commit-mapping-issues".to_owned() field="mapping" error />
                <FieldIssues id="import-commit-sheet-issues".to_owned() field="sheet" error />
                <FieldIssues id="import-commit-encoding-issues".to_owned() field="encoding" error />
                <div class="row-actions">
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || busy() || valid() == 0
                        aria-busy=move || draft.commit.pending().get().to_string()
                        data-testid="import-commit"
                    >
                        {move || {
                            let t = &i18n.t().imports;
                            if draft.commit.pending().get() {
                                t.committing.to_owned()
                            } else {
                                fill(t.commit, &[("count", &valid().to_string())])
                            }
                        }}
                    </button>
                    <Show when=move || valid() == 0>
                        <p class="muted" data-testid="import-nothing-valid">{move || i18n.t().imports.nothing_valid}</p>
                    </Show>
                    <UploadProgress draft pending=draft.commit.pending() />
                </div>
            </form>
        </section>
    }
}

/// What the import did, its report, and the way to the form's records.
#[component]
pub(super) fn ImportResult(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        draft.done.get().map(|entry: ImportEntry| {
            let line = move |testid: &'static str, template: fn(&Texts) -> &'static str, n: u64| {
                view! {
                    <li data-testid=testid data-count=n.to_string()>
                        {move || fill(template(i18n.t()), &[("count", &n.to_string())])}
                    </li>
                }
            };
            let records = format!("/records?form_id={}", entry.form_id);
            view! {
                <section class="card alert-success imports-result" role="status" aria-labelledby="imports-result-heading" data-testid="import-result" data-import-id=entry.id.to_string()>
                    <h2 id="imports-result-heading">{move || i18n.t().imports.result_heading}</h2>
                    <ul class="imports-result-counts">
                        {line("import-result-imported", |t| t.imports.result_imported, entry.imported)}
                        {line("import-result-invalid", |t| t.imports.result_invalid, entry.skipped_invalid)}
                        {line("import-result-duplicate", |t| t.imports.result_duplicate, entry.skipped_duplicate_in_file)}
                        {line("import-result-stored", |t| t.imports.result_stored, entry.skipped_already_stored)}
                        {line("import-result-total", |t| t.imports.result_total, entry.rows_total)}
                    </ul>
                    <p>
                        <span class="imports-report-label">{move || i18n.t().imports.report_label} ": "</span>
                        <ReportLinks id=entry.id />
                    </p>
                    <div class="row-actions">
                        <a href=records class="button button-primary" data-testid="import-to-records">
                            {move || i18n.t().imports.to_records}
                        </a>
                        <button
                            type="button"
                            class="button button-secondary"
                            on:click=move |_| draft.start_over()
                            data-testid="import-another"
                        >
                            {move || i18n.t().imports.another}
                        </button>
                    </div>
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    fn basis(b: LawfulBasis, purposes: &[&str], evidence: &str) -> ImportBasis {
        ImportBasis {
            basis: b,
            purposes: purposes
                .iter()
                .map(|k| PurposeKey::parse(*k).expect("a purpose key"))
                .collect(),
            evidence: evidence.to_owned(),
        }
    }

    #[test]
    fn a_basis_needs_a_purpose_and_for_consent_or_contract_evidence() {
        assert_eq!(
            basis_problems(&basis(LawfulBasis::Consent, &[], " ")),
            [
                ("basis.purposes", "required"),
                ("basis.evidence", "required")
            ]
        );
        assert_eq!(
            basis_problems(&basis(LawfulBasis::Contract, &["service"], "")),
            [("basis.evidence", "required")]
        );
        assert!(basis_problems(&basis(LawfulBasis::LegalObligation, &["service"], "")).is_empty());
        assert!(
            basis_problems(&basis(LawfulBasis::Consent, &["service"], "OA-2023-118")).is_empty()
        );
        let long = "字".repeat(MAX_EVIDENCE_CHARS + 1);
        assert_eq!(
            basis_problems(&basis(LawfulBasis::Employment, &["service"], &long)),
            [("basis.evidence", TOO_LONG)]
        );
    }

    #[test]
    fn every_ground_has_a_name_in_both_languages() {
        use shared::i18n::Locale;
        for b in BASES {
            assert!(!EN.imports.basis(b, Locale::En).is_empty());
            assert!(!ZH_CN.imports.basis(b, Locale::ZhCn).is_empty());
        }
        let issue = |code: &str| FieldIssue {
            code: code.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            purposes_issue(&ZH_CN, &issue("required")),
            "请至少选择一项处理目的。"
        );
        assert_eq!(
            evidence_issue(&EN, &issue(TOO_LONG)),
            format!("Use at most {MAX_EVIDENCE_CHARS} characters.")
        );
        assert_eq!(evidence_issue(&EN, &issue("odd")), "from the server");
        assert_eq!(
            fill(ZH_CN.imports.commit, &[("count", "8")]),
            "导入 8 条记录"
        );
    }
}
