//! Imports in the browser (issue #22): an admin uploads a CSV saved by Chinese Excel
//! (GBK), sees it read as GB18030, maps the column the suggestion left out, sees the
//! invalid and duplicate rows with their reasons, states an existing consent with its
//! evidence and a purpose, imports the valid rows with the others skipped, downloads
//! the report naming the skipped rows, finds the records marked as imported, and undoes
//! the import from the history. The page fits a phone's width.

use consentry_tests::{browser::Browser, Backend, TestApp, ADMIN_PASSWORD};
use serde_json::{json, Value};

/// An 18-character resident ID number with its right check character.
fn id_number(first17: &str) -> String {
    let check = shared::schema::check_character(first17).unwrap();
    format!("{first17}{check}")
}

/// The file: a header whose phone column no suggestion knows, two valid rows, one with
/// a wrong check character in its ID number (row 3) and one repeating the first
/// person's phone number (row 5), in GBK as Chinese Excel saves it.
fn gbk_file() -> Vec<u8> {
    let mut bad = id_number("44030519920101002");
    let last = if bad.ends_with('0') { "1" } else { "0" };
    bad.replace_range(17.., last);
    let rows = [
        "姓名,客户手机,电子邮箱,身份证号码".to_owned(),
        format!(
            "陈一,13500135000,chen@example.com,{}",
            id_number("31010419850612001")
        ),
        format!("黄二,13500135001,huang@example.com,{bad}"),
        format!(
            "周三,13500135002,zhou@example.com,{}",
            id_number("11010519800101003")
        ),
        format!(
            "陈一,13500135000,chen2@example.com,{}",
            id_number("11010519800101006")
        ),
    ];
    let text = rows.join("\r\n") + "\r\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// Fetches `href` with the page's session, as a click on the link would.
async fn fetch_text(browser: &Browser, href: &str) -> (u16, String) {
    let script = r"
        const [href, done] = arguments;
        fetch(href, { credentials: 'same-origin' })
          .then((r) => r.text().then((text) => done({ status: r.status, text })))
          .catch((e) => done({ status: 0, text: String(e) }));
    ";
    let answer: Value = browser
        .client
        .execute_async(script, vec![json!(href)])
        .await
        .unwrap();
    let status = u16::try_from(answer["status"].as_u64().unwrap_or(0)).unwrap();
    (
        status,
        answer["text"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_a_gbk_file_with_its_basis_and_undoes_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // The first sign-in's password replaced, as the console expects.
    let _ = app.admin().await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("客户名单.csv");
    std::fs::write(&path, gbk_file()).unwrap();

    let browser = Browser::start().await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
    browser.click("[data-testid=nav-imports]").await;
    browser
        .find("[data-testid=imports-page][data-tab=new]")
        .await;
    browser
        .select("[data-testid=import-form]", &app.demo_form_id.to_string())
        .await;
    browser
        .find("[data-testid=import-file]")
        .await
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    browser.click("[data-testid=import-upload]").await;

    // Read as GB18030; the phone column goes nowhere, so its required field is named.
    let source = browser
        .text("[data-testid=import-source][data-source=gb18030]")
        .await;
    assert!(source.contains("GB18030"), "{source}");
    let unmapped = browser.text("[data-testid=import-unmapped]").await;
    assert!(unmapped.contains("Mobile number"), "{unmapped}");
    browser
        .find("[data-testid=import-count][data-kind=valid][data-count='0']")
        .await;

    // The admin maps it: the file is checked again.
    browser
        .select("[data-testid=import-mapping][data-column='1']", "mobile")
        .await;
    browser
        .find("[data-testid=import-count][data-kind=valid][data-count='2']")
        .await;
    browser
        .find("[data-testid=import-count][data-kind=invalid][data-count='1']")
        .await;
    browser
        .find("[data-testid=import-count][data-kind=duplicate_in_file][data-count='1']")
        .await;
    browser
        .find("[data-testid=import-count][data-kind=total][data-count='4']")
        .await;
    let invalid = browser
        .text("[data-testid=import-problem][data-row='3'][data-status=invalid]")
        .await;
    assert!(invalid.contains("身份证号码"), "{invalid}");
    let duplicate = browser
        .text("[data-testid=import-problem][data-row='5'][data-status=duplicate_in_file]")
        .await;
    assert!(duplicate.contains("Same person as row 2"), "{duplicate}");
    // Every field the form always requires now has its column (fields required only
    // under a condition are not named: rows that need them are named as invalid).
    let unmapped = browser
        .client
        .execute(
            "const e = document.querySelector('[data-testid=import-unmapped]'); \
             return e ? e.textContent : '';",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !unmapped
            .as_str()
            .unwrap_or_default()
            .contains("Mobile number"),
        "{unmapped}"
    );
    browser.axe("console: an import's preview").await;
    let (page, screen) = browser.width_on_a_phone().await;
    assert!(
        page <= screen,
        "the preview is {page}px wide on a {screen}px phone"
    );

    // The basis: an existing consent needs a purpose and its evidence.
    browser
        .select("[data-testid=import-basis-select]", "consent")
        .await;
    browser.click("[data-testid=import-commit]").await;
    browser.find("[data-error-for='basis.purposes'] li").await;
    browser.find("[data-error-for='basis.evidence'] li").await;
    browser
        .click("[data-testid=import-purpose][data-key=membership_service]")
        .await;
    browser
        .fill(
            "[data-testid=import-evidence]",
            "Old CRM consent 2023-05-01, document 118",
        )
        .await;
    browser
        .click("[data-testid=import-on-problems][data-value=skip]")
        .await;
    let label = browser.text("[data-testid=import-commit]").await;
    assert_eq!(label, "Import 2 records");
    browser.click("[data-testid=import-commit]").await;

    // The result, and the report listing the skipped rows by number.
    browser
        .find("[data-testid=import-result-imported][data-count='2']")
        .await;
    browser
        .find("[data-testid=import-result-invalid][data-count='1']")
        .await;
    browser
        .find("[data-testid=import-result-duplicate][data-count='1']")
        .await;
    browser.axe("console: an import done").await;
    let href = browser
        .attr(
            "[data-testid=import-result] [data-testid=import-report][data-format=csv]",
            "href",
        )
        .await
        .unwrap();
    assert!(
        href.contains("format=csv") && href.contains("lang=en"),
        "{href}"
    );
    let (status, report) = fetch_text(&browser, &href).await;
    assert_eq!(status, 200, "{report}");
    let line = |row: &str| {
        report
            .lines()
            .find(|l| {
                l.trim_start_matches('\u{feff}')
                    .starts_with(&format!("{row},"))
            })
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line("3").contains("skipped: invalid"), "{report}");
    assert!(line("5").contains("skipped: duplicate"), "{report}");
    assert!(line("2").contains("imported"), "{report}");
    assert!(
        !report.contains("13500135001"),
        "the report holds no values"
    );

    // The form's records, marked as imported on the stated basis.
    browser.click("[data-testid=import-to-records]").await;
    let marked = browser.text("[data-testid=record-imported]").await;
    assert!(
        marked.contains("existing consent given elsewhere")
            && marked.contains("Membership service"),
        "{marked}"
    );

    // The history: undone after a confirmation that says how many records go.
    browser.click("[data-testid=nav-imports]").await;
    browser.click("[data-testid=imports-tab-history]").await;
    browser
        .find("[data-testid=import-entry-imported][data-count='2']")
        .await;
    let basis = browser.text("[data-testid=import-entry-basis]").await;
    assert_eq!(basis, "existing consent given elsewhere");
    browser.axe("console: the imports' history").await;
    browser.click("[data-testid=import-undo]").await;
    let confirm = browser.text("[data-testid=import-undo-confirm]").await;
    assert!(confirm.contains("the 2 records"), "{confirm}");
    browser.click("[data-testid=import-undo-yes]").await;
    let undone = browser.text("[data-testid=import-undone]").await;
    assert!(undone.contains("Undone by"), "{undone}");
    let (page, screen) = browser.width_on_a_phone().await;
    assert!(
        page <= screen,
        "the history is {page}px wide on a {screen}px phone"
    );
    browser.close().await;
}
