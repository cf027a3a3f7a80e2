//! The machine's own limits, measured in the same run as the product's figures: the
//! primitives a submission or a synced record costs (ed25519 with the crates and rule
//! the server uses, XChaCha20-Poly1305 through the server's own sealing, SHA-256) on
//! one core, and durable commits on SQLite and PostgreSQL at the product's settings.
//! Each is timed for [`SPAN`]; the figures travel between machines only as fractions.

use std::{
    hint::black_box,
    path::Path,
    time::{Duration, Instant},
};

use consentry_server::crypto::{DataKey, FieldContext};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::Digest as _;
use sqlx::{AnyConnection, Connection as _, Executor as _};

/// How long each figure is measured.
pub const SPAN: Duration = Duration::from_millis(1200);
/// Rows of the durable-write measurement per transaction, and per statement (as the
/// server's multi-row inserts).
const TX_ROWS: usize = 1_000;
const STATEMENT_ROWS: usize = 100;
/// What a row of a record's sealed values weighs.
pub const ROW_BYTES: usize = 2_500;
/// Signed message sizes: a consent statement's signing bytes, a receipt's.
const VERIFIED_BYTES: usize = 768;
const SIGNED_BYTES: usize = 1_536;
/// Signatures per `verify_batch` call.
const BATCH: usize = 64;

/// Per core and per second unless said otherwise.
pub struct Limits {
    pub cores: usize,
    /// ed25519 verifications, one at a time (the product's rule).
    pub verify: f64,
    /// ed25519 verifications in batches of [`BATCH`] (`ed25519_dalek::verify_batch`).
    pub verify_batch: f64,
    pub sign: f64,
    /// Public keys checked as the server checks a customer's or device's key
    /// (`DeviceKey::parse`: canonical, of prime order — a scalar multiplication).
    pub key_check: f64,
    /// Seals of `seal_bytes` bytes.
    pub seal: f64,
    pub seal_bytes: usize,
    /// Sealing throughput on 64 KiB, MB/s.
    pub seal_mb: f64,
    /// SHA-256 of 1 KiB.
    pub sha: f64,
    /// SHA-256 throughput on 64 KiB, MB/s.
    pub sha_mb: f64,
    pub sqlite: Durable,
    /// Or why PostgreSQL was not measured.
    pub postgres: Result<Durable, String>,
}

/// Durable writes of one database, whole machine.
pub struct Durable {
    /// Rows per second committed in transactions of [`TX_ROWS`].
    pub rows: f64,
    /// Single-row transactions committed per second, one after the other.
    pub commits: f64,
    /// The settings that make a commit durable, as the database reported them.
    pub settings: String,
}

impl Limits {
    /// Seconds of one core for one seal of `bytes` (the measured seal, scaled by size
    /// beyond it at the 64 KiB throughput).
    pub fn seal_seconds(&self, bytes: f64) -> f64 {
        1.0 / self.seal + (bytes - self.seal_bytes as f64).max(0.0) / (self.seal_mb * 1e6)
    }

    /// The limits as a markdown table.
    pub fn markdown(&self) -> String {
        let mut t = String::from("| limit | measured | how |\n|---|---:|---|\n");
        let mut row = |name: &str, value: String, how: &str| {
            t.push_str(&format!("| {name} | {value} | {how} |\n"));
        };
        row("cores", self.cores.to_string(), "`available_parallelism`");
        row(
            "ed25519 verify",
            format!("{}/s", thousands(self.verify)),
            &format!("one core, `verify` (RFC 8032 cofactorless, the product's rule), {VERIFIED_BYTES}-byte messages"),
        );
        row(
            "ed25519 verify, batch",
            format!("{}/s", thousands(self.verify_batch)),
            &format!("one core, `ed25519_dalek::verify_batch` of {BATCH}"),
        );
        row(
            "ed25519 sign",
            format!("{}/s", thousands(self.sign)),
            &format!("one core, {SIGNED_BYTES}-byte messages"),
        );
        row(
            "ed25519 key check",
            format!("{}/s", thousands(self.key_check)),
            "one core, `DeviceKey::parse`: canonical and of prime order, as every customer's and device's key is checked",
        );
        row(
            "XChaCha20-Poly1305 seal",
            format!("{}/s", thousands(self.seal)),
            &format!(
                "one core, the server's `DataKey::seal` of {} bytes (the mean a submission seals)",
                self.seal_bytes
            ),
        );
        row(
            "XChaCha20-Poly1305 throughput",
            format!("{:.0} MB/s", self.seal_mb),
            "one core, 64 KiB values",
        );
        row(
            "SHA-256",
            format!("{}/s", thousands(self.sha)),
            "one core, 1 KiB inputs",
        );
        row(
            "SHA-256 throughput",
            format!("{:.0} MB/s", self.sha_mb),
            "one core, 64 KiB inputs",
        );
        let durable = |t: &mut String, name: &str, d: &Result<&Durable, &String>| match d {
            Ok(d) => {
                t.push_str(&format!(
                    "| {name}, 1,000-row transactions | {} rows/s | {ROW_BYTES}-byte rows, {STATEMENT_ROWS} per statement; {} |\n",
                    thousands(d.rows),
                    d.settings
                ));
                t.push_str(&format!(
                    "| {name}, single-row commits | {}/s | one after the other |\n",
                    thousands(d.commits)
                ));
            }
            Err(why) => t.push_str(&format!("| {name} | not measured | {why} |\n")),
        };
        durable(&mut t, "SQLite", &Ok(&self.sqlite));
        durable(&mut t, "PostgreSQL", &self.postgres.as_ref());
        t
    }
}

/// Measures every limit; SQLite in a file of `dir`, PostgreSQL in a fresh database of
/// the tests' server if it answers. `seal_bytes` is the size of a sealed value.
pub async fn measure(dir: &Path, seal_bytes: usize) -> Limits {
    println!("\n== the machine's limits ({} s each)", SPAN.as_secs_f64());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let (verify, verify_batch, sign, key_check) = ed25519();
    println!(
        "ed25519:            verify {}/s, batch {}/s, sign {}/s, key check {}/s (one core)",
        thousands(verify),
        thousands(verify_batch),
        thousands(sign),
        thousands(key_check)
    );
    let (seal, seal_mb) = sealing(seal_bytes);
    let (sha, sha_mb) = sha256();
    println!(
        "seal, SHA-256:      {}/s of {seal_bytes} bytes, {seal_mb:.0} MB/s; SHA-256 {}/s of 1 KiB, {sha_mb:.0} MB/s (one core)",
        thousands(seal),
        thousands(sha)
    );
    let sqlite = sqlite(&dir.join("limits.db")).await;
    println!(
        "SQLite:             {} rows/s in 1,000-row transactions, {} single-row commits/s",
        thousands(sqlite.rows),
        thousands(sqlite.commits)
    );
    let postgres = postgres().await;
    match &postgres {
        Ok(d) => println!(
            "PostgreSQL:         {} rows/s in 1,000-row transactions, {} single-row commits/s",
            thousands(d.rows),
            thousands(d.commits)
        ),
        Err(why) => println!("PostgreSQL:         not measured: {why}"),
    }
    Limits {
        cores,
        verify,
        verify_batch,
        sign,
        key_check,
        seal,
        seal_bytes,
        seal_mb,
        sha,
        sha_mb,
        sqlite,
        postgres,
    }
}

/// Runs `op` (which does `per_call` operations) over and over for [`SPAN`]:
/// operations per second.
fn rate(per_call: usize, mut op: impl FnMut()) -> f64 {
    for _ in 0..3 {
        op();
    }
    let started = Instant::now();
    let mut calls = 0_u64;
    while started.elapsed() < SPAN {
        for _ in 0..8 {
            op();
        }
        calls += 8;
    }
    calls as f64 * per_call as f64 / started.elapsed().as_secs_f64()
}

/// Verifications (single, batch), signatures and key checks per second.
fn ed25519() -> (f64, f64, f64, f64) {
    let keys: Vec<SigningKey> = (0..BATCH)
        .map(|i| SigningKey::from_bytes(&[u8::try_from(i).unwrap_or(0) ^ 0x5a; 32]))
        .collect();
    let messages: Vec<Vec<u8>> = (0..BATCH)
        .map(|i| vec![u8::try_from(i).unwrap_or(0); VERIFIED_BYTES])
        .collect();
    let signatures: Vec<Signature> = keys.iter().zip(&messages).map(|(k, m)| k.sign(m)).collect();
    let public: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
    let mut i = 0;
    let verify = rate(1, || {
        i = (i + 1) % BATCH;
        let ok = shared::consent::verify_signature(&public[i], &messages[i], &signatures[i]);
        assert!(black_box(ok).is_ok());
    });
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let batch = rate(BATCH, || {
        let ok = ed25519_dalek::verify_batch(&refs, &signatures, &public);
        assert!(black_box(ok).is_ok());
    });
    let signed = vec![7u8; SIGNED_BYTES];
    let sign = rate(1, || {
        black_box(keys[0].sign(black_box(&signed)));
    });
    let encoded: Vec<String> = public
        .iter()
        .map(|k| shared::consent::b64(k.as_bytes()))
        .collect();
    let key_check = rate(1, || {
        i = (i + 1) % BATCH;
        let ok = shared::consent::DeviceKey::parse(black_box(&encoded[i]));
        assert!(black_box(ok).is_ok());
    });
    (verify, batch, sign, key_check)
}

/// Seals of `bytes` per second, and MB/s on 64 KiB, with the server's sealing.
fn sealing(bytes: usize) -> (f64, f64) {
    let key = DataKey::generate();
    let record_id = uuid::Uuid::now_v7().to_string();
    let context = FieldContext {
        record_id: &record_id,
        field_key: "full_name",
        key_version: 1,
    };
    let value = vec![b'x'; bytes];
    let per_second = rate(1, || {
        black_box(key.seal(&context, black_box(&value)));
    });
    let large = vec![b'x'; 64 * 1024];
    let mb = rate(1, || {
        black_box(key.seal(&context, black_box(&large)));
    }) * large.len() as f64
        / 1e6;
    (per_second, mb)
}

/// SHA-256 of 1 KiB per second, and MB/s on 64 KiB.
fn sha256() -> (f64, f64) {
    let small = vec![3u8; 1024];
    let per_second = rate(1, || {
        black_box(sha2::Sha256::digest(black_box(&small)));
    });
    let large = vec![3u8; 64 * 1024];
    let mb = rate(1, || {
        black_box(sha2::Sha256::digest(black_box(&large)));
    }) * large.len() as f64
        / 1e6;
    (per_second, mb)
}

/// A table shaped roughly like `records`: a time-ordered text key, a few columns, the
/// sealed values, and an index.
fn table_sql(table: &str) -> [String; 2] {
    [
        format!(
            "CREATE TABLE {table} (id TEXT PRIMARY KEY, form_id TEXT NOT NULL, \
             status TEXT NOT NULL, created_at_ms BIGINT NOT NULL, values_json TEXT NOT NULL)"
        ),
        format!("CREATE INDEX {table}_form ON {table} (form_id, created_at_ms)"),
    ]
}

/// `INSERT` of `rows` rows, with `$n` placeholders (both databases take them).
fn insert_sql(table: &str, rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let b = r * 5;
            format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            )
        })
        .collect();
    format!(
        "INSERT INTO {table} (id, form_id, status, created_at_ms, values_json) VALUES {}",
        values.join(", ")
    )
}

/// Committed rows per second in transactions of [`TX_ROWS`], and single-row commits
/// per second, into `table` over one connection.
async fn durable_writes(conn: &mut AnyConnection, table: &str) -> Result<(f64, f64), sqlx::Error> {
    let payload: String = "sealed-value-".repeat(ROW_BYTES / 13 + 1)[..ROW_BYTES].to_owned();
    let form = uuid::Uuid::now_v7().to_string();
    let many = insert_sql(table, STATEMENT_ROWS);
    let one = insert_sql(table, 1);
    let bind = |sql, n| bound(sql, n, &form, &payload);
    // Single rows first, while the log is small: after the batches it holds more than
    // SQLite's checkpoint threshold, and a checkpoint would stall the first commits.
    let started = Instant::now();
    let mut commits = 0_usize;
    while started.elapsed() < SPAN {
        bind(&one, 1).execute(&mut *conn).await?;
        commits += 1;
    }
    let single = commits as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut rows = 0_usize;
    while started.elapsed() < SPAN {
        let mut tx = conn.begin().await?;
        for _ in 0..TX_ROWS / STATEMENT_ROWS {
            bind(&many, STATEMENT_ROWS).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        rows += TX_ROWS;
    }
    Ok((rows as f64 / started.elapsed().as_secs_f64(), single))
}

/// `sql` with `n` rows of a record's shape bound.
fn bound<'q>(
    sql: &'q str,
    n: usize,
    form: &str,
    payload: &str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql);
    for _ in 0..n {
        q = q
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(form.to_owned())
            .bind("active")
            .bind(1_700_000_000_000_i64)
            .bind(payload.to_owned());
    }
    q
}

/// SQLite at the server's settings (`store/pool.rs`), in a file at `path`.
async fn sqlite(path: &Path) -> Durable {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    for pragma in [
        "PRAGMA page_size = 8192",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA temp_store = MEMORY",
        "PRAGMA wal_autocheckpoint = 16384",
        "PRAGMA cache_size = -8192",
    ] {
        conn.execute(pragma).await.unwrap();
    }
    for sql in table_sql("bench_rows") {
        conn.execute(sql.as_str()).await.unwrap();
    }
    let (rows, commits) = durable_writes(&mut conn, "bench_rows").await.unwrap();
    conn.close().await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Durable {
        rows,
        commits,
        settings: "WAL, `synchronous=FULL`, the server's page and cache sizes".to_owned(),
    }
}

/// PostgreSQL with `synchronous_commit=on`, in a temporary table; why not, if the
/// server does not answer.
async fn postgres() -> Result<Durable, String> {
    let url = consentry_tests::postgres_admin_url();
    sqlx::any::install_default_drivers();
    let connecting = AnyConnection::connect(&url);
    let mut conn = match tokio::time::timeout(Duration::from_secs(5), connecting).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return Err(format!("{url} unreachable: {e}")),
        Err(_) => return Err(format!("{url} did not answer in 5 s")),
    };
    conn.execute("SET synchronous_commit = on")
        .await
        .map_err(|e| e.to_string())?;
    // A table of its own, dropped afterwards: a temporary table is not WAL-logged, so
    // its commits would not wait for a flush as the product's do.
    let table = format!("bench_limits_{}", uuid::Uuid::new_v4().simple());
    for sql in table_sql(&table) {
        conn.execute(sql.as_str())
            .await
            .map_err(|e| e.to_string())?;
    }
    let measured = durable_writes(&mut conn, &table).await;
    let _ = conn.execute(format!("DROP TABLE {table}").as_str()).await;
    let (rows, commits) = measured.map_err(|e| e.to_string())?;
    let fsync: String = sqlx::query_scalar("SHOW fsync")
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|_| "?".to_owned());
    let _ = conn.close().await;
    Ok(Durable {
        rows,
        commits,
        settings: format!("`synchronous_commit=on`, `fsync={fsync}`"),
    })
}

/// `n` with a comma between thousands.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}
