//! User administration (accounts, roles, teams) and record assignment.
//!
//! Only admins manage accounts and teams. A new account or a password reset gets a
//! generated one-time password, shown once in the answer and never again; its holder
//! must replace it at first sign-in.

use crate::ids::{RecordId, TeamId, UserId};
use serde::{Deserialize, Serialize};

use crate::api::auth::Role;

/// The shortest user name.
pub const MIN_USERNAME_CHARS: usize = 3;
/// The longest user name.
pub const MAX_USERNAME_CHARS: usize = 64;
/// The longest display name or team name.
pub const MAX_NAME_CHARS: usize = 100;

/// Checks a proposed user name: 3–64 characters of `a-z`, `0-9`, `.`, `_` and `-`.
/// `None` when acceptable, else a stable issue code.
#[must_use]
pub fn username_problem(username: &str) -> Option<&'static str> {
    let chars = username.chars().count();
    if chars < MIN_USERNAME_CHARS {
        Some("username_too_short")
    } else if chars > MAX_USERNAME_CHARS {
        Some("username_too_long")
    } else if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        Some("username_invalid")
    } else {
        None
    }
}

/// Checks a display name or team name (after trimming): 1–100 characters.
#[must_use]
pub fn name_problem(name: &str) -> Option<&'static str> {
    let chars = name.trim().chars().count();
    if chars == 0 {
        Some("required")
    } else if chars > MAX_NAME_CHARS {
        Some("too_long")
    } else {
        None
    }
}

/// An account as admins see it (`GET /api/v1/users`). Never carries a password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The team the user belongs to, if any.
    pub team: Option<TeamRef>,
    pub disabled: bool,
    /// While some client address must wait after repeated failed sign-ins to this
    /// account: when the latest such wait ends, as Unix milliseconds. A sign of an
    /// attack on the account; the account itself is not locked, and signs in from other
    /// addresses as usual. `None` when no address waits.
    pub locked_until_ms: Option<i64>,
    /// True until the user replaces a generated one-time password.
    pub must_change_password: bool,
    /// True when the user signs in with a second factor (TOTP).
    pub totp_enabled: bool,
    pub created_at_ms: i64,
}

/// A team named in a user's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamRef {
    pub id: TeamId,
    pub name: String,
}

/// `POST /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUserRequest {
    /// See [`username_problem`].
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub team_id: Option<TeamId>,
}

/// `PUT /api/v1/users/{id}`: the account's new display name, role and team (all of
/// them; `team_id: null` or absent takes the user out of any team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateUserRequest {
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub team_id: Option<TeamId>,
}

/// The answer to creating an account or resetting its password: the one-time
/// password is shown here once and is not stored in clear anywhere.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedPassword {
    pub user: UserSummary,
    pub one_time_password: String,
}

impl std::fmt::Debug for IssuedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedPassword")
            .field("user", &self.user)
            .field("one_time_password", &"<redacted>")
            .finish()
    }
}

/// A team (`GET /api/v1/teams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamSummary {
    pub id: TeamId,
    pub name: String,
    /// How many accounts belong to it.
    pub members: i64,
    pub created_at_ms: i64,
}

/// `POST /api/v1/teams` and `PUT /api/v1/teams/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamRequest {
    pub name: String,
}

/// `POST /api/v1/records/{id}/assign`: who owns (follows up on) the record from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignRecordRequest {
    pub owner_id: UserId,
}

/// The answer to an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignRecordResponse {
    pub record_id: RecordId,
    pub previous_owner_id: Option<UserId>,
    pub owner_id: UserId,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn user_name_rules() {
        assert_eq!(username_problem("li.wei_2-x"), None);
        assert_eq!(username_problem("ab"), Some("username_too_short"));
        assert_eq!(username_problem(&"a".repeat(65)), Some("username_too_long"));
        assert_eq!(username_problem(&"a".repeat(64)), None);
        for bad in ["Admin", "li wei", "张伟abc", "a@b.c"] {
            assert_eq!(username_problem(bad), Some("username_invalid"), "{bad}");
        }
    }

    #[test]
    fn name_rules() {
        assert_eq!(name_problem("  "), Some("required"));
        assert_eq!(name_problem("张伟"), None);
        assert_eq!(name_problem(&"x".repeat(101)), Some("too_long"));
    }

    #[test]
    fn issued_passwords_are_not_in_debug_output() {
        let issued = IssuedPassword {
            user: UserSummary {
                id: UserId::from_uuid(uuid::Uuid::nil()),
                username: "li.wei".into(),
                display_name: "Li Wei".into(),
                role: Role::Staff,
                team: None,
                disabled: false,
                locked_until_ms: None,
                must_change_password: true,
                totp_enabled: false,
                created_at_ms: 0,
            },
            one_time_password: "secret-one-time".into(),
        };
        assert!(!format!("{issued:?}").contains("secret-one-time"));
        let json = serde_json::to_value(&issued).unwrap();
        assert_eq!(json["one_time_password"], "secret-one-time");
        let update: UpdateUserRequest =
            serde_json::from_str(r#"{"display_name":"x","role":"manager"}"#).unwrap();
        assert_eq!(update.team_id, None);
    }
}
