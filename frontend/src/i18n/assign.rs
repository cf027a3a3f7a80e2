//! The strings of the form assignment page (admins and managers) in both languages.

/// Strings of the form assignment page.
#[derive(Debug)]
pub struct AssignTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// Mentions `{team}`.
    pub manager_intro: &'static str,
    pub no_team: &'static str,
    pub no_forms: &'static str,
    /// Mentions `{number}`.
    pub version: &'static str,
    pub teams_legend: &'static str,
    pub users_legend: &'static str,
    pub no_teams: &'static str,
    pub no_users: &'static str,
    pub no_team_member: &'static str,
    pub disabled: &'static str,
    /// Mentions `{count}`.
    pub elsewhere: &'static str,
    pub not_assigned: &'static str,
    /// Mentions `{teams}` and `{users}`.
    pub summary: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub unsaved: &'static str,
    pub issue_outside_team: &'static str,
    pub issue_unknown: &'static str,
    pub issue_not_collector: &'static str,
}

impl AssignTexts {
    /// The message for an issue code of an assignment request.
    #[must_use]
    pub fn issue(&self, code: &str) -> &'static str {
        match code {
            shared::api::assignments::OUTSIDE_TEAM => self.issue_outside_team,
            shared::api::assignments::NOT_A_COLLECTOR => self.issue_not_collector,
            _ => self.issue_unknown,
        }
    }
}

/// English.
pub const EN: AssignTexts = AssignTexts {
    nav: "Assignments",
    title: "Form assignments",
    intro: "Choose which teams and people collect with each published form. Their devices fetch the assigned forms by themselves the next time they are online, and keep them for offline use.",
    manager_intro: "You can give forms to your team ({team}) and its members. Assignments for other teams stay as they are.",
    no_team: "You are not in a team, so there is nobody you can give forms to. Ask an administrator.",
    no_forms: "No form is published yet. Forms can be assigned once they are published.",
    version: "Version {number}",
    teams_legend: "Teams",
    users_legend: "Staff and managers",
    no_teams: "No teams yet.",
    no_users: "No staff or managers yet.",
    no_team_member: "no team",
    disabled: "disabled",
    elsewhere: "Also assigned to {count} teams or people outside your team.",
    not_assigned: "Not assigned to anyone",
    summary: "{teams} teams, {users} people",
    save: "Save assignments",
    saving: "Saving…",
    saved: "Saved. Devices pick up the change the next time they are online.",
    unsaved: "Unsaved changes",
    issue_outside_team: "Outside your team",
    issue_unknown: "No longer exists; reload the page",
    issue_not_collector: "This account does not collect records",
};

/// Simplified Chinese.
pub const ZH_CN: AssignTexts = AssignTexts {
    nav: "表单分配",
    title: "表单分配",
    intro: "为每个已发布的表单选择由哪些团队和人员采集。他们的设备下次联网时会自动获取分配的表单，并保存以便离线使用。",
    manager_intro: "您可以把表单分配给您的团队（{team}）及其成员。其他团队的分配保持不变。",
    no_team: "您不属于任何团队，因此无法分配表单。请联系管理员。",
    no_forms: "还没有已发布的表单。表单发布后才能分配。",
    version: "第 {number} 版",
    teams_legend: "团队",
    users_legend: "员工和主管",
    no_teams: "还没有团队。",
    no_users: "还没有员工或主管。",
    no_team_member: "无团队",
    disabled: "已停用",
    elsewhere: "另外还分配给了您团队以外的 {count} 个团队或人员。",
    not_assigned: "未分配给任何人",
    summary: "{teams} 个团队，{users} 人",
    save: "保存分配",
    saving: "正在保存…",
    saved: "已保存。设备下次联网时会获取这一变更。",
    unsaved: "有未保存的更改",
    issue_outside_team: "不在您的团队内",
    issue_unknown: "已不存在，请刷新页面",
    issue_not_collector: "此账号不采集记录",
};
