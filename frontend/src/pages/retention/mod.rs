//! `/retention` (admins): when runs start, what is due per form and field, a dry run of
//! what a run now would do, starting a run and following it to its report, past runs,
//! and the legal holds that keep records from being processed.

mod forecast;
mod hold_draft;
mod hold_form;
mod holds;
mod plan;
mod report;
mod runs;

use leptos::prelude::*;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::retention::{LegalHold, RetentionForecast, RunSummary};
use shared::i18n::{Locale, LocalizedText};

use crate::components::api_call::api_resource;
use crate::components::console_ui::RolesOnly;
use crate::i18n::{set_page_title, use_i18n};
use forecast::ForecastPanel;
use holds::HoldsPanel;
use plan::DryRunPanel;
use runs::RunsPanel;

/// What the page's panels load, and reload after changing something.
#[derive(Clone, Copy)]
pub(crate) struct RetentionState {
    pub forecast: LocalResource<Result<RetentionForecast, ApiError>>,
    pub runs: LocalResource<Result<Vec<RunSummary>, ApiError>>,
    pub holds: LocalResource<Result<Vec<LegalHold>, ApiError>>,
}

impl RetentionState {
    /// Loads what a finished run changed: the runs and what is due.
    pub fn run_finished(self) {
        self.runs.refetch();
        self.forecast.refetch();
    }

    /// Loads what a placed or lifted hold changed: the holds and the held counts.
    pub fn holds_changed(self) {
        self.holds.refetch();
        self.forecast.refetch();
    }
}

/// The retention page.
#[component]
pub fn RetentionPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageRetention>
            <Retention />
        </RolesOnly>
    }
}

#[component]
fn Retention() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().retention.title));
    let state = RetentionState {
        forecast: api_resource(|api| async move { api.retention_forecast().await }),
        runs: api_resource(|api| async move { api.retention_runs().await }),
        holds: api_resource(|api| async move { api.legal_holds().await }),
    };
    view! {
        <section class="console-page retention-page" data-testid="retention-page">
            <h1>{move || i18n.t().retention.title}</h1>
            <p class="muted">{move || i18n.t().retention.intro}</p>
            <ForecastPanel state />
            <DryRunPanel />
            <RunsPanel state />
            <HoldsPanel state />
        </section>
    }
}

/// The first characters of an id, enough to tell records apart in a list (the full id
/// goes in the `title`).
#[must_use]
pub(crate) fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

/// A field's label in `locale`, or its key when it has none.
#[must_use]
pub(crate) fn field_label(label: &LocalizedText, key: &str, locale: Locale) -> String {
    let text = label.get(locale);
    if text.trim().is_empty() {
        key.to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_name_fields_by_label_and_records_by_a_short_id() {
        let label = LocalizedText::new("手机号", "Mobile");
        assert_eq!(field_label(&label, "mobile", Locale::ZhCn), "手机号");
        assert_eq!(field_label(&label, "mobile", Locale::En), "Mobile");
        let only_zh = LocalizedText::new("手机号", "");
        assert_eq!(field_label(&only_zh, "mobile", Locale::En), "手机号");
        assert_eq!(
            field_label(&LocalizedText::default(), "mobile", Locale::En),
            "mobile"
        );
        assert_eq!(short_id("0193a0c2-7f1e-7c3a-9b2d-5e4f6a7b8c9d"), "0193a0c2");
        assert_eq!(short_id("abc"), "abc");
    }
}
