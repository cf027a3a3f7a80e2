//! The compliance dashboard (issue #23): the checks computed over the data
//! (`checks.rs`), what the dashboard shows of them (`service.rs`), its charts
//! (`charts.rs`), the daily snapshots and scheduled reports (`worker.rs`,
//! `reports.rs`), their settings (`settings.rs`), and the records of processing and
//! impact-assessment drafts (`processing.rs`, rendered by `html.rs`).

pub mod charts;
pub mod checks;
pub mod documents;
pub mod facts;
pub mod handlers;
pub mod html;
mod org_checks;
pub mod processing;
pub mod reports;
pub mod service;
pub mod settings;
pub mod worker;

use shared::{
    api::{
        auth::Role,
        compliance::{ComplianceQuery, ViewScope},
        error::ErrorCode,
    },
    compliance::CheckId,
    i18n::LocalizedText,
    ids::{FormId, TeamId},
};

use crate::{
    auth::Principal,
    error::{AppError, AppResult},
    state::AppState,
};

/// A team a view is limited to.
#[derive(Debug, Clone)]
pub struct TeamRef {
    pub id: TeamId,
    pub name: String,
}

/// A form a view is limited to.
#[derive(Debug, Clone)]
pub struct FormRef {
    pub id: FormId,
    pub title: LocalizedText,
}

/// Whose figures are computed: everything, one team, one form, or a team's share of a
/// form. A manager's view is always their team's.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub team: Option<TeamRef>,
    pub form: Option<FormRef>,
}

impl View {
    /// The whole organisation.
    #[must_use]
    pub const fn organisation() -> Self {
        Self {
            team: None,
            form: None,
        }
    }

    /// Whether the view holds `check`: a team's view only the checks with a meaning
    /// for a team, a form's only those with a meaning for a form.
    #[must_use]
    pub fn includes(&self, check: CheckId) -> bool {
        (self.team.is_none() || check.per_team()) && (self.form.is_none() || check.per_form())
    }

    /// What the view covers, for the answer.
    #[must_use]
    pub fn scope(&self) -> ViewScope {
        match (&self.team, &self.form) {
            (Some(t), _) => ViewScope::Team {
                team_id: t.id,
                name: t.name.clone(),
            },
            (None, Some(f)) => ViewScope::Form {
                form_id: f.id,
                title: f.title.clone(),
            },
            (None, None) => ViewScope::Organisation,
        }
    }

    /// The key of its snapshots: `all`, `team:<id>` or `form:<id>` (a team's share of
    /// a form has none).
    #[must_use]
    pub fn snapshot_key(&self) -> Option<String> {
        match (&self.team, &self.form) {
            (None, None) => Some("all".to_owned()),
            (Some(t), None) => Some(format!("team:{}", t.id)),
            (None, Some(f)) => Some(format!("form:{}", f.id)),
            (Some(_), Some(_)) => None,
        }
    }
}

/// The view `caller` asked for with `query`, as far as they may see it.
///
/// # Errors
/// 403 for staff, for a manager asking for another team or in no team; 404 for an
/// unknown team or form.
pub async fn view_for(
    state: &AppState,
    caller: &Principal,
    query: &ComplianceQuery,
) -> AppResult<View> {
    let team_id = match caller.role() {
        Role::Manager => {
            let own = state.db.team_of(caller.user.id).await?.ok_or_else(|| {
                AppError::client(
                    ErrorCode::Forbidden,
                    "You are in no team, so there are no team figures: ask an admin to add you to a team",
                )
            })?;
            if query.team.is_some_and(|t| t != own) {
                return Err(AppError::client(
                    ErrorCode::Forbidden,
                    "A manager sees their own team's figures only",
                ));
            }
            Some(own)
        }
        Role::Staff => return Err(AppError::forbidden()),
        Role::Admin | Role::Auditor | Role::PrivacyOfficer => query.team,
    };
    let team = match team_id {
        Some(id) => {
            let mut conn = state.db.pool().acquire().await?;
            let t = crate::store::accounts::team_on(&mut conn, id)
                .await?
                .ok_or_else(|| AppError::not_found("No such team"))?;
            Some(TeamRef { id, name: t.name })
        }
        None => None,
    };
    let form = match query.form {
        Some(id) => {
            let row = state
                .db
                .form(id)
                .await?
                .ok_or_else(|| AppError::not_found("No such form"))?;
            let title = match row.latest {
                Some(v) => state
                    .versions
                    .get_any(&state.db, id, v.number)
                    .await
                    .map(|c| c.definition.title.clone())
                    .unwrap_or_default(),
                None => LocalizedText::default(),
            };
            Some(FormRef { id, title })
        }
        None => None,
    };
    Ok(View { team, form })
}

/// The answer when the view does not hold `check`.
#[must_use]
pub fn not_in_view(check: CheckId) -> AppError {
    AppError::client(
        ErrorCode::Forbidden,
        format!(
            "The check {} is the organisation's (or not about one form): it is not in this view",
            check.as_str()
        ),
    )
}
