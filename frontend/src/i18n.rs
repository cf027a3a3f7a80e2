//! The UI's two languages: the locale signal, its persistence, and the translation table.
//!
//! Every string the UI shows comes from a [`Texts`] value, one per locale. A key missing
//! from either table is a compile error, never a blank at run time.

#[cfg(feature = "console")]
mod alerts;
#[cfg(feature = "console")]
mod alerts_en;
#[cfg(feature = "console")]
mod alerts_zh;
#[cfg(feature = "console")]
mod api_docs;
#[cfg(feature = "console")]
mod assign;
#[cfg(feature = "console")]
mod backups;
#[cfg(feature = "console")]
mod backups_en;
#[cfg(feature = "console")]
mod backups_zh;
#[cfg(feature = "console")]
mod collect;
#[cfg(feature = "console")]
mod compliance;
#[cfg(feature = "console")]
mod compliance_en;
#[cfg(feature = "console")]
mod compliance_zh;
#[cfg(feature = "console")]
mod conflicts;
#[cfg(feature = "console")]
mod console;
mod customer;
mod customer_request;
#[cfg(feature = "console")]
mod designer;
#[cfg(feature = "console")]
mod designer_en;
#[cfg(feature = "console")]
mod designer_zh;
mod errors;
#[cfg(feature = "console")]
mod exports;
#[cfg(feature = "console")]
mod history;
#[cfg(feature = "console")]
mod imports;
#[cfg(feature = "console")]
mod imports_en;
#[cfg(feature = "console")]
mod imports_zh;
mod renderer;
#[cfg(feature = "console")]
mod requests;
#[cfg(feature = "console")]
mod requests_en;
#[cfg(feature = "console")]
mod requests_zh;
#[cfg(feature = "console")]
mod retention;
#[cfg(feature = "console")]
mod retention_en;
#[cfg(feature = "console")]
mod retention_zh;
mod table;
#[cfg(feature = "console")]
mod trace;
#[cfg(feature = "console")]
mod withdrawal;

#[cfg(feature = "console")]
pub use alerts::AlertsTexts;
#[cfg(feature = "console")]
pub use api_docs::ApiDocsTexts;
#[cfg(feature = "console")]
pub use assign::AssignTexts;
#[cfg(feature = "console")]
pub use backups::{BackupsTexts, ProblemWords};
#[cfg(feature = "console")]
pub use collect::CollectTexts;
#[cfg(feature = "console")]
pub use compliance::ComplianceTexts;
#[cfg(feature = "console")]
pub use conflicts::ConflictsTexts;
#[cfg(feature = "console")]
pub use console::ConsoleTexts;
pub use customer::CustomerTexts;
pub use customer_request::CustomerRequestTexts;
#[cfg(feature = "console")]
pub use designer::DesignerTexts;
pub use errors::{ErrorTexts, IssueTexts};
#[cfg(feature = "console")]
pub use exports::ExportsTexts;
#[cfg(feature = "console")]
pub use history::HistoryTexts;
#[cfg(feature = "console")]
pub use imports::ImportsTexts;
pub use renderer::RendererTexts;
#[cfg(feature = "console")]
pub use requests::RequestsTexts;
#[cfg(feature = "console")]
pub use retention::RetentionTexts;
pub use table::{Texts, EN, ZH_CN};
#[cfg(feature = "console")]
pub use trace::TraceTexts;
#[cfg(feature = "console")]
pub use withdrawal::WithdrawalTexts;

use leptos::prelude::*;
use shared::i18n::Locale;

/// The `localStorage` key that remembers the user's language choice.
pub const LOCALE_STORAGE_KEY: &str = "consentry.locale";

/// The current locale, provided to the whole app as context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// Creates the locale signal from the stored choice or the browser's languages, and
    /// sets `<html lang>` to match.
    #[must_use]
    pub fn new() -> Self {
        Self::starting_with(None)
    }

    /// Like [`I18n::new`], but `requested` (a page's `?lang=`) wins over the stored choice.
    #[must_use]
    pub fn starting_with(requested: Option<Locale>) -> Self {
        let initial = initial_locale(requested);
        set_document_lang(initial);
        Self {
            locale: RwSignal::new(initial),
        }
    }

    /// The current locale (tracked).
    #[must_use]
    pub fn locale(self) -> Locale {
        self.locale.get()
    }

    /// The current locale without subscribing to changes.
    #[must_use]
    pub fn locale_untracked(self) -> Locale {
        self.locale.get_untracked()
    }

    /// The translations of the current locale (tracked).
    #[must_use]
    pub fn t(self) -> &'static Texts {
        texts(self.locale.get())
    }

    /// Switches the language, remembers the choice and updates `<html lang>`.
    pub fn set(self, locale: Locale) {
        remember_locale(locale);
        self.locale.set(locale);
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

/// The [`I18n`] context provided by the app shell.
#[must_use]
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The language to start in: `requested` (the page's `?lang=`), else the one chosen
/// before, else the browser's.
#[must_use]
pub fn initial_locale(requested: Option<Locale>) -> Locale {
    requested
        .or_else(stored_locale)
        .unwrap_or_else(browser_locale)
}

/// Remembers a language the user chose and updates `<html lang>`.
pub fn remember_locale(locale: Locale) {
    store_locale(locale);
    set_document_lang(locale);
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored_locale() -> Option<Locale> {
    let tag = local_storage()?
        .get_item(LOCALE_STORAGE_KEY)
        .ok()
        .flatten()?;
    Locale::ALL.into_iter().find(|l| l.tag() == tag)
}

fn store_locale(locale: Locale) {
    if let Some(storage) = local_storage() {
        // Private browsing may refuse to store; the choice then lasts for this page only.
        let _ = storage.set_item(LOCALE_STORAGE_KEY, locale.tag());
    }
}

fn browser_locale() -> Locale {
    let tags: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default();
    Locale::negotiate(tags.iter().map(String::as_str))
}

fn set_document_lang(locale: Locale) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

/// Sets the document title to `page · Consentry`.
pub fn set_page_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} · Consentry"));
    }
}

/// The translations of `locale`.
#[must_use]
pub const fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::ZhCn => &ZH_CN,
        Locale::En => &EN,
    }
}

/// Replaces each `{name}` in `template` with its value from `params`.
#[must_use]
pub fn fill(template: &str, params: &[(&str, &str)]) -> String {
    params
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use shared::api::auth::MIN_PASSWORD_CHARS;
    use shared::api::error::FieldIssue;

    use super::*;

    fn issue(code: &str) -> FieldIssue {
        FieldIssue {
            code: code.to_owned(),
            params: BTreeMap::new(),
            message: "from the server".to_owned(),
        }
    }

    #[test]
    fn templates_are_filled() {
        assert_eq!(fill("at least {min}", &[("min", "12")]), "at least 12");
        assert_eq!(fill("no params", &[]), "no params");
    }

    #[test]
    fn known_issue_codes_are_translated_and_unknown_ones_kept() {
        assert_eq!(
            EN.issue(&issue("password_too_short")),
            format!("Use at least {MIN_PASSWORD_CHARS} characters.")
        );
        assert!(ZH_CN.issue(&issue("required")).contains("请填写"));
        assert_eq!(EN.issue(&issue("phone_invalid")), "from the server");
    }

    #[test]
    fn the_home_title_differs_by_language() {
        assert_eq!(
            texts(Locale::En).home_title,
            "Collect personal data lawfully"
        );
        assert_eq!(texts(Locale::ZhCn).home_title, "合法合规地收集个人信息");
    }
}
