//! The `consentry` binary: parses the command line, sets up logging, and runs.

use anyhow::Context as _;
use clap::Parser as _;
use consentry_server::config::{Cli, Command, Config};
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
        Command::Verify { .. } => Ok(()),
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
        let at = time::OffsetDateTime::from_unix_timestamp(e.requested_at_ms / 1000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
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
