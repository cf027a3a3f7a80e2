//! The personal-information impact assessment draft (PIPL Art. 55–56): its sections,
//! pre-filled from a form's processing activity, with what the officer must judge
//! marked as such. The sections follow Art. 56: whether the purposes and means are
//! lawful, legitimate and necessary; the impact on people and the security risks;
//! whether the protective measures are lawful, effective and proportionate.

use crate::{
    access::Visibility,
    api::{
        compliance::AuditStamp,
        processing::{
            AssessmentDraft, AssessmentRow, AssessmentSection, AssessmentSectionKey,
            AssessmentTrigger, ProcessingActivity,
        },
    },
    i18n::{Locale, LocalizedText},
    schema::{FieldKind, FormDefinition, Sensitivity},
};

use super::{
    activity, day_text, source_name, status_name, texts::t, visibility_name, FormFacts,
    OrganisationFacts,
};

fn row(label: LocalizedText, value: LocalizedText) -> AssessmentRow {
    AssessmentRow { label, value }
}

fn same(text: impl Into<String>) -> LocalizedText {
    let text = text.into();
    t(text.clone(), text)
}

/// Joins the texts of each language with its separator.
fn join(items: &[LocalizedText]) -> LocalizedText {
    t(
        items
            .iter()
            .map(|i| i.zh_cn.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        items
            .iter()
            .map(|i| i.en.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn section(
    key: AssessmentSectionKey,
    title: LocalizedText,
    law: LocalizedText,
    prefilled: Vec<AssessmentRow>,
    prompt: Option<LocalizedText>,
) -> AssessmentSection {
    AssessmentSection {
        key,
        title,
        law,
        prefilled,
        officer_must_complete: prompt.is_some(),
        prompt: prompt.unwrap_or_default(),
    }
}

fn overview(a: &ProcessingActivity) -> AssessmentSection {
    let mut rows = vec![
        row(t("表单", "Form"), a.title.clone()),
        row(t("状态", "Status"), status_name(a.status)),
        row(
            t("评估依据的版本", "Version assessed"),
            t(
                format!(
                    "第 {} 版，{} 发布，{}",
                    a.version.number,
                    day_text(a.version.published_at_ms),
                    a.version.hash
                ),
                format!(
                    "Version {}, published {}, {}",
                    a.version.number,
                    day_text(a.version.published_at_ms),
                    a.version.hash
                ),
            ),
        ),
        row(
            t(
                "个人信息处理者",
                "Controller (personal information handler)",
            ),
            a.controller.name.clone(),
        ),
        row(t("联系方式", "Contact"), same(&a.controller.contact)),
    ];
    if !a.description.is_blank() {
        rows.push(row(t("说明", "Description"), a.description.clone()));
    }
    rows.push(row(
        t("个人信息主体", "Data subjects"),
        join(&a.data_subjects),
    ));
    section(
        AssessmentSectionKey::Overview,
        t("处理活动概况", "The processing activity"),
        t("《个人信息保护法》第55、56条", "PIPL Art. 55–56"),
        rows,
        None,
    )
}

fn triggers(a: &ProcessingActivity) -> AssessmentSection {
    let mut rows: Vec<AssessmentRow> = a
        .assessment_triggers
        .iter()
        .map(|tr| row(tr.title(), tr.law()))
        .collect();
    if rows.is_empty() {
        rows.push(row(
            t("表单设计所示情形", "Shown by the form's design"),
            t(
                "表单设计未显示第55条所列情形（敏感个人信息、未成年人、向境外提供）：本评估为自愿进行。",
                "The form's design shows none of the Art. 55 circumstances it can show (sensitive data, minors, transfer abroad): this assessment is made by choice.",
            ),
        ));
    }
    section(
        AssessmentSectionKey::Triggers,
        t("需要评估的情形", "Why an assessment is required"),
        t("《个人信息保护法》第55条", "PIPL Art. 55"),
        rows,
        Some(t(
            "请确认表单设计无法显示的其他情形是否适用：利用个人信息进行自动化决策；委托处理个人信息、向其他个人信息处理者提供或者公开个人信息；其他对个人权益有重大影响的处理活动。",
            "Confirm whether the other circumstances of Art. 55, which the form's design cannot show, apply: automated decision-making; entrusting the processing to others, providing the data to other handlers or making it public; any other processing with a significant impact on people.",
        )),
    )
}

fn inventory(a: &ProcessingActivity) -> AssessmentSection {
    let name_of = |key: &str| {
        a.purposes
            .iter()
            .find(|p| p.key.as_str() == key)
            .map_or_else(|| same(key), |p| p.name.clone())
    };
    let rows = a
        .categories
        .iter()
        .map(|c| {
            let purposes: Vec<LocalizedText> =
                c.purposes.iter().map(|k| name_of(k.as_str())).collect();
            let purposes = join(&purposes);
            let required = if c.required {
                t("必填", "required")
            } else {
                t("选填", "optional")
            };
            row(
                c.label.clone(),
                t(
                    format!(
                        "{} · {} · {} · 目的：{}",
                        c.kind_name.zh_cn, c.sensitivity_name.zh_cn, required.zh_cn, purposes.zh_cn
                    ),
                    format!(
                        "{} · {} · {} · purposes: {}",
                        c.kind_name.en, c.sensitivity_name.en, required.en, purposes.en
                    ),
                ),
            )
        })
        .collect();
    section(
        AssessmentSectionKey::DataInventory,
        t("处理的个人信息", "The personal information processed"),
        t(
            "《个人信息保护法》第6、56条第1项；GDPR 第30条第1款(c)项",
            "PIPL Art. 6, 56(1); GDPR Art. 30(1)(c)",
        ),
        rows,
        None,
    )
}

fn purposes(a: &ProcessingActivity) -> AssessmentSection {
    let rows = a
        .purposes
        .iter()
        .map(|p| {
            let required = if p.required {
                t("服务所必需", "Required for the service")
            } else {
                t("可选", "Optional")
            };
            let described = |l: Locale| {
                let d = p.description.get(l).trim().trim_end_matches(['.', '。']);
                match (d.is_empty(), l) {
                    (true, _) => String::new(),
                    (false, Locale::ZhCn) => format!("{d}。"),
                    (false, Locale::En) => format!("{d}. "),
                }
            };
            row(
                p.name.clone(),
                t(
                    format!(
                        "{}合法性基础：{}。{}。保存：{}。",
                        described(Locale::ZhCn),
                        p.basis_text.zh_cn,
                        required.zh_cn,
                        p.retention_text.zh_cn
                    ),
                    format!(
                        "{}Basis: {}. {}. Kept: {}.",
                        described(Locale::En),
                        p.basis_text.en,
                        required.en,
                        p.retention_text.en
                    ),
                ),
            )
        })
        .collect();
    section(
        AssessmentSectionKey::PurposesAndNecessity,
        t(
            "处理目的、合法性基础与必要性",
            "Purposes, lawful bases and necessity",
        ),
        t(
            "《个人信息保护法》第5、6、13、56条第1项；GDPR 第5、6条",
            "PIPL Art. 5–6, 13, 56(1); GDPR Art. 5–6",
        ),
        rows,
        Some(t(
            "请逐一说明每个目的为何合法、正当，每个字段为何是实现该目的所必需的最少信息；合法性基础不是同意的，请写明所依据的合同或法定义务。",
            "For each purpose, explain why it is lawful and legitimate and why each field it uses is the least needed for it; where the basis is not consent, name the contract or the legal duty relied on.",
        )),
    )
}

fn sensitive(a: &ProcessingActivity, def: &FormDefinition) -> AssessmentSection {
    let mut rows: Vec<AssessmentRow> = a
        .categories
        .iter()
        .filter(|c| c.sensitivity == Sensitivity::Sensitive)
        .map(|c| row(c.label.clone(), c.retention_text.clone()))
        .collect();
    rows.push(row(
        t("单独同意的文字", "Wording of the separate consent"),
        if def.sensitive_consent_text.is_blank() {
            t("未设置", "None set")
        } else {
            def.sensitive_consent_text.clone()
        },
    ));
    section(
        AssessmentSectionKey::SensitiveData,
        t("敏感个人信息", "Sensitive personal information"),
        t(
            "《个人信息保护法》第28–30条；GDPR 第9条",
            "PIPL Art. 28–30; GDPR Art. 9",
        ),
        rows,
        Some(t(
            "请说明处理每项敏感个人信息的特定目的和充分必要性、采取的严格保护措施，以及对个人权益的影响（第28、30条）。",
            "State the specific purpose and the sufficient necessity of each sensitive field, the strict protective measures taken, and the impact on the person (Art. 28, 30).",
        )),
    )
}

fn minors(a: &ProcessingActivity, age: u8) -> AssessmentSection {
    let knows_age = a
        .categories
        .iter()
        .any(|c| c.kind == FieldKind::ResidentId.name());
    let rows = vec![
        row(
            t("须经监护人同意的年龄", "Guardian consent under"),
            t(format!("{age} 周岁"), format!("{age} years")),
        ),
        row(
            t("系统如何判断年龄", "How the system knows the age"),
            if knows_age {
                t(
                    "根据所填身份证号码中的出生日期；未满该年龄时，没有监护人同意的提交会被拒绝。",
                    "From the birth date in the resident ID number given; a submission for someone under the age without a guardian's consent is refused.",
                )
            } else {
                t(
                    "无法判断：表单没有身份证号码字段。",
                    "It cannot: the form has no resident ID field.",
                )
            },
        ),
    ];
    section(
        AssessmentSectionKey::Minors,
        t("未成年人的个人信息", "Minors' personal information"),
        t(
            "《个人信息保护法》第28、31条；GDPR 第8条",
            "PIPL Art. 28, 31; GDPR Art. 8",
        ),
        rows,
        Some(t(
            "请说明如何识别未成年人、如何核实监护人的身份和同意，以及为处理未成年人个人信息制定的专门规则（第31条）。",
            "Describe how minors are recognised, how the guardian's identity and consent are checked, and the specific rules adopted for handling minors' personal information (Art. 31).",
        )),
    )
}

fn cross_border(a: &ProcessingActivity) -> Option<AssessmentSection> {
    let transfer = a.recipients.cross_border.as_ref()?;
    let rows = vec![
        row(t("境外接收方", "Overseas recipient"), same(&transfer.recipient)),
        row(t("所在国家或地区", "Country or region"), same(&transfer.country)),
        row(t("目的", "Purpose"), transfer.purpose.clone()),
        row(
            t("单独同意", "Separate consent"),
            t(
                "每份提交都须附有个人对向境外提供的单独同意，记入其签名的同意声明。",
                "Every submission needs the person's separate consent to the transfer, recorded in their signed statement.",
            ),
        ),
    ];
    Some(section(
        AssessmentSectionKey::CrossBorder,
        t("向境外提供个人信息", "Transfer outside mainland China"),
        t(
            "《个人信息保护法》第38–40条；GDPR 第44–49条",
            "PIPL Art. 38–40; GDPR Art. 44–49",
        ),
        rows,
        Some(t(
            "请写明出境所依据的条件（通过国家网信部门组织的安全评估、个人信息保护认证，或按照标准合同与境外接收方订立合同并备案）、出境的信息种类、境外接收方的保护措施及其所在地的法律环境，以及个人向境外接收方行使权利的方式。",
            "Name the legal mechanism for the transfer (the CAC security assessment, certification, or the standard contract filed with the authorities), the categories of data sent, the recipient's protections and the law of its country, and how people exercise their rights against the recipient.",
        )),
    ))
}

fn scale(a: &ProcessingActivity) -> AssessmentSection {
    let v = &a.volume;
    let mut rows = vec![row(
        t("现存记录", "Live records"),
        same(v.live_records.to_string()),
    )];
    for s in &v.by_source {
        rows.push(row(source_name(s.source), same(s.records.to_string())));
    }
    if let (Some(first), Some(last)) = (v.first_collected_at_ms, v.last_collected_at_ms) {
        rows.push(row(
            t("收集时间", "Collected"),
            t(
                format!("{} 至 {}", day_text(first), day_text(last)),
                format!("{} to {}", day_text(first), day_text(last)),
            ),
        ));
    }
    rows.push(row(
        t("法律保全中的记录", "Under a legal hold"),
        same(v.under_legal_hold.to_string()),
    ));
    rows.push(row(
        t("使用本表单采集的账号", "Accounts collecting with the form"),
        t(
            format!(
                "{} 个账号（{} 个团队）",
                a.collectors.accounts, a.collectors.teams
            ),
            format!(
                "{} accounts ({} teams)",
                a.collectors.accounts, a.collectors.teams
            ),
        ),
    ));
    section(
        AssessmentSectionKey::Scale,
        t("处理规模", "Scale of the processing"),
        t("《个人信息保护法》第56条", "PIPL Art. 56"),
        rows,
        None,
    )
}

fn access(a: &ProcessingActivity) -> AssessmentSection {
    let rows = a
        .access
        .iter()
        .map(|r| {
            let sees = |l: Locale| {
                r.sees
                    .iter()
                    .map(|s| {
                        format!(
                            "{}{}{}",
                            super::sensitivity_name(s.sensitivity).get(l),
                            if l == Locale::ZhCn { "：" } else { ": " },
                            visibility_name(s.visibility).get(l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(if l == Locale::ZhCn { "；" } else { "; " })
            };
            let export = if r.may_export_unmasked {
                t("可导出（含未遮蔽导出）", "may export (unmasked too)")
            } else if r.may_export {
                t("可导出（仅遮蔽）", "may export (masked only)")
            } else {
                t("不可导出", "may not export")
            };
            let reveal = if r.may_reveal {
                t("可填写理由查看明文", "may reveal with a reason")
            } else {
                t("不可查看明文", "may not reveal")
            };
            row(
                r.name.clone(),
                t(
                    format!(
                        "{}。{}。{}，{}。启用账号 {} 个。",
                        r.scope.zh_cn,
                        sees(Locale::ZhCn),
                        reveal.zh_cn,
                        export.zh_cn,
                        r.accounts
                    ),
                    format!(
                        "{}. {}. It {}, {}. {} enabled accounts.",
                        r.scope.en,
                        sees(Locale::En),
                        reveal.en,
                        export.en,
                        r.accounts
                    ),
                ),
            )
        })
        .collect();
    section(
        AssessmentSectionKey::Access,
        t("访问权限", "Who can access the data"),
        t(
            "《个人信息保护法》第51条第3项；GDPR 第32条",
            "PIPL Art. 51(3); GDPR Art. 32",
        ),
        rows,
        None,
    )
}

fn retention(a: &ProcessingActivity) -> AssessmentSection {
    let mut rows: Vec<AssessmentRow> = a
        .categories
        .iter()
        .map(|c| row(c.label.clone(), c.retention_text.clone()))
        .collect();
    rows.push(row(
        t("撤回同意后", "After a withdrawal"),
        t(
            format!(
                "仅服务于已撤回目的的值在 {} 天后删除",
                a.retention.withdrawal_grace_days
            ),
            format!(
                "Values serving only withdrawn purposes are deleted after {} days",
                a.retention.withdrawal_grace_days
            ),
        ),
    ));
    rows.push(row(t("执行", "Carried out"), a.retention.runs.clone()));
    let prompt = (!a.retention.open_ended_fields.is_empty()).then(|| {
        t(
            "部分字段未设定保存期限。请设定期限，或说明为何须随记录一直保存（第19条：保存期限应为实现处理目的所必要的最短时间）。",
            "Some fields have no retention period. Set one, or explain why they must be kept as long as the record exists (Art. 19: the shortest time the purposes need).",
        )
    });
    section(
        AssessmentSectionKey::Retention,
        t("保存期限", "Retention"),
        t(
            "《个人信息保护法》第19、47条；GDPR 第5条第1款(e)项",
            "PIPL Art. 19, 47; GDPR Art. 5(1)(e)",
        ),
        rows,
        prompt,
    )
}

fn security(a: &ProcessingActivity, org: &OrganisationFacts) -> AssessmentSection {
    let mut rows: Vec<AssessmentRow> = super::security_measures(org)
        .into_iter()
        .map(|m| row(m.title, m.description))
        .collect();
    for s in &a.safeguards {
        rows.push(row(t("本表单", "This form"), s.clone()));
    }
    section(
        AssessmentSectionKey::SecurityMeasures,
        t("已采取的安全措施", "Security measures in place"),
        t(
            "《个人信息保护法》第51条；GDPR 第25、32条",
            "PIPL Art. 51; GDPR Art. 25, 32",
        ),
        rows,
        None,
    )
}

fn risks(a: &ProcessingActivity) -> AssessmentSection {
    let mut rows = Vec::new();
    let sensitive: Vec<LocalizedText> = a
        .categories
        .iter()
        .filter(|c| c.sensitivity == Sensitivity::Sensitive)
        .map(|c| c.label.clone())
        .collect();
    if !sensitive.is_empty() {
        let labels = join(&sensitive);
        rows.push(row(
            t("敏感个人信息", "Sensitive data"),
            t(
                format!("{} 一旦泄露或被非法使用，容易导致人格尊严受到侵害或人身、财产安全受到危害。", labels.zh_cn),
                format!("If {} leaked or were used unlawfully, the person's dignity could be harmed or their safety or property endangered.", labels.en),
            ),
        ));
    }
    let identifiers: Vec<LocalizedText> = a
        .categories
        .iter()
        .filter(|c| ["resident_id", "phone", "email"].contains(&c.kind.as_str()))
        .map(|c| c.label.clone())
        .collect();
    if !identifiers.is_empty() {
        let labels = join(&identifiers);
        rows.push(row(
            t("可识别身份的标识", "Identifiers"),
            t(
                format!("{} 可将记录与其他来源的信息关联，并可用于冒用身份或骚扰。", labels.zh_cn),
                format!("{} can link the records to data from elsewhere, and be used for impersonation or unwanted contact.", labels.en),
            ),
        ));
    }
    if a.assessment_triggers.contains(&AssessmentTrigger::Minors) {
        rows.push(row(
            t("未成年人", "Minors"),
            t(
                "未成年人更难理解处理的后果，对其个人信息须给予更高的保护。",
                "Minors understand less of what processing means for them; their data calls for greater protection.",
            ),
        ));
    }
    if let Some(transfer) = &a.recipients.cross_border {
        rows.push(row(
            t("向境外提供", "Transfer abroad"),
            t(
                format!("信息出境后受 {} 的法律管辖，个人行使权利和获得救济可能更为困难。", transfer.country),
                format!("Once abroad the data is subject to the law of {}, where people may find it harder to exercise their rights and obtain redress.", transfer.country),
            ),
        ));
    }
    rows.push(row(
        t("受影响的人数", "People affected"),
        t(
            format!("目前保存 {} 条记录。", a.volume.live_records),
            format!("{} records are held now.", a.volume.live_records),
        ),
    ));
    let full_access: Vec<LocalizedText> = a
        .access
        .iter()
        .filter(|r| {
            r.accounts > 0
                && r.sees.iter().any(|s| {
                    s.visibility == Visibility::Full && s.sensitivity != Sensitivity::Ordinary
                })
        })
        .map(|r| r.name.clone())
        .collect();
    if !full_access.is_empty() {
        let names = join(&full_access);
        rows.push(row(
            t(
                "可见完整个人信息的角色",
                "Roles seeing personal data in full",
            ),
            t(
                format!("{}（在各自的记录范围内）", names.zh_cn),
                format!("{} (within their reach)", names.en),
            ),
        ));
    }
    section(
        AssessmentSectionKey::Risks,
        t("对个人权益的影响及安全风险", "Impact on people and security risks"),
        t("《个人信息保护法》第56条第2项", "PIPL Art. 56(2)"),
        rows,
        Some(t(
            "请评估对个人权益的影响及安全风险：信息被泄露、篡改、滥用或非法处理的可能性和严重程度，以及受影响的人群。",
            "Assess the impact on people's rights and interests and the security risks: how likely and how severe the harm would be if the data were leaked, altered, misused or processed unlawfully, and who would be affected.",
        )),
    )
}

fn evaluation(a: &ProcessingActivity) -> AssessmentSection {
    let mut rows: Vec<AssessmentRow> = a
        .warnings
        .iter()
        .map(|w| {
            row(
                t("表单设计器的合规提示", "Designer's compliance warning"),
                w.clone(),
            )
        })
        .collect();
    if rows.is_empty() {
        rows.push(row(
            t("表单设计器的合规提示", "Designer's compliance warnings"),
            t("无", "None"),
        ));
    }
    section(
        AssessmentSectionKey::MeasuresEvaluation,
        t(
            "保护措施是否合法、有效并与风险相适应",
            "Are the measures lawful, effective and proportionate?",
        ),
        t("《个人信息保护法》第56条第3项", "PIPL Art. 56(3)"),
        rows,
        Some(t(
            "请判断上述保护措施是否合法、有效并与风险程度相适应，并列出需进一步采取的措施、负责人和完成时间。",
            "Judge whether the measures above are lawful, effective and proportionate to the risk, and list the further measures to take, with who owns each and by when.",
        )),
    )
}

fn conclusion(a: &ProcessingActivity, head: &AuditStamp) -> AssessmentSection {
    section(
        AssessmentSectionKey::Conclusion,
        t("结论与审批", "Conclusion and approval"),
        t("《个人信息保护法》第52、56条", "PIPL Art. 52, 56"),
        vec![row(
            t("本草稿的依据", "This draft was made from"),
            t(
                format!(
                    "第 {} 版表单定义（{}）及审计日志链头 #{} 时的数据",
                    a.version.number, a.version.hash, head.seq
                ),
                format!(
                    "Form version {} ({}) and the data as of audit head #{}",
                    a.version.number, a.version.hash, head.seq
                ),
            ),
        )],
        Some(t(
            "请写明结论（可以处理；采取上述措施后可以处理；不得处理）、评估人员、评估日期，以及个人信息保护负责人的审批意见。评估报告和处理情况记录应至少保存三年（第56条）。",
            "Record the conclusion (the processing may go ahead; may go ahead once the measures above are taken; must not go ahead), who assessed it, the date, and the approval of the person in charge of personal-information protection. Keep the report and the processing records for at least three years (Art. 56).",
        )),
    )
}

/// The sections of the draft for `activity` (of `def`), in order.
#[must_use]
pub fn sections(
    a: &ProcessingActivity,
    def: &FormDefinition,
    org: &OrganisationFacts,
    head: &AuditStamp,
) -> Vec<AssessmentSection> {
    let mut out = vec![overview(a), triggers(a), inventory(a), purposes(a)];
    if a.categories
        .iter()
        .any(|c| c.sensitivity == Sensitivity::Sensitive)
    {
        out.push(sensitive(a, def));
    }
    if let Some(age) = a.guardian_consent_under_age {
        out.push(minors(a, age));
    }
    out.extend(cross_border(a));
    out.push(scale(a));
    out.push(access(a));
    out.push(retention(a));
    out.push(security(a, org));
    out.push(risks(a));
    out.push(evaluation(a));
    out.push(conclusion(a, head));
    out
}

/// The impact assessment's draft for one form. A form that needs none still gets one,
/// with no triggers: an assessment may always be made by choice.
#[must_use]
pub fn assessment_draft(
    form: &FormFacts<'_>,
    org: &OrganisationFacts,
    computed_at_ms: i64,
    audit_head: AuditStamp,
) -> AssessmentDraft {
    let activity = activity(form, org);
    let sections = sections(&activity, form.definition, org, &audit_head);
    AssessmentDraft {
        computed_at_ms,
        audit_head,
        form_id: form.form_id,
        title: activity.title.clone(),
        triggers: activity.assessment_triggers.clone(),
        activity,
        sections,
    }
}
