//! `/imports`: records brought in from Excel and CSV files (issue #22). A new import
//! uploads the file for a preview that writes nothing (`new.rs`, `preview.rs`,
//! `problems.rs`), then states the lawful basis and commits (`commit.rs`); the history
//! lists past imports with their reports and undo (`history.rs`); admins set whether
//! managers may import and the undo window (`settings.rs`).
//!
//! Admins import; managers see the page too (the permission's rule), and the server
//! answers 403 until admins allow managers to import (a setting, so the console cannot
//! know it beforehand). The settings are for admins (`ManageUsers`, as on the server).

mod commit;
mod history;
mod new;
mod preview;
mod problems;
mod settings;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::access::Permission;
use shared::api::auth::Role;
use shared::api::error::{ApiError, ErrorCode};
use shared::i18n::Locale;
use shared::ids::ImportId;
use shared::schema::{Purpose, PurposeKey};

use crate::api::{report_href, ReportFormat};
use crate::components::console_ui::RolesOnly;
use crate::i18n::{set_page_title, use_i18n, Texts};
use crate::session::use_session;
use history::History;
use new::NewImport;
use settings::ImportSettingsCard;

/// Whether `role` opens the imports page: the roles the server's import routes admit
/// (admins, and managers whom admins may allow, which the server checks on every call).
#[must_use]
pub fn opens_imports(role: Option<Role>) -> bool {
    Permission::ImportRecords.allows(role)
}

/// The words of an error from an imports call that the generic sentence would not make
/// clear: a manager not (yet) allowed to import, an import refused for its problem rows,
/// and a file larger than the server reads.
pub(crate) fn import_error_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    match error.code {
        ErrorCode::Forbidden => Some(t.imports.forbidden_manager),
        ErrorCode::Conflict => Some(t.imports.refused),
        ErrorCode::PayloadTooLarge => Some(t.imports.server_too_large),
        _ => None,
    }
}

/// The purposes `keys` names, by the names `purposes` gives them in `locale` (a key
/// whose purpose is unknown as it is), joined for a sentence.
#[must_use]
pub(crate) fn purpose_words(keys: &[PurposeKey], purposes: &[Purpose], locale: Locale) -> String {
    let separator = if locale == Locale::ZhCn { "、" } else { ", " };
    keys.iter()
        .map(|key| {
            purposes
                .iter()
                .find(|p| p.key == *key)
                .map(|p| p.name.get(locale))
                .filter(|name| !name.is_empty())
                .unwrap_or(key.as_str())
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// The links to an import's report, in CSV and Excel, worded in the UI's language.
#[component]
pub(crate) fn ReportLinks(id: ImportId) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |format: ReportFormat, label: fn(&Texts) -> &'static str| {
        view! {
            <a
                class="button button-secondary button-small"
                href=move || report_href(id, format, i18n.locale())
                download
                data-testid="import-report"
                data-format=format.as_str()
            >
                <span aria-hidden="true">"⬇\u{a0}"</span>
                {move || label(i18n.t())}
            </a>
        }
    };
    view! {
        <span class="imports-report">
            {link(ReportFormat::Csv, |t| t.imports.report_csv)}
            {link(ReportFormat::Xlsx, |t| t.imports.report_xlsx)}
        </span>
    }
}

/// The page's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    New,
    History,
    Settings,
}

impl Tab {
    /// The tab's name in `data-tab`.
    const fn name(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::History => "history",
            Self::Settings => "settings",
        }
    }
}

/// `/imports`: a new import.
#[component]
pub fn ImportsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ImportRecords>
            <Console tab=Tab::New />
        </RolesOnly>
    }
}

/// `/imports/history`: past imports, their reports and undo.
#[component]
pub fn ImportsHistoryPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ImportRecords>
            <Console tab=Tab::History />
        </RolesOnly>
    }
}

/// `/imports/settings` (admins, as the server's settings routes).
#[component]
pub fn ImportsSettingsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageUsers>
            <Console tab=Tab::Settings />
        </RolesOnly>
    }
}

/// The heading, the tabs and the chosen tab.
#[component]
fn Console(tab: Tab) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Read once: the page never outlives the session (see ARCHITECTURE.md).
    let admin = untrack(|| session.may(Permission::ManageUsers));
    Effect::new(move |_| set_page_title(i18n.t().imports.title));
    let body = match tab {
        Tab::New => view! { <NewImport /> }.into_any(),
        Tab::History => view! { <History /> }.into_any(),
        Tab::Settings => view! { <ImportSettingsCard /> }.into_any(),
    };
    view! {
        <section class="console-page imports-page" data-testid="imports-page" data-tab=tab.name()>
            <h1>{move || i18n.t().imports.title}</h1>
            <p class="muted">{move || i18n.t().imports.intro}</p>
            <nav class="console-tabs" aria-label=move || i18n.t().imports.tabs_label>
                <ul>
                    <li>
                        <A href="/imports" exact=true attr:data-testid="imports-tab-new">
                            {move || i18n.t().imports.tab_new}
                        </A>
                    </li>
                    <li>
                        <A href="/imports/history" attr:data-testid="imports-tab-history">
                            {move || i18n.t().imports.tab_history}
                        </A>
                    </li>
                    {admin.then(|| view! {
                        <li>
                            <A href="/imports/settings" attr:data-testid="imports-tab-settings">
                                {move || i18n.t().imports.tab_settings}
                            </A>
                        </li>
                    })}
                </ul>
            </nav>
            {body}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};
    use shared::i18n::LocalizedText;
    use shared::schema::LawfulBasis;

    #[test]
    fn admins_and_managers_open_imports() {
        let opening: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| opens_imports(Some(*r)))
            .collect();
        assert_eq!(opening, [Role::Admin, Role::Manager]);
        assert!(!opens_imports(None));
    }

    #[test]
    fn purposes_are_named_in_the_language_or_by_key() {
        let key = |k: &str| PurposeKey::parse(k).expect("a purpose key");
        let purpose = |k: &str, zh: &str, en: &str| Purpose {
            key: key(k),
            name: LocalizedText::new(zh, en),
            description: LocalizedText::default(),
            lawful_basis: LawfulBasis::Consent,
            required: false,
            retention: None,
        };
        let purposes = [
            purpose("service", "提供会员服务", "Membership service"),
            purpose("marketing", "营销", "Marketing"),
        ];
        let keys = [key("service"), key("gone"), key("marketing")];
        assert_eq!(
            purpose_words(&keys, &purposes, Locale::En),
            "Membership service, gone, Marketing"
        );
        assert_eq!(
            purpose_words(&keys, &purposes, Locale::ZhCn),
            "提供会员服务、gone、营销"
        );
    }

    #[test]
    fn refusals_are_worded_for_imports() {
        let forbidden = ApiError::new(ErrorCode::Forbidden, "no");
        assert_eq!(
            import_error_summary(&ZH_CN, &forbidden),
            Some("管理员未允许主管导入。请联系管理员。")
        );
        let conflict = ApiError::new(ErrorCode::Conflict, "refused");
        assert_eq!(
            import_error_summary(&EN, &conflict),
            Some(EN.imports.refused)
        );
        let other = ApiError::new(ErrorCode::Internal, "x");
        assert_eq!(import_error_summary(&EN, &other), None);
    }

    #[test]
    fn the_basis_of_an_import_is_named_for_an_import() {
        assert_eq!(
            EN.imports.basis(LawfulBasis::Consent, Locale::En),
            "existing consent given elsewhere"
        );
        assert_eq!(
            ZH_CN.imports.basis(LawfulBasis::Consent, Locale::ZhCn),
            "既有同意（在其他系统取得）"
        );
        assert_eq!(
            EN.imports.basis(LawfulBasis::Contract, Locale::En),
            LawfulBasis::Contract.label(Locale::En)
        );
        assert_eq!(EN.imports.source("gb18030"), "GBK/GB18030 (Chinese Excel)");
        assert_eq!(ZH_CN.imports.source("xlsx"), "Excel 工作簿");
        assert_eq!(EN.imports.source("latin-1"), "latin-1");
    }
}
