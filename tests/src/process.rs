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

/// A running server process.
pub struct ServerProcess {
    child: Child,
    pub address: String,
    /// Printed at first start only.
    pub admin_password: Option<String>,
    pub demo_form_id: Option<String>,
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
        let stderr = match log_file {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("a log file")),
            None => Stdio::null(),
        };
        let mut child = Command::new(binary)
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
            .arg(data_dir.join("no-web-app"))
            // Benchmarks and crash tests send far more from one address than a person.
            .arg("--no-rate-limits")
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
        std::thread::spawn(move || {
            let mut sink = String::new();
            while lines.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        ServerProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
            admin_password,
            demo_form_id,
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
/// [`ServerProcess`] (which seeds only the admin), for tests and the bench to sign in as.
///
/// # Panics
/// If the database cannot be opened or written.
#[allow(clippy::unwrap_used)]
pub async fn add_staff(db_url: &str, username: &str, password: &str) {
    let db = consentry_server::store::Db::connect(db_url).await.unwrap();
    let hash = consentry_server::auth::password::hash(password).unwrap();
    db.insert_user(&consentry_server::store::users::NewUser {
        id: shared::ids::UserId::from_uuid(uuid::Uuid::now_v7()),
        username,
        display_name: username,
        role: shared::api::auth::Role::Staff,
        password_hash: &hash,
        must_change_password: false,
    })
    .await
    .unwrap();
    db.close().await;
}
