//! The Consentry server: an axum application over SQLite or PostgreSQL.
//!
//! [`app`] builds the router from an [`AppState`]; [`start`] opens the database, runs
//! migrations and first-start seeding; [`serve`] runs the router on a listener until
//! the shutdown future completes. `main.rs` only wires these to the command line.

pub mod alerts;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bootstrap;

pub mod clock;
pub mod compliance;
pub mod config;
pub mod consent;
pub mod crypto;
pub mod error;
pub mod exports;
pub mod extract;
pub mod forms;
pub mod imports;
pub mod keys;
pub mod limits;
pub mod openapi;
pub mod receipt_cli;
pub mod records;
pub mod requests;
pub mod retention;
pub mod rotation;
pub mod spreadsheet;
pub mod state;
pub mod store;
pub mod sync;
pub mod system;
pub mod upgrade;
pub mod users;
pub mod web;

use std::{future::Future, time::Duration};

use axum::{
    extract::{ConnectInfo, DefaultBodyLimit, Request},
    handler::Handler as _,
    http::{header, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use shared::api::error::{ApiError, ErrorCode};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::error::api_error_response;
pub use crate::{
    auth::{ApiRoutes, RouteSpec},
    bootstrap::Seeded,
    config::Config,
    state::AppState,
};

/// Every API route, with the permission it declares.
#[must_use]
pub fn api_routes() -> ApiRoutes {
    ApiRoutes::new()
        .merge(system::routes())
        .merge(auth::handlers::routes())
        .merge(audit::handlers::routes())
        .merge(consent::handlers::routes())
        .merge(records::handlers::routes())
        .merge(sync::handlers::routes())
        .merge(forms::routes())
        .merge(users::routes())
        .merge(assignments::routes())
        .merge(retention::handlers::routes())
        .merge(requests::handlers::routes())
        .merge(exports::handlers::routes())
        .merge(alerts::handlers::routes())
        .merge(imports::handlers::routes())
        .merge(compliance::handlers::routes())
        .merge(compliance::documents::routes())
        .merge(backup::handlers::routes())
        .merge(openapi::routes())
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (api, table) = api_routes().into_parts();
    let api = api
        .layer(Extension(openapi::Published::new(&table)))
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::load_session,
        ))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes));
    Router::new()
        .nest(shared::api::API_PREFIX, api)
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route(
            "/.well-known/consentry-keys.json",
            get(consent::handlers::published_keys.layer(middleware::from_fn(limits::reads))),
        )
        .merge(web::router(&state))
        .layer(Extension(limits::PublicLimits::new(&state.config)))
        .layer(middleware::from_fn_with_state(
            state.config.timeouts,
            limits::deadline,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::headers::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The path only: query strings may carry personal data.
            tracing::info_span!(
                "request",
                method = %req.method(),
                path = %req.uri().path(),
                request_id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .with_state(state)
}

async fn api_not_found() -> Response {
    api_error_response(&ApiError::new(ErrorCode::NotFound, "No such API route"))
}

async fn api_method_not_allowed() -> Response {
    api_error_response(&ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This API route does not accept that method",
    ))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let mut r = api_error_response(&ApiError::new(
        ErrorCode::Internal,
        "Something went wrong on our side; it has been logged",
    ));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.into_response()
}

/// Opens the database, migrates it and seeds a first start; returns the state and
/// what was seeded (so the caller can show the first admin's password once).
pub async fn start(config: Config) -> anyhow::Result<(AppState, Seeded)> {
    let master: std::sync::Arc<dyn crypto::KeyWrapper> =
        std::sync::Arc::new(master_keyring(&config)?);
    let db = store::Db::connect_with(&config.database_url, &config.database).await?;
    db.migrate().await?;
    let keys = std::sync::Arc::new(keys::KeyRing::load(db.clone(), master.clone()).await?);
    let subkeys =
        std::sync::Arc::new(crypto::SubkeyRoot::load_or_create(&db, master.as_ref()).await?);
    upgrade::run(&db, master.as_ref(), &subkeys).await?;
    let seeded = if config.seed {
        bootstrap::seed(&db).await?
    } else {
        Seeded::default()
    };
    Ok((AppState::new(db, config, master, keys, subkeys), seeded))
}

/// The configured master key, plus the previous one while a rotation is under way.
pub fn master_keyring(config: &Config) -> Result<crypto::MasterKeyring, crypto::CryptoError> {
    let current = crypto::load_master_key(&config.master_key_file)?;
    let previous = match &config.previous_master_key_file {
        Some(path) => vec![crypto::load_existing_master_key(path)?],
        None => Vec::new(),
    };
    Ok(crypto::MasterKeyring::new(current, previous))
}

/// Serves `state` on `listener` until `shutdown` completes, then lets requests in
/// flight finish (for at most 20 seconds) and closes the database. A client gets
/// `config.timeouts.header` to send each request's headers.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let db = state.db.clone();
    let keys = state.keys.clone();
    let head_signer = audit::spawn_head_signer(db.clone(), keys.clone(), Duration::from_secs(30));
    let key_refresher = keys.clone().spawn_refresher(state.config.key_refresh);
    let checkpointer = db.spawn_checkpointer(Duration::from_millis(50));
    let retention = retention::worker::spawn(state.clone(), Duration::from_secs(5));
    let alert_sender = alerts::delivery::spawn(state.clone(), Duration::from_secs(2));
    let compliance = compliance::worker::spawn(state.clone(), Duration::from_secs(2));
    let backups = backup::worker::spawn(state.clone(), Duration::from_secs(5));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let header_timeout = state.config.timeouts.header;
    let server = serve_connections(listener, app(state), header_timeout, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut stop_rx_grace = stop_rx.clone();
    let result = tokio::select! {
        r = server => r,
        () = async move {
            let _ = stop_rx_grace.wait_for(|stopped| *stopped).await;
            tokio::time::sleep(Duration::from_secs(20)).await;
        } => {
            tracing::warn!("requests still running 20 s after shutdown began; stopping anyway");
            Ok(())
        }
    };
    head_signer.abort();
    key_refresher.abort();
    retention.abort();
    alert_sender.abort();
    compliance.abort();
    backups.abort();
    if let Some(task) = checkpointer {
        task.abort();
    }
    // Leave a signed head behind so that nothing logged before shutdown can be cut off.
    if let Err(e) = audit::sign_head(&db, &keys.snapshot()).await {
        tracing::warn!(error = %e, "could not sign the audit head at shutdown");
    }
    db.close().await;
    result
}

/// Serves `router` over HTTP/1.1 on every connection `listener` accepts until `shutdown`
/// completes; then accepts no more, lets each connection finish the request it is on,
/// and returns once all have closed.
///
/// This is `axum::serve` plus hyper's deadline for a request's headers: axum gives
/// hyper's connection builder no timer, without which `header_read_timeout` does
/// nothing, so a client that trickles its headers (slow-loris) would hold a connection
/// for ever. The deadline starts again before each request, so it also closes
/// connections left idle that long. HTTP/1 only, as before (axum's `http2` feature is
/// off); each request carries the peer's `ConnectInfo`, as `Origin` and the limits read.
async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    use tower::ServiceExt as _;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Each connection holds a receiver: the sender's `closed()` waits for them all.
    let (open_tx, open_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    wait_after_accept_error(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Each response goes out as soon as it is written. With Nagle's algorithm a
        // response written in two parts (headers, then a streamed body such as a static
        // file's) waited on a kept-alive connection for the browser's delayed ACK: a page's
        // second download arrived about 40 ms late (docs/performance.md).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let service = router
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let mut stop = stop_rx.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut connection = std::pin::pin!(connection);
            let mut stopping = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        // Clients that go away or are too slow: not the server's fault.
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection ended");
                        }
                        break;
                    }
                    _ = stop.wait_for(|stopped| *stopped), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(open);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    open_tx.closed().await;
    Ok(())
}

/// After a failed `accept`: nothing for a connection the client already dropped; for
/// anything else (out of file descriptors, say) a log line and a second's pause, so that
/// the loop does not spin while connections close, as `axum::serve` does.
async fn wait_after_accept_error(e: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Request ids: 128 random bits from the thread's CSPRNG, hex, with no system call per
/// request.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        use rand::RngCore as _;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        axum::http::HeaderValue::from_str(&hex::encode(bytes))
            .ok()
            .map(RequestId::new)
    }
}
