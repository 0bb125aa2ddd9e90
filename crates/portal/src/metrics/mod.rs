//! The service's Prometheus metrics, exposed by `serve --metrics-listen` only
//! (`http::metrics_listener`), never on the public listener.
//!
//! Every label has a fixed set of values (a method, an outcome code, a route group, a status
//! class, a query name), so a series never names a user, a username, a kiosk or a path with an
//! id, and every series exists from the start. The handles are made once, here: a request's
//! count is one atomic add on a counter it indexes, a latency one observation on a histogram
//! (prometheus-client guards each histogram with its own short mutex), and no label set is
//! looked up or hashed on a request.

pub mod route;
pub mod sign_in;

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use route::{RouteGroup, StatusClass};
use sign_in::{Outcome, SignInMethod, Throttled};

/// What the exposition is served as.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Two labels, both from fixed lists.
type Labels = [(&'static str, &'static str); 2];

/// A database call: 0.5 ms to 4 s, doubling.
pub(crate) fn database_seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

/// A request: 1 ms to 16 s, doubling (the request timeout is 30 s at most by default).
fn request_seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The store calls that are timed (`badgein_db_query_duration_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbQuery {
    /// A badge sign-in's read of the kiosk and the badge's owner.
    BadgeLookup,
    /// A password sign-in's read of the account.
    LoginLookup,
    /// A new session and its audit row (on SQLite: until its group commit is done).
    SessionWrite,
}

impl DbQuery {
    pub const ALL: [Self; 3] = [Self::BadgeLookup, Self::LoginLookup, Self::SessionWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadgeLookup => "badge_lookup",
            Self::LoginLookup => "login_lookup",
            Self::SessionWrite => "session_write",
        }
    }
}

/// Cheap to clone; clones share the counters.
#[derive(Debug, Clone)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    registry: Registry,
    /// [`SignInMethod`] x [`Outcome`].
    sign_ins: Vec<Counter>,
    /// [`SignInMethod`] x [`Throttled`].
    throttled: Vec<Counter>,
    /// [`RouteGroup`] x [`StatusClass`].
    requests: Vec<Histogram>,
    /// [`DbQuery`].
    queries: Vec<Histogram>,
    active_sessions: Gauge,
}

impl Metrics {
    /// Every series, at zero. `group_commit`: the SQLite group commit's own histogram
    /// (`store::Pool::group_commit_time`), registered beside the others.
    pub fn new(group_commit: Option<Histogram>) -> Self {
        let mut registry = Registry::with_prefix("badgein");
        registry.register(
            "build",
            "The running badgein-portal",
            Info::new([("version", env!("CARGO_PKG_VERSION"))]),
        );

        let sign_ins = Family::<Labels, Counter>::default();
        registry.register(
            "sign_ins",
            "Sign-ins by method (badge, password, claim, code) and result (ok, code_needed, \
             expired or the refusal's problem code)",
            sign_ins.clone(),
        );
        let outcomes: Vec<Outcome> = Outcome::all().collect();
        let sign_ins = table(&sign_ins, &SignInMethod::ALL, &outcomes, |m, o| {
            [("method", m.as_str()), ("result", o.as_str())]
        });

        let throttled = Family::<Labels, Counter>::default();
        registry.register(
            "throttled",
            "Sign-ins turned away by a rate limit or a lockout, by method and reason",
            throttled.clone(),
        );
        let throttled = table(&throttled, &SignInMethod::ALL, &Throttled::ALL, |m, t| {
            [("method", m.as_str()), ("reason", t.as_str())]
        });

        let requests = Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(
            request_seconds as fn() -> Histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request on the public listener, by route group and status class",
            Unit::Seconds,
            requests.clone(),
        );
        let requests = table(&requests, &RouteGroup::ALL, &StatusClass::ALL, |g, c| {
            [("route", g.as_str()), ("status", c.as_str())]
        });

        let queries = Family::<[(&'static str, &'static str); 1], Histogram, fn() -> Histogram>::new_with_constructor(
            database_seconds as fn() -> Histogram,
        );
        registry.register_with_unit(
            "db_query_duration",
            "Time of the sign-ins' database calls, by query",
            Unit::Seconds,
            queries.clone(),
        );
        let queries = DbQuery::ALL
            .iter()
            .map(|q| queries.get_or_create_owned(&[("query", q.as_str())]))
            .collect();

        if let Some(histogram) = group_commit {
            registry.register_with_unit(
                "db_group_commit_duration",
                "Time of each SQLite group commit's transaction, from its start to its commit",
                Unit::Seconds,
                histogram,
            );
        }

        let active_sessions = Gauge::default();
        registry.register(
            "active_sessions",
            "Sessions neither ended, expired nor idle too long, counted each minute",
            active_sessions.clone(),
        );

        Self(Arc::new(Inner {
            registry,
            sign_ins,
            throttled,
            requests,
            queries,
            active_sessions,
        }))
    }

    /// Counts a sign-in that ended with `outcome` (and, when it was one, its throttling).
    pub fn sign_in(&self, method: SignInMethod, outcome: Outcome) {
        let row = method.index();
        self.0.sign_ins[row * OUTCOMES + outcome.index()].inc();
        if let Some(throttled) = outcome.throttled() {
            self.0.throttled[row * Throttled::ALL.len() + throttled.index()].inc();
        }
    }

    /// Notes a request to `group` answered with `status` after `took`.
    pub fn request(&self, group: RouteGroup, status: u16, took: Duration) {
        let i = group.index() * StatusClass::ALL.len() + StatusClass::of(status).index();
        self.0.requests[i].observe(took.as_secs_f64());
    }

    /// Runs `work` and notes how long it took as `query` (a call dropped before it finished,
    /// at its deadline, is not noted: the request's own histogram shows it).
    pub async fn timed<T>(&self, query: DbQuery, work: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = work.await;
        self.0.queries[query as usize].observe(started.elapsed().as_secs_f64());
        out
    }

    pub fn set_active_sessions(&self, count: i64) {
        self.0.active_sessions.set(count);
    }

    /// The OpenMetrics text exposition of every series.
    pub fn exposition(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        // Writing to a String cannot fail; a metric that failed to encode would be a bug here.
        if let Err(error) = encode(&mut out, &self.0.registry) {
            tracing::error!(%error, "metrics not encoded");
        }
        out
    }
}

/// How many [`Outcome`]s there are (the sign-in table's row length).
const OUTCOMES: usize = 3 + badgein_proto::ProblemCode::ALL.len();

/// Makes the series of every pair of `rows` x `columns` in `family` and keeps their handles,
/// row by row.
fn table<R: Copy, C: Copy, M: Clone, K: MetricConstructor<M>>(
    family: &Family<Labels, M, K>,
    rows: &[R],
    columns: &[C],
    labels: impl Fn(R, C) -> Labels,
) -> Vec<M> {
    rows.iter()
        .flat_map(|r| columns.iter().map(move |c| (*r, *c)))
        .map(|(r, c)| family.get_or_create_owned(&labels(r, c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_exists_from_the_start_and_counts_where_it_should() {
        let metrics = Metrics::new(Some(database_seconds()));
        metrics.sign_in(SignInMethod::Badge, Outcome::Ok);
        metrics.sign_in(
            SignInMethod::Password,
            Outcome::Refused(badgein_proto::ProblemCode::RateLimited),
        );
        metrics.request(RouteGroup::ApiSignIn, 200, Duration::from_millis(3));
        metrics.set_active_sessions(7);
        let text = metrics.exposition();
        for line in [
            "badgein_sign_ins_total{method=\"badge\",result=\"ok\"} 1",
            "badgein_sign_ins_total{method=\"badge\",result=\"unavailable\"} 0",
            "badgein_sign_ins_total{method=\"password\",result=\"rate_limited\"} 1",
            "badgein_sign_ins_total{method=\"code\",result=\"expired\"} 0",
            "badgein_throttled_total{method=\"password\",reason=\"rate_limited\"} 1",
            "badgein_throttled_total{method=\"password\",reason=\"account_locked\"} 0",
            "badgein_http_request_duration_seconds_count{route=\"api_sign_in\",status=\"2xx\"} 1",
            "badgein_http_request_duration_seconds_count{route=\"saml\",status=\"5xx\"} 0",
            "badgein_db_query_duration_seconds_count{query=\"badge_lookup\"} 0",
            "badgein_db_group_commit_duration_seconds_count 0",
            "badgein_active_sessions 7",
            "badgein_build_info{version=\"",
        ] {
            assert!(text.contains(line), "no {line} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
        let sign_in_series = text
            .lines()
            .filter(|l| l.starts_with("badgein_sign_ins_total{"))
            .count();
        assert_eq!(sign_in_series, SignInMethod::ALL.len() * OUTCOMES);
    }

    #[test]
    fn postgres_has_no_group_commit_series() {
        let text = Metrics::new(None).exposition();
        assert!(!text.contains("group_commit"));
    }
}
