//! Layered configuration: built-in defaults, then a TOML file, then environment
//! variables, then command-line flags (the later one wins).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

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
struct FileConfig {
    listen: Option<SocketAddr>,
    public_url: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    master_key_file: Option<PathBuf>,
    previous_master_key_file: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    session_idle_minutes: Option<u32>,
    session_max_hours: Option<u32>,
    sign_in_failures_per_ip: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    intake_team: Option<String>,
    submissions_per_minute: Option<u32>,
    withdrawals_per_minute: Option<u32>,
    public_reads_per_minute: Option<u32>,
    no_rate_limits: Option<bool>,
    header_timeout_seconds: Option<u32>,
    request_timeout_seconds: Option<u32>,
    sync_timeout_seconds: Option<u32>,
    key_refresh_seconds: Option<u32>,
    log: Option<String>,
    no_seed: Option<bool>,
}

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("invalid setting {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// The effective configuration of a server.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_url: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub master_key_file: PathBuf,
    pub previous_master_key_file: Option<PathBuf>,
    pub static_dir: PathBuf,
    pub max_body_bytes: usize,
    pub session_idle_minutes: u32,
    pub session_max_hours: u32,
    pub sign_in_failures_per_ip: u32,
    /// See `ServeArgs::trusted_proxies`.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// See `ServeArgs::intake_team`.
    pub intake_team: Option<String>,
    /// Per-address budgets of the public routes (`crate::limits`); `None` turns them off.
    pub rate_limits: Option<RateLimits>,
    pub timeouts: Timeouts,
    /// See `ServeArgs::key_refresh_seconds`.
    pub key_refresh: Duration,
    pub log: String,
    pub seed: bool,
}

/// Requests per minute accepted from one client address on each kind of public route
/// (a third of them at once: see `crate::limits::AddressBudget::per_minute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /public/forms/{id}/submissions`.
    pub submissions: u32,
    /// `POST /public/consents/withdraw`.
    pub withdrawals: u32,
    /// Consent status, receipt verification and the published keys.
    pub reads: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            submissions: 30,
            withdrawals: 10,
            reads: 120,
        }
    }
}

/// How often a server reads the signing keys again (`Config::key_refresh`).
const DEFAULT_KEY_REFRESH: Duration = Duration::from_secs(10);

/// How long a client may take: to send a request's headers (also how long an idle
/// connection stays open), and to have a request handled, its body included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub header: Duration,
    pub request: Duration,
    /// For `POST /sync`, whose bodies are the largest.
    pub sync: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(30),
            request: Duration::from_secs(30),
            sync: Duration::from_secs(300),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("master_key_file", &self.master_key_file)
            .field("previous_master_key_file", &self.previous_master_key_file)
            .field("static_dir", &self.static_dir)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_max_hours", &self.session_max_hours)
            .field("sign_in_failures_per_ip", &self.sign_in_failures_per_ip)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("intake_team", &self.intake_team)
            .field("rate_limits", &self.rate_limits)
            .field("timeouts", &self.timeouts)
            .field("key_refresh", &self.key_refresh)
            .field("log", &self.log)
            .field("seed", &self.seed)
            .finish()
    }
}

/// Parses addresses (`10.0.0.7`, a network of one) and CIDR ranges (`10.0.0.0/8`).
fn parse_networks(items: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    items
        .iter()
        .map(|item| item.trim())
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| format!("{item:?} is not an IP address or CIDR range"))
        })
        .collect()
}

/// Hides a password in a database URL (`postgres://user:secret@host` → `postgres://user:***@host`).
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl Config {
    /// Defaults overlaid by the file named in `args.config` and then by `args` itself.
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|source| ConfigError::Parse {
                    path: path.clone(),
                    source,
                })?
            }
            None => FileConfig::default(),
        };
        let listen = args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}/consentry.db", data_dir.display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                name: "database_url",
                reason: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }
        let public_url = args
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "public_url",
                reason: "must be an http:// or https:// URL".into(),
            });
        }
        let max_body_bytes = args
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(1024 * 1024);
        if max_body_bytes < 1024 {
            return Err(ConfigError::Invalid {
                name: "max_body_bytes",
                reason: "must be at least 1024".into(),
            });
        }
        let trusted_proxies = if args.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            args.trusted_proxies.clone()
        };
        let trusted_proxies =
            parse_networks(&trusted_proxies).map_err(|reason| ConfigError::Invalid {
                name: "trusted_proxies",
                reason,
            })?;
        let limits_off = args.no_rate_limits || file.no_rate_limits.unwrap_or(false);
        let rate_limits = (!limits_off).then(|| {
            let defaults = RateLimits::default();
            RateLimits {
                submissions: args
                    .submissions_per_minute
                    .or(file.submissions_per_minute)
                    .unwrap_or(defaults.submissions)
                    .max(1),
                withdrawals: args
                    .withdrawals_per_minute
                    .or(file.withdrawals_per_minute)
                    .unwrap_or(defaults.withdrawals)
                    .max(1),
                reads: args
                    .public_reads_per_minute
                    .or(file.public_reads_per_minute)
                    .unwrap_or(defaults.reads)
                    .max(1),
            }
        });
        let seconds = |flag: Option<u32>, file: Option<u32>, default: Duration| {
            flag.or(file)
                .map_or(default, |s| Duration::from_secs(u64::from(s.max(1))))
        };
        let default_timeouts = Timeouts::default();
        let timeouts = Timeouts {
            header: seconds(
                args.header_timeout_seconds,
                file.header_timeout_seconds,
                default_timeouts.header,
            ),
            request: seconds(
                args.request_timeout_seconds,
                file.request_timeout_seconds,
                default_timeouts.request,
            ),
            sync: seconds(
                args.sync_timeout_seconds,
                file.sync_timeout_seconds,
                default_timeouts.sync,
            ),
        };
        let master_key_file = args
            .master_key_file
            .clone()
            .or(file.master_key_file)
            .unwrap_or_else(|| data_dir.join("master.key"));
        Ok(Self {
            listen,
            public_url,
            database_url,
            data_dir,
            master_key_file,
            previous_master_key_file: args
                .previous_master_key_file
                .clone()
                .or(file.previous_master_key_file),
            static_dir: args
                .static_dir
                .clone()
                .or(file.static_dir)
                .unwrap_or_else(|| PathBuf::from("dist")),
            max_body_bytes,
            session_idle_minutes: args
                .session_idle_minutes
                .or(file.session_idle_minutes)
                .unwrap_or(30)
                .max(1),
            session_max_hours: args
                .session_max_hours
                .or(file.session_max_hours)
                .unwrap_or(12)
                .max(1),
            sign_in_failures_per_ip: args
                .sign_in_failures_per_ip
                .or(file.sign_in_failures_per_ip)
                .unwrap_or(20)
                .max(1),
            trusted_proxies,
            intake_team: args
                .intake_team
                .clone()
                .or(file.intake_team)
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            rate_limits,
            timeouts,
            key_refresh: seconds(
                args.key_refresh_seconds,
                file.key_refresh_seconds,
                DEFAULT_KEY_REFRESH,
            ),
            log: args
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".to_owned()),
            seed: !(args.no_seed || file.no_seed.unwrap_or(false)),
        })
    }

    /// The origin (`scheme://host[:port]`) of `public_url`.
    #[must_use]
    pub fn public_origin(&self) -> &str {
        let after_scheme = self.public_url.find("://").map_or(0, |i| i + 3);
        match self.public_url[after_scheme..].find('/') {
            Some(i) => &self.public_url[..after_scheme + i],
            None => &self.public_url,
        }
    }

    /// True when served over HTTPS, so HSTS may be sent.
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A configuration for tests: listens anywhere, stores in `data_dir`.
    #[must_use]
    pub fn for_tests(database_url: String, data_dir: PathBuf, static_dir: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: "http://127.0.0.1".to_owned(),
            database_url,
            master_key_file: data_dir.join("master.key"),
            previous_master_key_file: None,
            data_dir,
            static_dir,
            max_body_bytes: 1024 * 1024,
            session_idle_minutes: 30,
            session_max_hours: 12,
            sign_in_failures_per_ip: 20,
            trusted_proxies: Vec::new(),
            intake_team: None,
            // The suites send far more from 127.0.0.1 than a person would; the tests of
            // the limits (`tests/tests/e2e/limits.rs`) set their own.
            rate_limits: None,
            timeouts: Timeouts::default(),
            key_refresh: DEFAULT_KEY_REFRESH,
            log: "warn".to_owned(),
            seed: true,
        }
    }
}

/// How long sessions last, from [`Config::session_idle_minutes`] and
/// [`Config::session_max_hours`].
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub max_ms: i64,
}

impl SessionPolicy {
    /// When a session created at `created_at_ms` and used at `now` expires.
    #[must_use]
    pub fn expiry(self, created_at_ms: i64, now: i64) -> i64 {
        (now + self.idle_ms).min(created_at_ms + self.max_ms)
    }
}

impl From<&Config> for SessionPolicy {
    fn from(config: &Config) -> Self {
        Self {
            idle_ms: i64::from(config.session_idle_minutes) * 60_000,
            max_ms: i64::from(config.session_max_hours) * 3_600_000,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_at_the_idle_or_the_maximum_time() {
        let p = SessionPolicy {
            idle_ms: 10,
            max_ms: 100,
        };
        assert_eq!(p.expiry(0, 5), 15);
        assert_eq!(p.expiry(0, 95), 100);
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = Config::load(&ServeArgs::default()).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://data/consentry.db");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(c.seed);
        assert_eq!(c.rate_limits, Some(RateLimits::default()));
        assert_eq!(c.timeouts, Timeouts::default());
    }

    #[test]
    fn limits_and_timeouts_come_from_the_file_or_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "submissions_per_minute = 600\npublic_reads_per_minute = 0\n\
             header_timeout_seconds = 5\nsync_timeout_seconds = 900\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(path.clone()),
            withdrawals_per_minute: Some(4),
            request_timeout_seconds: Some(60),
            ..ServeArgs::default()
        };
        let c = Config::load(&args).unwrap();
        assert_eq!(
            c.rate_limits,
            Some(RateLimits {
                submissions: 600,
                withdrawals: 4,
                // Zero would refuse everything: the least is one a minute.
                reads: 1,
            })
        );
        assert_eq!(
            c.timeouts,
            Timeouts {
                header: Duration::from_secs(5),
                request: Duration::from_secs(60),
                sync: Duration::from_secs(900),
            }
        );
        let off = ServeArgs {
            config: Some(path),
            no_rate_limits: true,
            ..ServeArgs::default()
        };
        assert_eq!(Config::load(&off).unwrap().rate_limits, None);
    }

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\n").unwrap();
        let args = ServeArgs {
            config: Some(path),
            log: Some("warn".into()),
            ..ServeArgs::default()
        };
        let c = Config::load(&args).unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log, "warn");
    }

    #[test]
    fn unknown_file_keys_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "lissen = \"0.0.0.0:9000\"\n").unwrap();
        let args = ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        };
        assert!(matches!(
            Config::load(&args),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_the_flags_and_must_parse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n").unwrap();
        let from_file = ServeArgs {
            config: Some(path.clone()),
            ..ServeArgs::default()
        };
        let c = Config::load(&from_file).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "::1/128"]);
        let flags = ServeArgs {
            config: Some(path),
            trusted_proxies: vec!["192.168.1.7/24".into(), " 172.16.0.1 ".into()],
            ..ServeArgs::default()
        };
        let c = Config::load(&flags).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["192.168.1.0/24", "172.16.0.1/32"]);
        assert!(Config::load(&ServeArgs::default())
            .unwrap()
            .trusted_proxies
            .is_empty());
        let bad = ServeArgs {
            trusted_proxies: vec!["10.0.0.0/33".into()],
            ..ServeArgs::default()
        };
        assert!(matches!(
            Config::load(&bad),
            Err(ConfigError::Invalid {
                name: "trusted_proxies",
                ..
            })
        ));
    }

    #[test]
    fn database_password_is_redacted_in_debug() {
        let args = ServeArgs {
            database_url: Some("postgres://app:s3cret@db/consentry".into()),
            ..ServeArgs::default()
        };
        let c = Config::load(&args).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"));
        assert!(shown.contains("app:***@db"));
    }

    #[test]
    fn public_origin_drops_the_path() {
        let args = ServeArgs {
            public_url: Some("https://consent.example.com/app/".into()),
            ..ServeArgs::default()
        };
        let c = Config::load(&args).unwrap();
        assert_eq!(c.public_origin(), "https://consent.example.com");
        assert!(c.is_https());
    }
}
