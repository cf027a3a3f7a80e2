//! Imports (issue #22), the commit: valid rows become records on the stated lawful
//! basis, all or nothing (problem rows skipped or refusing the import; a failure
//! injected half-way leaves nothing), sealed and looked up like any record, with
//! retention clocks; the report names every row by its number and never a value; a
//! formula imported as text comes out of exports inert; undo removes exactly that
//! import's records; the mapping is remembered; managers import only when allowed.

use calamine::{Data, Reader as _};
use consentry_tests::{story, Backend, Expect, Session, TestApp};
use serde_json::{json, Value};
use shared::api::{
    auth::Role,
    error::ApiError,
    imports::{ImportEntry, ImportList, ImportPreview, ImportSettings, OnProblems},
    records::{RecordPage, RecordSource},
    retention::RetentionForecast,
};
use shared::schema::LawfulBasis;

use crate::{
    at_rest::everything_stored,
    exports::{download, export, rows_of, submit_named},
    imports::{csv_bytes, mixed_rows, xlsx_bytes},
};

const DAY: i64 = 86_400_000;

fn basis() -> Value {
    json!({"basis": "consent", "purposes": ["membership_service", "marketing"],
           "evidence": "旧CRM同意记录 2023-05-01 第118号"})
}

fn multipart(request: &Value, file: Vec<u8>, name: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part(
            "request",
            reqwest::multipart::Part::text(request.to_string())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(name.to_owned()),
        )
}

pub(crate) async fn commit(
    caller: &Session,
    request: Value,
    file: Vec<u8>,
    status: u16,
) -> reqwest::Response {
    caller
        .post("/imports")
        .header("accept-language", "en")
        .multipart(multipart(&request, file, "客户名单.csv"))
        .expect_status(status)
        .await
}

async fn imported_count(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM records WHERE source = 'import' AND status <> 'erased'")
        .await
}

async fn report(admin: &Session, entry: &ImportEntry, format: &str) -> Vec<u8> {
    admin
        .get(&format!(
            "/imports/{}/report?format={format}&lang=en",
            entry.id
        ))
        .expect_status(200)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

story!(an_import_writes_valid_rows_on_its_basis_or_nothing, |app| {
    let _ = submit_named(&app, "张三").await;
    let admin = app.admin().await;
    let form = app.demo_form_id;
    let rows = mixed_rows();

    // Problem rows refuse the import when asked: nothing written.
    let e: ApiError = commit(
        &admin,
        json!({"form_id": form, "basis": basis(), "on_problems": "refuse"}),
        csv_bytes(&rows),
        409,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(e.message.contains("6 of 9"), "{e:?}");
    // The basis is checked against the form.
    for (b, field) in [
        (
            json!({"basis": "consent", "purposes": ["marketing"]}),
            "basis.evidence",
        ),
        (
            json!({"basis": "contract", "purposes": [], "evidence": "C-1"}),
            "basis.purposes",
        ),
        (
            json!({"basis": "legal_obligation", "purposes": ["no_such"]}),
            "basis.purposes",
        ),
    ] {
        let e: ApiError = commit(
            &admin,
            json!({"form_id": form, "basis": b}),
            csv_bytes(&rows),
            422,
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(
            e.details.as_ref().unwrap().fields.contains_key(field),
            "{field}: {e:?}"
        );
    }
    assert_eq!(imported_count(&app).await, 0);

    // A failure half-way (injected in the database) leaves nothing behind.
    let trigger = match app.backend {
        Backend::Sqlite => vec!["CREATE TRIGGER fail_import BEFORE INSERT ON record_bases \
             WHEN (SELECT COUNT(*) FROM record_bases) >= 2 \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            .to_owned()],
        Backend::Postgres => vec![
            "CREATE FUNCTION fail_import() RETURNS trigger AS $$ BEGIN \
             IF (SELECT COUNT(*) FROM record_bases) >= 2 THEN \
             RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ \
             LANGUAGE plpgsql"
                .to_owned(),
            "CREATE TRIGGER fail_import BEFORE INSERT ON record_bases \
             FOR EACH ROW EXECUTE FUNCTION fail_import()"
                .to_owned(),
        ],
    };
    for sql in &trigger {
        app.execute(sql).await;
    }
    commit(
        &admin,
        json!({"form_id": form, "basis": basis()}),
        csv_bytes(&rows),
        500,
    )
    .await;
    assert_eq!(imported_count(&app).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM imports").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM record_bases").await, 0);
    app.execute(match app.backend {
        Backend::Sqlite => "DROP TRIGGER fail_import",
        Backend::Postgres => "DROP TRIGGER fail_import ON record_bases",
    })
    .await;

    // Skipping the problem rows: the three valid ones (one a formula kept as text).
    let entry: ImportEntry = commit(
        &admin,
        json!({"form_id": form, "basis": basis(), "file_name": "C:\\客户\\名单.csv"}),
        csv_bytes(&rows),
        201,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            entry.rows_total,
            entry.imported,
            entry.skipped_invalid,
            entry.skipped_duplicate_in_file,
            entry.skipped_already_stored
        ),
        (9, 3, 4, 1, 1)
    );
    assert_eq!(entry.file_name, "名单.csv");
    assert_eq!(entry.basis.basis, LawfulBasis::Consent);
    assert_eq!(entry.on_problems, OnProblems::Skip);
    assert_eq!(entry.source, "utf-8");
    assert_eq!(imported_count(&app).await, 3);
    // Looked up by blind index like any record: three identifiers each.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM record_lookup l JOIN records r ON r.id = l.record_id \
             WHERE r.source = 'import'"
        )
        .await,
        9
    );
    // The records view marks them imported, with their basis.
    let page: RecordPage = admin
        .get_json(&format!("/records?form={form}&limit=50"), 200)
        .await;
    let imported: Vec<_> = page
        .records
        .iter()
        .filter(|r| r.source == RecordSource::Import)
        .collect();
    assert_eq!(imported.len(), 3);
    for r in &imported {
        let b = r.imported.as_ref().expect("an imported basis");
        assert_eq!((b.import_id, b.basis), (entry.id, LawfulBasis::Consent));
        assert_eq!(b.purposes.len(), 2);
    }
    // Sealed like any record: no value, file name or evidence in clear.
    let stored = everything_stored(&app).await;
    for marker in ["chen@example.com", "13500135009", "名单.csv", "第118号"] {
        assert!(
            !stored.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{marker} in clear"
        );
    }

    // The report: every row by its number in the file, outcomes and reasons, no value.
    let csv_report = String::from_utf8(report(&admin, &entry, "csv").await).unwrap();
    let mut reader = csv::Reader::from_reader(csv_report.trim_start_matches('\u{feff}').as_bytes());
    let lines: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let rows_named: std::collections::BTreeSet<&str> =
        lines.iter().map(|l| l[0].as_str()).collect();
    assert_eq!(rows_named.len(), 9, "{csv_report}");
    let third = lines.iter().find(|l| l[0] == "3").unwrap();
    assert_eq!(third[1], "skipped: invalid");
    assert_eq!(third[3], "身份证号码");
    let seventh = lines.iter().find(|l| l[0] == "7").unwrap();
    assert_eq!(
        (seventh[1].as_str(), seventh[6].as_str()),
        ("skipped: duplicate in the file", "2")
    );
    assert_eq!(lines.iter().filter(|l| l[1] == "imported").count(), 3);
    for value in ["陈一", "13500135000", "chen@example.com"] {
        assert!(!csv_report.contains(value), "{value} in the report");
    }
    let xlsx = report(&admin, &entry, "xlsx").await;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    assert_eq!(
        book.worksheet_range(&sheet).unwrap().rows().count(),
        lines.len() + 1
    );
    let log = admin.audit_log("imports.committed").await;
    let logged = serde_json::to_string(&log.entries).unwrap();
    assert!(logged.contains(&entry.file_sha256) && !logged.contains("陈一"));

    // An imported formula leaves through exports as inert text (CSV and XLSX).
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let csv_export = export(
        &officer,
        json!({"form_id": form, "format": "csv", "locale": "zh-CN"}),
        201,
    )
    .await;
    let (text, _) = download(&officer, &csv_export).await;
    let (_, data) = rows_of(&text);
    assert!(data.iter().flatten().any(|c| c.starts_with("'=HYPERLINK")));
    assert!(!data.iter().flatten().any(|c| c.starts_with("=HYPERLINK")));
    let xlsx_export = export(
        &officer,
        json!({"form_id": form, "format": "xlsx", "locale": "zh-CN"}),
        201,
    )
    .await;
    let bytes = officer
        .get(xlsx_export.download_path.as_deref().unwrap())
        .expect_status(200)
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    assert!(book
        .worksheet_formula(&sheet)
        .unwrap()
        .used_cells()
        .next()
        .is_none());
    assert!(book
        .worksheet_range(&sheet)
        .unwrap()
        .rows()
        .flatten()
        .any(|c| c == &Data::String("=HYPERLINK(\"http://evil\")".to_owned())));

    // Imported records get retention clocks like any other: the mobile number's
    // anonymisation two years on is forecast for the three and the one submitted.
    app.clock.advance(729 * DAY);
    let forecast: RetentionForecast = admin.get_json("/retention/forecast", 200).await;
    let mobile = forecast
        .forms
        .iter()
        .find(|f| f.form_id == form)
        .unwrap()
        .fields
        .iter()
        .find(|f| f.field_key == "mobile")
        .unwrap()
        .within_7_days;
    assert_eq!(mobile, 4);
});

story!(
    undo_removes_exactly_its_records_and_mappings_are_remembered,
    |app| {
        let admin = app.admin().await;
        let form = app.demo_form_id;
        let rows = mixed_rows();
        // The first import leaves the e-mail column out (the bad e-mail row becomes valid).
        let mapping = json!(["full_name", "mobile", null, "resident_id", "date_of_birth"]);
        let first: ImportEntry = commit(
            &admin,
            json!({"form_id": form, "basis": basis(), "mapping": mapping}),
            csv_bytes(&rows),
            201,
        )
        .await
        .json()
        .await
        .unwrap();
        // Nothing stored before: 张三 is new here, and the bad e-mail is not read.
        assert_eq!(first.imported, 5);
        // The next preview of the form maps the columns the same way.
        let p: ImportPreview = admin
            .post("/imports/preview")
            .multipart(multipart(
                &json!({"form_id": form}),
                xlsx_bytes(&rows),
                "b.xlsx",
            ))
            .expect_status(200)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(serde_json::to_value(&p.mapping).unwrap(), mapping);
        // A second import of other people (from the workbook, rows renumbered).
        let others: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut r = r.clone();
                if i > 0 {
                    r[1] = format!("1360013{:04}", i);
                    r[2] = format!("other{i}@example.com");
                    r[3] = crate::imports::id_number(&format!("32010219900101{i:03}"));
                }
                r
            })
            .collect();
        let second: ImportEntry = commit(
        &admin,
        json!({"form_id": form, "basis": {"basis": "contract", "purposes": ["membership_service"],
               "evidence": "合同 HT-2024-7"}, "mapping": mapping}),
        csv_bytes(&others),
        201,
    )
    .await
    .json()
    .await
    .unwrap();
        assert!(second.imported >= 4, "{second:?}");
        let total = imported_count(&app).await;

        let undone: ImportEntry = admin
            .post_json(&format!("/imports/{}/undo", first.id), &json!({}), 200)
            .await;
        assert!(undone.undone_at_ms.is_some());
        assert_eq!(undone.undone_by_name.as_deref(), Some("admin"));
        assert_eq!(imported_count(&app).await, total - 5);
        // Exactly the first import's records are gone: values and lookups.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM records r JOIN record_bases b ON b.record_id = r.id \
             WHERE b.import_id = '{}' AND r.status = 'erased' AND r.values_json = '{{}}'",
                first.id
            ))
            .await,
            5
        );
        assert_eq!(
            app.count(&format!(
            "SELECT COUNT(*) FROM record_lookup l JOIN record_bases b ON b.record_id = l.record_id \
             WHERE b.import_id = '{}'",
            first.id
        ))
            .await,
            0
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM records r JOIN record_bases b ON b.record_id = r.id \
             WHERE b.import_id = '{}' AND r.status = 'active'",
                second.id
            ))
            .await,
            i64::try_from(second.imported).unwrap()
        );
        // An erased record is not sent a consent request.
        let db = consentry_server::store::Db::connect(&app.database_url)
            .await
            .unwrap();
        let erased: String = sqlx::query_scalar(&format!(
            "SELECT record_id FROM record_bases WHERE import_id = '{}' LIMIT 1",
            first.id
        ))
        .fetch_one(db.pool())
        .await
        .unwrap();
        db.close().await;
        admin
            .post(&format!("/records/{erased}/consent-request"))
            .json(&json!({}))
            .expect_status(409)
            .await;
        let again: ApiError = admin
            .post(&format!("/imports/{}/undo", first.id))
            .json(&json!({}))
            .expect_status(409)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again.code.as_str(), "already_resolved");
        // After the window, no undo.
        app.clock.advance(8 * DAY);
        admin
            .post(&format!("/imports/{}/undo", second.id))
            .json(&json!({}))
            .expect_status(409)
            .await;
        let list: ImportList = admin.get_json("/imports", 200).await;
        assert_eq!(list.imports.len(), 2);
        assert_eq!(list.imports[0].id, second.id);
        assert_eq!(admin.audit_log("imports.undone").await.entries.len(), 1);
    }
);

story!(managers_import_only_when_admins_allow_it, |app| {
    let admin = app.admin().await;
    let manager = app.collector(Role::Manager).await;
    let form = app.demo_form_id;
    let request = json!({"form_id": form, "basis": basis()});
    commit(&manager, request.clone(), csv_bytes(&mixed_rows()), 403).await;
    let staff = app.collector(Role::Staff).await;
    commit(&staff, request.clone(), csv_bytes(&mixed_rows()), 403).await;
    // Settings: admins only, checked.
    let _: ApiError = admin
        .put("/imports/settings")
        .json(&json!({"managers_may_import": true, "undo_days": 0}))
        .expect_status(422)
        .await
        .json()
        .await
        .unwrap();
    let saved: ImportSettings = admin
        .put_json(
            "/imports/settings",
            &json!({"managers_may_import": true, "undo_days": 3}),
            200,
        )
        .await;
    assert_eq!(saved.undo_days, 3);
    manager
        .put("/imports/settings")
        .json(&json!({"managers_may_import": true, "undo_days": 3}))
        .expect_status(403)
        .await;
    let entry: ImportEntry = commit(&manager, request, csv_bytes(&mixed_rows()), 201)
        .await
        .json()
        .await
        .unwrap();
    assert!(entry.undo_until_ms - entry.created_at_ms == 3 * DAY);
    // The manager's imported records are theirs; an admin's import is not in their
    // history.
    let owned = app
        .count(&format!(
            "SELECT COUNT(*) FROM records WHERE source = 'import' AND owner_id = '{}'",
            manager.user().id
        ))
        .await;
    assert_eq!(
        owned, 4,
        "no record was stored before: the fourth is new here"
    );
    let one_more = vec![
        mixed_rows()[0].clone(),
        [
            "钱十",
            "13700137000",
            "qian@example.com",
            &crate::imports::id_number("11010519800101010"),
            "",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let _: ImportEntry = commit(
        &admin,
        json!({"form_id": form, "basis": basis(), "on_problems": "refuse"}),
        csv_bytes(&one_more),
        201,
    )
    .await
    .json()
    .await
    .unwrap();
    let mine: ImportList = manager.get_json("/imports", 200).await;
    assert_eq!(mine.imports.len(), 1);
    let all: ImportList = admin.get_json("/imports", 200).await;
    assert_eq!(all.imports.len(), 2);
});

story!(
    a_file_above_the_configured_limit_is_refused_as_it_arrives,
    |app| {
        let mut app = app;
        app.restart(|c| c.import_max_mb = 1).await.unwrap();
        let admin = app.admin().await;
        let mut rows = mixed_rows();
        let filler = rows[1].clone();
        while rows.len() < 20_000 {
            rows.push(filler.clone());
        }
        let file = csv_bytes(&rows);
        assert!(file.len() > 1024 * 1024);
        let e: ApiError = commit(
            &admin,
            json!({"form_id": app.demo_form_id, "basis": basis()}),
            file,
            413,
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(e.message.contains("1 MB"), "{e:?}");
        let list: ImportList = admin.get_json("/imports", 200).await;
        assert_eq!(list.max_file_mb, 1);
        assert_eq!(imported_count(&app).await, 0);
    }
);
