//! `consentry trace-export FILE` (issue #21): the command names the export a leaked file
//! comes from, who asked and when; exit 0 when found, 1 when no export's marks are in
//! the file, 2 when it cannot be read.

use std::process::Command;

use consentry_tests::{process::server_binary, story};
use serde_json::json;
use shared::api::auth::Role;

use crate::exports::{download, export, rows_of, submit_named};

story!(the_command_line_traces_a_leaked_file, |app| {
    for i in 0..5 {
        let _ = submit_named(&app, &format!("客户{i}")).await;
    }
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let entry = export(
        &officer,
        json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en"}),
        201,
    )
    .await;
    let (text, _) = download(&officer, &entry).await;
    let (_, rows) = rows_of(&text);
    let leak = app.data_dir.path().join("leak.csv");
    std::fs::write(
        &leak,
        rows.iter()
            .skip(rows.len() / 2)
            .map(|r| r.join(",") + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let innocent = app.data_dir.path().join("other.csv");
    std::fs::write(&innocent, "name,phone\n张三,13800138000\n").unwrap();
    let binary = server_binary();
    let run = |file: &std::path::Path| {
        Command::new(&binary)
            .arg("trace-export")
            .arg(file)
            .arg("--data-dir")
            .arg(app.data_dir.path())
            .arg("--database-url")
            .arg(&app.database_url)
            .args(["--log", "error"])
            .output()
            .unwrap()
    };
    let found = run(&leak);
    let out = String::from_utf8_lossy(&found.stdout);
    assert_eq!(found.status.code(), Some(0), "{out}");
    assert!(out.contains(&entry.id.to_string()), "{out}");
    assert!(out.contains(&officer.user().username), "{out}");
    assert!(out.contains("confidence certain"), "{out}");
    let none = run(&innocent);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stdout).contains("no export's marks"));
    let missing = run(&app.data_dir.path().join("nope.csv"));
    assert_eq!(missing.status.code(), Some(2));
});
