//! The organisation's checks (not a record's): forms, accounts, the audit chain and the
//! backups; counted in the same tally as the record checks (`super::checks`).

use shared::{
    api::backups::{BackupState, OffsiteState},
    api::compliance::{FailingItem, ItemKind},
    api::forms::FormStatus,
    compliance::CheckId,
};

use super::checks::{date, text, Tally};
use crate::{error::AppResult, state::AppState};

pub(super) async fn forms(state: &AppState, tally: &mut Tally<'_>) -> AppResult<()> {
    if !tally.view.includes(CheckId::FormsWithoutWarnings) {
        return Ok(());
    }
    for form in state.db.forms(FormStatus::Active).await? {
        let Some(latest) = form.latest else { continue };
        let Ok(v) = state
            .versions
            .get_any(&state.db, form.id, latest.number)
            .await
        else {
            continue;
        };
        let warnings = v.definition.compliance_warnings();
        tally.count(
            CheckId::FormsWithoutWarnings,
            Some(form.id),
            None,
            warnings.is_empty(),
            || {
                let zh: Vec<String> = warnings
                    .iter()
                    .map(|w| w.message(shared::i18n::Locale::ZhCn))
                    .collect();
                let en: Vec<String> = warnings
                    .iter()
                    .map(|w| w.message(shared::i18n::Locale::En))
                    .collect();
                FailingItem {
                    kind: ItemKind::Form,
                    id: form.id.to_string(),
                    title: v.definition.title.clone(),
                    reason: text(
                        format!("第 {} 版：{}", latest.number, zh.join("；")),
                        format!("Version {}: {}", latest.number, en.join("; ")),
                    ),
                    at_ms: Some(latest.published_at_ms),
                    link: Some(format!("/forms/{}", form.id)),
                }
            },
        );
    }
    Ok(())
}

pub(super) async fn accounts(state: &AppState, now: i64, tally: &mut Tally<'_>) -> AppResult<()> {
    for a in state.db.checked_accounts(now).await? {
        let account = |zh: String, en: String| FailingItem {
            kind: ItemKind::Account,
            id: a.id.to_string(),
            title: text(&a.username, &a.username),
            reason: text(zh, en),
            at_ms: None,
            link: Some("/users".to_owned()),
        };
        if a.role == "admin" && !a.disabled {
            tally.count(
                CheckId::AdminsSecondFactor,
                None,
                a.team,
                a.second_factor,
                || {
                    account(
                        "管理员未启用两步验证".to_owned(),
                        "An admin without a second factor".to_owned(),
                    )
                },
            );
        }
        if a.disabled {
            tally.count(
                CheckId::DisabledWithoutSessions,
                None,
                a.team,
                a.live_sessions == 0,
                || {
                    account(
                        format!("已停用，仍有 {} 个有效会话", a.live_sessions),
                        format!("Disabled, still holding {} session(s)", a.live_sessions),
                    )
                },
            );
        }
    }
    Ok(())
}

pub(super) async fn audit_chain(
    state: &AppState,
    now: i64,
    tally: &mut Tally<'_>,
) -> AppResult<()> {
    if !tally.view.includes(CheckId::AuditChain) {
        return Ok(());
    }
    let report = crate::audit::verify_with(&state.db, &state.keys).await?;
    let (seq, _) = state.db.audit_chain_head().await?;
    let item = |zh: String, en: String| FailingItem {
        kind: ItemKind::AuditLog,
        id: seq.to_string(),
        title: text("审计日志", "Audit log"),
        reason: text(zh, en),
        at_ms: None,
        link: Some("/audit".to_owned()),
    };
    let problem = report.first_break.as_ref().map(ToString::to_string);
    tally.count(CheckId::AuditChain, None, None, problem.is_none(), || {
        let problem = problem.clone().unwrap_or_default();
        item(
            format!("哈希链验证失败：{problem}"),
            format!("The hash chain does not verify: {problem}"),
        )
    });
    let hours = super::settings::settings(state)
        .await?
        .head_signed_within_hours;
    let signed = state.db.last_signed_head_at().await?;
    let recent = seq == 0 || signed.is_some_and(|at| at >= now - i64::from(hours) * 3_600_000);
    tally.count(CheckId::AuditChain, None, None, recent, || {
        let last = signed.map_or_else(|| "—".to_owned(), date);
        item(
            format!("链头在 {hours} 小时内未签名（最近一次：{last}）"),
            format!("The head was not signed within {hours} hours (last: {last})"),
        )
    });
    Ok(())
}

pub(super) async fn backups(state: &AppState, now: i64, tally: &mut Tally<'_>) -> AppResult<()> {
    if !tally.view.includes(CheckId::BackupsCurrent) {
        return Ok(());
    }
    let settings = &state.config.backup;
    let newest = state
        .db
        .newest_backup_where("b.state IN ('done', 'failed')")
        .await?;
    let recent_limit = now - settings.interval_ms() - 3_600_000;
    let (zh, en, id, at) = match &newest {
        None => (
            "尚无备份".to_owned(),
            "No backup has been made".to_owned(),
            String::new(),
            None,
        ),
        Some(b) => {
            let e = &b.entry;
            let problem = if e.state == BackupState::Failed {
                Some((
                    format!("最近一次备份失败：{}", e.error.as_deref().unwrap_or("")),
                    format!(
                        "The newest backup failed: {}",
                        e.error.as_deref().unwrap_or("")
                    ),
                ))
            } else if e.started_at_ms < recent_limit {
                Some((
                    format!("最近一次备份在 {}，已超过备份间隔", date(e.started_at_ms)),
                    format!(
                        "The newest backup is from {}, older than the interval",
                        date(e.started_at_ms)
                    ),
                ))
            } else if e.offsite != OffsiteState::Copied {
                Some((
                    "最近一次备份未复制到异地".to_owned(),
                    "The newest backup has no off-site copy".to_owned(),
                ))
            } else if !e.drill.as_ref().is_some_and(|d| d.passed) {
                Some((
                    "最近一次备份的恢复演练未通过".to_owned(),
                    "The newest backup's restore drill did not pass".to_owned(),
                ))
            } else {
                None
            };
            match problem {
                Some((zh, en)) => (zh, en, e.id.to_string(), Some(e.started_at_ms)),
                None => (String::new(), String::new(), e.id.to_string(), None),
            }
        }
    };
    let passed = zh.is_empty();
    tally.count(CheckId::BackupsCurrent, None, None, passed, || {
        FailingItem {
            kind: ItemKind::Backup,
            id,
            title: text("备份", "Backups"),
            reason: text(zh, en),
            at_ms: at,
            link: Some("/backups".to_owned()),
        }
    });
    Ok(())
}
