//! The command line (`Cli`, its commands and the server's flags) and the same settings
//! read from a TOML file.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

/// The Consentry server: collects personal data lawfully and proves it.
#[derive(Debug, Parser)]
#[command(name = "consentry", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What the binary does; without a subcommand it serves.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Print the effective configuration (secrets redacted) and exit.
    Config,
    /// Check a consent receipt offline: no network, no database. Exit 0 when both
    /// signatures verify, 1 when they do not, 2 when the file cannot be read.
    Verify {
        /// A receipt file: the document the customer downloaded, or a bare signed receipt.
        file: PathBuf,
        /// The server's key set (from /.well-known/consentry-keys.json) to check against;
        /// without it, the key inside the document is used.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Re-wrap every stored key under a new master key (resumable; see README).
    RotateMasterKey {
        /// The new key's file; created (mode 0600) with a random key when missing.
        #[arg(long)]
        new_key_file: PathBuf,
        /// Records per transaction.
        #[arg(long, default_value_t = 500)]
        chunk: i64,
    },
    /// Retire the signing key in use and create a new one; the retired key stays
    /// published so old receipts keep verifying. Running servers sign with the new key
    /// from their next reading of the keys (see `--key-refresh-seconds`).
    RotateSigningKey,
    /// Check the audit log's hash chain and signed heads; exit 1 if broken, naming the
    /// first entry that is altered, missing, out of order or cut off.
    VerifyAudit {
        /// A JSON key set (as served at /.well-known/consentry-keys.json) to trust
        /// instead of the keys stored in the database.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Backups: check one, or make one now.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// Restore a backup into an empty database (the SQLite file of `--database-url` or
    /// `--data-dir` must not exist yet; a PostgreSQL database must have no tables),
    /// after checking it as `backup verify` does. Needs the master key the backup was
    /// made under. Exit 0 when restored, 1 when refused.
    Restore {
        /// The backup file (`consentry-….backup`).
        file: PathBuf,
    },
    /// Name the export a leaked file (CSV, XLSX, or rows of it as text) comes from, by
    /// the invisible marks every export carries; exit 0 when one is found, 1 when none,
    /// 2 when the file cannot be read.
    TraceExport {
        /// The leaked file.
        file: PathBuf,
    },
}

/// What `consentry backup` does.
#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// Open a backup without touching the live data: decrypt it into a scratch copy,
    /// check its integrity, its audit chain and signed heads, and print what it holds.
    /// Exit 0 when it verifies, 1 when it does not, 2 when the file cannot be read.
    Verify {
        /// The backup file.
        file: PathBuf,
        /// A JSON key set (as served at /.well-known/consentry-keys.json) to check the
        /// signed heads against instead of the keys inside the backup.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Make a backup now, as the schedule would (for instance before an upgrade), with
    /// its off-site copy and drill; prints the file.
    Now,
}

/// Settings of a running server. Every flag has an environment variable; a TOML file
/// given with `--config` fills what neither sets.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (keys as the long flag names with `_`).
    #[arg(long, env = "CONSENTRY_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "CONSENTRY_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,

    /// The URL people use to reach this server; used in links and origin checks
    /// [default: http://<listen>].
    #[arg(long, env = "CONSENTRY_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Database: `sqlite://path/to/file.db` (embedded, the default) or
    /// `postgres://user@host/db` (for several server replicas)
    /// [default: sqlite://<data-dir>/consentry.db].
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Folder for the embedded database and generated keys [default: ./data].
    #[arg(long, env = "CONSENTRY_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// File holding the master key that protects data keys and signing keys; created
    /// (mode 0600) on first start when missing. The `CONSENTRY_MASTER_KEY` environment
    /// variable (base64 of 32 bytes) takes precedence over any file
    /// [default: <data-dir>/master.key].
    #[arg(long, env = "CONSENTRY_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,

    /// During a master key rotation: the previous key's file, so that values not yet
    /// re-wrapped stay readable.
    #[arg(long, env = "CONSENTRY_PREVIOUS_MASTER_KEY_FILE", global = true)]
    pub previous_master_key_file: Option<PathBuf>,

    /// Folder with the built web app (Trunk's `dist`) [default: ./dist].
    #[arg(long, env = "CONSENTRY_STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,

    /// Largest request body accepted, in bytes [default: 1048576].
    #[arg(long, env = "CONSENTRY_MAX_BODY_BYTES", global = true)]
    pub max_body_bytes: Option<usize>,

    /// Largest spreadsheet an import reads, in MiB (1 to 200) [default: 50].
    #[arg(long, env = "CONSENTRY_IMPORT_MAX_MB", global = true)]
    pub import_max_mb: Option<u32>,

    /// Minutes a session stays valid without use [default: 30].
    #[arg(long, env = "CONSENTRY_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<u32>,

    /// Hours after which a session ends even when in use [default: 12].
    #[arg(long, env = "CONSENTRY_SESSION_MAX_HOURS", global = true)]
    pub session_max_hours: Option<u32>,

    /// Failed sign-ins allowed from one client address in 15 minutes before further
    /// attempts from it are refused for a while [default: 20].
    #[arg(long, env = "CONSENTRY_SIGN_IN_FAILURES_PER_IP", global = true)]
    pub sign_in_failures_per_ip: Option<u32>,

    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose
    /// `X-Forwarded-For` is believed: for a request from one of them, the client is the
    /// nearest forwarded address that is not itself a trusted proxy. The audit log,
    /// sign-in throttling and the per-address limits use that address. Without it the
    /// header is ignored, since anyone can send it [default: none].
    #[arg(
        long,
        env = "CONSENTRY_TRUSTED_PROXIES",
        global = true,
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// The team (by name) whose managers also see the records nobody owns yet, such as
    /// customers' web submissions, to give them to someone. Without it only admins
    /// (and auditors) see those until an admin assigns them [default: none].
    #[arg(long, env = "CONSENTRY_INTAKE_TEAM", global = true)]
    pub intake_team: Option<String>,

    /// Customer submissions accepted per minute from one client address (a third of
    /// them at once); more are refused with 429 and `Retry-After`. Clients behind one
    /// NAT share an address: raise it for a busy form [default: 30].
    #[arg(long, env = "CONSENTRY_SUBMISSIONS_PER_MINUTE", global = true)]
    pub submissions_per_minute: Option<u32>,

    /// Consent withdrawals accepted per minute from one client address, likewise
    /// [default: 10].
    #[arg(long, env = "CONSENTRY_WITHDRAWALS_PER_MINUTE", global = true)]
    pub withdrawals_per_minute: Option<u32>,

    /// Consent status look-ups, receipt verifications and key set fetches accepted per
    /// minute from one client address, likewise [default: 120].
    #[arg(long, env = "CONSENTRY_PUBLIC_READS_PER_MINUTE", global = true)]
    pub public_reads_per_minute: Option<u32>,

    /// Turn the per-address limits above off (for load tests, or when a proxy in front
    /// limits instead).
    #[arg(long, env = "CONSENTRY_NO_RATE_LIMITS", global = true)]
    pub no_rate_limits: bool,

    /// Seconds a client has to send a request's headers; a connection slower than that,
    /// or idle that long between requests, is closed. Behind a proxy that keeps idle
    /// connections to the server open, make its idle timeout shorter [default: 30].
    #[arg(long, env = "CONSENTRY_HEADER_TIMEOUT_SECONDS", global = true)]
    pub header_timeout_seconds: Option<u32>,

    /// Seconds a request may take, reading its body included, before it is stopped and
    /// answered 408 [default: 30].
    #[arg(long, env = "CONSENTRY_REQUEST_TIMEOUT_SECONDS", global = true)]
    pub request_timeout_seconds: Option<u32>,

    /// The same for `POST /sync`, whose body may be 32 MiB [default: 300].
    #[arg(long, env = "CONSENTRY_SYNC_TIMEOUT_SECONDS", global = true)]
    pub sync_timeout_seconds: Option<u32>,

    /// Seconds between reads of the signing keys from the database, so that a key
    /// another replica created, or `rotate-signing-key`, is used without a restart
    /// [default: 10].
    #[arg(long, env = "CONSENTRY_KEY_REFRESH_SECONDS", global = true)]
    pub key_refresh_seconds: Option<u32>,

    /// Hours between retention runs [default: 24].
    #[arg(long, env = "CONSENTRY_RETENTION_INTERVAL_HOURS", global = true)]
    pub retention_interval_hours: Option<u32>,

    /// Time of day (UTC, `HH:MM`) retention runs start from [default: 02:30].
    #[arg(long, env = "CONSENTRY_RETENTION_AT", global = true)]
    pub retention_at: Option<String>,

    /// Days values that served only withdrawn purposes are kept after the withdrawal,
    /// for the customer to change their mind [default: 7].
    #[arg(long, env = "CONSENTRY_WITHDRAWAL_GRACE_DAYS", global = true)]
    pub withdrawal_grace_days: Option<u32>,

    /// How long the organisation has to answer a data-subject request: days (`15d`) or
    /// calendar months (`1m`) [default: 15d, as practised under PIPL].
    #[arg(long, env = "CONSENTRY_REQUEST_DUE", global = true)]
    pub request_due: Option<String>,

    /// By how much the deadline of a request may be extended, with a stated reason
    /// (`2m` under the GDPR; `none`: never) [default: none].
    #[arg(long, env = "CONSENTRY_REQUEST_EXTENSION", global = true)]
    pub request_extension: Option<String>,

    /// The SMTP server alerts are e-mailed through: `smtps://user:password@host:465`
    /// (TLS), `smtp://user:password@host:587?tls=required` (STARTTLS) or
    /// `smtp://host:25` (plain, for a relay on this machine) [default: no e-mail].
    #[arg(long, env = "CONSENTRY_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of alert e-mails, e.g. `Consentry <alerts@example.com>`.
    #[arg(long, env = "CONSENTRY_SMTP_FROM", global = true)]
    pub smtp_from: Option<String>,

    /// Do not run retention on a schedule (runs start only from the console).
    #[arg(long, env = "CONSENTRY_NO_RETENTION_SCHEDULE", global = true)]
    pub no_retention_schedule: bool,

    /// Folder the encrypted backups are written to first [default: <data-dir>/backups].
    #[arg(long, env = "CONSENTRY_BACKUP_DIR", global = true)]
    pub backup_dir: Option<PathBuf>,

    /// The off-site destination every backup is also copied to: a folder on another
    /// disk, a mounted network share or a synchronised folder [default: none, which the
    /// console warns of].
    #[arg(long, env = "CONSENTRY_BACKUP_OFFSITE_DIR", global = true)]
    pub backup_offsite_dir: Option<PathBuf>,

    /// Hours between scheduled backups; the first is made soon after a server starts
    /// on a database that has none [default: 24].
    #[arg(long, env = "CONSENTRY_BACKUP_INTERVAL_HOURS", global = true)]
    pub backup_interval_hours: Option<u32>,

    /// Days a backup is kept (in both destinations) before it is deleted, which bounds
    /// how long erased data survives in backups [default: 30].
    #[arg(long, env = "CONSENTRY_BACKUP_KEEP_DAYS", global = true)]
    pub backup_keep_days: Option<u32>,

    /// Do not make backups on a schedule (an admin can still ask for one).
    #[arg(long, env = "CONSENTRY_NO_BACKUP_SCHEDULE", global = true)]
    pub no_backup_schedule: bool,

    /// PostgreSQL: a database on the server where restore drills may create (and drop)
    /// a scratch database; the role needs CREATEDB [default: the `postgres` database of
    /// the server in `--database-url`].
    #[arg(long, env = "CONSENTRY_BACKUP_SCRATCH_URL", global = true)]
    pub backup_scratch_url: Option<String>,

    /// Connections each server keeps to the database at most [default: 16 on
    /// PostgreSQL; 8 readers and one writer on SQLite].
    #[arg(long, env = "CONSENTRY_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<u32>,

    /// PostgreSQL: seconds a statement may run before the database cancels it (0: no
    /// limit) [default: 60].
    #[arg(long, env = "CONSENTRY_DB_STATEMENT_TIMEOUT_SECONDS", global = true)]
    pub db_statement_timeout_seconds: Option<u32>,

    /// Log filter in `tracing` syntax, e.g. `info` or `consentry_server=debug` [default: info].
    #[arg(long, env = "CONSENTRY_LOG", global = true)]
    pub log: Option<String>,

    /// Do not create the first admin account and demo form on an empty database.
    #[arg(long, env = "CONSENTRY_NO_SEED", global = true)]
    pub no_seed: bool,
}

/// The same settings read from a TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) listen: Option<SocketAddr>,
    pub(super) public_url: Option<String>,
    pub(super) database_url: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) master_key_file: Option<PathBuf>,
    pub(super) previous_master_key_file: Option<PathBuf>,
    pub(super) static_dir: Option<PathBuf>,
    pub(super) max_body_bytes: Option<usize>,
    pub(super) import_max_mb: Option<u32>,
    pub(super) session_idle_minutes: Option<u32>,
    pub(super) session_max_hours: Option<u32>,
    pub(super) sign_in_failures_per_ip: Option<u32>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) intake_team: Option<String>,
    pub(super) submissions_per_minute: Option<u32>,
    pub(super) withdrawals_per_minute: Option<u32>,
    pub(super) public_reads_per_minute: Option<u32>,
    pub(super) no_rate_limits: Option<bool>,
    pub(super) header_timeout_seconds: Option<u32>,
    pub(super) request_timeout_seconds: Option<u32>,
    pub(super) sync_timeout_seconds: Option<u32>,
    pub(super) key_refresh_seconds: Option<u32>,
    pub(super) retention_interval_hours: Option<u32>,
    pub(super) retention_at: Option<String>,
    pub(super) withdrawal_grace_days: Option<u32>,
    pub(super) no_retention_schedule: Option<bool>,
    pub(super) request_due: Option<String>,
    pub(super) request_extension: Option<String>,
    pub(super) smtp_url: Option<String>,
    pub(super) smtp_from: Option<String>,
    pub(super) backup_dir: Option<PathBuf>,
    pub(super) backup_offsite_dir: Option<PathBuf>,
    pub(super) backup_interval_hours: Option<u32>,
    pub(super) backup_keep_days: Option<u32>,
    pub(super) no_backup_schedule: Option<bool>,
    pub(super) backup_scratch_url: Option<String>,
    pub(super) db_max_connections: Option<u32>,
    pub(super) db_statement_timeout_seconds: Option<u32>,
    pub(super) log: Option<String>,
    pub(super) no_seed: Option<bool>,
}
