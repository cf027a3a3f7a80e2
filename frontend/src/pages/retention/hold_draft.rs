//! A legal hold as the form has it, and the request it makes: checked before sending,
//! with problems keyed like the server's (`target.record_id`, `target.value`,
//! `target.form_id`, `reason`, `ends_on`).

use shared::api::records::IdentifierKind;
use shared::api::retention::{HoldTarget, NewHold, MAX_HOLD_REASON_CHARS};
use shared::ids::{FormId, RecordId};
use shared::schema::parse_iso_date;

/// What a hold covers, as the scope picker offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Record,
    Person,
    Form,
}

impl Scope {
    /// The picker's value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Record => "record",
            Scope::Person => "person",
            Scope::Form => "form",
        }
    }

    /// Reads a picker value; a record for anything unknown.
    pub fn parse(value: &str) -> Self {
        match value {
            "person" => Scope::Person,
            "form" => Scope::Form,
            _ => Scope::Record,
        }
    }
}

/// Issue codes of the checks made before sending (the server's own codes are shown as
/// it words them).
pub const RECORD_ID_INVALID: &str = "record_id_invalid";
pub const REASON_TOO_LONG: &str = "reason_too_long";
pub const DATE_INVALID: &str = "date_invalid";

/// The identifier kinds a person is found by, as the select names them.
pub const KINDS: [&str; 3] = [
    IdentifierKind::Phone.as_str(),
    IdentifierKind::Email.as_str(),
    IdentifierKind::ResidentId.as_str(),
];

/// The form's values as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldDraft {
    pub scope: Scope,
    pub record_id: String,
    pub kind: String,
    pub value: String,
    pub form_id: String,
    pub reason: String,
    pub ends_on: String,
}

impl HoldDraft {
    /// The request, or the problems found before sending as `(field, issue code)`,
    /// keyed like the server's.
    pub fn new_hold(&self) -> Result<NewHold, Vec<(&'static str, &'static str)>> {
        let mut problems = Vec::new();
        let target = match self.scope {
            Scope::Record => match self.record_id.trim() {
                "" => Err(("target.record_id", "required")),
                id => RecordId::parse(id)
                    .map(|record_id| HoldTarget::Record { record_id })
                    .map_err(|_| ("target.record_id", RECORD_ID_INVALID)),
            },
            Scope::Person => match self.value.trim() {
                "" => Err(("target.value", "required")),
                value => IdentifierKind::parse(&self.kind)
                    .map(|kind| HoldTarget::Person {
                        kind,
                        value: value.to_owned(),
                    })
                    .ok_or(("target.kind", "required")),
            },
            Scope::Form => FormId::parse(self.form_id.trim())
                .map(|form_id| HoldTarget::Form { form_id })
                .map_err(|_| ("target.form_id", "required")),
        };
        let target = target.map_err(|p| problems.push(p)).ok();
        let reason = self.reason.trim();
        if reason.is_empty() {
            problems.push(("reason", "required"));
        } else if reason.chars().count() > MAX_HOLD_REASON_CHARS {
            problems.push(("reason", REASON_TOO_LONG));
        }
        let ends_on = self.ends_on.trim();
        if !ends_on.is_empty() && parse_iso_date(ends_on).is_none() {
            problems.push(("ends_on", DATE_INVALID));
        }
        match target {
            Some(target) if problems.is_empty() => Ok(NewHold {
                target,
                reason: reason.to_owned(),
                ends_on: (!ends_on.is_empty()).then(|| ends_on.to_owned()),
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(scope: Scope) -> HoldDraft {
        HoldDraft {
            scope,
            record_id: String::new(),
            kind: "phone".to_owned(),
            value: String::new(),
            form_id: String::new(),
            reason: " Case 2026-17 ".to_owned(),
            ends_on: String::new(),
        }
    }

    #[test]
    fn a_record_hold_needs_a_full_record_id() {
        let mut d = draft(Scope::Record);
        assert_eq!(d.new_hold(), Err(vec![("target.record_id", "required")]));
        d.record_id = "0193a0c2".to_owned();
        assert_eq!(
            d.new_hold(),
            Err(vec![("target.record_id", RECORD_ID_INVALID)])
        );
        let id = RecordId::from_random_bytes([3; 16]);
        d.record_id = format!(" {id} ");
        let hold = d.new_hold();
        assert_eq!(
            hold,
            Ok(NewHold {
                target: HoldTarget::Record { record_id: id },
                reason: "Case 2026-17".to_owned(),
                ends_on: None,
            })
        );
    }

    #[test]
    fn a_person_hold_sends_the_identifier_as_typed_but_trimmed() {
        let mut d = draft(Scope::Person);
        assert_eq!(d.new_hold(), Err(vec![("target.value", "required")]));
        d.value = " 138 1234 5678 ".to_owned();
        d.ends_on = "2027-01-31".to_owned();
        let hold = d.new_hold().map(|h| (h.target, h.ends_on));
        assert_eq!(
            hold,
            Ok((
                HoldTarget::Person {
                    kind: IdentifierKind::Phone,
                    value: "138 1234 5678".to_owned()
                },
                Some("2027-01-31".to_owned())
            ))
        );
        d.kind = "passport".to_owned();
        assert_eq!(d.new_hold(), Err(vec![("target.kind", "required")]));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut d = draft(Scope::Form);
        d.reason = "  ".to_owned();
        d.ends_on = "31/01/2027".to_owned();
        assert_eq!(
            d.new_hold(),
            Err(vec![
                ("target.form_id", "required"),
                ("reason", "required"),
                ("ends_on", DATE_INVALID),
            ])
        );
        d.reason = "x".repeat(MAX_HOLD_REASON_CHARS + 1);
        d.ends_on = String::new();
        d.form_id = FormId::from_random_bytes([5; 16]).to_string();
        assert_eq!(d.new_hold(), Err(vec![("reason", REASON_TOO_LONG)]));
        d.reason = "字".repeat(MAX_HOLD_REASON_CHARS);
        assert!(d.new_hold().is_ok());
    }

    #[test]
    fn the_scope_picker_reads_its_own_values() {
        for s in [Scope::Record, Scope::Person, Scope::Form] {
            assert_eq!(Scope::parse(s.as_str()), s);
        }
        assert_eq!(Scope::parse(""), Scope::Record);
    }
}
