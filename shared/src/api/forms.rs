//! Forms: designing a draft, publishing immutable versions, and the public form page.
//!
//! Admin routes (under `/api/v1`):
//! - `GET /forms[?status=archived]` → `Vec<FormSummary>`: active forms (or archived ones),
//!   most recently changed first
//! - `POST /forms` with [`CreateFormRequest`] → 201 [`FormDetail`]
//! - `GET /forms/{id}` → [`FormDetail`]
//! - `PUT /forms/{id}/draft` with [`SaveDraftRequest`] → [`FormDetail`] (409 when stale)
//! - `POST /forms/{id}/duplicate` → 201 [`FormDetail`]
//! - `POST /forms/{id}/archive`, `POST /forms/{id}/restore` → [`FormSummary`]
//! - `POST /forms/{id}/publish` with [`PublishRequest`] → 201 [`VersionDetail`]
//! - `GET /forms/{id}/versions` → `Vec<VersionSummary>`, newest first
//! - `GET /forms/{id}/versions/{number}` → [`VersionDetail`]
//! - `PUT`/`DELETE /forms/{id}/versions/{number}` → always 409: versions are immutable
//!
//! Public routes:
//! - `GET /public/forms/{id}` → the latest [`VersionDetail`] of an active form
//! - `POST /public/forms/{id}/versions/{number}/check` with [`CheckAnswersRequest`] → 204,
//!   or 422 `validation_failed` with issues per field key in the `Accept-Language` language
//!
//! The page `/f/{id}` (served by the web app) carries a [`NoticePage`] and the same
//! [`VersionDetail`] as JSON, so the privacy pop-up shows without another request.

use crate::ids::FormId;
use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;
use crate::schema::{Answers, ComplianceWarning, DraftChange, FormDefinition, SchemaProblem};

/// Whether a form is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormStatus {
    /// Listed, editable, publishable and served to the public.
    Active,
    /// Kept with its versions as evidence, but neither published nor served.
    Archived,
}

impl FormStatus {
    /// The JSON and database name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FormStatus::Active => "active",
            FormStatus::Archived => "archived",
        }
    }

    /// Parses the JSON and database name.
    #[must_use]
    pub fn parse(name: &str) -> Option<FormStatus> {
        match name {
            "active" => Some(FormStatus::Active),
            "archived" => Some(FormStatus::Archived),
            _ => None,
        }
    }
}

/// A form as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSummary {
    /// The form's id (a UUID).
    pub id: FormId,
    /// The draft's title.
    pub title: LocalizedText,
    /// Active or archived.
    pub status: FormStatus,
    /// The draft's revision, which the next save or publish must name as its base.
    pub draft_revision: i64,
    /// The newest published version, if any.
    pub latest_version: Option<VersionSummary>,
    /// True when the draft differs from the newest version (or nothing is published yet).
    pub has_unpublished_changes: bool,
    /// When the form last changed (draft saved, published, archived or restored).
    pub updated_at_ms: i64,
}

/// A published version as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    /// 1 for the first version, then one more for each.
    pub number: i64,
    /// The definition's version hash (`sha256:…`), which consent receipts bind.
    pub hash: String,
    /// When it was published.
    pub published_at_ms: i64,
    /// The display name of who published it, when known.
    pub published_by: Option<String>,
}

/// A form with its draft, for the designer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormDetail {
    /// The form as a list shows it.
    pub summary: FormSummary,
    /// The draft definition.
    pub draft: FormDefinition,
    /// Structural problems of the draft; it cannot be published until there are none.
    pub problems: Vec<SchemaProblem>,
    /// Compliance warnings of the draft; they do not block publishing.
    pub warnings: Vec<ComplianceWarning>,
    /// What the draft changes compared with the newest version (empty when none exists).
    pub changes: Vec<DraftChange>,
}

/// One published version with its definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionDetail {
    /// The version as lists show it.
    pub summary: VersionSummary,
    /// The form it belongs to.
    pub form_id: FormId,
    /// The definition as published.
    pub definition: FormDefinition,
}

/// The id of the `<script type="application/json">` in the page at `/f/{id}` that holds
/// its [`NoticePage`].
pub const NOTICE_PAGE_ELEMENT: &str = "consentry-notice";

/// The id of the `<script type="application/json">` in the page at `/f/{id}` that holds
/// the form's latest [`VersionDetail`], as `GET /public/forms/{id}` gives it (so the form
/// app need not ask for it again).
pub const VERSION_ELEMENT: &str = "consentry-version";

/// What the page at `/f/{id}` gives the customer component's first stage, which shows
/// the privacy pop-up before the form's own code has loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePage {
    /// The form's id, as in the path.
    pub form_id: String,
    /// The URL of the form app's start script, loaded once the pop-up is up.
    pub app: String,
    /// The files the start script goes on to load, asked for together with it, so that
    /// the three download at once instead of one after the other.
    #[serde(default)]
    pub preload: Vec<AppFile>,
    /// The pop-up of the form's latest version; `None` when no active form has this id
    /// (the form app then says so).
    pub notice: Option<crate::consent::notice::PrivacyNotice>,
}

/// A file of the form app (as Trunk names it in the app's page) that the first stage
/// asks the browser for ahead of the start script that imports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFile {
    /// A path on this server.
    pub href: String,
    pub kind: AppFileKind,
    /// The Subresource Integrity hash Trunk wrote for it, if any.
    #[serde(default)]
    pub integrity: Option<String>,
}

/// What an [`AppFile`] is, which says how it is preloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppFileKind {
    /// The app's JS module (`<link rel="modulepreload">`).
    Module,
    /// The app's WASM (`<link rel="preload" as="fetch" type="application/wasm">`).
    Wasm,
}

/// `POST /forms`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateFormRequest {
    /// The first draft; `None` starts from [`FormDefinition::blank`].
    #[serde(default)]
    pub definition: Option<FormDefinition>,
}

/// `PUT /forms/{id}/draft`: replaces the draft (autosave).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveDraftRequest {
    /// The whole new draft. It may still have problems; they are reported, not refused.
    pub definition: FormDefinition,
    /// The draft revision this edit started from; a newer stored revision means someone
    /// else saved in between, and the save is refused with 409.
    pub base_revision: i64,
}

/// `POST /forms/{id}/publish`: publishes the draft as the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishRequest {
    /// The draft revision the publisher reviewed.
    pub base_revision: i64,
}

/// `POST /public/forms/{id}/versions/{number}/check`: validates answers on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckAnswersRequest {
    /// The answers, by field key.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = std::collections::BTreeMap<String, serde_json::Value>)
    )]
    pub answers: Answers,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn statuses_have_stable_names() {
        for s in [FormStatus::Active, FormStatus::Archived] {
            assert_eq!(FormStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(FormStatus::parse("deleted"), None);
    }

    #[test]
    fn create_request_may_be_empty() {
        let r: CreateFormRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(r.definition, None);
        assert!(serde_json::from_str::<PublishRequest>("{}").is_err());
    }
}
