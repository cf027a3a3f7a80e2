//! "Trace a leak" (admins, auditors and privacy officers): a file found where it should
//! not be, or rows of it pasted, goes to the server, which says which exports' invisible
//! marks it carries: who asked for each, when, for which form, and how sure the match is.
//!
//! A chosen file is sent as the browser holds it (the `File` is the request's body), so
//! it is never copied into the app's memory; pasted rows go as text.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::error::{ApiError, ErrorCode, FieldIssue};
use shared::api::exports::{ExportEntry, TraceConfidence, TraceMatch, TraceReport};
use wasm_bindgen::JsValue;

use super::mine::MaskingWord;
use super::{short_hash, StatusLine};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_time;
use crate::components::form::{local_validation, FieldIssues};
use crate::i18n::{fill, use_i18n, Texts};

/// The largest file the server reads, in megabytes.
pub(crate) use shared::api::exports::MAX_TRACE_MB;

/// The content type of an Excel workbook.
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Issue codes of the checks made before sending.
const CHOOSE_ONE: &str = "choose_one";
const NOT_BOTH: &str = "not_both";
const TOO_LARGE: &str = "too_large";
const WRONG_TYPE: &str = "wrong_type";

/// The field the problems of what is traced are shown under: the file's.
const FILE_FIELD: &str = "file";

/// The content type a file is sent with, from its name: CSV, XLSX or text; `None` for
/// any other kind.
#[must_use]
pub(crate) fn content_type_for(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match extension.as_str() {
        "csv" => Some("text/csv"),
        "xlsx" => Some(XLSX_TYPE),
        "txt" => Some("text/plain"),
        _ => None,
    }
}

/// What is traced: a chosen file with its content type, or pasted rows.
#[derive(Clone)]
enum Traced {
    File(web_sys::File, &'static str),
    Pasted(String),
}

/// What the form holds, checked before sending: the file's name, type and size, if one
/// is chosen, and the pasted text.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Chosen<'a> {
    file: Option<(&'a str, f64)>,
    pasted: &'a str,
}

impl Chosen<'_> {
    /// The problem with what is chosen, if any: its issue code.
    fn problem(&self) -> Option<&'static str> {
        let pasted = !self.pasted.trim().is_empty();
        match self.file {
            None if !pasted => Some(CHOOSE_ONE),
            None => None,
            Some(_) if pasted => Some(NOT_BOTH),
            Some((name, _)) if content_type_for(name).is_none() => Some(WRONG_TYPE),
            Some((_, size)) if size > f64::from(MAX_TRACE_MB) * 1024.0 * 1024.0 => Some(TOO_LARGE),
            Some(_) => None,
        }
    }
}

/// A problem with what is traced, in words: the checks made before sending and the
/// server's codes.
fn trace_issue(t: &Texts, issue: &FieldIssue) -> String {
    let max = MAX_TRACE_MB.to_string();
    match issue.code.as_str() {
        // The server's `required`: nothing but blanks was sent.
        CHOOSE_ONE | "required" => t.trace.choose_one.to_owned(),
        "unreadable" => t.trace.unreadable.to_owned(),
        NOT_BOTH => t.trace.not_both.to_owned(),
        TOO_LARGE => fill(t.trace.too_large, &[("max", &max)]),
        WRONG_TYPE => t.trace.wrong_type.to_owned(),
        _ => t.issue(issue),
    }
}

/// The words under the file's field for an error the server gave without naming a
/// field: too large, the wrong kind, or the error's own sentence.
fn trace_error(t: &Texts, error: &ApiError) -> Option<String> {
    if error.details.as_ref().is_some_and(|d| !d.is_empty()) {
        return None;
    }
    let max = MAX_TRACE_MB.to_string();
    Some(match error.code {
        ErrorCode::PayloadTooLarge => fill(t.trace.too_large, &[("max", &max)]),
        ErrorCode::UnsupportedMediaType => t.trace.wrong_type.to_owned(),
        _ => t.error_text(error),
    })
}

/// The trace tab.
#[component]
pub(super) fn Trace() -> impl IntoView {
    let i18n = use_i18n();
    let file = RwSignal::new_local(None::<web_sys::File>);
    let pasted = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let trace = ApiCall::new(|api, traced: Traced| async move {
        match traced {
            Traced::File(file, content_type) => {
                api.trace_export(content_type, JsValue::from(file)).await
            }
            Traced::Pasted(text) => {
                api.trace_export("text/plain", JsValue::from_str(&text))
                    .await
            }
        }
    });
    let pending = trace.pending();
    let error = trace.error();
    let on_file = move |_| {
        let chosen = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|files| files.get(0));
        file.set(chosen);
        trace.fail(None);
    };
    let clear_file = move |_| {
        if let Some(i) = input.get_untracked() {
            i.set_value("");
        }
        file.set(None);
        trace.fail(None);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = pasted.get_untracked();
        let chosen = file.get_untracked();
        let name = chosen.as_ref().map(web_sys::File::name);
        let problem = Chosen {
            file: chosen
                .as_ref()
                .zip(name.as_deref())
                .map(|(f, n)| (n, f.size())),
            pasted: &text,
        }
        .problem();
        if let Some(problem) = problem {
            trace.fail(local_validation(&[(FILE_FIELD, problem)]));
            return;
        }
        trace.clear();
        let traced = match (chosen, name.as_deref().and_then(content_type_for)) {
            (Some(f), Some(content_type)) => Traced::File(f, content_type),
            _ => Traced::Pasted(text),
        };
        trace.dispatch(traced);
    };
    let file_error = move || {
        error
            .with(|e| e.as_ref().and_then(|e| trace_error(i18n.t(), e)))
            .map(|text| {
                view! {
                    <p class="inline-error" role="alert" data-testid="trace-error">{text}</p>
                }
            })
    };
    let invalid = move || error.with(Option::is_some);
    let chosen_name = move || file.with(|f| f.as_ref().map(web_sys::File::name));
    let results = move || {
        if pending.get() {
            return None;
        }
        trace.value().map(|report| view! { <Results report /> })
    };
    view! {
        <section class="exports-section trace" aria-labelledby="trace-heading" data-testid="trace-page">
            <h2 id="trace-heading">{move || i18n.t().trace.title}</h2>
            <p class="muted">{move || i18n.t().trace.intro}</p>
            <form class="form trace-form" on:submit=submit novalidate>
                <div class="field" class:field-invalid=invalid>
                    <label for="trace-file">{move || i18n.t().trace.file_label}</label>
                    <p id="trace-file-hint" class="field-hint">
                        {move || fill(i18n.t().trace.file_hint, &[("max", &MAX_TRACE_MB.to_string())])}
                    </p>
                    <input
                        id="trace-file"
                        name="file"
                        type="file"
                        accept=".csv,.xlsx,.txt"
                        node_ref=input
                        aria-describedby="trace-file-hint trace-file-issues trace-file-error"
                        aria-invalid=move || invalid().to_string()
                        on:change=on_file
                        data-testid="trace-file"
                    />
                    {move || chosen_name().map(|name| view! {
                        <p class="trace-chosen">
                            <span data-testid="trace-file-name">{name}</span>
                            " "
                            <button
                                type="button"
                                class="button button-secondary button-small"
                                on:click=clear_file
                                data-testid="trace-file-clear"
                            >
                                {move || i18n.t().trace.clear_file}
                            </button>
                        </p>
                    })}
                    <FieldIssues
                        id="trace-file-issues".to_owned()
                        field=FILE_FIELD
                        error
                        text=trace_issue
                    />
                    <div id="trace-file-error">{file_error}</div>
                </div>
                <div class="field">
                    <label for="trace-paste">{move || i18n.t().trace.paste_label}</label>
                    <p id="trace-paste-hint" class="field-hint">{move || i18n.t().trace.paste_hint}</p>
                    <textarea
                        id="trace-paste"
                        name="rows"
                        rows="6"
                        spellcheck="false"
                        aria-describedby="trace-paste-hint"
                        bind:value=pasted
                        data-testid="trace-paste"
                    ></textarea>
                </div>
                <div class="row-actions">
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || pending.get()
                        aria-busy=move || pending.get().to_string()
                        data-testid="trace-submit"
                    >
                        {move || {
                            let t = &i18n.t().trace;
                            if pending.get() { t.tracing } else { t.submit }
                        }}
                    </button>
                    <Show when=move || pending.get()>
                        <p class="muted" role="status" data-testid="trace-pending">
                            {move || i18n.t().trace.tracing}
                        </p>
                    </Show>
                </div>
            </form>
            {results}
        </section>
    }
}

/// What the server found.
#[component]
fn Results(report: TraceReport) -> impl IntoView {
    let i18n = use_i18n();
    let TraceReport { rows_read, matches } = report;
    let rows = rows_read.to_string();
    let body = if matches.is_empty() {
        view! {
            <p class="alert trace-none" role="status" data-testid="trace-none">
                {move || fill(i18n.t().trace.none_found, &[("rows", &rows)])}
            </p>
        }
        .into_any()
    } else {
        let header = move |label: fn(&Texts) -> &'static str| {
            view! { <th scope="col">{move || label(i18n.t())}</th> }
        };
        let found = matches
            .into_iter()
            .map(|m| view! { <MatchRow found=m /> })
            .collect_view();
        view! {
            <p role="status">{move || fill(i18n.t().trace.rows_read, &[("rows", &rows)])}</p>
            <div
                class="table-wrap"
                tabindex="0"
                role="region"
                aria-label=move || i18n.t().trace.results_heading
            >
                <table class="table exports-table trace-table" data-testid="trace-matches">
                    <thead>
                        <tr>
                            {header(|t| t.trace.col_export)}
                            {header(|t| t.trace.col_requester)}
                            {header(|t| t.trace.col_when)}
                            {header(|t| t.trace.col_form)}
                            {header(|t| t.trace.col_rows)}
                            {header(|t| t.trace.col_values)}
                            {header(|t| t.trace.col_status)}
                            {header(|t| t.trace.col_marks)}
                            {header(|t| t.trace.col_confidence)}
                        </tr>
                    </thead>
                    <tbody>{found}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="exports-section" aria-labelledby="trace-results-heading" data-testid="trace-results" data-rows-read=rows_read.to_string()>
            <h3 id="trace-results-heading">{move || i18n.t().trace.results_heading}</h3>
            {body}
        </section>
    }
}

/// One export the file comes from.
#[component]
fn MatchRow(found: TraceMatch) -> impl IntoView {
    let i18n = use_i18n();
    let TraceMatch {
        export,
        marks_found,
        marks_in_file,
        confidence,
    } = found;
    let ExportEntry {
        id,
        requested_by_name,
        requested_at_ms,
        form_title,
        unmasked,
        rows,
        status,
        ..
    } = export;
    let id_text = id.to_string();
    let requester = move || {
        requested_by_name
            .clone()
            .unwrap_or_else(|| i18n.t().exports.unknown_person.to_owned())
    };
    let marks = move || {
        fill(
            i18n.t().trace.marks,
            &[
                ("found", &marks_found.to_string()),
                ("total", &marks_in_file.to_string()),
            ],
        )
    };
    view! {
        <tr data-testid="trace-match" data-export-id=id_text.clone() data-confidence=confidence.as_str()>
            <th scope="row" data-col="export">
                <code title=id_text.clone()>{short_hash(&id_text)}</code>
            </th>
            <td data-col="requester" class="exports-name">{requester}</td>
            <td data-col="when">{move || local_time(requested_at_ms, i18n.locale().tag())}</td>
            <td data-col="form" class="exports-form">
                {move || form_title.get(i18n.locale()).to_owned()}
            </td>
            <td data-col="rows" class="exports-number">{rows.to_string()}</td>
            <td data-col="values"><MaskingWord unmasked /></td>
            <td data-col="status"><StatusLine status /></td>
            <td data-col="marks" class="exports-number" data-found=marks_found.to_string() data-total=marks_in_file.to_string()>
                {marks}
            </td>
            <td data-col="confidence" class="exports-text">
                <ConfidenceWords confidence />
            </td>
        </tr>
    }
}

/// A confidence in a word, and what it rests on.
#[component]
fn ConfidenceWords(confidence: TraceConfidence) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("trace-confidence trace-confidence-{}", confidence.as_str()) data-testid="trace-confidence">
            <strong>{move || i18n.t().trace.confidence(confidence)}</strong>
            <span class="trace-confidence-means">
                {move || i18n.t().trace.confidence_means(confidence)}
            </span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn files_are_sent_with_the_type_of_their_name() {
        assert_eq!(content_type_for("leak.csv"), Some("text/csv"));
        assert_eq!(content_type_for("泄露.XLSX"), Some(XLSX_TYPE));
        assert_eq!(content_type_for("rows.txt"), Some("text/plain"));
        assert_eq!(content_type_for("report.pdf"), None);
        assert_eq!(content_type_for("csv"), None);
    }

    #[test]
    fn a_file_or_pasted_rows_is_traced_not_both() {
        let none = Chosen {
            file: None,
            pasted: "  ",
        };
        assert_eq!(none.problem(), Some(CHOOSE_ONE));
        let pasted = Chosen {
            file: None,
            pasted: "张三,138****5678",
        };
        assert_eq!(pasted.problem(), None);
        let both = Chosen {
            file: Some(("leak.csv", 10.0)),
            pasted: "x",
        };
        assert_eq!(both.problem(), Some(NOT_BOTH));
        let pdf = Chosen {
            file: Some(("leak.pdf", 10.0)),
            pasted: "",
        };
        assert_eq!(pdf.problem(), Some(WRONG_TYPE));
        let big = Chosen {
            file: Some(("leak.xlsx", 51.0 * 1024.0 * 1024.0)),
            pasted: "",
        };
        assert_eq!(big.problem(), Some(TOO_LARGE));
        let fine = Chosen {
            file: Some(("leak.xlsx", 50.0 * 1024.0 * 1024.0)),
            pasted: "",
        };
        assert_eq!(fine.problem(), None);
    }

    #[test]
    fn problems_and_confidences_are_worded_in_both_languages() {
        let issue = |code: &str| FieldIssue {
            code: code.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            trace_issue(&EN, &issue(TOO_LARGE)),
            "The file is larger than 50 MB."
        );
        assert_eq!(trace_issue(&ZH_CN, &issue(TOO_LARGE)), "文件大于 50 MB。");
        assert_eq!(
            trace_issue(&ZH_CN, &issue("unreadable")),
            ZH_CN.trace.unreadable
        );
        let too_large = ApiError::new(ErrorCode::PayloadTooLarge, "too large");
        assert_eq!(
            trace_error(&EN, &too_large).as_deref(),
            Some("The file is larger than 50 MB.")
        );
        assert_eq!(EN.trace.confidence(TraceConfidence::Certain), "Certain");
        assert_eq!(ZH_CN.trace.confidence(TraceConfidence::Possible), "可能");
        assert!(EN
            .trace
            .confidence_means(TraceConfidence::Certain)
            .contains("2^64"));
    }
}
