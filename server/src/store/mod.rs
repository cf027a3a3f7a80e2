//! Storage: one connection pool over SQLite (embedded, the default) or PostgreSQL.
//!
//! Queries are written once, with `$1`-style parameters that both backends accept, and
//! run through sqlx's `Any` driver; the few places where the dialects differ branch on
//! [`Db::kind`]. Migrations are paired per backend (see `migrations/README.md`).

pub mod accounts;
pub mod alerts;
pub mod assignments;
pub mod audit;
pub mod backups;
pub mod compliance;
pub mod compliance_reports;
pub mod devices;
pub mod edits;
pub mod exports;
pub mod forms;
pub mod holds;
pub mod imports;
pub mod inserts;
pub mod keys;
mod pool;
pub mod processing;
pub mod receipts;
pub mod record_filter;
pub mod records;
pub mod requests;
pub mod retention;
pub mod second_factor;
pub mod upgrade;
pub mod users;

use std::{str::FromStr, time::Duration};

use shared::{api::system::DatabaseKind, ids::InvalidId};
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
    AnyPool, Executor,
};

pub use pool::DbSettings;
use pool::{postgres_pool, prepare_sqlite_url, sqlite_pool};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("cannot upgrade the database's tables: {0}")]
    Upgrade(#[source] sqlx::Error),
}

/// A query through the `Any` driver, with its arguments.
pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The database: a pool and which backend it speaks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// SQLite: the one connection every write transaction uses. SQLite lets one writer
    /// in at a time anyway; keeping it on one connection keeps that connection's page
    /// cache warm (a connection drops its cache whenever another one wrote).
    writer: Option<AnyPool>,
    kind: DatabaseKind,
}

impl Db {
    /// Opens the database named by `url`, creating an SQLite file (and its folder) if
    /// needed, and applies the session settings every connection needs.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, &DbSettings::default()).await
    }

    /// [`Db::connect`] with the pool's size and the statement time limit of `settings`.
    pub async fn connect_with(url: &str, settings: &DbSettings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else {
            DatabaseKind::Postgres
        };
        let url = match kind {
            DatabaseKind::Sqlite => prepare_sqlite_url(url)?,
            DatabaseKind::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Connect)?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let (pool, writer) = match kind {
            DatabaseKind::Sqlite => {
                let readers = sqlite_pool(
                    pool_options
                        .clone()
                        .max_connections(settings.max_connections.unwrap_or(8).max(1)),
                )
                .connect_with(options.clone())
                .await
                .map_err(StoreError::Connect)?;
                let writer = sqlite_pool(pool_options.max_connections(1))
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                (readers, Some(writer))
            }
            DatabaseKind::Postgres => (
                postgres_pool(
                    pool_options.max_connections(settings.max_connections.unwrap_or(16).max(1)),
                    settings.statement_timeout,
                )
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?,
                None,
            ),
        };
        Ok(Self { pool, writer, kind })
    }

    /// Applies the migrations this build carries that the database lacks.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.kind {
            DatabaseKind::Sqlite => &SQLITE_MIGRATIONS,
            DatabaseKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(StoreError::Migrate)?;
        if self.kind == DatabaseKind::Sqlite {
            widen_roles_sqlite(&self.pool)
                .await
                .map_err(StoreError::Upgrade)?;
        }
        Ok(())
    }

    /// The connection pool.
    #[must_use]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which backend this is.
    #[must_use]
    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail
    /// half-way because another connection wrote in between.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match &self.writer {
            Some(writer) => writer.begin_with("BEGIN IMMEDIATE").await,
            None => self.pool.begin().await,
        }
    }

    /// SQLite: copies the WAL into the database file and empties it, so that pages a
    /// retention run changed leave no older copy in the WAL (with `secure_delete`, the
    /// file's freed space is zeroed too). Nothing to do on PostgreSQL.
    pub async fn checkpoint_truncate(&self) -> Result<(), sqlx::Error> {
        if self.writer.is_some() {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// SQLite: copies the WAL into the database file every `period` from a reader
    /// connection, beside the writer rather than inside one of its commits (which
    /// stalled every request of that batch). Pages changed by many commits in between
    /// are copied once. Nothing to do on PostgreSQL.
    #[must_use]
    pub fn spawn_checkpointer(&self, period: Duration) -> Option<tokio::task::JoinHandle<()>> {
        self.writer.as_ref()?;
        let pool = self.pool.clone();
        Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        }))
    }

    /// True when the database answers a trivial query.
    pub async fn is_ready(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .is_ok()
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// The `role` column of a row, parsed; an unknown role is a decode error, not a panic.
pub(crate) fn role_column(row: &sqlx::any::AnyRow) -> Result<shared::api::auth::Role, sqlx::Error> {
    use sqlx::Row as _;
    let role: String = row.try_get("role")?;
    shared::api::auth::Role::parse(&role).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "role".into(),
        source: format!("unknown role {role}").into(),
    })
}

/// Milliseconds since the Unix epoch, as stored in every `*_ms` column.
#[must_use]
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Reads a typed id ([`shared::ids`]) from a text column: every id is stored as its
/// hyphenated UUID text, and a value that is not one is a decoding error of that column,
/// not a string that travels on.
/// The roles `users.role` allows (its CHECK constraint).
const ROLES_CHECK: &str =
    "CHECK (role IN ('admin', 'auditor', 'manager', 'staff', 'privacy_officer'))";
/// The constraint as the first migration wrote it.
const ROLES_CHECK_BEFORE: &str = "CHECK (role IN ('admin', 'auditor', 'manager', 'staff'))";

/// SQLite: lets `users.role` hold `privacy_officer` (issue #20; PostgreSQL's migration
/// 150 replaces the constraint). SQLite cannot change a CHECK in place: the table is
/// rebuilt by SQLite's documented procedure, which needs foreign keys off, and that
/// pragma does nothing inside a transaction, where sqlx runs every SQLite migration
/// (rebuilt there, the children's references would be renamed and their rows deleted
/// by cascade). So it runs here, after the migrations, on a connection of its own, once.
async fn widen_roles_sqlite(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let table: Option<String> =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")
            .fetch_optional(&mut *conn)
            .await?;
    let Some(table) = table.filter(|sql| sql.contains(ROLES_CHECK_BEFORE)) else {
        return Ok(());
    };
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' \
         AND sql IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    let create = table
        .replacen("CREATE TABLE users", "CREATE TABLE users_new", 1)
        .replace(ROLES_CHECK_BEFORE, ROLES_CHECK);
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    let rebuilt = async {
        conn.execute("BEGIN IMMEDIATE").await?;
        conn.execute(create.as_str()).await?;
        conn.execute("INSERT INTO users_new SELECT * FROM users")
            .await?;
        conn.execute("DROP TABLE users").await?;
        conn.execute("ALTER TABLE users_new RENAME TO users")
            .await?;
        for index in &indexes {
            conn.execute(index.as_str()).await?;
        }
        let broken: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut *conn)
                .await?;
        if broken.is_empty() {
            conn.execute("COMMIT").await?;
            Ok(())
        } else {
            Err(sqlx::Error::Protocol(format!(
                "rebuilding users would break the foreign keys of {broken:?}"
            )))
        }
    }
    .await;
    if rebuilt.is_err() {
        let _ = conn.execute("ROLLBACK").await;
    }
    conn.execute("PRAGMA foreign_keys = ON").await?;
    rebuilt
}

pub trait IdColumn {
    /// The id in `column`.
    fn id<T: FromStr<Err = InvalidId>>(&self, column: &str) -> Result<T, sqlx::Error>;
    /// The id in `column`, which may be NULL.
    fn id_opt<T: FromStr<Err = InvalidId>>(&self, column: &str) -> Result<Option<T>, sqlx::Error>;
}

impl IdColumn for sqlx::any::AnyRow {
    fn id<T: FromStr<Err = InvalidId>>(&self, column: &str) -> Result<T, sqlx::Error> {
        let raw: String = sqlx::Row::try_get(self, column)?;
        decode_id(column, &raw)
    }

    fn id_opt<T: FromStr<Err = InvalidId>>(&self, column: &str) -> Result<Option<T>, sqlx::Error> {
        sqlx::Row::try_get::<Option<String>, _>(self, column)?
            .map(|raw| decode_id(column, &raw))
            .transpose()
    }
}

pub(crate) fn decode_id<T: FromStr<Err = InvalidId>>(
    column: &str,
    raw: &str,
) -> Result<T, sqlx::Error> {
    raw.parse()
        .map_err(|e: InvalidId| sqlx::Error::ColumnDecode {
            index: column.into(),
            source: Box::new(e),
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn migration_folders_are_paired() {
        let names = |dir: &str| {
            let mut v: Vec<String> =
                std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
            v.sort();
            v
        };
        assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
    }

    /// Widening `users.role` (issue #20) on SQLite keeps every user, their sessions and
    /// second factors (no cascade), the children's references to `users` and its
    /// indexes, and runs once.
    #[tokio::test]
    async fn widening_the_roles_keeps_users_and_what_points_at_them() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/r.db", dir.path().display()))
            .await
            .unwrap();
        let upto = SQLITE_MIGRATIONS
            .iter()
            .position(|m| m.description == "privacy officer role")
            .unwrap();
        let before = Migrator {
            migrations: std::borrow::Cow::Owned(SQLITE_MIGRATIONS.migrations[..upto].to_vec()),
            ..Migrator::DEFAULT
        };
        before.run(db.pool()).await.unwrap();
        for sql in [
            "INSERT INTO teams (id, name, created_at_ms) VALUES ('t', 'T', 1)",
            "INSERT INTO users (id, username, display_name, role, password_hash, \
             created_at_ms, updated_at_ms, team_id) VALUES ('u', 'zhang', 'Z', 'staff', 'h', 1, 1, 't')",
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at_ms, \
             last_seen_ms, expires_at_ms) VALUES ('s', 'u', 'c', 1, 1, 9)",
        ] {
            sqlx::query(sql).execute(db.pool()).await.unwrap();
        }
        let refused = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, \
             created_at_ms, updated_at_ms) VALUES ('p', 'li', 'L', 'privacy_officer', 'h', 1, 1)",
        )
        .execute(db.pool())
        .await;
        assert!(refused.is_err(), "the old CHECK refuses the new role");
        db.migrate().await.unwrap();
        db.migrate().await.unwrap();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, \
             created_at_ms, updated_at_ms) VALUES ('p', 'li', 'L', 'privacy_officer', 'h', 1, 1)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let pool = db.pool().clone();
        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count("SELECT COUNT(*) FROM sessions").await, 1);
        assert_eq!(
            count("SELECT COUNT(*) FROM users WHERE team_id = 't'").await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'users_team'").await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%users_new%' OR sql LIKE '%users_old%'").await,
            0
        );
        let broken: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
        // Foreign keys are on again: a session of nobody is refused.
        let orphan = sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at_ms, \
             last_seen_ms, expires_at_ms) VALUES ('s2', 'nobody', 'c', 1, 1, 9)",
        )
        .execute(db.pool())
        .await;
        assert!(orphan.is_err());
    }

    /// The rebuild of `consent_receipts` (migration 80) keeps every receipt and the
    /// withdrawals that point at them, drops the token's index, and the foreign keys
    /// still hold afterwards.
    #[tokio::test]
    async fn rebuilding_the_receipts_table_keeps_receipts_and_withdrawals() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/m.db", dir.path().display()))
            .await
            .unwrap();
        let rebuild = SQLITE_MIGRATIONS
            .iter()
            .position(|m| m.description == "receipts without token index")
            .unwrap();
        let before = Migrator {
            migrations: std::borrow::Cow::Owned(SQLITE_MIGRATIONS.migrations[..rebuild].to_vec()),
            ..Migrator::DEFAULT
        };
        before.run(db.pool()).await.unwrap();
        for sql in [
            "INSERT INTO forms (id, status, draft_json, created_at_ms, updated_at_ms) \
             VALUES ('f', 'active', '{}', 1, 1)",
            "INSERT INTO form_versions (form_id, version_number, version_hash, \
             definition_json, published_at_ms) VALUES ('f', 1, 'sha256:v', '{}', 1)",
            "INSERT INTO records (id, form_id, form_version, source, key_version, wrapped_key, \
             master_key_id, values_json, content_hash, created_at_ms, updated_at_ms) \
             VALUES ('r', 'f', 1, 'web', 1, 'k', 'm', '{}', 'sha256:c', 1, 1)",
            "INSERT INTO consent_receipts (receipt_id, record_id, form_id, form_version, \
             statement_hash, receipt_json, withdraw_token_hash, purposes_granted, \
             purposes_withdrawn, received_at_ms) VALUES ('c', 'r', 'f', 1, 'sha256:s', \
             '{\"x\":1}', 'sha256:t', '[\"a\"]', '{\"a\":2}', 1)",
            "INSERT INTO consent_withdrawals (id, receipt_id, purposes, withdrawn_at_ms, \
             receipt_json) VALUES ('w', 'c', '[\"a\"]', 2, '{\"y\":2}')",
        ] {
            sqlx::query(sql).execute(db.pool()).await.unwrap();
        }
        db.migrate().await.unwrap();

        let receipt: (String, String, String) = sqlx::query_as(
            "SELECT withdraw_token_hash, purposes_withdrawn, receipt_json \
             FROM consent_receipts WHERE receipt_id = 'c'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            receipt,
            ("sha256:t".into(), "{\"a\":2}".into(), "{\"x\":1}".into())
        );
        let withdrawal: (String, String) = sqlx::query_as(
            "SELECT w.id, w.receipt_json FROM consent_withdrawals w \
             JOIN consent_receipts r ON r.receipt_id = w.receipt_id",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(withdrawal, ("w".into(), "{\"y\":2}".into()));
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
        let orphan = sqlx::query(
            "INSERT INTO consent_withdrawals (id, receipt_id, purposes, withdrawn_at_ms, \
             receipt_json) VALUES ('w2', 'nope', '[]', 3, '{}')",
        )
        .execute(db.pool())
        .await;
        assert!(orphan.is_err(), "foreign keys must still be enforced");
        let mut indexes: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' \
             AND tbl_name = 'consent_receipts'",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        indexes.sort();
        assert_eq!(
            indexes,
            [
                "consent_receipts_record",
                // Receipts still to seal (a later migration, sealed_receipts).
                "consent_receipts_unsealed",
                "sqlite_autoindex_consent_receipts_1"
            ]
        );
        let aside: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'withdrawals_aside'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(aside, 0);
    }

    #[test]
    fn sqlite_urls_ask_to_create_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/x.db", dir.path().display());
        let prepared = prepare_sqlite_url(&url).unwrap();
        assert!(prepared.ends_with("?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:?mode=memory").unwrap(),
            "sqlite::memory:?mode=memory"
        );
    }
}
