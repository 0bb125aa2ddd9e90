//! The staff second factor (docs/staff-second-factor.md) and the lockout's "try again at",
//! against the real server. The codes are computed here with HMAC-SHA-1 directly (RFC 6238),
//! not with the portal's own `auth::totp`, so a misunderstanding shared with it cannot pass.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha1::Sha1;

use badgein_portal::StaffBadges;

use crate::harness::{Env, add_principal, dump, get, login, post, run, session_cookie};

const PASSWORD: &str = "correct horse battery";
const PENDING_COOKIE: &str = "badgein_pending";

/// RFC 6238 with SHA-1, 6 digits, 30 s: the code of the step `offset` steps from `now_ms`.
pub(crate) fn code(secret_b32: &str, now_ms: i64, offset: i64) -> String {
    let key = data_encoding::BASE32_NOPAD
        .decode(secret_b32.as_bytes())
        .unwrap();
    let step = u64::try_from(now_ms.div_euclid(30_000) + offset).unwrap();
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).unwrap();
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let at = usize::from(h[19] & 0x0f);
    let n = u32::from_be_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]) & 0x7fff_ffff;
    format!("{:06}", n % 1_000_000)
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {text}"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

/// What an enrollment showed: the session that enrolled, the secret, the recovery codes.
pub(crate) struct Enrolled {
    cookie: String,
    pub(crate) secret: String,
    recovery: Vec<String>,
}

async fn page_text(env: &Env, cookie: &str, path: &str) -> (u16, String) {
    let r = get(env, cookie, path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The secret the enrollment page shows (from its `otpauth://` URI).
async fn shown_secret(env: &Env, cookie: &str) -> String {
    let (status, html) = page_text(env, cookie, "/account/totp").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("otpauth://totp/BadgeIn:"), "{html}");
    assert!(
        html.contains("<svg class=\"qr\""),
        "the QR code is drawn inline"
    );
    between(&html, "?secret=", "&amp;").to_owned()
}

/// Sets Kim's (`t1`, username `mrsk`) password, signs her in and turns the second factor on.
pub(crate) async fn enroll_kim(env: &Env) -> Enrolled {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let cookie = login(env, "mrsk", PASSWORD).await;
    enroll_with(env, cookie).await
}

/// Turns the second factor on from the session `cookie`.
async fn enroll_with(env: &Env, cookie: String) -> Enrolled {
    let secret = shown_secret(env, &cookie).await;
    assert_eq!(secret.len(), 32, "160 bits in base32");
    // The same secret until it is confirmed (the QR code scanned a minute ago still works).
    assert_eq!(shown_secret(env, &cookie).await, secret);
    let now = env.portal().now();
    let r = post(
        env,
        &cookie,
        "/account/totp",
        &[("code", &code(&secret, now, 0))],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let recovery: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10, "{html}");
    // Shown once: the page now only says the factor is on.
    let (_, again) = page_text(env, &cookie, "/account/totp").await;
    assert!(!again.contains(&recovery[0]) && !again.contains(&secret));
    Enrolled {
        cookie,
        secret,
        recovery,
    }
}

/// The password step: the code form and the pending cookie, and no session.
async fn password_step(env: &Env, username: &str) -> String {
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", username), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the code step comes next");
    assert_eq!(session_cookie(&r), None, "no session before the code");
    let pending = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(PENDING_COOKIE))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Max-Age=300"] {
        assert!(pending.contains(flag), "{pending}");
    }
    assert!(r.text().await.unwrap().contains("action=\"/login/code\""));
    pending.split(';').next().unwrap().to_owned()
}

async fn code_step(env: &Env, pending: &str, code: &str) -> reqwest::Response {
    post(env, pending, "/login/code", &[("code", code)]).await
}

/// Signs Kim in with her password and `code`; the session cookie when it was accepted.
async fn sign_in_with(env: &Env, code: &str) -> Option<String> {
    let pending = password_step(env, "mrsk").await;
    let r = code_step(env, &pending, code).await;
    let cookie = session_cookie(&r);
    assert_eq!(cookie.is_some(), r.status() == 303, "{}", r.status());
    cookie
}

async fn enroll_then_sign_in_with_a_code_once_body(env: Env) {
    let kim = enroll_kim(&env).await;
    // The session that typed the first code has passed the second factor.
    assert_eq!(page_text(&env, &kim.cookie, "/teach").await.0, 200);
    // The secret is not in the database in the clear (sealed by the key file).
    let stored = dump(&env).await;
    let hex: String = data_encoding::BASE32_NOPAD
        .decode(kim.secret.as_bytes())
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!stored.contains(&kim.secret) && !stored.contains(&hex));
    for code in &kim.recovery {
        assert!(
            !stored.contains(code.as_str()),
            "recovery codes stored hashed"
        );
    }

    // The code of the enrollment's own step was spent by it.
    let now = env.portal().now();
    assert_eq!(sign_in_with(&env, &code(&kim.secret, now, 0)).await, None);
    env.clock.advance(Duration::from_secs(30));
    let now = env.portal().now();
    let cookie = sign_in_with(&env, &code(&kim.secret, now, 0))
        .await
        .unwrap();
    assert_eq!(page_text(&env, &cookie, "/teach").await.0, 200);
    // A code is accepted once.
    let pending = password_step(&env, "mrsk").await;
    let r = code_step(&env, &pending, &code(&kim.secret, now, 0)).await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("already used"));
    // One step of skew either way; two refused.
    assert!(
        sign_in_with(&env, &code(&kim.secret, now, 1))
            .await
            .is_some()
    );
    env.clock.advance(Duration::from_secs(300));
    let now = env.portal().now();
    assert_eq!(sign_in_with(&env, &code(&kim.secret, now, 2)).await, None);
    assert_eq!(sign_in_with(&env, &code(&kim.secret, now, -2)).await, None);
    assert!(
        sign_in_with(&env, &code(&kim.secret, now, -1))
            .await
            .is_some()
    );
    // ... and then not the step before the one just used.
    assert_eq!(sign_in_with(&env, &code(&kim.secret, now, -1)).await, None);

    // The code step's `next` goes only to a path of this portal.
    for (next, lands) in [
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/teach", "/teach"),
    ] {
        let pending = password_step(&env, "mrsk").await;
        env.clock.advance(Duration::from_secs(30));
        let code = code(&kim.secret, env.portal().now(), 0);
        let r = post(
            &env,
            &pending,
            "/login/code",
            &[("code", &code), ("next", next)],
        )
        .await;
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], lands, "{next}");
    }

    let audit = env.portal().audit_log().await.unwrap();
    assert!(audit.iter().any(|e| e.action == "user.totp_start"));
    assert!(audit.iter().any(|e| e.action == "user.totp_enroll"));
    assert!(
        audit
            .iter()
            .any(|e| e.action == "sign_in.second_factor" && e.result == "ok")
    );
}

#[tokio::test]
async fn enroll_then_sign_in_with_a_code_once() {
    run(enroll_then_sign_in_with_a_code_once_body).await;
}

async fn malformed_codes_get_a_clear_answer_and_change_nothing_body(env: Env) {
    let kim = enroll_kim(&env).await;
    env.clock.advance(Duration::from_secs(60));
    let pending = password_step(&env, "mrsk").await;
    for (typed, says) in [
        ("12345", "The code has 6 digits"),
        ("1234567", "The code has 6 digits"),
        ("12 34 5", "The code has 6 digits"),
        ("abcdef", "That is not a code"),
        ("", "That is not a code"),
        ("<script>alert(1)</script>", "That is not a code"),
        (&"9".repeat(200), "That is not a code"),
    ] {
        let r = code_step(&env, &pending, typed).await;
        assert_eq!(r.status(), 400, "{typed}");
        let html = r.text().await.unwrap();
        assert!(html.contains(says), "{typed}: {html}");
        assert!(!html.contains("<script>alert"));
    }
    // Nothing counted, nothing spent: six more malformed tries, then the right code.
    for _ in 0..6 {
        assert_eq!(code_step(&env, &pending, "123").await.status(), 400);
    }
    let now = env.portal().now();
    let r = code_step(&env, &pending, &code(&kim.secret, now, 0)).await;
    assert_eq!(r.status(), 303);
    // The pending sign-in is single use.
    let r = code_step(&env, &pending, &code(&kim.secret, now, 1)).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("took too long"));
    // A code step without a pending sign-in, or from another site, changes nothing.
    let r = code_step(&env, "badgein_pending=00", "123456").await;
    assert_eq!(r.status(), 400);
    let r = env
        .http
        .post(env.url("/login/code"))
        .header("cookie", &pending)
        .header("origin", "https://evil.example")
        .form(&[("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn malformed_codes_get_a_clear_answer_and_change_nothing() {
    run(malformed_codes_get_a_clear_answer_and_change_nothing_body).await;
}

async fn a_recovery_code_works_once_body(env: Env) {
    let kim = enroll_kim(&env).await;
    let first = &kim.recovery[0];
    assert!(sign_in_with(&env, first).await.is_some());
    assert_eq!(sign_in_with(&env, first).await, None, "used once");
    // Typed without dashes and in capitals, another one works.
    let second = kim.recovery[1].replace('-', "").to_uppercase();
    let cookie = sign_in_with(&env, &second).await.unwrap();
    assert_eq!(page_text(&env, &cookie, "/teach").await.0, 200);
    assert_eq!(
        sign_in_with(&env, "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23").await,
        None
    );
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    run(a_recovery_code_works_once_body).await;
}

/// The time `secs` from now on a school clock in `zone`, as the page writes it in `lang`.
fn local_time(env: &Env, secs: i64, zone: &str, lang: &str) -> String {
    let at = jiff::Timestamp::from_millisecond(env.portal().now() + secs * 1000).unwrap();
    let zoned = at.to_zoned(jiff::tz::TimeZone::get(zone).unwrap());
    let (hour, minute) = (i64::from(zoned.hour()), zoned.minute());
    if lang == "es" {
        format!("{hour}:{minute:02}")
    } else {
        let half = if hour < 12 { "AM" } else { "PM" };
        let twelve = if hour % 12 == 0 { 12 } else { hour % 12 };
        format!("{twelve}:{minute:02} {half}")
    }
}

async fn wrong_codes_lock_the_account_and_say_until_when_body(env: Env) {
    env.portal()
        .set_school_policy("s1", None, Some("America/Chicago"))
        .await
        .unwrap();
    let kim = enroll_kim(&env).await;
    env.clock.advance(Duration::from_secs(60));
    let pending = password_step(&env, "mrsk").await;
    let now = env.portal().now();
    let wrong = code(&kim.secret, now, 5);
    for _ in 0..5 {
        assert_eq!(code_step(&env, &pending, &wrong).await.status(), 401);
    }
    let r = code_step(&env, &pending, &code(&kim.secret, now, 0)).await;
    assert_eq!(r.status(), 429, "even the right code, once locked");
    assert_eq!(r.headers()["retry-after"], "900");
    let expected = format!(
        "Too many tries. Try again at {}.",
        local_time(&env, 900, "America/Chicago", "en")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains(&expected), "{expected} in {html}");
    // Typing the password again buys no more guesses: the sign-in is locked.
    let r = env
        .http
        .post(env.url("/login"))
        .header("accept-language", "es")
        .form(&[("username", "mrsk"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let expected = format!(
        "Vuelve a intentarlo a las {}.",
        local_time(&env, 900, "America/Chicago", "es")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains(&expected) || html.contains(&expected.replace("las", "la")));
    // After the lock, the password and a right code sign in.
    env.clock.advance(Duration::from_secs(900));
    let now = env.portal().now();
    assert!(
        sign_in_with(&env, &code(&kim.secret, now, 0))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn wrong_codes_lock_the_account_and_say_until_when() {
    run(wrong_codes_lock_the_account_and_say_until_when_body).await;
}

async fn a_password_only_session_of_an_enrolled_teacher_opens_no_teacher_page_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    // Signed in before the enrollment, in another browser.
    let earlier = login(&env, "mrsk", PASSWORD).await;
    assert_eq!(page_text(&env, &earlier, "/teach").await.0, 200);
    let kim = enroll_with(&env, login(&env, "mrsk", PASSWORD).await).await;
    for path in ["/teach", "/teach/classes/c1", "/teach/kiosks"] {
        let (status, html) = page_text(&env, &earlier, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(
            html.contains("sign in with your password and the code"),
            "{html}"
        );
    }
    // A teacher form posted from it is refused too, and nothing is done.
    let r = post(&env, &earlier, "/teach/classes/c1/students/u1/unlock", &[]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(page_text(&env, &kim.cookie, "/teach").await.0, 200);
    // The kiosk's typed sign-in is a password alone: no teacher page either.
    let kiosk = env.enroll("s1", "Room 12").await;
    let r = env
        .password_sign_in(&kiosk.device_credential, "mrsk", PASSWORD)
        .await;
    assert_eq!(r.status(), 200);
    let launch: badgein_proto::SignIn = r.json().await.unwrap();
    let cookie = crate::harness::open(&env, &launch.launch_url)
        .await
        .unwrap();
    assert_eq!(page_text(&env, &cookie, "/teach").await.0, 403);
    let audit = env.portal().audit_log().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "teacher.refused" && e.result == "second_factor")
    );
}

#[tokio::test]
async fn a_password_only_session_of_an_enrolled_teacher_opens_no_teacher_page() {
    run(a_password_only_session_of_an_enrolled_teacher_opens_no_teacher_page_body).await;
}

async fn a_required_second_factor_comes_before_the_teacher_pages_body(env: Env) {
    env.portal()
        .set_school_policy("s1", Some(true), None)
        .await
        .unwrap();
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "mrsk"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account/totp");
    let cookie = session_cookie(&r).unwrap();
    let r = get(&env, &cookie, "/teach/classes/c1").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account/totp");
    let secret = shown_secret(&env, &cookie).await;
    let now = env.portal().now();
    let r = post(
        &env,
        &cookie,
        "/account/totp",
        &[("code", &code(&secret, now, 0))],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(page_text(&env, &cookie, "/teach").await.0, 200);

    // Students never see it: no link, no page, and their sign-in is unchanged.
    env.portal().set_password("u1", PASSWORD).await.unwrap();
    let maya = login(&env, "maya", PASSWORD).await;
    let (_, dashboard) = page_text(&env, &maya, "/").await;
    assert!(!dashboard.contains("/account/totp"));
    assert_eq!(page_text(&env, &maya, "/account/totp").await.0, 404);
    let r = post(&env, &maya, "/account/totp", &[("code", "123456")]).await;
    assert_eq!(r.status(), 404);
    // Signed out, the page sends to the login page and back.
    let r = env.http.get(env.url("/account/totp")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
}

#[tokio::test]
async fn a_required_second_factor_comes_before_the_teacher_pages() {
    run(a_required_second_factor_comes_before_the_teacher_pages_body).await;
}

async fn enrollment_refuses_bad_codes_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let cookie = login(&env, "mrsk", PASSWORD).await;
    let secret = shown_secret(&env, &cookie).await;
    let now = env.portal().now();
    for (typed, status) in [
        ("12345", 400),
        ("1234567", 400),
        ("not a code", 400),
        (code(&secret, now, 3).as_str(), 400),
    ] {
        let r = post(&env, &cookie, "/account/totp", &[("code", typed)]).await;
        assert_eq!(r.status(), status, "{typed}");
    }
    // Nothing turned on: the same secret is still waiting.
    assert_eq!(shown_secret(&env, &cookie).await, secret);
    // A form from another site is refused.
    let r = env
        .http
        .post(env.url("/account/totp"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("code", code(&secret, now, 0).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(shown_secret(&env, &cookie).await, secret);
    // A badge session cannot enroll (anyone holding the badge could).
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env
        .portal()
        .issue_badge_to("t1", None, StaffBadges::Allowed)
        .await
        .unwrap()
        .encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    let launch: badgein_proto::SignIn = r.json().await.unwrap();
    let badge_cookie = crate::harness::open(&env, &launch.launch_url)
        .await
        .unwrap();
    assert_eq!(page_text(&env, &badge_cookie, "/account/totp").await.0, 403);
}

#[tokio::test]
async fn enrollment_refuses_bad_codes() {
    run(enrollment_refuses_bad_codes_body).await;
}

async fn an_administrator_resets_the_second_factor_body(env: Env) {
    add_principal(&env, PASSWORD).await;
    let kim = enroll_kim(&env).await;
    let ended = env.portal().reset_totp("t1", None).await.unwrap();
    assert!(ended >= 1);
    // Her sessions ended with it.
    let r = get(&env, &kim.cookie, "/teach").await;
    assert_eq!(r.status(), 303);
    // The password alone signs in again, and a new secret is offered.
    let cookie = login(&env, "mrsk", PASSWORD).await;
    assert_ne!(shown_secret(&env, &cookie).await, kim.secret);
    // The old recovery codes are gone with it.
    let audit = env.portal().audit_log().await.unwrap();
    assert!(audit.iter().any(|e| e.action == "user.totp_reset"));
    assert!(env.portal().reset_totp("nobody", None).await.is_err());
}

#[tokio::test]
async fn an_administrator_resets_the_second_factor() {
    run(an_administrator_resets_the_second_factor_body).await;
}

async fn the_kiosk_is_told_when_a_lock_ends_body(env: Env) {
    env.portal()
        .set_school_policy("s1", None, Some("america/chicago"))
        .await
        .unwrap();
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    for _ in 0..5 {
        let r = env.password_sign_in(cred, "mrsk", "wrong password").await;
        assert_eq!(r.status(), 401);
    }
    let r = env.password_sign_in(cred, "mrsk", PASSWORD).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "900");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "account_locked");
    let at = jiff::Timestamp::from_millisecond(env.portal().now() + 900_000).unwrap();
    let expected = at
        .to_zoned(jiff::tz::TimeZone::get("America/Chicago").unwrap())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    assert_eq!(body["retry_at"], expected.as_str());
    assert!(expected.ends_with("-06:00") || expected.ends_with("-05:00"));
}

#[tokio::test]
async fn the_kiosk_is_told_when_a_lock_ends() {
    run(the_kiosk_is_told_when_a_lock_ends_body).await;
}

async fn hostile_time_zones_are_refused_body(env: Env) {
    for bad in [
        "",
        "Mars/Olympus",
        "../../../etc/passwd",
        "/etc/localtime",
        "America/Chicago\n",
        "America/Chicago; DROP TABLE schools",
        "Etc/Unknown",
        &"x".repeat(10_000),
    ] {
        let e = env
            .portal()
            .set_school_policy("s1", None, Some(bad))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("IANA"), "{bad:?}: {e}");
    }
    assert!(
        env.portal()
            .set_school_policy("nowhere", Some(true), None)
            .await
            .is_err()
    );
    // Nothing changed: the lock is still told in UTC.
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    for _ in 0..6 {
        env.http
            .post(env.url("/login"))
            .form(&[("username", "mrsk"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
    }
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "mrsk"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let html = r.text().await.unwrap();
    let expected = local_time(&env, 900, "UTC", "en");
    assert!(
        html.contains(&format!("Try again at {expected}.")),
        "{html}"
    );
    let audit = env.portal().audit_log().await.unwrap();
    assert!(!audit.iter().any(|e| e.action == "school.policy"));
}

#[tokio::test]
async fn hostile_time_zones_are_refused() {
    run(hostile_time_zones_are_refused_body).await;
}

/// An unknown username is told the same zone as the school most accounts are in, so the
/// answer does not tell whether the account exists.
async fn an_unknown_username_is_told_the_common_zone_body(env: Env) {
    for school in ["s1", "s2"] {
        env.portal()
            .set_school_policy(school, None, Some("America/Chicago"))
            .await
            .unwrap();
    }
    for _ in 0..6 {
        env.http
            .post(env.url("/login"))
            .form(&[("username", "nobody"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
    }
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "nobody"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let html = r.text().await.unwrap();
    let expected = local_time(&env, 900, "America/Chicago", "en");
    assert!(
        html.contains(&format!("Try again at {expected}.")),
        "{html}"
    );
}

#[tokio::test]
async fn an_unknown_username_is_told_the_common_zone() {
    run(an_unknown_username_is_told_the_common_zone_body).await;
}

#[tokio::test]
async fn the_cli_sets_the_policy_and_resets_a_second_factor() {
    use badgein_portal::{Config, ManualClock, Portal};

    let dir = crate::harness::TempDir::new();
    let db = dir.0.join("portal.db");
    let clock = std::sync::Arc::new(ManualClock::starting_now());
    let portal = Portal::open(db.to_str().unwrap(), clock.clone(), Config::for_tests())
        .await
        .unwrap();
    crate::harness::seed(&portal).await;
    portal.close().await;
    let cli = |args: &[&str]| crate::harness::portal_cli(&db, args);
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();

    let set = cli(&[
        "school",
        "policy",
        "--school",
        "s1",
        "--staff-totp",
        "required",
        "--time-zone",
        "America/Chicago",
    ]);
    assert!(set.status.success(), "{}", stderr(&set));
    for (args, says) in [
        (
            &[
                "school",
                "policy",
                "--school",
                "s1",
                "--time-zone",
                "../../etc/passwd",
            ][..],
            "IANA",
        ),
        (
            &[
                "school",
                "policy",
                "--school",
                "s1",
                "--staff-totp",
                "maybe",
            ][..],
            "maybe",
        ),
        (
            &[
                "school",
                "policy",
                "--school",
                "nowhere",
                "--staff-totp",
                "optional",
            ][..],
            "nowhere",
        ),
        (&["user", "totp-reset", "--user", "nobody"][..], "nobody"),
    ] {
        let out = cli(args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    let reset = cli(&["user", "totp-reset", "--user", "t1"]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert!(stderr(&reset).contains("second factor reset"));

    let portal = Portal::open(db.to_str().unwrap(), clock, Config::for_tests())
        .await
        .unwrap();
    let audit = portal.audit_log().await.unwrap();
    let policies: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "school.policy")
        .collect();
    assert_eq!(policies.len(), 1, "the refused ones changed nothing");
    let detail = policies[0].detail.as_deref().unwrap();
    assert!(
        detail.contains("required") && detail.contains("America/Chicago"),
        "{detail}"
    );
    assert!(audit.iter().any(|e| e.action == "user.totp_reset"));
    let kim = portal.user("t1").await.unwrap().unwrap();
    assert_eq!(
        portal.second_factor(&kim).await.unwrap(),
        badgein_portal::auth::origin::SecondFactor::Required
    );
    portal.close().await;
}

/// The `csrf` field of a teacher page.
fn csrf_of(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"").to_owned()
}

async fn an_administrator_resets_from_the_staff_page_body(env: Env) {
    add_principal(&env, PASSWORD).await;
    let kim = enroll_kim(&env).await;
    let pat = login(&env, "principal", PASSWORD).await;
    let (status, dashboard) = page_text(&env, &pat, "/").await;
    assert_eq!(status, 200);
    assert!(dashboard.contains("href=\"/teach/staff\""));
    let (status, html) = page_text(&env, &pat, "/teach/staff").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("mrsk") && html.contains("principal"));
    assert!(!html.contains("maya"), "students are not staff");
    assert!(html.contains("/teach/staff/t1/totp-reset"));
    let (status, confirm) = page_text(&env, &pat, "/teach/staff/t1/totp-reset").await;
    assert_eq!(status, 200);
    let token = csrf_of(&confirm);

    // Refused, and nothing reset: no token, another school's user, a student, a teacher.
    let path = "/teach/staff/t1/totp-reset";
    assert_eq!(post(&env, &pat, path, &[]).await.status(), 403);
    assert_eq!(post(&env, &pat, path, &[("csrf", "0")]).await.status(), 403);
    for other in ["x1", "u1", "nobody", "..%2Ft1"] {
        let r = post(
            &env,
            &pat,
            &format!("/teach/staff/{other}/totp-reset"),
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(r.status(), 403, "{other}");
    }
    assert_eq!(page_text(&env, &kim.cookie, "/teach/staff").await.0, 403);
    let r = post(&env, &kim.cookie, path, &[("csrf", &token)]).await;
    assert_eq!(r.status(), 403, "a teacher cannot reset");
    assert_eq!(
        page_text(&env, &kim.cookie, "/teach").await.0,
        200,
        "still on"
    );

    let r = post(&env, &pat, path, &[("csrf", &token)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/teach/staff?done=reset");
    assert_eq!(
        get(&env, &kim.cookie, "/teach").await.status(),
        303,
        "signed out"
    );
    let (_, html) = page_text(&env, &pat, "/teach/staff?done=reset").await;
    assert!(html.contains("The second factor was reset."));
    assert!(!html.contains("/teach/staff/t1/totp-reset"));
    let audit = env.portal().audit_log().await.unwrap();
    let reset = audit
        .iter()
        .find(|e| e.action == "user.totp_reset")
        .unwrap();
    assert_eq!(reset.detail.as_deref(), Some("by administrator a1"));
}

#[tokio::test]
async fn an_administrator_resets_from_the_staff_page() {
    run(an_administrator_resets_from_the_staff_page_body).await;
}
