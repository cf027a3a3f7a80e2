//! The compliance checks: what each one counts, which law it serves, how the overall
//! rate is made from them, and the calendar the snapshots and reports follow. The
//! server computes the figures over its data (`server/src/compliance`); the console and
//! the reports explain them with the texts here, so both say the same thing.
//!
//! **The overall rate** is the sum of every check's passed items over the sum of their
//! totals: each check weighs as much as it counts (a check over 1,000 records weighs a
//! thousand times one over the audit chain). A check with nothing to count (0 of 0)
//! adds nothing; when every check is 0 of 0 the rate is "nothing to measure", never a
//! division by zero.

use serde::{Deserialize, Serialize};

use crate::{
    api::compliance::{CheckFigure, Figure, ItemKind},
    i18n::{Locale, LocalizedText},
};

/// One documented check. Its JSON form (`snake_case`) is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// Live records whose every purpose in use (a purpose of a field holding a value)
    /// has a consent not withdrawn or another stated lawful basis (an import's).
    LawfulBasis,
    /// Live records holding a sensitive value, collected with the separate consent (or,
    /// imported, on a basis other than consent).
    SensitiveConsent,
    /// Live records holding no value past its retention period (legal holds excepted).
    RetentionOnTime,
    /// Records with a withdrawn purpose whose values serving only withdrawn purposes
    /// are gone once the grace period has passed.
    WithdrawalsFollowed,
    /// Data-subject requests due or closed: closed by their due date (open and overdue
    /// ones fail).
    RequestsOnTime,
    /// Unmasked exports produced: each with a reason, and approved when it needed it.
    UnmaskedExportsApproved,
    /// Exports produced: each traced to its ledger entry in the audit log and a file
    /// fingerprint.
    ExportsTraced,
    /// The audit chain verifies, and its head was signed recently (two items).
    AuditChain,
    /// Staff devices holding records: each synced within the set number of days.
    DevicesSynced,
    /// Active forms: the newest version has no compliance warning from the designer
    /// (sensitive fields without retention among them).
    FormsWithoutWarnings,
    /// Admin accounts: each with a second factor.
    AdminsSecondFactor,
    /// Disabled accounts: none still holding a session.
    DisabledWithoutSessions,
    /// The newest backup is recent (within its interval and an hour), copied off site
    /// and its restore drill passed (one item).
    BackupsCurrent,
}

/// How urgent a failing check is: what the dashboard puts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Personal data is processed unlawfully now, or the evidence is at risk.
    Critical,
    /// A duty is late or a safeguard is missing.
    High,
    /// Hygiene that prevents the above.
    Medium,
}

impl CheckId {
    /// Every check, in the order the dashboard shows them.
    pub const ALL: [CheckId; 13] = [
        CheckId::LawfulBasis,
        CheckId::SensitiveConsent,
        CheckId::RetentionOnTime,
        CheckId::WithdrawalsFollowed,
        CheckId::RequestsOnTime,
        CheckId::UnmaskedExportsApproved,
        CheckId::ExportsTraced,
        CheckId::AuditChain,
        CheckId::DevicesSynced,
        CheckId::FormsWithoutWarnings,
        CheckId::AdminsSecondFactor,
        CheckId::DisabledWithoutSessions,
        CheckId::BackupsCurrent,
    ];

    /// The stable name (URL and JSON).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LawfulBasis => "lawful_basis",
            Self::SensitiveConsent => "sensitive_consent",
            Self::RetentionOnTime => "retention_on_time",
            Self::WithdrawalsFollowed => "withdrawals_followed",
            Self::RequestsOnTime => "requests_on_time",
            Self::UnmaskedExportsApproved => "unmasked_exports_approved",
            Self::ExportsTraced => "exports_traced",
            Self::AuditChain => "audit_chain",
            Self::DevicesSynced => "devices_synced",
            Self::FormsWithoutWarnings => "forms_without_warnings",
            Self::AdminsSecondFactor => "admins_second_factor",
            Self::DisabledWithoutSessions => "disabled_without_sessions",
            Self::BackupsCurrent => "backups_current",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// What the check counts.
    #[must_use]
    pub const fn counts(self) -> ItemKind {
        match self {
            Self::LawfulBasis
            | Self::SensitiveConsent
            | Self::RetentionOnTime
            | Self::WithdrawalsFollowed => ItemKind::Record,
            Self::RequestsOnTime => ItemKind::Request,
            Self::UnmaskedExportsApproved | Self::ExportsTraced => ItemKind::Export,
            Self::AuditChain => ItemKind::AuditLog,
            Self::DevicesSynced => ItemKind::Device,
            Self::FormsWithoutWarnings => ItemKind::Form,
            Self::AdminsSecondFactor | Self::DisabledWithoutSessions => ItemKind::Account,
            Self::BackupsCurrent => ItemKind::Backup,
        }
    }

    /// Whether the check has a meaning for one team (its members' records, exports,
    /// devices and accounts); the others are the organisation's, which a manager does
    /// not see.
    #[must_use]
    pub const fn per_team(self) -> bool {
        matches!(
            self.counts(),
            ItemKind::Record | ItemKind::Export | ItemKind::Device
        ) || matches!(self, Self::DisabledWithoutSessions)
    }

    /// Whether the check has a meaning for one form (its records, exports and
    /// definition).
    #[must_use]
    pub const fn per_form(self) -> bool {
        matches!(
            self.counts(),
            ItemKind::Record | ItemKind::Export | ItemKind::Form
        )
    }

    #[must_use]
    pub const fn severity(self) -> Severity {
        match self {
            Self::LawfulBasis
            | Self::SensitiveConsent
            | Self::RetentionOnTime
            | Self::WithdrawalsFollowed
            | Self::AuditChain => Severity::Critical,
            Self::RequestsOnTime
            | Self::UnmaskedExportsApproved
            | Self::AdminsSecondFactor
            | Self::DisabledWithoutSessions
            | Self::BackupsCurrent => Severity::High,
            Self::ExportsTraced | Self::DevicesSynced | Self::FormsWithoutWarnings => {
                Severity::Medium
            }
        }
    }

    /// The check's name.
    #[must_use]
    pub fn title(self) -> LocalizedText {
        let (zh, en) = match self {
            Self::LawfulBasis => ("记录具有合法性基础", "Records have a lawful basis"),
            Self::SensitiveConsent => (
                "敏感信息取得单独同意",
                "Sensitive data has separate consent",
            ),
            Self::RetentionOnTime => ("无超期保存的数据", "Nothing kept past retention"),
            Self::WithdrawalsFollowed => ("撤回同意已执行", "Withdrawals followed through"),
            Self::RequestsOnTime => ("个人权利请求按期答复", "Subject requests answered on time"),
            Self::UnmaskedExportsApproved => (
                "明文导出有理由并经审批",
                "Unmasked exports have a reason and approval",
            ),
            Self::ExportsTraced => ("导出可追溯到台账", "Exports traced to the ledger"),
            Self::AuditChain => ("审计链完整且已签名", "Audit chain intact and signed"),
            Self::DevicesSynced => ("员工设备按时同步", "Staff devices synced recently"),
            Self::FormsWithoutWarnings => ("表单无合规提示", "Forms without compliance warnings"),
            Self::AdminsSecondFactor => ("管理员启用两步验证", "Admins use a second factor"),
            Self::DisabledWithoutSessions => {
                ("停用账号无有效会话", "Disabled accounts hold no session")
            }
            Self::BackupsCurrent => (
                "备份及时、已异地保存并通过恢复演练",
                "Backups recent, off site and drilled",
            ),
        };
        LocalizedText::new(zh, en)
    }

    /// What the check looks at, in plain words.
    #[must_use]
    pub fn explanation(self) -> LocalizedText {
        let (zh, en) = match self {
            Self::LawfulBasis => (
                "每条记录中有值的字段所服务的每个目的，都有未撤回的同意，或导入时声明的其他合法性基础（如合同、法定义务）。",
                "Every purpose a record's values serve has a consent that was not withdrawn, or another lawful basis stated when it was imported (such as a contract or a legal obligation).",
            ),
            Self::SensitiveConsent => (
                "含有敏感字段值的记录，都取得了处理敏感个人信息的单独同意；导入的记录以同意以外的基础导入，或已通过同意请求补签。",
                "Records holding a sensitive value were collected with the separate consent to sensitive data; imported ones rest on a basis other than consent, or the person has since answered a consent request.",
            ),
            Self::RetentionOnTime => (
                "没有记录保存超过其保存期限的值（法律保全中的记录除外）。应为 0：保存期满的值由保存期限任务删除或匿名化。",
                "No record holds a value past its retention period (records under a legal hold excepted). The failing count should be 0: the retention run deletes or anonymises due values.",
            ),
            Self::WithdrawalsFollowed => (
                "撤回同意的宽限期过后，仅服务于被撤回目的的值已被删除。",
                "Once the grace period after a withdrawal has passed, the values that served only the withdrawn purposes are gone.",
            ),
            Self::RequestsOnTime => (
                "已到期或已结束的个人权利请求在截止日期前答复；逾期未结的请求不合格。",
                "Data-subject requests that are due or closed were closed by their due date; open requests past it fail.",
            ),
            Self::UnmaskedExportsApproved => (
                "每次明文导出都填写了理由，超过审批阈值的经另一人批准。",
                "Every unmasked export gave a reason, and those above the approval threshold were approved by someone else.",
            ),
            Self::ExportsTraced => (
                "每个生成的导出文件都有审计日志中的台账条目和文件指纹，可追溯到导出人。",
                "Every export file produced has its ledger entry in the audit log and a file fingerprint, so a leaked file leads back to who exported it.",
            ),
            Self::AuditChain => (
                "审计日志的哈希链完整验证通过，且链头在设定时间内由服务器签名。",
                "The audit log's hash chain verifies end to end, and its head was signed by the server within the set time.",
            ),
            Self::DevicesSynced => (
                "已采集记录的员工设备在设定天数内同步过；长期未同步的设备可能在本地保存未上传的个人信息。",
                "Staff devices that have collected records synced within the set number of days; a device that has not may hold personal data that never reached the server.",
            ),
            Self::FormsWithoutWarnings => (
                "启用中的表单的最新版本没有设计器的合规提示（如敏感字段未设保存期限、敏感字段未关联目的）。",
                "The newest version of each active form has no compliance warning from the designer (such as a sensitive field without a retention period or without a purpose).",
            ),
            Self::AdminsSecondFactor => (
                "每个启用的管理员账号都开启了两步验证。",
                "Every enabled admin account has a second factor.",
            ),
            Self::DisabledWithoutSessions => (
                "停用的账号没有仍然有效的登录会话。",
                "No disabled account still holds a session that has not expired.",
            ),
            Self::BackupsCurrent => (
                "最新的加密备份在设定的备份间隔（加一小时）内完成，已复制到异地目录并读回校验，且对它的恢复演练通过。",
                "The newest encrypted backup was made within the backup interval (plus an hour), was copied off site and read back, and its restore drill passed.",
            ),
        };
        LocalizedText::new(zh, en)
    }

    /// The law the check serves.
    #[must_use]
    pub fn law(self) -> LocalizedText {
        let (zh, en) = match self {
            Self::LawfulBasis => (
                "《个人信息保护法》第13、14条；GDPR 第6、7条",
                "PIPL Art. 13–14; GDPR Art. 6–7",
            ),
            Self::SensitiveConsent => (
                "《个人信息保护法》第28、29条；GDPR 第9条",
                "PIPL Art. 28–29; GDPR Art. 9",
            ),
            Self::RetentionOnTime => (
                "《个人信息保护法》第19、47条；GDPR 第5(1)(e)条",
                "PIPL Art. 19, 47; GDPR Art. 5(1)(e)",
            ),
            Self::WithdrawalsFollowed => (
                "《个人信息保护法》第15、47条；GDPR 第7(3)、17条",
                "PIPL Art. 15, 47; GDPR Art. 7(3), 17",
            ),
            Self::RequestsOnTime => (
                "《个人信息保护法》第44–50条；GDPR 第12(3)条",
                "PIPL Art. 44–50; GDPR Art. 12(3)",
            ),
            Self::UnmaskedExportsApproved | Self::ExportsTraced => (
                "《个人信息保护法》第51条；GDPR 第5(1)(f)、32条",
                "PIPL Art. 51; GDPR Art. 5(1)(f), 32",
            ),
            Self::AuditChain => (
                "《个人信息保护法》第51、54条；GDPR 第5(2)、30条",
                "PIPL Art. 51, 54; GDPR Art. 5(2), 30",
            ),
            Self::DevicesSynced | Self::AdminsSecondFactor | Self::DisabledWithoutSessions => (
                "《个人信息保护法》第51条；GDPR 第32条",
                "PIPL Art. 51; GDPR Art. 32",
            ),
            Self::FormsWithoutWarnings => (
                "《个人信息保护法》第17、19、28、29条；GDPR 第13、25条",
                "PIPL Art. 17, 19, 28–29; GDPR Art. 13, 25",
            ),
            Self::BackupsCurrent => (
                "《个人信息保护法》第51、57条；GDPR 第32(1)(b)–(d)条",
                "PIPL Art. 51, 57; GDPR Art. 32(1)(b)–(d)",
            ),
        };
        LocalizedText::new(zh, en)
    }

    /// What to do about a failure.
    #[must_use]
    pub fn remedy(self) -> LocalizedText {
        let (zh, en) = match self {
            Self::LawfulBasis => (
                "向相关个人发送同意请求，或删除无基础的值。",
                "Send the people concerned a consent request, or erase the values without a basis.",
            ),
            Self::SensitiveConsent => (
                "对导入的记录发送同意请求以取得单独同意；否则删除敏感值。",
                "Send a consent request to the imported records to obtain the separate consent; otherwise erase the sensitive values.",
            ),
            Self::RetentionOnTime | Self::WithdrawalsFollowed => (
                "在「保存期限」中运行保存期限任务，并检查是否有失败。",
                "Run retention now (Retention) and look at its report for errors.",
            ),
            Self::RequestsOnTime => (
                "在「个人权利请求」中处理逾期请求，必要时依法延期。",
                "Work on the overdue requests (Requests), extending them lawfully where needed.",
            ),
            Self::UnmaskedExportsApproved => (
                "复核这些导出，询问导出人并在审计日志中记录结论。",
                "Review these exports, ask who made them, and record the outcome.",
            ),
            Self::ExportsTraced => (
                "检查审计日志与导出台账是否被篡改。",
                "Check the audit log and the export ledger for tampering.",
            ),
            Self::AuditChain => (
                "在「审计日志」中验证哈希链；检查服务器签名任务是否在运行。",
                "Verify the chain (Audit log) and check that the server's head signer runs.",
            ),
            Self::DevicesSynced => (
                "联系设备持有人同步，或在「账号」中吊销设备。",
                "Ask the device's holder to sync, or revoke the device (Users).",
            ),
            Self::FormsWithoutWarnings => (
                "在表单设计器中修正提示并发布新版本。",
                "Fix the warnings in the form designer and publish a new version.",
            ),
            Self::AdminsSecondFactor => (
                "请这些管理员在「我的账号」中启用两步验证。",
                "Ask these admins to turn on a second factor (Account).",
            ),
            Self::DisabledWithoutSessions => (
                "重新停用这些账号以结束其会话。",
                "Disable these accounts again to end their sessions.",
            ),
            Self::BackupsCurrent => (
                "在「备份」页查看失败原因，配置异地目录，或立即备份。",
                "See why on the Backups page, configure an off-site folder, or back up now.",
            ),
        };
        LocalizedText::new(zh, en)
    }
}

/// The overall rate of a set of check figures (see the module's documentation).
#[must_use]
pub fn overall(checks: &[CheckFigure]) -> Figure {
    checks
        .iter()
        .fold(Figure::default(), |sum, c| sum.plus(c.figure))
}

/// The failing checks, most urgent first: by severity, then by how much fails.
#[must_use]
pub fn fix_first(checks: &[CheckFigure]) -> Vec<CheckId> {
    let mut failing: Vec<&CheckFigure> = checks.iter().filter(|c| c.figure.failing() > 0).collect();
    failing.sort_by_key(|c| {
        (
            c.check.severity(),
            std::cmp::Reverse(c.figure.failing()),
            c.check,
        )
    });
    failing.into_iter().map(|c| c.check).collect()
}

/// A rate as text: `97.5%`, or a dash for nothing to measure.
#[must_use]
pub fn percent_text(figure: Figure) -> String {
    match figure.permille() {
        Some(p) => format!("{}.{}%", p / 10, p % 10),
        None => "—".to_owned(),
    }
}

/// A figure as text in `locale`: `12 / 15 (80.0%)`.
#[must_use]
pub fn figure_text(figure: Figure, locale: Locale) -> String {
    let _ = locale;
    format!(
        "{} / {} ({})",
        figure.passed,
        figure.total,
        percent_text(figure)
    )
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The start of the UTC day holding `at_ms`.
#[must_use]
pub const fn day_start(at_ms: i64) -> i64 {
    at_ms.div_euclid(DAY_MS) * DAY_MS
}

/// The start of the week (Monday 00:00 UTC) holding `at_ms`. 1970-01-01 was a Thursday.
#[must_use]
pub const fn week_start(at_ms: i64) -> i64 {
    let day = at_ms.div_euclid(DAY_MS);
    let weekday = (day + 3).rem_euclid(7); // 0 = Monday
    (day - weekday) * DAY_MS
}

/// The start of the UTC month holding `at_ms`.
#[must_use]
pub fn month_start(at_ms: i64) -> i64 {
    let (y, m, _) = civil_from_days(at_ms.div_euclid(DAY_MS));
    days_from_civil(y, m, 1) * DAY_MS
}

/// The start of the month before the one starting at `month_start_ms`.
#[must_use]
pub fn previous_month_start(month_start_ms: i64) -> i64 {
    month_start(month_start_ms - DAY_MS)
}

/// Days since the epoch to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm).
#[must_use]
pub const fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since the epoch.
#[must_use]
pub const fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Why a report period is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// The end is not after the start.
    Reversed,
    /// The period starts in the future.
    InFuture,
    /// Longer than [`MAX_REPORT_DAYS`].
    TooLong,
}

/// The longest period a report may cover.
pub const MAX_REPORT_DAYS: i64 = 400;

/// Checks a report period asked for at `now_ms`; an end in the future is cut to now.
///
/// # Errors
/// [`PeriodError`] when the period is reversed, starts in the future or is too long.
pub fn check_period(from_ms: i64, to_ms: i64, now_ms: i64) -> Result<(i64, i64), PeriodError> {
    if to_ms <= from_ms {
        return Err(PeriodError::Reversed);
    }
    if from_ms > now_ms {
        return Err(PeriodError::InFuture);
    }
    if to_ms.saturating_sub(from_ms) > MAX_REPORT_DAYS * DAY_MS {
        return Err(PeriodError::TooLong);
    }
    Ok((from_ms, to_ms.min(now_ms)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fig(check: CheckId, passed: u64, total: u64) -> CheckFigure {
        CheckFigure {
            check,
            figure: Figure::new(passed, total),
            previous: None,
        }
    }

    #[test]
    fn the_rate_weighs_each_check_by_what_it_counts() {
        let checks = [
            fig(CheckId::LawfulBasis, 9, 10),
            fig(CheckId::AuditChain, 1, 2),
            fig(CheckId::RequestsOnTime, 0, 0),
        ];
        let rate = overall(&checks);
        assert_eq!(rate, Figure::new(10, 12));
        assert_eq!(rate.permille(), Some(833));
        assert_eq!(percent_text(rate), "83.3%");
    }

    #[test]
    fn nothing_to_measure_is_no_rate_not_a_division_by_zero() {
        let checks: Vec<CheckFigure> = CheckId::ALL.iter().map(|c| fig(*c, 0, 0)).collect();
        assert_eq!(overall(&checks).permille(), None);
        assert_eq!(percent_text(overall(&checks)), "—");
        assert!(fix_first(&checks).is_empty());
    }

    #[test]
    fn critical_failures_come_first_then_the_largest() {
        let checks = [
            fig(CheckId::DevicesSynced, 0, 50),
            fig(CheckId::RetentionOnTime, 99, 100),
            fig(CheckId::LawfulBasis, 95, 100),
            fig(CheckId::AdminsSecondFactor, 1, 2),
            fig(CheckId::ExportsTraced, 3, 3),
        ];
        assert_eq!(
            fix_first(&checks),
            vec![
                CheckId::LawfulBasis,
                CheckId::RetentionOnTime,
                CheckId::AdminsSecondFactor,
                CheckId::DevicesSynced
            ]
        );
    }

    #[test]
    fn names_round_trip_and_every_check_is_explained_in_both_languages() {
        for c in CheckId::ALL {
            assert_eq!(CheckId::parse(c.as_str()), Some(c));
            for text in [c.title(), c.explanation(), c.law(), c.remedy()] {
                assert!(!text.zh_cn.is_empty() && !text.en.is_empty(), "{c:?}");
            }
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(CheckId::parse("nope"), None);
    }

    #[test]
    fn calendar() {
        // 2026-12-03 (a Thursday) 15:00 UTC.
        let at = days_from_civil(2026, 12, 3) * DAY_MS + 15 * 3_600_000;
        assert_eq!(civil_from_days(day_start(at) / DAY_MS), (2026, 12, 3));
        assert_eq!(civil_from_days(week_start(at) / DAY_MS), (2026, 11, 30));
        assert_eq!(civil_from_days(month_start(at) / DAY_MS), (2026, 12, 1));
        assert_eq!(
            civil_from_days(previous_month_start(month_start(at)) / DAY_MS),
            (2026, 11, 1)
        );
        let jan = days_from_civil(2027, 1, 15) * DAY_MS;
        assert_eq!(
            civil_from_days(previous_month_start(month_start(jan)) / DAY_MS),
            (2026, 12, 1)
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn periods() {
        let now = 100 * DAY_MS;
        assert_eq!(
            check_period(DAY_MS, 2 * DAY_MS, now),
            Ok((DAY_MS, 2 * DAY_MS))
        );
        assert_eq!(check_period(DAY_MS, 200 * DAY_MS, now), Ok((DAY_MS, now)));
        assert_eq!(check_period(5, 5, now), Err(PeriodError::Reversed));
        assert_eq!(check_period(9, 5, now), Err(PeriodError::Reversed));
        assert_eq!(
            check_period(now + 1, now + DAY_MS, now),
            Err(PeriodError::InFuture)
        );
        assert_eq!(
            check_period(0, 500 * DAY_MS, 1000 * DAY_MS),
            Err(PeriodError::TooLong)
        );
    }
}
