//! What each role sees of a field, by the field's sensitivity: one table, used by the
//! server when it builds a view (the browser never receives what it must not show).

use serde::{Deserialize, Serialize};

use crate::{api::auth::Role, schema::Sensitivity};

/// How much of a value a viewer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The value as collected.
    Full,
    /// The value masked by the field's mask style (`138****5678`).
    Masked,
    /// Nothing, not even its length.
    Hidden,
}

/// The visibility of a field of `sensitivity` to `role`, for a record in the viewer's
/// scope. Admins run the system and see no personal data in clear; auditors check
/// compliance without bulk unmasked data; staff and managers work with their own
/// customers but still see sensitive data masked unless they reveal it.
#[must_use]
pub const fn visibility(role: Role, sensitivity: Sensitivity) -> Visibility {
    match (role, sensitivity) {
        (_, Sensitivity::Ordinary) => Visibility::Full,
        (Role::Admin, Sensitivity::Personal)
        | (
            Role::Auditor | Role::Manager | Role::Staff | Role::PrivacyOfficer,
            Sensitivity::Sensitive,
        ) => Visibility::Masked,
        (Role::Admin, Sensitivity::Sensitive) => Visibility::Hidden,
        (Role::Auditor, Sensitivity::Personal) => Visibility::Masked,
        (Role::Manager | Role::Staff | Role::PrivacyOfficer, Sensitivity::Personal) => {
            Visibility::Full
        }
    }
}

/// Whether `role` may reveal a masked value (with a reason, audited).
#[must_use]
pub const fn may_reveal(role: Role) -> bool {
    matches!(
        role,
        Role::Manager | Role::Staff | Role::Auditor | Role::PrivacyOfficer
    )
}

/// Whether `role` may list and resolve edit conflicts (managers within their team's
/// records and unassigned ones; admins everywhere).
#[must_use]
pub const fn may_resolve_conflicts(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin)
}

/// What a caller needs for an API route, and so what the console shows: the server
/// checks it on every route (`server/src/auth/permission.rs`), and the console hides
/// the menus and pages of what the role may not do with the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Anyone, signed in or not (health, version, sign-in, public consent pages).
    Public,
    /// Any signed-in user acting on their own account; allowed even before a
    /// generated first-login password has been replaced.
    OwnAccount,
    /// Any signed-in user with a current password.
    SignedIn,
    /// Design and publish forms.
    ManageForms,
    /// Create, disable and assign users.
    ManageUsers,
    /// Read and verify the audit log (admins and auditors).
    ViewAudit,
    /// See collected records, within the role's scope and masking.
    ViewRecords,
    /// Reveal a masked value with a reason (managers, staff, auditors).
    RevealValues,
    /// Collect records on a registered device and sync them (staff and managers).
    CollectRecords,
    /// Give a record to a staff member to follow up (admins; managers within their team).
    AssignRecords,
    /// List and resolve edit conflicts (admins; managers within their team).
    ResolveConflicts,
    /// Give published forms to teams and accounts (admins; managers within their team).
    AssignForms,
    /// See what retention will do, run it, read its reports and place legal holds
    /// (admins).
    ManageRetention,
    /// Record the end of a customer relationship on a record in the caller's scope,
    /// which starts the retention clocks counted from it (staff, managers, admins).
    EndRelationships,
    /// Record a customer's withdrawal of consent on a record in the caller's scope, at
    /// the customer's request (staff, managers, admins).
    RecordWithdrawals,
    /// Work on data-subject requests: the register, finding a person's records, the
    /// answer package, corrections and erasure for a request (admins and privacy
    /// officers).
    ManageRequests,
    /// Approve or refuse an unmasked export above the threshold (admins and privacy
    /// officers; never the person who asked, which the service checks).
    DecideExports,
    /// Import records from spreadsheets into a form (admins; managers when an admin
    /// allows it, which the service checks).
    ImportRecords,
    /// See the compliance dashboard: the checks, the rate and their drill-downs
    /// (admins, privacy officers and auditors everywhere; managers for their team).
    ViewCompliance,
    /// Read and make compliance reports, the records of processing and the impact
    /// assessment drafts (admins, privacy officers and auditors).
    ComplianceReports,
    /// Set the compliance reports' schedule and the checks' thresholds (admins and
    /// privacy officers).
    ConfigureCompliance,
    /// See the backups, their off-site copies and restore drills (admins, privacy
    /// officers and auditors).
    ViewBackups,
    /// Ask for a backup now (admins).
    ManageBackups,
}

impl Permission {
    /// Every permission, for tests that walk them all.
    pub const ALL: [Permission; 23] = [
        Permission::Public,
        Permission::OwnAccount,
        Permission::SignedIn,
        Permission::ManageForms,
        Permission::ManageUsers,
        Permission::ViewAudit,
        Permission::ViewRecords,
        Permission::RevealValues,
        Permission::CollectRecords,
        Permission::AssignRecords,
        Permission::ResolveConflicts,
        Permission::AssignForms,
        Permission::ManageRetention,
        Permission::EndRelationships,
        Permission::RecordWithdrawals,
        Permission::ManageRequests,
        Permission::DecideExports,
        Permission::ImportRecords,
        Permission::ViewCompliance,
        Permission::ComplianceReports,
        Permission::ConfigureCompliance,
        Permission::ViewBackups,
        Permission::ManageBackups,
    ];

    /// Whether a caller with `role` (or nobody, when `None`) has this permission.
    #[must_use]
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Permission::Public, _) => true,
            (_, None) => false,
            (Permission::OwnAccount | Permission::SignedIn, Some(_)) => true,
            (
                Permission::ManageForms | Permission::ManageUsers | Permission::ManageBackups,
                Some(role),
            ) => role == Role::Admin,
            (
                Permission::ManageRetention
                | Permission::ManageRequests
                | Permission::DecideExports
                | Permission::ConfigureCompliance,
                Some(role),
            ) => {
                matches!(role, Role::Admin | Role::PrivacyOfficer)
            }
            (Permission::EndRelationships | Permission::RecordWithdrawals, Some(role)) => {
                matches!(
                    role,
                    Role::Admin | Role::Manager | Role::Staff | Role::PrivacyOfficer
                )
            }
            (Permission::ViewCompliance, Some(role)) => role != Role::Staff,
            (
                Permission::ViewAudit | Permission::ComplianceReports | Permission::ViewBackups,
                Some(role),
            ) => {
                matches!(role, Role::Admin | Role::Auditor | Role::PrivacyOfficer)
            }
            (Permission::ViewRecords, Some(_)) => true,
            (Permission::RevealValues, Some(role)) => may_reveal(role),
            (Permission::CollectRecords, Some(role)) => matches!(role, Role::Staff | Role::Manager),
            (
                Permission::AssignRecords | Permission::AssignForms | Permission::ImportRecords,
                Some(role),
            ) => {
                matches!(role, Role::Admin | Role::Manager)
            }
            (Permission::ResolveConflicts, Some(role)) => may_resolve_conflicts(role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_policy() {
        use Sensitivity::{Ordinary, Personal, Sensitive};
        use Visibility::{Full, Hidden, Masked};
        let expected = [
            (Role::Admin, [Full, Masked, Hidden]),
            (Role::Auditor, [Full, Masked, Masked]),
            (Role::Manager, [Full, Full, Masked]),
            (Role::Staff, [Full, Full, Masked]),
            (Role::PrivacyOfficer, [Full, Full, Masked]),
        ];
        for (role, row) in expected {
            for (s, v) in [Ordinary, Personal, Sensitive].into_iter().zip(row) {
                assert_eq!(visibility(role, s), v, "{role:?} {s:?}");
            }
        }
        assert!(!may_reveal(Role::Admin));
        assert!(may_reveal(Role::Staff));
        assert!(may_resolve_conflicts(Role::Manager) && may_resolve_conflicts(Role::Admin));
        assert!(!may_resolve_conflicts(Role::Staff) && !may_resolve_conflicts(Role::Auditor));
    }

    #[test]
    fn permissions_follow_the_roles() {
        use Permission as P;
        let roles = [Role::Admin, Role::Auditor, Role::Manager, Role::Staff];
        let holders =
            |p: P| -> Vec<Role> { roles.into_iter().filter(|r| p.allows(Some(*r))).collect() };
        assert_eq!(holders(P::ManageForms), [Role::Admin]);
        assert_eq!(holders(P::ManageUsers), [Role::Admin]);
        assert_eq!(holders(P::ViewAudit), [Role::Admin, Role::Auditor]);
        assert_eq!(holders(P::ViewRecords), roles);
        assert_eq!(
            holders(P::RevealValues),
            [Role::Auditor, Role::Manager, Role::Staff]
        );
        assert_eq!(holders(P::CollectRecords), [Role::Manager, Role::Staff]);
        assert_eq!(holders(P::AssignRecords), [Role::Admin, Role::Manager]);
        assert_eq!(holders(P::AssignForms), [Role::Admin, Role::Manager]);
        assert_eq!(holders(P::ResolveConflicts), [Role::Admin, Role::Manager]);
        assert_eq!(
            holders(P::ViewCompliance),
            [Role::Admin, Role::Auditor, Role::Manager]
        );
        assert_eq!(holders(P::ComplianceReports), [Role::Admin, Role::Auditor]);
        assert_eq!(holders(P::ConfigureCompliance), [Role::Admin]);
        assert_eq!(holders(P::ViewBackups), [Role::Admin, Role::Auditor]);
        assert_eq!(holders(P::ManageBackups), [Role::Admin]);
        for p in P::ALL {
            assert_eq!(p.allows(None), p == P::Public, "{p:?}");
        }
    }
}
