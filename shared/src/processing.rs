//! The records of processing and the impact assessment drafts, built from a form's
//! published definition and the facts the server counts (volumes, accounts, settings):
//! the pure half of `server/src/compliance/processing.rs`. The payloads are in
//! [`crate::api::processing`].
//!
//! What a document claims comes from the definition or from [`OrganisationFacts`]:
//! access from [`crate::access`], retention from [`crate::retention`]'s rule (a field's
//! answer is kept until the last of its purposes' clocks ends), the security measures
//! as the code applies them. What the system cannot know (recipients outside it, the
//! legal mechanism of a transfer, the necessity of a field) is left to the officer.

mod assessment;
mod texts;

use std::collections::BTreeSet;

pub use assessment::{assessment_draft, sections};
pub use texts::{
    basis_text, day_text, field_retention_text, kind_name, measure_key_name, period_text,
    purpose_retention_text, role_name, role_scope, runs_text, security_measures, sensitivity_name,
    source_name, status_name, visibility_name,
};

use crate::{
    access::{may_reveal, visibility},
    api::{
        auth::Role,
        compliance::AuditStamp,
        forms::FormStatus,
        processing::{
            AssessmentCandidate, AssessmentList, AssessmentTrigger, Collectors, DataCategory,
            ProcessingActivity, ProcessingPurpose, ProcessingVolume, Recipients,
            RecordsOfProcessing, RetentionPolicy, RoleAccess, SensitivityAccess, VersionStamp,
        },
        records::RecordSource,
    },
    i18n::{Locale, LocalizedText},
    ids::FormId,
    schema::{compliance_warnings, Field, FieldKind, FormDefinition, RetentionPeriod, Sensitivity},
};

use texts::t;

/// What the server knows of the organisation beside the forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationFacts {
    /// The roles that may export records under the export settings.
    pub export_roles: Vec<Role>,
    /// An unmasked export of more rows than this needs a second person's approval.
    pub approval_above_rows: u64,
    /// Enabled accounts per role (a role left out has none).
    pub accounts: Vec<(Role, u64)>,
    /// Days withdrawn-only values are kept after a withdrawal.
    pub withdrawal_grace_days: u32,
    /// Retention runs start by themselves.
    pub retention_scheduled: bool,
    pub retention_interval_hours: u32,
    /// The first run of a day, `HH:MM` UTC.
    pub retention_at_utc: String,
    /// The configured public address is `https://`.
    pub https: bool,
    pub session_idle_minutes: u32,
    pub session_max_hours: u32,
}

impl OrganisationFacts {
    fn accounts_of(&self, role: Role) -> u64 {
        self.accounts
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, n)| *n)
            .sum()
    }
}

/// One form's facts: its newest published version and what is held of it.
#[derive(Debug, Clone)]
pub struct FormFacts<'a> {
    pub form_id: FormId,
    pub status: FormStatus,
    pub version: VersionStamp,
    pub definition: &'a FormDefinition,
    pub volume: ProcessingVolume,
    pub collectors: Collectors,
}

/// Why PIPL Art. 55 asks for an impact assessment of a form, as its design shows.
#[must_use]
pub fn assessment_triggers(def: &FormDefinition) -> Vec<AssessmentTrigger> {
    let mut triggers = Vec::new();
    if def.has_sensitive_fields() {
        triggers.push(AssessmentTrigger::SensitiveData);
    }
    if def.guardian_consent_under_age.is_some() {
        triggers.push(AssessmentTrigger::Minors);
    }
    if def.cross_border.is_some() {
        triggers.push(AssessmentTrigger::CrossBorderTransfer);
    }
    triggers
}

/// The clocks that keep a field's answer (its purposes' periods, else its own), each
/// once, or `None` when one of them has no end: the answer is then kept as long as the
/// record exists. The answer goes when the last clock ends (`crate::retention`).
#[must_use]
pub fn field_clocks(def: &FormDefinition, field: &Field) -> Option<Vec<RetentionPeriod>> {
    let mut clocks: Vec<RetentionPeriod> = Vec::new();
    let mut add = |p: RetentionPeriod| {
        if !clocks.contains(&p) {
            clocks.push(p);
        }
    };
    if field.purposes.is_empty() {
        add(field.retention?);
    }
    for key in &field.purposes {
        let own = def.purpose(key.as_str()).and_then(|p| p.retention);
        add(own.or(field.retention)?);
    }
    Some(clocks)
}

/// Both languages of a text built per locale.
fn both(f: impl Fn(Locale) -> String) -> LocalizedText {
    t(f(Locale::ZhCn), f(Locale::En))
}

fn labels(fields: &[&Field], locale: Locale) -> String {
    let sep = if locale == Locale::ZhCn { "、" } else { ", " };
    fields
        .iter()
        .map(|f| f.label.get(locale))
        .collect::<Vec<_>>()
        .join(sep)
}

fn categories(def: &FormDefinition) -> Vec<DataCategory> {
    def.fields()
        .filter(|f| f.holds_value())
        .map(|f| {
            let clocks = field_clocks(def, f);
            DataCategory {
                key: f.key.clone(),
                label: f.label.clone(),
                kind: f.kind.name().to_owned(),
                kind_name: kind_name(&f.kind),
                sensitivity: f.sensitivity,
                sensitivity_name: sensitivity_name(f.sensitivity),
                required: f.required,
                purposes: f.purposes.clone(),
                retention: f.retention,
                retention_text: field_retention_text(clocks.as_deref()),
                open_ended: clocks.is_none(),
            }
        })
        .collect()
}

fn purposes(def: &FormDefinition) -> Vec<ProcessingPurpose> {
    def.purposes
        .iter()
        .map(|p| ProcessingPurpose {
            key: p.key.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            lawful_basis: p.lawful_basis,
            basis_text: basis_text(p.lawful_basis),
            required: p.required,
            retention: p.retention,
            retention_text: purpose_retention_text(p.retention),
            fields: def
                .fields()
                .filter(|f| f.holds_value() && f.purposes.contains(&p.key))
                .map(|f| f.key.clone())
                .collect(),
        })
        .collect()
}

fn access(def: &FormDefinition, org: &OrganisationFacts) -> Vec<RoleAccess> {
    let held: BTreeSet<Sensitivity> = def
        .fields()
        .filter(|f| f.holds_value())
        .map(|f| f.sensitivity)
        .collect();
    Role::ALL
        .into_iter()
        .map(|role| {
            let may_export = org.export_roles.contains(&role);
            RoleAccess {
                role,
                name: role_name(role),
                scope: role_scope(role),
                sees: held
                    .iter()
                    .map(|s| SensitivityAccess {
                        sensitivity: *s,
                        visibility: visibility(role, *s),
                    })
                    .collect(),
                may_reveal: may_reveal(role),
                may_export,
                may_export_unmasked: may_export && may_reveal(role),
                accounts: org.accounts_of(role),
            }
        })
        .collect()
}

fn data_subjects(def: &FormDefinition, volume: &ProcessingVolume) -> Vec<LocalizedText> {
    let mut subjects: Vec<LocalizedText> = volume
        .by_source
        .iter()
        .filter(|s| s.records > 0)
        .map(|s| match s.source {
            RecordSource::Web => t(
                "在线填写本表单的客户",
                "Customers who fill in the form online",
            ),
            RecordSource::Staff => t(
                "由员工当面采集其信息的客户",
                "Customers whose details staff collect in person",
            ),
            RecordSource::Import => t(
                "从表格导入其记录的个人",
                "People whose records were imported from spreadsheets",
            ),
        })
        .collect();
    if subjects.is_empty() {
        subjects.push(t(
            "填写本表单的个人，或员工使用本表单采集其信息的个人",
            "People who fill in the form, or whose details staff collect with it",
        ));
    }
    if let Some(age) = def.guardian_consent_under_age {
        subjects.push(t(
            format!("未满 {age} 周岁的未成年人（须经监护人同意）"),
            format!("Minors under {age}, with a guardian's consent"),
        ));
    }
    subjects
}

fn safeguards(def: &FormDefinition, org: &OrganisationFacts) -> Vec<LocalizedText> {
    let fields: Vec<&Field> = def.fields().filter(|f| f.holds_value()).collect();
    let sensitive: Vec<&Field> = fields
        .iter()
        .copied()
        .filter(|f| f.sensitivity == Sensitivity::Sensitive)
        .collect();
    let mut out = Vec::new();
    if !sensitive.is_empty() {
        out.push(both(|l| match l {
            Locale::ZhCn => format!(
                "填写了敏感字段（{}）的提交须附有个人对处理敏感个人信息的单独同意，并记入其签名的同意声明（《个人信息保护法》第29条）。",
                labels(&sensitive, l)
            ),
            Locale::En => format!(
                "A submission answering a sensitive field ({}) is accepted only with the person's separate consent to sensitive data, recorded in their signed statement (PIPL Art. 29).",
                labels(&sensitive, l)
            ),
        }));
    }
    if let Some(transfer) = &def.cross_border {
        out.push(both(|l| match l {
            Locale::ZhCn => format!(
                "向境外接收方（{}，{}）提供前须取得个人的单独同意，并记入其签名的同意声明（《个人信息保护法》第39条）。",
                transfer.recipient, transfer.country
            ),
            Locale::En => format!(
                "Submissions are accepted only with the person's separate consent to the transfer to {} ({}), recorded in their signed statement (PIPL Art. 39).",
                transfer.recipient, transfer.country
            ),
        }));
    }
    if let Some(age) = def.guardian_consent_under_age {
        let has_id = fields.iter().any(|f| f.kind == FieldKind::ResidentId);
        out.push(if has_id {
            t(
                format!("所填身份证号码显示个人未满 {age} 周岁时，提交须附有监护人的同意，并记入签名的同意声明（《个人信息保护法》第31条）。"),
                format!("When the resident ID number given shows the person is under {age}, the submission needs a guardian's consent, recorded in the signed statement (PIPL Art. 31)."),
            )
        } else {
            t(
                format!("表单设定未满 {age} 周岁须经监护人同意，但没有身份证号码字段，系统无法判断年龄：是否为未成年人须由填写人自行申明。"),
                format!("The form asks for a guardian's consent under {age}, but it has no resident ID field from which the system could tell the age: whether a person is a minor rests on what they declare."),
            )
        });
    }
    let approval: Vec<&Field> = fields
        .iter()
        .copied()
        .filter(|f| f.needs_approval)
        .collect();
    if !approval.is_empty() {
        out.push(both(|l| match l {
            Locale::ZhCn => format!(
                "员工或主管对关键字段（{}）的修改须经另一位主管或管理员批准后才生效。",
                labels(&approval, l)
            ),
            Locale::En => format!(
                "Changes of the key fields ({}) by staff or managers take effect only once another manager or an admin approves them.",
                labels(&approval, l)
            ),
        }));
    }
    if def
        .purposes
        .iter()
        .any(|p| p.lawful_basis == crate::schema::LawfulBasis::Consent)
    {
        out.push(t(
            format!("个人可随时通过同意凭证中的链接撤回同意；仅服务于已撤回目的的值立即隐藏，并在 {} 天宽限期后删除。", org.withdrawal_grace_days),
            format!("People can withdraw consent at any time through their receipt's link; values that served only the withdrawn purposes are hidden at once and deleted after a grace period of {} days.", org.withdrawal_grace_days),
        ));
    }
    out
}

fn recipients(def: &FormDefinition) -> Recipients {
    Recipients {
        cross_border: def.cross_border.clone(),
        embed_origins: def.embed_origins.clone(),
        note: t(
            "系统本身不向任何第三方发送记录：记录只通过受控导出、个人权利请求的答复包和个人自己的同意凭证离开系统。系统之外的受托处理者或其他接收方不为系统所知，须由个人信息保护负责人补充。",
            "The system itself sends the records to no one: they leave it only as governed exports, answer packages to data-subject requests and people's own receipts. Processors or other recipients outside the system are not known to it and must be added by the privacy officer.",
        ),
    }
}

/// One form as a processing activity.
#[must_use]
pub fn activity(form: &FormFacts<'_>, org: &OrganisationFacts) -> ProcessingActivity {
    let def = form.definition;
    let categories = categories(def);
    let open_ended_fields = categories
        .iter()
        .filter(|c| c.open_ended)
        .map(|c| c.key.clone())
        .collect();
    ProcessingActivity {
        form_id: form.form_id,
        title: def.title.clone(),
        description: def.description.clone(),
        status: form.status,
        version: form.version.clone(),
        controller: def.controller.clone(),
        data_subjects: data_subjects(def, &form.volume),
        purposes: purposes(def),
        categories,
        recipients: recipients(def),
        retention: RetentionPolicy {
            withdrawal_grace_days: org.withdrawal_grace_days,
            runs: runs_text(org),
            open_ended_fields,
        },
        access: access(def, org),
        collectors: form.collectors,
        volume: form.volume.clone(),
        safeguards: safeguards(def, org),
        guardian_consent_under_age: def.guardian_consent_under_age,
        warnings: compliance_warnings(def)
            .iter()
            .map(|w| t(w.message(Locale::ZhCn), w.message(Locale::En)))
            .collect(),
        assessment_triggers: assessment_triggers(def),
    }
}

/// Active forms first, then archived ones; each by title (English, then Chinese).
fn in_order<'a, 'b>(forms: &'b [FormFacts<'a>]) -> Vec<&'b FormFacts<'a>> {
    let mut sorted: Vec<&FormFacts<'a>> = forms.iter().collect();
    sorted.sort_by(|a, b| {
        let key = |f: &FormFacts<'_>| {
            (
                f.status != FormStatus::Active,
                f.definition.title.en.to_lowercase(),
                f.definition.title.zh_cn.clone(),
                f.form_id,
            )
        };
        key(a).cmp(&key(b))
    });
    sorted
}

/// Whether a form belongs in the records: active, or archived with live records left.
fn is_processing(form: &FormFacts<'_>) -> bool {
    form.status == FormStatus::Active || form.volume.live_records > 0
}

/// The records of processing of `forms` (each with its newest published version).
#[must_use]
pub fn records_of_processing(
    forms: &[FormFacts<'_>],
    org: &OrganisationFacts,
    computed_at_ms: i64,
    audit_head: AuditStamp,
) -> RecordsOfProcessing {
    let activities: Vec<ProcessingActivity> = in_order(forms)
        .into_iter()
        .filter(|f| is_processing(f))
        .map(|f| activity(f, org))
        .collect();
    let mut controllers = Vec::new();
    for a in &activities {
        if !controllers.contains(&a.controller) {
            controllers.push(a.controller.clone());
        }
    }
    RecordsOfProcessing {
        computed_at_ms,
        audit_head,
        controllers,
        activities,
        security_measures: security_measures(org),
    }
}

/// The forms of `forms` that need an impact assessment.
#[must_use]
pub fn assessment_list(forms: &[FormFacts<'_>], computed_at_ms: i64) -> AssessmentList {
    AssessmentList {
        computed_at_ms,
        forms: in_order(forms)
            .into_iter()
            .filter(|f| is_processing(f))
            .filter_map(|f| {
                let triggers = assessment_triggers(f.definition);
                (!triggers.is_empty()).then(|| AssessmentCandidate {
                    form_id: f.form_id,
                    title: f.definition.title.clone(),
                    status: f.status,
                    version: f.version.number,
                    triggers,
                    live_records: f.volume.live_records,
                })
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
