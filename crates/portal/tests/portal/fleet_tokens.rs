//! Fleet enrollment tokens (issue 12): many kiosks of one school enrolled with one token, in
//! the enroll call's `code` field; its uses, expiry and revocation held also when kiosks race;
//! every refusal answered like a wrong code; the token stored and logged nowhere.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use badgein_portal::store::Pool;
use badgein_portal::store::fleet_tokens::FleetToken;
use badgein_portal::{Config, ManualClock, Portal, spawn};
use badgein_proto::Enrolled;
use futures::StreamExt;
use futures::stream::FuturesUnordered;

use crate::harness::{
    Env, TempDir, backends, drop_postgres, fresh_database, portal_cli, problem_code, run,
    with_key_file,
};

const DAY: Duration = Duration::from_secs(24 * 3600);

async fn enroll_body(env: &Env, body: serde_json::Value) -> reqwest::Response {
    env.http
        .post(env.url("/api/v1/kiosks/enroll"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn enroll(env: &Env, code: &str, name: &str) -> reqwest::Response {
    enroll_body(env, serde_json::json!({"code": code, "name": name})).await
}

/// The status and the whole problem body of a refused enrollment.
async fn refusal(r: reqwest::Response) -> (u16, serde_json::Value) {
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn token_row(env: &Env, school: &str, id: &str) -> FleetToken {
    env.portal()
        .fleet_tokens(school)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == id)
        .unwrap()
}

async fn count(db: &Pool, sql: &str) -> i64 {
    match db {
        Pool::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(&s.read).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// The junk counts of refused enrollments after a flush, summed per kind and address (the
/// server's own flush each minute may have split them): `[<what>: ]N attempt(s) from <address>`.
async fn refused_enrollments(env: &Env) -> Vec<String> {
    env.portal().flush_junk().await.unwrap();
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for e in env.portal().audit_log().await.unwrap() {
        if e.action != "kiosk.enroll" || e.result != "enrollment_code_invalid" {
            continue;
        }
        let detail = e.detail.unwrap();
        let counted = &detail[..detail.find(" since").unwrap()];
        let (what, rest) = counted
            .rfind(": ")
            .map_or(("", counted), |i| (&counted[..i + 2], &counted[i + 2..]));
        let (n, from) = rest.split_once(" attempt(s) from ").unwrap();
        *counts.entry((what.into(), from.into())).or_default() += n.parse::<u64>().unwrap();
    }
    let mut rows: Vec<String> = counts
        .into_iter()
        .map(|((what, from), n)| format!("{what}{n} attempt(s) from {from}"))
        .collect();
    rows.sort();
    rows
}

/// The audit rows but the junk counts (which the server may flush at any minute).
async fn written(env: &Env) -> usize {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .iter()
        .filter(|e| {
            !e.detail
                .as_deref()
                .is_some_and(|d| d.contains(" attempt(s) from "))
        })
        .count()
}

async fn enrolls_kiosks_of_its_school_each_with_its_own_credential_body(env: Env) {
    let issued = env.portal().fleet_token("s2", 3, 7).await.unwrap();
    let token = issued.token.clone();
    assert!(token.starts_with("BFT-") && token.len() == 30, "{token}");
    // As printed, lowercased, and with a file's white space around it.
    let mut kiosks: Vec<Enrolled> = Vec::new();
    for (n, presented) in [token.clone(), token.to_lowercase(), format!("  {token}\n")]
        .into_iter()
        .enumerate()
    {
        let r = enroll(&env, &presented, &format!("Hall {n}")).await;
        assert_eq!(r.status(), 201, "{}", env.backend);
        kiosks.push(r.json().await.unwrap());
    }
    let credentials: HashSet<&str> = kiosks
        .iter()
        .map(|k| k.device_credential.as_str())
        .collect();
    let ids: HashSet<&str> = kiosks.iter().map(|k| k.kiosk_id.as_str()).collect();
    assert_eq!(
        (credentials.len(), ids.len()),
        (3, 3),
        "one credential each"
    );
    for kiosk in &kiosks {
        assert_eq!(kiosk.school.id, "s2", "the token's school");
        assert!(kiosk.device_credential.len() >= 64);
        let me: serde_json::Value = env
            .http
            .get(env.url("/api/v1/kiosks/me"))
            .bearer_auth(&kiosk.device_credential)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (&me["school"]["id"], &me["revoked"]),
            (&"s2".into(), &false.into())
        );
    }
    // A kiosk of s2: a badge of s1 is the wrong school, one of s2 signs in.
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(&kiosks[0].device_credential, &maya).await;
    assert_eq!(problem_code(r).await, (403, "wrong_school".into()));
    let oskar = env.portal().issue_badge("x1", None).await.unwrap().encode();
    let r = env
        .badge_sign_in(&kiosks[1].device_credential, &oskar)
        .await;
    assert_eq!(r.status(), 200);

    // The fourth is refused: used up.
    let r = enroll(&env, &token, "Hall 4").await;
    assert_eq!(
        problem_code(r).await,
        (401, "enrollment_code_invalid".into())
    );
    let row = token_row(&env, "s2", &issued.id).await;
    assert_eq!((row.uses, row.used, row.revoked_at), (3, 3, None));
    assert_eq!(
        count(
            env.portal().db(),
            "SELECT COUNT(*) FROM kiosks WHERE school_id = 's2'"
        )
        .await,
        3
    );

    // The audit log: its making, each enrollment with the token's id, the refusal; never
    // the token.
    let id = issued.id.as_str();
    let refused = refused_enrollments(&env).await;
    assert_eq!(
        refused,
        [format!(
            "fleet token {id} used up: 1 attempt(s) from 127.0.0.1"
        )]
    );
    let log = env.portal().audit_log().await.unwrap();
    let made: Vec<_> = log.iter().filter(|e| e.action == "kiosk.token").collect();
    assert_eq!(made.len(), 1);
    assert!(
        made[0]
            .detail
            .as_deref()
            .unwrap()
            .starts_with(&format!("fleet token {id}, school s2, 3 uses, until ")),
        "{made:?}"
    );
    let enrolled: Vec<_> = log
        .iter()
        .filter(|e| e.action == "kiosk.enroll" && e.result == "ok")
        .collect();
    assert_eq!(enrolled.len(), 3);
    for (entry, kiosk) in enrolled.iter().zip(&kiosks) {
        assert_eq!(entry.kiosk_id.as_deref(), Some(kiosk.kiosk_id.as_str()));
        assert_eq!(
            entry.detail.as_deref(),
            Some(format!("fleet token {id}").as_str())
        );
    }
    let secret = &token[4..];
    let logged = serde_json::to_string(&log).unwrap().to_uppercase();
    assert!(!logged.contains(secret), "the audit log holds the token");
    let dump = crate::harness::dump(&env).await.to_uppercase();
    assert!(!dump.contains(secret), "the database holds the token");
}

#[tokio::test]
async fn enrolls_kiosks_of_its_school_each_with_its_own_credential() {
    run(enrolls_kiosks_of_its_school_each_with_its_own_credential_body).await;
}

async fn twenty_kiosks_racing_for_five_uses_get_five_body(env: Env) {
    let issued = env.portal().fleet_token("s1", 5, 7).await.unwrap();
    let enrolls = (0..20).map(|n| {
        let http = env.http.clone();
        let url = env.url("/api/v1/kiosks/enroll");
        let token = issued.token.clone();
        tokio::spawn(async move {
            let r = http
                .post(url)
                .json(&serde_json::json!({"code": token, "name": format!("Racer {n}")}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap();
            (status, body)
        })
    });
    let results: Vec<(u16, serde_json::Value)> = futures::future::join_all(enrolls)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let won: Vec<&serde_json::Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(won.len(), 5, "{}: {results:?}", env.backend);
    for (status, body) in &results {
        if *status != 201 {
            assert_eq!(
                (*status, &body["code"]),
                (401, &"enrollment_code_invalid".into())
            );
        }
    }
    let ids: HashSet<&str> = won
        .iter()
        .map(|b| b["kiosk_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    let row = token_row(&env, "s1", &issued.id).await;
    assert_eq!((row.uses, row.used), (5, 5));
    assert_eq!(
        count(env.portal().db(), "SELECT COUNT(*) FROM kiosks").await,
        5,
        "a kiosk for each use spent, and no more"
    );
    assert_eq!(
        refused_enrollments(&env).await,
        [format!(
            "fleet token {} used up: 15 attempt(s) from 127.0.0.1",
            issued.id
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_kiosks_racing_for_five_uses_get_five() {
    run(twenty_kiosks_racing_for_five_uses_get_five_body).await;
}

async fn expired_used_up_and_revoked_tokens_answer_like_a_wrong_code_body(env: Env) {
    let wrong_code = refusal(enroll(&env, "AAAAA-BBBBB", "Hall").await).await;
    assert_eq!(wrong_code.0, 401);
    assert_eq!(wrong_code.1["code"], "enrollment_code_invalid");

    let expiring = env.portal().fleet_token("s1", 2, 1).await.unwrap();
    let used_up = env.portal().fleet_token("s1", 1, 7).await.unwrap();
    let revoked = env.portal().fleet_token("s1", 5, 7).await.unwrap();
    assert_eq!(enroll(&env, &used_up.token, "Hall").await.status(), 201);
    env.portal().revoke_fleet_token(&revoked.id).await.unwrap();
    // Valid until its last millisecond: a day less a second after it was made, it enrolls.
    env.clock.advance(DAY - Duration::from_secs(1));
    assert_eq!(enroll(&env, &expiring.token, "Hall").await.status(), 201);
    env.clock.advance(Duration::from_secs(1));
    let unknown = format!("BFT-{}", "A".repeat(26));
    for token in [&expiring.token, &used_up.token, &revoked.token, &unknown] {
        let answer = refusal(enroll(&env, token, "Hall").await).await;
        assert_eq!(answer, wrong_code, "{}", env.backend);
    }
    let mut expected = vec![
        // The wrong code and the unknown token: nothing to name.
        "2 attempt(s) from 127.0.0.1".to_owned(),
        format!(
            "fleet token {} expired: 1 attempt(s) from 127.0.0.1",
            expiring.id
        ),
        format!(
            "fleet token {} revoked: 1 attempt(s) from 127.0.0.1",
            revoked.id
        ),
        format!(
            "fleet token {} used up: 1 attempt(s) from 127.0.0.1",
            used_up.id
        ),
    ];
    expected.sort();
    assert_eq!(refused_enrollments(&env).await, expected);
    assert_eq!(token_row(&env, "s1", &expiring.id).await.used, 1);
    assert_eq!(token_row(&env, "s1", &revoked.id).await.used, 0);
}

#[tokio::test]
async fn expired_used_up_and_revoked_tokens_answer_like_a_wrong_code() {
    run(expired_used_up_and_revoked_tokens_answer_like_a_wrong_code_body).await;
}

async fn revoking_one_schools_token_leaves_the_other_schools_body(env: Env) {
    let maple = env.portal().fleet_token("s1", 2, 7).await.unwrap();
    let oak = env.portal().fleet_token("s2", 2, 7).await.unwrap();
    env.portal().revoke_fleet_token(&oak.id).await.unwrap();
    // Revoking again changes nothing; a token that does not exist is not found.
    env.portal().revoke_fleet_token(&oak.id).await.unwrap();
    let missing = env
        .portal()
        .revoke_fleet_token("ft-nope")
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("ft-nope"), "{missing}");
    // Its token's id is not the token.
    let r = enroll(&env, &oak.id, "Oak hall").await;
    assert_eq!(
        problem_code(r).await,
        (401, "enrollment_code_invalid".into())
    );
    let r = enroll(&env, &oak.token, "Oak hall").await;
    assert_eq!(
        problem_code(r).await,
        (401, "enrollment_code_invalid".into())
    );
    let r = enroll(&env, &maple.token, "Maple hall").await;
    assert_eq!(r.status(), 201);
    let kiosk: Enrolled = r.json().await.unwrap();
    assert_eq!(kiosk.school.id, "s1");

    let oak_row = token_row(&env, "s2", &oak.id).await;
    assert!(oak_row.revoked_at.is_some());
    assert_eq!(oak_row.used, 0);
    let maple_row = token_row(&env, "s1", &maple.id).await;
    assert_eq!((maple_row.used, maple_row.revoked_at), (1, None));
    // Each school lists its own.
    let listed: Vec<String> = env
        .portal()
        .fleet_tokens("s2")
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id.into_string())
        .collect();
    assert_eq!(listed, [oak.id.into_string()]);
    let revocations = env
        .portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "kiosk.token_revoke")
        .count();
    assert_eq!(revocations, 2);
}

#[tokio::test]
async fn revoking_one_schools_token_leaves_the_other_schools() {
    run(revoking_one_schools_token_leaves_the_other_schools_body).await;
}

async fn a_revocation_racing_enrollments_stops_them_body(env: Env) {
    let issued = env.portal().fleet_token("s1", 50, 7).await.unwrap();
    let mut enrolls: FuturesUnordered<_> = (0..20)
        .map(|n| {
            let http = env.http.clone();
            let url = env.url("/api/v1/kiosks/enroll");
            let token = issued.token.clone();
            tokio::spawn(async move {
                http.post(url)
                    .json(&serde_json::json!({"code": token, "name": format!("Racer {n}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    // The revocation goes in once the first enrollment is answered, the rest in flight.
    let mut statuses = vec![enrolls.next().await.unwrap().unwrap()];
    let portal = env.portal().clone();
    let id = issued.id.clone();
    let revoke = tokio::spawn(async move { portal.revoke_fleet_token(&id).await });
    while let Some(status) = enrolls.next().await {
        statuses.push(status.unwrap());
    }
    revoke.await.unwrap().unwrap();
    assert!(
        statuses.iter().all(|s| [201, 401].contains(s)),
        "{statuses:?}"
    );
    let won = statuses.iter().filter(|s| **s == 201).count();
    assert!(won >= 1, "{statuses:?}");
    // However the race went, every kiosk that got a credential spent a use, and nothing
    // enrolls after the revocation.
    let row = token_row(&env, "s1", &issued.id).await;
    assert_eq!(usize::try_from(row.used).unwrap(), won, "{}", env.backend);
    assert_eq!(
        usize::try_from(count(env.portal().db(), "SELECT COUNT(*) FROM kiosks").await).unwrap(),
        won
    );
    let r = enroll(&env, &issued.token, "Late").await;
    assert_eq!(
        problem_code(r).await,
        (401, "enrollment_code_invalid".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revocation_racing_enrollments_stops_them() {
    run(a_revocation_racing_enrollments_stops_them_body).await;
}

async fn hostile_code_fields_are_refused_and_spend_nothing_body(env: Env) {
    let issued = env.portal().fleet_token("s1", 2, 7).await.unwrap();
    let token = issued.token.as_str();
    let audit_before = written(&env).await;
    let wrong = [
        // Oversized, still within the body limit: refused before any work.
        "A".repeat(10_000),
        format!("{token}{}", " ".repeat(10_000)),
        format!("{token}{}", &token[4..]),
        // Bad characters inside a real token: a token is taken only as printed.
        format!("{}\u{0}{}", &token[..12], &token[12..]),
        format!("{}é{}", &token[..12], &token[12..]),
        format!("{}\u{202e}{}", &token[..12], &token[12..]),
        format!("{}'--{}", &token[..12], &token[12..]),
        format!("{token}' OR '1'='1"),
        token.replace('-', "_"),
        // Too short, too long, or not base32.
        token[..29].to_owned(),
        format!("{token}A"),
        format!("BFT-{}", "1".repeat(26)),
        // A valid code's shape behind the prefix.
        "BFT-ABCDE-FGHJK".to_owned(),
        String::new(),
    ];
    for code in &wrong {
        let r = enroll(&env, code, "Hall").await;
        assert_eq!(
            problem_code(r).await,
            (401, "enrollment_code_invalid".into()),
            "{}: {:?}",
            env.backend,
            code.chars().take(40).collect::<String>()
        );
    }
    // Not a string, missing, too large a body, a bad name with the real token: bad requests.
    for body in [
        serde_json::json!({"code": 12345, "name": "Hall"}),
        serde_json::json!({"code": null, "name": "Hall"}),
        serde_json::json!({"name": "Hall"}),
        serde_json::json!({"code": [token], "name": "Hall"}),
        serde_json::json!({"code": "A".repeat(20_000), "name": "Hall"}),
        serde_json::json!({"code": token, "name": ""}),
        serde_json::json!({"code": token, "name": "x".repeat(101)}),
        serde_json::json!({"code": token, "name": "Hall\u{7}"}),
    ] {
        let r = enroll_body(&env, body).await;
        assert_eq!(problem_code(r).await, (400, "bad_request".into()));
    }
    assert_eq!(written(&env).await, audit_before, "junk writes nothing");
    assert_eq!(
        token_row(&env, "s1", &issued.id).await.used,
        0,
        "nothing spent"
    );
    assert_eq!(
        count(env.portal().db(), "SELECT COUNT(*) FROM kiosks").await,
        0
    );
    assert_eq!(
        refused_enrollments(&env).await,
        [format!("{} attempt(s) from 127.0.0.1", wrong.len())]
    );
    // Still serving, and the token still has both its uses.
    for name in ["Hall 1", "Hall 2"] {
        assert_eq!(enroll(&env, token, name).await.status(), 201);
    }
    assert_eq!(enroll(&env, token, "Hall 3").await.status(), 401);
}

#[tokio::test]
async fn hostile_code_fields_are_refused_and_spend_nothing() {
    run(hostile_code_fields_are_refused_and_spend_nothing_body).await;
}

async fn tokens_are_checked_when_made_body(env: Env) {
    let portal = env.portal();
    for (school, uses, days) in [("s1", 0, 7), ("s1", 10_001, 7), ("s1", 5, 0), ("s1", 5, 91)] {
        let e = portal.fleet_token(school, uses, days).await.unwrap_err();
        assert!(e.to_string().starts_with("bad request"), "{e}");
    }
    let e = portal.fleet_token("nowhere", 5, 7).await.unwrap_err();
    assert_eq!(e.to_string(), "not found: school nowhere");
    let e = portal.fleet_tokens("nowhere").await.unwrap_err();
    assert_eq!(e.to_string(), "not found: school nowhere");
    assert!(portal.fleet_tokens("s1").await.unwrap().is_empty());
    let issued = portal.fleet_token("s1", 10_000, 90).await.unwrap();
    assert_eq!(issued.expires_at - portal.now(), 90 * 24 * 3600 * 1000);
}

#[tokio::test]
async fn tokens_are_checked_when_made() {
    run(tokens_are_checked_when_made_body).await;
}

/// The binary on `db_url`, with the key file PostgreSQL needs.
fn cli_on(db_url: &str, key_file: Option<&Path>, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = Vec::new();
    if let Some(k) = key_file {
        all.extend(["--key-file", k.to_str().unwrap()]);
    }
    all.extend_from_slice(args);
    portal_cli(Path::new(db_url), &all)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// `kiosk token | tokens | token-revoke` on each backend: the token alone on stdout, the list
/// as JSON lines, clear failures; the printed token enrolls a kiosk.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_makes_lists_and_revokes_tokens() {
    for backend in backends() {
        let (db_url, dir) = fresh_database(backend).await;
        let dir = dir.unwrap_or_else(TempDir::new);
        let config = with_key_file(&db_url, Some(&dir), Config::for_tests());
        let key_file = config.key_file.clone();
        let portal = Portal::open(
            &db_url,
            Arc::new(ManualClock::starting_now()),
            config.clone(),
        )
        .await
        .unwrap();
        portal.add_school("s1", "Maple Elementary").await.unwrap();
        portal.close().await;
        let cli = |args: &[&str]| cli_on(&db_url, key_file.as_deref(), args);

        let made = cli(&[
            "kiosk", "token", "--school", "s1", "--uses", "2", "--days", "7",
        ]);
        assert!(made.status.success(), "{backend}: {}", text(&made.stderr));
        let out = text(&made.stdout);
        assert_eq!(out.lines().count(), 1, "only the token: {out:?}");
        let token = out.trim().to_owned();
        assert!(token.starts_with("BFT-") && token.len() == 30, "{token}");
        assert!(
            token[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        let said = text(&made.stderr);
        assert!(
            said.contains("fleet token ft-") && said.contains("2 kiosk(s)"),
            "{said}"
        );
        assert!(
            !said.contains(&token[4..]),
            "the token only once, on stdout"
        );

        let listed = cli(&["kiosk", "tokens", "--school", "s1"]);
        assert!(listed.status.success(), "{}", text(&listed.stderr));
        let line: serde_json::Value = serde_json::from_str(text(&listed.stdout).trim()).unwrap();
        let mut keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "expires_at",
                "revoked",
                "school_id",
                "token_id",
                "used",
                "uses"
            ]
        );
        assert_eq!(
            (
                &line["school_id"],
                &line["uses"],
                &line["used"],
                &line["revoked"]
            ),
            (&"s1".into(), &2.into(), &0.into(), &false.into())
        );
        assert!(line["expires_at"].as_str().unwrap().ends_with('Z'));
        let id = line["token_id"].as_str().unwrap().to_owned();
        assert!(said.contains(&id));
        assert!(!text(&listed.stdout).contains(&token[4..]));

        // The printed token enrolls a kiosk of the school.
        let portal = Portal::open(&db_url, Arc::new(ManualClock::starting_now()), config)
            .await
            .unwrap();
        let running = spawn(portal, "127.0.0.1:0").await.unwrap();
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/kiosks/enroll", running.base_url()))
            .json(&serde_json::json!({"code": token, "name": "Hall"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.json::<Enrolled>().await.unwrap().school.id, "s1");

        let revoked = cli(&["kiosk", "token-revoke", "--token", &id]);
        assert!(revoked.status.success(), "{}", text(&revoked.stderr));
        assert!(revoked.stdout.is_empty());
        let listed = cli(&["kiosk", "tokens", "--school", "s1"]);
        let line: serde_json::Value = serde_json::from_str(text(&listed.stdout).trim()).unwrap();
        assert_eq!((&line["used"], &line["revoked"]), (&1.into(), &true.into()));
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/kiosks/enroll", running.base_url()))
            .json(&serde_json::json!({"code": token, "name": "Hall 2"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem_code(r).await,
            (401, "enrollment_code_invalid".into())
        );
        let portal = running.portal().clone();
        running.stop().await.unwrap();
        portal.close().await;

        // Clear failures, nothing on stdout.
        for (args, says) in [
            (
                vec![
                    "kiosk", "token", "--school", "s1", "--uses", "0", "--days", "7",
                ],
                "--uses",
            ),
            (
                vec![
                    "kiosk", "token", "--school", "s1", "--uses", "2", "--days", "91",
                ],
                "--days",
            ),
            (
                vec!["kiosk", "token", "--school", "s1", "--days", "7"],
                "--uses",
            ),
            (
                vec![
                    "kiosk", "token", "--school", "nope", "--uses", "2", "--days", "7",
                ],
                "school nope",
            ),
            (vec!["kiosk", "tokens", "--school", "nope"], "school nope"),
            (
                vec!["kiosk", "token-revoke", "--token", "ft-nope"],
                "fleet token ft-nope",
            ),
        ] {
            let failed = cli(&args);
            assert!(!failed.status.success(), "{args:?}");
            assert!(failed.stdout.is_empty(), "{args:?}");
            let message = text(&failed.stderr);
            assert!(message.contains(says), "{args:?}: {message}");
        }
        if backend == "postgres" {
            drop_postgres(&db_url).await;
        }
    }
}
