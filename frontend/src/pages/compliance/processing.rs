//! The documents a supervisory authority or an officer asks for, on the reports page:
//! the records of processing activities (PIPL Art. 54–55, GDPR Art. 30) in each language,
//! and the forms whose design calls for a personal-information impact assessment (PIPL
//! Art. 55) with the draft of each. HTML is to read, "PDF" opens the printable HTML in
//! a new tab (the browser's "Save as PDF" makes the file), and JSON holds both languages.

use leptos::prelude::*;
use shared::api::forms::FormStatus;
use shared::api::processing::{AssessmentCandidate, AssessmentList, AssessmentTrigger};
use shared::i18n::Locale;

use super::{Busy, LoadFailed};
use crate::api::{assessment_href, processing_href, DocumentFormat};
use crate::components::api_call::api_resource;
use crate::i18n::{fill, use_i18n, Texts};

/// A link to a document: `name` (HTML, PDF, JSON) read with `about` by screen readers;
/// a PDF link opens the printable page in a new tab, the others save a file.
#[component]
fn DocumentLink(
    href: String,
    name: &'static str,
    #[prop(into)] about: Signal<String>,
    testid: &'static str,
    #[prop(optional)] lang: Option<Locale>,
) -> impl IntoView {
    let i18n = use_i18n();
    let print = name == "pdf";
    let new_tab = print.then(
        || view! { <span class="visually-hidden">{move || i18n.t().compliance.new_tab}</span> },
    );
    view! {
        <a
            class="button button-secondary button-small"
            href=href
            download=(!print).then_some("")
            target=print.then_some("_blank")
            rel=print.then_some("noopener")
            hreflang=lang.map(Locale::tag)
            data-testid=testid
            data-format=name
            data-lang=lang.map(Locale::tag)
        >
            {name.to_uppercase()}
            <span class="visually-hidden">" " {move || about.get()}</span>
            {new_tab}
        </a>
    }
}

/// The records of processing: HTML and PDF in each language, and the JSON.
#[component]
pub(super) fn ProcessingCard() -> impl IntoView {
    let i18n = use_i18n();
    let testid = "compliance-processing-download";
    let row = move |locale: Locale| {
        let about = Signal::derive(move || {
            format!(
                "{} ({})",
                i18n.t().compliance.processing_heading,
                locale.native_name()
            )
        });
        view! {
            <li class="compliance-document">
                <span class="compliance-document-lang" lang=locale.tag()>{locale.native_name()}</span>
                <span class="row-actions">
                    <DocumentLink href=processing_href(DocumentFormat::Html, locale, false) name="html" about testid lang=locale />
                    <DocumentLink href=processing_href(DocumentFormat::Html, locale, true) name="pdf" about testid lang=locale />
                </span>
            </li>
        }
    };
    let json_about = Signal::derive(move || i18n.t().compliance.processing_heading.to_owned());
    view! {
        <section class="card compliance-section" aria-labelledby="compliance-processing-heading" data-testid="compliance-processing">
            <h2 id="compliance-processing-heading">{move || i18n.t().compliance.processing_heading}</h2>
            <p class="muted">{move || i18n.t().compliance.processing_intro}</p>
            <ul class="compliance-documents">
                {row(Locale::ZhCn)}
                {row(Locale::En)}
                <li class="compliance-document">
                    <span class="compliance-document-lang">{move || i18n.t().compliance.both_languages}</span>
                    <span class="row-actions">
                        <DocumentLink
                            href=processing_href(DocumentFormat::Json, i18n.locale_untracked(), false)
                            name="json"
                            about=json_about
                            testid
                        />
                    </span>
                </li>
            </ul>
            <p class="field-hint">{move || i18n.t().compliance.pdf_hint}</p>
        </section>
        <AssessmentsCard />
    }
}

/// Why a form calls for an impact assessment, in words.
fn trigger_words(t: &Texts, trigger: AssessmentTrigger) -> &'static str {
    let c = &t.compliance;
    match trigger {
        AssessmentTrigger::SensitiveData => c.trigger_sensitive,
        AssessmentTrigger::Minors => c.trigger_minors,
        AssessmentTrigger::CrossBorderTransfer => c.trigger_cross_border,
    }
}

/// The forms that call for an impact assessment, each with its draft.
#[component]
fn AssessmentsCard() -> impl IntoView {
    let i18n = use_i18n();
    let list = api_resource(|api| async move { api.compliance_assessments().await });
    let body = move || {
        list.get().map(|loaded| match loaded {
            Ok(AssessmentList { forms, .. }) if forms.is_empty() => view! {
                <p class="muted" data-testid="compliance-assessments-empty">
                    {move || i18n.t().compliance.assessments_empty}
                </p>
            }
            .into_any(),
            Ok(AssessmentList { forms, .. }) => {
                let rows = forms
                    .into_iter()
                    .map(|form| view! { <AssessmentRow form /> })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table compliance-table" data-testid="compliance-assessments">
                            <thead>
                                <tr>
                                    <th scope="col">{move || i18n.t().compliance.col_form}</th>
                                    <th scope="col">{move || i18n.t().compliance.col_why}</th>
                                    <th scope="col">{move || i18n.t().compliance.col_records}</th>
                                    <th scope="col">{move || i18n.t().compliance.col_draft}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            Err(error) => view! {
                <LoadFailed error on_retry=move || list.refetch() testid="compliance-assessments-error" />
            }
            .into_any(),
        })
    };
    view! {
        <section class="card compliance-section" aria-labelledby="compliance-assessments-heading" data-testid="compliance-assessments-section">
            <h2 id="compliance-assessments-heading">{move || i18n.t().compliance.assessments_heading}</h2>
            <p class="muted">{move || i18n.t().compliance.assessments_intro}</p>
            <Suspense fallback=|| view! { <Busy /> }>{body}</Suspense>
        </section>
    }
}

/// One form that calls for an assessment: why, how much it holds, and its draft.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn AssessmentRow(form: AssessmentCandidate) -> impl IntoView {
    let i18n = use_i18n();
    let id = form.form_id;
    let title = form.title.clone();
    let about = Signal::derive(move || title.get(i18n.locale()).to_owned());
    let triggers = form.triggers.clone();
    let why = move || {
        let t = i18n.t();
        triggers
            .iter()
            .map(|trigger| trigger_words(t, *trigger))
            .collect::<Vec<_>>()
            .join(t.compliance.separator)
    };
    let archived = form.status == FormStatus::Archived;
    let version = form.version.to_string();
    let testid = "compliance-assessment-download";
    let links = move || {
        let locale = i18n.locale();
        view! {
            <DocumentLink href=assessment_href(id, DocumentFormat::Html, locale, false) name="html" about testid lang=locale />
            <DocumentLink href=assessment_href(id, DocumentFormat::Html, locale, true) name="pdf" about testid lang=locale />
            <DocumentLink href=assessment_href(id, DocumentFormat::Json, locale, false) name="json" about testid />
        }
    };
    view! {
        <tr data-testid="compliance-assessment" data-form=id.to_string()>
            <th scope="row">
                {move || about.get()}
                <br />
                <span class="muted">
                    {move || fill(i18n.t().compliance.version_n, &[("number", &version)])}
                    {archived.then(|| view! { " · " {move || i18n.t().compliance.archived} })}
                </span>
            </th>
            <td>{why}</td>
            <td class="compliance-number">{form.live_records.to_string()}</td>
            <td>
                <span class="row-actions">{links}</span>
            </td>
        </tr>
    }
}
