//! What a student who wants in sees: login floods, sprayed usernames, made-up credentials,
//! half-sent requests. Each test fails on a service without the defence it names. Client
//! addresses other than 127.0.0.1 are played through `X-Forwarded-For` from a trusted proxy
//! (all traffic stays on loopback).

use std::time::Duration;

use badgein_portal::config::{IpNet, Rate, ServerLimits};
use badgein_portal::{Argon2Cost, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{Env, problem_code, run_with};

const ROOMY: Rate = Rate {
    burst: 10_000,
    per_second: 10_000,
};

fn behind_proxy() -> Config {
    Config {
        trusted_proxies: vec!["127.0.0.1/32".parse::<IpNet>().unwrap()],
        ..Config::for_tests()
    }
}

/// `POST /login` from `address` (via the proxy), with a device cookie if given.
async fn login(
    env: &Env,
    username: &str,
    password: &str,
    address: &str,
    device: Option<&str>,
) -> reqwest::Response {
    let mut request = env
        .http
        .post(env.url("/login"))
        .header("x-forwarded-for", address)
        .form(&[("username", username), ("password", password)]);
    if let Some(d) = device {
        request = request.header("cookie", format!("badgein_device={d}"));
    }
    request.send().await.unwrap()
}

fn device_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("badgein_device="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

// ---------------------------------------------------------------- throttles

async fn login_is_throttled_per_address_and_per_username_body(env: Env) {
    // Per address: three attempts, then 429 with Retry-After, before anything is hashed.
    for n in 0..3 {
        let r = login(&env, &format!("ghost{n}"), "guess", "198.51.100.1", None).await;
        assert_eq!(r.status(), 401);
    }
    let r = login(&env, "ghost9", "guess", "198.51.100.1", None).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    // Another address is not held up.
    assert_eq!(
        login(&env, "ghost9", "guess", "198.51.100.2", None)
            .await
            .status(),
        401
    );
    // An IPv6 client counts by its /64: hopping addresses inside it does not help...
    for host in 1..=3 {
        let r = login(
            &env,
            &format!("v6{host}"),
            "guess",
            &format!("2001:db8:1:2::{host}"),
            None,
        )
        .await;
        assert_eq!(r.status(), 401, "host {host}");
    }
    assert_eq!(
        login(&env, "v6x", "guess", "2001:db8:1:2:ffff::9", None)
            .await
            .status(),
        429
    );
    // ...and the next /64 is someone else.
    assert_eq!(
        login(&env, "v6y", "guess", "2001:db8:1:3::1", None)
            .await
            .status(),
        401
    );

    // Per username, from however many addresses: two, then 429.
    for n in 10..12 {
        let r = login(&env, "mrsk", "guess", &format!("198.51.100.{n}"), None).await;
        assert_eq!(r.status(), 401, "{n}");
    }
    assert_eq!(
        login(&env, "mrsk", "guess", "198.51.100.20", None)
            .await
            .status(),
        429
    );
    env.clock.advance(Duration::from_secs(1));
    assert_eq!(
        login(&env, "mrsk", "guess", "198.51.100.21", None)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn login_is_throttled_per_address_and_per_username() {
    let config = Config {
        login_address_rate: Rate {
            burst: 3,
            per_second: 1,
        },
        login_username_rate: Rate {
            burst: 2,
            per_second: 1,
        },
        ..behind_proxy()
    };
    run_with(config, login_is_throttled_per_address_and_per_username_body).await;
}

async fn forwarded_for_is_ignored_from_untrusted_peers_body(env: Env) {
    // Without --trusted-proxy every request is 127.0.0.1, whatever it claims.
    for n in 0..3 {
        let r = login(
            &env,
            &format!("g{n}"),
            "guess",
            &format!("198.51.100.{n}"),
            None,
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    assert_eq!(
        login(&env, "g9", "guess", "203.0.113.9", None)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn forwarded_for_is_ignored_from_untrusted_peers() {
    let config = Config {
        login_address_rate: Rate {
            burst: 3,
            per_second: 1,
        },
        ..Config::for_tests()
    };
    run_with(config, forwarded_for_is_ignored_from_untrusted_peers_body).await;
}

async fn launch_tickets_are_bound_to_the_forwarded_client_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let sign_in = |ip: &'static str| {
        env.http
            .post(env.url("/api/v1/sign-ins/badge"))
            .bearer_auth(&kiosk.device_credential)
            .header("x-forwarded-for", ip)
            .json(&serde_json::json!({ "badge": badge }))
            .send()
    };
    let launch =
        |url: String, ip: &'static str| env.http.get(url).header("x-forwarded-for", ip).send();
    let a: badgein_proto::SignIn = sign_in("192.0.2.50").await.unwrap().json().await.unwrap();
    // Someone else behind the same proxy cannot use the kiosk's ticket...
    assert_eq!(
        launch(a.launch_url, "192.0.2.66").await.unwrap().status(),
        401
    );
    // ...and the kiosk's own browser can.
    let b: badgein_proto::SignIn = sign_in("192.0.2.50").await.unwrap().json().await.unwrap();
    assert_eq!(
        launch(b.launch_url, "192.0.2.50").await.unwrap().status(),
        303
    );
}

#[tokio::test]
async fn launch_tickets_are_bound_to_the_forwarded_client() {
    run_with(
        behind_proxy(),
        launch_tickets_are_bound_to_the_forwarded_client_body,
    )
    .await;
}

// ---------------------------------------------------------------- hashing

async fn a_login_flood_is_refused_early_not_queued_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let env = &env;
    let flood = (0..40).map(|n| {
        let address = format!("198.51.100.{n}");
        let username = format!("ghost{n}");
        async move { login(env, &username, "guess", &address, None).await }
    });
    let kiosk_meanwhile = env.badge_sign_in(&kiosk.device_credential, &badge);
    let (answers, kiosk_answer) = tokio::join!(futures::future::join_all(flood), kiosk_meanwhile);
    assert_eq!(kiosk_answer.status(), 200, "badges need no hashing");
    let mut checked = 0;
    let mut refused = 0;
    for r in answers {
        match r.status().as_u16() {
            401 => checked += 1,
            503 => {
                assert!(r.headers().contains_key("retry-after"));
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    // One worker and one waiting place: most of the flood is turned away at once instead of
    // piling up behind the hashes.
    assert!(checked >= 2, "{checked} checked");
    assert!(refused >= 20, "{refused} refused of 40");
    // Once it is over, passwords are checked as usual.
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    let r = login(env, "mrsk", "correct horse battery", "192.0.2.1", None).await;
    assert_eq!(r.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_is_refused_early_not_queued() {
    let config = Config {
        argon2: Argon2Cost::PRODUCTION,
        hashing_concurrency: 1,
        hashing_queue: 1,
        login_address_rate: ROOMY,
        login_username_rate: ROOMY,
        ..behind_proxy()
    };
    run_with(config, a_login_flood_is_refused_early_not_queued_body).await;
}

// ---------------------------------------------------------------- lockout

async fn a_sprayed_teacher_still_signs_in_from_her_own_browser_body(env: Env) {
    let password = "correct horse battery";
    env.portal().set_password("t1", password).await.unwrap();
    // Monday: she signs in from her classroom browser, which is recognised from then on.
    let r = login(&env, "mrsk", password, "192.0.2.10", None).await;
    assert_eq!(r.status(), 303);
    let device = device_cookie(&r).expect("a device cookie");
    assert_eq!(device.len(), 64);

    // A student sprays her username from the lab (the same school address as her room) and
    // from 30 other addresses: 5 guesses each, 150 in all. Unknown usernames get the same.
    let mut teacher = Vec::new();
    let mut nobody = Vec::new();
    for a in 0..30 {
        for _ in 0..5 {
            let address = format!("198.51.100.{a}");
            teacher.push(
                login(&env, "mrsk", "guess", &address, None)
                    .await
                    .status()
                    .as_u16(),
            );
            nobody.push(
                login(&env, "nobody", "guess", &address, None)
                    .await
                    .status()
                    .as_u16(),
            );
        }
    }
    assert_eq!(teacher, nobody, "an unknown username answers the same");
    assert_eq!(
        teacher.iter().filter(|s| **s == 401).count(),
        100,
        "NIST's 100"
    );
    assert!(teacher[100..].iter().all(|s| *s == 429));
    // The right password from an unrecognised device is refused now...
    let r = login(&env, "mrsk", password, "203.0.113.5", None).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // ...while her own browser signs her in, even from the lab's address.
    let r = login(&env, "mrsk", password, "198.51.100.0", Some(&device)).await;
    assert_eq!(r.status(), 303, "recognised browser");
    // Signing in cleared the counters.
    assert_eq!(
        login(&env, "mrsk", password, "203.0.113.5", None)
            .await
            .status(),
        303
    );
    // A made-up device cookie is nobody's: it is just another unrecognised browser.
    for _ in 0..5 {
        login(&env, "mrsk", "guess", "203.0.113.7", Some(&"ab".repeat(32))).await;
    }
    let r = login(
        &env,
        "mrsk",
        password,
        "203.0.113.7",
        Some(&"ab".repeat(32)),
    )
    .await;
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn a_sprayed_teacher_still_signs_in_from_her_own_browser() {
    let config = Config {
        login_address_rate: ROOMY,
        login_username_rate: ROOMY,
        ..behind_proxy()
    };
    run_with(
        config,
        a_sprayed_teacher_still_signs_in_from_her_own_browser_body,
    )
    .await;
}

async fn a_kiosk_where_she_signed_in_before_is_recognised_body(env: Env) {
    let password = "correct horse battery";
    env.portal().set_password("t1", password).await.unwrap();
    let room = env.enroll("s1", "Room 12").await;
    let hall = env.enroll("s1", "Hall").await;
    assert_eq!(
        env.password_sign_in(&room.device_credential, "mrsk", password)
            .await
            .status(),
        200
    );
    // Sprayed at the hall kiosk until it is locked for her there...
    for _ in 0..5 {
        env.password_sign_in(&hall.device_credential, "mrsk", "guess")
            .await;
    }
    let r = env
        .password_sign_in(&hall.device_credential, "mrsk", password)
        .await;
    assert_eq!(problem_code(r).await, (429, "account_locked".into()));
    // ...her own room's kiosk still signs her in.
    let r = env
        .password_sign_in(&room.device_credential, "mrsk", password)
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_kiosk_where_she_signed_in_before_is_recognised() {
    run_with(
        Config::for_tests(),
        a_kiosk_where_she_signed_in_before_is_recognised_body,
    )
    .await;
}

// ---------------------------------------------------------------- junk

async fn junk_costs_no_writes_and_is_summarized_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let before = env.portal().audit_log().await.unwrap().len();
    for n in 0..5 {
        let made_up = format!("{n:064x}");
        assert_eq!(env.badge_sign_in(&made_up, "BI1-nope").await.status(), 401);
        let badge = badgein_badge::Badge::generate().unwrap().encode();
        let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
        assert_eq!(problem_code(r).await.1, "badge_unknown");
    }
    for _ in 0..3 {
        let r = env
            .http
            .get(env.url(&format!("/launch?ticket={}", "f".repeat(64))))
            .header("x-forwarded-for", "198.51.100.3")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = env
            .http
            .post(env.url("/api/v1/kiosks/enroll"))
            .json(&serde_json::json!({"code": "AAAAA-BBBBB", "name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem_code(r).await.1, "enrollment_code_invalid");
        let r = login(
            &env,
            "hunter2-typed-as-a-username",
            "guess",
            "198.51.100.3",
            None,
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    assert_eq!(
        env.portal().audit_log().await.unwrap().len(),
        before,
        "junk writes nothing"
    );
    // A wrong password for a real account is written, with the username and the address.
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    login(&env, "MrsK", "guess", "198.51.100.4", None).await;
    let log = env.portal().audit_log().await.unwrap();
    let failed = log.last().unwrap();
    assert_eq!(
        (
            failed.action.as_str(),
            failed.result.as_str(),
            failed.user_id.as_deref()
        ),
        ("sign_in.password", "invalid_credentials", Some("t1"))
    );
    assert_eq!(
        failed.detail.as_deref(),
        Some("username mrsk from 127.0.0.1")
    );

    // The junk goes to the log once, summed per kind and address.
    env.portal().flush_junk().await.unwrap();
    let log = env.portal().audit_log().await.unwrap();
    let summaries: Vec<String> = log
        .iter()
        .filter(|e| {
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("attempt(s) from"))
        })
        .map(|e| {
            let detail = e.detail.as_deref().unwrap();
            format!(
                "{} {} {}",
                e.action,
                e.result,
                &detail[..detail.find(" since").unwrap()]
            )
        })
        .collect();
    let mut summaries = summaries;
    summaries.sort();
    assert_eq!(
        summaries,
        [
            "kiosk.enroll enrollment_code_invalid 3 attempt(s) from 127.0.0.1",
            "session.launch invalid_credentials 3 attempt(s) from 127.0.0.1",
            "sign_in.badge badge_unknown 5 attempt(s) from 127.0.0.1",
            "sign_in.badge kiosk_not_enrolled 5 attempt(s) from 127.0.0.1",
            "sign_in.password invalid_credentials 3 attempt(s) from 127.0.0.1",
        ]
    );
    env.portal().flush_junk().await.unwrap();
    assert_eq!(
        env.portal().audit_log().await.unwrap().len(),
        log.len(),
        "flushed once"
    );
    // What was typed as an unknown username (often a password) is stored nowhere.
    assert!(!crate::harness::dump(&env).await.contains("hunter2-typed"));
}

#[tokio::test]
async fn junk_costs_no_writes_and_is_summarized() {
    // No trusted proxy: every address here is 127.0.0.1, whatever the header says.
    run_with(
        Config::for_tests(),
        junk_costs_no_writes_and_is_summarized_body,
    )
    .await;
}

// ---------------------------------------------------------------- kiosks behind a NAT

async fn a_known_kiosk_gets_through_right_after_a_restart_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let env = env.restart(tight_addresses()).await;
    // Someone at the school's address sprays made-up credentials until it is refused...
    let mut limited = false;
    for n in 0..5 {
        let r = env.badge_sign_in(&format!("{n:064x}"), &badge).await;
        limited |= r.status() == 429;
    }
    assert!(limited, "the address is limited");
    // ...and the kiosk behind the same address, on its first request since the restart,
    // signs the child in.
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    assert_eq!(r.status(), 200);
}

fn tight_addresses() -> Config {
    Config {
        address_rate: Rate {
            burst: 2,
            per_second: 1,
        },
        ..Config::for_tests()
    }
}

#[tokio::test]
async fn a_known_kiosk_gets_through_right_after_a_restart() {
    run_with(
        tight_addresses(),
        a_known_kiosk_gets_through_right_after_a_restart_body,
    )
    .await;
}

// ---------------------------------------------------------------- the server

/// Reads until the server closes the connection; `None` if it has not within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()
    .map(|()| got)
}

fn limits(header: u64, request: u64, idle: u64, max: usize) -> Config {
    Config {
        server: ServerLimits {
            header_timeout: Duration::from_secs(header),
            request_timeout: Duration::from_secs(request),
            idle_timeout: Duration::from_secs(idle),
            max_connections: max,
        },
        ..Config::for_tests()
    }
}

async fn half_sent_headers_are_cut_off_body(env: Env) {
    let mut slow = TcpStream::connect(env.running.addr()).await.unwrap();
    slow.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The header timeout is 1 s; the idle and request timeouts are far longer.
    assert!(
        closed_within(&mut slow, Duration::from_secs(8))
            .await
            .is_some(),
        "a half-sent header is not held open"
    );
    let mut silent = TcpStream::connect(env.running.addr()).await.unwrap();
    assert!(
        closed_within(&mut silent, Duration::from_secs(8))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn half_sent_headers_are_cut_off() {
    run_with(limits(1, 60, 60, 100), half_sent_headers_are_cut_off_body).await;
}

async fn idle_keep_alive_connections_are_closed_body(env: Env) {
    let mut c = TcpStream::connect(env.running.addr()).await.unwrap();
    c.write_all(b"GET /portal.css HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    c.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // Idle timeout 1 s, header timeout 10 s: the idle one closes it.
    assert!(
        closed_within(&mut c, Duration::from_secs(6))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    run_with(
        limits(10, 60, 1, 100),
        idle_keep_alive_connections_are_closed_body,
    )
    .await;
}

async fn a_slow_body_times_out_body(env: Env) {
    let mut c = TcpStream::connect(env.running.addr()).await.unwrap();
    c.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100\r\n\r\nusername=a",
    )
    .await
    .unwrap();
    let answer = closed_within(&mut c, Duration::from_secs(8))
        .await
        .expect("answered and closed");
    assert!(
        answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn a_slow_body_times_out() {
    run_with(limits(10, 1, 60, 100), a_slow_body_times_out_body).await;
}

async fn open_connections_are_capped_body(env: Env) {
    let held_a = TcpStream::connect(env.running.addr()).await.unwrap();
    let _held_b = TcpStream::connect(env.running.addr()).await.unwrap();
    let mut third = TcpStream::connect(env.running.addr()).await.unwrap();
    third
        .write_all(b"GET /portal.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 12];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), third.read_exact(&mut buf))
            .await
            .is_err(),
        "not served while two connections hold both places"
    );
    drop(held_a);
    tokio::time::timeout(Duration::from_secs(5), third.read_exact(&mut buf))
        .await
        .expect("served once a place is free")
        .unwrap();
    assert_eq!(&buf, b"HTTP/1.1 200");
}

#[tokio::test]
async fn open_connections_are_capped() {
    run_with(limits(10, 60, 60, 2), open_connections_are_capped_body).await;
}

// ---------------------------------------------------------------- headers

async fn every_response_says_nosniff_body(env: Env) {
    for path in [
        "/portal.css",
        "/login",
        "/nope",
        "/api/v1/kiosks/me",
        "/api/nope",
    ] {
        let r = env.http.get(env.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
        assert!(
            !r.headers().contains_key("strict-transport-security"),
            "{path}: plain HTTP"
        );
    }
}

#[tokio::test]
async fn every_response_says_nosniff() {
    run_with(Config::for_tests(), every_response_says_nosniff_body).await;
}

async fn https_portals_send_hsts_body(env: Env) {
    // Requests still go to the bound loopback address; the pages say https.
    for path in ["/portal.css", "/login", "/api/v1/kiosks/me"] {
        let url = format!("http://{}{path}", env.running.addr());
        let r = env.http.get(url).send().await.unwrap();
        assert_eq!(
            r.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

#[tokio::test]
async fn https_portals_send_hsts() {
    let config = Config {
        public_url: Some("https://portal.example.org".into()),
        ..Config::for_tests()
    };
    run_with(config, https_portals_send_hsts_body).await;
}

#[tokio::test]
async fn a_plain_http_public_url_is_refused_unless_loopback() {
    for url in ["http://portal.example.org", "http://10.0.0.5:8750"] {
        let config = Config {
            public_url: Some(url.into()),
            ..Config::for_tests()
        };
        let (db, _dir) = crate::harness::fresh_database("sqlite").await;
        let portal = badgein_portal::Portal::open(
            &db,
            std::sync::Arc::new(badgein_portal::ManualClock::starting_now()),
            config,
        )
        .await
        .unwrap();
        let err = badgein_portal::spawn(portal, "127.0.0.1:0")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{url}");
        assert!(err.to_string().contains("https://"), "{err}");
    }
}

#[test]
fn serve_refuses_a_plain_http_public_url() {
    let dir = crate::harness::TempDir::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
        .arg("--db")
        .arg(dir.0.join("portal.db"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            "http://portal.example.org",
        ])
        .env_remove("BADGEIN_DB")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("must be https:// unless it is loopback"),
        "{stderr}"
    );
}

async fn devices_are_forgotten_after_their_lifetime_body(env: Env) {
    use badgein_portal::store::Pool;
    async fn known(env: &Env) -> i64 {
        const SQL: &str = "SELECT COUNT(*) FROM known_devices";
        match env.portal().db() {
            Pool::Sqlite(s) => sqlx::query_scalar(SQL).fetch_one(&s.read).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(SQL).fetch_one(p).await.unwrap(),
        }
    }
    let password = "correct horse battery";
    env.portal().set_password("t1", password).await.unwrap();
    let r = login(&env, "mrsk", password, "192.0.2.10", None).await;
    let device = device_cookie(&r).unwrap();
    // The same browser signing in again keeps its cookie and its one row.
    let again = login(&env, "mrsk", password, "192.0.2.10", Some(&device)).await;
    assert_eq!(device_cookie(&again).as_deref(), Some(device.as_str()));
    assert_eq!(known(&env).await, 1);
    env.clock.advance(Duration::from_secs(179 * 86_400));
    env.portal().minute_chores().await;
    assert_eq!(known(&env).await, 1, "still within 180 days");
    env.clock.advance(Duration::from_secs(2 * 86_400));
    env.portal().minute_chores().await;
    assert_eq!(known(&env).await, 0);
}

#[tokio::test]
async fn devices_are_forgotten_after_their_lifetime() {
    run_with(
        behind_proxy(),
        devices_are_forgotten_after_their_lifetime_body,
    )
    .await;
}
