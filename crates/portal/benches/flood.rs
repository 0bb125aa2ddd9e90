//! The service under attack: the real `badgein-portal` binary, started as a child process on a
//! fresh SQLite file with the production Argon2 cost, while this process attacks it over
//! 127.0.0.1 and samples its memory, threads, open files and CPU from `/proc` every 100 ms.
//!
//! * `flood`: 50 kiosks sign children in by badge (each one sign-in every 250 ms on its own
//!   keep-alive connection, 200 a second in all; one kiosk stays under the production limit of
//!   5 a second) for 10 s; then for 30 s 300 more connections post made-up logins to
//!   `/login` as fast as answers come; then, once the service has settled, the kiosks alone
//!   again for 10 s. Prints the service's use per phase, the kiosks' latency and errors per
//!   phase, the flood's answers by status, and the goals (peak RSS < 256 MiB, final RSS within
//!   20% of before, kiosk p99 < 200 ms with no errors during the flood).
//! * `slowloris`: 1,000 connections each send half a request header and then nothing. Prints
//!   how many were accepted, how long the service takes to close them, and the latency of a
//!   normal `GET /login` on a new connection every 500 ms meanwhile.
//!
//! Both run by default; an argument picks one. The client shares the 2 cores with the service,
//! so its own scheduling is in the latencies; the load average is printed before each run.
//! Memory safety valve: the flood stops when the service's RSS passes `FLOOD_RSS_STOP_MIB`
//! (4096), and the service is killed if it passes `FLOOD_RSS_KILL_MIB` (5120) anyway.
//!
//!     cargo bench -p badgein-portal --bench flood
//!     cargo bench -p badgein-portal --bench flood -- slowloris
//!     FLOOD_CONNECTIONS=100 FLOOD_SECS=10 cargo bench -p badgein-portal --bench flood -- flood

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::{MissedTickBehavior, sleep};

use badgein_portal::{Config, Portal, SystemClock};

mod support;

const SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// `/proc/<pid>/stat` counts CPU time in clock ticks; USER_HZ is 100 on every Linux we run on.
const TICKS_PER_SECOND: f64 = 100.0;
/// Pause after a transport error in the flood, so that a refused or reset connection does not
/// turn a flood task into a busy loop stealing the 2 cores from the service it is measuring.
const ERROR_PAUSE: Duration = Duration::from_millis(10);
/// Tokio ends an idle blocking thread after 10 s: a thread count that has not fallen for longer
/// than that is as low as it is going to get.
const THREADS_STEADY: Duration = Duration::from_secs(12);
/// The service counts as idle below this share of one core.
const IDLE_CPU_PERCENT: f64 = 5.0;
const PROBE_EVERY: Duration = Duration::from_millis(500);

struct Settings {
    kiosks: usize,
    badges_per_kiosk: usize,
    kiosk_every: Duration,
    connections: usize,
    before: Duration,
    during: Duration,
    after: Duration,
    settle: Duration,
    timeout: Duration,
    rss_stop_mib: u64,
    rss_kill_mib: u64,
    slowloris: usize,
    slowloris_wait: Duration,
}

impl Settings {
    fn from_env() -> Self {
        let secs = |name, default| Duration::from_secs(support::env_or::<u64>(name, default));
        Self {
            kiosks: support::env_or::<u64>("FLOOD_KIOSKS", 50).max(1) as usize,
            badges_per_kiosk: support::env_or::<u64>("FLOOD_BADGES_PER_KIOSK", 25).max(1) as usize,
            kiosk_every: Duration::from_millis(support::env_or::<u64>("FLOOD_KIOSK_EVERY_MS", 250)),
            connections: support::env_or::<u64>("FLOOD_CONNECTIONS", 300) as usize,
            before: secs("FLOOD_BEFORE_SECS", 10),
            during: secs("FLOOD_SECS", 30),
            after: secs("FLOOD_AFTER_SECS", 10),
            settle: secs("FLOOD_SETTLE_SECS", 20),
            timeout: secs("FLOOD_TIMEOUT_SECS", 10),
            rss_stop_mib: support::env_or::<u64>("FLOOD_RSS_STOP_MIB", 4096),
            rss_kill_mib: support::env_or::<u64>("FLOOD_RSS_KILL_MIB", 5120),
            slowloris: support::env_or::<u64>("SLOWLORIS_CONNECTIONS", 1000) as usize,
            slowloris_wait: secs("SLOWLORIS_SECS", 60),
        }
    }
}

/// `FLOOD_SPREAD=1`: every flood request claims another client address (`X-Forwarded-For`
/// from a proxy the service trusts: only a header, all traffic stays on 127.0.0.1), as a flood
/// from many machines would, so the per-address limit does not stop it and the hashing queue
/// has to.
fn spread() -> bool {
    std::env::var("FLOOD_SPREAD").is_ok_and(|v| v == "1")
}

/// A random address in 198.18.0.0/15 (the range set aside for benchmarks).
fn spread_address() -> String {
    let mut b = [0u8; 3];
    let _ = getrandom::fill(&mut b);
    format!("198.{}.{}.{}", 18 + (b[0] & 1), b[1], b[2])
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicked task must not hide the numbers (or the child's kill) from the rest.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; the scenario names are the other arguments.
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(unknown) = picked
        .iter()
        .find(|a| !matches!(a.as_str(), "flood" | "slowloris"))
    {
        bail!("unknown scenario {unknown:?}: give flood, slowloris or nothing for both");
    }
    let wants = |name: &str| picked.is_empty() || picked.iter().any(|a| a == name);
    let settings = Settings::from_env();
    if wants("flood") {
        flood(&settings).await?;
    }
    if wants("slowloris") {
        slowloris(&settings).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The service as a child process

/// A directory removed when the bench ends, also on a panic.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("badgein-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The running `badgein-portal serve`. Dropping it kills the child (also when the bench panics
/// or returns early), so no service outlives the bench.
struct Service {
    child: Arc<Mutex<Child>>,
    pid: u32,
    base: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        kill(&self.child);
    }
}

fn kill(child: &Mutex<Child>) {
    let mut child = lock(child);
    let _ = child.kill();
    let _ = child.wait();
}

impl Service {
    async fn start(db: &Path, dir: &Path) -> anyhow::Result<Self> {
        // A free port is found by binding :0 and letting go; another program could take it in
        // between, in which case the child cannot bind and exits: try again on a new port.
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let log = dir.join("service.log");
            let child = Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
                .arg("--db")
                .arg(db)
                .arg("serve")
                .arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .args(if spread() {
                    &["--trusted-proxy", "127.0.0.1/32"][..]
                } else {
                    &[][..]
                })
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                // A file, not a pipe: a pipe nobody reads would stall a chatty service.
                .stderr(File::create(&log)?)
                .spawn()
                .context("cannot start badgein-portal")?;
            let service = Self {
                pid: child.id(),
                child: Arc::new(Mutex::new(child)),
                base: format!("http://127.0.0.1:{port}"),
            };
            if service.until_ready().await? {
                return Ok(service);
            }
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            eprintln!("the service exited before answering; its log:\n{said}");
        }
        bail!("the service did not start")
    }

    /// `true` once `GET /login` is answered; `false` if the child exited first.
    async fn until_ready(&self) -> anyhow::Result<bool> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if lock(&self.child).try_wait()?.is_some() {
                return Ok(false);
            }
            if http
                .get(format!("{}/login", self.base))
                .send()
                .await
                .is_ok()
            {
                return Ok(true);
            }
            if Instant::now() > deadline {
                bail!("the service did not answer within 30 s");
            }
            sleep(Duration::from_millis(100)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sampling the service from /proc

#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    phase: usize,
    rss_kib: u64,
    threads: u64,
    fds: u64,
    cpu_ticks: u64,
}

struct ProcUse {
    rss_kib: u64,
    threads: u64,
    fds: u64,
    cpu_ticks: u64,
}

#[cfg(target_os = "linux")]
fn read_proc(pid: u32) -> Option<ProcUse> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    // A zombie (killed, not yet reaped) has no VmRSS: it counts as gone.
    let rss_kib = field("VmRSS:")?;
    let threads = field("Threads:")?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count() as u64)
        .unwrap_or(0);
    // utime and stime are fields 14 and 15; the name in field 2 may hold spaces, so count
    // from the ')' that ends it (field 3 is the first after it).
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    Some(ProcUse {
        rss_kib,
        threads,
        fds,
        cpu_ticks: ticks(11)? + ticks(12)?,
    })
}

#[cfg(not(target_os = "linux"))]
fn read_proc(_pid: u32) -> Option<ProcUse> {
    None
}

#[cfg(target_os = "linux")]
fn open_files_limit(pid: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .ok()
        .and_then(|l| {
            l.lines()
                .find_map(|l| l.strip_prefix("Max open files"))
                .map(|v| v.split_whitespace().take(2).collect::<Vec<_>>().join("/"))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(not(target_os = "linux"))]
fn open_files_limit(_pid: &str) -> String {
    "unknown".to_owned()
}

/// Samples the service every 100 ms into the current phase, and pulls the safety valve on its
/// memory: past the stop mark the attack is to stop, past the kill mark the service is killed.
struct Monitor {
    samples: Arc<Mutex<Vec<Sample>>>,
    phase: Arc<AtomicUsize>,
    over_stop: Arc<AtomicBool>,
    killed: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Monitor {
    fn start(service: &Service, stop_mib: u64, kill_mib: u64) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let phase = Arc::new(AtomicUsize::new(0));
        let over_stop = Arc::new(AtomicBool::new(false));
        let killed = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let (samples, phase, over_stop, killed) = (
                samples.clone(),
                phase.clone(),
                over_stop.clone(),
                killed.clone(),
            );
            let (child, pid) = (service.child.clone(), service.pid);
            let started = Instant::now();
            async move {
                let mut tick = tokio::time::interval(SAMPLE_EVERY);
                tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
                loop {
                    tick.tick().await;
                    let Some(p) = read_proc(pid) else { continue };
                    let mib = p.rss_kib / 1024;
                    if mib >= stop_mib {
                        over_stop.store(true, Ordering::Relaxed);
                    }
                    if mib >= kill_mib && !killed.swap(true, Ordering::Relaxed) {
                        eprintln!("the service's RSS reached {mib} MiB: killing it");
                        // Blocking for the reap is fine: it is immediate after SIGKILL.
                        kill(&child);
                    }
                    lock(&samples).push(Sample {
                        at: started.elapsed(),
                        phase: phase.load(Ordering::Relaxed),
                        rss_kib: p.rss_kib,
                        threads: p.threads,
                        fds: p.fds,
                        cpu_ticks: p.cpu_ticks,
                    });
                }
            }
        });
        Self {
            samples,
            phase,
            over_stop,
            killed,
            task,
        }
    }

    fn set_phase(&self, phase: usize) {
        self.phase.store(phase, Ordering::Relaxed);
    }

    fn over_stop(&self) -> bool {
        self.over_stop.load(Ordering::Relaxed)
    }

    fn killed(&self) -> bool {
        self.killed.load(Ordering::Relaxed)
    }

    fn samples(&self) -> Vec<Sample> {
        lock(&self.samples).clone()
    }

    fn latest(&self) -> Option<Sample> {
        lock(&self.samples).last().copied()
    }

    /// The service's CPU use over about the last `window`, in percent of one core.
    fn cpu_over(&self, window: Duration) -> Option<f64> {
        let samples = lock(&self.samples);
        let last = samples.last()?;
        let first = samples
            .iter()
            .rev()
            .find(|s| last.at.saturating_sub(s.at) >= window)?;
        Some(cpu_percent(first, last))
    }
}

fn cpu_percent(first: &Sample, last: &Sample) -> f64 {
    let secs = (last.at - first.at).as_secs_f64();
    if secs <= 0.0 {
        return 0.0;
    }
    last.cpu_ticks.saturating_sub(first.cpu_ticks) as f64 / TICKS_PER_SECOND / secs * 100.0
}

/// The service's use in one phase: first, highest and last sample.
struct PhaseUse {
    secs: f64,
    rss: [u64; 3],
    threads: [u64; 3],
    fds_peak: u64,
    cpu_percent: f64,
}

fn phase_use(samples: &[Sample], phase: usize) -> Option<PhaseUse> {
    let of: Vec<&Sample> = samples.iter().filter(|s| s.phase == phase).collect();
    let (first, last) = (*of.first()?, *of.last()?);
    let peak = |f: fn(&Sample) -> u64| of.iter().map(|s| f(s)).max().unwrap_or(0);
    Some(PhaseUse {
        secs: (last.at - first.at).as_secs_f64(),
        rss: [first.rss_kib, peak(|s| s.rss_kib), last.rss_kib],
        threads: [first.threads, peak(|s| s.threads), last.threads],
        fds_peak: peak(|s| s.fds),
        cpu_percent: cpu_percent(first, last),
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_service_use(samples: &[Sample], phases: &[&str]) {
    println!(
        "phase      secs   RSS MiB: start     peak      end   threads: start  peak   end   \
         open fds peak   CPU % of a core"
    );
    for (i, name) in phases.iter().enumerate() {
        match phase_use(samples, i) {
            Some(u) => println!(
                "{name:<8} {:>6.1}   {:>14.1} {:>8.1} {:>8.1}   {:>14} {:>5} {:>5}   {:>13}   {:>15.0}",
                u.secs,
                mib(u.rss[0]),
                mib(u.rss[1]),
                mib(u.rss[2]),
                u.threads[0],
                u.threads[1],
                u.threads[2],
                u.fds_peak,
                u.cpu_percent
            ),
            None => println!("{name:<8}      - (no samples: not run, or the service was gone)"),
        }
    }
}

/// One sample every `every`: how memory, threads and open files moved, not only where they
/// ended.
fn print_timeline(samples: &[Sample], phases: &[&str], every: Duration) {
    let mut next = Duration::ZERO;
    let mut line = Vec::new();
    for s in samples {
        if s.at >= next {
            line.push(format!(
                "{:.0}s {} {:.0} MiB {} thr {} fds",
                s.at.as_secs_f64(),
                phases.get(s.phase).unwrap_or(&"?"),
                mib(s.rss_kib),
                s.threads,
                s.fds
            ));
            next = s.at + every;
        }
    }
    for chunk in line.chunks(4) {
        println!("  {}", chunk.join(" | "));
    }
}

// ---------------------------------------------------------------------------------------------
// Requests and their tallies

enum Outcome {
    Answer { status: u16, retry_after: bool },
    Failed(&'static str),
}

fn failure(e: &reqwest::Error) -> Outcome {
    Outcome::Failed(if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else if e.is_body() || e.is_decode() {
        "body error"
    } else {
        // Mostly a connection closed or reset by the service mid-request.
        "connection error"
    })
}

/// Sends and reads the whole answer (its time is part of the latency).
async fn answer(request: reqwest::RequestBuilder) -> Outcome {
    match request.send().await {
        Err(e) => failure(&e),
        Ok(r) => {
            let status = r.status().as_u16();
            let retry_after = r.headers().contains_key(reqwest::header::RETRY_AFTER);
            match r.bytes().await {
                Ok(_) => Outcome::Answer {
                    status,
                    retry_after,
                },
                Err(e) => failure(&e),
            }
        }
    }
}

/// Answers by status (and failures by kind) with their latencies. Failed attempts' times are
/// in the latencies too: a child at a kiosk waited that long all the same.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    by_status: BTreeMap<u16, u64>,
    failures: BTreeMap<&'static str, u64>,
    retry_after: u64,
}

impl Tally {
    fn record(&mut self, took: Duration, outcome: Outcome) {
        self.latencies.push(took);
        match outcome {
            Outcome::Answer {
                status,
                retry_after,
            } => {
                *self.by_status.entry(status).or_default() += 1;
                self.retry_after += u64::from(retry_after);
            }
            Outcome::Failed(kind) => *self.failures.entry(kind).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Self) {
        self.latencies.extend(other.latencies);
        for (k, v) in other.by_status {
            *self.by_status.entry(k).or_default() += v;
        }
        for (k, v) in other.failures {
            *self.failures.entry(k).or_default() += v;
        }
        self.retry_after += other.retry_after;
    }

    fn count(&self) -> u64 {
        self.latencies.len() as u64
    }

    fn ok(&self) -> u64 {
        self.by_status.get(&200).copied().unwrap_or(0)
    }

    /// Everything but 200, by status and failure kind.
    fn errors(&self) -> (u64, String) {
        let mut parts: Vec<String> = self
            .by_status
            .iter()
            .filter(|(s, _)| **s != 200)
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        parts.extend(self.failures.iter().map(|(k, n)| format!("{k}: {n}")));
        (self.count() - self.ok(), parts.join(", "))
    }

    fn all(&self) -> String {
        let mut parts: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        parts.extend(self.failures.iter().map(|(k, n)| format!("{k}: {n}")));
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    }

    fn sort(&mut self) {
        self.latencies.sort();
    }

    /// Nearest-rank percentile of the sorted latencies, in ms.
    fn ms(&self, p: f64) -> f64 {
        support::percentile_ms(&self.latencies, p)
    }
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    // Made-up logins need not be unpredictable: should the OS source fail, zeros will do.
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: the login flood

const BEFORE: usize = 0;
const DURING: usize = 1;
const SETTLE: usize = 2;
const AFTER: usize = 3;
const FLOOD_PHASES: [&str; 4] = ["before", "during", "settle", "after"];

struct Kiosk {
    http: reqwest::Client,
    credential: String,
    badges: Vec<String>,
}

/// A school with one badge for each of `kiosks * per_kiosk` students and an enrollment code
/// per kiosk, written with the library before the service starts (then closed: the service
/// is the only one to open the file afterwards).
async fn demo_school(
    db: &Path,
    kiosks: usize,
    per_kiosk: usize,
) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let db = db.display().to_string();
    let portal = Portal::open(&db, Arc::new(SystemClock), Config::default()).await?;
    portal.add_school("s", "Flood Elementary").await?;
    let mut badges = vec![Vec::with_capacity(per_kiosk); kiosks];
    let all = support::students_with_badges(&portal, "s", "Flood", kiosks * per_kiosk).await?;
    for (i, badge) in all.into_iter().enumerate() {
        badges[i % kiosks].push(badge);
    }
    let mut codes = Vec::with_capacity(kiosks);
    for _ in 0..kiosks {
        codes.push(portal.enrollment_code("s").await?);
    }
    portal.close().await;
    Ok((codes, badges))
}

async fn enroll(
    base: &str,
    codes: Vec<String>,
    badges: Vec<Vec<String>>,
    timeout: Duration,
) -> anyhow::Result<Vec<Kiosk>> {
    let mut kiosks = Vec::with_capacity(codes.len());
    for (k, (code, badges)) in codes.into_iter().zip(badges).enumerate() {
        // Each kiosk its own client: its own keep-alive connection, as a real kiosk has.
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(1)
            .build()?;
        let r = http
            .post(format!("{base}/api/v1/kiosks/enroll"))
            .json(&badgein_proto::EnrollRequest {
                code,
                name: format!("kiosk {k}"),
            })
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("enrolling kiosk {k}: HTTP {}", r.status());
        }
        let enrolled: badgein_proto::Enrolled = r.json().await?;
        kiosks.push(Kiosk {
            http,
            credential: enrolled.device_credential,
            badges,
        });
    }
    Ok(kiosks)
}

/// Every kiosk signs a child in every `every` (staggered, so they do not all fire at once),
/// for `length` or until `stop`. A slow answer delays that kiosk's next sign-in, as it would
/// at a real kiosk. Returns the tally and the phase's actual length.
async fn run_kiosks(
    kiosks: Arc<Vec<Kiosk>>,
    url: Arc<str>,
    every: Duration,
    length: Duration,
    stop: Arc<AtomicBool>,
) -> (Tally, Duration) {
    let started = Instant::now();
    let n = kiosks.len();
    let tasks: Vec<JoinHandle<Tally>> = (0..n)
        .map(|k| {
            let (kiosks, url, stop) = (kiosks.clone(), url.clone(), stop.clone());
            tokio::spawn(async move {
                let mut tally = Tally::default();
                let kiosk = &kiosks[k];
                sleep(every * k as u32 / n as u32).await;
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
                let mut next = 0;
                loop {
                    tick.tick().await;
                    if started.elapsed() >= length || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let badge = &kiosk.badges[next % kiosk.badges.len()];
                    next += 1;
                    let t = Instant::now();
                    let outcome =
                        answer(kiosk.http.post(&*url).bearer_auth(&kiosk.credential).json(
                            &badgein_proto::BadgeSignIn {
                                badge: badge.clone(),
                            },
                        ))
                        .await;
                    tally.record(t.elapsed(), outcome);
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        if let Ok(tally) = t.await {
            all.merge(tally);
        }
    }
    all.sort();
    (all, started.elapsed())
}

/// 300 connections posting made-up logins as fast as they are answered. Results go into a
/// shared tally as they come, so stopping (aborting the tasks) loses nothing answered.
struct Flood {
    stop: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
    tally: Arc<Mutex<Tally>>,
    in_flight: Arc<AtomicUsize>,
    started: Instant,
}

impl Flood {
    fn start(base: &str, connections: usize, timeout: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let url: Arc<str> = format!("{base}/login").into();
        let tasks = (0..connections)
            .map(|_| {
                let (stop, tally, in_flight, url) =
                    (stop.clone(), tally.clone(), in_flight.clone(), url.clone());
                tokio::spawn(async move {
                    // Each connection its own client: one keep-alive connection each, and an
                    // attacker's redirect (a login that worked) is counted, not followed.
                    let Ok(http) = reqwest::Client::builder()
                        .timeout(timeout)
                        .pool_max_idle_per_host(1)
                        .redirect(reqwest::redirect::Policy::none())
                        .build()
                    else {
                        lock(&tally).record(Duration::ZERO, Outcome::Failed("client error"));
                        return;
                    };
                    while !stop.load(Ordering::Relaxed) {
                        let form =
                            format!("username={}&password={}", random_hex(6), random_hex(10));
                        let mut request = http
                            .post(&*url)
                            .header(
                                reqwest::header::CONTENT_TYPE,
                                "application/x-www-form-urlencoded",
                            )
                            .body(form);
                        if spread() {
                            request = request.header("x-forwarded-for", spread_address());
                        }
                        in_flight.fetch_add(1, Ordering::Relaxed);
                        let t = Instant::now();
                        let outcome = answer(request).await;
                        in_flight.fetch_sub(1, Ordering::Relaxed);
                        let failed = matches!(outcome, Outcome::Failed(_));
                        lock(&tally).record(t.elapsed(), outcome);
                        if failed {
                            sleep(ERROR_PAUSE).await;
                        }
                    }
                })
            })
            .collect();
        Self {
            stop,
            tasks,
            tally,
            in_flight,
            started: Instant::now(),
        }
    }

    /// Stops at once, dropping the connections with requests still in flight (an attacker does
    /// not wait either). Returns the tally, the requests left unanswered and the flood's length.
    async fn stop(self) -> (Tally, usize, Duration) {
        self.stop.store(true, Ordering::Relaxed);
        let unanswered = self.in_flight.load(Ordering::Relaxed);
        let length = self.started.elapsed();
        for t in &self.tasks {
            t.abort();
        }
        for t in self.tasks {
            let _ = t.await;
        }
        let mut tally = std::mem::take(&mut *lock(&self.tally));
        tally.sort();
        (tally, unanswered, length)
    }
}

/// Waits until the service is idle and its thread count is back to `baseline` (or has not
/// fallen for longer than Tokio keeps an idle thread), at most `bound`.
async fn settle(monitor: &Monitor, baseline: u64, bound: Duration) -> (Duration, String) {
    let started = Instant::now();
    let mut last_threads = u64::MAX;
    let mut last_fall = Instant::now();
    loop {
        sleep(Duration::from_millis(250)).await;
        if monitor.killed() {
            return (started.elapsed(), "the service was killed".to_owned());
        }
        let Some(now) = monitor.latest() else {
            continue;
        };
        if now.threads < last_threads {
            last_fall = Instant::now();
        }
        last_threads = now.threads;
        let idle = monitor
            .cpu_over(Duration::from_secs(1))
            .is_some_and(|cpu| cpu < IDLE_CPU_PERCENT);
        if started.elapsed() >= Duration::from_secs(1) && idle {
            if now.threads <= baseline {
                return (
                    started.elapsed(),
                    format!("idle, {} threads as before the flood", now.threads),
                );
            }
            if last_fall.elapsed() >= THREADS_STEADY {
                return (
                    started.elapsed(),
                    format!(
                        "idle, {} threads not falling for {} s (before the flood: {baseline})",
                        now.threads,
                        THREADS_STEADY.as_secs()
                    ),
                );
            }
        }
        if started.elapsed() >= bound {
            return (
                started.elapsed(),
                format!(
                    "not settled within {} s ({} threads, before the flood: {baseline})",
                    bound.as_secs(),
                    now.threads
                ),
            );
        }
    }
}

fn print_kiosks(rows: &[(&str, Option<&(Tally, Duration)>)]) {
    println!(
        "phase      secs   sign-ins   ok/s   p50 ms   p95 ms   p99 ms   max ms   errors (not 200)"
    );
    for (name, row) in rows {
        let Some((t, length)) = row else {
            println!("{name:<8}      - (not run)");
            continue;
        };
        let (errors, detail) = t.errors();
        println!(
            "{name:<8} {:>6.1}   {:>8}   {:>4.0}   {:>6.1}   {:>6.1}   {:>6.1}   {:>6.1}   {errors}{}",
            length.as_secs_f64(),
            t.count(),
            t.ok() as f64 / length.as_secs_f64().max(f64::EPSILON),
            t.ms(50.0),
            t.ms(95.0),
            t.ms(99.0),
            t.ms(100.0),
            if detail.is_empty() {
                String::new()
            } else {
                format!(" ({detail})")
            }
        );
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

async fn flood(s: &Settings) -> anyhow::Result<()> {
    println!(
        "== flood: {} kiosks (one badge sign-in each every {} ms), then {} connections posting \
         made-up logins to /login for {} s, then the kiosks alone again",
        s.kiosks,
        s.kiosk_every.as_millis(),
        s.connections,
        s.during.as_secs()
    );
    println!("load average before: {}", support::load_average());
    let dir = TempDir::new("flood")?;
    let db = dir.0.join("flood.db");
    let (codes, badges) = demo_school(&db, s.kiosks, s.badges_per_kiosk).await?;
    let service = Service::start(&db, &dir.0).await?;
    let monitor = Monitor::start(&service, s.rss_stop_mib, s.rss_kill_mib);
    let kiosks = Arc::new(enroll(&service.base, codes, badges, s.timeout).await?);
    let url: Arc<str> = format!("{}/api/v1/sign-ins/badge", service.base).into();
    println!(
        "service pid {} (production Argon2 cost), {} students, client timeout {} s",
        service.pid,
        s.kiosks * s.badges_per_kiosk,
        s.timeout.as_secs()
    );

    monitor.set_phase(BEFORE);
    let before = run_kiosks(
        kiosks.clone(),
        url.clone(),
        s.kiosk_every,
        s.before,
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    let baseline_threads = phase_use(&monitor.samples(), BEFORE).map_or(0, |u| u.threads[1]);

    monitor.set_phase(DURING);
    let stop_kiosks = Arc::new(AtomicBool::new(false));
    let kiosks_during = tokio::spawn(run_kiosks(
        kiosks.clone(),
        url.clone(),
        s.kiosk_every,
        s.during,
        stop_kiosks.clone(),
    ));
    let attack = Flood::start(&service.base, s.connections, s.timeout);
    let started = Instant::now();
    let mut stopped_early = None;
    while started.elapsed() < s.during {
        sleep(SAMPLE_EVERY).await;
        if monitor.over_stop() || monitor.killed() {
            stopped_early = Some((started.elapsed(), monitor.latest()));
            break;
        }
    }
    stop_kiosks.store(true, Ordering::Relaxed);
    let (attack, unanswered, attack_length) = attack.stop().await;
    let during = kiosks_during.await?;

    monitor.set_phase(SETTLE);
    let (settle_took, settled) = settle(&monitor, baseline_threads, s.settle).await;

    monitor.set_phase(AFTER);
    let after = if monitor.killed() {
        None
    } else {
        Some(
            run_kiosks(
                kiosks.clone(),
                url.clone(),
                s.kiosk_every,
                s.after,
                Arc::new(AtomicBool::new(false)),
            )
            .await,
        )
    };
    let samples = monitor.samples();
    drop(monitor);
    drop(service);

    println!("load average after: {}", support::load_average());
    if let Some((at, sample)) = stopped_early {
        println!(
            "FLOOD STOPPED EARLY after {:.1} s: the service's RSS reached {:.0} MiB (stop mark \
             {} MiB, kill mark {} MiB)",
            at.as_secs_f64(),
            sample.map_or(0.0, |s| mib(s.rss_kib)),
            s.rss_stop_mib,
            s.rss_kill_mib
        );
    }
    println!("settling: {:.1} s, {settled}", settle_took.as_secs_f64());
    println!();
    println!("service (sampled every 100 ms from /proc/<pid>):");
    print_service_use(&samples, &FLOOD_PHASES);
    println!("every 5 s:");
    print_timeline(&samples, &FLOOD_PHASES, Duration::from_secs(5));
    println!();
    println!("kiosk badge sign-ins (POST /api/v1/sign-ins/badge):");
    print_kiosks(&[
        ("before", Some(&before)),
        ("during", Some(&during)),
        ("after", after.as_ref()),
    ]);
    println!();
    let secs = attack_length.as_secs_f64().max(f64::EPSILON);
    println!(
        "flood (POST /login, made-up logins, {} connections, {:.1} s): {} requests, {:.0}/s, \
         p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; unanswered when stopped: {unanswered}",
        s.connections,
        secs,
        attack.count(),
        attack.count() as f64 / secs,
        attack.ms(50.0),
        attack.ms(99.0),
        attack.ms(100.0),
    );
    println!("  by status: {}", attack.all());
    println!("  answers with Retry-After: {}", attack.retry_after);
    println!();

    let before_use = phase_use(&samples, BEFORE);
    let during_use = phase_use(&samples, DURING);
    let after_use = phase_use(&samples, AFTER);
    println!("goals:");
    match &during_use {
        Some(u) => println!(
            "  peak RSS during the flood < 256 MiB: {:.1} MiB, {}",
            mib(u.rss[1]),
            verdict(mib(u.rss[1]) < 256.0)
        ),
        None => println!("  peak RSS during the flood < 256 MiB: no samples"),
    }
    match (&before_use, &after_use) {
        (Some(b), Some(a)) => {
            let change = (a.rss[2] as f64 / b.rss[2].max(1) as f64 - 1.0) * 100.0;
            println!(
                "  final RSS after within 20% of before: {:.1} MiB after vs {:.1} MiB before \
                 ({change:+.0}%), {}",
                mib(a.rss[2]),
                mib(b.rss[2]),
                verdict(change.abs() <= 20.0)
            );
        }
        _ => println!(
            "  final RSS after within 20% of before: not measured (no after phase), MISSED"
        ),
    }
    let (errors, detail) = during.0.errors();
    println!(
        "  kiosk p99 during the flood < 200 ms: {:.1} ms, {}",
        during.0.ms(99.0),
        verdict(during.0.ms(99.0) < 200.0)
    );
    println!(
        "  kiosk errors during the flood = 0: {errors}{}, {}",
        if detail.is_empty() {
            String::new()
        } else {
            format!(" ({detail})")
        },
        verdict(errors == 0)
    );
    println!();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scenario 2: slowloris

const HALF_HEADER: &[u8] = b"POST /login HTTP/1.1\r\nHost: x\r\n";
const QUIET: usize = 0;
const HELD: usize = 1;
const SLOWLORIS_PHASES: [&str; 2] = ["quiet", "held"];

/// How one held connection ended.
struct Held {
    /// From the half header sent to the service closing (`None`: still open at the deadline).
    closed_after: Option<Duration>,
    /// The status line the service sent before closing, if it sent one.
    said: Option<String>,
}

/// Sends half a request header and waits (until `deadline`) for the service to close.
async fn hold(stream: TcpStream, deadline: tokio::time::Instant) -> Held {
    let sent = Instant::now();
    let mut written = 0;
    while written < HALF_HEADER.len() {
        if stream.writable().await.is_err() {
            break;
        }
        match stream.try_write(&HALF_HEADER[written..]) {
            Ok(n) => written += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    let mut said: Option<String> = None;
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout_at(deadline, async {
        loop {
            if stream.readable().await.is_err() {
                return;
            }
            match stream.try_read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    if said.is_none() {
                        let text = String::from_utf8_lossy(&buf[..n]);
                        said = text.lines().next().map(str::to_owned);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                // A reset is a close too.
                Err(_) => return,
            }
        }
    })
    .await;
    // Only now is the socket dropped: it stayed open for the whole wait.
    drop(stream);
    Held {
        closed_after: closed.is_ok().then(|| sent.elapsed()),
        said,
    }
}

/// The soft limit of open files, for the check below.
#[cfg(target_os = "linux")]
fn own_soft_limit() -> Option<u64> {
    open_files_limit("self").split('/').next()?.parse().ok()
}

#[cfg(not(target_os = "linux"))]
fn own_soft_limit() -> Option<u64> {
    None
}

async fn slowloris(s: &Settings) -> anyhow::Result<()> {
    // The bench's own sockets, the probes and the runtime's files must fit under the soft
    // limit. It is reported, not raised: the child inherits it, and it is the service's
    // handling of held connections that is measured, not the limit's.
    let mut connections = s.slowloris;
    if let Some(limit) = own_soft_limit() {
        let room = limit.saturating_sub(100) as usize;
        if connections > room {
            eprintln!(
                "open-file soft limit {limit}: holding {room} connections instead of \
                 {connections} (raise it with ulimit -n)"
            );
            connections = room;
        }
    }
    println!(
        "== slowloris: {connections} connections each send half a request header ({:?}) and \
         nothing more; GET /login on a new connection every {} ms meanwhile; wait at most {} s",
        String::from_utf8_lossy(HALF_HEADER),
        PROBE_EVERY.as_millis(),
        s.slowloris_wait.as_secs()
    );
    println!("load average before: {}", support::load_average());
    let dir = TempDir::new("slowloris")?;
    let db = dir.0.join("slowloris.db");
    {
        let portal = Portal::open(
            &db.display().to_string(),
            Arc::new(SystemClock),
            Config::default(),
        )
        .await?;
        portal.add_school("s", "Slowloris Elementary").await?;
        portal.close().await;
    }
    let service = Service::start(&db, &dir.0).await?;
    let monitor = Monitor::start(&service, s.rss_stop_mib, s.rss_kill_mib);
    println!(
        "service pid {}; open-file limits (soft/hard): bench {}, service {}",
        service.pid,
        open_files_limit("self"),
        open_files_limit(&service.pid.to_string())
    );
    monitor.set_phase(QUIET);
    sleep(Duration::from_secs(1)).await;
    monitor.set_phase(HELD);

    // Probes: a fresh connection each time (no pool), as a new visitor's browser would open,
    // each its own task so a slow answer does not delay the next one.
    let probing = Arc::new(AtomicBool::new(true));
    let prober = tokio::spawn({
        let (probing, url) = (probing.clone(), format!("{}/login", service.base));
        let http = reqwest::Client::builder()
            .timeout(s.timeout)
            .pool_max_idle_per_host(0)
            .build()?;
        async move {
            let mut probes = Vec::new();
            let mut tick = tokio::time::interval(PROBE_EVERY);
            while probing.load(Ordering::Relaxed) {
                tick.tick().await;
                let (http, url) = (http.clone(), url.clone());
                probes.push(tokio::spawn(async move {
                    let t = Instant::now();
                    let outcome = answer(http.get(url)).await;
                    (t.elapsed(), outcome)
                }));
            }
            let mut tally = Tally::default();
            for p in probes {
                if let Ok((took, outcome)) = p.await {
                    tally.record(took, outcome);
                }
            }
            tally.sort();
            tally
        }
    });

    let attack_started = Instant::now();
    let deadline = tokio::time::Instant::now() + s.slowloris_wait;
    let mut refused: BTreeMap<String, u64> = BTreeMap::new();
    let mut held = Vec::with_capacity(connections);
    // Connect in batches of 100, each connect bounded, so a service that stops accepting
    // shows up as refusals or timeouts instead of a hang.
    let addr = service.base.trim_start_matches("http://").to_owned();
    for batch in (0..connections).collect::<Vec<_>>().chunks(100) {
        let connects: Vec<_> = batch
            .iter()
            .map(|_| {
                let addr = addr.clone();
                tokio::spawn(async move {
                    tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await
                })
            })
            .collect();
        for c in connects {
            match c.await {
                Ok(Ok(Ok(stream))) => held.push(tokio::spawn(hold(stream, deadline))),
                Ok(Ok(Err(e))) => *refused.entry(e.kind().to_string()).or_default() += 1,
                Ok(Err(_)) => *refused.entry("connect timeout".to_owned()).or_default() += 1,
                Err(_) => *refused.entry("task failed".to_owned()).or_default() += 1,
            }
        }
    }
    let opened_in = attack_started.elapsed();
    let connected = held.len();
    let mut results = Vec::with_capacity(connected);
    for h in held {
        if let Ok(r) = h.await {
            results.push(r);
        }
    }
    let all_done = attack_started.elapsed();
    probing.store(false, Ordering::Relaxed);
    let probes = prober.await?;
    let samples = monitor.samples();
    drop(monitor);
    drop(service);

    println!("load average after: {}", support::load_average());
    let mut closed: Vec<Duration> = results.iter().filter_map(|r| r.closed_after).collect();
    closed.sort();
    let still_open = results.len() - closed.len();
    let mut said: BTreeMap<String, u64> = BTreeMap::new();
    for r in &results {
        let key = r
            .said
            .clone()
            .unwrap_or_else(|| "(closed without a word)".to_owned());
        if r.closed_after.is_some() || r.said.is_some() {
            *said.entry(key).or_default() += 1;
        }
    }
    let quiet_fds = phase_use(&samples, QUIET).map_or(0, |u| u.fds_peak);
    let held_fds = phase_use(&samples, HELD).map_or(0, |u| u.fds_peak);
    println!();
    println!("service (sampled every 100 ms from /proc/<pid>):");
    print_service_use(&samples, &SLOWLORIS_PHASES);
    println!("every 10 s:");
    print_timeline(&samples, &SLOWLORIS_PHASES, Duration::from_secs(10));
    println!();
    println!(
        "connections: {connected} of {connections} connected in {:.1} s; refused: {}",
        opened_in.as_secs_f64(),
        if refused.is_empty() {
            "none".to_owned()
        } else {
            refused
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    println!(
        "accepted by the service: its open files rose by {} (peak {held_fds}, {quiet_fds} before)",
        held_fds.saturating_sub(quiet_fds)
    );
    let at = |p: usize| {
        closed
            .get((closed.len() * p / 100).min(closed.len().saturating_sub(1)))
            .map_or("-".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()))
    };
    println!(
        "closed by the service: {} of {connected}; held for first {}, median {}, last {}",
        closed.len(),
        at(0),
        at(50),
        at(100)
    );
    if still_open == 0 && connected > 0 {
        println!(
            "all closed {:.1} s after the first connect",
            all_done.as_secs_f64()
        );
    } else {
        println!(
            "still open after {} s: {still_open} (then closed by the bench)",
            s.slowloris_wait.as_secs()
        );
    }
    println!(
        "what the service said before closing: {}",
        if said.is_empty() {
            "nothing closed".to_owned()
        } else {
            said.iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let (errors, detail) = probes.errors();
    println!(
        "GET /login every {} ms meanwhile: {} probes, p50 {:.1} ms, max {:.1} ms, errors \
         (not 200) {errors}{}",
        PROBE_EVERY.as_millis(),
        probes.count(),
        probes.ms(50.0),
        probes.ms(100.0),
        if detail.is_empty() {
            String::new()
        } else {
            format!(" ({detail})")
        }
    );
    println!();
    Ok(())
}
