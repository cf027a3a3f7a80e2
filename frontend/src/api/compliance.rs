//! The compliance endpoints of [`ApiClient`] (issue #23): the dashboard's overview, a
//! check's drill-down and the charts, in the whole organisation or narrowed to a form or
//! a team; the kept compliance reports, a report made now, and their schedule. Reports,
//! the records of processing and the impact-assessment drafts are downloaded by the
//! browser from the links made here (plain links, so a file is saved or opened in a tab
//! rather than read into memory); the list of forms that call for an assessment is
//! loaded here.

use gloo_net::http::Method;
use shared::api::compliance::{
    CheckDrillDown, ComplianceCharts, ComplianceOverview, ComplianceQuery, NewReport, ReportEntry,
    ReportList, ReportSettings,
};
use shared::api::error::ApiError;
use shared::api::processing::AssessmentList;
use shared::api::API_PREFIX;
use shared::compliance::CheckId;
use shared::i18n::Locale;
use shared::ids::FormId;

use super::ApiClient;

/// The format of a downloaded compliance document: JSON for machines, HTML to read and
/// print (the browser's "Save as PDF" makes the PDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Json,
    Html,
}

impl DocumentFormat {
    /// Its name in the query.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Html => "html",
        }
    }
}

/// `?form=…&team=…` of a compliance query, empty for the whole scope. Both are UUIDs:
/// nothing in them needs escaping.
#[must_use]
pub fn compliance_query_string(query: &ComplianceQuery) -> String {
    let mut pairs = Vec::new();
    if let Some(form) = query.form {
        pairs.push(format!("form={form}"));
    }
    if let Some(team) = query.team {
        pairs.push(format!("team={team}"));
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

/// `format`, `lang` and either, for the printable HTML a "PDF" link opens in a tab,
/// `print=true`, or, for a file to save, `download=true` when the route knows it (the
/// records of processing and the assessments name the file they send).
fn document_query(format: DocumentFormat, locale: Locale, print: bool, download: bool) -> String {
    let extra = if print && format == DocumentFormat::Html {
        "&print=true"
    } else if download {
        "&download=true"
    } else {
        ""
    };
    format!("?format={}&lang={}{extra}", format.as_str(), locale.tag())
}

/// Where the browser downloads a kept compliance report (its id is the server's, sent
/// back as it came but escaped all the same).
#[must_use]
pub fn report_document_href(
    id: &str,
    format: DocumentFormat,
    locale: Locale,
    print: bool,
) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!(
        "{API_PREFIX}/compliance/reports/{id}{}",
        document_query(format, locale, print, false)
    )
}

/// Where the browser downloads the records of processing activities (the JSON holds
/// both languages).
#[must_use]
pub fn processing_href(format: DocumentFormat, locale: Locale, print: bool) -> String {
    format!(
        "{API_PREFIX}/compliance/processing{}",
        document_query(format, locale, print, true)
    )
}

/// Where the browser downloads the impact-assessment draft of a form.
#[must_use]
pub fn assessment_href(
    form: FormId,
    format: DocumentFormat,
    locale: Locale,
    print: bool,
) -> String {
    format!(
        "{API_PREFIX}/compliance/assessments/{form}{}",
        document_query(format, locale, print, true)
    )
}

impl ApiClient {
    /// `GET /api/v1/compliance`: the rate, the checks, what to fix first, the rates per
    /// form and per team and the trend, in the caller's scope (a manager's team).
    pub async fn compliance_overview(
        &self,
        query: &ComplianceQuery,
    ) -> Result<ComplianceOverview, ApiError> {
        let path = format!("/compliance{}", compliance_query_string(query));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/compliance/checks/{check}`: what fails one check; `forbidden` for a
    /// check the caller may not see (the organisation's, for a manager).
    pub async fn compliance_check(
        &self,
        check: CheckId,
        query: &ComplianceQuery,
    ) -> Result<CheckDrillDown, ApiError> {
        let path = format!(
            "/compliance/checks/{}{}",
            check.as_str(),
            compliance_query_string(query)
        );
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/compliance/charts`: what the dashboard draws.
    pub async fn compliance_charts(
        &self,
        query: &ComplianceQuery,
    ) -> Result<ComplianceCharts, ApiError> {
        let path = format!("/compliance/charts{}", compliance_query_string(query));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/compliance/reports`: the kept reports, newest first, and the schedule.
    pub async fn compliance_reports(&self) -> Result<ReportList, ApiError> {
        self.fetch(Method::GET, "/compliance/reports", None::<&()>)
            .await
    }

    /// `POST /api/v1/compliance/reports`: a report for a chosen period, made now;
    /// `validation_failed` under `period` for one reversed, in the future or too long.
    pub async fn make_compliance_report(&self, req: &NewReport) -> Result<ReportEntry, ApiError> {
        self.fetch(Method::POST, "/compliance/reports", Some(req))
            .await
    }

    /// `GET /api/v1/compliance/assessments`: the forms whose design calls for an impact
    /// assessment (PIPL Art. 55), and why.
    pub async fn compliance_assessments(&self) -> Result<AssessmentList, ApiError> {
        self.fetch(Method::GET, "/compliance/assessments", None::<&()>)
            .await
    }

    /// `PUT /api/v1/compliance/settings` (admins and privacy officers): the schedule
    /// and the checks' thresholds.
    pub async fn save_compliance_settings(
        &self,
        settings: &ReportSettings,
    ) -> Result<ReportSettings, ApiError> {
        self.fetch(Method::PUT, "/compliance/settings", Some(settings))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ids::TeamId;

    #[test]
    fn the_query_names_only_what_narrows_the_view() {
        assert_eq!(compliance_query_string(&ComplianceQuery::default()), "");
        let form = FormId::parse("0190a0b0-0000-7000-8000-000000000001").expect("an id");
        let team = TeamId::parse("0190a0b0-0000-7000-8000-000000000002").expect("an id");
        let query = ComplianceQuery {
            form: Some(form),
            team: Some(team),
        };
        assert_eq!(
            compliance_query_string(&query),
            format!("?form={form}&team={team}")
        );
    }

    #[test]
    fn documents_are_asked_for_in_a_format_and_language() {
        assert_eq!(
            report_document_href("r-1", DocumentFormat::Json, Locale::En, false),
            "/api/v1/compliance/reports/r-1?format=json&lang=en"
        );
        assert_eq!(
            report_document_href("r-1/../x", DocumentFormat::Html, Locale::ZhCn, true),
            "/api/v1/compliance/reports/r-1x?format=html&lang=zh-CN&print=true"
        );
        assert_eq!(
            processing_href(DocumentFormat::Json, Locale::ZhCn, true),
            "/api/v1/compliance/processing?format=json&lang=zh-CN&download=true"
        );
        assert_eq!(
            processing_href(DocumentFormat::Html, Locale::En, true),
            "/api/v1/compliance/processing?format=html&lang=en&print=true"
        );
        let form = FormId::parse("0190a0b0-0000-7000-8000-000000000001").expect("an id");
        assert_eq!(
            assessment_href(form, DocumentFormat::Html, Locale::En, false),
            format!("/api/v1/compliance/assessments/{form}?format=html&lang=en&download=true")
        );
    }
}
