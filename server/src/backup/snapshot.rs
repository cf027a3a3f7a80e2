//! The database's consistent snapshot as a plain file, and a snapshot put back into a
//! database: SQLite through `VACUUM INTO`, PostgreSQL through `pg_dump` on a snapshot
//! exported from a repeatable-read transaction (the same transaction reads the audit
//! head and the counts, so the header says exactly what the dump holds) and
//! `pg_restore`.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use shared::api::{backups::BackupCounts, system::DatabaseKind};
use sqlx::{AnyConnection, Connection as _, Executor as _, Row as _};

use super::BackupError;
use crate::store::Db;

/// What a snapshot holds: the audit head and the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    pub audit_seq: i64,
    pub audit_head: String,
    pub counts: BackupCounts,
}

/// Writes a consistent copy of `db` to `path` (which must not exist) and says what it
/// holds. Writers go on meanwhile.
pub async fn take(db: &Db, url: &str, path: &Path) -> Result<Contents, BackupError> {
    match db.kind() {
        DatabaseKind::Sqlite => {
            let target = path.to_str().ok_or(BackupError::Path)?.replace('\'', "''");
            // A read transaction of its own: the copy is the database as of its start.
            sqlx::query(&format!("VACUUM INTO '{target}'"))
                .execute(db.pool())
                .await?;
            let mut conn = open_sqlite(path, true).await?;
            let contents = contents(&mut conn).await;
            let _ = conn.close().await;
            contents
        }
        DatabaseKind::Postgres => {
            let mut tx = db.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await?;
            let contents = contents(&mut tx).await?;
            run_tool(
                "pg_dump",
                &[
                    "--format=custom".to_owned(),
                    "--no-owner".to_owned(),
                    "--no-privileges".to_owned(),
                    format!("--snapshot={snapshot}"),
                    format!("--file={}", path.display()),
                ],
                url,
            )
            .await?;
            // The snapshot lives as long as the transaction that exported it.
            tx.rollback().await?;
            Ok(contents)
        }
    }
}

/// Reads the audit head and the counts through `conn`.
pub async fn contents(conn: &mut AnyConnection) -> Result<Contents, BackupError> {
    let head = sqlx::query("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (audit_seq, audit_head) = match head {
        Some(row) => (row.try_get("last_seq")?, row.try_get("last_hash")?),
        None => (0, String::new()),
    };
    let counts = BackupCounts {
        records: count(conn, "records").await?,
        receipts: count(conn, "consent_receipts").await?,
        forms: count(conn, "forms").await?,
        users: count(conn, "users").await?,
        audit_entries: count(conn, "audit_log").await?,
        signed_heads: count(conn, "audit_heads").await?,
    };
    Ok(Contents {
        audit_seq,
        audit_head,
        counts,
    })
}

async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(conn)
        .await
}

/// Opens an SQLite file directly (none of the server's settings: nothing is written to
/// a file only read).
pub async fn open_sqlite(path: &Path, read_only: bool) -> Result<AnyConnection, BackupError> {
    sqlx::any::install_default_drivers();
    let mode = if read_only { "ro" } else { "rw" };
    let url = format!(
        "sqlite://{}?mode={mode}",
        path.to_str().ok_or(BackupError::Path)?
    );
    Ok(AnyConnection::connect(&url).await?)
}

/// Checks an SQLite file's structure (`integrity_check` and `foreign_key_check`).
pub async fn sqlite_integrity(path: &Path) -> Result<(), BackupError> {
    let mut conn = open_sqlite(path, true).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    let dangling = conn.fetch_all("PRAGMA foreign_key_check").await?.len();
    let _ = conn.close().await;
    if verdict != "ok" {
        return Err(BackupError::Integrity(verdict));
    }
    if dangling > 0 {
        return Err(BackupError::Integrity(format!(
            "{dangling} rows point at rows that are missing"
        )));
    }
    Ok(())
}

/// Loads a `pg_dump` archive into the empty database at `url`.
pub async fn pg_restore(archive: &Path, url: &str) -> Result<(), BackupError> {
    run_tool(
        "pg_restore",
        &[
            "--no-owner".to_owned(),
            "--no-privileges".to_owned(),
            "--exit-on-error".to_owned(),
            "--single-transaction".to_owned(),
            archive.display().to_string(),
        ],
        url,
    )
    .await
}

/// Whether the PostgreSQL database at `url` has no tables of its own.
pub async fn pg_is_empty(url: &str) -> Result<bool, BackupError> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_one(&mut conn)
    .await?;
    let _ = conn.close().await;
    Ok(tables == 0)
}

/// A database created for a drill on the PostgreSQL server of `admin_url`, dropped by
/// [`Scratch::drop_it`].
pub struct Scratch {
    admin_url: String,
    name: String,
    pub url: String,
}

impl Scratch {
    pub async fn create(admin_url: &str) -> Result<Self, BackupError> {
        sqlx::any::install_default_drivers();
        let name = format!("consentry_drill_{}", uuid::Uuid::new_v4().simple());
        let mut conn = AnyConnection::connect(admin_url).await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
        let _ = conn.close().await;
        let url = with_database(admin_url, &name)?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    pub async fn drop_it(self) {
        let dropped = async {
            let mut conn = AnyConnection::connect(&self.admin_url).await?;
            conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await?;
            conn.close().await
        };
        if let Err(e) = dropped.await {
            tracing::warn!(database = %self.name, error = %e, "a drill's scratch database was not dropped");
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> Result<String, BackupError> {
    let mut parsed = url::Url::parse(url).map_err(|_| BackupError::Url)?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

/// Runs a PostgreSQL client tool against `url`: the password goes in `PGPASSWORD`, not
/// on the command line where other users could read it, and only the connection
/// parameters libpq knows are passed on.
async fn run_tool(tool: &str, args: &[String], url: &str) -> Result<(), BackupError> {
    let mut parsed = url::Url::parse(url).map_err(|_| BackupError::Url)?;
    let password = parsed.password().map(percent_decode);
    let _ = parsed.set_password(None);
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| {
            matches!(
                k.as_ref(),
                "sslmode"
                    | "sslrootcert"
                    | "sslcert"
                    | "sslkey"
                    | "application_name"
                    | "options"
                    | "host"
                    | "port"
                    | "connect_timeout"
            )
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed.set_query(None);
    if !kept.is_empty() {
        parsed.query_pairs_mut().extend_pairs(kept);
    }
    let mut command = tokio::process::Command::new(tool);
    command
        .args(args)
        .arg(format!("--dbname={parsed}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(p) = password {
        command.env("PGPASSWORD", p);
    }
    let output = command.output().await.map_err(|e| BackupError::Tool {
        tool: tool.to_owned(),
        message: format!("cannot run it ({e}); install the PostgreSQL client tools"),
    })?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr);
        return Err(BackupError::Tool {
            tool: tool.to_owned(),
            message: text.trim().chars().take(500).collect(),
        });
    }
    Ok(())
}

/// Undoes a URL's `%XX` escapes (a password may hold any character).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path beside `path` for work in progress (`<name>.partial`).
#[must_use]
pub fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
