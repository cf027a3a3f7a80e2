//! The records of processing and the impact assessment drafts as printable pages.

use shared::{
    api::processing::{AssessmentDraft, ProcessingActivity, RecordsOfProcessing},
    i18n::Locale,
    processing::{day_text, sensitivity_name, source_name, status_name, visibility_name},
    schema::Sensitivity,
};

use super::{escape, joined, key_values, list, lt, page, stamp_line, table, tr, yes_no};

fn version_text(a: &ProcessingActivity, locale: Locale) -> String {
    escape(&match locale {
        Locale::ZhCn => format!(
            "第 {} 版，{} 发布，{}",
            a.version.number,
            day_text(a.version.published_at_ms),
            a.version.hash
        ),
        Locale::En => format!(
            "Version {}, published {}, {}",
            a.version.number,
            day_text(a.version.published_at_ms),
            a.version.hash
        ),
    })
}

fn volume_text(a: &ProcessingActivity, locale: Locale) -> String {
    let v = &a.volume;
    let mut parts = vec![format!(
        "{} {}",
        v.live_records,
        tr(locale, "条现存记录", "live records")
    )];
    for s in &v.by_source {
        parts.push(format!(
            "{}: {}",
            source_name(s.source).get(locale),
            s.records
        ));
    }
    if let (Some(first), Some(last)) = (v.first_collected_at_ms, v.last_collected_at_ms) {
        parts.push(format!(
            "{} {} – {}",
            tr(locale, "收集于", "collected"),
            day_text(first),
            day_text(last)
        ));
    }
    if v.under_legal_hold > 0 {
        parts.push(format!(
            "{} {}",
            v.under_legal_hold,
            tr(locale, "条处于法律保全", "under a legal hold")
        ));
    }
    escape(&parts.join(tr(locale, "；", "; ")))
}

fn activity_html(a: &ProcessingActivity, locale: Locale) -> String {
    let l = locale;
    let mut out = format!("<section class=\"activity\"><h2>{}</h2>", lt(&a.title, l));
    let mut facts = vec![
        (
            tr(l, "状态", "Status").to_owned(),
            lt(&status_name(a.status), l),
        ),
        (tr(l, "版本", "Version").to_owned(), version_text(a, l)),
        (
            tr(l, "个人信息处理者", "Controller").to_owned(),
            format!(
                "{} ({})",
                lt(&a.controller.name, l),
                escape(&a.controller.contact)
            ),
        ),
    ];
    if !a.description.is_blank() {
        facts.push((
            tr(l, "说明", "Description").to_owned(),
            lt(&a.description, l),
        ));
    }
    facts.push((
        tr(l, "个人信息主体", "Data subjects").to_owned(),
        joined(a.data_subjects.iter().map(|s| lt(s, l)), l),
    ));
    facts.push((tr(l, "规模", "Volume").to_owned(), volume_text(a, l)));
    facts.push((
        tr(l, "采集人员", "Collected by").to_owned(),
        escape(&match l {
            Locale::ZhCn => format!(
                "{} 个员工或主管账号（{} 个团队）",
                a.collectors.accounts, a.collectors.teams
            ),
            Locale::En => format!(
                "{} staff and manager accounts ({} teams)",
                a.collectors.accounts, a.collectors.teams
            ),
        }),
    ));
    if let Some(age) = a.guardian_consent_under_age {
        facts.push((
            tr(l, "监护人同意", "Guardian consent").to_owned(),
            escape(&match l {
                Locale::ZhCn => format!("未满 {age} 周岁须经监护人同意"),
                Locale::En => format!("Needed under the age of {age}"),
            }),
        ));
    }
    out.push_str(&key_values(&facts));

    let field_name = |key: &str| {
        a.categories
            .iter()
            .find(|c| c.key.as_str() == key)
            .map_or_else(|| escape(key), |c| lt(&c.label, l))
    };
    let purpose_name = |key: &str| {
        a.purposes
            .iter()
            .find(|p| p.key.as_str() == key)
            .map_or_else(|| escape(key), |p| lt(&p.name, l))
    };

    out.push_str(&format!(
        "<h3>{}</h3>",
        tr(l, "处理目的与合法性基础", "Purposes and lawful bases")
    ));
    let rows: Vec<Vec<String>> = a
        .purposes
        .iter()
        .map(|p| {
            vec![
                format!("{}<br>{}", lt(&p.name, l), lt(&p.description, l)),
                lt(&p.basis_text, l),
                yes_no(p.required, l),
                lt(&p.retention_text, l),
                joined(p.fields.iter().map(|f| field_name(f.as_str())), l),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            tr(l, "目的", "Purpose"),
            tr(l, "合法性基础", "Lawful basis"),
            tr(l, "必需", "Required"),
            tr(l, "保存期限", "Retention"),
            tr(l, "字段", "Fields"),
        ],
        &rows,
    ));

    out.push_str(&format!(
        "<h3>{}</h3>",
        tr(l, "收集的个人信息", "Categories of data")
    ));
    let rows: Vec<Vec<String>> = a
        .categories
        .iter()
        .map(|c| {
            vec![
                lt(&c.label, l),
                lt(&c.kind_name, l),
                lt(&c.sensitivity_name, l),
                joined(c.purposes.iter().map(|p| purpose_name(p.as_str())), l),
                lt(&c.retention_text, l),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            tr(l, "字段", "Field"),
            tr(l, "类型", "Kind"),
            tr(l, "敏感程度", "Sensitivity"),
            tr(l, "目的", "Purposes"),
            tr(l, "实际保存期限", "Kept for"),
        ],
        &rows,
    ));

    out.push_str(&format!(
        "<h3>{}</h3>",
        tr(l, "接收方与出境", "Recipients and transfers abroad")
    ));
    let mut recipients = vec![(
        tr(l, "向境外提供", "Transfer abroad").to_owned(),
        match &a.recipients.cross_border {
            Some(c) => format!(
                "{} ({}) — {}",
                escape(&c.recipient),
                escape(&c.country),
                lt(&c.purpose, l)
            ),
            None => tr(l, "无", "None").to_owned(),
        },
    )];
    if !a.recipients.embed_origins.is_empty() {
        recipients.push((
            tr(l, "嵌入本表单的网站", "Websites embedding the form").to_owned(),
            joined(a.recipients.embed_origins.iter().map(|o| escape(o)), l),
        ));
    }
    recipients.push((
        tr(l, "其他接收方", "Other recipients").to_owned(),
        lt(&a.recipients.note, l),
    ));
    out.push_str(&key_values(&recipients));

    out.push_str(&format!(
        "<h3>{}</h3>",
        tr(l, "保存与删除", "Retention and deletion")
    ));
    let mut retention = vec![
        (
            tr(l, "执行", "Carried out").to_owned(),
            lt(&a.retention.runs, l),
        ),
        (
            tr(l, "撤回同意后", "After a withdrawal").to_owned(),
            escape(&match l {
                Locale::ZhCn => format!(
                    "仅服务于已撤回目的的值在 {} 天宽限期后删除",
                    a.retention.withdrawal_grace_days
                ),
                Locale::En => format!(
                    "Values serving only withdrawn purposes are deleted after {} days",
                    a.retention.withdrawal_grace_days
                ),
            }),
        ),
    ];
    if !a.retention.open_ended_fields.is_empty() {
        retention.push((
            tr(l, "未设定期限的字段", "Fields without a period").to_owned(),
            joined(
                a.retention
                    .open_ended_fields
                    .iter()
                    .map(|f| field_name(f.as_str())),
                l,
            ),
        ));
    }
    out.push_str(&key_values(&retention));

    out.push_str(&format!(
        "<h3>{}</h3>",
        tr(l, "访问权限", "Who can access it")
    ));
    let sensitivities: Vec<Sensitivity> = a
        .access
        .first()
        .map(|r| r.sees.iter().map(|s| s.sensitivity).collect())
        .unwrap_or_default();
    let mut head: Vec<String> = vec![
        tr(l, "角色", "Role").to_owned(),
        tr(l, "范围", "Scope").to_owned(),
    ];
    head.extend(
        sensitivities
            .iter()
            .map(|s| sensitivity_name(*s).get(l).to_owned()),
    );
    head.extend([
        tr(l, "查看明文", "Reveal").to_owned(),
        tr(l, "导出", "Export").to_owned(),
        tr(l, "启用账号", "Accounts").to_owned(),
    ]);
    let rows: Vec<Vec<String>> = a
        .access
        .iter()
        .map(|r| {
            let mut row = vec![lt(&r.name, l), lt(&r.scope, l)];
            row.extend(r.sees.iter().map(|s| lt(&visibility_name(s.visibility), l)));
            row.push(yes_no(r.may_reveal, l));
            row.push(
                if r.may_export_unmasked {
                    tr(l, "可（含未遮蔽）", "Yes (unmasked too)")
                } else if r.may_export {
                    tr(l, "可（仅遮蔽）", "Yes (masked)")
                } else {
                    tr(l, "否", "No")
                }
                .to_owned(),
            );
            row.push(r.accounts.to_string());
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    out.push_str(&table(&head, &rows));

    if !a.safeguards.is_empty() {
        out.push_str(&format!(
            "<h3>{}</h3>",
            tr(l, "本表单的保护措施", "Safeguards of this form")
        ));
        out.push_str(&list(
            &a.safeguards.iter().map(|s| lt(s, l)).collect::<Vec<_>>(),
        ));
    }
    if !a.warnings.is_empty() {
        out.push_str(&format!(
            "<h3>{}</h3>",
            tr(l, "合规提示", "Compliance warnings")
        ));
        out.push_str(&list(
            &a.warnings.iter().map(|s| lt(s, l)).collect::<Vec<_>>(),
        ));
    }
    out.push_str(&format!(
        "<h3>{}</h3>",
        tr(l, "个人信息保护影响评估", "Impact assessment")
    ));
    if a.assessment_triggers.is_empty() {
        out.push_str(&format!(
            "<p>{}</p>",
            tr(
                l,
                "表单设计未显示需要评估的情形。",
                "The form's design shows no circumstance that requires one."
            )
        ));
    } else {
        out.push_str(&list(
            &a.assessment_triggers
                .iter()
                .map(|t| format!("{} ({})", lt(&t.title(), l), lt(&t.law(), l)))
                .collect::<Vec<_>>(),
        ));
    }
    out.push_str("</section>");
    out
}

/// The records of processing as a printable page in `locale`.
#[must_use]
pub fn processing(doc: &RecordsOfProcessing, locale: Locale) -> String {
    let l = locale;
    let mut body = format!(
        "<p class=\"lead\">{}</p>",
        tr(
            l,
            "依据《个人信息保护法》第54、55条及 GDPR 第30条，根据各表单最新发布版本的定义和系统中保存的数据生成。系统无法知晓的事项（系统之外的接收方、出境的法律依据）须由个人信息保护负责人补充。",
            "Under PIPL Art. 54–55 and GDPR Art. 30, generated from the newest published version of each form and the data the system holds. What the system cannot know (recipients outside it, the legal mechanism of a transfer) is for the privacy officer to add."
        )
    );
    body.push_str(&format!(
        "<h2>{}</h2>",
        tr(l, "个人信息处理者", "Controllers")
    ));
    let rows: Vec<Vec<String>> = doc
        .controllers
        .iter()
        .map(|c| vec![lt(&c.name, l), escape(&c.contact)])
        .collect();
    body.push_str(&table(
        &[tr(l, "名称", "Name"), tr(l, "联系方式", "Contact")],
        &rows,
    ));

    body.push_str(&format!(
        "<h2>{}</h2>",
        tr(l, "处理活动一览", "Processing activities")
    ));
    if doc.activities.is_empty() {
        body.push_str(&format!(
            "<p>{}</p>",
            tr(l, "没有已发布的表单。", "No form has been published.")
        ));
    } else {
        let rows: Vec<Vec<String>> = doc
            .activities
            .iter()
            .map(|a| {
                vec![
                    lt(&a.title, l),
                    lt(&status_name(a.status), l),
                    a.version.number.to_string(),
                    a.volume.live_records.to_string(),
                    joined(a.assessment_triggers.iter().map(|t| lt(&t.title(), l)), l),
                ]
            })
            .collect();
        body.push_str(&table(
            &[
                tr(l, "表单", "Form"),
                tr(l, "状态", "Status"),
                tr(l, "版本", "Version"),
                tr(l, "现存记录", "Live records"),
                tr(l, "需要影响评估的情形", "Impact assessment needed for"),
            ],
            &rows,
        ));
    }
    for a in &doc.activities {
        body.push_str(&activity_html(a, l));
    }
    body.push_str(&format!(
        "<section class=\"activity\"><h2>{}</h2><p class=\"law\">{}</p>",
        tr(l, "安全保护措施", "Security measures"),
        tr(
            l,
            "《个人信息保护法》第51条；GDPR 第30条第1款(g)项、第32条",
            "PIPL Art. 51; GDPR Art. 30(1)(g), 32"
        )
    ));
    let rows: Vec<(String, String)> = doc
        .security_measures
        .iter()
        .map(|m| (lt(&m.title, l), lt(&m.description, l)))
        .collect();
    body.push_str(&key_values(&rows));
    body.push_str("</section>");
    page(
        l,
        tr(
            l,
            "个人信息处理活动记录",
            "Records of processing activities",
        ),
        &stamp_line(doc.computed_at_ms, &doc.audit_head, l),
        &body,
    )
}

/// An impact assessment's draft as a printable page in `locale`: the officer's
/// sections are marked and leave room to write.
#[must_use]
pub fn assessment(doc: &AssessmentDraft, locale: Locale) -> String {
    let l = locale;
    let a = &doc.activity;
    let mut body = format!(
        "<p class=\"lead\"><strong>{}</strong> · {}</p><p class=\"lead\">{}</p>",
        lt(&doc.title, l),
        version_text(a, l),
        tr(
            l,
            "本草稿根据表单定义和系统中的数据预先填写。标有“须由个人信息保护负责人填写”的部分须由其作出判断后，评估方告完成。",
            "This draft is pre-filled from the form's definition and the data the system holds. The sections marked \u{201c}To be completed by the privacy officer\u{201d} need the officer's judgement before the assessment is complete."
        )
    );
    if doc.triggers.is_empty() {
        body.push_str(&format!(
            "<p class=\"lead\">{}</p>",
            tr(
                l,
                "表单设计未显示《个人信息保护法》第55条所列的情形：本评估为自愿进行。",
                "The form's design shows none of the circumstances of PIPL Art. 55: this assessment is made by choice."
            )
        ));
    }
    for (n, s) in doc.sections.iter().enumerate() {
        body.push_str(&format!(
            "<section><h2>{}. {}{}</h2>",
            n + 1,
            lt(&s.title, l),
            if s.officer_must_complete {
                format!(
                    "<span class=\"must\">{}</span>",
                    tr(
                        l,
                        "须由个人信息保护负责人填写",
                        "To be completed by the privacy officer"
                    )
                )
            } else {
                String::new()
            }
        ));
        if !s.law.is_blank() {
            body.push_str(&format!("<p class=\"law\">{}</p>", lt(&s.law, l)));
        }
        if !s.prefilled.is_empty() {
            let rows: Vec<(String, String)> = s
                .prefilled
                .iter()
                .map(|r| (lt(&r.label, l), lt(&r.value, l)))
                .collect();
            body.push_str(&key_values(&rows));
        }
        if s.officer_must_complete {
            body.push_str(&format!(
                "<p class=\"prompt\"><strong>{}</strong> {}</p><div class=\"answer\">{}</div>",
                tr(l, "待填写：", "To complete:"),
                lt(&s.prompt, l),
                tr(l, "（在此填写）", "(write here)")
            ));
        }
        body.push_str("</section>");
    }
    page(
        l,
        tr(
            l,
            "个人信息保护影响评估报告（草稿）",
            "Personal information protection impact assessment (draft)",
        ),
        &stamp_line(doc.computed_at_ms, &doc.audit_head, l),
        &body,
    )
}
