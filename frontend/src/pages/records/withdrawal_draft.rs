//! What staff enter to record a customer's withdrawal, checked as the server checks it
//! before it is sent, and the server's issues with it in words.

use std::collections::BTreeSet;

use shared::api::consent::{
    ConsentStatus, PurposeState, RecordWithdrawalRequest, MAX_WITHDRAWAL_REASON_CHARS,
    MAX_WITHDRAWAL_SIGNATURE_BYTES,
};
use shared::api::error::FieldIssue;

use crate::i18n::{fill, Texts};

pub use shared::api::consent::{
    MAX_TYPED_SIGNATURE_CHARS, MIN_WITHDRAWAL_REASON_CHARS as MIN_REASON_CHARS,
};

/// What a drawn signature starts with; anything else is a typed name.
const DRAWN_PREFIX: &str = "data:image/png;base64,";

/// What staff entered: the purposes picked, how the customer asked, and the customer's
/// signature (a typed name or a drawing's PNG data URL; empty for none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WithdrawalDraft {
    pub purposes: BTreeSet<String>,
    pub reason: String,
    pub signature: String,
}

impl WithdrawalDraft {
    /// The request to send, or the problems the server would find, as `(field, issue
    /// code)` pairs with the server's codes: at least one purpose; a reason or a
    /// signature; a reason of [`MIN_REASON_CHARS`] to [`MAX_WITHDRAWAL_REASON_CHARS`]
    /// characters; a signature no larger than the server takes.
    pub fn request(&self) -> Result<RecordWithdrawalRequest, Vec<(&'static str, &'static str)>> {
        let reason = self.reason.trim();
        let signature = self.signature.trim();
        let mut problems = Vec::new();
        if self.purposes.is_empty() {
            problems.push(("purposes", "required"));
        }
        if reason.is_empty() && signature.is_empty() {
            problems.push(("reason", "required"));
        }
        if !reason.is_empty()
            && !(MIN_REASON_CHARS..=MAX_WITHDRAWAL_REASON_CHARS).contains(&reason.chars().count())
        {
            problems.push(("reason", "length"));
        }
        let too_large = if signature.starts_with(DRAWN_PREFIX) {
            signature.len() > MAX_WITHDRAWAL_SIGNATURE_BYTES
        } else {
            signature.chars().count() > MAX_TYPED_SIGNATURE_CHARS
        };
        if too_large {
            problems.push(("signature", "too_long"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let given = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        Ok(RecordWithdrawalRequest {
            purposes: self.purposes.iter().cloned().collect(),
            reason: given(reason),
            signature: given(signature),
        })
    }
}

/// The purposes of `status` that can still be withdrawn: consented to and not withdrawn.
#[must_use]
pub fn withdrawable(status: &ConsentStatus) -> Vec<&PurposeState> {
    status
        .purposes
        .iter()
        .filter(|p| p.granted && p.withdrawn_at_ms.is_none())
        .collect()
}

/// The `min` and `max` of a reason's length, for templates.
fn reason_limits() -> [(&'static str, String); 2] {
    [
        ("min", MIN_REASON_CHARS.to_string()),
        ("max", MAX_WITHDRAWAL_REASON_CHARS.to_string()),
    ]
}

/// `template` with the reason's `min` and `max` filled in.
pub(super) fn fill_limits(template: &str) -> String {
    let limits = reason_limits();
    let params: Vec<(&str, &str)> = limits.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(template, &params)
}

/// An issue with the purposes, in words.
pub(super) fn purposes_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" => t.withdrawal.issue_purposes_required.to_owned(),
        "not_granted" => t.withdrawal.issue_not_granted.to_owned(),
        _ => t.issue(issue),
    }
}

/// An issue with the reason, in words.
pub(super) fn reason_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" => t.withdrawal.issue_reason_required.to_owned(),
        "length" => fill_limits(t.withdrawal.issue_reason_length),
        _ => t.issue(issue),
    }
}

/// An issue with the signature, in words.
pub(super) fn signature_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "too_long" => t.withdrawal.issue_signature_too_long.to_owned(),
        _ => t.issue(issue),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    fn draft(purposes: &[&str], reason: &str, signature: &str) -> WithdrawalDraft {
        WithdrawalDraft {
            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
            reason: reason.to_owned(),
            signature: signature.to_owned(),
        }
    }

    #[test]
    fn a_withdrawal_needs_a_purpose_and_a_reason_or_a_signature() {
        assert_eq!(
            draft(&[], "", "").request(),
            Err(vec![("purposes", "required"), ("reason", "required")])
        );
        // Blanks are nothing.
        assert_eq!(
            draft(&["marketing"], "  ", " ").request(),
            Err(vec![("reason", "required")])
        );
        let signed = draft(&["marketing", "analytics"], "", " 张三 ")
            .request()
            .unwrap();
        assert_eq!(signed.purposes, ["analytics", "marketing"]);
        assert_eq!(signed.reason, None);
        assert_eq!(signed.signature.as_deref(), Some("张三"));
        let told = draft(&["marketing"], " by phone, ID checked ", "").request();
        assert_eq!(
            told.unwrap().reason.as_deref(),
            Some("by phone, ID checked")
        );
    }

    #[test]
    fn a_reason_has_five_to_two_hundred_characters() {
        assert_eq!(
            draft(&["m"], "四个字符", "").request(),
            Err(vec![("reason", "length")])
        );
        assert!(draft(&["m"], "五个字符了", "").request().is_ok());
        assert!(draft(&["m"], &"字".repeat(MAX_WITHDRAWAL_REASON_CHARS), "")
            .request()
            .is_ok());
        assert_eq!(
            draft(&["m"], &"字".repeat(MAX_WITHDRAWAL_REASON_CHARS + 1), "").request(),
            Err(vec![("reason", "length")])
        );
        // A short reason is wrong even when the customer signed.
        assert_eq!(
            draft(&["m"], "abc", "Zhang San").request(),
            Err(vec![("reason", "length")])
        );
    }

    #[test]
    fn a_signature_is_no_larger_than_the_server_takes() {
        let name = "n".repeat(MAX_TYPED_SIGNATURE_CHARS);
        assert!(draft(&["m"], "", &name).request().is_ok());
        assert_eq!(
            draft(&["m"], "", &format!("{name}n")).request(),
            Err(vec![("signature", "too_long")])
        );
        let drawing = format!("{DRAWN_PREFIX}{}", "A".repeat(1_000));
        assert!(draft(&["m"], "", &drawing).request().is_ok());
        let huge = format!(
            "{DRAWN_PREFIX}{}",
            "A".repeat(MAX_WITHDRAWAL_SIGNATURE_BYTES)
        );
        assert_eq!(
            draft(&["m"], "", &huge).request(),
            Err(vec![("signature", "too_long")])
        );
    }

    #[test]
    fn only_consented_purposes_not_yet_withdrawn_can_be_withdrawn() {
        let status: ConsentStatus = serde_json::from_value(serde_json::json!({
            "receipt_id": "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b",
            "form_title": {"en": "Sign-up"},
            "received_at_ms": 1,
            "purposes": [
                {"key": "service", "name": {"en": "Service"}, "required": true, "granted": true, "withdrawn_at_ms": null},
                {"key": "marketing", "name": {"en": "Marketing"}, "required": false, "granted": true, "withdrawn_at_ms": 5},
                {"key": "analytics", "name": {"en": "Analytics"}, "required": false, "granted": false, "withdrawn_at_ms": null}
            ]
        }))
        .unwrap();
        let keys: Vec<&str> = withdrawable(&status)
            .iter()
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(keys, ["service"]);
    }

    #[test]
    fn the_servers_issue_codes_read_as_sentences_in_both_languages() {
        let issue = |code: &str| FieldIssue {
            code: code.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            purposes_issue(&EN, &issue("required")),
            EN.withdrawal.issue_purposes_required
        );
        assert_eq!(
            reason_issue(&EN, &issue("required")),
            EN.withdrawal.issue_reason_required
        );
        assert_eq!(
            reason_issue(&EN, &issue("length")),
            "Use 5 to 200 characters."
        );
        assert!(reason_issue(&ZH_CN, &issue("length")).contains("5 至 200"));
        assert_eq!(
            signature_issue(&ZH_CN, &issue("too_long")),
            ZH_CN.withdrawal.issue_signature_too_long
        );
        assert_eq!(purposes_issue(&EN, &issue("unknown")), "from the server");
    }
}
