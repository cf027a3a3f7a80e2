//! Opening a backup without touching the live data: decrypted into a scratch place
//! (a temporary SQLite file, or a PostgreSQL database made for the purpose), checked
//! (structure, the audit chain and its signed heads, the header's head and counts) and
//! counted; and `consentry restore`, which does the same into an empty target.

use std::path::{Path, PathBuf};

use shared::api::system::DatabaseKind;

use super::{
    format::{self, Header},
    snapshot::{self, Contents, Scratch},
    BackupError,
};
use crate::{crypto::KeyWrapper, store::Db};

/// What a checked backup holds.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Header,
    pub contents: Contents,
    pub entries_checked: i64,
    pub heads_checked: i64,
}

impl Verified {
    /// One line for an operator.
    #[must_use]
    pub fn summary(&self) -> String {
        let c = &self.contents.counts;
        format!(
            "{} records, {} receipts, {} forms, {} users; audit chain intact: {} entries, {} signed heads verified (head a{}{})",
            c.records,
            c.receipts,
            c.forms,
            c.users,
            self.entries_checked,
            self.heads_checked,
            self.contents.audit_seq,
            match shared::audit::short_hash(&self.contents.audit_head) {
                "" => String::new(),
                head => format!(" {head}"),
            },
        )
    }
}

/// Decrypts `file` into `out` (a plain file), off the async threads.
async fn decrypt(
    master: std::sync::Arc<dyn KeyWrapper>,
    file: PathBuf,
    out: PathBuf,
) -> Result<Header, BackupError> {
    tokio::task::spawn_blocking(move || -> Result<Header, BackupError> {
        let mut input = std::io::BufReader::new(std::fs::File::open(&file)?);
        let mut output = std::io::BufWriter::new(create_private(&out)?);
        let header = format::open(master.as_ref(), &mut input, &mut output)?;
        output
            .into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()?;
        Ok(header)
    })
    .await
    .map_err(|e| BackupError::Io(std::io::Error::other(e)))?
}

/// Checks `file` in a scratch place under `work_dir` (SQLite) or on the PostgreSQL
/// server of `scratch_admin_url`; the live data is not touched. `keys`: a key set to
/// check the signed heads against instead of the keys inside the backup.
pub async fn verify_file(
    file: &Path,
    master: std::sync::Arc<dyn KeyWrapper>,
    keys: Option<&shared::consent::PublishedKeySet>,
    work_dir: &Path,
    scratch_admin_url: impl FnOnce() -> Result<String, BackupError>,
) -> Result<Verified, BackupError> {
    std::fs::create_dir_all(work_dir)?;
    let plain = work_dir.join(format!(".drill-{}", uuid::Uuid::new_v4().simple()));
    let result = async {
        let header = decrypt(master, file.to_owned(), plain.clone()).await?;
        match header.database {
            DatabaseKind::Sqlite => {
                snapshot::sqlite_integrity(&plain).await?;
                let db = Db::connect(&sqlite_url(&plain)?).await?;
                let checked = check(&db, header, keys).await;
                db.close().await;
                checked
            }
            DatabaseKind::Postgres => {
                let scratch = Scratch::create(&scratch_admin_url()?).await?;
                let checked = async {
                    snapshot::pg_restore(&plain, &scratch.url).await?;
                    let db = Db::connect(&scratch.url).await?;
                    let checked = check(&db, header, keys).await;
                    db.close().await;
                    checked
                }
                .await;
                scratch.drop_it().await;
                checked
            }
        }
    }
    .await;
    remove_sqlite_files(&plain);
    result
}

/// Restores `file` into the empty database at `database_url` (an SQLite file that
/// does not exist yet or is empty, or a PostgreSQL database without tables), after
/// checking it; returns what it holds. The target stays untouched when the file is
/// refused.
pub async fn restore(
    file: &Path,
    master: std::sync::Arc<dyn KeyWrapper>,
    database_url: &str,
) -> Result<Verified, BackupError> {
    let header = format::read_header(&mut std::io::BufReader::new(std::fs::File::open(file)?))?.0;
    let target = if database_url.starts_with("sqlite:") {
        DatabaseKind::Sqlite
    } else {
        DatabaseKind::Postgres
    };
    if header.database != target {
        return Err(BackupError::WrongDatabase {
            backup: header.database,
            target,
        });
    }
    match target {
        DatabaseKind::Sqlite => {
            let path = sqlite_path(database_url);
            let taken = std::fs::metadata(&path).is_ok_and(|m| m.len() > 0)
                || std::fs::metadata(wal_of(&path)).is_ok_and(|m| m.len() > 0);
            if taken {
                return Err(BackupError::NotEmpty(path.display().to_string()));
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let partial = snapshot::partial(&path);
            let checked = async {
                let header = decrypt(master, file.to_owned(), partial.clone()).await?;
                snapshot::sqlite_integrity(&partial).await?;
                let db = Db::connect(&sqlite_url(&partial)?).await?;
                let checked = check(&db, header, None).await;
                db.close().await;
                checked
            }
            .await;
            match checked {
                Ok(v) => {
                    std::fs::rename(&partial, &path)?;
                    Ok(v)
                }
                Err(e) => {
                    remove_sqlite_files(&partial);
                    Err(e)
                }
            }
        }
        DatabaseKind::Postgres => {
            if !snapshot::pg_is_empty(database_url).await? {
                return Err(BackupError::NotEmpty(crate::config::redact_url(
                    database_url,
                )));
            }
            let dir = std::env::temp_dir();
            let plain = dir.join(format!(".restore-{}", uuid::Uuid::new_v4().simple()));
            let result = async {
                let header = decrypt(master, file.to_owned(), plain.clone()).await?;
                snapshot::pg_restore(&plain, database_url).await?;
                let db = Db::connect(database_url).await?;
                let checked = check(&db, header, None).await;
                db.close().await;
                checked
            }
            .await;
            let _ = std::fs::remove_file(&plain);
            result
        }
    }
}

/// The checks of a restored copy: its audit chain and signed heads verify, and it
/// holds the head and counts its header names.
async fn check(
    db: &Db,
    header: Header,
    keys: Option<&shared::consent::PublishedKeySet>,
) -> Result<Verified, BackupError> {
    let mut conn = db.pool().acquire().await?;
    let contents = snapshot::contents(&mut conn).await?;
    drop(conn);
    let published = match keys {
        Some(k) => k.clone(),
        None => crate::audit::published_keys(db).await?,
    };
    let report = crate::audit::verify(db, &published).await?;
    if let Some(broken) = report.first_break {
        return Err(BackupError::Chain(broken.to_string()));
    }
    if contents.audit_seq != header.audit_seq || contents.audit_head != header.audit_head {
        return Err(BackupError::Mismatch(format!(
            "audit head a{} in the data, a{} in the header",
            contents.audit_seq, header.audit_seq
        )));
    }
    if contents.counts != header.counts {
        return Err(BackupError::Mismatch(format!(
            "counts {:?} in the data, {:?} in the header",
            contents.counts, header.counts
        )));
    }
    Ok(Verified {
        header,
        contents,
        entries_checked: report.entries_checked,
        heads_checked: report.heads_checked,
    })
}

/// Creates `path` readable by its owner only (it holds a plain copy of the database).
pub(super) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

fn sqlite_url(path: &Path) -> Result<String, BackupError> {
    Ok(format!(
        "sqlite://{}",
        path.to_str().ok_or(BackupError::Path)?
    ))
}

/// The file of an `sqlite:` URL.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Removes an SQLite scratch file and its journal files.
pub(super) fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
