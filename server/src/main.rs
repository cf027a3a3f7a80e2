//! The `consentry` binary: parses the command line, sets up logging, and runs.

use anyhow::Context as _;
use clap::Parser as _;
use consentry_server::config::{BackupAction, Cli, Command, Config};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Verify { file, keys }) = &cli.command {
        // Offline: no configuration, database or logging needed.
        let (code, message) = consentry_server::receipt_cli::verify_file(file, keys.as_deref());
        println!("{message}");
        std::process::exit(code);
    }
    let config = Config::load(&cli.serve)?;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&config.log).context("invalid --log filter")?)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Config => {
            println!("{config:#?}");
            Ok(())
        }
        Command::Serve => serve(config).await,
        Command::VerifyAudit { keys } => verify_audit(&config, keys.as_deref()).await,
        Command::RotateSigningKey => {
            let master = consentry_server::master_keyring(&config)?;
            let db = consentry_server::store::Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let (retired, new_id) =
                consentry_server::rotation::rotate_signing_key(&db, &master).await?;
            db.close().await;
            println!(
                "new signing key {new_id}; retired {}. Running servers sign with it once they \
                 read the keys again (every --key-refresh-seconds).",
                retired.as_deref().unwrap_or("none")
            );
            Ok(())
        }
        Command::RotateMasterKey {
            new_key_file,
            chunk,
        } => {
            let old = consentry_server::master_keyring(&config)?;
            let db = consentry_server::store::Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let done =
                consentry_server::rotation::rotate(&db, &old, &new_key_file, chunk.max(1), |p| {
                    println!("re-wrapped {}/{} records", p.records_done, p.records_total);
                    std::ops::ControlFlow::Continue(())
                })
                .await?;
            db.close().await;
            println!(
                "done: {} records, {} signing keys, {} secrets now under {}.\n\
                 Restart every server with --master-key-file {} (keep the old key until then).",
                done.records_done,
                done.keys_done,
                done.secrets_done,
                new_key_file.display(),
                new_key_file.display()
            );
            Ok(())
        }
        Command::TraceExport { file } => trace_export(config, &file).await,
        Command::Backup { action } => backup(config, action).await,
        Command::Restore { file } => restore(&config, &file).await,
        Command::Verify { .. } => Ok(()),
    }
}

/// A time as RFC 3339 (UTC, seconds).
fn rfc3339(at_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The master key a backup was made under: never a new one made up on the spot.
fn existing_master(
    config: &Config,
) -> anyhow::Result<std::sync::Arc<dyn consentry_server::crypto::KeyWrapper>> {
    if std::env::var_os(consentry_server::crypto::MASTER_KEY_ENV).is_none()
        && !config.master_key_file.exists()
    {
        anyhow::bail!(
            "the master key file {} does not exist: give the master key the backup was made under \
             (--master-key-file or {})",
            config.master_key_file.display(),
            consentry_server::crypto::MASTER_KEY_ENV
        );
    }
    Ok(std::sync::Arc::new(consentry_server::master_keyring(
        config,
    )?))
}

async fn backup(mut config: Config, action: BackupAction) -> anyhow::Result<()> {
    match action {
        BackupAction::Verify { file, keys } => {
            let master = existing_master(&config)?;
            let keys = match keys {
                Some(path) => Some(
                    serde_json::from_str(&std::fs::read_to_string(&path)?)
                        .with_context(|| format!("{} is not a key set", path.display()))?,
                ),
                None => None,
            };
            let work = std::env::temp_dir();
            let url = config.database_url.clone();
            let settings = config.backup.clone();
            match consentry_server::backup::verify_file(&file, master, keys.as_ref(), &work, || {
                settings.scratch_admin_url(&url)
            })
            .await
            {
                Ok(v) => {
                    println!(
                        "backup {} verified: made {} on {:?}; {}",
                        file.display(),
                        rfc3339(v.header.created_at_ms),
                        v.header.database,
                        v.summary()
                    );
                    Ok(())
                }
                Err(consentry_server::backup::BackupError::Io(e)) => {
                    println!("cannot read {}: {e}", file.display());
                    std::process::exit(2);
                }
                Err(e) => {
                    println!("backup {} REFUSED: {e}", file.display());
                    std::process::exit(1);
                }
            }
        }
        BackupAction::Now => {
            config.seed = false;
            let (state, _) = consentry_server::start(config).await?;
            let made = consentry_server::backup::service::make(&state, None).await;
            state.db.close().await;
            let row = made?;
            let e = &row.entry;
            match e.state {
                shared::api::backups::BackupState::Done => {
                    println!(
                        "backup {} made in {} ({} bytes); off-site: {:?}{}; drill: {}",
                        e.file_name,
                        row.local_dir,
                        e.size_bytes,
                        e.offsite,
                        e.offsite_error
                            .as_deref()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default(),
                        e.drill.as_ref().map_or("not run".to_owned(), |d| {
                            format!(
                                "{} ({})",
                                if d.passed { "passed" } else { "FAILED" },
                                d.message
                            )
                        })
                    );
                    Ok(())
                }
                _ => {
                    println!("backup FAILED: {}", e.error.as_deref().unwrap_or("unknown"));
                    std::process::exit(1);
                }
            }
        }
    }
}

async fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let master = existing_master(config)?;
    match consentry_server::backup::restore(file, master, &config.database_url).await {
        Ok(v) => {
            println!(
                "restored {} into {}: {}\nStart the server as usual; run retention at once (values past their \
                 retention in the backup are erased again) and re-apply the erasures made since the backup \
                 (docs/deployment.md).",
                file.display(),
                consentry_server::config::redact_url(&config.database_url),
                v.summary()
            );
            Ok(())
        }
        Err(e) => {
            println!("restore of {} REFUSED: {e}", file.display());
            std::process::exit(1);
        }
    }
}

async fn trace_export(mut config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            println!("cannot read {}: {e}", file.display());
            std::process::exit(2);
        }
    };
    config.seed = false;
    let (state, _) = consentry_server::start(config).await?;
    let traced = match consentry_server::exports::trace::trace(&state, &bytes).await {
        Ok(t) => t,
        Err(e) => {
            println!("{}: {e}", file.display());
            std::process::exit(2);
        }
    };
    state.db.close().await;
    if traced.found.is_empty() {
        println!(
            "no export's marks found in {} rows of {}",
            traced.rows_read,
            file.display()
        );
        std::process::exit(1);
    }
    for f in &traced.found {
        let e = &f.export;
        let at = rfc3339(e.requested_at_ms);
        println!(
            "export {} by {} ({}) at {at}: form {}, {} records, {}; {} of its {} marks found, confidence {}",
            e.id,
            e.requested_by_name.as_deref().unwrap_or("?"),
            e.requested_by,
            e.form_id,
            e.rows,
            if e.unmasked { "unmasked" } else { "masked" },
            f.marks_found,
            f.marks_in_file,
            f.confidence.as_str(),
        );
    }
    Ok(())
}

async fn verify_audit(config: &Config, keys: Option<&std::path::Path>) -> anyhow::Result<()> {
    let db = consentry_server::store::Db::connect(&config.database_url).await?;
    let published = match keys {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)
            .with_context(|| format!("{} is not a key set", path.display()))?,
        None => consentry_server::audit::published_keys(&db).await?,
    };
    let report = consentry_server::audit::verify(&db, &published).await?;
    db.close().await;
    match report.first_break {
        None => {
            println!(
                "audit log intact: {} entries, {} signed heads verified",
                report.entries_checked, report.heads_checked
            );
            Ok(())
        }
        Some(broken) => {
            println!("audit log BROKEN: {broken}");
            println!(
                "({} entries verified before the break)",
                report.entries_checked
            );
            std::process::exit(1);
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    let public_url = config.public_url.clone();
    let (state, seeded) = consentry_server::start(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, "listening");
    println!("\nConsentry is running at {public_url}/");
    let backups = &state.config.backup;
    if backups.scheduled {
        println!(
            "Backups: encrypted, every {} h into {}, kept {} days; off-site copy: {}",
            backups.interval_hours,
            backups.dir.display(),
            backups.keep_days,
            backups.offsite_dir.as_ref().map_or_else(
                || "none configured (set --backup-offsite-dir)".to_owned(),
                |d| d.display().to_string()
            )
        );
    }
    if let Some(admin) = &seeded.admin {
        println!(
            "\nFirst start: an admin account was created. This password is shown once only.\n  \
             user name: {}\n  password:  {}\nYou will be asked to choose a new password at first sign-in.\n",
            admin.username, admin.password
        );
    }
    if let Some(id) = &seeded.demo_form_id {
        println!("Demo form (published): {public_url}/f/{id}\n");
    }
    consentry_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
