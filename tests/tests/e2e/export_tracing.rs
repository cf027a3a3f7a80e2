//! Exports, second part (issue #21): XLSX workbooks whose cells are strings, never
//! formulas, with the watermark in the sheet, its header and footer and the document's
//! properties; and the invisible marks that trace a leaked file to its export after its
//! watermark and half of its rows are cut off.

use std::io::Read as _;

use calamine::{Data, Reader as _};
use consentry_tests::{story, Expect, Session};
use serde_json::json;
use shared::api::{
    auth::Role,
    error::ApiError,
    exports::{TraceConfidence, TraceReport},
};

use crate::exports::{download, export, records_only, rows_of, submit_named};

/// Posts a file (or pasted rows) to the trace.
async fn trace(caller: &Session, body: Vec<u8>, status: u16) -> reqwest::Response {
    caller
        .post("/exports/trace")
        .header("content-type", "application/octet-stream")
        .body(body)
        .expect_status(status)
        .await
}

async fn traced(caller: &Session, body: Vec<u8>) -> TraceReport {
    trace(caller, body, 200).await.json().await.unwrap()
}

/// A CSV text of `rows` (no watermark, no header), as someone passing it on would.
fn csv_of(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

story!(
    xlsx_exports_are_workbooks_of_inert_strings_with_a_watermark,
    |app| {
        let _ = submit_named(&app, "=HYPERLINK(\"http://evil\")").await;
        let _ = submit_named(&app, "王五").await;
        let officer = app.user_with_role(Role::PrivacyOfficer).await;
        let entry = export(
            &officer,
            json!({"form_id": app.demo_form_id, "format": "xlsx", "locale": "zh-CN"}),
            201,
        )
        .await;
        let response = officer
            .get(entry.download_path.as_deref().unwrap())
            .expect_status(200)
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\""));
        let bytes = response.bytes().await.unwrap().to_vec();

        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        // The visible watermark on top, then the header in the chosen language.
        assert_eq!(
            rows[0][0],
            Data::String(format!("# Consentry 导出 {}", entry.id))
        );
        assert!(matches!(&rows[1][0], Data::String(s) if s.contains(&officer.user().username)));
        let header: Vec<String> = rows[3].iter().map(ToString::to_string).collect();
        let name = header.iter().position(|h| h == "姓名").unwrap();
        // A value a spreadsheet would run is a string cell, exactly as typed.
        let cell = rows
            .iter()
            .map(|r| &r[name])
            .find(|c| c.to_string().starts_with("=HYPERLINK"))
            .expect("the formula-like name is in the file");
        assert_eq!(
            cell,
            &Data::String("=HYPERLINK(\"http://evil\")".to_owned())
        );
        assert!(book
            .worksheet_formula(&sheet)
            .unwrap()
            .used_cells()
            .next()
            .is_none());
        // Two records and eight marks; every cell a string.
        assert_eq!(rows.len(), 4 + 2 + 8);
        assert!(rows
            .iter()
            .flatten()
            .all(|c| matches!(c, Data::String(_) | Data::Empty)));
        // The header, footer and document properties carry the watermark too.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut sheet_xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet_xml)
            .unwrap();
        assert!(sheet_xml.contains("<oddHeader>") && sheet_xml.contains(&entry.id.to_string()));
        assert!(sheet_xml.contains("<oddFooter>"));
        let mut custom = String::new();
        zip.by_name("docProps/custom.xml")
            .unwrap()
            .read_to_string(&mut custom)
            .unwrap();
        assert!(custom.contains(&entry.id.to_string()));

        // The workbook traces back to its export.
        let report = traced(&officer, bytes).await;
        assert_eq!(report.matches.len(), 1);
        assert_eq!(report.matches[0].export.id, entry.id);
        assert_eq!(report.matches[0].confidence, TraceConfidence::Certain);
        assert_eq!(report.matches[0].marks_found, 8);
    }
);

story!(a_leaked_file_is_traced_to_its_export_and_no_other, |app| {
    for i in 0..24 {
        let _ = submit_named(&app, &format!("客户{i}")).await;
    }
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let ask = json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en"});
    let first = export(&officer, ask.clone(), 201).await;
    let (first_text, _) = download(&officer, &first).await;
    let second = export(&officer, ask, 201).await;
    let (second_text, _) = download(&officer, &second).await;
    let (header, first_rows) = rows_of(&first_text);
    let (_, second_rows) = rows_of(&second_text);
    assert_eq!(first_rows.len(), 24 + 8);
    // The marks look like records: same columns, plausible ids and times.
    let real = records_only(&officer, &first, first_rows.clone()).await;
    let marks: Vec<&Vec<String>> = first_rows.iter().filter(|r| !real.contains(r)).collect();
    for m in &marks {
        assert_eq!(m.len(), header.len());
        assert_eq!(uuid::Uuid::parse_str(&m[0]).unwrap().get_version_num(), 7);
        assert!(
            time::OffsetDateTime::parse(&m[1], &time::format_description::well_known::Rfc3339)
                .is_ok()
        );
    }

    // The file as downloaded names it, with every mark.
    let report = traced(&officer, first_text.clone().into_bytes()).await;
    assert_eq!(report.matches.len(), 1, "{report:?}");
    assert_eq!(report.matches[0].marks_found, 8);
    assert_eq!(report.rows_read, 4 + 24 + 8);

    // Watermark and header cut off, every other row dropped: still the first export,
    // for certain, and not the second (same records, other marks).
    let half: Vec<Vec<String>> = first_rows.iter().step_by(2).cloned().collect();
    let report = traced(&officer, csv_of(&half)).await;
    assert_eq!(report.rows_read, 16);
    assert_eq!(report.matches.len(), 1, "{report:?}");
    let m = &report.matches[0];
    assert_eq!(
        (m.export.id, m.confidence, m.marks_in_file),
        (first.id, TraceConfidence::Certain, 8)
    );
    assert!(m.marks_found >= 1 && m.marks_found <= 8);
    assert_eq!(
        m.export.requested_by_name.as_deref(),
        Some(officer.user().username.as_str())
    );
    // The second half of the second file names the second export only.
    let tail = second_rows[second_rows.len() / 2..].to_vec();
    let report = traced(&officer, csv_of(&tail)).await;
    let named: Vec<_> = report.matches.iter().map(|m| m.export.id).collect();
    assert_eq!(named, [second.id]);

    // Without the id column, the marks' phone numbers and e-mail addresses (shown in
    // full to the privacy officer) still name it, with high confidence.
    let no_ids: Vec<Vec<String>> = half.iter().map(|r| r[1..].to_vec()).collect();
    let report = traced(&officer, csv_of(&no_ids)).await;
    assert_eq!(report.matches.len(), 1, "{report:?}");
    assert_eq!(
        (report.matches[0].export.id, report.matches[0].confidence),
        (first.id, TraceConfidence::High)
    );
    // Rows pasted from a spreadsheet (tab-separated) work too.
    let pasted: String = half.iter().map(|r| r.join("\t") + "\n").collect();
    let report = traced(&officer, pasted.into_bytes()).await;
    assert_eq!(report.matches[0].export.id, first.id);

    // Real records alone carry no marks: nothing is named.
    let report = traced(&officer, csv_of(&real)).await;
    assert!(report.matches.is_empty(), "{report:?}");
    assert_eq!(report.rows_read, 24);

    // Bad input: nothing to read, a broken workbook; and who may trace.
    let e: ApiError = trace(&officer, Vec::new(), 422).await.json().await.unwrap();
    assert!(e.details.unwrap().fields.contains_key("file"));
    let e: ApiError = trace(&officer, b"PK\x03\x04 not a workbook".to_vec(), 422)
        .await
        .json()
        .await
        .unwrap();
    assert!(e.details.unwrap().fields.contains_key("file"));
    let manager = app.collector(Role::Manager).await;
    trace(&manager, csv_of(&half), 403).await;
    // Each trace is audited, with what it named and never the file.
    let admin = app.admin().await;
    let log = admin.audit_log("exports.traced").await;
    assert_eq!(log.entries.len(), 6);
    assert!(!serde_json::to_string(&log.entries)
        .unwrap()
        .contains("客户"));
    // Marks never count as records.
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 24);
});
