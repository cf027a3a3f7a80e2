//! Abuse control at the edge: a budget of requests per client address for each kind of
//! public route, and a deadline for handling each request, its body included.
//!
//! A public route names the budget it draws on where it is declared
//! (`submit.layer(from_fn(limits::submissions))` in `consent/handlers.rs`); [`crate::app`]
//! hands every route the budgets as a request extension, [`PublicLimits`]. A request
//! over budget is answered `429 rate_limited` with `Retry-After` before its body is read.
//! [`deadline`] answers `408 timeout` when a request takes longer than allowed. The
//! deadline for a request's headers (slow-loris) is hyper's, set on each connection by
//! [`crate::serve`].
//!
//! Budgets live in memory, one set per replica: behind a load balancer with N replicas
//! an address may send N times the configured rate. That is enough to keep one client
//! from flooding the service, which is all they are for; the sign-in throttle, which
//! guards passwords, counts in the database instead (`auth::throttle`).
//!
//! The limiter is GCRA (the generic cell rate algorithm: one instant per address) over a
//! `HashMap` behind a `Mutex`, written here rather than taken from `governor` (through
//! `tower_governor`) because it is short and fits where the crate does not: it keys by
//! [`client_ip`] (trusted proxies only) with IPv6 grouped by /64, it refuses in the
//! API's JSON error shape through [`AppError::RateLimited`] (as the sign-in throttle
//! does), its memory is capped, idle addresses being dropped, and it takes the time as an
//! argument, so its arithmetic is tested without sleeping.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use shared::api::{
    error::{ApiError, ErrorCode},
    API_PREFIX,
};

use crate::{
    config::{Config, Timeouts},
    error::{api_error_response, AppError},
    extract::client_ip,
};

/// The most addresses one budget tracks at once (a few MiB).
const CAPACITY: usize = 100_000;

/// How often a budget drops the addresses whose allowance is whole again.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Requests allowed from one address: `burst` at once, then one per `interval`.
#[derive(Debug)]
pub struct AddressBudget {
    interval: Duration,
    /// How far an address's `full_at` may run ahead of now: `burst - 1` intervals.
    tolerance: Duration,
    /// The most addresses tracked at once.
    capacity: usize,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    /// When each address's allowance is whole again (GCRA's "theoretical arrival time").
    /// An address whose instant has passed is as good as absent, so sweeps drop it.
    full_at: HashMap<IpAddr, Instant>,
    swept_at: Option<Instant>,
}

impl Table {
    fn sweep(&mut self, now: Instant) {
        self.full_at.retain(|_, full_at| *full_at > now);
        self.swept_at = Some(now);
    }
}

impl AddressBudget {
    /// `per_minute` requests a minute, a third of them (at least one) at once.
    #[must_use]
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        Self::new(
            Duration::from_secs(60) / per_minute,
            (per_minute / 3).max(1),
            CAPACITY,
        )
    }

    /// `burst` requests at once, then one per `interval`; at most `capacity` addresses
    /// tracked.
    #[must_use]
    pub fn new(interval: Duration, burst: u32, capacity: usize) -> Self {
        Self {
            interval,
            tolerance: interval * (burst.max(1) - 1),
            capacity,
            table: Mutex::default(),
        }
    }

    /// Takes one request at `now` from the allowance of `client`'s address (its /64 for
    /// IPv6), or says how long until one is allowed.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = crate::extract::address_group(client);
        // Nothing below can panic while the lock is held; a poisoned table is still whole.
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if table
            .swept_at
            .is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_EVERY)
        {
            table.sweep(now);
        }
        let full_at = match table.full_at.get(&key) {
            Some(&full_at) if full_at > now => full_at,
            _ => now,
        };
        let ahead = full_at - now;
        if ahead > self.tolerance {
            return Err(ahead - self.tolerance);
        }
        if table.full_at.len() >= self.capacity && !table.full_at.contains_key(&key) {
            table.sweep(now);
            if table.full_at.len() >= self.capacity {
                // More clients busy at once than the table holds: a spread that limits
                // per address cannot stop. Refusing a newcomer for the others' traffic
                // would be worse than letting it through untracked.
                return Ok(());
            }
        }
        table.full_at.insert(key, full_at + self.interval);
        Ok(())
    }

    /// How many addresses are tracked.
    #[must_use]
    pub fn tracked(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .full_at
            .len()
    }
}

/// Whole seconds to wait, rounded up, at least one (for `Retry-After`).
fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The budgets of the public routes, given to every request as an extension by
/// [`crate::app`]; without budgets (the limits turned off) every request passes.
#[derive(Clone, Default)]
pub struct PublicLimits(Option<Arc<Budgets>>);

struct Budgets {
    submissions: AddressBudget,
    withdrawals: AddressBudget,
    reads: AddressBudget,
    trusted_proxies: Vec<ipnet::IpNet>,
}

/// Which budget a route draws on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Submission,
    Withdrawal,
    Read,
}

impl PublicLimits {
    /// The budgets `config` sets.
    #[must_use]
    pub fn new(config: &Config) -> Self {
        Self(config.rate_limits.map(|rates| {
            Arc::new(Budgets {
                submissions: AddressBudget::per_minute(rates.submissions),
                withdrawals: AddressBudget::per_minute(rates.withdrawals),
                reads: AddressBudget::per_minute(rates.reads),
                trusted_proxies: config.trusted_proxies.clone(),
            })
        }))
    }

    /// How long `req`'s client must wait before `kind` allows it a request, if at all.
    fn refusal(&self, kind: Kind, req: &Request) -> Option<Duration> {
        let budgets = self.0.as_deref()?;
        let ConnectInfo(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>()?;
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let client = client_ip(peer.ip(), forwarded, &budgets.trusted_proxies);
        let budget = match kind {
            Kind::Submission => &budgets.submissions,
            Kind::Withdrawal => &budgets.withdrawals,
            Kind::Read => &budgets.reads,
        };
        budget.take(client, Instant::now()).err()
    }
}

/// Middleware of customer submissions: their per-address budget.
pub async fn submissions(req: Request, next: Next) -> Response {
    limit(Kind::Submission, req, next).await
}

/// Middleware of consent withdrawals: their per-address budget.
pub async fn withdrawals(req: Request, next: Next) -> Response {
    limit(Kind::Withdrawal, req, next).await
}

/// Middleware of the public reads (consent status, receipt verification, the published
/// keys): their shared per-address budget.
pub async fn reads(req: Request, next: Next) -> Response {
    limit(Kind::Read, req, next).await
}

async fn limit(kind: Kind, req: Request, next: Next) -> Response {
    let refusal = req
        .extensions()
        .get::<PublicLimits>()
        .and_then(|limits| limits.refusal(kind, &req));
    match refusal {
        None => next.run(req).await,
        Some(wait) => {
            let retry_after_secs = whole_seconds(wait);
            tracing::info!(
                budget = ?kind,
                retry_after_secs,
                "request refused: over this address's budget"
            );
            AppError::RateLimited { retry_after_secs }.into_response()
        }
    }
}

/// Stops a request that takes longer than `timeouts` allow, reading its body included
/// (`POST /sync` gets the longer `sync` time), and answers `408 timeout`, closing the
/// connection. Stopping a handler is what a client that goes away does too, and
/// handlers are written for it: a submission is stored by the writer task or not at
/// all, a sync batch is stored whole or not at all, and a retry gets the same receipt.
pub async fn deadline(State(timeouts): State<Timeouts>, req: Request, next: Next) -> Response {
    let allowed = if req.uri().path().strip_prefix(API_PREFIX) == Some("/sync") {
        timeouts.sync
    } else {
        timeouts.request
    };
    match tokio::time::timeout(allowed, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                seconds = allowed.as_secs(),
                "request stopped: it took longer than allowed"
            );
            let mut response = api_error_response(&ApiError::generic(
                ErrorCode::Timeout,
                "The request took too long and was stopped; try again",
            ));
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_burst_passes_then_one_request_per_interval() {
        // 30 a minute: one every 2 s, 10 at once.
        let budget = AddressBudget::per_minute(30);
        let t0 = Instant::now();
        let client = ip("203.0.113.7");
        for _ in 0..10 {
            assert_eq!(budget.take(client, t0), Ok(()));
        }
        assert_eq!(budget.take(client, t0), Err(2 * SECOND));
        // Half an interval later: still refused, for the other half.
        assert_eq!(budget.take(client, t0 + SECOND), Err(SECOND));
        // A whole interval: one more, and only one.
        assert_eq!(budget.take(client, t0 + 2 * SECOND), Ok(()));
        assert_eq!(budget.take(client, t0 + 2 * SECOND), Err(2 * SECOND));
        // Refusals take nothing: waiting as told is enough.
        assert_eq!(budget.take(client, t0 + 4 * SECOND), Ok(()));
    }

    #[test]
    fn an_idle_address_gets_its_whole_burst_back() {
        let budget = AddressBudget::new(SECOND, 3, 10);
        let t0 = Instant::now();
        let client = ip("198.51.100.1");
        for _ in 0..3 {
            budget.take(client, t0).unwrap();
        }
        assert!(budget.take(client, t0).is_err());
        let later = t0 + 3 * SECOND;
        for _ in 0..3 {
            assert_eq!(budget.take(client, later), Ok(()));
        }
        assert_eq!(budget.take(client, later), Err(SECOND));
    }

    #[test]
    fn a_steady_client_below_the_rate_is_never_refused() {
        let budget = AddressBudget::new(2 * SECOND, 1, 10);
        let t0 = Instant::now();
        for n in 0..100 {
            assert_eq!(budget.take(ip("192.0.2.1"), t0 + 2 * n * SECOND), Ok(()));
        }
    }

    #[test]
    fn addresses_are_counted_apart_and_ipv6_by_its_64_bit_prefix() {
        let budget = AddressBudget::new(SECOND, 1, 10);
        let t0 = Instant::now();
        budget.take(ip("203.0.113.7"), t0).unwrap();
        assert!(budget.take(ip("203.0.113.7"), t0).is_err());
        assert_eq!(budget.take(ip("203.0.113.8"), t0), Ok(()));
        budget.take(ip("2001:db8:1:2::1"), t0).unwrap();
        assert!(budget.take(ip("2001:db8:1:2:ffff::9"), t0).is_err());
        assert_eq!(budget.take(ip("2001:db8:1:3::1"), t0), Ok(()));
        // An IPv4 address mapped into IPv6 is the IPv4 address.
        assert!(budget.take(ip("::ffff:203.0.113.7"), t0).is_err());
    }

    #[test]
    fn memory_is_bounded_and_a_full_table_lets_newcomers_through() {
        let budget = AddressBudget::new(SECOND, 1, 3);
        let t0 = Instant::now();
        for last in 1..=3 {
            budget.take(ip(&format!("192.0.2.{last}")), t0).unwrap();
        }
        assert_eq!(budget.tracked(), 3);
        // Full of busy addresses: a fourth passes, untracked, however often.
        for _ in 0..3 {
            assert_eq!(budget.take(ip("192.0.2.4"), t0), Ok(()));
        }
        assert_eq!(budget.tracked(), 3);
        // The tracked ones are still limited.
        assert!(budget.take(ip("192.0.2.1"), t0).is_err());
        // Once they are idle they make room.
        let later = t0 + 2 * SECOND;
        budget.take(ip("192.0.2.4"), later).unwrap();
        assert_eq!(budget.tracked(), 1);
        assert!(budget.take(ip("192.0.2.4"), later).is_err());
    }

    #[test]
    fn idle_addresses_are_swept_every_minute() {
        let budget = AddressBudget::new(SECOND, 1, 100);
        let t0 = Instant::now();
        for last in 1..=50 {
            budget.take(ip(&format!("192.0.2.{last}")), t0).unwrap();
        }
        assert_eq!(budget.tracked(), 50);
        budget.take(ip("198.51.100.1"), t0 + 30 * SECOND).unwrap();
        assert_eq!(budget.tracked(), 51, "not yet a minute");
        budget.take(ip("198.51.100.1"), t0 + 61 * SECOND).unwrap();
        assert_eq!(budget.tracked(), 1);
    }

    #[test]
    fn rates_per_minute_become_intervals_and_bursts() {
        let t0 = Instant::now();
        let client = ip("192.0.2.1");
        // 120 a minute: 40 at once, then one each half second.
        let reads = AddressBudget::per_minute(120);
        for _ in 0..40 {
            reads.take(client, t0).unwrap();
        }
        assert_eq!(reads.take(client, t0), Err(SECOND / 2));
        // 1 a minute: one, then a minute's wait.
        let rare = AddressBudget::per_minute(1);
        rare.take(client, t0).unwrap();
        assert_eq!(rare.take(client, t0), Err(60 * SECOND));
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(SECOND), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(whole_seconds(20 * SECOND), 20);
    }
}
