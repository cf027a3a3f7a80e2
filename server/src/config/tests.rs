//! Tests of the configuration: defaults, the file, the environment and flags.

#![allow(clippy::unwrap_used)]
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
