//! The strings of the records list's filter, order and paging, and of the audit log's
//! choice of actor, in both languages.

use shared::api::records::{ConsentState, RecordSort};

/// Strings of the records list's workspace.
#[derive(Debug)]
pub struct RecordsListTexts {
    pub from: &'static str,
    pub to: &'static str,
    /// Under the two days.
    pub dates_hint: &'static str,
    pub version: &'static str,
    pub all_versions: &'static str,
    /// Mentions `{n}`.
    pub version_n: &'static str,
    pub team: &'static str,
    pub all_teams: &'static str,
    pub owner: &'static str,
    pub all_owners: &'static str,
    pub consent: &'static str,
    pub any_consent: &'static str,
    pub consent_in_force: &'static str,
    pub consent_partly_withdrawn: &'static str,
    pub consent_withdrawn: &'static str,
    pub sort: &'static str,
    pub sort_newest: &'static str,
    pub sort_oldest: &'static str,
    /// A day that is not a date.
    pub issue_date: &'static str,
    /// The last day before the first.
    pub issue_before_from: &'static str,
    /// A choice the server did not accept (a team, owner, form or state).
    pub issue_choice: &'static str,
    /// The export dialog's summary of the list's filter.
    pub export_filter: &'static str,
    /// The export dialog's note that it exports what the list shows.
    pub export_filter_hint: &'static str,
    /// The audit search's actor picker: no actor chosen.
    pub all_actors: &'static str,
}

impl RecordsListTexts {
    /// A consent state, as the filter offers it.
    #[must_use]
    pub const fn consent_state(&self, state: ConsentState) -> &'static str {
        match state {
            ConsentState::InForce => self.consent_in_force,
            ConsentState::PartlyWithdrawn => self.consent_partly_withdrawn,
            ConsentState::Withdrawn => self.consent_withdrawn,
        }
    }

    /// An order of the list.
    #[must_use]
    pub const fn sort_name(&self, sort: RecordSort) -> &'static str {
        match sort {
            RecordSort::Newest => self.sort_newest,
            RecordSort::Oldest => self.sort_oldest,
        }
    }
}

pub const EN: RecordsListTexts = RecordsListTexts {
    from: "Collected from",
    to: "Collected until",
    dates_hint: "Days in UTC; both days are included.",
    version: "Form version",
    all_versions: "All versions",
    version_n: "Version {n}",
    team: "Team",
    all_teams: "All teams",
    owner: "Owner",
    all_owners: "All owners",
    consent: "Consent",
    any_consent: "Any state",
    consent_in_force: "In force",
    consent_partly_withdrawn: "Partly withdrawn",
    consent_withdrawn: "Withdrawn",
    sort: "Order",
    sort_newest: "Newest first",
    sort_oldest: "Oldest first",
    issue_date: "Enter a date.",
    issue_before_from: "The last day is before the first.",
    issue_choice: "Choose from the list.",
    export_filter: "Records exported",
    export_filter_hint: "The export holds the records the list's filter selects.",
    all_actors: "Anyone",
};

pub const ZH_CN: RecordsListTexts = RecordsListTexts {
    from: "采集日期自",
    to: "采集日期至",
    dates_hint: "按协调世界时（UTC）计算，含首尾两天。",
    version: "表单版本",
    all_versions: "全部版本",
    version_n: "第 {n} 版",
    team: "团队",
    all_teams: "全部团队",
    owner: "负责人",
    all_owners: "全部负责人",
    consent: "同意状态",
    any_consent: "全部状态",
    consent_in_force: "有效",
    consent_partly_withdrawn: "部分撤回",
    consent_withdrawn: "已全部撤回",
    sort: "排序",
    sort_newest: "最新的在前",
    sort_oldest: "最早的在前",
    issue_date: "请输入日期。",
    issue_before_from: "结束日期早于开始日期。",
    issue_choice: "请从列表中选择。",
    export_filter: "导出的记录",
    export_filter_hint: "导出内容即列表当前筛选出的记录。",
    all_actors: "全部",
};
