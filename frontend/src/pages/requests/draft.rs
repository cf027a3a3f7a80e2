//! The requests pages' forms as typed and what they send, checked before sending with
//! problems keyed like the server's (`requester.name`, `details`, `reason`…). Only what
//! the person can see at once is checked here (empty, too long, too short, a malformed
//! date); the server checks the rest and its issues show at the same fields.

use shared::api::records::IdentifierKind;
use shared::api::requests::{
    NewRequest, PersonIdentifier, RequestKind, Requester, MAX_REQUESTER_CHARS,
    MAX_REQUEST_TEXT_CHARS, MIN_REASON_CHARS,
};
use shared::i18n::Locale;
use shared::schema::parse_iso_date;

/// Issue codes of the checks made before sending.
pub const NAME_TOO_LONG: &str = "requester_too_long";
pub const TEXT_TOO_LONG: &str = "text_too_long";
pub const REASON_TOO_SHORT: &str = "reason_too_short";
pub const DATE_INVALID: &str = "date_invalid";

/// Problems found before sending, as `(field, issue code)`.
pub type Problems = Vec<(&'static str, &'static str)>;

/// The identifier kinds a person is found by, as the selects name them.
pub const ID_KINDS: [&str; 3] = [
    IdentifierKind::Phone.as_str(),
    IdentifierKind::Email.as_str(),
    IdentifierKind::ResidentId.as_str(),
];

/// The register form's values as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDraft {
    pub kind: String,
    pub name: String,
    pub contact: String,
    pub locale: String,
    pub details: String,
    pub received_on: String,
    pub id_kind: String,
    pub id_value: String,
}

impl RequestDraft {
    /// The request, or every problem found before sending.
    pub fn request(&self) -> Result<NewRequest, Problems> {
        let mut problems = Vec::new();
        let name = line(&self.name, "requester.name", &mut problems);
        let contact = line(&self.contact, "requester.contact", &mut problems);
        let details = self.details.trim();
        if details.chars().count() > MAX_REQUEST_TEXT_CHARS {
            problems.push(("details", TEXT_TOO_LONG));
        }
        let received_on = self.received_on.trim();
        if !received_on.is_empty() && parse_iso_date(received_on).is_none() {
            problems.push(("received_on", DATE_INVALID));
        }
        let identifier = identifier(&self.id_kind, &self.id_value, "identifiers[0].value", false)
            .map_err(|p| problems.extend(p))
            .ok()
            .flatten();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(NewRequest {
            kind: RequestKind::parse(&self.kind).unwrap_or(RequestKind::Access),
            requester: Requester {
                name,
                contact,
                locale: Locale::from_tag(&self.locale).unwrap_or(Locale::ZhCn),
            },
            details: details.to_owned(),
            received_on: (!received_on.is_empty()).then(|| received_on.to_owned()),
            identifiers: identifier.into_iter().collect(),
        })
    }
}

/// A required line of at most [`MAX_REQUESTER_CHARS`], trimmed.
fn line(text: &str, field: &'static str, problems: &mut Problems) -> String {
    let text = text.trim();
    if text.is_empty() {
        problems.push((field, "required"));
    } else if text.chars().count() > MAX_REQUESTER_CHARS {
        problems.push((field, NAME_TOO_LONG));
    }
    text.to_owned()
}

/// An identifier of `kind` (a name from [`ID_KINDS`]) with `value`, trimmed: `None`
/// when the value is empty and not `required`.
pub fn identifier(
    kind: &str,
    value: &str,
    field: &'static str,
    required: bool,
) -> Result<Option<PersonIdentifier>, Problems> {
    let value = value.trim();
    if value.is_empty() {
        return if required {
            Err(vec![(field, "required")])
        } else {
            Ok(None)
        };
    }
    if value.chars().count() > MAX_REQUESTER_CHARS {
        return Err(vec![(field, NAME_TOO_LONG)]);
    }
    let kind = IdentifierKind::parse(kind).unwrap_or(IdentifierKind::Phone);
    Ok(Some(PersonIdentifier {
        kind,
        value: value.to_owned(),
    }))
}

/// A reason told to the requester or kept with the deadline: trimmed, between
/// [`MIN_REASON_CHARS`] and [`MAX_REQUEST_TEXT_CHARS`] characters.
pub fn reason(text: &str, field: &'static str) -> Result<String, Problems> {
    let text = text.trim();
    let count = text.chars().count();
    if count == 0 {
        Err(vec![(field, "required")])
    } else if count < MIN_REASON_CHARS {
        Err(vec![(field, REASON_TOO_SHORT)])
    } else if count > MAX_REQUEST_TEXT_CHARS {
        Err(vec![(field, TEXT_TOO_LONG)])
    } else {
        Ok(text.to_owned())
    }
}

/// A note: trimmed, at most [`MAX_REQUEST_TEXT_CHARS`], not empty when `required`.
pub fn note(text: &str, field: &'static str, required: bool) -> Result<String, Problems> {
    let text = text.trim();
    if required && text.is_empty() {
        Err(vec![(field, "required")])
    } else if text.chars().count() > MAX_REQUEST_TEXT_CHARS {
        Err(vec![(field, TEXT_TOO_LONG)])
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> RequestDraft {
        RequestDraft {
            kind: "erasure".to_owned(),
            name: " 李雷 ".to_owned(),
            contact: "lilei@example.com".to_owned(),
            locale: "en".to_owned(),
            details: " Please delete my data. ".to_owned(),
            received_on: "2026-03-02".to_owned(),
            id_kind: "email".to_owned(),
            id_value: String::new(),
        }
    }

    #[test]
    fn a_registered_request_is_sent_trimmed() {
        let req = draft().request();
        assert_eq!(
            req,
            Ok(NewRequest {
                kind: RequestKind::Erasure,
                requester: Requester {
                    name: "李雷".to_owned(),
                    contact: "lilei@example.com".to_owned(),
                    locale: Locale::En,
                },
                details: "Please delete my data.".to_owned(),
                received_on: Some("2026-03-02".to_owned()),
                identifiers: Vec::new(),
            })
        );
    }

    #[test]
    fn an_identifier_is_sent_when_typed() {
        let mut d = draft();
        d.id_value = " lilei@example.com ".to_owned();
        d.received_on = String::new();
        let req = d.request().map(|r| (r.identifiers, r.received_on));
        assert_eq!(
            req,
            Ok((
                vec![PersonIdentifier {
                    kind: IdentifierKind::Email,
                    value: "lilei@example.com".to_owned()
                }],
                None
            ))
        );
    }

    #[test]
    fn every_problem_of_the_register_form_is_reported_at_once() {
        let mut d = draft();
        d.name = "  ".to_owned();
        d.contact = "x".repeat(MAX_REQUESTER_CHARS + 1);
        d.details = "字".repeat(MAX_REQUEST_TEXT_CHARS + 1);
        d.received_on = "02/03/2026".to_owned();
        d.id_value = "1".repeat(MAX_REQUESTER_CHARS + 1);
        assert_eq!(
            d.request(),
            Err(vec![
                ("requester.name", "required"),
                ("requester.contact", NAME_TOO_LONG),
                ("details", TEXT_TOO_LONG),
                ("received_on", DATE_INVALID),
                ("identifiers[0].value", NAME_TOO_LONG),
            ])
        );
    }

    #[test]
    fn reasons_need_a_sentence() {
        assert_eq!(reason(" ", "reason"), Err(vec![("reason", "required")]));
        assert_eq!(
            reason("too short", "reason"),
            Err(vec![("reason", REASON_TOO_SHORT)])
        );
        assert_eq!(
            reason(" The request is manifestly unfounded. ", "reason"),
            Ok("The request is manifestly unfounded.".to_owned())
        );
        assert!(reason(&"字".repeat(MIN_REASON_CHARS), "reason").is_ok());
    }

    #[test]
    fn notes_and_identifiers_are_trimmed_and_checked() {
        assert_eq!(note("  ", "note", false), Ok(String::new()));
        assert_eq!(note("  ", "text", true), Err(vec![("text", "required")]));
        assert_eq!(
            identifier("phone", " ", "identifier.value", true),
            Err(vec![("identifier.value", "required")])
        );
        assert_eq!(
            identifier(
                "resident_id",
                " 11010519491231002X ",
                "identifier.value",
                true
            ),
            Ok(Some(PersonIdentifier {
                kind: IdentifierKind::ResidentId,
                value: "11010519491231002X".to_owned()
            }))
        );
    }
}
