//! A new import: the form (by title) and the file, checked for its kind and size before
//! it goes, then uploaded with its progress shown; the preview (`preview.rs`) and the
//! lawful basis with the commit (`commit.rs`) follow, and the result once it is done.
//!
//! The server keeps nothing between calls: each preview, and the commit, sends the file
//! again with what the page has chosen so far (mapping, sheet, encoding, formulas).

use std::rc::Rc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::error::{ApiError, FieldIssue};
use shared::api::imports::{
    CommitImport, FormulaCells, ImportEntry, ImportPreview, ImportRequest, MAX_IMPORT_MB,
};
use shared::ids::FormId;

use super::commit::{BasisSection, ImportResult};
use super::import_error_summary;
use super::preview::PreviewSection;
use crate::api::OnProgress;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, Loading};
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::i18n::{fill, use_i18n, Texts};

/// Issue codes of the checks made before sending.
pub(super) const WRONG_TYPE: &str = "wrong_type";
pub(super) const TOO_LARGE: &str = "too_large";

/// The problem with a chosen file, if any: its issue code. Only CSV and XLSX are read,
/// up to the server's `max_mb` MiB (said before the upload starts, not after).
#[must_use]
pub(super) fn file_problem(name: &str, size: f64, max_mb: u32) -> Option<&'static str> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(extension.as_str(), "csv" | "xlsx") {
        Some(WRONG_TYPE)
    } else if size > f64::from(max_mb) * 1024.0 * 1024.0 {
        Some(TOO_LARGE)
    } else {
        None
    }
}

/// The problem with a chosen file as an error under `file`, the limit in its `max`.
#[must_use]
pub(super) fn file_error(problem: &'static str, max_mb: u32) -> Option<ApiError> {
    let mut error = local_validation(&[("file", problem)])?;
    if let Some(details) = error.details.as_mut() {
        for issue in details.fields.values_mut().flatten() {
            issue.params.insert("max".to_owned(), max_mb.to_string());
        }
    }
    Some(error)
}

/// A problem with the file or the form in words: the checks made before sending, and
/// the server's codes.
pub(super) fn file_issue(t: &Texts, issue: &FieldIssue) -> String {
    let max = issue
        .params
        .get("max")
        .cloned()
        .unwrap_or_else(|| MAX_IMPORT_MB.to_string());
    match issue.code.as_str() {
        WRONG_TYPE => t.imports.wrong_type.to_owned(),
        TOO_LARGE => fill(t.imports.too_large, &[("max", &max)]),
        _ => t.issue(issue),
    }
}

/// The issue of a missing form, in words.
fn form_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" => t.imports.choose_form.to_owned(),
        _ => t.issue(issue),
    }
}

/// The issue of a missing file, in words.
fn missing_file_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" => t.imports.choose_file.to_owned(),
        _ => file_issue(t, issue),
    }
}

/// What goes with the file on one upload.
#[derive(Clone)]
pub(super) struct Upload<R> {
    pub request: R,
    pub file: web_sys::File,
}

/// What a new import has chosen so far, and its calls; the sections share it.
#[derive(Clone, Copy)]
pub(super) struct Draft {
    /// The form's id, empty until one is chosen.
    pub form: RwSignal<String>,
    pub file: RwSignal<Option<web_sys::File>, LocalStorage>,
    pub input: NodeRef<leptos::html::Input>,
    /// `utf-8` or `gb18030`, empty to detect.
    pub encoding: RwSignal<String>,
    pub sheet: RwSignal<Option<String>>,
    /// `None` until a preview: the server suggests one.
    pub mapping: RwSignal<Option<Vec<Option<String>>>>,
    pub formulas: RwSignal<FormulaCells>,
    /// The share of the file sent, while an upload goes.
    pub progress: RwSignal<Option<u8>>,
    /// The last preview, shown until the file or the form changes.
    pub preview: RwSignal<Option<ImportPreview>>,
    /// The import once committed.
    pub done: RwSignal<Option<ImportEntry>>,
    /// The error of the last preview, shown at its fields (the commit's is its own).
    pub error: RwSignal<Option<ApiError>>,
    pub check: ApiCall<Upload<ImportRequest>, ImportPreview>,
    pub commit: ApiCall<Upload<CommitImport>, ImportEntry>,
}

impl Draft {
    fn new() -> Self {
        let progress = RwSignal::new(None::<u8>);
        let preview = RwSignal::new(None::<ImportPreview>);
        let mapping = RwSignal::new(None::<Vec<Option<String>>>);
        let done = RwSignal::new(None::<ImportEntry>);
        let error = RwSignal::new(None::<ApiError>);
        let tell = move || -> OnProgress { Rc::new(move |p| progress.set(Some(p))) };
        let check = ApiCall::with_error(error, move |api, up: Upload<ImportRequest>| {
            progress.set(Some(0));
            async move {
                let answer = api.preview_import(&up.request, &up.file, tell()).await;
                progress.set(None);
                answer
            }
        })
        .on_ok(move |p: &ImportPreview| {
            mapping.set(Some(p.mapping.clone()));
            preview.set(Some(p.clone()));
        });
        let commit = ApiCall::new(move |api, up: Upload<CommitImport>| {
            progress.set(Some(0));
            async move {
                let answer = api.commit_import(&up.request, &up.file, tell()).await;
                progress.set(None);
                answer
            }
        })
        .on_ok(move |entry: &ImportEntry| {
            preview.set(None);
            done.set(Some(entry.clone()));
        });
        Self {
            form: RwSignal::new(String::new()),
            file: RwSignal::new_local(None),
            input: NodeRef::new(),
            encoding: RwSignal::new(String::new()),
            sheet: RwSignal::new(None),
            mapping,
            formulas: RwSignal::new(FormulaCells::default()),
            progress,
            preview,
            done,
            error,
            check,
            commit,
        }
    }

    /// True while a preview or the commit is under way (tracked).
    pub fn busy(self) -> bool {
        self.check.pending().get() || self.commit.pending().get()
    }

    /// What the server needs besides the file, as chosen now; `None` without a form.
    pub fn request(self) -> Option<ImportRequest> {
        let form_id = FormId::parse(self.form.get_untracked().trim()).ok()?;
        let encoding = self.encoding.get_untracked();
        Some(ImportRequest {
            form_id,
            mapping: self.mapping.get_untracked(),
            sheet: self.sheet.get_untracked(),
            encoding: (!encoding.is_empty()).then_some(encoding),
            formulas: self.formulas.get_untracked(),
        })
    }

    /// Checks the file again with what is chosen now (after a change in the preview).
    pub fn recheck(self) {
        let (Some(request), Some(file)) = (self.request(), self.file.get_untracked()) else {
            return;
        };
        self.commit.fail(None);
        self.check.dispatch(Upload { request, file });
    }

    /// Forgets the preview and what was chosen from it (another file or form).
    fn forget_preview(self) {
        self.preview.set(None);
        self.mapping.set(None);
        self.sheet.set(None);
        self.encoding.set(String::new());
        self.error.set(None);
        self.commit.fail(None);
    }

    /// Starts over with the same form: no file, no preview, no result.
    pub fn start_over(self) {
        if let Some(input) = self.input.get_untracked() {
            input.set_value("");
        }
        self.file.set(None);
        self.forget_preview();
        self.done.set(None);
    }
}

/// The new import tab.
#[component]
pub(super) fn NewImport() -> impl IntoView {
    let i18n = use_i18n();
    let draft = Draft::new();
    // The forms with a published version, by title.
    let forms = api_resource(|api| async move { api.assignment_board().await.map(|b| b.forms) });
    let error = draft.error;
    // The largest file this server reads, as its history says (the default until then).
    let history = api_resource(|api| async move { api.imports().await });
    let max_mb = Signal::derive(move || {
        history
            .get()
            .and_then(Result::ok)
            .map_or(MAX_IMPORT_MB, |l| l.max_file_mb)
    });
    let on_form = move |ev: leptos::ev::Event| {
        draft.form.set(event_target_value(&ev));
        draft.forget_preview();
    };
    let on_file = move |_| {
        let chosen = draft
            .input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|files| files.get(0));
        // Too large or of another kind: said now, before any upload.
        let problem = chosen
            .as_ref()
            .and_then(|f| file_problem(&f.name(), f.size(), max_mb.get_untracked()));
        draft.file.set(chosen);
        draft.forget_preview();
        draft
            .check
            .fail(problem.and_then(|p| file_error(p, max_mb.get_untracked())));
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let file = draft.file.get_untracked();
        let max = max_mb.get_untracked();
        if let Some(problem) = file
            .as_ref()
            .and_then(|f| file_problem(&f.name(), f.size(), max))
        {
            draft.check.fail(file_error(problem, max));
            return;
        }
        let mut problems = Vec::new();
        if draft.form.with_untracked(String::is_empty) {
            problems.push(("form_id", "required"));
        }
        if file.is_none() {
            problems.push(("file", "required"));
        }
        if !problems.is_empty() {
            draft.check.fail(local_validation(&problems));
            return;
        }
        draft.forget_preview();
        draft.recheck();
    };
    let form_options = move || {
        let locale = i18n.locale();
        forms
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let id = f.form_id.to_string();
                let selected = draft.form.with_untracked(|chosen| *chosen == id);
                view! { <option value=id selected=selected>{f.title.get(locale).to_owned()}</option> }
            })
            .collect_view()
    };
    // Loading, none to import into, or the list's error.
    let no_forms = move || {
        forms.get().map(|loaded| match loaded {
            Ok(list) if list.is_empty() => view! {
                <p class="muted" data-testid="imports-no-forms">{move || i18n.t().imports.no_forms}</p>
            }
            .into_any(),
            Ok(_) => ().into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    let invalid = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !e.field_issues(field).is_empty())
            })
        }
    };
    let busy = move || draft.busy();
    view! {
        <section class="imports-section" aria-labelledby="imports-new-heading" data-testid="imports-new">
            <h2 id="imports-new-heading" class="visually-hidden">{move || i18n.t().imports.tab_new}</h2>
            <FormAlert error summary=import_error_summary testid="imports-error" />
            <Show
                when=move || draft.done.with(Option::is_none)
                fallback=move || view! { <ImportResult draft /> }
            >
                <form class="form card imports-file-form" on:submit=submit novalidate>
                    <div class="field" class:field-invalid=invalid("form_id")>
                        <label for="import-form">{move || i18n.t().imports.form_label}</label>
                        <p id="import-form-hint" class="field-hint">{move || i18n.t().imports.form_hint}</p>
                        <select
                            id="import-form"
                            name="form"
                            aria-describedby="import-form-hint import-form-issues"
                            aria-invalid=move || invalid("form_id")().to_string()
                            on:change=on_form
                            disabled=busy
                            data-testid="import-form"
                        >
                            <option value="">{move || i18n.t().imports.form_choose}</option>
                            {form_options}
                        </select>
                        {move || no_forms().unwrap_or_else(|| view! { <Loading /> }.into_any())}
                        <FieldIssues id="import-form-issues".to_owned() field="form_id" error text=form_issue />
                    </div>
                    <div class="field" class:field-invalid=invalid("file")>
                        <label for="import-file">{move || i18n.t().imports.file_label}</label>
                        <p id="import-file-hint" class="field-hint">
                            {move || fill(i18n.t().imports.file_hint, &[("max", &max_mb.get().to_string())])}
                        </p>
                        <input
                            id="import-file"
                            name="file"
                            type="file"
                            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            node_ref=draft.input
                            aria-describedby="import-file-hint import-file-issues"
                            aria-invalid=move || invalid("file")().to_string()
                            on:change=on_file
                            disabled=busy
                            data-testid="import-file"
                        />
                        <FieldIssues id="import-file-issues".to_owned() field="file" error text=missing_file_issue />
                    </div>
                    <div class="row-actions">
                        <button
                            type="submit"
                            class="button button-primary"
                            disabled=busy
                            aria-busy=move || busy().to_string()
                            data-testid="import-upload"
                        >
                            {move || i18n.t().imports.upload}
                        </button>
                        <UploadProgress draft pending=draft.check.pending() />
                    </div>
                </form>
                <Show when=move || draft.preview.with(Option::is_some)>
                    <PreviewSection draft />
                    <BasisSection draft />
                </Show>
            </Show>
        </section>
    }
}

/// How far an upload has got, as a bar and a percentage, then that the server is
/// checking the rows.
#[component]
pub(super) fn UploadProgress(draft: Draft, pending: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let busy = pending.get();
        let sent = draft.progress.get();
        busy.then(|| {
            let percent = sent.unwrap_or(100);
            let words = move || {
                if percent < 100 {
                    fill(i18n.t().imports.uploading, &[("percent", &percent.to_string())])
                } else {
                    i18n.t().imports.checking.to_owned()
                }
            };
            view! {
                <span class="imports-progress" data-testid="import-progress" data-percent=percent.to_string()>
                    <progress max="100" value=percent.to_string() aria-label=move || i18n.t().imports.upload_label></progress>
                    <span role="status">{words}</span>
                </span>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn only_csv_and_xlsx_up_to_the_limit_are_sent() {
        let mib = 1024.0 * 1024.0;
        let max = MAX_IMPORT_MB;
        assert_eq!(file_problem("客户.csv", 10.0, max), None);
        assert_eq!(file_problem("customers.XLSX", 10.0, max), None);
        assert_eq!(file_problem("customers.xls", 10.0, max), Some(WRONG_TYPE));
        assert_eq!(file_problem("csv", 10.0, max), Some(WRONG_TYPE));
        assert_eq!(file_problem("big.xlsx", 2.5 * mib, 2), Some(TOO_LARGE));
        assert_eq!(
            file_problem("big.csv", f64::from(MAX_IMPORT_MB) * mib, max),
            None
        );
        assert_eq!(
            file_problem("big.csv", f64::from(MAX_IMPORT_MB) * mib + 1.0, max),
            Some(TOO_LARGE)
        );
    }

    #[test]
    fn file_problems_are_worded_in_both_languages() {
        let issue = |code: &str| FieldIssue {
            code: code.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            file_issue(&EN, &issue(TOO_LARGE)),
            "The file is larger than 50 MB."
        );
        assert_eq!(file_issue(&ZH_CN, &issue(TOO_LARGE)), "文件大于 50 MB。");
        assert_eq!(
            missing_file_issue(&ZH_CN, &issue("required")),
            "请选择文件。"
        );
        assert_eq!(form_issue(&EN, &issue("required")), "Choose a form.");
        assert_eq!(file_issue(&EN, &issue("unreadable")), "from the server");
        // The server's own limit, when it reads less than the default.
        let small = file_error(TOO_LARGE, 2);
        let words: Vec<String> = small
            .iter()
            .flat_map(|e| e.field_issues("file"))
            .map(|i| file_issue(&ZH_CN, i))
            .collect();
        assert_eq!(words, ["文件大于 2 MB。"]);
    }
}
