//! Form assignments: which published forms staff and managers collect with, given to
//! them directly or through their team.
//!
//! Routes (under `/api/v1`):
//! - `GET /form-assignments` (admins, managers) → [`AssignmentBoard`]: every active form
//!   with a published version, its assignments within the caller's reach, and who may be
//!   given forms (admins: every team and collecting account; managers: their own team and
//!   its members)
//! - `PUT /form-assignments/{form_id}` (admins, managers) with [`FormAssignments`] →
//!   [`AssignableForm`]: replaces the assignments within the caller's reach; a manager's
//!   change leaves the assignments outside their team as they are, and naming a team or
//!   account outside it is 403 `forbidden` with the offending ids under
//!   `details.fields.teams` / `details.fields.users` (issue code [`OUTSIDE_TEAM`])
//! - `GET /my-forms` (staff, managers) → `Vec<AssignedForm>`: the latest published
//!   version of every active form assigned to the caller or their team, in the same
//!   shape as the public form, so a device can keep it for offline collection

use crate::ids::{FormId, TeamId, UserId};
use serde::{Deserialize, Serialize};

use crate::api::auth::Role;
use crate::api::forms::{VersionDetail, VersionSummary};
use crate::i18n::LocalizedText;

/// The most teams or accounts one assignment request may name.
pub const MAX_ASSIGNEES: usize = 1000;

/// The issue code of a team or account outside a manager's team.
pub const OUTSIDE_TEAM: &str = "outside_team";
/// The issue code of a team id that names no team.
pub const UNKNOWN_TEAM: &str = "unknown_team";
/// The issue code of an account id that names no account.
pub const UNKNOWN_USER: &str = "unknown_user";
/// The issue code of an account whose role does not collect (admins, auditors).
pub const NOT_A_COLLECTOR: &str = "not_a_collector";
/// The issue code of a list longer than [`MAX_ASSIGNEES`].
pub const TOO_MANY: &str = "too_many";

/// Who a form is assigned to: account ids and team ids. Order does not matter and
/// repeated ids count once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormAssignments {
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub teams: Vec<String>,
}

impl FormAssignments {
    /// True when nobody is named.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.teams.is_empty()
    }

    /// The same assignments with each list sorted and without repeats.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        for list in [&mut self.users, &mut self.teams] {
            list.sort();
            list.dedup();
        }
        self
    }
}

/// A published form as the assignment page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignableForm {
    pub form_id: FormId,
    /// The title of the latest published version (what collectors see).
    pub title: LocalizedText,
    pub latest_version: VersionSummary,
    /// The assignments within the caller's reach, sorted.
    pub assignments: FormAssignments,
    /// How many assignments lie outside the caller's reach (managers: other teams and
    /// their members); always 0 for admins.
    pub assigned_elsewhere: i64,
}

/// A team that may be given forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignableTeam {
    pub id: TeamId,
    pub name: String,
}

/// A collecting account (staff or manager) that may be given forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignableUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    /// Disabled accounts keep their assignments; they apply again once re-enabled.
    pub disabled: bool,
}

/// `GET /form-assignments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentBoard {
    /// Active forms with a published version, by title.
    pub forms: Vec<AssignableForm>,
    /// The teams the caller may assign to, by name.
    pub teams: Vec<AssignableTeam>,
    /// The accounts the caller may assign to, by display name.
    pub users: Vec<AssignableUser>,
    /// For a manager, their team (`None` when they have none, so they can assign
    /// nothing); `None` for admins too, who reach everyone.
    pub own_team: Option<AssignableTeam>,
}

/// A form the caller collects with (`GET /my-forms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignedForm {
    /// The latest published version, exactly as `GET /public/forms/{id}` returns it.
    pub version: VersionDetail,
    /// Assigned to the caller by name.
    pub direct: bool,
    /// Assigned to the caller's team.
    pub via_team: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn assignments_default_to_nobody_and_normalise() {
        let empty: FormAssignments = serde_json::from_str("{}").unwrap();
        assert!(empty.is_empty());
        let a = FormAssignments {
            users: vec!["b".into(), "a".into(), "b".into()],
            teams: vec!["t".into(), "t".into()],
        }
        .normalized();
        assert_eq!(a.users, vec!["a", "b"]);
        assert_eq!(a.teams, vec!["t"]);
    }
}
