//! Helpers for the end-to-end suites: a real server on a random port over a fresh
//! SQLite file or a fresh PostgreSQL database, and signed-in API sessions.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod a11y;
pub mod browser;
pub mod consent;
mod direct;
pub mod process;
mod session;
pub mod sync;

pub use direct::assign_every_form;
pub use session::{expect_json, Expect, Session};

use std::{path::PathBuf, sync::Once};

use consentry_server::Config;
use reqwest::{RequestBuilder, Response};
use sqlx::Connection as _;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
#[must_use]
pub fn postgres_admin_url() -> String {
    std::env::var("CONSENTRY_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The built web app (`trunk build` writes it to `dist/` at the workspace root).
#[must_use]
pub fn dist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist")
}

/// The password every test admin is given after the forced first-login change.
pub const ADMIN_PASSWORD: &str = "a long test passphrase 42";

/// The password of the accounts [`TestApp::user_with_role`] makes.
pub const USER_PASSWORD: &str = "another long test passphrase";

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
                .with_test_writer()
                .try_init();
        }
    });
}

/// A running server with its own database, stopped and cleaned up on drop.
pub struct TestApp {
    pub backend: Backend,
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub http: reqwest::Client,
    /// The generated first-login password of `admin`.
    pub first_admin_password: String,
    /// The demo form seeded at first start.
    pub demo_form_id: shared::ids::FormId,
    /// Where the SQLite file (and any generated files) live.
    pub data_dir: tempfile::TempDir,
    /// The database URL the server uses.
    pub database_url: String,
    /// The server's clock for retention: tests move it forward.
    pub clock: std::sync::Arc<consentry_server::clock::Clock>,
    pg_database: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Starts a server on `127.0.0.1:0` over a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        init_logs();
        let data_dir = tempfile::tempdir().unwrap();
        let (database_url, pg_database) = fresh_database(backend, data_dir.path()).await;
        let config =
            Config::for_tests(database_url.clone(), data_dir.path().to_owned(), dist_dir());
        let server = launch(config).await.unwrap();
        let demo_form_id = server
            .seeded
            .demo_form_id
            .expect("a fresh database seeds the demo form");
        let first_admin_password = server
            .seeded
            .admin
            .expect("a fresh database seeds an admin")
            .password;
        TestApp {
            backend,
            address: server.address,
            http: reqwest::Client::builder().build().unwrap(),
            first_admin_password,
            demo_form_id,
            data_dir,
            database_url,
            pg_database,
            shutdown: Some(server.shutdown),
            clock: server.clock,
            server: Some(server.task),
        }
    }

    /// Starts `count` servers at once over one fresh, empty database of `backend`, as
    /// replicas behind a load balancer start: they share the master key, and `tweak`
    /// changes each one's configuration. The first owns the database and files; the
    /// others are as [`TestApp::replica`] makes them.
    ///
    /// The master key exists and the migrations have run before the servers start (a
    /// deployment provides the one and runs the other; sqlx does not lock an SQLite
    /// file while migrating), so what runs at once is each server's first start. On
    /// PostgreSQL the servers are also held at their first read of the signing keys
    /// until every one waits there, as replicas on several machines may meet: sqlx's
    /// migration lock, taken even with nothing to apply, would otherwise let them
    /// through one by one.
    pub async fn spawn_replicas(
        backend: Backend,
        count: usize,
        tweak: impl Fn(&mut Config),
    ) -> Vec<TestApp> {
        init_logs();
        let data_dir = tempfile::tempdir().unwrap();
        let (database_url, mut pg_database) = fresh_database(backend, data_dir.path()).await;
        let master_key_file = data_dir.path().join("master.key");
        consentry_server::crypto::load_master_key(&master_key_file).unwrap();
        let db = consentry_server::store::Db::connect(&database_url)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let mut gate = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let mut tx = db.pool().begin().await.unwrap();
                sqlx::query("LOCK TABLE server_keys IN ACCESS EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                Some(tx)
            }
        };
        let mut dirs = vec![data_dir];
        let starts: Vec<_> = (0..count)
            .map(|i| {
                let dir = if i == 0 {
                    dirs[0].path().to_owned()
                } else {
                    dirs.push(tempfile::tempdir().unwrap());
                    dirs[i].path().to_owned()
                };
                let mut config = Config::for_tests(database_url.clone(), dir, dist_dir());
                config.master_key_file.clone_from(&master_key_file);
                tweak(&mut config);
                tokio::spawn(launch(config))
            })
            .collect();
        if let Some(tx) = gate.take() {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
            loop {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_locks \
                     WHERE NOT granted AND relation = 'server_keys'::regclass",
                )
                .fetch_one(db.pool())
                .await
                .unwrap();
                if waiting >= i64::try_from(count).unwrap() {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "only {waiting} of {count} servers came to read the keys"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            tx.rollback().await.unwrap();
        }
        db.close().await;
        let mut servers = Vec::with_capacity(count);
        for start in starts {
            servers.push(start.await.unwrap().unwrap());
        }
        let first_admin_password = servers
            .iter()
            .find_map(|s| s.seeded.admin.as_ref().map(|a| a.password.clone()))
            .expect("one server seeds an admin");
        let demo_form_id = servers
            .iter()
            .find_map(|s| s.seeded.demo_form_id)
            .expect("one server seeds the demo form");
        servers
            .into_iter()
            .zip(dirs)
            .map(|(server, data_dir)| TestApp {
                backend,
                address: server.address,
                http: reqwest::Client::builder().build().unwrap(),
                first_admin_password: first_admin_password.clone(),
                demo_form_id,
                data_dir,
                database_url: database_url.clone(),
                pg_database: pg_database.take(),
                shutdown: Some(server.shutdown),
                clock: server.clock,
                server: Some(server.task),
            })
            .collect()
    }

    /// Starts another server over this app's database, with its master key, as a second
    /// replica behind a load balancer; `tweak` changes its configuration. It owns
    /// nothing: this app's database and files must outlive it, and it cannot
    /// [`TestApp::restart`] (it would make a master key of its own).
    pub async fn replica(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(
            self.database_url.clone(),
            data_dir.path().to_owned(),
            dist_dir(),
        );
        config.master_key_file = self.data_dir.path().join("master.key");
        tweak(&mut config);
        let server = launch(config).await.unwrap();
        TestApp {
            backend: self.backend,
            address: server.address,
            http: reqwest::Client::builder().build().unwrap(),
            first_admin_password: self.first_admin_password.clone(),
            demo_form_id: self.demo_form_id,
            data_dir,
            database_url: self.database_url.clone(),
            pg_database: None,
            shutdown: Some(server.shutdown),
            clock: server.clock,
            server: Some(server.task),
        }
    }

    /// Stops the server and starts it again over the same database and files, with
    /// its configuration changed by `tweak` (say, another master key).
    pub async fn restart(&mut self, tweak: impl FnOnce(&mut Config)) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut config = Config::for_tests(
            self.database_url.clone(),
            self.data_dir.path().to_owned(),
            dist_dir(),
        );
        config.public_url = format!("http://{addr}");
        config.listen = addr;
        tweak(&mut config);
        let (state, _) = consentry_server::start(config).await?;
        self.clock = state.clock.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        self.server = Some(tokio::spawn(async move {
            let _ = consentry_server::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        }));
        self.shutdown = Some(tx);
        self.address = format!("http://{addr}");
        Ok(())
    }

    /// The published demo form, as the public gets it.
    pub async fn demo_version(&self) -> shared::api::forms::VersionDetail {
        self.anonymous()
            .get_json(&format!("/public/forms/{}", self.demo_form_id), 200)
            .await
    }

    /// Posts a customer submission to the demo form.
    pub async fn submit(&self, req: &shared::api::consent::SubmitRequest) -> Response {
        self.anonymous()
            .post(&format!("/public/forms/{}/submissions", self.demo_form_id))
            .json(req)
            .send()
            .await
            .unwrap()
    }

    /// A customer fills the demo form completely and consents to everything.
    pub async fn submit_demo(&self) -> shared::api::consent::SubmitResponse {
        let version = self.demo_version().await;
        let req = consent::signed_submission(
            &version,
            &consent::demo_answers(),
            &consent::Choices::all_demo(),
            &consent::new_key(),
            &uuid::Uuid::now_v7().to_string(),
        );
        expect_json(self.submit(&req).await, 201).await
    }

    /// The full URL of an API path such as `/auth/login`.
    #[must_use]
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// A `GET` of `path` outside the API (a page of the web app, a health check), with
    /// no session.
    pub fn fetch(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.address))
    }

    /// A caller with no session.
    #[must_use]
    pub fn anonymous(&self) -> Session {
        Session {
            http: self.http.clone(),
            address: self.address.clone(),
            cookie: None,
            info: None,
        }
    }

    /// Signs in as `username`: the session, or the refusal.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<Session, Response> {
        Session::sign_in(&self.http, &self.address, username, password).await
    }

    /// Signs in as the first admin and replaces the generated password with
    /// [`ADMIN_PASSWORD`], as a real first sign-in must.
    pub async fn admin(&self) -> Session {
        let mut session = match self.sign_in("admin", ADMIN_PASSWORD).await {
            Ok(s) => return s,
            Err(_) => self
                .sign_in("admin", &self.first_admin_password)
                .await
                .unwrap(),
        };
        session
            .change_password(&self.first_admin_password, ADMIN_PASSWORD)
            .await;
        session
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(name) = self.pg_database.take() {
            drop_postgres_database(name);
        }
    }
}

/// Drops the PostgreSQL database `name` (made by [`fresh_database`]), from a thread of
/// its own: `Drop` cannot await, and may run inside a runtime.
pub(crate) fn drop_postgres_database(name: String) {
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    })
    .join();
}

/// A fresh, empty database of `backend` (an SQLite file in `data_dir`): its URL and, on
/// PostgreSQL, its name, for its owner to drop ([`drop_postgres_database`]).
pub(crate) async fn fresh_database(
    backend: Backend,
    data_dir: &std::path::Path,
) -> (String, Option<String>) {
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}/consentry.db", data_dir.display()),
            None,
        ),
        Backend::Postgres => {
            let name = format!("consentry_t_{}", uuid::Uuid::new_v4().simple());
            let admin_url = postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("PostgreSQL must be running for the test suite (see README)");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let base = admin_url.rsplit_once('/').unwrap().0;
            (format!("{base}/{name}"), Some(name))
        }
    }
}

/// A server started by [`launch`].
struct Launched {
    /// `http://127.0.0.1:<port>`
    address: String,
    clock: std::sync::Arc<consentry_server::clock::Clock>,
    seeded: consentry_server::Seeded,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts a server over `config` on `127.0.0.1:0` and serves until told to stop.
async fn launch(mut config: Config) -> anyhow::Result<Launched> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    config.public_url = format!("http://{addr}");
    config.listen = addr;
    let (state, seeded) = consentry_server::start(config).await?;
    let clock = state.clock.clone();
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        consentry_server::serve(listener, state, async {
            let _ = stop.await;
        })
        .await
        .unwrap();
    });
    Ok(Launched {
        address: format!("http://{addr}"),
        clock,
        seeded,
        shutdown,
        task,
    })
}

/// Runs a test body once against SQLite and once against PostgreSQL.
///
/// ```ignore
/// story!(signs_in, |app| { let admin = app.admin().await; ... });
/// ```
#[macro_export]
macro_rules! story {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::TestApp::spawn($crate::Backend::Sqlite).await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $crate::TestApp::spawn($crate::Backend::Postgres).await;
                $body
            }
        }
    };
}
