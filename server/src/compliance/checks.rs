//! The checks computed over the data (what each means: `shared::compliance::CheckId`).
//! One pass reads every live record page by page (which fields hold a value, never the
//! value), then the requests, exports, devices, forms, accounts and the audit chain;
//! each item counts once, in the view's scope, per form and per team, and the first
//! failing items of each check are kept for its drill-down.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use shared::{
    api::compliance::{FailingItem, Figure, ItemKind, MAX_DRILL_ITEMS},
    compliance::CheckId,
    i18n::LocalizedText,
    ids::{FormId, TeamId},
    retention::DAY_MS,
    schema::{FormDefinition, LawfulBasis, Sensitivity},
};

use super::{facts::RecordFacts, org_checks as org, View};
use crate::{
    consent::versions::CachedVersion,
    error::AppResult,
    retention::{
        engine::{clocks_of, due_values, keys_of},
        forecast::present_fields,
    },
    state::AppState,
    store::compliance::CheckedRecord,
};

const PAGE: i64 = 1000;

/// Everything one pass found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub figures: BTreeMap<CheckId, Figure>,
    pub failing: BTreeMap<CheckId, Vec<FailingItem>>,
    pub per_form: BTreeMap<FormId, Figure>,
    pub per_team: BTreeMap<TeamId, Figure>,
    /// Each check's figure per form and per team (for their snapshots).
    pub per_form_checks: BTreeMap<(FormId, CheckId), Figure>,
    pub per_team_checks: BTreeMap<(TeamId, CheckId), Figure>,
    pub records: RecordFacts,
}

impl Outcome {
    /// The figure of `check` (0 of 0 when nothing counted).
    #[must_use]
    pub fn figure(&self, check: CheckId) -> Figure {
        self.figures.get(&check).copied().unwrap_or_default()
    }
}

/// Counts items into the outcome, within the view.
pub(super) struct Tally<'a> {
    pub(super) view: &'a View,
    out: Outcome,
}

impl Tally<'_> {
    pub(super) fn count(
        &mut self,
        check: CheckId,
        form: Option<FormId>,
        team: Option<TeamId>,
        passed: bool,
        item: impl FnOnce() -> FailingItem,
    ) {
        if !self.view.includes(check)
            || self.view.team.as_ref().is_some_and(|t| team != Some(t.id))
            || self.view.form.as_ref().is_some_and(|f| form != Some(f.id))
        {
            return;
        }
        let one = Figure::new(u64::from(passed), 1);
        let fig = self.out.figures.entry(check).or_default();
        *fig = fig.plus(one);
        if let (true, Some(f)) = (check.per_form(), form) {
            let e = self.out.per_form.entry(f).or_default();
            *e = e.plus(one);
            let e = self.out.per_form_checks.entry((f, check)).or_default();
            *e = e.plus(one);
        }
        if let (true, Some(t)) = (check.per_team(), team) {
            let e = self.out.per_team.entry(t).or_default();
            *e = e.plus(one);
            let e = self.out.per_team_checks.entry((t, check)).or_default();
            *e = e.plus(one);
        }
        if !passed {
            let list = self.out.failing.entry(check).or_default();
            if list.len() < MAX_DRILL_ITEMS {
                list.push(item());
            }
        }
    }
}

pub(super) fn text(zh: impl Into<String>, en: impl Into<String>) -> LocalizedText {
    LocalizedText::new(zh, en)
}

/// The day of `at_ms` as `YYYY-MM-DD` (UTC).
pub(super) fn date(at_ms: i64) -> String {
    let (y, m, d) = shared::compliance::civil_from_days(at_ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Labels of `def`'s fields `keys`, joined, in both languages.
fn labels<'a>(def: &FormDefinition, keys: impl Iterator<Item = &'a str>) -> LocalizedText {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for key in keys {
        match def.fields().find(|f| f.key.as_str() == key) {
            Some(f) => {
                zh.push(f.label.zh_cn.clone());
                en.push(f.label.en.clone());
            }
            None => {
                zh.push(key.to_owned());
                en.push(key.to_owned());
            }
        }
    }
    text(zh.join("、"), en.join(", "))
}

/// Purpose names of `def` for `keys`, joined.
fn purpose_names<'a>(def: &FormDefinition, keys: impl Iterator<Item = &'a str>) -> LocalizedText {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for key in keys {
        match def.purposes.iter().find(|p| p.key.as_str() == key) {
            Some(p) => {
                zh.push(p.name.zh_cn.clone());
                en.push(p.name.en.clone());
            }
            None => {
                zh.push(key.to_owned());
                en.push(key.to_owned());
            }
        }
    }
    text(zh.join("、"), en.join(", "))
}

fn json_keys(json: Option<&str>) -> BTreeSet<String> {
    json.and_then(|j| serde_json::from_str::<Vec<String>>(j).ok())
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// Computes every check the view includes.
pub async fn compute(state: &AppState, view: &View) -> AppResult<Outcome> {
    let now = state.clock.now_ms();
    let mut tally = Tally {
        view,
        out: Outcome::default(),
    };
    records(state, now, &mut tally).await?;
    requests(state, now, &mut tally).await?;
    exports(state, &mut tally).await?;
    devices(state, now, &mut tally).await?;
    org::forms(state, &mut tally).await?;
    // Sessions and signed heads are stamped with the system time, not the dates clock.
    let system_now = crate::store::now_ms();
    org::accounts(state, system_now, &mut tally).await?;
    org::audit_chain(state, system_now, &mut tally).await?;
    org::backups(state, now, &mut tally).await?;
    let mut out = tally.out;
    for items in out.failing.values_mut() {
        items.sort_by_key(|i| i.at_ms.unwrap_or(i64::MAX));
    }
    Ok(out)
}

/// The form versions seen, read once each.
#[derive(Default)]
struct Versions(HashMap<(FormId, i64), Option<Arc<CachedVersion>>>);

impl Versions {
    async fn get(
        &mut self,
        state: &AppState,
        form: FormId,
        number: i64,
    ) -> Option<Arc<CachedVersion>> {
        if let Some(v) = self.0.get(&(form, number)) {
            return v.clone();
        }
        let v = state.versions.get_any(&state.db, form, number).await.ok();
        self.0.insert((form, number), v.clone());
        v
    }
}

async fn records(state: &AppState, now: i64, tally: &mut Tally<'_>) -> AppResult<()> {
    let grace = state.config.retention.grace_ms();
    let held = state.db.held(now).await?;
    let mut versions = Versions::default();
    let form = tally.view.form.as_ref().map(|f| f.id);
    let mut after = None;
    loop {
        let page = state.db.checked_records(form, after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = Some(last.clock.id);
        for r in &page {
            let Some(version) = versions
                .get(state, r.clock.form_id, r.clock.form_version)
                .await
            else {
                continue;
            };
            let def = &version.definition;
            let team = r.owner_team;
            let in_view = tally.view.team.as_ref().is_none_or(|t| team == Some(t.id));
            if in_view {
                tally.out.records.note(r, def, now);
            }
            let present = keys_of(r.clock.values.as_str());
            lawful_basis(tally, r, def, &present);
            sensitive_consent(state, tally, r, def, &present).await?;
            // Retention: only records whose next due moment has come can fail.
            let due = if r.retention_due_at_ms.is_none_or(|at| at <= now)
                && !held.covers(r.clock.id, r.clock.form_id)
            {
                let all = present_fields(state, &r.clock).await?;
                let clocks = clocks_of(&r.clock, grace);
                due_values(def, &all, &clocks, now)
                    .into_iter()
                    .map(|(f, d)| (f.key.as_str().to_owned(), d))
                    .collect::<Vec<_>>()
            } else {
                Vec::new()
            };
            let withdrawn: Vec<&String> = due
                .iter()
                .filter(|(_, d)| d.because == shared::retention::DueBecause::Withdrawn)
                .map(|(k, _)| k)
                .collect();
            let overdue: Vec<&(String, shared::retention::Due)> = due
                .iter()
                .filter(|(_, d)| d.because != shared::retention::DueBecause::Withdrawn)
                .collect();
            let record_item = |reason: LocalizedText, at: i64| FailingItem {
                kind: ItemKind::Record,
                id: r.clock.id.to_string(),
                title: def.title.clone(),
                reason,
                at_ms: Some(at),
                link: Some(format!("/records/{}/history", r.clock.id)),
            };
            tally.count(
                CheckId::RetentionOnTime,
                Some(r.clock.form_id),
                team,
                overdue.is_empty(),
                || {
                    let first = overdue.iter().map(|(_, d)| d.at_ms).min().unwrap_or(now);
                    let names = labels(def, overdue.iter().map(|(k, _)| k.as_str()));
                    record_item(
                        text(
                            format!("保存期限已于 {} 届满：{}", date(first), names.zh_cn),
                            format!("Retention ended on {}: {}", date(first), names.en),
                        ),
                        first,
                    )
                },
            );
            let has_withdrawal = r
                .clock
                .withdrawn_json
                .as_deref()
                .is_some_and(|j| j.trim() != "{}" && !j.trim().is_empty());
            if has_withdrawal {
                tally.count(
                    CheckId::WithdrawalsFollowed,
                    Some(r.clock.form_id),
                    team,
                    withdrawn.is_empty(),
                    || {
                        let first = due
                            .iter()
                            .filter(|(_, d)| d.because == shared::retention::DueBecause::Withdrawn)
                            .map(|(_, d)| d.at_ms)
                            .min()
                            .unwrap_or(now);
                        let names = labels(def, withdrawn.iter().map(|k| k.as_str()));
                        record_item(
                            text(
                                format!("撤回后的宽限期已于 {} 结束，仍保存：{}", date(first), names.zh_cn),
                                format!(
                                    "The grace period after the withdrawal ended on {}; still kept: {}",
                                    date(first),
                                    names.en
                                ),
                            ),
                            first,
                        )
                    },
                );
            }
        }
    }
}

/// Purposes a record may serve: granted by its consent (or, imported without one, by
/// the import's basis), and purposes the form bases on something other than consent.
fn lawful_basis(
    tally: &mut Tally<'_>,
    r: &CheckedRecord,
    def: &FormDefinition,
    present: &BTreeSet<String>,
) {
    let granted = if r.has_receipt {
        json_keys(r.granted.as_deref())
    } else {
        json_keys(r.import_purposes.as_deref())
    };
    let withdrawn = crate::records::service::withdrawn_times(r.clock.withdrawn_json.as_deref());
    let mut missing = BTreeSet::new();
    for field in def.fields().filter(|f| present.contains(f.key.as_str())) {
        for p in &field.purposes {
            let key = p.as_str();
            let declared = def.purposes.iter().find(|d| d.key == *p);
            let other_basis = declared.is_some_and(|d| d.lawful_basis != LawfulBasis::Consent);
            if !granted.contains(key) && !withdrawn.contains_key(key) && !other_basis {
                missing.insert(key.to_owned());
            }
        }
    }
    tally.count(
        CheckId::LawfulBasis,
        Some(r.clock.form_id),
        r.owner_team,
        missing.is_empty(),
        || {
            let names = purpose_names(def, missing.iter().map(String::as_str));
            FailingItem {
                kind: ItemKind::Record,
                id: r.clock.id.to_string(),
                title: def.title.clone(),
                reason: text(
                    format!("以下目的既无同意也无其他合法性基础：{}", names.zh_cn),
                    format!("No consent or other basis for: {}", names.en),
                ),
                at_ms: Some(r.clock.created_at_ms),
                link: Some(format!("/records/{}/history", r.clock.id)),
            }
        },
    );
}

async fn sensitive_consent(
    state: &AppState,
    tally: &mut Tally<'_>,
    r: &CheckedRecord,
    def: &FormDefinition,
    present: &BTreeSet<String>,
) -> AppResult<()> {
    let sensitive: Vec<&str> = def
        .fields()
        .filter(|f| f.sensitivity == Sensitivity::Sensitive && present.contains(f.key.as_str()))
        .map(|f| f.key.as_str())
        .collect();
    if sensitive.is_empty() || !tally.view.includes(CheckId::SensitiveConsent) {
        return Ok(());
    }
    let passed = match (r.has_receipt, r.sensitive_consent) {
        (true, Some(given)) => given,
        (true, None) => legacy_sensitive_consent(state, r).await?,
        (false, _) => r
            .import_basis
            .as_deref()
            .is_some_and(|b| b != LawfulBasis::Consent.as_str()),
    };
    tally.count(
        CheckId::SensitiveConsent,
        Some(r.clock.form_id),
        r.owner_team,
        passed,
        || {
            let names = labels(def, sensitive.iter().copied());
            let (zh, en) = if r.has_receipt {
                (
                    "同意书未包含敏感信息单独同意",
                    "The consent lacks the separate consent to sensitive data",
                )
            } else {
                (
                    "以「同意」为基础导入，但无敏感信息单独同意",
                    "Imported on consent without the separate consent to sensitive data",
                )
            };
            FailingItem {
                kind: ItemKind::Record,
                id: r.clock.id.to_string(),
                title: def.title.clone(),
                reason: text(
                    format!("{zh}：{}", names.zh_cn),
                    format!("{en}: {}", names.en),
                ),
                at_ms: Some(r.clock.created_at_ms),
                link: Some(format!("/records/{}/history", r.clock.id)),
            }
        },
    );
    Ok(())
}

/// The separate consent of a receipt stored before the column: read from the sealed
/// receipt itself (false when it cannot be read: the evidence is missing).
async fn legacy_sensitive_consent(state: &AppState, r: &CheckedRecord) -> AppResult<bool> {
    let Some(row) = state.db.receipt_of_record(r.clock.id).await? else {
        return Ok(false);
    };
    let Ok(json) = crate::consent::service::stored_receipt_json(state, &row) else {
        return Ok(false);
    };
    Ok(
        serde_json::from_str::<shared::consent::SignedReceipt>(&json)
            .is_ok_and(|s| s.body.statement.separate_consents.sensitive),
    )
}

async fn requests(state: &AppState, now: i64, tally: &mut Tally<'_>) -> AppResult<()> {
    for q in state.db.checked_requests().await? {
        if q.closed_at_ms.is_none() && q.due_at_ms > now {
            continue; // open, not yet due: nothing to judge
        }
        let on_time = q.closed_at_ms.is_some_and(|c| c <= q.due_at_ms);
        tally.count(CheckId::RequestsOnTime, None, None, on_time, || {
            let kind = shared::api::requests::RequestKind::parse(&q.kind);
            let title = kind.map_or_else(|| text(&q.kind, &q.kind), request_kind_name);
            let reason = match q.closed_at_ms {
                Some(c) => text(
                    format!("{} 到期，{} 才结束", date(q.due_at_ms), date(c)),
                    format!("Due {}, closed {}", date(q.due_at_ms), date(c)),
                ),
                None => text(
                    format!(
                        "{} 到期，仍未结束（逾期 {} 天）",
                        date(q.due_at_ms),
                        (now - q.due_at_ms) / DAY_MS
                    ),
                    format!(
                        "Due {}, still open ({} days overdue)",
                        date(q.due_at_ms),
                        (now - q.due_at_ms) / DAY_MS
                    ),
                ),
            };
            FailingItem {
                kind: ItemKind::Request,
                id: q.id.to_string(),
                title,
                reason,
                at_ms: Some(q.due_at_ms),
                link: Some(format!("/requests/{}", q.id)),
            }
        });
    }
    Ok(())
}

/// A request kind's name.
#[must_use]
pub fn request_kind_name(kind: shared::api::requests::RequestKind) -> LocalizedText {
    use shared::api::requests::RequestKind as K;
    let (zh, en) = match kind {
        K::Access => ("查阅请求", "Access request"),
        K::Copy => ("复制请求", "Copy request"),
        K::Correction => ("更正请求", "Correction request"),
        K::Erasure => ("删除请求", "Erasure request"),
        K::Withdrawal => ("撤回同意请求", "Withdrawal request"),
        K::Restriction => ("限制处理请求", "Restriction request"),
    };
    text(zh, en)
}

async fn exports(state: &AppState, tally: &mut Tally<'_>) -> AppResult<()> {
    let threshold = crate::exports::service::settings(state)
        .await?
        .approval_above_rows;
    for e in state.db.checked_exports().await? {
        let item = |zh: &str, en: &str| FailingItem {
            kind: ItemKind::Export,
            id: e.id.to_string(),
            title: text(
                format!("{} 导出 {} 行", e.requester_name, e.rows),
                format!("{} exported {} rows", e.requester_name, e.rows),
            ),
            reason: text(zh, en),
            at_ms: Some(e.requested_at_ms),
            link: Some("/exports".to_owned()),
        };
        if e.unmasked {
            let needed_approval = u64::try_from(e.rows).unwrap_or(0) > threshold;
            let passed = e.has_reason && (e.approved || !needed_approval);
            tally.count(
                CheckId::UnmaskedExportsApproved,
                Some(e.form_id),
                e.requester_team,
                passed,
                || {
                    if e.has_reason {
                        item(
                            "超过审批阈值，但未经批准",
                            "Above the approval threshold, not approved",
                        )
                    } else {
                        item("明文导出未填写理由", "Unmasked without a reason")
                    }
                },
            );
        }
        let traced = e.requested_logged && e.downloaded_logged && e.has_fingerprint;
        tally.count(
            CheckId::ExportsTraced,
            Some(e.form_id),
            e.requester_team,
            traced,
            || {
                if e.has_fingerprint {
                    item(
                        "审计日志中缺少该导出的台账条目",
                        "Its ledger entry is missing from the audit log",
                    )
                } else {
                    item(
                        "导出文件没有指纹（文件未完整生成）",
                        "The file has no fingerprint (it was not completed)",
                    )
                }
            },
        );
    }
    Ok(())
}

async fn devices(state: &AppState, now: i64, tally: &mut Tally<'_>) -> AppResult<()> {
    let days = super::settings::settings(state).await?.device_idle_days;
    let limit = now - i64::from(days) * DAY_MS;
    for d in state.db.checked_devices().await? {
        tally.count(
            CheckId::DevicesSynced,
            None,
            d.holder_team,
            d.last_sync_at_ms >= limit,
            || FailingItem {
                kind: ItemKind::Device,
                id: d.id.to_string(),
                title: text(
                    format!("{}（{}）", d.name, d.holder_name),
                    format!("{} ({})", d.name, d.holder_name),
                ),
                reason: text(
                    format!("自 {} 起未同步（超过 {days} 天）", date(d.last_sync_at_ms)),
                    format!(
                        "Not synced since {} (more than {days} days)",
                        date(d.last_sync_at_ms)
                    ),
                ),
                at_ms: Some(d.last_sync_at_ms),
                link: Some("/users".to_owned()),
            },
        );
    }
    Ok(())
}
