//! The printable pages: escaped, stamped, in the language asked for, and allowed by
//! their own Content-Security-Policy.

use super::*;
use shared::{
    api::{
        auth::Role,
        compliance::{OverdueRequest, PeriodActivity, ReportCheck},
        forms::FormStatus,
        processing::{Collectors, ProcessingVolume, VersionStamp},
        requests::RequestKind,
    },
    compliance::CheckId,
    ids::{FormId, SubjectRequestId},
    processing::{assessment_draft, records_of_processing, FormFacts, OrganisationFacts},
    schema::FormDefinition,
};

fn org() -> OrganisationFacts {
    OrganisationFacts {
        export_roles: vec![Role::Admin, Role::Manager],
        approval_above_rows: 100,
        accounts: vec![(Role::Admin, 1)],
        withdrawal_grace_days: 7,
        retention_scheduled: true,
        retention_interval_hours: 24,
        retention_at_utc: "02:30".to_owned(),
        https: false,
        session_idle_minutes: 30,
        session_max_hours: 12,
    }
}

fn head() -> AuditStamp {
    AuditStamp {
        seq: 17,
        hash: "sha256:00ff".to_owned(),
    }
}

fn demo_facts(def: &FormDefinition) -> FormFacts<'_> {
    FormFacts {
        form_id: FormId::from_random_bytes([7; 16]),
        status: FormStatus::Active,
        version: VersionStamp {
            number: 1,
            hash: "sha256:abcd".to_owned(),
            published_at_ms: 0,
        },
        definition: def,
        volume: ProcessingVolume::default(),
        collectors: Collectors::default(),
    }
}

/// The page's inline style, as the browser hashes it.
fn inline_style(html: &str) -> &str {
    let start = html.find("<style>").unwrap() + "<style>".len();
    let end = html.find("</style>").unwrap();
    &html[start..end]
}

fn check_shell(html: &str, lang: &str) {
    assert!(html.starts_with("<!doctype html><html lang=\""));
    assert!(html.contains(&format!("lang=\"{lang}\"")));
    assert!(html.contains("#17 sha256:00ff"), "the stamp");
    assert!(!html.contains("<script"));
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(inline_style(html)));
    assert!(content_security_policy().contains(&format!("'sha256-{hash}'")));
    assert!(inline_style(html).contains("Noto Sans CJK SC"));
    assert!(inline_style(html).contains("size:A4"));
}

#[test]
fn text_is_escaped() {
    assert_eq!(
        escape("<b a=\"1\">&'</b>"),
        "&lt;b a=&quot;1&quot;&gt;&amp;&#39;&lt;/b&gt;"
    );
    assert_eq!(moment_text(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(moment_text(86_399_999), "1970-01-01 23:59:59 UTC");
    assert_eq!(safe_stem("报告 2026/12\"x"), "2026-12-x");
    assert_eq!(safe_stem("<>"), "document");
}

#[test]
fn the_records_of_processing_read_in_either_language() {
    let mut demo = FormDefinition::demo_customer_registration();
    demo.title.en = "Members <script>".to_owned();
    let doc = records_of_processing(&[demo_facts(&demo)], &org(), 1_000, head());
    let en = processing(&doc, Locale::En);
    check_shell(&en, "en");
    assert!(en.contains("Records of processing activities"));
    assert!(en.contains("Members &lt;script&gt;"));
    assert!(en.contains("Identity verification"));
    assert!(en.contains("Necessary to meet a legal duty"));
    assert!(en.contains("1095 days (3 years) from collection, then deleted"));
    assert!(en.contains("Privacy officer"));
    assert!(en.contains("plain HTTP"));
    let zh = processing(&doc, Locale::ZhCn);
    check_shell(&zh, "zh-CN");
    assert!(zh.contains("个人信息处理活动记录"));
    assert!(zh.contains("身份核验"));
    assert!(zh.contains("为履行法定职责或者法定义务所必需"));
    assert!(zh.contains("个人信息保护负责人"));
}

#[test]
fn the_draft_marks_the_officers_sections() {
    let demo = FormDefinition::demo_customer_registration();
    let draft = assessment_draft(&demo_facts(&demo), &org(), 1_000, head());
    let en = assessment(&draft, Locale::En);
    check_shell(&en, "en");
    let must = draft
        .sections
        .iter()
        .filter(|s| s.officer_must_complete)
        .count();
    assert_eq!(
        en.matches("<span class=\"must\">To be completed by the privacy officer</span>")
            .count(),
        must
    );
    assert_eq!(en.matches("<div class=\"answer\">").count(), must);
    assert!(en.contains("<h2>1. The processing activity"));
    let zh = assessment(&draft, Locale::ZhCn);
    check_shell(&zh, "zh-CN");
    assert!(zh.contains("个人信息保护影响评估报告（草稿）"));
    assert!(zh.contains("须由个人信息保护负责人填写"));
}

#[test]
fn a_report_shows_its_rate_checks_and_overdue_requests() {
    let doc = ComplianceReport {
        id: "r1".to_owned(),
        kind: ReportKind::Weekly,
        period_from_ms: 7 * DAY_MS,
        period_to_ms: 14 * DAY_MS,
        computed_at_ms: 20 * DAY_MS,
        audit_head: head(),
        rate: Figure::new(9, 10),
        previous_rate: Some(Figure::new(8, 10)),
        checks: vec![ReportCheck {
            check: CheckId::LawfulBasis,
            figure: Figure::new(9, 10),
            previous: None,
        }],
        activity: PeriodActivity {
            records_collected: 12,
            ..PeriodActivity::default()
        },
        open_alerts: 3,
        overdue_requests: vec![OverdueRequest {
            request_id: SubjectRequestId::from_random_bytes([1; 16]),
            kind: RequestKind::Erasure,
            received_at_ms: 0,
            due_at_ms: 15 * DAY_MS,
        }],
    };
    let en = report(&doc, Locale::En);
    check_shell(&en, "en");
    assert!(en.contains("90.0%"));
    assert!(en.contains("+10.0 pts"));
    assert!(en.contains("1970-01-08 – 1970-01-14"));
    assert!(en.contains(&CheckId::LawfulBasis.title().en));
    assert!(en.contains("PIPL Art. 13–14"));
    assert!(en.contains("Erasure"));
    assert!(en.contains("<td class=\"v\">5</td>"), "days overdue");
    let zh = report(&doc, Locale::ZhCn);
    check_shell(&zh, "zh-CN");
    assert!(zh.contains("合规报告"));
    assert!(zh.contains(&CheckId::LawfulBasis.title().zh_cn));
    assert!(zh.contains("+10.0 个百分点"));
}

#[test]
fn responses_carry_their_type_policy_and_name() {
    let r = html_response("<p>x</p>".to_owned(), "records-of-processing", true);
    let h = r.headers();
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(
        h[header::CONTENT_DISPOSITION],
        "attachment; filename=\"records-of-processing.html\""
    );
    assert!(h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'; style-src 'sha256-"));
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let r = html_response(String::new(), "x", false);
    assert!(r.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    let r = json_download(&serde_json::json!({"a": 1}), "doc");
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        r.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"doc.json\""
    );
}
