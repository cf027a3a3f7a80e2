//! The export dialog of the records page: the records the list's filter selects (its
//! form, days, team, owner and state of consent), as the caller sees them, to a CSV
//! file or an Excel workbook; unmasked with a reason for roles that may reveal values.
//! The answer is a one-time download link, or word that an admin or privacy officer
//! must approve it first (the Exports page then offers the download).

use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::access::may_reveal;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::exports::{
    ExportEntry, ExportFormat, ExportStatus, NewExport, MAX_EXPORT_REASON_CHARS,
    MIN_EXPORT_REASON_CHARS,
};
use shared::api::records::{RecordFilter, RecordForm};
use shared::i18n::Locale;

use super::RecordsState;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{close_dialog, open_dialog};
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::i18n::{fill, use_i18n, Texts};
use crate::pages::exports::{issue_text, text_problem, DownloadLink, StatusLine, REFRESH_AFTER};
use crate::session::use_session;

/// What an export exports: the list's filter as applied, with its form, and the names
/// of its team and owner as the pickers show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExportTarget {
    pub form: RecordForm,
    pub filter: RecordFilter,
    pub team_name: Option<String>,
    pub owner_name: Option<String>,
}

impl ExportTarget {
    /// What the filter selects of the form, in words: one phrase per part it names.
    fn words(&self, texts: &Texts) -> Vec<String> {
        let team = self
            .filter
            .team_id
            .map(|_| self.team_name.clone().unwrap_or_default());
        let owner = self
            .filter
            .owner_id
            .map(|_| self.owner_name.clone().unwrap_or_default());
        crate::pages::exports::filter_phrases(
            &texts.exports,
            &self.filter,
            team.as_deref(),
            owner.as_deref(),
        )
    }
}

/// What the dialog's inputs hold.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExportDraft {
    format: ExportFormat,
    unmasked: bool,
    reason: String,
}

impl Default for ExportDraft {
    fn default() -> Self {
        Self {
            format: ExportFormat::Csv,
            unmasked: false,
            reason: String::new(),
        }
    }
}

impl ExportDraft {
    /// The request for the records `filter` selects, with headers in `locale`, or the
    /// problems under their fields (the server checks the same).
    fn request(
        &self,
        filter: &RecordFilter,
        locale: Locale,
    ) -> Result<NewExport, Vec<(&'static str, &'static str)>> {
        let mut problems = Vec::new();
        if self.unmasked {
            if let Some(problem) = text_problem(&self.reason, MIN_EXPORT_REASON_CHARS) {
                problems.push(("reason", problem));
            }
        }
        if filter.form_id.is_none() {
            problems.push(("form_id", "required"));
        }
        if let Err(problem) = filter.collected_between() {
            problems.push((problem.field(), problem.code()));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(NewExport {
            filter: filter.clone(),
            format: self.format,
            unmasked: self.unmasked,
            reason: self.unmasked.then(|| self.reason.trim().to_owned()),
            locale,
        })
    }
}

/// A role that may not export gets the plain sentence (the server's own, in English).
fn export_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    (error.code == ErrorCode::Forbidden).then_some(t.exports.forbidden)
}

/// Exports what `state.export_target` selects.
#[component]
pub fn ExportDialog(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let dialog = NodeRef::<Dialog>::new();
    // Read once (see `relationship.rs`).
    let may_unmask = untrack(|| session.info().is_some_and(|i| may_reveal(i.user.role)));
    let reason = RwSignal::new(String::new());
    let format = RwSignal::new(ExportFormat::Csv);
    let unmasked = RwSignal::new(false);
    let locale = RwSignal::new(i18n.locale_untracked());
    // The download was started from here: the link gives way to a note.
    let taken = RwSignal::new(false);
    let export = ApiCall::new(|api, req: NewExport| async move { api.create_export(&req).await });
    let pending = export.pending();
    let error = export.error();
    Effect::new(move |_| {
        if state.export_target.with(Option::is_some) {
            reason.set(String::new());
            format.set(ExportFormat::Csv);
            unmasked.set(false);
            locale.set(i18n.locale_untracked());
            taken.set(false);
            export.clear();
            error.set(None);
            open_dialog(dialog);
        }
    });
    let close = move |_| {
        close_dialog(dialog);
        state.export_target.set(None);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(target) = state.export_target.get_untracked() else {
            return;
        };
        let now = ExportDraft {
            format: format.get_untracked(),
            unmasked: unmasked.get_untracked(),
            reason: reason.get_untracked(),
        };
        match now.request(&target.filter, locale.get_untracked()) {
            Ok(req) => export.dispatch(req),
            Err(problems) => export.fail(local_validation(&problems)),
        }
    };
    let title = move || {
        let form = state
            .export_target
            .with(|f| {
                f.as_ref()
                    .map(|f| f.form.title.get(i18n.locale()).to_owned())
            })
            .unwrap_or_default();
        fill(i18n.t().exports.dialog_title, &[("form", &form)])
    };
    let downloaded = move || {
        set_timeout(
            move || {
                // Nothing to do once the dialog's page is gone.
                let _ = taken.try_set(true);
            },
            REFRESH_AFTER[0],
        );
    };
    let answer = move || {
        export.value().map(|entry| {
            view! { <Answer entry taken on_download=Callback::new(move |()| downloaded()) /> }
        })
    };
    let locale_option = move |l: Locale| {
        view! {
            <option value=l.tag() selected=move || locale.get() == l>
                {l.native_name()}
            </option>
        }
    };
    let format_option = move |f: ExportFormat| {
        view! {
            <option value=f.as_str() selected=move || format.get() == f>
                {move || i18n.t().exports.format_choice(f)}
            </option>
        }
    };
    // What the list's filter selects, in words: the export holds those records.
    let filter_words = move || {
        let t = i18n.t();
        state
            .export_target
            .with(|target| target.as_ref().map(|target| target.words(t)))
            .unwrap_or_default()
            .into_iter()
            .map(|w| view! { <li>{w}</li> })
            .collect_view()
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog exports-dialog"
            aria-labelledby="export-title"
            on:close=move |_| state.export_target.set(None)
            data-testid="export-dialog"
        >
            <h2 id="export-title">{title}</h2>
            <Show
                when=move || export.value().is_some()
                fallback=move || view! {
                    <form class="form" on:submit=submit novalidate>
                        <p class="muted">{move || i18n.t().exports.dialog_intro}</p>
                        <FormAlert error summary=export_summary testid="export-error" />
                        <div class="field">
                            <label for="export-format">{move || i18n.t().exports.format}</label>
                            <select
                                id="export-format"
                                prop:value=move || format.get().as_str()
                                on:change=move |ev| {
                                    if let Some(f) = ExportFormat::parse(&event_target_value(&ev)) {
                                        format.set(f);
                                    }
                                }
                                data-testid="export-format"
                            >
                                {[ExportFormat::Csv, ExportFormat::Xlsx].map(format_option)}
                            </select>
                        </div>
                        <div class="field">
                            <h3 class="small-heading" id="export-filter-heading">
                                {move || i18n.t().console.list.export_filter}
                            </h3>
                            <p class="field-hint">{move || i18n.t().console.list.export_filter_hint}</p>
                            <ul aria-labelledby="export-filter-heading" data-testid="export-filter">
                                {filter_words}
                            </ul>
                            <FieldIssues
                                id="export-filter-issues".to_owned()
                                field="from"
                                error
                                text=issue_text
                            />
                            <FieldIssues
                                id="export-filter-to-issues".to_owned()
                                field="to"
                                error
                                text=issue_text
                            />
                        </div>
                        <div class="field">
                            <label for="export-locale">{move || i18n.t().exports.language}</label>
                            <p id="export-locale-hint" class="field-hint">
                                {move || i18n.t().exports.language_hint}
                            </p>
                            <select
                                id="export-locale"
                                aria-describedby="export-locale-hint"
                                on:change=move |ev| {
                                    let tag = event_target_value(&ev);
                                    if let Some(l) = Locale::ALL.into_iter().find(|l| l.tag() == tag) {
                                        locale.set(l);
                                    }
                                }
                                data-testid="export-locale"
                            >
                                {Locale::ALL.map(locale_option)}
                            </select>
                        </div>
                        {may_unmask.then(|| view! {
                            <UnmaskedFields unmasked reason error />
                        })}
                        <div class="row-actions">
                            <button
                                type="submit"
                                class="button button-primary"
                                disabled=move || pending.get()
                                aria-busy=move || pending.get().to_string()
                                data-testid="export-submit"
                            >
                                {move || {
                                    let t = &i18n.t().exports;
                                    if pending.get() { t.submitting } else { t.submit }
                                }}
                            </button>
                            <button type="button" class="button button-secondary" on:click=close>
                                {move || i18n.t().console.cancel}
                            </button>
                        </div>
                    </form>
                }
            >
                {answer}
                <div class="row-actions">
                    <button
                        type="button"
                        class="button button-secondary"
                        on:click=close
                        data-testid="export-close"
                    >
                        {move || i18n.t().exports.close}
                    </button>
                </div>
            </Show>
        </dialog>
    }
}

/// The "Unmasked" checkbox and, when ticked, the reason and the note on approval.
#[component]
fn UnmaskedFields(
    unmasked: RwSignal<bool>,
    reason: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let invalid = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues("reason").is_empty())
        })
    };
    let hint = move || {
        fill(
            i18n.t().exports.reason_hint,
            &[
                ("min", &MIN_EXPORT_REASON_CHARS.to_string()),
                ("max", &MAX_EXPORT_REASON_CHARS.to_string()),
            ],
        )
    };
    view! {
        <div class="checkbox-field">
            <input
                id="export-unmasked"
                type="checkbox"
                aria-describedby="export-unmasked-hint"
                prop:checked=move || unmasked.get()
                on:change=move |ev| unmasked.set(event_target_checked(&ev))
                data-testid="export-unmasked"
            />
            <label for="export-unmasked">{move || i18n.t().exports.unmasked_label}</label>
            <p id="export-unmasked-hint" class="field-hint">
                {move || i18n.t().exports.unmasked_hint}
            </p>
        </div>
        <Show when=move || unmasked.get()>
            <div class="field" class:field-invalid=invalid>
                <label for="export-reason">{move || i18n.t().exports.reason}</label>
                <p id="export-reason-hint" class="field-hint">{hint}</p>
                <textarea
                    id="export-reason"
                    rows="3"
                    required
                    minlength=MIN_EXPORT_REASON_CHARS.to_string()
                    maxlength=MAX_EXPORT_REASON_CHARS.to_string()
                    aria-invalid=move || invalid().to_string()
                    aria-describedby="export-reason-hint export-approval-note export-reason-issues"
                    bind:value=reason
                    data-testid="export-reason"
                ></textarea>
                <FieldIssues
                    id="export-reason-issues".to_owned()
                    field="reason"
                    error
                    text=issue_text
                />
                <p id="export-approval-note" class="exports-approval-note">
                    {move || i18n.t().exports.approval_note}
                </p>
            </div>
        </Show>
    }
}

/// The export as the server answered: its download link, or who must approve it first.
#[component]
fn Answer(entry: ExportEntry, taken: RwSignal<bool>, on_download: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let count = entry.rows.to_string();
    match (entry.status, entry.download_path) {
        (ExportStatus::Ready, Some(path)) => {
            let expires_at_ms = entry.expires_at_ms;
            view! {
                <div class="exports-answer" role="status" data-testid="export-ready">
                    <p>
                        <span aria-hidden="true">"✓ "</span>
                        {move || fill(i18n.t().exports.ready, &[("count", &count)])}
                    </p>
                    <Show
                        when=move || !taken.get()
                        fallback=move || view! {
                            <p data-testid="export-download-started">
                                {move || i18n.t().exports.download_started}
                            </p>
                        }
                    >
                        <DownloadLink path=path.clone() expires_at_ms on_download />
                    </Show>
                </div>
            }
            .into_any()
        }
        (ExportStatus::AwaitingApproval, _) => view! {
            <div class="exports-answer" role="status" data-testid="export-awaiting">
                <p>
                    <span aria-hidden="true">"⏳ "</span>
                    {move || fill(i18n.t().exports.awaiting, &[("count", &count)])}
                </p>
                <p>{move || i18n.t().exports.awaiting_next}</p>
                <p>
                    <A href="/exports" attr:data-testid="export-to-exports">
                        {move || i18n.t().exports.to_exports}
                    </A>
                </p>
            </div>
        }
        .into_any(),
        (status, _) => view! {
            <div class="exports-answer" role="status">
                <StatusLine status />
            </div>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use shared::api::records::ConsentState;
    use shared::ids::{FormId, TeamId};

    use super::*;
    use crate::i18n::EN;

    fn filter() -> RecordFilter {
        RecordFilter {
            form_id: Some(FormId::from_random_bytes([7; 16])),
            from: Some("2024-01-01".to_owned()),
            team_id: Some(TeamId::from_random_bytes([8; 16])),
            consent: Some(ConsentState::InForce),
            ..RecordFilter::default()
        }
    }

    #[test]
    fn a_masked_export_sends_the_lists_filter_and_needs_no_reason() {
        let draft = ExportDraft {
            format: ExportFormat::Xlsx,
            reason: "ignored".to_owned(),
            ..ExportDraft::default()
        };
        assert_eq!(
            draft.request(&filter(), Locale::ZhCn),
            Ok(NewExport {
                filter: filter(),
                format: ExportFormat::Xlsx,
                unmasked: false,
                reason: None,
                locale: Locale::ZhCn,
            })
        );
    }

    #[test]
    fn an_unmasked_export_needs_a_reason_of_the_right_length() {
        let mut draft = ExportDraft {
            unmasked: true,
            ..ExportDraft::default()
        };
        assert_eq!(
            draft.request(&filter(), Locale::En),
            Err(vec![("reason", "required")])
        );
        draft.reason = "  Audit of ID checks, ticket 42 ".to_owned();
        let sent = draft
            .request(&filter(), Locale::En)
            .map(|r| (r.unmasked, r.reason));
        assert_eq!(
            sent,
            Ok((true, Some("Audit of ID checks, ticket 42".to_owned())))
        );
    }

    #[test]
    fn an_export_needs_a_form_and_days_in_order() {
        let backwards = RecordFilter {
            form_id: None,
            from: Some("2024-03-02".to_owned()),
            to: Some("2024-03-01".to_owned()),
            ..RecordFilter::default()
        };
        assert_eq!(
            ExportDraft::default().request(&backwards, Locale::En),
            Err(vec![("form_id", "required"), ("to", "before_from")])
        );
    }

    #[test]
    fn the_dialog_says_what_the_filter_selects() {
        let target = ExportTarget {
            form: RecordForm {
                id: FormId::from_random_bytes([7; 16]),
                title: shared::i18n::LocalizedText::default(),
                versions: vec![1],
            },
            filter: filter(),
            team_name: Some("North".to_owned()),
            owner_name: None,
        };
        assert_eq!(
            target.words(&EN),
            [
                "Collected from 2024-01-01",
                "Team: North",
                "Consent: in force"
            ]
        );
        let everything = ExportTarget {
            filter: RecordFilter {
                form_id: target.filter.form_id,
                ..RecordFilter::default()
            },
            ..target
        };
        assert_eq!(everything.words(&EN), [EN.exports.filter_everything]);
    }
}
