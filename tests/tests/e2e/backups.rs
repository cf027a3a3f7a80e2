//! Backups (issue #24): a backup taken while devices sync holds every record
//! acknowledged before it; `consentry restore` puts it into a fresh database whose audit
//! chain verifies; `consentry backup verify` checks it without touching the live data
//! and refuses a tampered file (so does restore, leaving the target empty); the off-site
//! copy is made, retried after a failure and shown; expired backups leave both folders;
//! and replicas on one PostgreSQL make a scheduled backup once.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use consentry_tests::{
    process::{server_binary, verify_audit, ProcessDatabase},
    story,
    sync::{post_sync, register_device},
    Backend, Expect as _, Session, TestApp,
};
use shared::api::{
    auth::Role,
    backups::{BackupProblem, BackupRequested, BackupState, BackupStatus, OffsiteState},
    compliance::{ComplianceOverview, Figure},
    sync::{SyncBatch, SyncStatus},
};
use shared::compliance::CheckId;

use crate::sync::demo_record;

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Asks for a backup and waits until it is made (or failed); returns the status then.
async fn back_up_now(admin: &Session) -> BackupStatus {
    let before: BackupStatus = admin.get_json("/system/backups", 200).await;
    let asked: BackupRequested = admin
        .post("/system/backups")
        .json(&serde_json::json!({}))
        .expect_json(202)
        .await;
    assert!(!asked.already_running);
    wait_for(admin, |s| {
        !s.running && !s.requested && s.backups.len() > before.backups.len()
    })
    .await
}

async fn wait_for(admin: &Session, done: impl Fn(&BackupStatus) -> bool) -> BackupStatus {
    for _ in 0..600 {
        let status: BackupStatus = admin.get_json("/system/backups", 200).await;
        if done(&status) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the backups did not reach the expected state");
}

/// Runs the `consentry` binary with `args` over the master key of `data_dir`; returns
/// its exit code and what it printed.
fn consentry(data_dir: &Path, database_url: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(server_binary())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--master-key-file")
        .arg(data_dir.join("master.key"))
        .arg("--database-url")
        .arg(database_url)
        .args(["--log", "error"])
        .args(args)
        .output()
        .expect("consentry runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn record_ids(database_url: &str) -> Vec<String> {
    let db = consentry_server::store::Db::connect(database_url)
        .await
        .unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM records")
        .fetch_all(db.pool())
        .await
        .unwrap();
    db.close().await;
    ids
}

story!(
    a_backup_taken_during_sync_restores_every_acknowledged_record,
    |app| {
        let mut app = app;
        let offsite = app.data_dir.path().join("offsite");
        let offsite_dir = offsite.clone();
        app.restart(move |c| c.backup.offsite_dir = Some(offsite_dir))
            .await
            .unwrap();
        let admin = app.admin().await;
        let version = app.demo_version().await;
        let staff = app.collector(Role::Staff).await;
        let (device, key) = register_device(&staff, "Li's phone").await;

        // A device syncs batch after batch while the backup is taken; each acknowledged
        // record is noted with the moment its acknowledgement arrived.
        let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
        let load = {
            let (acked, staff) = (acked.clone(), staff.clone());
            tokio::spawn(async move {
                for b in 0..30i64 {
                    let records: Vec<_> = (0..10)
                        .map(|i| demo_record(&version, &device.id, &key, b * 10 + i + 1))
                        .collect();
                    let batch = SyncBatch {
                        device_id: device.id,
                        records,
                    };
                    let answer = post_sync(&staff, &batch).await;
                    let at = now_ms();
                    let mut acked = acked.lock().unwrap();
                    for r in answer.results {
                        assert!(matches!(r.status, SyncStatus::Stored { .. }), "{r:?}");
                        acked.push((r.uuid.to_string(), at));
                    }
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let status = back_up_now(&admin).await;
        load.await.unwrap();
        let backup = status.last_backup.clone().expect("a backup was made");
        assert_eq!(backup.state, BackupState::Done, "{backup:?}");
        assert!(
            backup.file_name.starts_with("consentry-") && backup.file_name.ends_with(".backup")
        );
        assert!(backup
            .file_name
            .contains(&format!("-a{}-", backup.audit_seq)));
        let acked = acked.lock().unwrap().clone();
        let before: Vec<&String> = acked
            .iter()
            .filter(|(_, at)| *at < backup.started_at_ms)
            .map(|(id, _)| id)
            .collect();
        assert!(
            !before.is_empty(),
            "some records were acknowledged before the backup"
        );
        assert!(
            backup.counts.records >= i64::try_from(before.len()).unwrap(),
            "{backup:?}"
        );
        // Copied off site, read back, drilled.
        assert_eq!(backup.offsite, OffsiteState::Copied, "{backup:?}");
        assert_eq!(status.last_offsite.as_ref().map(|b| b.id), Some(backup.id));
        let drill = backup.drill.as_ref().expect("the drill ran");
        assert!(drill.passed, "{drill:?}");
        assert_eq!(drill.counts.as_ref(), Some(&backup.counts));
        assert!(!status.problems.contains(&BackupProblem::NoOffsite));
        // The compliance dashboard's backup check passes.
        let o: ComplianceOverview = admin.get_json("/compliance", 200).await;
        let check = o
            .checks
            .iter()
            .find(|c| c.check == CheckId::BackupsCurrent)
            .unwrap();
        assert_eq!(check.figure, Figure::new(1, 1));
        let file = app.data_dir.path().join("backups").join(&backup.file_name);
        let copy = offsite.join(&backup.file_name);
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), bytes);
        // Encrypted: no SQLite header, no form title, no key in clear.
        assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));
        assert!(!bytes.windows(4).any(|w| w == b"PGDM"));
        let master = std::fs::read_to_string(app.data_dir.path().join("master.key")).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(master.trim()));

        // Verified offline, without the live data.
        let data = app.data_dir.path().to_owned();
        let (code, out) = consentry(
            &data,
            &app.database_url,
            &["backup", "verify", file.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("audit chain intact"), "{out}");
        assert!(
            out.contains(&format!("{} records", backup.counts.records)),
            "{out}"
        );

        // Restored into a fresh database: every record acknowledged before the backup.
        let fresh = tempfile::tempdir().unwrap();
        std::fs::copy(data.join("master.key"), fresh.path().join("master.key")).unwrap();
        let target = ProcessDatabase::create(app.backend, fresh.path()).await;
        let (code, out) = consentry(
            fresh.path(),
            &target.url,
            &["restore", file.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{out}");
        let restored = record_ids(&target.url).await;
        for id in &before {
            assert!(
                restored.contains(id),
                "record {id} acknowledged before the backup is missing"
            );
        }
        assert_eq!(
            i64::try_from(restored.len()).unwrap(),
            backup.counts.records
        );
        let (intact, text) = verify_audit(&server_binary(), fresh.path(), &target.url);
        assert!(intact, "{text}");
        // A second restore into the now full target is refused.
        let (code, out) = consentry(
            fresh.path(),
            &target.url,
            &["restore", file.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("not empty"), "{out}");

        // A tampered file is refused by verify and restore; the target stays empty.
        let tampered = data.join("tampered.backup");
        let mut bad = bytes.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0x40;
        std::fs::write(&tampered, &bad).unwrap();
        let (code, out) = consentry(
            &data,
            &app.database_url,
            &["backup", "verify", tampered.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("REFUSED") && out.contains("altered"), "{out}");
        let other = tempfile::tempdir().unwrap();
        std::fs::copy(data.join("master.key"), other.path().join("master.key")).unwrap();
        let empty = ProcessDatabase::create(app.backend, other.path()).await;
        let (code, out) = consentry(
            other.path(),
            &empty.url,
            &["restore", tampered.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{out}");
        if app.backend == Backend::Sqlite {
            assert!(!other.path().join("consentry.db").exists());
        } else {
            assert!(record_ids_table_missing(&empty.url).await);
        }
        // Under another master key it cannot be opened at all.
        let stranger = tempfile::tempdir().unwrap();
        consentry_server::crypto::load_master_key(&stranger.path().join("master.key")).unwrap();
        let (code, out) = consentry(
            stranger.path(),
            &app.database_url,
            &["backup", "verify", file.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("master key"), "{out}");

        // Thirty-one days on, a new backup is made and the old one leaves both folders.
        app.clock.advance(31 * DAY_MS);
        let status = back_up_now(&admin).await;
        let newest = status.last_backup.clone().unwrap();
        assert_ne!(newest.id, backup.id);
        let status = wait_for(&admin, |s| {
            s.backups
                .iter()
                .any(|b| b.id == backup.id && b.state == BackupState::Expired)
        })
        .await;
        assert!(!file.exists() && !copy.exists());
        assert!(offsite.join(&newest.file_name).exists());
        assert!(status
            .backups
            .iter()
            .any(|b| b.id == newest.id && b.state == BackupState::Done));
        let log = admin.audit_log("backup.expired").await;
        assert_eq!(log.entries.len(), 1);
    }
);

async fn record_ids_table_missing(url: &str) -> bool {
    let db = consentry_server::store::Db::connect(url).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    db.close().await;
    tables == 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_offsite_copy_is_shown_and_retried() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    // The off-site folder cannot be made: a file stands where its parent should be.
    let blocker = app.data_dir.path().join("share");
    std::fs::write(&blocker, "not a folder").unwrap();
    let offsite: PathBuf = blocker.join("consentry");
    let target = offsite.clone();
    app.restart(move |c| c.backup.offsite_dir = Some(target))
        .await
        .unwrap();
    let admin = app.admin().await;
    let status = back_up_now(&admin).await;
    let backup = status.last_backup.clone().unwrap();
    assert_eq!(backup.offsite, OffsiteState::Pending, "{backup:?}");
    assert_eq!(backup.offsite_attempts, 1);
    assert!(backup.offsite_error.is_some());
    let next = backup
        .next_attempt_at_ms
        .expect("another attempt is planned");
    assert!(
        status.problems.contains(&BackupProblem::OffsiteFailing),
        "{:?}",
        status.problems
    );
    assert!(status.last_offsite.is_none());
    // The compliance dashboard names it.
    let drill: shared::api::compliance::CheckDrillDown = admin
        .get_json("/compliance/checks/backups_current", 200)
        .await;
    assert_eq!(drill.figure, Figure::new(0, 1));
    assert_eq!(drill.items[0].id, backup.id.to_string());
    assert!(
        drill.items[0].reason.en.contains("off-site"),
        "{:?}",
        drill.items[0]
    );
    // The share comes back; at the next attempt's time the copy is made.
    std::fs::remove_file(&blocker).unwrap();
    app.clock.advance(next - app.clock.now_ms() + 1);
    let status = wait_for(&admin, |s| {
        s.last_backup
            .as_ref()
            .is_some_and(|b| b.offsite == OffsiteState::Copied)
    })
    .await;
    let backup = status.last_backup.unwrap();
    assert_eq!(backup.offsite_attempts, 2);
    assert!(offsite.join(&backup.file_name).exists());
    assert!(!status.problems.contains(&BackupProblem::OffsiteFailing));
    // Auditors see the status; they cannot ask for a backup.
    let auditor = app.user_with_role(Role::Auditor).await;
    let _: BackupStatus = auditor.get_json("/system/backups", 200).await;
    let refused = auditor
        .post("/system/backups")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_make_a_scheduled_backup_once() {
    let replicas = TestApp::spawn_replicas(Backend::Postgres, 3, |c| {
        c.backup.scheduled = true;
    })
    .await;
    let admin = replicas[1].admin().await;
    let status = wait_for(&admin, |s| s.last_backup.is_some() && !s.running).await;
    assert!(status.last_backup.unwrap().drill.unwrap().passed);
    // Every worker looks again (every 5 s): the day's backup exists, none is added.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let status: BackupStatus = admin.get_json("/system/backups", 200).await;
    assert_eq!(status.backups.len(), 1, "{:?}", status.backups);
    let made: usize = replicas
        .iter()
        .map(|r| {
            std::fs::read_dir(r.data_dir.path().join("backups"))
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.file_name().to_string_lossy().ends_with(".backup"))
                        .count()
                })
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(made, 1);
}
