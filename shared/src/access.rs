//! What each role sees of a field, by the field's sensitivity: one table, used by the
//! server when it builds a view (the browser never receives what it must not show).

use serde::{Deserialize, Serialize};

use crate::{api::auth::Role, schema::Sensitivity};

/// How much of a value a viewer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
        | (Role::Auditor | Role::Manager | Role::Staff, Sensitivity::Sensitive) => {
            Visibility::Masked
        }
        (Role::Admin, Sensitivity::Sensitive) => Visibility::Hidden,
        (Role::Auditor, Sensitivity::Personal) => Visibility::Masked,
        (Role::Manager | Role::Staff, Sensitivity::Personal) => Visibility::Full,
    }
}

/// Whether `role` may reveal a masked value (with a reason, audited).
#[must_use]
pub const fn may_reveal(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Staff | Role::Auditor)
}

/// Whether `role` may list and resolve edit conflicts (managers within their team's
/// records and unassigned ones; admins everywhere).
#[must_use]
pub const fn may_resolve_conflicts(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin)
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
}
