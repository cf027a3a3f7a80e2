//! Layered configuration: built-in defaults, then a TOML file, then environment
//! variables, then command-line flags (the later one wins).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

mod args;

use args::FileConfig;
pub use args::{BackupAction, Cli, Command, ServeArgs};

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
    /// See `ServeArgs::import_max_mb`.
    pub import_max_mb: u32,
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
    pub retention: crate::retention::Settings,
    /// Deadlines of data-subject requests (`ServeArgs::request_due`, `request_extension`).
    pub requests: shared::requests::RequestPolicy,
    /// Where alert e-mails go out (`ServeArgs::smtp_url`, `smtp_from`); `None`: no e-mail.
    pub smtp: Option<Smtp>,
    /// Scheduled backups and their destinations (`crate::backup`).
    pub backup: crate::backup::Settings,
    /// The connection pool and statement limits (`crate::store::DbSettings`).
    pub database: crate::store::DbSettings,
    pub log: String,
    pub seed: bool,
}

/// The SMTP settings of alert e-mails.
#[derive(Clone, PartialEq, Eq)]
pub struct Smtp {
    pub url: String,
    pub from: String,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("url", &redact_url(&self.url))
            .field("from", &self.from)
            .finish()
    }
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
            .field("import_max_mb", &self.import_max_mb)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_max_hours", &self.session_max_hours)
            .field("sign_in_failures_per_ip", &self.sign_in_failures_per_ip)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("intake_team", &self.intake_team)
            .field("rate_limits", &self.rate_limits)
            .field("timeouts", &self.timeouts)
            .field("key_refresh", &self.key_refresh)
            .field("retention", &self.retention)
            .field("smtp", &self.smtp)
            .field("backup", &self.backup)
            .field("database", &self.database)
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
        let import_max_mb = args
            .import_max_mb
            .or(file.import_max_mb)
            .unwrap_or(shared::api::imports::MAX_IMPORT_MB);
        if !(1..=shared::api::imports::IMPORT_MB_CEILING).contains(&import_max_mb) {
            return Err(ConfigError::Invalid {
                name: "import_max_mb",
                reason: format!("from 1 to {} MiB", shared::api::imports::IMPORT_MB_CEILING),
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
        let retention = crate::retention::Settings::new(
            !(args.no_retention_schedule || file.no_retention_schedule.unwrap_or(false)),
            args.retention_interval_hours
                .or(file.retention_interval_hours),
            args.retention_at.clone().or(file.retention_at).as_deref(),
            args.withdrawal_grace_days.or(file.withdrawal_grace_days),
        )
        .map_err(|reason| ConfigError::Invalid {
            name: "retention_at",
            reason,
        })?;
        let requests = request_policy(
            args.request_due.clone().or(file.request_due).as_deref(),
            args.request_extension
                .clone()
                .or(file.request_extension)
                .as_deref(),
        )?;
        let smtp = match (
            args.smtp_url.clone().or(file.smtp_url),
            args.smtp_from.clone().or(file.smtp_from),
        ) {
            (None, _) => None,
            (Some(url), from) => {
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(ConfigError::Invalid {
                        name: "smtp_url",
                        reason: "an smtp:// or smtps:// URL".to_owned(),
                    });
                }
                let from = from.ok_or(ConfigError::Invalid {
                    name: "smtp_from",
                    reason: "the sender of alert e-mails, needed with smtp_url".to_owned(),
                })?;
                Some(Smtp { url, from })
            }
        };
        let backup = crate::backup::Settings {
            scheduled: !(args.no_backup_schedule || file.no_backup_schedule.unwrap_or(false)),
            dir: args
                .backup_dir
                .clone()
                .or(file.backup_dir)
                .unwrap_or_else(|| data_dir.join("backups")),
            offsite_dir: args.backup_offsite_dir.clone().or(file.backup_offsite_dir),
            interval_hours: args
                .backup_interval_hours
                .or(file.backup_interval_hours)
                .unwrap_or(24)
                .clamp(1, 24 * 31),
            keep_days: args
                .backup_keep_days
                .or(file.backup_keep_days)
                .unwrap_or(30)
                .clamp(1, 3650),
            scratch_url: args.backup_scratch_url.clone().or(file.backup_scratch_url),
        };
        let database = crate::store::DbSettings {
            max_connections: args.db_max_connections.or(file.db_max_connections),
            statement_timeout: match args
                .db_statement_timeout_seconds
                .or(file.db_statement_timeout_seconds)
            {
                None => Some(Duration::from_secs(60)),
                Some(0) => None,
                Some(s) => Some(Duration::from_secs(u64::from(s))),
            },
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
            import_max_mb,
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
            retention,
            requests,
            smtp,
            backup,
            database,
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
        // Tests ask for backups themselves (`tests/tests/e2e/backups.rs`).
        let backup = crate::backup::Settings {
            scheduled: false,
            ..crate::backup::Settings::in_dir(&data_dir)
        };
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: "http://127.0.0.1".to_owned(),
            database_url,
            master_key_file: data_dir.join("master.key"),
            previous_master_key_file: None,
            data_dir,
            static_dir,
            max_body_bytes: 1024 * 1024,
            import_max_mb: shared::api::imports::MAX_IMPORT_MB,
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
            // Tests start runs themselves, with the clock where they want it.
            retention: crate::retention::Settings {
                scheduled: false,
                ..crate::retention::Settings::default()
            },
            requests: shared::requests::RequestPolicy::default(),
            smtp: None,
            backup,
            database: crate::store::DbSettings::default(),
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
mod tests;

/// The deadlines of data-subject requests from the configuration's texts.
fn request_policy(
    due: Option<&str>,
    extension: Option<&str>,
) -> Result<shared::requests::RequestPolicy, ConfigError> {
    use shared::requests::{DuePeriod, RequestPolicy};
    let defaults = RequestPolicy::default();
    let due = match due {
        None => defaults.due,
        Some(text) => DuePeriod::parse(text).map_err(|reason| ConfigError::Invalid {
            name: "request_due",
            reason,
        })?,
    };
    let extension = match extension.map(str::trim) {
        None => defaults.extension,
        Some("none" | "") => None,
        Some(text) => Some(
            DuePeriod::parse(text).map_err(|reason| ConfigError::Invalid {
                name: "request_extension",
                reason,
            })?,
        ),
    };
    Ok(RequestPolicy { due, extension })
}
