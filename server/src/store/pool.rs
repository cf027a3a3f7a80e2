//! How the server connects: the pools' sizes and the settings every connection of each
//! database gets.

use std::{path::Path, time::Duration};

use sqlx::{any::AnyPoolOptions, Executor as _};

use super::StoreError;

/// How each server uses its database: the pool's size and how long a statement may run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DbSettings {
    /// Connections at most (`None`: 16 on PostgreSQL, 8 readers on SQLite).
    pub max_connections: Option<u32>,
    /// PostgreSQL's `statement_timeout` on every connection (`None`: no limit).
    pub statement_timeout: Option<Duration>,
}

/// Pool options for PostgreSQL: each connection gets the statement time limit.
pub(super) fn postgres_pool(
    options: AnyPoolOptions,
    statement_timeout: Option<Duration>,
) -> AnyPoolOptions {
    options.after_connect(move |conn, _meta| {
        Box::pin(async move {
            if let Some(limit) = statement_timeout {
                // A runaway statement is cancelled by the database rather than holding
                // a connection (and its locks) for ever; long jobs work in pages.
                conn.execute(format!("SET statement_timeout = {}", limit.as_millis()).as_str())
                    .await?;
            }
            Ok(())
        })
    })
}

/// Pool options for SQLite connections with the settings every connection needs.
///
/// An embedded file cannot drop a connection the way a network can, so a connection
/// is not pinged before each use: each ping is a round trip to the connection's worker
/// thread (two context switches), paid by every query on the pool.
pub(super) fn sqlite_pool(options: AnyPoolOptions) -> AnyPoolOptions {
    options
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL lets readers run beside the writer; FULL makes every commit durable;
                // foreign keys are off by default in SQLite. Reads of the database file go
                // through a memory map instead of one system call per page.
                // 8 KiB pages (for a new file; an existing one keeps its size): a record's
                // row of sealed values (about 2.5 KB) took a 4 KiB page of its own, so a
                // third of every page written to the WAL, and copied again at checkpoints,
                // was empty. Must come before WAL mode, which fixes the page size.
                conn.execute("PRAGMA page_size = 8192").await?;
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                // Freed pages are overwritten with zeros, so that values retention (or a
                // subject's request) deletes do not linger in the file's free pages.
                conn.execute("PRAGMA secure_delete = ON").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA mmap_size = 1073741824").await?;
                // Statement journals (a multi-row insert inside a transaction keeps one)
                // stay in memory instead of a temporary file written page by page.
                conn.execute("PRAGMA temp_store = MEMORY").await?;
                // The server checkpoints from a reader connection in the background (see
                // `Db::spawn_checkpointer`) so that commits never wait for one; this is
                // only the backstop, at 16,384 pages of WAL (128 MiB with 8 KiB pages).
                conn.execute("PRAGMA wal_autocheckpoint = 16384").await?;
                // 8 MiB of page cache (the default is 2 MiB). Far larger caches cost more
                // than they save: SQLite scans the cache's hash table at each commit.
                conn.execute("PRAGMA cache_size = -8192").await?;
                Ok(())
            })
        })
}

/// Makes sure the SQLite file's folder exists and the URL asks to create the file.
pub(super) fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let path_part = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = match path_part.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_part, None),
    };
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Folder(parent.display().to_string(), e))?;
            }
        }
    }
    Ok(match query {
        Some(q) if q.contains("mode=") => url.to_owned(),
        Some(_) => format!("{url}&mode=rwc"),
        None => format!("{url}?mode=rwc"),
    })
}
