//! A morning rush (requirement P6, `docs/requirements.md`): 200 kiosks, a school of students,
//! badge sign-ins from every kiosk at once with 15% bad badges mixed in (5% voided, 5% forged,
//! 5% a real badge id with a wrong secret). Prints throughput, latency percentiles, wrong
//! answers (a sign-in for the wrong child, or a refusal whose problem code is not the one that
//! badge deserves; must be 0), `rate_limited` answers (must be 0, see below) and 5xx answers
//! (must be 0), on SQLite and (when `BADGEIN_TEST_POSTGRES` holds a server URL) on PostgreSQL,
//! and each database's durability settings: the numbers mean little without them (the test
//! PostgreSQL cluster runs with `fsync=off`).
//!
//! The kiosks here present a badge as fast as the machine answers, far faster than children
//! walk, so the bench does not run the production per-kiosk limit (`Config::kiosk_rate`, sized
//! for real kiosks). Each kiosk's bucket instead holds exactly the attempts the plan gives it
//! (refilled at 1 a second): a `rate_limited` answer means the limiter charged a kiosk for more
//! than it sent.
//!
//! Before the timed rush, 500 sign-ins one at a time count the SQL statements each one runs
//! (sqlx's statement log; transaction BEGIN/COMMIT are not statements there). During the rush,
//! SQLite's group commits are counted.
//!
//! The timed rush comes from a load client in a process of its own (this binary again, with
//! `--load-client`), so that its work is not on the server's runtime: every kiosk is one task
//! with one connection of its own, sending its sign-ins one after another as a kiosk does. The
//! client still shares the machine's cores with the server; the load average is printed.
//!
//! On PostgreSQL the rush runs twice, on fresh databases: against one instance, and against two
//! instances on the one database (`postgres x2`), each kiosk's sign-ins alternating between them
//! as behind a load balancer without sticky sessions (docs/deploy.md, "Running more than one
//! instance"). Both instances run in this process, on its runtime and the same cores: the
//! second row shows what sharing the database costs, not what a second machine would add.
//!
//!     cargo bench -p badgein-portal --bench rush
//!     RUSH_SIGN_INS=50000 cargo bench -p badgein-portal --bench rush

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use badgein_portal::config::Rate;
use badgein_portal::{Config, Portal, SystemClock, VoidScope, spawn};
use badgein_proto::SignIn;

#[path = "support/client_process.rs"]
mod client_process;
#[path = "support/durability.rs"]
mod durability;
mod support;

const KIOSKS: usize = 200;
const STUDENTS: usize = 2000;
/// Sign-ins made one at a time to count statements, before the timed rush.
const PROFILED: usize = 500;

/// Counts sqlx's statement events while `on`, and the portal's group commits always.
#[derive(Clone, Default)]
struct Counters {
    on: Arc<AtomicBool>,
    statements: Arc<AtomicUsize>,
    groups: Arc<AtomicUsize>,
}

impl<S: Subscriber> Layer<S> for Counters {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let target = event.metadata().target();
        if target == "sqlx::query" && self.on.load(Ordering::Relaxed) {
            self.statements.fetch_add(1, Ordering::Relaxed);
        } else if target.ends_with("group_commit") {
            self.groups.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn main() -> anyhow::Result<()> {
    match client_process::plan_file() {
        Some(plan_file) => load_client(&plan_file?),
        None => server(),
    }
}

/// The server side: the portal, its database and the statement count, in this process.
#[tokio::main]
async fn server() -> anyhow::Result<()> {
    let sign_ins = support::env_or("RUSH_SIGN_INS", 20_000);
    // The statement count runs over one shared client, before the timed rush.
    let concurrency = KIOSKS;
    let counters = Counters::default();
    // Statement events are wanted only while counting: the filter is swapped off for the rush.
    let (filter, statements_filter) = tracing_subscriber::reload::Layer::new(
        tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::DEBUG)
            .with_target("badgein_portal::store::group_commit", tracing::Level::DEBUG),
    );
    tracing_subscriber::registry()
        .with(counters.clone().with_filter(filter))
        .init();
    let probe = Probe {
        counters,
        count_statements: Box::new(move |on| {
            let mut targets = tracing_subscriber::filter::Targets::new()
                .with_target("badgein_portal::store::group_commit", tracing::Level::DEBUG);
            if on {
                targets = targets.with_target("sqlx::query", tracing::Level::DEBUG);
            }
            let _ = statements_filter.reload(targets);
        }),
    };
    println!(
        "{KIOSKS} kiosks (one connection each, in a load-client process), {sign_ins} sign-ins; \
         times in ms"
    );
    println!(
        "backend       sign-ins/s   p50 ms   p95 ms   p99 ms   ok   refused   wrong   429   5xx   \
         sign-ins per commit   load average before"
    );
    let dir = std::env::temp_dir().join(format!("badgein-rush-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = dir.join("rush.db").display().to_string();
    rush("sqlite", &sqlite, 1, sign_ins, concurrency, &probe).await?;
    std::fs::remove_dir_all(&dir)?;
    if let Ok(admin) = std::env::var("BADGEIN_TEST_POSTGRES") {
        let mut rates = Vec::new();
        for instances in [1, 2] {
            let name = format!("badgein_rush_{}_{instances}", std::process::id());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let (base, _) = admin.rsplit_once('/').unwrap_or((&admin, ""));
            let backend = if instances == 1 {
                "postgres"
            } else {
                "postgres x2"
            };
            let db = format!("{base}/{name}");
            rates.push(rush(backend, &db, instances, sign_ins, concurrency, &probe).await?);
        }
        println!(
            "postgres: one instance {:.0} sign-ins/s, two instances {:.0} sign-ins/s ({:.2}x)",
            rates[0],
            rates[1],
            rates[1] / rates[0]
        );
    }
    Ok(())
}

struct Plan {
    badge: String,
    expect: Expect,
    kiosk: usize,
}

/// The one right answer to a planned sign-in.
#[derive(PartialEq)]
enum Expect {
    /// Accepted, greeting this first name.
    Greet(String),
    /// Refused with this problem code.
    Refuse(String),
}

impl Expect {
    /// One line of the plan file (no tabs or newlines in names or codes).
    fn write(&self) -> String {
        match self {
            Self::Greet(name) => format!("greet:{name}"),
            Self::Refuse(code) => format!("refuse:{code}"),
        }
    }

    fn read(text: &str) -> anyhow::Result<Self> {
        match text.split_once(':') {
            Some(("greet", name)) => Ok(Self::Greet(name.to_owned())),
            Some(("refuse", code)) => Ok(Self::Refuse(code.to_owned())),
            _ => anyhow::bail!("bad expectation {text:?}"),
        }
    }
}

/// The bench's config: production in everything but the per-kiosk limit, whose bucket holds
/// what the busiest kiosk of the plan sends (see the top of this file).
fn bench_config(total: usize) -> Config {
    let per_kiosk = total.div_ceil(KIOSKS) + PROFILED.div_ceil(KIOSKS);
    Config {
        kiosk_rate: Rate {
            burst: u32::try_from(per_kiosk).unwrap_or(u32::MAX),
            per_second: 1,
        },
        ..Config::default()
    }
}

/// The counters and the switch of statement events (off for the timed part).
struct Probe {
    counters: Counters,
    count_statements: Box<dyn Fn(bool)>,
}

/// One timed rush against `instances` instances on the database `db`; returns the sign-ins a
/// second.
async fn rush(
    backend: &str,
    db: &str,
    instances: usize,
    total: usize,
    concurrency: usize,
    probe: &Probe,
) -> anyhow::Result<f64> {
    let mut config = bench_config(total);
    // The identity provider's key file: SQLite keeps it beside the database; PostgreSQL's goes
    // to the temporary directory and is removed with it.
    let key_file = std::env::temp_dir().join(format!("badgein-rush-{}.kek", std::process::id()));
    if db.starts_with("postgres") {
        config.key_file = Some(key_file.clone());
    }
    let portal = Portal::open(db, Arc::new(SystemClock), config.clone()).await?;
    println!(
        "{backend}: {}; kiosk limit for the bench: burst {}, {}/s",
        durability::durability(portal.db()).await?,
        config.kiosk_rate.burst,
        config.kiosk_rate.per_second
    );
    portal.add_school("s", "Rush Elementary").await?;
    let badges = support::students_with_badges(&portal, "s", "Rush", STUDENTS).await?;
    // Every 20th student's badge is voided (5%); another 5% of attempts are forged badges, and
    // 5% carry a real badge's id with a wrong secret.
    for i in (0..STUDENTS).step_by(20) {
        portal
            .void_badges(&VoidScope::User(format!("stu{i}").into()))
            .await?;
    }
    let running = spawn(portal.clone(), "127.0.0.1:0").await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let mut credentials = Vec::with_capacity(KIOSKS);
    for k in 0..KIOSKS {
        let code = portal.enrollment_code("s").await?;
        let enrolled: badgein_proto::Enrolled = http
            .post(format!("{}/api/v1/kiosks/enroll", running.base_url()))
            .json(&serde_json::json!({"code": code, "name": format!("kiosk {k}")}))
            .send()
            .await?
            .json()
            .await?;
        credentials.push(enrolled.device_credential);
    }
    let plans: Vec<Plan> = (0..total)
        .map(|n| {
            let student = (n * 7919) % STUDENTS;
            let kiosk = n % KIOSKS;
            let random = || badgein_badge::Badge::generate().expect("OS random source");
            if n % 20 == 10 {
                Plan {
                    badge: random().encode(),
                    expect: Expect::Refuse("badge_unknown".into()),
                    kiosk,
                }
            } else if n % 20 == 15 {
                // A known id: the lookup finds the badge, and the secret must turn it away.
                let known = badgein_badge::Badge::parse(&badges[student]).expect("issued");
                let secret = *random().secret().expose_bytes();
                Plan {
                    badge: badgein_badge::Badge::from_parts(*known.id().as_bytes(), secret)
                        .encode(),
                    expect: Expect::Refuse("badge_unknown".into()),
                    kiosk,
                }
            } else if student.is_multiple_of(20) {
                Plan {
                    badge: badges[student].clone(),
                    expect: Expect::Refuse("badge_voided".into()),
                    kiosk,
                }
            } else {
                Plan {
                    badge: badges[student].clone(),
                    expect: Expect::Greet(format!("Kid{student}")),
                    kiosk,
                }
            }
        })
        .collect();
    // The second instance starts once the kiosks are enrolled, so that it knows them all (as it
    // would a minute later), and is not counted in the statements.
    let mut more = Vec::new();
    for _ in 1..instances {
        let portal = Portal::open(db, Arc::new(SystemClock), config.clone()).await?;
        more.push(spawn(portal, "127.0.0.1:0").await?);
    }
    if instances == 1 {
        statements_per_sign_in(backend, &http, &running, &credentials, &plans, probe).await?;
    }
    let urls: Vec<String> = std::iter::once(&running)
        .chain(&more)
        .map(|r| format!("{}/api/v1/sign-ins/badge", r.base_url()))
        .collect();
    let plan_file = std::env::temp_dir().join(format!("badgein-rush-plan-{}", std::process::id()));
    let mut text = format!("{}\n", urls.join("\t"));
    for plan in &plans {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            plan.kiosk,
            credentials[plan.kiosk],
            plan.badge,
            plan.expect.write()
        ));
    }
    std::fs::write(&plan_file, text)?;
    let load_before = support::load_average();
    let groups_before = probe.counters.groups.load(Ordering::Relaxed);
    let out = client_process::run(&plan_file).await?;
    std::fs::remove_file(&plan_file)?;
    let all: Summary = serde_json::from_slice(&out).context("load client's summary")?;
    let groups = probe.counters.groups.load(Ordering::Relaxed) - groups_before;
    let rate = total as f64 / all.seconds;
    println!(
        "{backend:<11} {:>10.0}   {:>6.1}   {:>6.1}   {:>6.1}   {}   {}   {}   {}   {}   {}   {}",
        rate,
        all.p50_ms,
        all.p95_ms,
        all.p99_ms,
        all.ok,
        all.refused,
        all.wrong,
        all.limited,
        all.server_errors,
        if groups > 0 {
            format!("{:.1}", total as f64 / groups as f64)
        } else {
            "-".to_owned()
        },
        load_before,
    );
    for running in more {
        let portal = running.portal().clone();
        running.stop().await?;
        portal.close().await;
    }
    running.stop().await?;
    portal.close().await;
    let _ = std::fs::remove_file(&key_file);
    Ok(rate)
}

/// What the load client reports (its stdout, as JSON).
#[derive(serde::Serialize, serde::Deserialize)]
struct Summary {
    ok: usize,
    refused: usize,
    wrong: usize,
    limited: usize,
    server_errors: usize,
    /// From the first sign-in sent to the last answer read.
    seconds: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
}

/// The load client (`--load-client PLAN_FILE`): the plan file's first line is the sign-in URL
/// of each instance (tab-separated), then one line per sign-in: kiosk, its credential, the
/// badge, the expected answer. Every kiosk is a task with a connection of its own per instance
/// that sends its sign-ins in order, each to the next instance in turn; prints a [`Summary`].
#[tokio::main]
async fn load_client(plan_file: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(plan_file)?;
    let mut lines = text.lines();
    let urls: Vec<String> = lines
        .next()
        .context("empty plan")?
        .split('\t')
        .map(str::to_owned)
        .collect();
    let mut kiosks: Vec<(String, Vec<(String, Expect)>)> = Vec::new();
    for line in lines {
        let mut fields = line.split('\t');
        let (Some(kiosk), Some(credential), Some(badge), Some(expect)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            anyhow::bail!("bad plan line");
        };
        let kiosk: usize = kiosk.parse()?;
        if kiosks.len() <= kiosk {
            kiosks.resize_with(kiosk + 1, || (String::new(), Vec::new()));
        }
        kiosks[kiosk].0 = credential.to_owned();
        kiosks[kiosk]
            .1
            .push((badge.to_owned(), Expect::read(expect)?));
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for (credential, plans) in kiosks {
        // One idle connection kept per kiosk and instance, and one request at a time: one
        // connection to each.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()?;
        let urls = urls.clone();
        workers.push(tokio::spawn(async move {
            let mut stats = Stats::default();
            for (n, (badge, expect)) in plans.iter().enumerate() {
                let t = Instant::now();
                let sent = http
                    .post(&urls[n % urls.len()])
                    .bearer_auth(&credential)
                    .json(&serde_json::json!({ "badge": badge }))
                    .send()
                    .await;
                let answer = match sent {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                        Some((status, body))
                    }
                    Err(_) => None,
                };
                stats.latencies.push(t.elapsed());
                stats.judge(expect, answer);
            }
            stats
        }));
    }
    let mut all = Stats::default();
    for w in workers {
        let s = w.await?;
        all.ok += s.ok;
        all.refused += s.refused;
        all.wrong += s.wrong;
        all.limited += s.limited;
        all.server_errors += s.server_errors;
        all.latencies.extend(s.latencies);
    }
    let seconds = started.elapsed().as_secs_f64();
    all.latencies.sort();
    let pct = |p: f64| support::percentile_ms(&all.latencies, p);
    let summary = Summary {
        ok: all.ok,
        refused: all.refused,
        wrong: all.wrong,
        limited: all.limited,
        server_errors: all.server_errors,
        seconds,
        p50_ms: pct(50.0),
        p95_ms: pct(95.0),
        p99_ms: pct(99.0),
    };
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}

#[derive(Default)]
struct Stats {
    ok: usize,
    refused: usize,
    wrong: usize,
    limited: usize,
    server_errors: usize,
    latencies: Vec<Duration>,
}

impl Stats {
    /// Counts one answer (status and body; `None`: no answer at all) against what it should be.
    fn judge(&mut self, expect: &Expect, answer: Option<(u16, Vec<u8>)>) {
        let Some((status, body)) = answer else {
            self.server_errors += 1;
            return;
        };
        if status >= 500 {
            self.server_errors += 1;
        } else if status == 200 {
            self.ok += 1;
            let who = serde_json::from_slice::<SignIn>(&body).map(|s| s.user.first_name);
            if who.ok().map(Expect::Greet).as_ref() != Some(expect) {
                self.wrong += 1;
            }
        } else if status == 429 {
            // Not a verdict on the badge: the limiter charged a kiosk more than it sent.
            self.limited += 1;
        } else {
            self.refused += 1;
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_owned));
            if !matches!(expect, Expect::Refuse(c) if code.as_deref() == Some(c.as_str())) {
                self.wrong += 1;
            }
        }
    }
}

/// Sign-ins one at a time (so every statement belongs to the one in flight), counting the
/// statements of accepted and refused ones apart.
async fn statements_per_sign_in(
    backend: &str,
    http: &reqwest::Client,
    running: &badgein_portal::RunningPortal,
    credentials: &[String],
    plans: &[Plan],
    probe: &Probe,
) -> anyhow::Result<()> {
    let url = format!("{}/api/v1/sign-ins/badge", running.base_url());
    let statements = &probe.counters.statements;
    let (mut ok, mut ok_statements, mut refused, mut refused_statements) = (0, 0, 0, 0);
    (probe.count_statements)(true);
    probe.counters.on.store(true, Ordering::Relaxed);
    for plan in plans.iter().take(PROFILED) {
        let before = statements.load(Ordering::Relaxed);
        let status = http
            .post(&url)
            .bearer_auth(&credentials[plan.kiosk])
            .json(&serde_json::json!({"badge": plan.badge}))
            .send()
            .await?
            .status();
        let used = statements.load(Ordering::Relaxed) - before;
        if status == 200 {
            ok += 1;
            ok_statements += used;
        } else {
            refused += 1;
            refused_statements += used;
        }
    }
    probe.counters.on.store(false, Ordering::Relaxed);
    (probe.count_statements)(false);
    let per = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    println!(
        "{backend}: SQL statements per sign-in (BEGIN/COMMIT not counted): accepted {:.2} \
         ({ok}), refused {:.2} ({refused})",
        per(ok_statements, ok),
        per(refused_statements, refused)
    );
    Ok(())
}
