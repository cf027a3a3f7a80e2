//! The privacy pop-up's content and its rule, apart from the form they come from.
//!
//! A customer's browser shows the pop-up first, before the form's own code has loaded
//! (the customer component's first stage, `frontend/src/notice/`), so what it needs is
//! cut out of the published definition on the server ([`PrivacyNotice::of`]) and sent in
//! the page. The rule that says when the customer may go on ([`PrivacyNotice::blockers`])
//! is the one the form app's own pop-up and staff devices apply as well.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;
use crate::schema::{FormDefinition, Sensitivity};

/// What the privacy pop-up shows and checks, for one published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyNotice {
    /// The version's hash (`sha256:…`), shown in the pop-up and bound by the receipt.
    pub version_hash: String,
    /// The form's title.
    pub title: LocalizedText,
    /// Who collects the data, and how to reach them.
    pub controller: LocalizedText,
    pub contact: String,
    /// The notice, as restricted rich text.
    pub notice: LocalizedText,
    /// The purposes, in the form's order, each to agree to or decline.
    pub purposes: Vec<NoticePurpose>,
    /// The wording of the separate consent to sensitive information, when the form has
    /// sensitive fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<LocalizedText>,
    /// The purposes of each required sensitive field (empty: the field serves none in
    /// particular, so it is always asked). The separate consent is needed as soon as one
    /// of these fields will be asked, given the purposes agreed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_sensitive: Vec<Vec<String>>,
    /// A transfer abroad, which needs its own consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_border: Option<NoticeTransfer>,
    /// Below this age a guardian must consent (the form asks later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_under_age: Option<u8>,
}

/// One purpose as the pop-up shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePurpose {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// The service cannot be provided without it.
    pub required: bool,
}

/// A transfer abroad as the pop-up shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeTransfer {
    pub recipient: String,
    pub country: String,
    pub purpose: LocalizedText,
}

/// Why the customer cannot go on from the pop-up yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A purpose was neither agreed to nor declined.
    UndecidedPurpose,
    /// A required purpose was declined (its index in [`PrivacyNotice::purposes`]).
    RequiredDeclined(usize),
    /// A required sensitive field will be asked, so the separate consent is needed.
    SensitiveNeeded,
    /// The transfer abroad needs its separate consent.
    CrossBorderNeeded,
}

/// The customer's choices in the pop-up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopupAnswers {
    /// Purpose key → agreed (absent: not chosen yet).
    pub decisions: BTreeMap<String, bool>,
    pub sensitive: bool,
    pub cross_border: bool,
}

impl PrivacyNotice {
    /// The pop-up of `def`, published as `version_hash`.
    #[must_use]
    pub fn of(def: &FormDefinition, version_hash: &str) -> Self {
        let required_sensitive = def
            .fields()
            .filter(|f| f.required && f.sensitivity == Sensitivity::Sensitive)
            .map(|f| f.purposes.iter().map(|p| p.as_str().to_owned()).collect())
            .collect();
        Self {
            version_hash: version_hash.to_owned(),
            title: def.title.clone(),
            controller: def.controller.name.clone(),
            contact: def.controller.contact.clone(),
            notice: def.notice.clone(),
            purposes: def
                .purposes
                .iter()
                .map(|p| NoticePurpose {
                    key: p.key.as_str().to_owned(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    required: p.required,
                })
                .collect(),
            sensitive: def
                .has_sensitive_fields()
                .then(|| def.sensitive_consent_text.clone()),
            required_sensitive,
            cross_border: def.cross_border.as_ref().map(|t| NoticeTransfer {
                recipient: t.recipient.clone(),
                country: t.country.clone(),
                purpose: t.purpose.clone(),
            }),
            guardian_under_age: def.guardian_consent_under_age,
        }
    }

    /// What stops the customer from going on with `answers` (nothing: they may).
    #[must_use]
    pub fn blockers(&self, answers: &PopupAnswers) -> Vec<Blocker> {
        let decided = |key: &str| answers.decisions.get(key).copied();
        let mut out = Vec::new();
        if self.purposes.iter().any(|p| decided(&p.key).is_none()) {
            out.push(Blocker::UndecidedPurpose);
        }
        for (i, p) in self.purposes.iter().enumerate() {
            if p.required && decided(&p.key) == Some(false) {
                out.push(Blocker::RequiredDeclined(i));
            }
        }
        let asked = |purposes: &Vec<String>| {
            purposes.is_empty() || purposes.iter().any(|p| decided(p) == Some(true))
        };
        if !answers.sensitive && self.required_sensitive.iter().any(asked) {
            out.push(Blocker::SensitiveNeeded);
        }
        if self.cross_border.is_some() && !answers.cross_border {
            out.push(Blocker::CrossBorderNeeded);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> PrivacyNotice {
        PrivacyNotice::of(&FormDefinition::demo_customer_registration(), "sha256:x")
    }

    fn all(notice: &PrivacyNotice, agreed: bool) -> PopupAnswers {
        PopupAnswers {
            decisions: notice
                .purposes
                .iter()
                .map(|p| (p.key.clone(), agreed))
                .collect(),
            sensitive: false,
            cross_border: false,
        }
    }

    #[test]
    fn the_notice_carries_what_the_pop_up_shows() {
        let def = FormDefinition::demo_customer_registration();
        let notice = demo();
        assert_eq!(notice.purposes.len(), def.purposes.len());
        assert_eq!(notice.controller, def.controller.name);
        assert_eq!(notice.sensitive.is_some(), def.has_sensitive_fields());
        let json = serde_json::to_string(&notice).expect("serialises");
        let back: PrivacyNotice = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, notice);
    }

    #[test]
    fn every_purpose_must_be_decided_and_required_ones_agreed() {
        let notice = demo();
        let nothing = PopupAnswers::default();
        assert!(notice
            .blockers(&nothing)
            .contains(&Blocker::UndecidedPurpose));
        let declined = all(&notice, false);
        let required: Vec<_> = notice
            .purposes
            .iter()
            .enumerate()
            .filter(|(_, p)| p.required)
            .map(|(i, _)| Blocker::RequiredDeclined(i))
            .collect();
        assert!(!required.is_empty());
        let found = notice.blockers(&declined);
        assert!(required.iter().all(|b| found.contains(b)));
        assert!(!found.contains(&Blocker::UndecidedPurpose));
    }

    #[test]
    fn sensitive_consent_is_needed_only_when_a_required_sensitive_field_is_asked() {
        let mut notice = demo();
        notice.cross_border = None;
        notice.required_sensitive = vec![vec!["identity_verification".to_owned()]];
        let mut answers = all(&notice, true);
        assert_eq!(notice.blockers(&answers), vec![Blocker::SensitiveNeeded]);
        answers.sensitive = true;
        assert!(notice.blockers(&answers).is_empty());
        // Declining the field's only purpose means it is not asked.
        answers.sensitive = false;
        answers
            .decisions
            .insert("identity_verification".to_owned(), false);
        for p in &mut notice.purposes {
            p.required = false;
        }
        assert!(notice.blockers(&answers).is_empty());
        // A field serving no purpose in particular is always asked.
        notice.required_sensitive.push(Vec::new());
        assert_eq!(notice.blockers(&answers), vec![Blocker::SensitiveNeeded]);
    }

    #[test]
    fn a_transfer_abroad_needs_its_own_consent() {
        let mut notice = demo();
        notice.required_sensitive.clear();
        notice.cross_border = Some(NoticeTransfer {
            recipient: "R".into(),
            country: "SG".into(),
            purpose: LocalizedText::new("处理", "processing"),
        });
        let mut answers = all(&notice, true);
        assert_eq!(notice.blockers(&answers), vec![Blocker::CrossBorderNeeded]);
        answers.cross_border = true;
        assert!(notice.blockers(&answers).is_empty());
    }
}
