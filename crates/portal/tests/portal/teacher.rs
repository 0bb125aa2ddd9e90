//! The teacher pages over real HTTP: a teacher signs in at `/login`, prints, reprints and voids
//! badges of their own classes, clears lockouts, and enrolls and revokes their school's
//! kiosks; students, other teachers and cross-site forms are refused.

use std::path::PathBuf;
use std::time::Duration;

use badgein_portal::{Config, NewUser, Role};
use badgein_proto::SignIn;
use badgein_scanner::{Frame, scan};

use crate::harness::{self, Env, TempDir, get, page, post, problem_code, run, run_with};

const PASSWORD: &str = "correct horse battery";

/// Adds to the harness's seed: class `c2` of school `s1` (teacher `t2`, Spanish, with student
/// `u3` Ava) and class `c3` of school `s2` (teacher `t3` with student `x1`); gives every
/// teacher and Maya a password.
async fn more_seed(env: &Env) {
    let p = env.portal();
    p.add_class("c2", "s1", "Room 7").await.unwrap();
    p.add_class("c3", "s2", "Oak 1").await.unwrap();
    for (id, school, role, username, given, locale) in [
        ("t2", "s1", Role::Teacher, "srab", "Rosa", "es"),
        ("u3", "s1", Role::Student, "ava", "Ava", "en"),
        ("t3", "s2", Role::Teacher, "mroak", "Olaf", "en"),
    ] {
        p.add_user(&NewUser {
            id: id.into(),
            school_id: school.into(),
            role,
            username: username.into(),
            given_name: given.into(),
            family_name: "Test".into(),
            locale: locale.into(),
            email: None,
            grade: None,
        })
        .await
        .unwrap();
    }
    for (class, user, role) in [
        ("c2", "t2", Role::Teacher),
        ("c2", "u3", Role::Student),
        ("c3", "t3", Role::Teacher),
        ("c3", "x1", Role::Student),
    ] {
        p.add_to_class(class, user, role).await.unwrap();
    }
    for user in ["t1", "t2", "t3", "u1", "u2"] {
        p.set_password(user, PASSWORD).await.unwrap();
    }
}

/// Signs `username` in through the login page; returns the `name=value` cookie.
async fn login(env: &Env, username: &str) -> String {
    harness::login(env, username, PASSWORD).await
}

/// A PDF answer's pages, rasterised by poppler, with the badge text each page holds.
async fn pdf_pages(r: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let dir = TempDir::new();
    let pdf = dir.0.join("answer.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "100", "-gray", "-png"])
        .arg(&pdf)
        .arg(dir.0.join("page"))
        .status()
        .expect("pdftoppm (Debian poppler-utils) is installed");
    assert!(status.success(), "poppler reads the PDF");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| {
            let picture = image::open(p).unwrap();
            scan(&Frame::from_image(&picture), &harness::READ_EVERY_CODE)
                .codes
                .into_iter()
                .map(|c| c.text)
                .collect()
        })
        .collect()
}

/// Signs a badge in at a kiosk: the child's first name, or the problem code.
async fn badge_result(env: &Env, credential: &str, badge: &str) -> Result<String, String> {
    let r = env.badge_sign_in(credential, badge).await;
    if r.status() == 200 {
        Ok(r.json::<SignIn>().await.unwrap().user.first_name)
    } else {
        Err(problem_code(r).await.1)
    }
}

async fn audited(env: &Env, action: &str, user: &str) -> usize {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action && e.user_id.as_deref() == Some(user))
        .count()
}

async fn teacher_prints_badges_for_the_class_body(env: Env) {
    more_seed(&env).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let cookie = login(&env, "mrsk").await;

    let (dashboard, _) = page(&env, &cookie, "/").await;
    assert!(dashboard.contains("href=\"/teach\"") && dashboard.contains("My classes"));
    let (classes, _) = page(&env, &cookie, "/teach").await;
    assert!(classes.contains("href=\"/teach/classes/c1\""));
    assert!(!classes.contains("Room 7"), "only their own classes");

    let (class, token) = page(&env, &cookie, "/teach/classes/c1").await;
    assert!(class.contains("Maya") && class.contains("Leo") && !class.contains("Ava"));
    assert_eq!(class.matches("No working badge").count(), 2);
    assert!(class.contains("<th scope=\"col\">") && class.contains("class=\"vh\""));
    assert_eq!(token.len(), 64);

    let cards = post(
        &env,
        &cookie,
        "/teach/classes/c1/sheet",
        &[("csrf", &token), ("layout", "cards")],
    )
    .await;
    let pages = pdf_pages(cards).await;
    assert_eq!(pages.len(), 2, "one card per child");
    let mut names = Vec::new();
    for codes in &pages {
        assert_eq!(codes.len(), 1);
        names.push(
            badge_result(&env, &kiosk.device_credential, &codes[0])
                .await
                .unwrap(),
        );
    }
    names.sort();
    assert_eq!(names, ["Leo", "Maya"]);
    let (class, _) = page(&env, &cookie, "/teach/classes/c1").await;
    assert_eq!(class.matches("No working badge").count(), 0);
    assert_eq!(class.matches("works until").count(), 2);
    for codes in &pages {
        assert!(!class.contains(&codes[0]), "the page never shows a badge");
    }

    let labels = post(
        &env,
        &cookie,
        "/teach/classes/c1/sheet",
        &[("csrf", &token), ("layout", "labels")],
    )
    .await;
    assert_eq!(pdf_pages(labels).await.len(), 1, "12 labels a page");
    assert_eq!(
        badge_result(&env, &kiosk.device_credential, &pages[0][0]).await,
        Err("badge_voided".into()),
        "a new sheet replaces the cards"
    );
    assert_eq!(audited(&env, "teacher.sheet", "t1").await, 2);
}

#[tokio::test]
async fn teacher_prints_badges_for_the_class() {
    run(teacher_prints_badges_for_the_class_body).await;
}

async fn teacher_prints_only_the_missing_badges_body(env: Env) {
    more_seed(&env).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let cookie = login(&env, "mrsk").await;
    let (class, token) = page(&env, &cookie, "/teach/classes/c1").await;
    assert!(class.contains("action=\"/teach/classes/c1/missing\""));
    assert!(class.contains("<input type=\"hidden\" name=\"student\" value=\"u2\">"));
    assert!(
        !class.contains("name=\"student\" value=\"u1\""),
        "Maya has one"
    );
    assert!(class.contains("Print badge<span") && class.contains("Reprint<span"));

    for outsider in [vec!["u3"], vec!["u2", "u3"], vec!["x1"]] {
        let mut form = vec![("csrf", token.as_str())];
        form.extend(outsider.iter().map(|id| ("student", *id)));
        let r = post(&env, &cookie, "/teach/classes/c1/missing", &form).await;
        assert_eq!(r.status(), 403, "{outsider:?}");
    }
    let r = post(
        &env,
        &cookie,
        "/teach/classes/c1/missing",
        &[("csrf", &token), ("student", "u2")],
    )
    .await;
    let pages = pdf_pages(r).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].len(), 1, "Leo's label only");
    assert_eq!(
        badge_result(&env, cred, &pages[0][0]).await,
        Ok("Leo".into())
    );
    assert_eq!(
        badge_result(&env, cred, &maya).await,
        Ok("Maya".into()),
        "the others keep theirs"
    );
    assert_eq!(audited(&env, "teacher.sheet_missing", "t1").await, 1);
    assert_eq!(audited(&env, "teacher.refused", "t1").await, 3);
    let (class, _) = page(&env, &cookie, "/teach/classes/c1").await;
    assert!(!class.contains("/missing"), "everyone has a badge now");
}

#[tokio::test]
async fn teacher_prints_only_the_missing_badges() {
    run(teacher_prints_only_the_missing_badges_body).await;
}

async fn teacher_reprints_and_voids_one_badge_body(env: Env) {
    more_seed(&env).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let old = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let leo = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let cookie = login(&env, "mrsk").await;
    let (class, token) = page(&env, &cookie, "/teach/classes/c1").await;
    assert!(class.contains("/teach/classes/c1/students/u1/void"));

    let reprint = post(
        &env,
        &cookie,
        "/teach/classes/c1/students/u1/reprint",
        &[("csrf", &token), ("layout", "cards")],
    )
    .await;
    let pages = pdf_pages(reprint).await;
    assert_eq!(pages.len(), 1, "one child's badge");
    let new = pages[0][0].clone();
    assert_eq!(
        badge_result(&env, cred, &old).await,
        Err("badge_voided".into())
    );
    assert_eq!(badge_result(&env, cred, &new).await, Ok("Maya".into()));

    let confirm = get(&env, &cookie, "/teach/classes/c1/students/u1/void").await;
    assert_eq!(confirm.status(), 200);
    let confirm = confirm.text().await.unwrap();
    assert!(confirm.contains("Void this badge?") && confirm.contains("Maya Garcia"));
    assert!(confirm.contains("action=\"/teach/classes/c1/students/u1/void\""));
    assert_eq!(
        badge_result(&env, cred, &new).await,
        Ok("Maya".into()),
        "the confirm step changes nothing"
    );

    let void = post(
        &env,
        &cookie,
        "/teach/classes/c1/students/u1/void",
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(void.status(), 303);
    assert_eq!(void.headers()["location"], "/teach/classes/c1?done=voided");
    assert_eq!(
        badge_result(&env, cred, &new).await,
        Err("badge_voided".into())
    );
    assert_eq!(
        badge_result(&env, cred, &leo).await,
        Ok("Leo".into()),
        "only that child's badge"
    );
    let (class, _) = page(&env, &cookie, "/teach/classes/c1?done=voided").await;
    assert!(class.contains("The badge was voided."));
    assert_eq!(class.matches("No working badge").count(), 1);
    assert_eq!(audited(&env, "teacher.reprint", "t1").await, 1);
    assert_eq!(audited(&env, "teacher.void", "t1").await, 1);
}

#[tokio::test]
async fn teacher_reprints_and_voids_one_badge() {
    run(teacher_reprints_and_voids_one_badge_body).await;
}

async fn teacher_clears_a_lockout_body(env: Env) {
    more_seed(&env).await;
    let try_login = |password: &'static str| {
        env.http
            .post(env.url("/login"))
            .form(&[("username", "maya"), ("password", password)])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(try_login("wrong password").await.unwrap().status(), 401);
    }
    assert_eq!(try_login(PASSWORD).await.unwrap().status(), 429, "locked");
    let cookie = login(&env, "mrsk").await;
    let (class, token) = page(&env, &cookie, "/teach/classes/c1").await;
    assert_eq!(class.matches("Locked out").count(), 1, "Maya only");
    assert!(class.contains("action=\"/teach/classes/c1/students/u1/unlock\""));

    let r = post(
        &env,
        &cookie,
        "/teach/classes/c1/students/u1/unlock",
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/teach/classes/c1?done=unlocked");
    assert_eq!(try_login(PASSWORD).await.unwrap().status(), 303);
    let (class, _) = page(&env, &cookie, "/teach/classes/c1?done=unlocked").await;
    assert!(class.contains("Password sign-in is unlocked.") && !class.contains("Locked out"));
    assert_eq!(audited(&env, "teacher.unlock", "t1").await, 1);
}

#[tokio::test]
async fn teacher_clears_a_lockout() {
    run(teacher_clears_a_lockout_body).await;
}

async fn students_are_refused_body(env: Env) {
    more_seed(&env).await;
    let r = env.http.get(env.url("/teach")).send().await.unwrap();
    assert_eq!(r.status(), 303, "no session");
    // To sign in, then back here (docs/API.md: return after timeout).
    assert_eq!(r.headers()["location"], "/login?next=%2Fteach");

    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let cookie = login(&env, "leo").await;
    let (dashboard, _) = page(&env, &cookie, "/").await;
    assert!(!dashboard.contains("/teach"), "no link for students");
    for path in ["/teach", "/teach/classes/c1", "/teach/kiosks"] {
        let r = get(&env, &cookie, path).await;
        assert_eq!(r.status(), 403, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("These pages are for teachers."), "{path}");
        assert!(html.contains("<html lang=\"en\">"));
    }
    let r = post(
        &env,
        &cookie,
        "/teach/classes/c1/students/u1/void",
        &[("csrf", "0")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        badge_result(&env, &kiosk.device_credential, &badge).await,
        Ok("Maya".into())
    );
    assert_eq!(
        get(&env, &cookie, "/teach/kiosks/any/revoke")
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn students_are_refused() {
    run(students_are_refused_body).await;
}

async fn teachers_act_only_on_their_own_classes_and_school_body(env: Env) {
    more_seed(&env).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    // Rosa teaches Room 7 of the same school, in Spanish.
    let rosa = login(&env, "srab").await;
    let (classes, _) = page(&env, &rosa, "/teach").await;
    assert!(classes.contains("Mis clases") && classes.contains("Room 7"));
    assert!(!classes.contains("Room 12"));
    let r = get(&env, &rosa, "/teach/classes/c1").await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("no es una de tus clases"));
    let (_, token) = page(&env, &rosa, "/teach/classes/c2").await;
    for path in [
        "/teach/classes/c1/students/u1/void",
        "/teach/classes/c2/students/u1/void",
        "/teach/classes/c1/students/u1/unlock",
    ] {
        let r = post(&env, &rosa, path, &[("csrf", &token)]).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    for path in [
        "/teach/classes/c1/sheet",
        "/teach/classes/c1/students/u1/reprint",
        "/teach/classes/c2/students/u1/reprint",
    ] {
        let r = post(&env, &rosa, path, &[("csrf", &token), ("layout", "cards")]).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    assert_eq!(
        badge_result(&env, cred, &maya).await,
        Ok("Maya".into()),
        "nothing was voided or reissued"
    );
    assert_eq!(audited(&env, "teacher.refused", "t2").await, 6);
    // Rosa's own class works.
    let r = post(
        &env,
        &rosa,
        "/teach/classes/c2/students/u3/reprint",
        &[("csrf", &token), ("layout", "cards")],
    )
    .await;
    assert_eq!(pdf_pages(r).await.len(), 1);

    // Olaf teaches at another school: he sees none of s1's kiosks and cannot revoke one.
    let olaf = login(&env, "mroak").await;
    let (kiosks, token) = page(&env, &olaf, "/teach/kiosks").await;
    assert!(!kiosks.contains("Room 12") && kiosks.contains("No kiosks yet."));
    let revoke = format!("/teach/kiosks/{}/revoke", kiosk.kiosk_id);
    assert_eq!(get(&env, &olaf, &revoke).await.status(), 403);
    assert_eq!(
        post(&env, &olaf, &revoke, &[("csrf", &token)])
            .await
            .status(),
        403
    );
    assert_eq!(badge_result(&env, cred, &maya).await, Ok("Maya".into()));
}

#[tokio::test]
async fn teachers_act_only_on_their_own_classes_and_school() {
    run(teachers_act_only_on_their_own_classes_and_school_body).await;
}

async fn forms_need_the_session_token_and_the_portal_origin_body(env: Env) {
    more_seed(&env).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let cookie = login(&env, "mrsk").await;
    // Under `no-referrer` browsers send `Origin: null` with the page's own forms, which the
    // origin check refuses (a real Chromium run found the login form failing that way).
    let r = get(&env, &cookie, "/teach/classes/c1").await;
    assert_eq!(r.headers()["referrer-policy"], "same-origin");
    let (_, token) = page(&env, &cookie, "/teach/classes/c1").await;
    let other_session = login(&env, "mrsk").await;
    let (_, other_token) = page(&env, &other_session, "/teach/classes/c1").await;
    assert_ne!(token, other_token, "one token per session");
    let path = "/teach/classes/c1/students/u1/void";

    assert_eq!(post(&env, &cookie, path, &[]).await.status(), 403, "none");
    assert_eq!(
        post(&env, &cookie, path, &[("csrf", &other_token)])
            .await
            .status(),
        403,
        "another session's"
    );
    let cross = env
        .http
        .post(env.url(path))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403, "cross-site");
    assert!(cross.text().await.unwrap().contains("out of date"));
    let opaque = env
        .http
        .post(env.url(path))
        .header("cookie", &cookie)
        .header("origin", "null")
        .form(&[("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(opaque.status(), 403, "an opaque origin");
    let code = post(&env, &cookie, "/teach/kiosks/code", &[("csrf", "x")]).await;
    assert_eq!(code.status(), 403);
    assert_eq!(badge_result(&env, cred, &maya).await, Ok("Maya".into()));
    assert_eq!(audited(&env, "teacher.refused", "t1").await, 5);

    let ok = env
        .http
        .post(env.url(path))
        .header("cookie", &cookie)
        .header("origin", env.running.base_url())
        .form(&[("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(
        badge_result(&env, cred, &maya).await,
        Err("badge_voided".into())
    );
}

#[tokio::test]
async fn forms_need_the_session_token_and_the_portal_origin() {
    run(forms_need_the_session_token_and_the_portal_origin_body).await;
}

/// Hostile teacher form posts, through the one extractor every action shares: anything but
/// this session's token in a urlencoded body from the portal's origin is refused with the
/// same "out of date" page and recorded, and nothing is done; the teacher is checked before
/// the path and the form.
async fn hostile_teacher_forms_are_refused_alike_body(env: Env) {
    more_seed(&env).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let cookie = login(&env, "mrsk").await;
    let (_, token) = page(&env, &cookie, "/teach/classes/c1").await;
    let void = "/teach/classes/c1/students/u1/void";
    let mut forged = token.clone();
    forged.replace_range(..1, if token.starts_with('0') { "1" } else { "0" });
    let huge = "a".repeat(64 * 1024);
    let refused_before = audited(&env, "teacher.refused", "t1").await;
    let raw = |path: &str, content_type: &str, body: String| {
        env.http
            .post(env.url(path))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    let cases = [
        ("a forged token", raw(void, form, format!("csrf={forged}"))),
        ("an empty token", raw(void, form, "csrf=".into())),
        ("a huge token", raw(void, form, format!("csrf={huge}"))),
        (
            "the token twice",
            raw(void, form, format!("csrf={token}&csrf={token}")),
        ),
        (
            "the token as JSON",
            raw(
                void,
                "application/json",
                format!("{{\"csrf\":\"{token}\"}}"),
            ),
        ),
        (
            "the token in the query",
            raw(&format!("{void}?csrf={token}"), form, String::new()),
        ),
        ("no content type", raw(void, "", format!("csrf={token}"))),
        (
            "an unknown layout",
            raw(
                "/teach/classes/c1/sheet",
                form,
                format!("csrf={token}&layout=poster"),
            ),
        ),
        (
            "no layout",
            raw("/teach/classes/c1/sheet", form, format!("csrf={token}")),
        ),
        (
            "a token that is not UTF-8",
            raw(void, form, format!("csrf=%FF{token}")),
        ),
    ];
    let count = cases.len();
    for (what, answer) in cases {
        let r = answer.await.unwrap();
        assert_eq!(r.status(), 403, "{what}");
        assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
        let html = r.text().await.unwrap();
        assert!(html.contains("This form is out of date."), "{what}");
        assert!(!html.contains(&token), "{what}: the page shows no token");
    }
    assert_eq!(
        audited(&env, "teacher.refused", "t1").await,
        refused_before + count,
        "every refusal recorded"
    );
    assert_eq!(badge_result(&env, cred, &maya).await, Ok("Maya".into()));

    // Who asks comes first: signed out, to the login page, even on a malformed path.
    for path in [void, "/teach/classes/%FF/sheet"] {
        let r = env
            .http
            .post(env.url(path))
            .form(&[("csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/login");
    }
    // A student with a teacher's token is refused as a student.
    let leo = login(&env, "leo").await;
    let r = post(&env, &leo, void, &[("csrf", &token)]).await;
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("These pages are for teachers.")
    );
    assert_eq!(badge_result(&env, cred, &maya).await, Ok("Maya".into()));
}

#[tokio::test]
async fn hostile_teacher_forms_are_refused_alike() {
    run(hostile_teacher_forms_are_refused_alike_body).await;
}

async fn teacher_enrolls_and_revokes_kiosks_body(env: Env) {
    more_seed(&env).await;
    let hall = env.enroll("s1", "Hall <kiosk>").await;
    let badge = env.portal().issue_badge("u2", None).await.unwrap().encode();
    assert!(
        badge_result(&env, &hall.device_credential, &badge)
            .await
            .is_ok()
    );
    env.enroll("s2", "Oak hall").await;
    let cookie = login(&env, "mrsk").await;
    let (kiosks, token) = page(&env, &cookie, "/teach/kiosks").await;
    assert!(kiosks.contains("Hall &lt;kiosk&gt;") && !kiosks.contains("Oak hall"));
    assert!(
        kiosks.contains("Working") && !kiosks.contains("never"),
        "last sign-in shown"
    );

    let r = post(&env, &cookie, "/teach/kiosks/code", &[("csrf", &token)]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let code = html
        .split("<p class=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 11, "{code}");
    assert!(html.contains("<p>15 minutes left to use it</p>"));
    let enroll = |code: String| {
        env.http
            .post(env.url("/api/v1/kiosks/enroll"))
            .json(&serde_json::json!({"code": code, "name": "Room 12"}))
            .send()
    };
    let enrolled: badgein_proto::Enrolled =
        enroll(code.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(enrolled.school.id, "s1");
    assert_eq!(
        problem_code(enroll(code).await.unwrap()).await.1,
        "enrollment_code_invalid",
        "single use"
    );

    let revoke = format!("/teach/kiosks/{}/revoke", hall.kiosk_id);
    let (confirm, _) = page(&env, &cookie, &revoke).await;
    assert!(confirm.contains("Revoke this kiosk?") && confirm.contains("Hall &lt;kiosk&gt;"));
    assert!(
        badge_result(&env, &hall.device_credential, &badge)
            .await
            .is_ok()
    );
    let r = post(&env, &cookie, &revoke, &[("csrf", &token)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/teach/kiosks?done=revoked");
    assert_eq!(
        badge_result(&env, &hall.device_credential, &badge).await,
        Err("kiosk_revoked".into())
    );
    let (kiosks, _) = page(&env, &cookie, "/teach/kiosks?done=revoked").await;
    assert!(kiosks.contains("The kiosk was revoked.") && kiosks.contains("Revoked"));
    assert_eq!(audited(&env, "teacher.kiosk_code", "t1").await, 1);
    assert_eq!(audited(&env, "teacher.kiosk_revoke", "t1").await, 1);
}

#[tokio::test]
async fn teacher_enrolls_and_revokes_kiosks() {
    run(teacher_enrolls_and_revokes_kiosks_body).await;
}

/// A code that lasts one minute says "1 minute", not "1 minutes" (the default 15 is above).
async fn a_one_minute_code_says_minute_body(env: Env) {
    more_seed(&env).await;
    // Mrs K reads English, Rosa Spanish.
    for (teacher, says) in [
        ("mrsk", "<p>1 minute left to use it</p>"),
        ("srab", "<p>1 minuto para usarlo</p>"),
    ] {
        let cookie = login(&env, teacher).await;
        let (_, token) = page(&env, &cookie, "/teach/kiosks").await;
        let r = post(&env, &cookie, "/teach/kiosks/code", &[("csrf", &token)]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains(says), "{teacher}: {html}");
    }
}

#[tokio::test]
async fn a_one_minute_code_says_minute() {
    let config = Config {
        enrollment_code_lifetime: Duration::from_secs(60),
        ..Config::for_tests()
    };
    run_with(config, a_one_minute_code_says_minute_body).await;
}

async fn administrators_manage_every_class_of_their_school_body(env: Env) {
    more_seed(&env).await;
    harness::add_principal(&env, PASSWORD).await;
    let cookie = login(&env, "principal").await;
    let (classes, _) = page(&env, &cookie, "/teach").await;
    assert!(classes.contains("Room 12") && classes.contains("Room 7"));
    assert!(!classes.contains("Oak 1"), "not another school's");
    assert_eq!(get(&env, &cookie, "/teach/classes/c3").await.status(), 403);
    let (_, token) = page(&env, &cookie, "/teach/classes/c2").await;
    let r = post(
        &env,
        &cookie,
        "/teach/classes/c2/students/u3/reprint",
        &[("csrf", &token), ("layout", "cards")],
    )
    .await;
    assert_eq!(pdf_pages(r).await.len(), 1);
}

#[tokio::test]
async fn administrators_manage_every_class_of_their_school() {
    run(administrators_manage_every_class_of_their_school_body).await;
}

async fn empty_classes_and_hostile_names_body(env: Env) {
    more_seed(&env).await;
    let p = env.portal();
    p.add_class("c4", "s1", "<img src=x>").await.unwrap();
    p.add_to_class("c4", "t1", Role::Teacher).await.unwrap();
    let cookie = login(&env, "mrsk").await;
    let (class, none) = page(&env, &cookie, "/teach/classes/c4").await;
    assert!(none.is_empty(), "no form at all");
    let (_, token) = page(&env, &cookie, "/teach/classes/c1").await;
    assert!(class.contains("no students to print badges for"));
    assert!(!class.contains("/sheet"), "nothing to print");
    assert!(class.contains("&lt;img src=x&gt;") && !class.contains("<img src=x>"));
    let r = post(
        &env,
        &cookie,
        "/teach/classes/c4/sheet",
        &[("csrf", &token), ("layout", "labels")],
    )
    .await;
    assert_eq!(r.status(), 400);

    p.add_user(&NewUser {
        id: "u9\"><b>".into(),
        school_id: "s1".into(),
        role: Role::Student,
        username: "hostile".into(),
        given_name: "<script>alert(1)</script>".into(),
        family_name: "\"O'Hara\"".into(),
        locale: "en".into(),
        email: None,
        grade: None,
    })
    .await
    .unwrap();
    p.add_to_class("c4", "u9\"><b>", Role::Student)
        .await
        .unwrap();
    let (class, _) = page(&env, &cookie, "/teach/classes/c4").await;
    assert!(!class.contains("<script>") && !class.contains("<b>"));
    assert!(class.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let void = "/teach/classes/c4/students/u9%22%3E%3Cb%3E/void";
    assert!(class.contains("/teach/classes/c4/students/u9%22%3E%3Cb%3E/reprint"));
    assert_eq!(
        get(&env, &cookie, void).await.status(),
        200,
        "the link works"
    );
}

#[tokio::test]
async fn empty_classes_and_hostile_names() {
    run(empty_classes_and_hostile_names_body).await;
}

/// Coming back after the timeout: a teacher whose session ended on a class page signs in again
/// and is back on that page (issue 11, item 8); a `next` that leaves the portal does not.
async fn after_a_timeout_the_sign_in_returns_to_the_page_body(env: Env) {
    more_seed(&env).await;
    let cookie = login(&env, "mrsk").await;
    let page = "/teach?from=timeout";
    assert_eq!(get(&env, &cookie, page).await.status(), 200);
    env.clock
        .advance(env.portal().config().session_idle + Duration::from_secs(1));
    let r = get(&env, &cookie, page).await;
    assert_eq!(r.status(), 303, "{}", env.backend);
    let login_page = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(login_page, "/login?next=%2Fteach%3Ffrom%3Dtimeout");
    // The login page keeps `next` in its form...
    let html = env
        .http
        .get(env.url(&login_page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"next\" value=\"/teach?from=timeout\""),
        "{html}"
    );
    // ...and the sign-in goes back there.
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "mrsk"), ("password", PASSWORD), ("next", page)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], page);
    let cookie = harness::session_cookie(&r).unwrap();
    assert_eq!(get(&env, &cookie, page).await.status(), 200);
    // A form posted after the timeout is not repeated: to the login page without `next`.
    let r = env
        .http
        .post(env.url("/teach/kiosks/code"))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn after_a_timeout_the_sign_in_returns_to_the_page() {
    run(after_a_timeout_the_sign_in_returns_to_the_page_body).await;
}
