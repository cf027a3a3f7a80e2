//! Imports (issue #22, first part): the preview of a mixed file — valid rows, an ID
//! number with a wrong check character, a short phone number, a bad e-mail, a missing
//! required value, a duplicate inside the file, a duplicate of a stored record, a
//! formula cell, full-width digits — gives the same counts and reasons from a UTF-8
//! CSV, a GBK CSV and an XLSX workbook, and writes nothing.

use consentry_tests::{story, Expect, Session};
use serde_json::json;
use shared::api::{
    auth::Role,
    error::ApiError,
    imports::{ImportPreview, RowStatus},
};

use crate::exports::submit_named;

/// An 18-character resident ID number with its right check character.
pub(crate) fn id_number(first17: &str) -> String {
    let check = shared::schema::check_character(first17).unwrap();
    format!("{first17}{check}")
}

/// The mixed file, header first.
pub(crate) fn mixed_rows() -> Vec<Vec<String>> {
    let good = id_number("31010419850612001");
    let mut bad_check = id_number("44030519920101002");
    let last = if bad_check.ends_with('0') { "1" } else { "0" };
    bad_check.replace_range(17.., last);
    let rows = [
        ["姓名", "手机号", "电子邮箱", "身份证号码", "出生日期"].map(str::to_owned),
        [
            "陈一",
            "13500135000",
            "chen@example.com",
            &good,
            "1985/6/12",
        ]
        .map(str::to_owned),
        [
            "黄二",
            "13500135001",
            "huang@example.com",
            &bad_check,
            "1992-01-01",
        ]
        .map(str::to_owned),
        [
            "周三",
            "1350013",
            "zhou@example.com",
            &id_number("11010519800101003"),
            "",
        ]
        .map(str::to_owned),
        [
            "吴四",
            "13500135003",
            "not-an-email",
            &id_number("11010519800101004"),
            "",
        ]
        .map(str::to_owned),
        [
            "",
            "13500135004",
            "nobody@example.com",
            &id_number("11010519800101005"),
            "",
        ]
        .map(str::to_owned),
        [
            "陈一",
            "135 0013 5000",
            "chen2@example.com",
            &id_number("11010519800101006"),
            "",
        ]
        .map(str::to_owned),
        [
            "张三",
            "13800138000",
            "other@example.com",
            &id_number("11010519800101007"),
            "",
        ]
        .map(str::to_owned),
        [
            "=HYPERLINK(\"http://evil\")",
            "13500135008",
            "f@example.com",
            &id_number("11010519800101008"),
            "",
        ]
        .map(str::to_owned),
        [
            "郑九",
            "１３５ ００１３ ５００９",
            "zheng@example.com",
            &id_number("11010519800101009"),
            "1990年1月9日",
        ]
        .map(str::to_owned),
    ];
    rows.into_iter().map(|r| r.to_vec()).collect()
}

pub(crate) fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

pub(crate) fn xlsx_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("客户").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            // Phone numbers as Excel keeps them when typed: numbers.
            match cell.parse::<f64>() {
                Ok(n) if c == 1 => sheet.write_number(r, c, n).unwrap(),
                _ => sheet.write_string(r, c, cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

async fn preview(
    caller: &Session,
    request: serde_json::Value,
    file: Vec<u8>,
    name: &str,
    status: u16,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part(
            "request",
            reqwest::multipart::Part::text(request.to_string())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(name.to_owned()),
        );
    caller
        .post("/imports/preview")
        .header("accept-language", "zh-CN")
        .multipart(form)
        .expect_status(status)
        .await
}

story!(a_mixed_file_previews_alike_from_utf8_gbk_and_xlsx, |app| {
    // One stored record: its phone number is in the file again.
    let _ = submit_named(&app, "张三").await;
    let admin = app.admin().await;
    let rows = mixed_rows();
    let utf8 = [b"\xEF\xBB\xBF".as_slice(), &csv_bytes(&rows)].concat();
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let files = [
        (utf8, "customers.csv", "utf-8"),
        (gbk.into_owned(), "customers-gbk.csv", "gb18030"),
        (xlsx_bytes(&rows), "customers.xlsx", "xlsx"),
    ];
    let before = app.count("SELECT COUNT(*) FROM records").await;
    for (bytes, name, source) in files {
        let p: ImportPreview = preview(
            &admin,
            json!({"form_id": app.demo_form_id}),
            bytes,
            name,
            200,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(p.source, source, "{name}");
        assert_eq!(p.header_row, 1);
        assert_eq!(
            p.mapping,
            [
                Some("full_name".to_owned()),
                Some("mobile".to_owned()),
                Some("email".to_owned()),
                Some("resident_id".to_owned()),
                Some("date_of_birth".to_owned())
            ],
            "{name}"
        );
        assert_eq!(
            (
                p.rows_total,
                p.valid,
                p.invalid,
                p.duplicate_in_file,
                p.already_stored
            ),
            (9, 3, 4, 1, 1),
            "{name}: {:#?}",
            p.problems
        );
        let at = |row: u32| p.problems.iter().find(|r| r.row == row).unwrap();
        assert_eq!(at(3).issues[0].field, "resident_id");
        assert_eq!(at(3).issues[0].column.as_deref(), Some("身份证号码"));
        assert_eq!(at(4).issues[0].field, "mobile");
        assert_eq!(at(5).issues[0].field, "email");
        assert_eq!(
            (
                at(6).issues[0].field.as_str(),
                at(6).issues[0].code.as_str()
            ),
            ("full_name", "required")
        );
        assert!(!at(6).issues[0].message.is_empty());
        assert_eq!(
            (at(7).status, at(7).duplicate_of_row),
            (RowStatus::DuplicateInFile, Some(2))
        );
        assert_eq!(at(8).status, RowStatus::AlreadyStored);
    }
    // Formula cells can be refused instead of kept as text.
    let p: ImportPreview = preview(
        &admin,
        json!({"form_id": app.demo_form_id, "formulas": "refuse"}),
        csv_bytes(&rows),
        "customers.csv",
        200,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!((p.valid, p.invalid), (2, 5));
    let formula = p.problems.iter().find(|r| r.row == 9).unwrap();
    assert_eq!(formula.issues[0].code, "formula");
    assert_eq!(formula.issues[0].column.as_deref(), Some("姓名"));
    // A mapping chosen by hand: the e-mail column left out.
    let p: ImportPreview = preview(
        &admin,
        json!({"form_id": app.demo_form_id,
               "mapping": ["full_name", "mobile", null, "resident_id", "date_of_birth"]}),
        csv_bytes(&rows),
        "customers.csv",
        200,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!((p.valid, p.invalid), (4, 3), "the bad e-mail is not read");

    // Bad input: a clear message on the field, nothing written.
    for (request, file, field) in [
        (json!({"form_id": app.demo_form_id}), Vec::new(), "file"),
        (
            json!({"form_id": app.demo_form_id}),
            b"PK\x03\x04broken".to_vec(),
            "file",
        ),
        (
            json!({"form_id": app.demo_form_id}),
            b"\xD0\xCF\x11\xE0old excel".to_vec(),
            "file",
        ),
        (
            json!({"form_id": app.demo_form_id, "encoding": "utf-8"}),
            encoding_rs::GBK.encode("姓名\n张三\n").0.into_owned(),
            "encoding",
        ),
        (
            json!({"form_id": app.demo_form_id, "mapping": ["full_name", "full_name"]}),
            csv_bytes(&rows),
            "mapping",
        ),
        (
            json!({"form_id": app.demo_form_id, "mapping": ["no_such_field"]}),
            csv_bytes(&rows),
            "mapping",
        ),
        (
            json!({"form_id": app.demo_form_id, "sheet": "Nope"}),
            xlsx_bytes(&rows),
            "sheet",
        ),
    ] {
        let e: ApiError = preview(&admin, request, file, "f.csv", 422)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            e.details.as_ref().unwrap().fields.contains_key(field),
            "{field}: {e:?}"
        );
    }
    // A workbook with a formula is refused, naming the cell.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_formula(1, 0, "=1+1").unwrap();
    let e: ApiError = preview(
        &admin,
        json!({"form_id": app.demo_form_id}),
        book.save_to_buffer().unwrap(),
        "f.xlsx",
        422,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(e.details.unwrap().fields["file"][0].message.contains("A2"));
    // Merged cells are refused, naming them.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet
        .merge_range(1, 0, 2, 0, "陈一", &rust_xlsxwriter::Format::new())
        .unwrap();
    let e: ApiError = preview(
        &admin,
        json!({"form_id": app.demo_form_id}),
        book.save_to_buffer().unwrap(),
        "f.xlsx",
        422,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        e.details.unwrap().fields["file"][0]
            .message
            .contains("A2:A3"),
        "the merged cells are named"
    );
    // Control characters and cells longer than the field allows: reasons on their rows.
    let mut odd = mixed_rows();
    odd.truncate(2);
    odd[1][0] = "陈\u{7}一".to_owned();
    let mut long = mixed_rows()[2].clone();
    long[0] = "长".repeat(500);
    odd.push(long);
    let p: ImportPreview = preview(
        &admin,
        json!({"form_id": app.demo_form_id}),
        csv_bytes(&odd),
        "odd.csv",
        200,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(p.invalid, 2, "{:#?}", p.problems);
    assert_eq!(p.problems[0].issues[0].code, "invalid_characters");
    assert_eq!(p.problems[1].issues[0].code, "too_long");
    assert_eq!(p.problems[1].issues[0].column.as_deref(), Some("姓名"));
    // No such form; a role that may not import.
    let _: ApiError = preview(
        &admin,
        json!({"form_id": uuid::Uuid::new_v4()}),
        csv_bytes(&rows),
        "f.csv",
        404,
    )
    .await
    .json()
    .await
    .unwrap();
    let manager = app.collector(Role::Manager).await;
    preview(
        &manager,
        json!({"form_id": app.demo_form_id}),
        csv_bytes(&rows),
        "f.csv",
        403,
    )
    .await;

    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, before);
    let log = admin.audit_log("imports.previewed").await;
    assert!(!log.entries.is_empty());
    assert!(!serde_json::to_string(&log.entries)
        .unwrap()
        .contains("陈一"));
});
