//! The real `consentry` binary as a child process, for tests that kill and restart it.

use std::{
    io::{BufRead as _, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

/// A port free on `127.0.0.1` at the moment, for a server to listen on.
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// The debug server binary, built first if needed (a no-op when it is up to date).
#[must_use]
pub fn server_binary() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "-q",
            "-p",
            "consentry-server",
            "--bin",
            "consentry",
        ])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the server binary failed");
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("debug/consentry")
}

/// How to start a [`ServerProcess`].
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    /// The `consentry` binary ([`server_binary`]).
    pub binary: &'a Path,
    /// Its data folder: the master key, and the SQLite file unless `database_url` says
    /// otherwise.
    pub data_dir: &'a Path,
    /// A database URL (`postgres://…`) instead of `<data_dir>/consentry.db`.
    pub database_url: Option<&'a str>,
    pub port: u16,
    /// On a first start the printed admin password and demo form are read.
    pub first_start: bool,
    /// The log filter (`warn`, `info`, …).
    pub log: &'a str,
    /// Where the log goes (appended), if anywhere.
    pub log_file: Option<&'a Path>,
    /// The time of day (UTC, `HH:MM`) of the daily retention run; `None`: runs start
    /// only from the tests, not at the day's scheduled moment.
    pub retention_at: Option<&'a str>,
    /// The built web app to serve (`dist/`); `None`: none (an empty folder of the data
    /// folder), which the API-only tests need.
    pub static_dir: Option<&'a Path>,
}

/// A running server process.
pub struct ServerProcess {
    child: Child,
    pub address: String,
    /// Printed at first start only.
    pub admin_password: Option<String>,
    pub demo_form_id: Option<String>,
    /// What it printed after [`ServerProcess::launch`] stopped reading.
    later: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ServerProcess {
    /// Starts the server on `port` over the SQLite database in `data_dir`, and waits
    /// until it is serving; on a `first_start` also reads the printed admin password and
    /// demo form.
    pub fn start(binary: &Path, data_dir: &Path, port: u16, first_start: bool) -> ServerProcess {
        Self::start_logging(binary, data_dir, port, first_start, "warn", None)
    }

    /// The same, with a log filter and the log written to `log_file`.
    pub fn start_logging(
        binary: &Path,
        data_dir: &Path,
        port: u16,
        first_start: bool,
        log: &str,
        log_file: Option<&Path>,
    ) -> ServerProcess {
        Self::launch(&Launch {
            binary,
            data_dir,
            database_url: None,
            port,
            first_start,
            log,
            log_file,
            retention_at: None,
            static_dir: None,
        })
    }

    /// Starts the server as `launch` says, and waits until it is serving.
    pub fn launch(launch: &Launch<'_>) -> ServerProcess {
        let Launch {
            binary,
            data_dir,
            database_url,
            port,
            first_start,
            log,
            log_file,
            retention_at,
            static_dir,
        } = *launch;
        let stderr = match log_file {
            Some(path) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("a log file"),
            ),
            None => Stdio::null(),
        };
        let mut command = Command::new(binary);
        command
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--log",
                log,
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--static-dir")
            .arg(static_dir.map_or_else(|| data_dir.join("no-web-app"), Path::to_owned));
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        match retention_at {
            Some(at) => command.arg("--retention-at").arg(at),
            None => command.arg("--no-retention-schedule"),
        };
        let mut child = command
            // Benchmarks and crash tests send far more from one address than a person.
            .arg("--no-rate-limits")
            // Backups are tested on their own (tests/tests/e2e/backups.rs).
            .arg("--no-backup-schedule")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the server starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
        let mut admin_password = None;
        let mut demo_form_id = None;
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                lines.read_line(&mut line).unwrap_or(0) > 0,
                "the server stopped before serving"
            );
            let l = line.trim();
            if let Some(p) = l.strip_prefix("password:") {
                admin_password = Some(p.trim().to_owned());
            }
            if let Some(url) = l.strip_prefix("Demo form (published):") {
                demo_form_id = url.trim().rsplit('/').next().map(str::to_owned);
            }
            let done = if first_start {
                demo_form_id.is_some()
            } else {
                l.starts_with("Consentry is running at")
            };
            if done {
                break;
            }
        }
        // Keep reading stdout so the server never blocks on a full pipe.
        let later = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let kept = later.clone();
        std::thread::spawn(move || {
            let mut sink = String::new();
            while lines.read_line(&mut sink).unwrap_or(0) > 0 {
                if let Ok(mut kept) = kept.lock() {
                    kept.push_str(&sink);
                }
                sink.clear();
            }
        });
        ServerProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
            admin_password,
            demo_form_id,
            later,
        }
    }

    /// The published demo form, as the public gets it (known after a first start).
    pub async fn demo_version(&self) -> shared::api::forms::VersionDetail {
        let id = self
            .demo_form_id
            .as_deref()
            .expect("the demo form is named at first start");
        let url = format!("{}/api/v1/public/forms/{id}", self.address);
        crate::expect_json(reqwest::get(url).await.unwrap(), 200).await
    }

    /// The process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server printed after [`ServerProcess::launch`] stopped reading, so far.
    /// Started with `first_start` false, that is everything after the line saying it is
    /// running: the first admin's password and the demo form when this process was the
    /// one of several starting together on an empty database to seed it.
    #[must_use]
    pub fn printed_later(&self) -> String {
        self.later.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds a staff account straight into the database file of a server started by
/// [`ServerProcess`] (which seeds only the admin), with every form assigned to it, for
/// tests and the bench to sign in and sync as.
///
/// # Panics
/// If the database cannot be opened or written.
#[allow(clippy::unwrap_used)]
pub async fn add_staff(db_url: &str, username: &str, password: &str) {
    let db = consentry_server::store::Db::connect(db_url).await.unwrap();
    let hash = consentry_server::auth::password::hash(password).unwrap();
    let id = shared::ids::UserId::from_uuid(uuid::Uuid::now_v7());
    db.insert_user(&consentry_server::store::users::NewUser {
        id,
        username,
        display_name: username,
        role: shared::api::auth::Role::Staff,
        password_hash: &hash,
        must_change_password: false,
    })
    .await
    .unwrap();
    crate::assign_every_form(&db, id).await;
    db.close().await;
}

/// The database of a server process: `<data_dir>/consentry.db` on SQLite (the data
/// folder owns it), or a fresh PostgreSQL database, dropped when this is.
pub struct ProcessDatabase {
    /// The URL the server is given.
    pub url: String,
    pg_name: Option<String>,
}

impl ProcessDatabase {
    /// A fresh, empty database of `backend` for a server whose data folder is `data_dir`.
    ///
    /// # Panics
    /// If PostgreSQL cannot be reached.
    pub async fn create(backend: crate::Backend, data_dir: &Path) -> ProcessDatabase {
        let (url, pg_name) = crate::fresh_database(backend, data_dir).await;
        ProcessDatabase { url, pg_name }
    }

    /// The URL to give the server: `None` for its default SQLite file.
    #[must_use]
    pub fn server_url(&self) -> Option<&str> {
        self.pg_name.as_ref().map(|_| self.url.as_str())
    }
}

impl Drop for ProcessDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            crate::drop_postgres_database(name);
        }
    }
}

/// `consentry verify-audit` over a server's data folder and database, as an operator
/// runs it: whether the log is intact (exit 0), and what the command printed.
///
/// # Panics
/// If the binary cannot run, or exits other than 0 or 1.
#[must_use]
pub fn verify_audit(binary: &Path, data_dir: &Path, database_url: &str) -> (bool, String) {
    let out = Command::new(binary)
        .arg("verify-audit")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--database-url")
        .arg(database_url)
        .args(["--log", "error"])
        .output()
        .expect("consentry verify-audit runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.code() {
        Some(0) => (true, text),
        Some(1) => (false, text),
        other => panic!(
            "verify-audit exited with {other:?}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
