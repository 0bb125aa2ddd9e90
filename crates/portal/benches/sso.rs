//! Single sign-on (issue 10, "Numbers to report"): what the portal costs an app's sign-in when
//! the child is already signed in to the portal. Students sign in once each by badge at a
//! kiosk (each gets her own session cookie); then, in four timed steps over loopback:
//!
//! 1. authorize to code: `GET /oauth/authorize` (PKCE S256, `openid profile`) with the
//!    session cookie, answered by a 303 to the app carrying a code and the state;
//! 2. code to token: `POST /oauth/token` (`client_secret_basic`, the code, the redirect URI,
//!    the verifier), answered 200 with an access token and an ID token of three parts;
//! 3. complete OpenID Connect logins: 1 then 2, timed together;
//! 4. a SAML response: `GET /saml/sso` (HTTP-Redirect binding: a deflated, base64 AuthnRequest
//!    of a registered SAML app) with the session cookie, answered 200 with the auto-posting
//!    form holding the signed `SAMLResponse`.
//!
//! 5. complete logins again, paced: the logins of a school arriving at a steady rate
//!    ([`PACES`]: 500 and 1,000 a second) whether or not the earlier ones are answered, each
//!    timed from when it was due, so the time it waited for a free client counts (no
//!    coordinated omission): what a child's app sees at 9:00, below and at the goal's rate.
//!    Each prints the p99 of a whole login and of each of its two requests alone (the wait
//!    for a free client counted in the first).
//!
//! Steps 1 to 4 keep every client busy (the most the portal can do); they print operations a
//! second, p50, p99 and max latency per request (per login for steps 3 and 5) and errors (any
//! other answer, or none; must be 0), next to the goal: at least 1,000 complete logins a
//! second and a p99 under 20 ms per request. Every step also prints the portal process's CPU
//! time per operation (all its threads), read from `/proc` by the load client: what an
//! operation costs, steadier from run to run than the latencies, which move with whatever
//! else the two cores run. After the timed steps one ID token's
//! signature is verified against the JWKS, so the numbers are known to be for real tokens.
//!
//! As in the rush, the requests come from a load client in a process of its own (this binary
//! again, with `--load-client`), [`CLIENTS`] tasks with one connection each, so the clients'
//! work is not on the server's runtime; they still share the machine's cores with it. The
//! database is SQLite in a temporary directory (its durability settings are printed).
//!
//! Run by `cargo bench` (which passes `--bench`) it measures; run any other way (`cargo test
//! --bench sso`, a debug build) it is a smoke run of a few operations whose numbers mean
//! nothing, to see that every step still answers as expected.
//!
//!     cargo bench -p badgein-portal --bench sso
//!     SSO_OPS=10000 SSO_STUDENTS=2000 cargo bench -p badgein-portal --bench sso
//!     cargo test -p badgein-portal --bench sso        # smoke run

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use badgein_portal::config::Rate;
use badgein_portal::{AppRequest, Config, Portal, SystemClock, spawn};
use badgein_proto::SignIn;

#[path = "support/client_process.rs"]
mod client_process;
#[path = "support/durability.rs"]
mod durability;
#[path = "support/process_cpu.rs"]
mod process_cpu;
mod support;

/// Browsers and app servers at once: each a task with one keep-alive connection, sending its
/// requests one after another. 32 on the 2 cores this runs on keeps both busy (a request
/// waits on SQLite's one writer or on a signature about as long as it computes) without the
/// queueing that would only lengthen every latency.
const CLIENTS: usize = 32;
const REDIRECT_URI: &str = "https://reading.example/callback";
const SAML_ISSUER: &str = "https://sp.example.com/saml";
const SAML_ACS: &str = "https://sp.example.com/saml/acs";
const SESSION_COOKIE: &str = "badgein_session";
/// The goal (issue 10): complete OpenID Connect logins a second, and p99 of every request.
const GOAL_LOGINS_PER_SECOND: f64 = 1000.0;
const GOAL_P99_MS: f64 = 20.0;
/// Logins a second offered in the paced steps: half the goal, and the goal.
const PACES: [f64; 2] = [500.0, 1000.0];

/// How big a run is: measured under `cargo bench`, a smoke run otherwise.
struct Size {
    students: usize,
    /// Timed operations per step.
    ops: usize,
    /// Complete logins and SAML responses before the timed steps, not counted.
    warm_up: usize,
    measured: bool,
}

impl Size {
    fn from_args_and_env() -> Self {
        let measured = std::env::args().any(|a| a == "--bench");
        let (students, ops, warm_up) = if measured {
            (500, 3000, 300)
        } else {
            (20, 40, 5)
        };
        Self {
            students: support::env_or("SSO_STUDENTS", students).max(1),
            ops: support::env_or("SSO_OPS", ops).max(1),
            warm_up: support::env_or("SSO_WARM_UP", warm_up),
            measured,
        }
    }
}

fn main() -> anyhow::Result<()> {
    match client_process::plan_file() {
        Some(plan_file) => load_client(&plan_file?),
        None => server(),
    }
}

/// What the load client is given (a JSON file): where to go, as whom, and how much.
#[derive(Serialize, Deserialize)]
struct Plan {
    base_url: String,
    client_id: String,
    client_secret: String,
    /// One `name=value` session cookie per signed-in student.
    cookies: Vec<String>,
    ops: usize,
    warm_up: usize,
    /// The portal's process, whose CPU time each step reports.
    server_pid: u32,
}

/// One timed step, as the load client measured it.
#[derive(Serialize, Deserialize)]
struct Step {
    name: String,
    ops: usize,
    /// Unexpected answers by kind (status, missing code, transport error...).
    errors: BTreeMap<String, usize>,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// The paced steps: p99 of each request of a login alone, the wait for a free client
    /// counted in the first.
    per_request_p99_ms: Option<f64>,
    /// The portal process's CPU time (all its threads, user and system) during the step, per
    /// operation: what an operation costs, which the latencies only show through the queue
    /// and the other work on the same cores.
    server_cpu_us_per_op: Option<f64>,
    load_before: String,
}

impl Step {
    fn per_second(&self) -> f64 {
        self.ops as f64 / self.seconds
    }

    fn error_count(&self) -> usize {
        self.errors.values().sum()
    }
}

/// What the load client prints (its stdout, as JSON).
#[derive(Serialize, Deserialize)]
struct Report {
    steps: Vec<Step>,
    /// An ID token from the last timed login, for the signature check.
    id_token: Option<String>,
}

/// The server side: the portal and its database in this process.
#[tokio::main]
async fn server() -> anyhow::Result<()> {
    let size = Size::from_args_and_env();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = std::env::temp_dir().join(format!("badgein-sso-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("sso.db").display().to_string();
    // Production settings but the kiosk limit: the one seeding kiosk signs every student in.
    let config = Config {
        kiosk_rate: Rate {
            burst: u32::try_from(size.students).unwrap_or(u32::MAX),
            per_second: 1,
        },
        ..Config::default()
    };
    let portal = Portal::open(&db, Arc::new(SystemClock), config).await?;
    println!(
        "{}SQLite ({}), {cores} cores, {CLIENTS} clients (one connection each, in a load-client \
         process), {} students signed in by badge; {} timed operations a step after {} \
         warm-up logins and SAML responses",
        if size.measured {
            ""
        } else {
            "SMOKE RUN (not under cargo bench: the numbers mean nothing): "
        },
        durability::durability(portal.db()).await?,
        size.students,
        size.ops,
        size.warm_up,
    );
    portal.add_school("s", "Single Sign-On Elementary").await?;
    let badges = support::students_with_badges(&portal, "s", "Sso", size.students).await?;
    let oidc = portal
        .add_app(&AppRequest {
            name: "Reading".into(),
            url: "https://reading.example/".into(),
            schools: vec!["s".into()],
            oidc_redirects: vec![REDIRECT_URI.into()],
            ..AppRequest::default()
        })
        .await?;
    portal
        .add_app(&AppRequest {
            name: "Service".into(),
            url: "https://sp.example.com/".into(),
            schools: vec!["s".into()],
            saml_entity_id: Some(SAML_ISSUER.into()),
            saml_acs: Some(SAML_ACS.into()),
            ..AppRequest::default()
        })
        .await?;
    let running = spawn(portal.clone(), "127.0.0.1:0").await?;
    let base_url = running.base_url().to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookies = sign_in(&http, &portal, &base_url, &badges).await?;
    let client_id = oidc.client_id.context("an OpenID Connect client id")?;
    let plan = Plan {
        base_url: base_url.clone(),
        client_id: client_id.clone(),
        client_secret: oidc.client_secret.context("a client secret")?,
        cookies,
        ops: size.ops,
        warm_up: size.warm_up,
        server_pid: std::process::id(),
    };
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, serde_json::to_vec(&plan)?)?;
    let out = client_process::run(&plan_file).await?;
    let report: Report = serde_json::from_slice(&out).context("load client's report")?;
    print_report(&report);
    let id_token = report.id_token.context("no ID token came back")?;
    let kid = verify_id_token(&http, &base_url, &client_id, &id_token).await?;
    println!("one ID token's RS256 signature verified against {base_url}/oauth/jwks (kid {kid})");
    running.stop().await?;
    portal.close().await;
    std::fs::remove_dir_all(&dir)?;
    let errors: usize = report.steps.iter().map(Step::error_count).sum();
    anyhow::ensure!(errors == 0, "{errors} unexpected answers");
    Ok(())
}

/// Signs every student in at one kiosk with her badge and opens her launch URL, as the kiosk's
/// browser does; returns each one's session cookie.
async fn sign_in(
    http: &reqwest::Client,
    portal: &Portal,
    base_url: &str,
    badges: &[String],
) -> anyhow::Result<Vec<String>> {
    let code = portal.enrollment_code("s").await?;
    let kiosk: badgein_proto::Enrolled = http
        .post(format!("{base_url}/api/v1/kiosks/enroll"))
        .json(&serde_json::json!({"code": code, "name": "hall"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let mut cookies = Vec::with_capacity(badges.len());
    for badge in badges {
        let signed_in: SignIn = http
            .post(format!("{base_url}/api/v1/sign-ins/badge"))
            .bearer_auth(&kiosk.device_credential)
            .json(&serde_json::json!({ "badge": badge }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let opened = http.get(&signed_in.launch_url).send().await?;
        let cookie = opened
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(SESSION_COOKIE))
            .and_then(|c| c.split(';').next())
            .context("the launch URL set no session cookie")?;
        cookies.push(cookie.to_owned());
    }
    Ok(cookies)
}

fn print_report(report: &Report) {
    println!(
        "step                     ops/s   p50 ms   p99 ms   max ms   errors   server CPU us/op   \
         load average before"
    );
    for step in &report.steps {
        println!(
            "{:<22} {:>7.0}   {:>6.1}   {:>6.1}   {:>6.1}   {:>6}   {:>16.0}   {}",
            step.name,
            step.per_second(),
            step.p50_ms,
            step.p99_ms,
            step.max_ms,
            step.error_count(),
            step.server_cpu_us_per_op.unwrap_or(f64::NAN),
            step.load_before,
        );
        for (kind, n) in &step.errors {
            println!("    {n} x {kind}");
        }
    }
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    let logins = report.steps.iter().find(|s| s.name == LOGIN_STEP);
    let per_request_p99 = report
        .steps
        .iter()
        .filter(|s| s.name != LOGIN_STEP && !s.name.starts_with(PACED_STEP))
        .map(|s| s.p99_ms)
        .fold(0.0, f64::max);
    if let Some(logins) = logins {
        println!(
            "goal: >= 1,000 complete OpenID Connect logins/s: {:.0} ({})",
            logins.per_second(),
            verdict(logins.per_second() >= GOAL_LOGINS_PER_SECOND)
        );
    }
    println!(
        "goal: p99 < {GOAL_P99_MS:.0} ms per request: worst step p99 {per_request_p99:.1} ms ({}, \
         every client busy)",
        verdict(per_request_p99 < GOAL_P99_MS)
    );
    for paced in report
        .steps
        .iter()
        .filter(|s| s.name.starts_with(PACED_STEP))
    {
        let per_request = paced.per_request_p99_ms.unwrap_or(f64::NAN);
        println!(
            "{}: p99 {per_request:.1} ms per request ({}), {:.1} ms a login (both)",
            paced.name,
            verdict(per_request < GOAL_P99_MS),
            paced.p99_ms,
        );
    }
}

/// Checks `id_token`'s RS256 signature with the key of its `kid` in the JWKS, and its
/// issuer and audience; returns the kid.
async fn verify_id_token(
    http: &reqwest::Client,
    base_url: &str,
    client_id: &str,
    id_token: &str,
) -> anyhow::Result<String> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
    let jwks: JwkSet = http
        .get(format!("{base_url}/oauth/jwks"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let header = jsonwebtoken::decode_header(id_token)?;
    anyhow::ensure!(header.alg == Algorithm::RS256, "alg {:?}", header.alg);
    let kid = header.kid.context("the ID token names no kid")?;
    let jwk = jwks
        .find(&kid)
        .context("the ID token's kid is not in the JWKS")?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[client_id]);
    validation.set_issuer(&[base_url]);
    jsonwebtoken::decode::<serde_json::Value>(id_token, &DecodingKey::from_jwk(jwk)?, &validation)
        .context("the ID token does not verify")?;
    Ok(kid)
}

const AUTHORIZE_STEP: &str = "authorize -> code";
const TOKEN_STEP: &str = "code -> token";
const LOGIN_STEP: &str = "OIDC login (1 + 2)";
const SAML_STEP: &str = "SAML response";
const PACED_STEP: &str = "OIDC login at";

/// The load client (`--load-client PLAN_FILE`): the warm-up, then the four timed steps; prints
/// a [`Report`].
#[tokio::main]
async fn load_client(plan_file: &str) -> anyhow::Result<()> {
    let plan: Arc<Plan> = Arc::new(serde_json::from_slice(&std::fs::read(plan_file)?)?);
    let clients = (0..CLIENTS)
        .map(|_| {
            // One idle connection kept per client, and one request at a time: one connection.
            reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .redirect(reqwest::redirect::Policy::none())
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let load = Load { clients, plan };
    load.step("warm-up", load.plan.warm_up, login).await;
    load.step("warm-up", load.plan.warm_up, saml).await;
    let (authorized, codes) = load.step(AUTHORIZE_STEP, load.plan.ops, authorize).await;
    // Every code the first step got, redeemed once each (codes live 60 s).
    let codes = Arc::new(codes);
    let (redeemed, _) = load
        .step(TOKEN_STEP, codes.len(), move |http, plan, n| {
            let codes = codes.clone();
            async move { token(http, plan, &codes[n]).await }
        })
        .await;
    let (logins, id_tokens) = load.step(LOGIN_STEP, load.plan.ops, login).await;
    let (responses, _) = load.step(SAML_STEP, load.plan.ops, saml).await;
    let mut steps = vec![authorized, redeemed, logins, responses];
    for rate in PACES {
        let name = format!("{PACED_STEP} {rate:.0}/s");
        let (mut step, timed) = load
            .paced_step(&name, load.plan.ops, rate, timed_login)
            .await;
        // A login's time is its authorization request's (with any wait) and then its token's.
        let mut requests: Vec<Duration> = timed
            .iter()
            .flat_map(|(login, token)| [login.saturating_sub(*token), *token])
            .collect();
        requests.sort();
        step.per_request_p99_ms = Some(support::percentile_ms(&requests, 99.0));
        steps.push(step);
    }
    let report = Report {
        steps,
        id_token: id_tokens.into_iter().last(),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// The load client's connections and plan.
struct Load {
    clients: Vec<reqwest::Client>,
    plan: Arc<Plan>,
}

impl Load {
    /// Runs `op(client, plan, n)` for n in 0..`ops` from every client at once, each client
    /// taking the next n when its last answer is in; the step's numbers, and what the
    /// successful operations gave.
    async fn step<T, F, Fut>(&self, name: &str, ops: usize, op: F) -> (Step, Vec<T>)
    where
        T: Send + 'static,
        F: Fn(reqwest::Client, Arc<Plan>, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, String>> + Send + 'static,
    {
        let (step, gave) = self.run(name, ops, None, op).await;
        (step, gave.into_iter().map(|(_, v)| v).collect())
    }

    /// As [`Self::step`], but op n is due `n / per_second` seconds after the start: a client
    /// waits for it if early, and its latency is counted from when it was due; what each op
    /// gave comes with that latency.
    async fn paced_step<T, F, Fut>(
        &self,
        name: &str,
        ops: usize,
        per_second: f64,
        op: F,
    ) -> (Step, Vec<(Duration, T)>)
    where
        T: Send + 'static,
        F: Fn(reqwest::Client, Arc<Plan>, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, String>> + Send + 'static,
    {
        self.run(name, ops, Some(per_second), op).await
    }

    async fn run<T, F, Fut>(
        &self,
        name: &str,
        ops: usize,
        pace: Option<f64>,
        op: F,
    ) -> (Step, Vec<(Duration, T)>)
    where
        T: Send + 'static,
        F: Fn(reqwest::Client, Arc<Plan>, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, String>> + Send + 'static,
    {
        let load_before = support::load_average();
        let cpu_before = process_cpu::process_cpu(self.plan.server_pid);
        let next = Arc::new(AtomicUsize::new(0));
        let op = Arc::new(op);
        let started = Instant::now();
        let workers: Vec<_> = self
            .clients
            .iter()
            .map(|http| {
                let (http, plan, next, op) =
                    (http.clone(), self.plan.clone(), next.clone(), op.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut errors = Vec::new();
                    let mut gave = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= ops {
                            break;
                        }
                        let t = match pace {
                            Some(rate) => {
                                let due = started + Duration::from_secs_f64(n as f64 / rate);
                                tokio::time::sleep_until(due.into()).await;
                                due
                            }
                            None => Instant::now(),
                        };
                        let outcome = op(http.clone(), plan.clone(), n).await;
                        let latency = t.elapsed();
                        latencies.push(latency);
                        match outcome {
                            Ok(v) => gave.push((latency, v)),
                            Err(e) => errors.push(e),
                        }
                    }
                    (latencies, errors, gave)
                })
            })
            .collect();
        let mut latencies = Vec::with_capacity(ops);
        let mut errors = BTreeMap::new();
        let mut gave = Vec::with_capacity(ops);
        for worker in workers {
            match worker.await {
                Ok((l, e, g)) => {
                    latencies.extend(l);
                    gave.extend(g);
                    for kind in e {
                        *errors.entry(kind).or_insert(0) += 1;
                    }
                }
                Err(e) => *errors.entry(format!("client task: {e}")).or_insert(0) += 1,
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let server_cpu_us_per_op = cpu_before
            .zip(process_cpu::process_cpu(self.plan.server_pid))
            .map(|(before, after)| after.saturating_sub(before).as_secs_f64() * 1e6 / ops as f64);
        latencies.sort();
        let pct = |p: f64| support::percentile_ms(&latencies, p);
        let step = Step {
            name: name.to_owned(),
            ops,
            errors,
            seconds,
            p50_ms: pct(50.0),
            p99_ms: pct(99.0),
            max_ms: pct(100.0),
            per_request_p99_ms: None,
            server_cpu_us_per_op,
            load_before,
        };
        (step, gave)
    }
}

/// A code and the PKCE verifier it was asked for with.
struct Code {
    code: String,
    verifier: String,
}

fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("random: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The cookie of the student whose turn op `n` is.
fn cookie(plan: &Plan, n: usize) -> &str {
    &plan.cookies[n % plan.cookies.len()]
}

/// `request`'s answer, if it has the status `expected`; else an error naming `what`.
async fn answer(
    what: &str,
    request: reqwest::RequestBuilder,
    expected: StatusCode,
) -> Result<reqwest::Response, String> {
    let r = request
        .send()
        .await
        .map_err(|e| format!("{what}: no answer ({e})"))?;
    if r.status() == expected {
        Ok(r)
    } else {
        Err(format!("{what}: status {}", r.status()))
    }
}

/// Step 1: a code for op `n`'s student, checked to come with the state sent.
async fn authorize(http: reqwest::Client, plan: Arc<Plan>, n: usize) -> Result<Code, String> {
    let verifier = random_token()?;
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = random_token()?;
    let nonce = random_token()?;
    let url = url::Url::parse_with_params(
        &format!("{}/oauth/authorize", plan.base_url),
        [
            ("response_type", "code"),
            ("client_id", &plan.client_id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile"),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .map_err(|e| format!("url: {e}"))?;
    let r = answer(
        "authorize",
        http.get(url).header(COOKIE, cookie(&plan, n)),
        StatusCode::SEE_OTHER,
    )
    .await?;
    let location = r
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("authorize: no Location")?;
    if !location.starts_with(REDIRECT_URI) {
        return Err("authorize: not to the redirect URI".to_owned());
    }
    let location = url::Url::parse(location).map_err(|_| "authorize: bad Location")?;
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    match (param("code"), param("state")) {
        (Some(code), Some(back)) if back == state => Ok(Code { code, verifier }),
        _ => Err(format!(
            "authorize: no code or not the state (error {:?})",
            param("error")
        )),
    }
}

/// Step 2: `code` for tokens; the ID token, checked to be three dot-separated parts.
async fn token(http: reqwest::Client, plan: Arc<Plan>, code: &Code) -> Result<String, String> {
    let request = http
        .post(format!("{}/oauth/token", plan.base_url))
        .basic_auth(&plan.client_id, Some(&plan.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code.code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &code.verifier),
        ]);
    let r = answer("token", request, StatusCode::OK).await?;
    let body: serde_json::Value = r.json().await.map_err(|_| "token: not JSON".to_owned())?;
    if body["access_token"].as_str().is_none_or(str::is_empty) {
        return Err("token: no access token".to_owned());
    }
    match body["id_token"].as_str() {
        Some(id_token) if id_token.split('.').count() == 3 => Ok(id_token.to_owned()),
        _ => Err("token: no ID token of three parts".to_owned()),
    }
}

/// Step 3: a complete login (1 then 2); its ID token.
async fn login(http: reqwest::Client, plan: Arc<Plan>, n: usize) -> Result<String, String> {
    let code = authorize(http.clone(), plan.clone(), n).await?;
    token(http, plan, &code).await
}

/// Step 5: a complete login, and how long its token request took.
async fn timed_login(http: reqwest::Client, plan: Arc<Plan>, n: usize) -> Result<Duration, String> {
    let code = authorize(http.clone(), plan.clone(), n).await?;
    let t = Instant::now();
    token(http, plan, &code).await?;
    Ok(t.elapsed())
}

/// An AuthnRequest of the registered SAML app, HTTP-Redirect encoded (raw DEFLATE, base64).
fn saml_request(id: usize) -> Result<String, String> {
    let xml = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_bench{id}\" Version=\"2.0\" \
         IssueInstant=\"2026-12-05T04:00:00Z\"><saml:Issuer>{SAML_ISSUER}</saml:Issuer>\
         </samlp:AuthnRequest>"
    );
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(xml.as_bytes())
        .and_then(|()| encoder.finish())
        .map(|deflated| STANDARD.encode(deflated))
        .map_err(|e| format!("deflate: {e}"))
}

/// Step 4: the signed SAML response for op `n`'s student.
async fn saml(http: reqwest::Client, plan: Arc<Plan>, n: usize) -> Result<(), String> {
    let request = saml_request(n)?;
    let relay = format!("r{n}");
    let r = answer(
        "saml",
        http.get(format!("{}/saml/sso", plan.base_url))
            .query(&[("SAMLRequest", request.as_str()), ("RelayState", &relay)])
            .header(COOKIE, cookie(&plan, n)),
        StatusCode::OK,
    )
    .await?;
    let page = r.text().await.map_err(|e| format!("saml: no page ({e})"))?;
    if page.contains("name=\"SAMLResponse\"") {
        Ok(())
    } else {
        Err("saml: no SAMLResponse in the page".to_owned())
    }
}
