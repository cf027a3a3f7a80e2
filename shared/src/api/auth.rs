//! Signing in and out, the current session, and password changes.
//!
//! The session lives in an `HttpOnly`, `Secure`, `SameSite=Strict` cookie the browser
//! cannot read. Every state-changing request must also carry the session's CSRF token in
//! the [`CSRF_HEADER`] header; the token comes back in [`SessionInfo`].

use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// The header that carries the CSRF token on every state-changing request.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A user's role. Each role sees and may do different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Forms, users, settings and keys.
    Admin,
    /// Checks compliance: the audit log and reports, personal data masked.
    Auditor,
    /// Their team's records.
    Manager,
    /// Only the customers they collected or were assigned.
    Staff,
    /// The privacy officer: data-subject requests, the people they concern and their
    /// records, retention and holds, withdrawals, the audit log; no form design and no
    /// user administration.
    PrivacyOfficer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Auditor,
        Role::Manager,
        Role::Staff,
        Role::PrivacyOfficer,
    ];

    /// The JSON and database name of the role.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::Manager => "manager",
            Role::Staff => "staff",
            Role::PrivacyOfficer => "privacy_officer",
        }
    }

    /// Parses a role from its name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "admin" => Some(Role::Admin),
            "auditor" => Some(Role::Auditor),
            "manager" => Some(Role::Manager),
            "staff" => Some(Role::Staff),
            "privacy_officer" => Some(Role::PrivacyOfficer),
            _ => None,
        }
    }
}

/// `POST /api/v1/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The account's user name.
    pub username: String,
    /// The password, sent only over the session's connection and never logged.
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The body `POST /api/v1/auth/login` accepts: the credentials and, for accounts with a
/// second factor, the current code of their authenticator app.
///
/// The JSON is [`LoginRequest`]'s with an optional `totp_code` beside its fields, so a
/// client that sends a plain [`LoginRequest`] keeps working; an account with a second
/// factor then answers `totp_required` once the password is right.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    #[serde(flatten)]
    pub credentials: LoginRequest,
    /// The six digits the authenticator shows now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("credentials", &self.credentials)
            .field("totp_code", &self.totp_code.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The answer to `POST /api/v1/auth/totp/setup`: a new secret to enter into an
/// authenticator app (as text or as a QR code of the URI). It takes effect only once
/// confirmed with a code through `POST /api/v1/auth/totp/enable`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// The secret in base32 (RFC 4648, no padding).
    pub secret: String,
    /// `otpauth://totp/…` with the secret, issuer, SHA-1, 6 digits and 30 seconds.
    pub otpauth_uri: String,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSetup { .. }")
    }
}

/// `POST /api/v1/auth/totp/enable`: the password, and a code from the app proving it
/// holds the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnableRequest {
    /// The account's password: turning a second factor on needs the person, not only
    /// their session (someone holding a stolen session could otherwise lock them out).
    pub password: String,
    pub code: String,
}

impl std::fmt::Debug for TotpEnableRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnableRequest { .. }")
    }
}

/// `POST /api/v1/auth/totp/disable`: both factors, so a session left open is not enough.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpDisableRequest {
    pub password: String,
    pub code: String,
}

impl std::fmt::Debug for TotpDisableRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpDisableRequest { .. }")
    }
}

/// The signed-in user, as the UI needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    /// Stable user id.
    pub id: UserId,
    /// The name they sign in with.
    pub username: String,
    /// The name shown in the UI.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// True until they replace a generated first-login password.
    pub must_change_password: bool,
}

/// `GET /api/v1/auth/session` and the answer to a successful login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Who is signed in.
    pub user: CurrentUser,
    /// The token to send in [`CSRF_HEADER`] with every state-changing request.
    pub csrf_token: String,
    /// When the session ends unless used, as Unix milliseconds.
    pub expires_at_ms: i64,
}

/// `POST /api/v1/auth/password`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    /// The password in use now.
    pub current_password: String,
    /// The new password: at least [`MIN_PASSWORD_CHARS`] characters.
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePasswordRequest { .. }")
    }
}

/// The shortest password the server accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password the server accepts (hashing cost is bounded).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a proposed new password; `None` when acceptable, else a stable issue code.
#[must_use]
pub fn password_problem(password: &str, username: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some("password_too_short")
    } else if chars > MAX_PASSWORD_CHARS {
        Some("password_too_long")
    } else if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        Some("password_contains_username")
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Admin, Role::Auditor, Role::Manager, Role::Staff] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn debug_never_prints_passwords() {
        let req = LoginRequest {
            username: "admin".into(),
            password: "hunter2-secret".into(),
        };
        assert!(!format!("{req:?}").contains("hunter2"));
        let with_code = SignInRequest {
            credentials: req,
            totp_code: Some("123456".into()),
        };
        assert!(!format!("{with_code:?}").contains("123456"));
    }

    #[test]
    fn sign_in_requests_extend_login_requests() {
        let plain: SignInRequest =
            serde_json::from_str(r#"{"username":"a","password":"b"}"#).unwrap();
        assert_eq!(plain.totp_code, None);
        assert_eq!(plain.credentials.username, "a");
        let json = serde_json::to_value(SignInRequest {
            totp_code: Some("012345".into()),
            ..plain
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"username": "a", "password": "b", "totp_code": "012345"})
        );
    }

    #[test]
    fn password_rules() {
        assert_eq!(password_problem("short", "a"), Some("password_too_short"));
        assert_eq!(
            password_problem("admin-is-my-password", "admin"),
            Some("password_contains_username")
        );
        assert_eq!(
            password_problem(&"x".repeat(300), "a"),
            Some("password_too_long")
        );
        assert_eq!(password_problem("correct horse battery", "admin"), None);
    }
}
