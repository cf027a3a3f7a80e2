//! The `consentry` binary: parses the command line, sets up logging, and runs.

use anyhow::Context as _;
use clap::Parser as _;
use consentry_server::config::{Cli, Command, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(&cli.serve)?;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&config.log).context("invalid --log filter")?)
        .with_target(false)
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Config => {
            println!("{config:#?}");
            Ok(())
        }
        Command::Serve => serve(config).await,
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
