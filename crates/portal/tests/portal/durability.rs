//! Nothing answered is lost: the real `badgein-portal serve` is killed with SIGKILL in the
//! middle of a morning rush and restarted on the same SQLite file; `backup` is taken while it
//! serves and writes, and `restore` brings it back. Plus hostile input for `backup` and
//! `restore`. SQLite only: PostgreSQL's durability and backups are PostgreSQL's own
//! (`pg_dump`), which the commands point to.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use badgein_portal::{Config, ManualClock, Portal};
use badgein_proto::SignIn;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::Notify;

use crate::harness::{TempDir, portal_cli, seed};

/// Kiosks signing in at once, one worker each.
const KIOSKS: usize = 6;
/// Attempts per worker at most that reached the sign-in logic: the rush is bounded even if
/// nothing else stops it. A worker signs in faster than the production per-kiosk limit
/// allows; attempts turned away by the limit (429, no database work) are not counted, the
/// worker just tries again, as long as the rush lasts.
const ATTEMPTS: usize = 150;
/// The same while a backup runs: enough for sign-ins to go on during and after it.
const ATTEMPTS_AROUND_BACKUP: usize = 1000;
/// Bound of every wait on the service (start, answers); never a synchronisation sleep.
const PATIENCE: Duration = Duration::from_secs(60);

/// The real service binary serving `db` on a free loopback port. Killed (SIGKILL) on drop.
struct Service {
    child: Child,
    base_url: String,
    /// Its stderr so far, and a signal for each new line.
    log: Arc<(Mutex<String>, Condvar)>,
}

impl Service {
    fn start(db: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
            .arg("--db")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("BADGEIN_DB")
            .env(
                "RUST_LOG",
                "badgein_portal=warn,badgein_portal::retention=info",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::new((Mutex::new(String::new()), Condvar::new()));
        let lines = Arc::clone(&log);
        // Reads stderr to its end (so the service never blocks on a full pipe) and hands over
        // the address from the "serving on" line.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("serving on ")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url.to_owned());
                }
                let mut log = lines.0.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
                lines.1.notify_all();
            }
        });
        let base_url = tokio::task::block_in_place(|| rx.recv_timeout(PATIENCE));
        let Ok(base_url) = base_url else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve did not start: {}", log.0.lock().unwrap());
        };
        Self {
            child,
            base_url,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.0.lock().unwrap().clone()
    }

    /// Waits (at most [`PATIENCE`]) for a line of its stderr that contains `needle`.
    fn wait_for_line(&self, needle: &str) {
        let (log, new_line) = &*self.log;
        tokio::task::block_in_place(|| {
            let log = log.lock().unwrap();
            let (log, waited) = new_line
                .wait_timeout_while(log, PATIENCE, |log| !log.contains(needle))
                .unwrap();
            assert!(!waited.timed_out(), "no {needle:?} in: {}", *log);
        });
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// SIGKILL: no shutdown, no flush, like a power cut to the process.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A school's database at `db` (the harness's seed), with badges for two students; returns the
/// badges and one enrollment code per kiosk.
async fn school(db: &Path) -> (Vec<String>, Vec<String>) {
    let portal = Portal::open(
        db.to_str().unwrap(),
        Arc::new(ManualClock::starting_now()),
        Config::for_tests(),
    )
    .await
    .unwrap();
    seed(&portal).await;
    let mut badges = Vec::new();
    for user in ["u1", "u2"] {
        badges.push(portal.issue_badge(user, None).await.unwrap().encode());
    }
    let mut codes = Vec::new();
    for _ in 0..KIOSKS {
        codes.push(portal.enrollment_code("s1").await.unwrap());
    }
    portal.close().await;
    (badges, codes)
}

async fn enroll(http: &reqwest::Client, service: &Service, codes: &[String]) -> Vec<String> {
    let mut credentials = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let r = http
            .post(service.url("/api/v1/kiosks/enroll"))
            .json(&serde_json::json!({"code": code, "name": format!("Room {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let enrolled: badgein_proto::Enrolled = r.json().await.unwrap();
        credentials.push(enrolled.device_credential);
    }
    credentials
}

/// Badge sign-ins from every kiosk at once. Every answer 200 (read to its end) lands in
/// `answered`, in order; `reached` is notified each time a multiple of ten was reached.
struct Rush {
    answered: Arc<Mutex<Vec<String>>>,
    reached: Arc<Notify>,
    stop: Arc<AtomicBool>,
    /// Requests that got no complete answer (the service was gone).
    failed: Arc<AtomicUsize>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Rush {
    fn start(
        http: &reqwest::Client,
        url: String,
        kiosks: &[String],
        badges: &[String],
        attempts: usize,
    ) -> Self {
        let answered = Arc::new(Mutex::new(Vec::new()));
        let reached = Arc::new(Notify::new());
        let stop = Arc::new(AtomicBool::new(false));
        let failed = Arc::new(AtomicUsize::new(0));
        let workers = kiosks
            .iter()
            .enumerate()
            .map(|(k, credential)| {
                let (http, url, credential) = (http.clone(), url.clone(), credential.clone());
                let badges = badges.to_vec();
                let (answered, reached, stop, failed) = (
                    Arc::clone(&answered),
                    Arc::clone(&reached),
                    Arc::clone(&stop),
                    Arc::clone(&failed),
                );
                tokio::spawn(async move {
                    let mut n = 0;
                    while n < attempts {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let badge = &badges[(n + k) % badges.len()];
                        let sent = http
                            .post(&url)
                            .bearer_auth(&credential)
                            .json(&serde_json::json!({ "badge": badge }))
                            .send()
                            .await;
                        let answer = match sent {
                            Ok(r) if r.status() == 429 => continue,
                            Ok(r) if r.status() == 200 => {
                                n += 1;
                                r.json::<SignIn>().await.ok()
                            }
                            Ok(r) => {
                                // Not a sign-in: a refusal, or `unavailable` (503) from a
                                // machine too loaded to commit within the deadline, which
                                // is allowed as long as it is not recorded. Any other 5xx
                                // is a bug.
                                let status = r.status().as_u16();
                                assert!(status < 500 || status == 503, "{status}");
                                n += 1;
                                continue;
                            }
                            Err(_) => None,
                        };
                        let Some(sign_in) = answer else {
                            failed.fetch_add(1, Ordering::SeqCst);
                            return;
                        };
                        let mut answered = answered.lock().unwrap();
                        answered.push(sign_in.session_id);
                        if answered.len().is_multiple_of(10) {
                            reached.notify_waiters();
                        }
                    }
                })
            })
            .collect();
        Self {
            answered,
            reached,
            stop,
            failed,
            workers,
        }
    }

    fn answered(&self) -> Vec<String> {
        self.answered.lock().unwrap().clone()
    }

    /// Waits until at least `n` sign-ins (a multiple of ten) were answered 200.
    async fn until_answered(&self, n: usize) {
        let wait = async {
            loop {
                let notified = self.reached.notified();
                if self.answered.lock().unwrap().len() >= n {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(PATIENCE, wait)
            .await
            .unwrap_or_else(|_| panic!("{n} sign-ins not answered in {PATIENCE:?}"));
    }

    /// Stops the workers (after their request in flight) and waits for them.
    async fn finish(self) -> (Vec<String>, usize) {
        self.stop.store(true, Ordering::SeqCst);
        for w in self.workers {
            w.await.unwrap();
        }
        let answered = self.answered.lock().unwrap().clone();
        (answered, self.failed.load(Ordering::SeqCst))
    }
}

/// A read-only connection to a SQLite file (beside a running service, WAL lets it read).
async fn read_only(db: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap()
}

async fn session_ids(db: &Path) -> HashSet<String> {
    let mut conn = read_only(db).await;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    ids.into_iter().collect()
}

async fn integrity(db: &Path) -> Vec<String> {
    let mut conn = read_only(db).await;
    let report = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    report
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn one_sign_in(http: &reqwest::Client, service: &Service, kiosk: &str, badge: &str) -> u16 {
    http.post(service.url("/api/v1/sign-ins/badge"))
        .bearer_auth(kiosk)
        .json(&serde_json::json!({ "badge": badge }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_rush_loses_no_answered_sign_in() {
    const KILL_AFTER: usize = 60;
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let (badges, codes) = school(&db).await;
    let service = Service::start(&db);
    let http = client();
    let kiosks = enroll(&http, &service, &codes).await;

    let rush = Rush::start(
        &http,
        service.url("/api/v1/sign-ins/badge"),
        &kiosks,
        &badges,
        ATTEMPTS,
    );
    rush.until_answered(KILL_AFTER).await;
    service.kill();
    let (answered, failed) = rush.finish().await;
    assert!(answered.len() >= KILL_AFTER);
    assert!(
        failed > 0,
        "the rush was still going when the service was killed ({} answered)",
        answered.len()
    );

    let service = Service::start(&db);
    assert_eq!(
        one_sign_in(&http, &service, &kiosks[0], &badges[0]).await,
        200,
        "the restarted service signs in: {}",
        service.log()
    );
    let stored = session_ids(&db).await;
    let lost: Vec<_> = answered.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} answered sign-ins lost",
        lost.len(),
        answered.len()
    );
    assert_eq!(integrity(&db).await, ["ok"]);
    service.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_serving_and_restore() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let copy = dir.0.join("nightly.db");
    let (badges, codes) = school(&db).await;
    let service = Service::start(&db);
    let http = client();
    let kiosks = enroll(&http, &service, &codes).await;

    let rush = Rush::start(
        &http,
        service.url("/api/v1/sign-ins/badge"),
        &kiosks,
        &badges,
        ATTEMPTS_AROUND_BACKUP,
    );
    rush.until_answered(20).await;
    let before = rush.answered();
    let (db_arg, copy_arg) = (db.clone(), copy.to_str().unwrap().to_owned());
    let backup =
        tokio::task::spawn_blocking(move || portal_cli(&db_arg, &["backup", "--out", &copy_arg]))
            .await
            .unwrap();
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(text(&backup.stderr).contains("integrity ok"));
    // The key file that seals the signing keys is not in the copy, and the output says so.
    assert!(
        text(&backup.stderr).contains("not in the backup: the key file"),
        "{}",
        text(&backup.stderr)
    );
    // Sign-ins that come after the backup are not in it (and show the restore is the backup).
    let done = rush.answered().len();
    rush.until_answered(done + 20).await;

    // While the service runs, restore refuses and changes nothing.
    let refused = portal_cli(&db, &["restore", "--from", copy.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let message = text(&refused.stderr);
    assert!(message.contains("stop the service"), "{message}");
    let (answered, _) = rush.finish().await;
    let live = session_ids(&db).await;
    assert!(answered.iter().all(|id| live.contains(id)));

    assert_eq!(integrity(&copy).await, ["ok"]);
    let backed_up = session_ids(&copy).await;
    let missing = before.iter().filter(|id| !backed_up.contains(*id)).count();
    assert_eq!(
        missing, 0,
        "every sign-in answered before the backup is in it"
    );
    let after_backup: Vec<_> = answered
        .iter()
        .filter(|id| !backed_up.contains(*id))
        .collect();
    assert!(!after_backup.is_empty());

    service.kill();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    let restore = portal_cli(&db, &["restore", "--from", copy.to_str().unwrap()]);
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    assert_eq!(session_ids(&db).await, backed_up);
    let mode = std::fs::metadata(&db).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the restored file keeps the database's permissions"
    );
    let kept: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().unwrap().contains("portal.db.replaced-"))
        .collect();
    assert_eq!(kept.len(), 1, "the replaced database is kept");
    assert_eq!(session_ids(&kept[0]).await, live);

    let service = Service::start(&db);
    assert_eq!(
        one_sign_in(&http, &service, &kiosks[1], &badges[1]).await,
        200
    );
    let now = session_ids(&db).await;
    assert_eq!(now.len(), backed_up.len() + 1);
    assert_eq!(integrity(&db).await, ["ok"]);
    service.kill();
}

/// A good database and its backup in a fresh directory.
async fn database_and_backup() -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    school(&db).await;
    let copy = dir.0.join("good-backup.db");
    let out = portal_cli(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (dir, db, copy)
}

/// The database file and its siblings, byte for byte.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_bad_backups_and_changes_nothing() {
    let (dir, db, good) = database_and_backup().await;
    let bad = TempDir::new();
    let write = |name: &str, bytes: &[u8]| {
        let path = bad.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let good_bytes = std::fs::read(&good).unwrap();
    let truncated = write("truncated.db", &good_bytes[..good_bytes.len() / 2]);
    let text_file = write("notes.txt", b"not a database at all\n");
    let empty = write("empty.db", b"");
    let header_only = write("header.db", b"SQLite format 3\0");
    // A page in the middle overwritten: the header is fine, the tree is not.
    let mut damaged_bytes = good_bytes.clone();
    let page = 4096;
    for b in &mut damaged_bytes[2 * page..3 * page] {
        *b = 0xA5;
    }
    let damaged = write("damaged.db", &damaged_bytes);
    let other = bad.0.join("other.db");
    {
        let mut conn = SqliteConnectOptions::new()
            .filename(&other)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE notes (body TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let newer = bad.0.join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    {
        let mut conn = SqliteConnectOptions::new()
            .filename(&newer)
            .connect()
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (999999, 'from the future', 1, x'00', 0)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }

    let before = snapshot(&dir.0);
    let cases: [(&Path, &str); 9] = [
        (&bad.0.join("missing.db"), "no such file"),
        (&bad.0, "no such file"),
        (&text_file, "is not a SQLite database"),
        (&empty, "is not a SQLite database"),
        (&header_only, "SQLite"),
        (&truncated, "integrity_check"),
        (&damaged, "integrity_check"),
        (&other, "not a BadgeIn one"),
        (&newer, "newer badgein-portal (migration 999999"),
    ];
    for (from, expected) in cases {
        let out = portal_cli(&db, &["restore", "--from", from.to_str().unwrap()]);
        let message = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {message}", from.display());
        assert!(out.stdout.is_empty());
        assert!(
            message.starts_with("error: restore refused") && message.contains(expected),
            "{}: {message}",
            from.display()
        );
        assert!(
            snapshot(&dir.0) == before,
            "{}: the database and its directory are untouched",
            from.display()
        );
    }
    let itself = portal_cli(&db, &["restore", "--from", db.to_str().unwrap()]);
    assert_eq!(itself.status.code(), Some(1));
    assert!(text(&itself.stderr).contains("is the database itself"));
    assert!(snapshot(&dir.0) == before);

    // The good backup still restores, and the database it replaced is kept.
    let ok = portal_cli(&db, &["restore", "--from", good.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert_eq!(integrity(&db).await, ["ok"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_refuses_clearly() {
    let (dir, db, good) = database_and_backup().await;

    let missing = dir.0.join("absent.db");
    let out = portal_cli(&missing, &["backup", "--out", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("absent.db: no such file"));
    assert!(!missing.exists(), "a backup never creates a database");

    let nowhere = dir.0.join("no-such-dir").join("b.db");
    let out = portal_cli(&db, &["backup", "--out", nowhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("its directory does not exist"));

    let before = snapshot(&dir.0);
    let out = portal_cli(&db, &["backup", "--out", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is the database itself"));
    assert!(snapshot(&dir.0) == before);

    // A file that is not a BadgeIn database is not backed up, and the old backup stays.
    let notes = dir.0.join("notes.txt");
    std::fs::write(&notes, b"hello").unwrap();
    let out = portal_cli(&notes, &["backup", "--out", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a SQLite database"));
    assert!(snapshot(&dir.0) == snapshot_with(&before, &notes));

    // Again over an existing backup: replaced by a new, checked one, no more readable than
    // the database.
    use std::os::unix::fs::PermissionsExt;
    let private = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(&db, private).unwrap();
    let again = portal_cli(&db, &["backup", "--out", good.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(integrity(&good).await, ["ok"]);
    let mode = std::fs::metadata(&good).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    for command in ["backup --out x.dump", "restore --from x.dump"] {
        let args: Vec<&str> = command.split(' ').collect();
        let out = portal_cli(Path::new("postgres://badgein@127.0.0.1:1/badgein"), &args);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let message = text(&out.stderr);
        assert!(
            message.contains("pg_dump --format=custom")
                && message.contains("pg_restore --clean --if-exists"),
            "{command}: {message}"
        );
        assert!(!message.contains("127.0.0.1"), "the URL is not echoed");
    }
}

fn snapshot_with(before: &[(String, Vec<u8>)], added: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = before.to_vec();
    files.push((
        added.file_name().unwrap().to_str().unwrap().to_owned(),
        std::fs::read(added).unwrap(),
    ));
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_prunes_finished_sessions_and_codes() {
    const DAY_MS: i64 = 86_400_000;
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    school(&db).await;
    let now = badgein_portal::Clock::now_ms(&badgein_portal::SystemClock);
    {
        let mut conn = SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        for (id, created, ended) in [
            ("old-ended", now - 40 * DAY_MS, Some(now - 40 * DAY_MS)),
            ("old-expired", now - 40 * DAY_MS, None),
            ("recent-ended", now - DAY_MS, Some(now - DAY_MS)),
        ] {
            sqlx::query(
                "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, \
                 ended_at) VALUES ($1, 'u1', $2, $2, $3, $4)",
            )
            .bind(id)
            .bind(created)
            .bind(created + DAY_MS / 2)
            .bind(ended)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO enrollment_codes (code_hash, school_id, expires_at, used_at) \
             VALUES (x'01', 's1', $1, $1)",
        )
        .bind(now - 40 * DAY_MS)
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }

    let service = Service::start(&db);
    service.wait_for_line("pruned finished rows");
    assert_eq!(
        session_ids(&db).await,
        HashSet::from(["recent-ended".to_owned()])
    );
    let mut conn = read_only(&db).await;
    let codes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enrollment_codes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(codes as usize, KIOSKS, "the unused, unexpired codes stay");
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit WHERE action = 'retention.prune' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(
        detail.starts_with("deleted 2 session(s) and 1 enrollment code(s) finished before"),
        "{detail}"
    );
    conn.close().await.unwrap();
    service.kill();
}

/// `audit prune` from the command line beside a serving, writing service: it deletes in short
/// batches, so both share SQLite's one write lock and no answered sign-in is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_prune_while_serving() {
    const OLD_ROWS: i64 = 5000;
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let (badges, codes) = school(&db).await;
    {
        let mut conn = SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        // Rows from 2020, one a minute.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO audit (at, action, result) \
             SELECT 1577836800000 + i * 60000, 'test.old', 'ok' FROM n",
        )
        .bind(OLD_ROWS)
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let service = Service::start(&db);
    let http = client();
    let kiosks = enroll(&http, &service, &codes).await;
    let rush = Rush::start(
        &http,
        service.url("/api/v1/sign-ins/badge"),
        &kiosks,
        &badges,
        ATTEMPTS_AROUND_BACKUP,
    );
    rush.until_answered(20).await;
    let db_arg = db.clone();
    let prune = tokio::task::spawn_blocking(move || {
        portal_cli(&db_arg, &["audit", "prune", "--before", "2021-01-01"])
    })
    .await
    .unwrap();
    assert!(prune.status.success(), "{}", text(&prune.stderr));
    assert_eq!(
        text(&prune.stderr).trim(),
        format!("deleted {OLD_ROWS} audit row(s) before 2021-01-01T00:00:00Z")
    );
    let done = rush.answered().len();
    rush.until_answered(done + 20).await;
    let (answered, _) = rush.finish().await;

    let stored = session_ids(&db).await;
    assert!(answered.iter().all(|id| stored.contains(id)));
    let mut conn = read_only(&db).await;
    let (old, prunes): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM audit WHERE action = 'test.old'), \
         (SELECT COUNT(*) FROM audit WHERE action = 'audit.prune')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((old, prunes), (0, 1));
    conn.close().await.unwrap();
    assert_eq!(integrity(&db).await, ["ok"]);
    service.kill();
}
