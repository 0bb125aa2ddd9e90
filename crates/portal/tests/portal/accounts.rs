//! Issue 11's account rules over real HTTP and the real CLI (docs/accounts.md): a school's
//! grade policy, badges and password changes by grade with the accessibility exception, fixed
//! passwords printed on cards, delegates and what they may reach, and the temporary password a
//! student must change at the next sign-in.

use badgein_portal::{AppRequest, Config, NewUser, PortalError, Role};
use badgein_roster::Grade;

use crate::harness::{self, Env, TempDir, add_principal, get, page, post, run, run_with};

const PASSWORD: &str = "correct horse battery";

/// Adds to the harness's seed: class `c2` of `s1` (teacher `t2`, student `u3` Ava in grade 7)
/// and `c3` of `s2` (teacher `t3`, student `x1`); `u4` Zoe (grade 4) and `u5` Max (grade 7) in
/// `c1`; `d1` Dana, staff of `s1` who teaches nothing; every one of them with a password.
async fn seed(env: &Env) {
    let p = env.portal();
    p.add_class("c2", "s1", "Room 7").await.unwrap();
    p.add_class("c3", "s2", "Oak 1").await.unwrap();
    for (id, school, role, username, given, grade) in [
        ("t2", "s1", Role::Teacher, "srab", "Rosa", None),
        ("u3", "s1", Role::Student, "ava", "Ava", Some(7)),
        ("u4", "s1", Role::Student, "zoe", "Zoe", Some(4)),
        ("u5", "s1", Role::Student, "max", "Max", Some(7)),
        ("t3", "s2", Role::Teacher, "mroak", "Olaf", None),
        ("d1", "s1", Role::Other, "dana", "Dana", None),
    ] {
        p.add_user(&NewUser {
            id: id.into(),
            school_id: school.into(),
            role,
            username: username.into(),
            given_name: given.into(),
            family_name: "Test".into(),
            locale: "en".into(),
            email: None,
            grade: grade.map(Grade::Numbered),
        })
        .await
        .unwrap();
    }
    for (class, user, role) in [
        ("c2", "t2", Role::Teacher),
        ("c2", "u3", Role::Student),
        ("c3", "t3", Role::Teacher),
        ("c3", "x1", Role::Student),
        ("c1", "u4", Role::Student),
        ("c1", "u5", Role::Student),
    ] {
        p.add_to_class(class, user, role).await.unwrap();
    }
    for user in ["t1", "t2", "t3", "u1", "u2", "u3", "u4", "u5", "d1"] {
        p.set_password(user, PASSWORD).await.unwrap();
    }
}

/// The CLI on the test's database (SQLite file or PostgreSQL with the test's key file).
fn cli(env: &Env, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = Vec::new();
    let key;
    if let Some(file) = &env.portal().config().key_file {
        key = file.display().to_string();
        all.extend(["--key-file", key.as_str()]);
    }
    all.extend_from_slice(args);
    harness::portal_cli(std::path::Path::new(&env.db_url), &all)
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn login(env: &Env, username: &str) -> String {
    harness::login(env, username, PASSWORD).await
}

/// A password sign-in at `/login`: its status and `Location`.
async fn try_login(env: &Env, username: &str, password: &str) -> (u16, String) {
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), location)
}

/// The text of a PDF answer, by poppler's pdftotext.
async fn pdf_text(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap();
    let dir = TempDir::new();
    let pdf = dir.0.join("card.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The fixed password a card carries.
fn card_password(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Password: "))
        .expect("the card carries a password")
        .to_owned()
}

async fn audited(env: &Env, action: &str) -> Vec<badgein_portal::store::audit::Entry> {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

#[tokio::test]
async fn the_grade_policy_cli_shows_changes_and_refuses_bad_ranges() {
    run(|env| async move {
        let shown = cli(&env, &["school", "policy", "--school", "s1"]);
        assert!(shown.status.success(), "{}", stderr(&shown));
        let json: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"school": "s1", "badge_grades": "PK-5",
                "password_change_grades": "3-12", "claim_grades": "6-12",
                "staff_totp": "optional", "time_zone": "UTC"})
        );
        assert!(
            audited(&env, "school.policy").await.is_empty(),
            "showing writes nothing"
        );

        let changed = cli(
            &env,
            &[
                "school",
                "policy",
                "--school",
                "s1",
                "--badge-grades",
                "K-3",
                "--claim-grades",
                "7-12",
            ],
        );
        assert!(changed.status.success(), "{}", stderr(&changed));
        let json: serde_json::Value = serde_json::from_str(&stdout(&changed)).unwrap();
        assert_eq!(json["badge_grades"], "K-3");
        assert_eq!(json["password_change_grades"], "3-12");
        assert_eq!(json["claim_grades"], "7-12");
        assert_eq!(audited(&env, "school.policy").await.len(), 1);

        // The staff settings and the grades in one command, all shown after.
        let both = cli(
            &env,
            &[
                "school",
                "policy",
                "--school",
                "s1",
                "--staff-totp",
                "required",
                "--time-zone",
                "America/Chicago",
                "--password-change-grades",
                "4-12",
            ],
        );
        assert!(both.status.success(), "{}", stderr(&both));
        let json: serde_json::Value = serde_json::from_str(&stdout(&both)).unwrap();
        assert_eq!(json["password_change_grades"], "4-12");
        assert_eq!(json["staff_totp"], "required");
        assert_eq!(json["time_zone"], "America/Chicago");
        assert_eq!(audited(&env, "school.policy").await.len(), 3);

        for bad in ["K-PK", "13", "5-3", "", "junk", "05", "PK-5-7"] {
            let refused = cli(
                &env,
                &["school", "policy", "--school", "s1", "--badge-grades", bad],
            );
            assert!(!refused.status.success(), "{bad:?} accepted");
            assert!(
                stderr(&refused).contains("grade"),
                "{bad:?}: {}",
                stderr(&refused)
            );
            assert!(stdout(&refused).is_empty());
        }
        let unknown = cli(&env, &["school", "policy", "--school", "nowhere"]);
        assert!(!unknown.status.success());
        let policy = env.portal().grade_policy(&"s1".into()).await.unwrap();
        assert_eq!(policy.view("s1").badge_grades, "K-3", "nothing changed");
        assert_eq!(audited(&env, "school.policy").await.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn badges_only_in_the_badge_grades_unless_a_teacher_marks_the_exception() {
    run(|env| async move {
        seed(&env).await;
        let p = env.portal();
        // Max is in grade 7: no badge by the default rules, from the CLI's method or the page.
        assert!(matches!(
            p.issue_badge("u5", None).await,
            Err(PortalError::BadRequest(_))
        ));
        let cli_refused = cli(&env, &["badge", "issue", "--user", "u5"]);
        assert!(!cli_refused.status.success());
        assert!(
            stderr(&cli_refused).contains("badge grades"),
            "{}",
            stderr(&cli_refused)
        );
        p.issue_badge("u4", None).await.unwrap();

        let cookie = login(&env, "mrsk").await;
        let (class, token) = page(&env, &cookie, "/teach/classes/c1").await;
        assert!(class.contains("Not in the badge grades"));
        let reprint = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u5/reprint",
            &[("csrf", &token), ("layout", "cards")],
        )
        .await;
        assert_eq!(reprint.status(), 400, "no badge outside the grades");
        // A class sheet prints only the children who may have one (Maya, Leo, Zoe).
        let sheet = post(
            &env,
            &cookie,
            "/teach/classes/c1/sheet",
            &[("csrf", &token), ("layout", "cards")],
        )
        .await;
        let text = pdf_text(sheet).await;
        assert!(text.contains("Zoe") && !text.contains("Max"), "{text}");

        // The exception: marked on the class page, audited with the teacher's id.
        let bad = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u5/needs-badge",
            &[("csrf", &token), ("needs", "maybe")],
        )
        .await;
        assert_eq!(bad.status(), 403, "a form that does not parse is refused");
        let marked = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u5/needs-badge",
            &[("csrf", &token), ("needs", "yes")],
        )
        .await;
        assert_eq!(marked.status(), 303);
        let entries = audited(&env, "user.needs_badge").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].user_id.as_deref(), Some("u5"));
        assert!(entries[0].detail.as_deref().unwrap().contains("by t1"));
        let (class, _) = page(&env, &cookie, "/teach/classes/c1").await;
        assert!(class.contains("Needs a badge (exception)"));
        let reprint = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u5/reprint",
            &[("csrf", &token), ("layout", "cards")],
        )
        .await;
        assert!(pdf_text(reprint).await.contains("Max"));
        p.issue_badge("u5", None).await.unwrap();

        // A student of another class is not this teacher's to mark.
        let other = post(
            &env,
            &cookie,
            "/teach/classes/c2/students/u3/needs-badge",
            &[("csrf", &token), ("needs", "yes")],
        )
        .await;
        assert_eq!(other.status(), 403);
        assert_eq!(audited(&env, "user.needs_badge").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn only_the_password_change_grades_change_their_password() {
    run(|env| async move {
        seed(&env).await;
        // Maya is in grade 1: her page says who can help, and a post is refused.
        let maya = login(&env, "maya").await;
        let (dashboard, _) = page(&env, &maya, "/").await;
        assert!(dashboard.contains("Pídele ayuda"), "Maya reads Spanish");
        assert!(!dashboard.contains("name=\"new\""));
        let (own, _) = page(&env, &maya, "/account/password").await;
        assert!(own.contains("Pídele ayuda"));
        let refused = post(
            &env,
            &maya,
            "/account/password",
            &[("current", PASSWORD), ("new", "a brand new password")],
        )
        .await;
        assert_eq!(refused.status(), 403);
        assert!(refused.text().await.unwrap().contains("maestro"));
        assert_eq!(try_login(&env, "maya", PASSWORD).await.0, 303, "unchanged");
        assert_eq!(try_login(&env, "maya", "a brand new password").await.0, 401);

        // Zoe is in grade 4: she may.
        let zoe = login(&env, "zoe").await;
        let (dashboard, _) = page(&env, &zoe, "/").await;
        assert!(dashboard.contains("name=\"new\""));
        let changed = post(
            &env,
            &zoe,
            "/account/password",
            &[("current", PASSWORD), ("new", "a brand new password")],
        )
        .await;
        assert_eq!(changed.status(), 200);
        assert_eq!(try_login(&env, "zoe", "a brand new password").await.0, 303);
    })
    .await;
}

#[tokio::test]
async fn a_fixed_password_prints_on_the_card_signs_in_and_regenerates() {
    run(|env| async move {
        seed(&env).await;
        let cookie = login(&env, "mrsk").await;
        let (class, token) = page(&env, &cookie, "/teach/classes/c1").await;
        assert!(class.contains("Print card with new password"));
        let card = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u1/fixed-password",
            &[("csrf", &token)],
        )
        .await;
        let text = pdf_text(card).await;
        assert!(text.contains("Maya") && text.contains("Show me to the camera"));
        let first = card_password(&text);
        // Two words and two digits, Spanish for Maya.
        let parts: Vec<&str> = first.split('-').collect();
        assert_eq!(parts.len(), 3, "two words and two digits");
        assert!(parts[2].len() == 2 && parts[2].bytes().all(|b| (b'2'..=b'9').contains(&b)));
        assert!(!first.contains(['l', 'i', 'o', '0', '1']));
        assert_eq!(
            try_login(&env, "maya", PASSWORD).await.0,
            401,
            "the old one is gone"
        );
        assert_eq!(try_login(&env, "maya", &first).await, (303, "/".to_owned()));
        assert!(
            !harness::dump(&env).await.contains(&first),
            "stored hashed only"
        );
        let (class, _) = page(&env, &cookie, "/teach/classes/c1").await;
        assert!(!class.contains(&first), "never shown again");

        let again = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u1/fixed-password",
            &[("csrf", &token)],
        )
        .await;
        let second = card_password(&pdf_text(again).await);
        assert_ne!(first, second);
        assert_eq!(try_login(&env, "maya", &first).await.0, 401, "regenerated");
        assert_eq!(try_login(&env, "maya", &second).await.0, 303);
        let entries = audited(&env, "user.fixed_password").await;
        assert_eq!(entries.len(), 2);
        assert!(entries.iter().all(|e| e.user_id.as_deref() == Some("u1")
            && e.detail.as_deref().unwrap().contains("by t1")));
        let everything = format!("{:?}", env.portal().audit_log().await.unwrap());
        assert!(!everything.contains(&first) && !everything.contains(&second));

        // Max (grade 7) has no badge grade, so no card and no fixed password.
        let refused = post(
            &env,
            &cookie,
            "/teach/classes/c1/students/u5/fixed-password",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(refused.status(), 400);
        assert!(refused.text().await.unwrap().contains("badge grades"));
        assert_eq!(try_login(&env, "max", PASSWORD).await.0, 303, "unchanged");
    })
    .await;
}

#[tokio::test]
async fn delegates_are_added_listed_and_removed_from_the_cli() {
    run(|env| async move {
        seed(&env).await;
        let add = cli(
            &env,
            &[
                "delegate", "add", "--school", "s1", "--user", "d1", "--can", "badges",
            ],
        );
        assert!(add.status.success(), "{}", stderr(&add));
        let add = cli(
            &env,
            &[
                "delegate",
                "add",
                "--school",
                "s1",
                "--user",
                "t2",
                "--can",
                "badges,passwords",
            ],
        );
        assert!(add.status.success(), "{}", stderr(&add));
        let list = cli(&env, &["delegate", "list", "--school", "s1"]);
        let lines: Vec<serde_json::Value> = stdout(&list)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["user"], "d1");
        assert_eq!(lines[0]["can"], serde_json::json!(["badges"]));
        assert_eq!(lines[1]["can"], serde_json::json!(["badges", "passwords"]));
        let everywhere = cli(&env, &["delegate", "list"]);
        assert_eq!(stdout(&everywhere).lines().count(), 2);
        assert!(stdout(&cli(&env, &["delegate", "list", "--school", "s2"])).is_empty());

        for (args, why) in [
            (vec!["--user", "u1", "--can", "badges"], "a student"),
            (
                vec!["--user", "t3", "--can", "badges"],
                "another school's teacher",
            ),
            (
                vec!["--user", "nobody", "--can", "badges"],
                "an unknown user",
            ),
            (
                vec!["--user", "d1", "--can", "admin"],
                "an unknown capability",
            ),
            (vec!["--user", "d1", "--can", ""], "no capability"),
            (
                vec!["--user", "d1", "--can", "Badges"],
                "a capability in capitals",
            ),
        ] {
            let mut all = vec!["delegate", "add", "--school", "s1"];
            all.extend(args);
            let refused = cli(&env, &all);
            assert!(!refused.status.success(), "{why} accepted");
            assert!(!stderr(&refused).is_empty());
        }
        let list = cli(&env, &["delegate", "list", "--school", "s1"]);
        assert!(
            stdout(&list)
                .lines()
                .next()
                .unwrap()
                .contains("[\"badges\"]"),
            "unchanged"
        );
        assert_eq!(audited(&env, "delegate.add").await.len(), 2);

        let remove = cli(
            &env,
            &["delegate", "remove", "--school", "s1", "--user", "d1"],
        );
        assert!(remove.status.success(), "{}", stderr(&remove));
        let again = cli(
            &env,
            &["delegate", "remove", "--school", "s1", "--user", "d1"],
        );
        assert!(!again.status.success(), "not a delegate any more");
        assert_eq!(stdout(&cli(&env, &["delegate", "list"])).lines().count(), 1);
        assert_eq!(audited(&env, "delegate.remove").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_delegate_does_only_what_was_given_and_only_in_their_school() {
    run(|env| async move {
        seed(&env).await;
        let p = env.portal();
        let dana = login(&env, "dana").await;
        assert_eq!(
            get(&env, &dana, "/teach").await.status(),
            403,
            "not yet a delegate"
        );

        let badges = badgein_portal::auth::delegation::Delegation::parse("badges").unwrap();
        p.add_delegate("s1", "d1", badges, None).await.unwrap();
        let (dashboard, _) = page(&env, &dana, "/").await;
        assert!(dashboard.contains("href=\"/teach\""));
        let (classes, _) = page(&env, &dana, "/teach").await;
        assert!(
            classes.contains("Room 12") && classes.contains("Room 7"),
            "the whole school"
        );
        assert!(!classes.contains("Oak 1"));
        let (class, token) = page(&env, &dana, "/teach/classes/c1").await;
        assert!(class.contains("/reprint") && !class.contains("/password\""));
        let reprint = post(
            &env,
            &dana,
            "/teach/classes/c1/students/u4/reprint",
            &[("csrf", &token), ("layout", "cards")],
        )
        .await;
        assert!(pdf_text(reprint).await.contains("Zoe"));
        let void = post(
            &env,
            &dana,
            "/teach/classes/c1/students/u4/void",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(void.status(), 303);
        for action in ["unlock", "password", "fixed-password"] {
            let r = post(
                &env,
                &dana,
                &format!("/teach/classes/c1/students/u4/{action}"),
                &[("csrf", &token)],
            )
            .await;
            assert_eq!(r.status(), 403, "{action} was not delegated");
        }
        assert_eq!(
            get(&env, &dana, "/teach/kiosks").await.status(),
            403,
            "no kiosks"
        );
        assert_eq!(
            get(&env, &dana, "/teach/classes/c3").await.status(),
            403,
            "other school"
        );
        let other = post(
            &env,
            &dana,
            "/teach/classes/c3/students/x1/reprint",
            &[("csrf", &token), ("layout", "cards")],
        )
        .await;
        assert_eq!(other.status(), 403);
        let recorded = audited(&env, "teacher.reprint").await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(
            recorded[0].user_id.as_deref(),
            Some("d1"),
            "the delegate's id"
        );

        // Now passwords only.
        let passwords = badgein_portal::auth::delegation::Delegation::parse("passwords").unwrap();
        p.add_delegate("s1", "d1", passwords, None).await.unwrap();
        let reprint = post(
            &env,
            &dana,
            "/teach/classes/c2/students/u3/reprint",
            &[("csrf", &token), ("layout", "cards")],
        )
        .await;
        assert_eq!(reprint.status(), 403, "badges no longer delegated");
        let unlock = post(
            &env,
            &dana,
            "/teach/classes/c2/students/u3/unlock",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(unlock.status(), 303);
        let reset = post(
            &env,
            &dana,
            "/teach/classes/c2/students/u3/password",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(reset.status(), 200);
        assert_eq!(reset.headers()["cache-control"], "no-store");
        let html = reset.text().await.unwrap();
        let temporary = html
            .split("class=\"code\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_owned();
        assert_eq!(temporary.len(), 14);
        assert_eq!(try_login(&env, "ava", PASSWORD).await.0, 401, "reset");
        let resets = audited(&env, "user.password_reset").await;
        assert_eq!(resets.len(), 1);
        assert!(resets[0].detail.as_deref().unwrap().contains("by d1"));
        assert_eq!(
            audited(&env, "teacher.password_reset").await[0]
                .user_id
                .as_deref(),
            Some("d1")
        );
        // A fixed password for a badge-grade child is a passwords delegate's too.
        let card = post(
            &env,
            &dana,
            "/teach/classes/c1/students/u1/fixed-password",
            &[("csrf", &token)],
        )
        .await;
        let fixed = card_password(&pdf_text(card).await);
        assert_eq!(try_login(&env, "maya", &fixed).await.0, 303);

        // A plain teacher reaches only their own classes; a removed delegate nothing.
        let kim = login(&env, "mrsk").await;
        assert_eq!(get(&env, &kim, "/teach/classes/c2").await.status(), 403);
        let (_, kim_token) = page(&env, &kim, "/teach/classes/c1").await;
        let r = post(
            &env,
            &kim,
            "/teach/classes/c2/students/u3/password",
            &[("csrf", &kim_token)],
        )
        .await;
        assert_eq!(r.status(), 403);
        p.remove_delegate("s1", "d1", None).await.unwrap();
        assert_eq!(get(&env, &dana, "/teach/classes/c1").await.status(), 403);
    })
    .await;
}

#[tokio::test]
async fn a_delegates_badge_session_never_opens_the_class_pages() {
    run(|env| async move {
        seed(&env).await;
        let p = env.portal();
        let both = badgein_portal::auth::delegation::Delegation::parse("badges,passwords").unwrap();
        p.add_delegate("s1", "d1", both, None).await.unwrap();
        let badge = p
            .issue_badge_to("d1", None, badgein_portal::StaffBadges::Allowed)
            .await
            .unwrap();
        let kiosk = env.enroll("s1", "Office").await;
        let r = env
            .badge_sign_in(&kiosk.device_credential, &badge.encode())
            .await;
        assert_eq!(r.status(), 200);
        let signed: badgein_proto::SignIn = r.json().await.unwrap();
        let cookie = harness::open(&env, &signed.launch_url).await.unwrap();
        assert_eq!(get(&env, &cookie, "/teach").await.status(), 403);
        assert_eq!(get(&env, &cookie, "/teach/classes/c1").await.status(), 403);
    })
    .await;
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_at_the_next_sign_in() {
    run(|env| async move {
        seed(&env).await;
        let kim = login(&env, "mrsk").await;
        let (_, token) = page(&env, &kim, "/teach/classes/c1").await;
        let reset = post(
            &env,
            &kim,
            "/teach/classes/c1/students/u4/password",
            &[("csrf", &token)],
        )
        .await;
        let html = reset.text().await.unwrap();
        let temporary = html
            .split("class=\"code\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_owned();
        // Maya's grade does not change passwords: her reset is a card, not this.
        let refused = post(
            &env,
            &kim,
            "/teach/classes/c1/students/u1/password",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(refused.status(), 400);

        let r = env
            .http
            .post(env.url("/login"))
            .form(&[
                ("username", "zoe"),
                ("password", temporary.as_str()),
                ("next", "/teach"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"],
            "/account/password",
            "before anything else"
        );
        let zoe = harness::session_cookie(&r).unwrap();
        let dashboard = get(&env, &zoe, "/").await;
        assert_eq!(dashboard.status(), 303);
        assert_eq!(dashboard.headers()["location"], "/account/password");
        let (own, _) = page(&env, &zoe, "/account/password").await;
        assert!(own.contains("Choose a new password"));
        // Nor does an app's sign-in go through: the login it asks for leads to the change.
        let app = env
            .portal()
            .add_app(&AppRequest {
                name: "Reading".into(),
                url: "https://reading.example/".into(),
                schools: vec!["s1".into()],
                oidc_redirects: vec!["https://reading.example/cb".into()],
                ..AppRequest::default()
            })
            .await
            .unwrap();
        let authorize = format!(
            "/oauth/authorize?response_type=code&scope=openid&redirect_uri={}&client_id={}\
             &state=s1&nonce=n1",
            "https%3A%2F%2Freading.example%2Fcb",
            app.client_id.unwrap()
        );
        let held = get(&env, &zoe, &authorize).await;
        assert_eq!(held.status(), 303);
        let to = held.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/login?"), "{to}");
        let wrong = post(
            &env,
            &zoe,
            "/account/password",
            &[("current", "not it at all"), ("new", "zoe picks this one")],
        )
        .await;
        assert_ne!(wrong.status(), 200);
        assert_eq!(get(&env, &zoe, "/").await.status(), 303, "still held");
        let changed = post(
            &env,
            &zoe,
            "/account/password",
            &[
                ("current", temporary.as_str()),
                ("new", "zoe picks this one"),
            ],
        )
        .await;
        assert_eq!(changed.status(), 200);
        assert_eq!(get(&env, &zoe, "/").await.status(), 200);
        let through = get(&env, &zoe, &authorize).await;
        assert_eq!(through.status(), 303);
        let to = through.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("https://reading.example/cb?code="), "{to}");
        assert_eq!(
            try_login(&env, "zoe", "zoe picks this one").await,
            (303, "/".to_owned())
        );
    })
    .await;
}

#[tokio::test]
async fn the_administrators_school_page_sets_the_policy_and_delegates() {
    run_with(Config::for_tests(), |env| async move {
        seed(&env).await;
        add_principal(&env, PASSWORD).await;
        let pat = login(&env, "principal").await;
        let (dashboard, _) = page(&env, &pat, "/").await;
        assert!(dashboard.contains("href=\"/teach/school\""));
        let (school, token) = page(&env, &pat, "/teach/school").await;
        assert!(school.contains("value=\"PK-5\"") && school.contains("value=\"3-12\""));
        assert!(school.contains("No delegates yet."));

        for bad in ["K-PK", "13", "5-3", "", "junk"] {
            let r = post(
                &env,
                &pat,
                "/teach/school/policy",
                &[
                    ("csrf", &token),
                    ("badge_grades", bad),
                    ("password_change_grades", "3-12"),
                    ("claim_grades", "6-12"),
                ],
            )
            .await;
            assert_eq!(r.status(), 400, "{bad:?}");
            assert!(r.text().await.unwrap().contains("Nothing was changed"));
        }
        let stale = post(
            &env,
            &pat,
            "/teach/school/policy",
            &[
                ("csrf", "not the token"),
                ("badge_grades", "K-2"),
                ("password_change_grades", "3-12"),
                ("claim_grades", "6-12"),
            ],
        )
        .await;
        assert_eq!(stale.status(), 403);
        assert!(audited(&env, "school.policy").await.is_empty());
        let saved = post(
            &env,
            &pat,
            "/teach/school/policy",
            &[
                ("csrf", &token),
                ("badge_grades", "K-2"),
                ("password_change_grades", "3-12"),
                ("claim_grades", "6-12"),
            ],
        )
        .await;
        assert_eq!(saved.status(), 303);
        let policy = env.portal().grade_policy(&"s1".into()).await.unwrap();
        assert_eq!(policy.view("s1").badge_grades, "K-2");
        let entries = audited(&env, "school.policy").await;
        assert!(entries[0].detail.as_deref().unwrap().contains("by a1"));

        let added = post(
            &env,
            &pat,
            "/teach/school/delegates",
            &[("csrf", &token), ("user", "d1"), ("passwords", "yes")],
        )
        .await;
        assert_eq!(added.status(), 303);
        for (user, can) in [("u1", "badges"), ("t3", "badges"), ("d1", "nothing")] {
            let r = post(
                &env,
                &pat,
                "/teach/school/delegates",
                &[("csrf", &token), ("user", user), (can, "yes")],
            )
            .await;
            assert_eq!(r.status(), 400, "{user} {can}");
        }
        let (school, _) = page(&env, &pat, "/teach/school").await;
        assert!(school.contains("Dana Test") && school.contains("Reset passwords and unlock"));
        let delegates = env.portal().delegates(None).await.unwrap();
        assert_eq!(delegates.len(), 1);
        assert!(delegates[0].can_passwords && !delegates[0].can_badges);
        let removed = post(
            &env,
            &pat,
            "/teach/school/delegates/d1/remove",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(removed.status(), 303);
        assert!(env.portal().delegates(None).await.unwrap().is_empty());
        let nobody = post(
            &env,
            &pat,
            "/teach/school/delegates/d1/remove",
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(nobody.status(), 403, "not a delegate (any more)");
        assert_eq!(audited(&env, "delegate.remove").await.len(), 1);

        // Teachers and delegates do not reach it.
        let kim = login(&env, "mrsk").await;
        assert_eq!(get(&env, &kim, "/teach/school").await.status(), 403);
        let (_, kim_token) = page(&env, &kim, "/teach/classes/c1").await;
        let r = post(
            &env,
            &kim,
            "/teach/school/delegates",
            &[("csrf", &kim_token), ("user", "t1"), ("badges", "yes")],
        )
        .await;
        assert_eq!(r.status(), 403);
        assert!(env.portal().delegates(None).await.unwrap().is_empty());
    })
    .await;
}
