//! The strings of data-subject requests: the register, registering a request, and the
//! work on one request; values in `requests_en` and `requests_zh`.

use shared::api::requests::{IdentityMethod, RequestStatus};
use shared::requests::{DuePeriod, RequestPolicy};

use super::fill;
pub use super::requests_en::EN;
pub use super::requests_zh::ZH_CN;

/// Strings of data-subject requests. Templates name their parameters in braces; a
/// `_one` and a `_many` form exist where English needs the singular.
#[derive(Debug)]
pub struct RequestsTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// Mentions `{count}`.
    pub count_overdue: &'static str,
    /// Mentions `{count}`.
    pub count_due_soon: &'static str,
    /// Mentions `{period}`.
    pub policy_due: &'static str,
    /// Mentions `{period}`.
    pub policy_extension: &'static str,
    pub policy_no_extension: &'static str,
    pub filter_label: &'static str,
    pub filter_open: &'static str,
    pub filter_closed: &'static str,
    pub filter_all: &'static str,
    pub empty: &'static str,
    pub col_reference: &'static str,
    pub col_kind: &'static str,
    pub col_requester: &'static str,
    pub col_received: &'static str,
    pub col_due: &'static str,
    pub col_status: &'static str,
    pub col_assignee: &'static str,
    pub nobody: &'static str,
    pub filed_online: &'static str,

    pub due_today: &'static str,
    /// Mentions `{count}`.
    pub days_left_one: &'static str,
    /// Mentions `{count}`.
    pub days_left_many: &'static str,
    /// Mentions `{count}`.
    pub overdue_one: &'static str,
    /// Mentions `{count}`.
    pub overdue_many: &'static str,
    /// Mentions `{count}`.
    pub days_one: &'static str,
    /// Mentions `{count}`.
    pub days_many: &'static str,
    /// Mentions `{count}`.
    pub months_one: &'static str,
    /// Mentions `{count}`.
    pub months_many: &'static str,

    pub status_new: &'static str,
    pub status_identity_check: &'static str,
    pub status_in_progress: &'static str,
    pub status_answered: &'static str,
    pub status_refused: &'static str,

    pub new_open: &'static str,
    pub new_heading: &'static str,
    pub new_intro: &'static str,
    pub kind_label: &'static str,
    pub name_label: &'static str,
    pub contact_label: &'static str,
    pub contact_hint: &'static str,
    pub locale_label: &'static str,
    pub locale_hint: &'static str,
    pub details_label: &'static str,
    pub details_hint: &'static str,
    pub received_label: &'static str,
    pub received_hint: &'static str,
    pub identifier_legend: &'static str,
    pub identifier_hint: &'static str,
    pub identifier_kind: &'static str,
    pub identifier_value: &'static str,
    pub new_submit: &'static str,
    pub new_pending: &'static str,
    /// Mentions `{max}`.
    pub issue_too_long: &'static str,
    /// Mentions `{min}`.
    pub issue_reason_short: &'static str,
    pub issue_date: &'static str,

    pub back: &'static str,
    pub detail_title: &'static str,
    /// Mentions `{reference}`.
    pub detail_title_ref: &'static str,
    pub overdue_flag: &'static str,
    pub extended_flag: &'static str,
    pub received_on: &'static str,
    pub closed_on: &'static str,
    pub refusal_reason: &'static str,
    pub awaiting_identity: &'static str,
    pub requester_heading: &'static str,
    pub no_details: &'static str,
    pub saving: &'static str,

    pub identity_heading: &'static str,
    pub identity_checked: &'static str,
    pub identity_method: &'static str,
    pub identity_by: &'static str,
    pub identity_by_server: &'static str,
    pub identity_at: &'static str,
    pub identity_note: &'static str,
    pub identity_note_hint: &'static str,
    pub identity_unchecked: &'static str,
    pub identity_waiting: &'static str,
    pub identity_never: &'static str,
    pub identity_save: &'static str,
    pub identity_ask: &'static str,
    pub identity_ask_hint: &'static str,
    pub method_receipt_token: &'static str,
    pub method_id_document: &'static str,
    pub method_known_contact: &'static str,
    pub method_in_person: &'static str,
    pub method_other: &'static str,

    pub handling_heading: &'static str,
    pub assignee_label: &'static str,
    pub assignee_hint: &'static str,
    pub deadline_heading: &'static str,
    /// Mentions `{period}`.
    pub extend_intro: &'static str,
    pub extend_reason: &'static str,
    /// Mentions `{min}`.
    pub reason_hint: &'static str,
    pub extend_submit: &'static str,
    pub extend_impossible: &'static str,
    /// Mentions `{name}` and `{time}`.
    pub extended_by: &'static str,
    /// Mentions `{time}`.
    pub extended_at: &'static str,

    pub records_heading: &'static str,
    pub records_none: &'static str,
    pub find_heading: &'static str,
    pub find_hint: &'static str,
    pub find_submit: &'static str,
    pub finding: &'static str,
    pub find_none: &'static str,
    /// Mentions `{count}`.
    pub find_linked: &'static str,
    pub found_by_receipt: &'static str,
    /// Mentions `{kind}`.
    pub found_by_identifier: &'static str,
    pub found_by_phone: &'static str,
    pub found_by_email: &'static str,
    pub found_by_resident_id: &'static str,
    pub record_erased: &'static str,
    pub value_erased: &'static str,
    /// Mentions `{reason}`.
    pub held: &'static str,
    pub consent_heading: &'static str,
    pub purpose_granted: &'static str,
    pub purpose_declined: &'static str,
    pub purpose_required: &'static str,
    /// Mentions `{date}`.
    pub purpose_withdrawn: &'static str,
    pub history: &'static str,
    pub unlink: &'static str,
    pub unlinking: &'static str,
    pub erase: &'static str,
    pub erase_hint: &'static str,
    pub erase_title: &'static str,
    /// Mentions `{count}`.
    pub erase_text: &'static str,
    pub erase_confirm: &'static str,
    pub erasing: &'static str,
    pub erase_held_note: &'static str,

    pub correction_heading: &'static str,
    pub correction_intro: &'static str,
    pub correction_record: &'static str,
    pub correction_field: &'static str,
    pub correction_value: &'static str,
    pub correction_value_hint: &'static str,
    pub correction_submit: &'static str,
    pub correction_done: &'static str,

    pub package_heading: &'static str,
    /// Mentions `{language}`.
    pub package_intro: &'static str,
    pub package_none: &'static str,
    /// Mentions `{time}`.
    pub package_prepared: &'static str,
    pub package_download: &'static str,
    /// Mentions `{time}`.
    pub package_expires: &'static str,
    /// Mentions `{time}`.
    pub package_downloaded: &'static str,
    /// Mentions `{time}`.
    pub package_expired: &'static str,
    pub package_prepare: &'static str,
    pub package_preparing: &'static str,

    pub close_heading: &'static str,
    pub answer_heading: &'static str,
    pub answer_unverified: &'static str,
    pub answer_note: &'static str,
    pub answer_note_hint: &'static str,
    pub answer_submit: &'static str,
    pub refuse_heading: &'static str,
    pub refuse_reason: &'static str,
    /// Mentions `{min}`.
    pub refuse_hint: &'static str,
    pub refuse_submit: &'static str,

    pub events_heading: &'static str,
    pub events_none: &'static str,
    pub note_label: &'static str,
    pub note_hint: &'static str,
    pub note_submit: &'static str,
    pub by_requester: &'static str,
    pub by_system: &'static str,
    pub event_filed: &'static str,
    pub event_registered: &'static str,
    pub event_note: &'static str,
    pub event_assigned: &'static str,
    pub event_identity_checked: &'static str,
    pub event_status: &'static str,
    pub event_extended: &'static str,
    pub event_records_found: &'static str,
    pub event_record_unlinked: &'static str,
    pub event_corrected: &'static str,
    pub event_erased: &'static str,
    pub event_erasure_blocked: &'static str,
    pub event_package_prepared: &'static str,
    pub event_package_downloaded: &'static str,
    pub event_answered: &'static str,
    pub event_unassigned: &'static str,
    pub event_refused: &'static str,
    /// Mentions `{count}`.
    pub event_linked: &'static str,
    /// Mentions `{count}`.
    pub event_erased_count: &'static str,
    /// Mentions `{count}`.
    pub event_held_count: &'static str,
    /// Mentions `{count}`.
    pub event_package_count: &'static str,
}

/// `{count}` filled into `one` for exactly one, else into `many`.
fn counted(one: &str, many: &str, count: i64) -> String {
    let template = if count == 1 { one } else { many };
    fill(template, &[("count", &count.to_string())])
}

impl RequestsTexts {
    /// How many whole days are left until a request is due.
    #[must_use]
    pub fn days_left(&self, days: i64) -> String {
        counted(self.days_left_one, self.days_left_many, days)
    }

    /// How many days late a request is.
    #[must_use]
    pub fn overdue_by(&self, days: i64) -> String {
        counted(self.overdue_one, self.overdue_many, days)
    }

    /// A period of days or months.
    #[must_use]
    pub fn period(&self, period: DuePeriod) -> String {
        match period {
            DuePeriod::Days(n) => counted(self.days_one, self.days_many, i64::from(n)),
            DuePeriod::Months(n) => counted(self.months_one, self.months_many, i64::from(n)),
        }
    }

    /// The organisation's deadline and whether it can be extended.
    #[must_use]
    pub fn policy_words(&self, policy: &RequestPolicy) -> String {
        let due = fill(self.policy_due, &[("period", &self.period(policy.due))]);
        let extension = match policy.extension {
            Some(p) => fill(self.policy_extension, &[("period", &self.period(p))]),
            None => self.policy_no_extension.to_owned(),
        };
        format!("{due} {extension}")
    }

    /// The register filter's option for `open`, `closed` or `all`.
    #[must_use]
    pub fn filter_name(&self, filter: &str) -> &'static str {
        match filter {
            "closed" => self.filter_closed,
            "all" => self.filter_all,
            _ => self.filter_open,
        }
    }

    /// Where a request is.
    #[must_use]
    pub const fn status(&self, status: RequestStatus) -> &'static str {
        match status {
            RequestStatus::New => self.status_new,
            RequestStatus::IdentityCheck => self.status_identity_check,
            RequestStatus::InProgress => self.status_in_progress,
            RequestStatus::Answered => self.status_answered,
            RequestStatus::Refused => self.status_refused,
        }
    }

    /// How identity was checked.
    #[must_use]
    pub const fn method(&self, method: IdentityMethod) -> &'static str {
        match method {
            IdentityMethod::ReceiptToken => self.method_receipt_token,
            IdentityMethod::IdDocument => self.method_id_document,
            IdentityMethod::KnownContact => self.method_known_contact,
            IdentityMethod::InPerson => self.method_in_person,
            IdentityMethod::Other => self.method_other,
        }
    }

    /// How a linked record was found, from the API's `found_by`: `receipt` or an
    /// identifier kind; anything else named as it came.
    #[must_use]
    pub fn found_by(&self, found_by: &str) -> String {
        match found_by {
            "receipt" => self.found_by_receipt.to_owned(),
            "phone" => self.found_by_phone.to_owned(),
            "email" => self.found_by_email.to_owned(),
            "resident_id" => self.found_by_resident_id.to_owned(),
            other => fill(self.found_by_identifier, &[("kind", other)]),
        }
    }

    /// What an event of the API's `kind` is; an unknown kind as it came.
    #[must_use]
    pub fn event_kind(&self, kind: &str) -> String {
        let words = match kind {
            "filed" => self.event_filed,
            "registered" => self.event_registered,
            "note" => self.event_note,
            "assigned" => self.event_assigned,
            "identity_checked" => self.event_identity_checked,
            "status" => self.event_status,
            "extended" => self.event_extended,
            "records_found" => self.event_records_found,
            "record_unlinked" => self.event_record_unlinked,
            "corrected" => self.event_corrected,
            "erased" => self.event_erased,
            "erasure_blocked" => self.event_erasure_blocked,
            "package_prepared" => self.event_package_prepared,
            "package_downloaded" => self.event_package_downloaded,
            "answered" => self.event_answered,
            "refused" => self.event_refused,
            other => return other.to_owned(),
        };
        words.to_owned()
    }

    /// An event's text in words where the server gives a name or a count (a status, a
    /// method, how many records); a note, name or reason as it came.
    #[must_use]
    pub fn event_text(&self, kind: &str, text: &str) -> String {
        let count = |template: &str| {
            let n = text.split_whitespace().next().unwrap_or_default();
            n.parse::<u64>()
                .ok()
                .map(|n| fill(template, &[("count", &n.to_string())]))
        };
        let worded = match kind {
            "status" => RequestStatus::parse(text).map(|s| self.status(s).to_owned()),
            "identity_checked" => {
                serde_json::from_value::<IdentityMethod>(serde_json::Value::from(text))
                    .ok()
                    .map(|m| self.method(m).to_owned())
            }
            "assigned" if text.trim().is_empty() => Some(self.event_unassigned.to_owned()),
            "records_found" => {
                count(self.event_linked).map(|linked| match text.split_whitespace().nth(1) {
                    Some(kind) => format!("{linked} · {}", self.found_by(kind)),
                    None => linked,
                })
            }
            "erased" => count(self.event_erased_count),
            "erasure_blocked" => count(self.event_held_count),
            "package_downloaded" => count(self.event_package_count),
            _ => None,
        };
        worded.unwrap_or_else(|| text.to_owned())
    }

    /// Who acted in an event without a staff member's name: the requester filing
    /// online, else Consentry itself.
    #[must_use]
    pub fn event_by_nobody(&self, kind: &str) -> &'static str {
        if kind == "filed" {
            self.by_requester
        } else {
            self.by_system
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_says_the_period_and_any_extension() {
        assert_eq!(
            EN.policy_words(&RequestPolicy::default()),
            "Requests are due 15 days after they arrive. The deadline cannot be extended."
        );
        assert_eq!(
            EN.policy_words(&RequestPolicy::GDPR),
            "Requests are due 1 month after they arrive. It can be extended once by 2 months, with a reason."
        );
        assert_eq!(ZH_CN.period(DuePeriod::Months(2)), "2 个月");
    }

    #[test]
    fn events_and_findings_have_words_and_unknown_ones_stay_readable() {
        assert_eq!(EN.event_kind("identity_checked"), "Identity checked");
        assert_eq!(EN.event_kind("something_new"), "something_new");
        assert_eq!(EN.event_by_nobody("filed"), EN.by_requester);
        assert_eq!(ZH_CN.event_by_nobody("erased"), ZH_CN.by_system);
        assert_eq!(EN.found_by("receipt"), EN.found_by_receipt);
        assert_eq!(EN.found_by("passport"), "Found by passport");
        assert_eq!(
            EN.event_text("status", "identity_check"),
            "Awaiting proof of identity"
        );
        assert_eq!(
            EN.event_text("identity_checked", "in_person"),
            EN.method_in_person
        );
        assert_eq!(
            EN.event_text("records_found", "2 phone"),
            "Records linked: 2 · Found by mobile number"
        );
        assert_eq!(EN.event_text("records_found", "1"), "Records linked: 1");
        assert_eq!(ZH_CN.event_text("erased", "3"), "已删除记录：3");
        assert_eq!(EN.event_text("assigned", ""), EN.event_unassigned);
        assert_eq!(EN.event_text("assigned", "Wang Li"), "Wang Li");
        assert_eq!(
            EN.event_text("note", "Called back 3 times"),
            "Called back 3 times"
        );
        assert_eq!(EN.event_text("status", "archived"), "archived");
        for status in RequestStatus::ALL {
            assert!(!EN.status(status).is_empty() && !ZH_CN.status(status).is_empty());
        }
        for method in IdentityMethod::ALL {
            assert!(!EN.method(method).is_empty() && !ZH_CN.method(method).is_empty());
        }
    }
}
