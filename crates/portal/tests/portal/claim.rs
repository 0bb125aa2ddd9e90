//! Claiming an account at `/claim` (issue 11, item 4) over real HTTP, on a roster imported with
//! its numbers, dates of birth and guardians (item 1): success and the sign-in after it, each
//! bad input with its own message and nothing changed, one answer for every mismatch, a
//! second claim refused, the daily limits; and what the roster import keeps (a keyed hash,
//! never the date) and the key file it needs.

use std::time::Duration;

use badgein_portal::config::IpNet;
use badgein_portal::store::{claim, directory};
use badgein_portal::{AppRequest, Config, ManualClock, Portal, Role, spawn};
use badgein_roster::Roster;
use sha2::{Digest, Sha256};

use crate::harness::{Env, TempDir, backends, fresh_database, run, run_with, session_cookie};

const PASSWORD: &str = "purple otter dances";

/// A claim form's fields and values.
type Form = Vec<(&'static str, String)>;

/// Maple Middle: Ana María (grade 7, claimable), Leo (grade 4: not a claim grade), Noa (grade
/// 8, no date of birth), Kim (a teacher, claimable), Old Kid (disabled), Sam (Ana's parent).
const ORGS: &str = "sourcedId,name,type\nm1,Maple Middle,school\n";
const USERS: &str = "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName,\
identifier,agentSourcedIds,grades\n\
st7,true,m1,student,ana.obrien,Ana María,O'Brien-Núñez,12 345,par1,07\n\
st4,true,m1,student,leo.park,Leo,Park,444,,04\n\
st8,true,m1,student,noa.birth,Noa,Birth,555,,08\n\
tch,true,m1,teacher,kim.lee,Kim,Lee,T-77,,\n\
off,false,m1,student,old.kid,Old,Kid,666,,09\n\
par1,true,m1,parent,sam.obrien,Sam,O'Brien,P-1,,\n";
const CLASSES: &str = "sourcedId,title,schoolSourcedId\nm7,Homeroom 7,m1\n";
const ENROLLMENTS: &str = "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role\n\
e1,m7,m1,st7,student\ne2,m7,m1,tch,teacher\n";
const DEMOGRAPHICS: &str = "sourcedId,birthDate\nst7,2012-01-05\nst4,2016-03-03\n\
tch,1980-02-29\noff,2011-07-07\npar1,1985-05-05\n";

fn middle_school(with_dates: bool) -> Roster {
    Roster::from_files(
        ORGS.as_bytes(),
        USERS.as_bytes(),
        CLASSES.as_bytes(),
        ENROLLMENTS.as_bytes(),
        with_dates.then_some(DEMOGRAPHICS.as_bytes()),
    )
    .unwrap()
}

async fn import(env: &Env) {
    env.portal()
        .import_roster(&middle_school(true))
        .await
        .unwrap();
}

/// Ana María's answers, as a child might type them: no accents, no apostrophe or hyphen, and
/// the number with spaces.
fn ana() -> Form {
    [
        ("first_name", "ana maria"),
        ("last_name", "OBrien Nunez"),
        ("birth_date", "01/05/2012"),
        ("number", " 1 2 3 4 5 "),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
    ]
    .map(|(k, v)| (k, v.to_owned()))
    .to_vec()
}

fn with(mut form: Form, field: &str, value: &str) -> Form {
    for (k, v) in &mut form {
        if *k == field {
            *v = value.to_owned();
        }
    }
    form
}

fn answers(given: &str, family: &str, date: &str, number: &str) -> Form {
    let form = with(ana(), "first_name", given);
    let form = with(form, "last_name", family);
    let form = with(form, "birth_date", date);
    with(form, "number", number)
}

struct Answer {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    /// The announced message (`role="alert"`), if any.
    fn alert(&self) -> Option<String> {
        let start = self.body.find(r#"role="alert""#)?;
        let text = &self.body[start..];
        let open = text.find('>')? + 1;
        let close = text.find("</p>")?;
        Some(text[open..close].to_owned())
    }
}

async fn post_claim(
    env: &Env,
    form: &[(&'static str, String)],
    address: Option<&str>,
    language: &str,
) -> Answer {
    let mut request = env
        .http
        .post(env.url("/claim"))
        .header("accept-language", language)
        .form(form);
    if let Some(address) = address {
        request = request.header("x-forwarded-for", address);
    }
    let r = request.send().await.unwrap();
    Answer {
        status: r.status().as_u16(),
        location: r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned()),
        cookie: session_cookie(&r),
        retry_after: r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: r.text().await.unwrap(),
    }
}

async fn claim(env: &Env, form: &[(&'static str, String)]) -> Answer {
    post_claim(env, form, None, "en").await
}

async fn has_password(env: &Env, username: &str) -> bool {
    directory::user_for_login(env.portal().db(), username)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .is_some()
}

async fn login(env: &Env, username: &str, password: &str) -> u16 {
    env.http
        .post(env.url("/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn claims_audited(env: &Env) -> Vec<(String, Option<String>)> {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "account.claim")
        .map(|e| (e.result, e.user_id.map(|u| u.as_str().to_owned())))
        .collect()
}

const NO_MATCH: &str = "No account waiting to be claimed matches these answers. Check each one; if they are right, ask the school office (an account is claimed only once).";

// ------------------------------------------------------------------ success

async fn a_claim_signs_in_and_cannot_be_made_twice_body(env: Env) {
    import(&env).await;
    let page = env.http.get(env.url("/claim")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let login_page = env.http.get(env.url("/login")).send().await.unwrap();
    assert!(
        login_page
            .text()
            .await
            .unwrap()
            .contains(r#"href="/claim""#)
    );

    let done = claim(&env, &ana()).await;
    assert_eq!(done.status, 303, "{}: {}", env.backend, done.body);
    assert_eq!(done.location.as_deref(), Some("/"));
    let cookie = done.cookie.expect("signed in at once");
    let home = env
        .http
        .get(env.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Ana María"));
    // The password works at the login page from now on.
    assert_eq!(login(&env, "ana.obrien", PASSWORD).await, 303);
    assert_eq!(
        claims_audited(&env).await,
        [("ok".to_owned(), Some("st7".to_owned()))]
    );
    let log = env.portal().audit_log().await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "sign_in.claim" && e.result == "ok"),
        "the session is recorded"
    );
    // Nothing of the answers in the log.
    for e in &log {
        let detail = e.detail.as_deref().unwrap_or_default();
        for secret in ["2012", "12345", "Ana", PASSWORD] {
            assert!(!detail.contains(secret), "{detail}");
        }
    }

    // Claimed once: the same answers with another password are refused like any mismatch,
    // and the first password stays.
    let again = with(
        with(ana(), "password", "another long secret"),
        "password_again",
        "another long secret",
    );
    let second = claim(&env, &again).await;
    assert_eq!(second.status, 400);
    assert_eq!(second.alert().as_deref(), Some(NO_MATCH));
    assert_ne!(login(&env, "ana.obrien", "another long secret").await, 303);
    assert_eq!(login(&env, "ana.obrien", PASSWORD).await, 303);

    // Staff claim too: a teacher, born on a February 29th.
    let kim = answers("KIM", "lee", "02/29/1980", "t-77");
    let staff = claim(&env, &kim).await;
    assert_eq!(staff.status, 303, "{}", staff.body);
    assert!(has_password(&env, "kim.lee").await);
}

#[tokio::test]
async fn a_claim_signs_in_and_cannot_be_made_twice() {
    run(a_claim_signs_in_and_cannot_be_made_twice_body).await;
}

// ------------------------------------------------------------------ one answer

async fn every_mismatch_gets_one_answer_body(env: Env) {
    import(&env).await;
    // Kim claims first, so that "already claimed" is one of the cases.
    assert_eq!(
        claim(&env, &answers("Kim", "Lee", "02/29/1980", "T-77"))
            .await
            .status,
        303
    );
    let cases = [
        (
            "wrong first name",
            answers("Ana Marta", "O'Brien-Núñez", "01/05/2012", "12345"),
        ),
        (
            "wrong last name",
            answers("Ana María", "O'Brien", "01/05/2012", "12345"),
        ),
        (
            "wrong date",
            answers("Ana María", "O'Brien-Núñez", "01/06/2012", "12345"),
        ),
        (
            "wrong number",
            answers("Ana María", "O'Brien-Núñez", "01/05/2012", "12346"),
        ),
        (
            "unknown number",
            answers("Ana María", "O'Brien-Núñez", "01/05/2012", "99999"),
        ),
        ("grade 4", answers("Leo", "Park", "03/03/2016", "444")),
        (
            "no date of birth on file",
            answers("Noa", "Birth", "01/01/2014", "555"),
        ),
        ("disabled", answers("Old", "Kid", "07/07/2011", "666")),
        ("a parent", answers("Sam", "O'Brien", "05/05/1985", "P-1")),
        (
            "already claimed",
            answers("Kim", "Lee", "02/29/1980", "T-77"),
        ),
    ];
    let mut bodies = Vec::new();
    for (n, (case, form)) in cases.iter().enumerate() {
        // Each from an address of its own: more than ten tries would meet the daily limit.
        let answer = post_claim(&env, form, Some(&format!("198.51.100.{n}")), "en").await;
        assert_eq!(answer.status, 400, "{case}");
        assert_eq!(answer.alert().as_deref(), Some(NO_MATCH), "{case}");
        assert!(answer.cookie.is_none(), "{case}");
        // The page is the same but for what was typed back into it.
        let typed: Vec<&str> = form
            .iter()
            .filter(|(k, _)| !k.starts_with("password"))
            .map(|(_, v)| v.as_str())
            .collect();
        let mut page = answer.body.clone();
        for value in typed {
            page = page.replace(&format!(r#"value="{}""#, html_escaped(value)), "");
        }
        bodies.push(page);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one page for every mismatch"
    );
    for username in [
        "ana.obrien",
        "leo.park",
        "noa.birth",
        "old.kid",
        "sam.obrien",
    ] {
        assert!(!has_password(&env, username).await, "{username}");
    }
    // Each try is audited as no match; where the number named one person, with that person.
    let audited = claims_audited(&env).await;
    assert_eq!(audited.len(), 1 + cases.len());
    assert!(audited[1..].iter().all(|(result, _)| result == "no_match"));
    // (Row 0 is Kim's claim; row n + 1 is case n.)
    assert_eq!(audited[5].1, None, "an unknown number names nobody");
    assert_eq!(audited[7].1.as_deref(), Some("st8"));
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[tokio::test]
async fn every_mismatch_gets_one_answer() {
    run_with(behind_proxy(), every_mismatch_gets_one_answer_body).await;
}

// ------------------------------------------------------------------ bad input

async fn each_bad_input_says_what_is_wrong_and_changes_nothing_body(env: Env) {
    import(&env).await;
    const FORMAT: &str = "Type the date as MM/DD/YYYY, for example 01/05/2012";
    const NO_SUCH: &str = "There is no such date. The month comes first, then the day: type the date as MM/DD/YYYY, for example 01/05/2012";
    const FUTURE: &str = "That date has not happened yet. Type your date of birth as MM/DD/YYYY, for example 01/05/2012";
    let cases: Vec<(Form, &str, &str)> = vec![
        (with(ana(), "birth_date", "1/5/2012"), FORMAT, "birth_date"),
        (
            with(ana(), "birth_date", "2012-01-05"),
            FORMAT,
            "birth_date",
        ),
        (
            with(ana(), "birth_date", "01-05-2012"),
            FORMAT,
            "birth_date",
        ),
        (with(ana(), "birth_date", ""), FORMAT, "birth_date"),
        (
            with(ana(), "birth_date", "02/30/2012"),
            NO_SUCH,
            "birth_date",
        ),
        (
            with(ana(), "birth_date", "13/01/2012"),
            NO_SUCH,
            "birth_date",
        ),
        (
            with(ana(), "birth_date", "01/01/2999"),
            FUTURE,
            "birth_date",
        ),
        (
            with(ana(), "password_again", "purple otter dance"),
            "The two passwords are not the same. Type your new password twice.",
            "password_again",
        ),
        (
            with(
                with(ana(), "password", "Password1"),
                "password_again",
                "Password1",
            ),
            "That password is one of the most common ones, which are guessed first. Please choose another.",
            "password",
        ),
        (
            with(with(ana(), "password", "short"), "password_again", "short"),
            "The new password needs at least 8 characters.",
            "password",
        ),
        (
            with(
                with(ana(), "password", &"x".repeat(129)),
                "password_again",
                &"x".repeat(129),
            ),
            "The new password can have at most 128 characters.",
            "password",
        ),
        (
            with(ana(), "first_name", "  "),
            "Type your first name and your last name (at most 100 characters each).",
            "first_name",
        ),
        (
            with(ana(), "last_name", &"a".repeat(10_000)),
            "Type your first name and your last name (at most 100 characters each).",
            "last_name",
        ),
        (
            with(ana(), "number", "   "),
            "Type your student or staff number.",
            "number",
        ),
        (
            with(ana(), "number", "12\u{0}345"),
            "Type your student or staff number.",
            "number",
        ),
    ];
    for (form, message, field) in &cases {
        let answer = claim(&env, form).await;
        assert_eq!(answer.status, 400, "{message}");
        assert_eq!(answer.alert().as_deref(), Some(*message), "{form:?}");
        // The field is marked and described by the message.
        let input = answer
            .body
            .split("<input")
            .find(|i| i.contains(&format!(r#"id="{field}""#)))
            .unwrap();
        assert!(input.contains(r#"aria-invalid="true""#), "{field}: {input}");
        assert!(input.contains("claim-error"), "{field}: {input}");
        // The other answers are kept; the passwords never come back.
        if *field != "first_name" {
            assert!(answer.body.contains(r#"value="ana maria""#), "{field}");
        }
        if *field != "number" {
            assert!(answer.body.contains(r#"value=" 1 2 3 4 5 ""#), "{field}");
        }
        for (k, v) in form {
            if k.starts_with("password") && !v.is_empty() {
                assert!(!answer.body.contains(v.as_str()), "a password came back");
            }
        }
    }
    // In Spanish too.
    let es = post_claim(&env, &with(ana(), "birth_date", "1/5/2012"), None, "es").await;
    assert_eq!(
        es.alert().as_deref(),
        Some("Escribe la fecha como MM/DD/AAAA, por ejemplo 01/05/2012")
    );
    // A form without its fields, a body that is not a form, a post from another site.
    let empty = claim(&env, &[]).await;
    assert_eq!(empty.status, 400);
    assert_eq!(
        empty.alert().as_deref(),
        Some("Type your first name and your last name (at most 100 characters each).")
    );
    let junk = env
        .http
        .post(env.url("/claim"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x80])
        .send()
        .await
        .unwrap();
    assert_eq!(junk.status(), 400);
    let cross = env
        .http
        .post(env.url("/claim"))
        .header("origin", "https://evil.example")
        .form(&ana())
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    // Nothing changed: no password, no claim tried (form errors stop before any lookup).
    assert!(!has_password(&env, "ana.obrien").await);
    assert!(claims_audited(&env).await.is_empty());
    // Numbers that are no number: too long, other scripts' digits.
    for number in [
        "9".repeat(65),
        "١٢٣٤٥".to_owned(),
        "12\u{202e}345".to_owned(),
    ] {
        let answer = claim(&env, &with(ana(), "number", &number)).await;
        assert_eq!(
            answer.alert().as_deref(),
            Some("Type your student or staff number."),
            "{number:?}"
        );
    }
    // A field sent twice is not a form this page reads.
    let mut twice = ana();
    twice.push(("number", "12345".to_owned()));
    let doubled = claim(&env, &twice).await;
    assert_eq!(doubled.status, 400);
    assert!(doubled.cookie.is_none());
    // Markup typed into a name comes back as text, never as markup.
    let markup = claim(
        &env,
        &with(
            with(ana(), "first_name", "<script>alert(1)</script>"),
            "birth_date",
            "1/5/2012",
        ),
    )
    .await;
    assert!(!markup.body.contains("<script>alert(1)"));
    assert!(
        markup
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    // A body over the 16 KiB limit is refused before it is read (the empty form again).
    let huge = env
        .http
        .post(env.url("/claim"))
        .form(&[("first_name", "a".repeat(20_000))])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 400);
    assert!(!has_password(&env, "ana.obrien").await);
    assert!(claims_audited(&env).await.is_empty());
    // And the right answers still work after all that.
    assert_eq!(claim(&env, &ana()).await.status, 303);
}

#[tokio::test]
async fn each_bad_input_says_what_is_wrong_and_changes_nothing() {
    run(each_bad_input_says_what_is_wrong_and_changes_nothing_body).await;
}

// ------------------------------------------------------------------ password change

/// The same rules, each in its own words, when a signed-in user changes the password.
async fn a_password_change_follows_the_same_rules_body(env: Env) {
    import(&env).await;
    let cookie = claim(&env, &ana()).await.cookie.unwrap();
    for (new, message) in [
        ("short", "The new password needs at least 8 characters."),
        (
            "Iloveyou",
            "That password is one of the most common ones, which are guessed first. Please choose another.",
        ),
    ] {
        let r = env
            .http
            .post(env.url("/account/password"))
            .header("cookie", &cookie)
            .form(&[("current", PASSWORD), ("new", new)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{new}");
        assert!(r.text().await.unwrap().contains(message), "{new}");
        assert_ne!(login(&env, "ana.obrien", new).await, 303, "{new}");
    }
    assert_eq!(login(&env, "ana.obrien", PASSWORD).await, 303);
    // A long passphrase of any characters is fine: no composition rules.
    let r = env
        .http
        .post(env.url("/account/password"))
        .header("cookie", &cookie)
        .form(&[("current", PASSWORD), ("new", "ñandú saltarín")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(login(&env, "ana.obrien", "ñandú saltarín").await, 303);
}

#[tokio::test]
async fn a_password_change_follows_the_same_rules() {
    run(a_password_change_follows_the_same_rules_body).await;
}

// ------------------------------------------------------------------ limits

fn behind_proxy() -> Config {
    Config {
        trusted_proxies: vec!["127.0.0.1/32".parse::<IpNet>().unwrap()],
        ..Config::for_tests()
    }
}

async fn claims_are_limited_per_address_and_per_number_body(env: Env) {
    import(&env).await;
    // Ten tries from one address (each for another number) use up the address's day.
    for n in 0..10 {
        let form = answers("Ana María", "O'Brien-Núñez", "01/05/2012", &format!("9{n}"));
        let answer = post_claim(&env, &form, Some("198.51.100.7"), "en").await;
        assert_eq!(answer.status, 400, "try {n}");
    }
    let limited = post_claim(&env, &ana(), Some("198.51.100.7"), "en").await;
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.alert().as_deref(),
        Some("Too many tries today. Please try again tomorrow or ask the school office.")
    );
    let retry: u64 = limited.retry_after.unwrap().parse().unwrap();
    assert!((86_000..=86_400).contains(&retry), "{retry}");
    assert!(!has_password(&env, "ana.obrien").await);

    // Ten wrong dates for Ana's number from ten addresses use up the number's day: the right
    // answers from an eleventh address are refused too.
    for n in 0..10 {
        let form = with(ana(), "birth_date", &format!("02/{:02}/2012", n + 1));
        let answer = post_claim(&env, &form, Some(&format!("203.0.113.{n}")), "en").await;
        assert_eq!(answer.alert().as_deref(), Some(NO_MATCH), "try {n}");
    }
    let limited = post_claim(&env, &ana(), Some("192.0.2.99"), "en").await;
    assert_eq!(limited.status, 429);
    assert!(!has_password(&env, "ana.obrien").await);
    // Refused by the limit: counted, not one audit row each.
    assert_eq!(claims_audited(&env).await.len(), 20);

    // A day later both are free again.
    env.clock.advance(Duration::from_secs(24 * 60 * 60));
    let done = post_claim(&env, &ana(), Some("192.0.2.99"), "en").await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(has_password(&env, "ana.obrien").await);
}

#[tokio::test]
async fn claims_are_limited_per_address_and_per_number() {
    run_with(
        behind_proxy(),
        claims_are_limited_per_address_and_per_number_body,
    )
    .await;
}

// ------------------------------------------------------------------ what the import keeps

async fn the_import_keeps_numbers_guardians_and_only_a_keyed_hash_body(env: Env) {
    import(&env).await;
    let portal = env.portal();
    let ana = claim::candidates(portal.db(), "12345").await.unwrap();
    assert_eq!(ana.len(), 1, "the number is kept without its spaces");
    let stored = ana[0].birth_date_hmac.clone().expect("a hash is kept");
    // Neither the date nor any plain hash of it.
    assert_eq!(stored.len(), 32);
    for plain in ["2012-01-05", "01/05/2012", "st7\u{0}2012-01-05", "20120105"] {
        assert!(!stored.windows(plain.len()).any(|w| w == plain.as_bytes()));
        assert_ne!(stored, Sha256::digest(plain.as_bytes()).to_vec(), "{plain}");
    }
    // Two people: two different keyed values even for the same kind of date.
    let kim = claim::candidates(portal.db(), "T-77").await.unwrap();
    assert_ne!(kim[0].birth_date_hmac.as_ref(), Some(&stored));
    assert_eq!(
        claim::candidates(portal.db(), "555").await.unwrap()[0].birth_date_hmac,
        None
    );

    // A dump of the SQLite database (file and write-ahead log) holds no date of birth.
    if env.backend == "sqlite" {
        let mut dump = std::fs::read(&env.db_url).unwrap();
        dump.extend(std::fs::read(format!("{}-wal", env.db_url)).unwrap_or_default());
        for date in [
            "2012-01-05",
            "2016-03-03",
            "1980-02-29",
            "2011-07-07",
            "1985-05-05",
        ] {
            assert!(
                !dump.windows(date.len()).any(|w| w == date.as_bytes()),
                "{date}"
            );
            let plain = Sha256::digest(date.as_bytes());
            assert!(!dump.windows(32).any(|w| w == plain.as_slice()), "{date}");
        }
    }

    // Sam, Ana's parent: a guardian, linked to her, with no badge and no teacher pages.
    let sam = portal.user("par1").await.unwrap().unwrap();
    assert_eq!(sam.role, Role::Guardian);
    assert_eq!(guardians_of(&env, "st7").await, ["par1"]);
    assert!(
        portal.issue_badge("par1", None).await.is_err(),
        "no badge for a parent"
    );
    // Leo, grade 4, is in the default badge grades (Ana, grade 7, is not: docs/accounts.md).
    assert!(portal.issue_badge("st4", None).await.is_ok());
    // The school's apps shown to every role are not a parent's.
    portal
        .add_app(&AppRequest {
            name: "Math Lab".into(),
            url: "https://math.example/".into(),
            schools: vec!["m1".into()],
            ..AppRequest::default()
        })
        .await
        .unwrap();
    portal
        .set_password("par1", "a parent's long password")
        .await
        .unwrap();
    let signed_in = env
        .http
        .post(env.url("/login"))
        .form(&[
            ("username", "sam.obrien"),
            ("password", "a parent's long password"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&signed_in).unwrap();
    let teach = env
        .http
        .get(env.url("/teach"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(teach.status(), 403);
    let home = env
        .http
        .get(env.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !home.contains("Math Lab") && !home.contains("/teach"),
        "{home}"
    );
    let ana_cookie = claim_cookie(&env).await;
    let ana_home = env
        .http
        .get(env.url("/"))
        .header("cookie", &ana_cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ana_home.contains("Math Lab"));

    // Imported again without demographics.csv: the hashes stay (the file is optional).
    portal.import_roster(&middle_school(false)).await.unwrap();
    let again = claim::candidates(portal.db(), "12345").await.unwrap();
    assert_eq!(again[0].birth_date_hmac.as_ref(), Some(&stored));
}

async fn claim_cookie(env: &Env) -> String {
    let done = claim(env, &ana()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    done.cookie.unwrap()
}

/// The guardians of `student`, read straight from the database.
async fn guardians_of(env: &Env, student: &str) -> Vec<String> {
    const SQL: &str =
        "SELECT guardian_id FROM guardians WHERE student_id = $1 ORDER BY guardian_id";
    if env.backend == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", env.db_url))
            .await
            .unwrap();
        let ids = sqlx::query_scalar(SQL)
            .bind(student)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        ids
    } else {
        let pool = sqlx::PgPool::connect(&env.db_url).await.unwrap();
        let ids = sqlx::query_scalar(SQL)
            .bind(student)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        ids
    }
}

#[tokio::test]
async fn the_import_keeps_numbers_guardians_and_only_a_keyed_hash() {
    run(the_import_keeps_numbers_guardians_and_only_a_keyed_hash_body).await;
}

/// A roster with a date of birth that is no date, an agent nobody is, or a child's agent who
/// is no parent is refused whole, at its cell and without its values; what the portal holds
/// stays as it was.
async fn bad_roster_files_are_refused_whole_body(env: Env) {
    import(&env).await;
    let stored = |env: &Env| {
        let db = env.portal().db().clone();
        async move { claim::candidates(&db, "12345").await.unwrap()[0].clone() }
    };
    let before = stored(&env).await;
    let cases = [
        (
            USERS.to_owned(),
            "sourcedId,birthDate\nst7,2012-02-30\n",
            "demographics.csv line 2, column 2 (birthDate): not a date written YYYY-MM-DD",
            "2012",
        ),
        (
            USERS.to_owned(),
            "sourcedId,birthDate\nst7,01/05/2012\n",
            "demographics.csv line 2, column 2 (birthDate): not a date written YYYY-MM-DD",
            "01/05",
        ),
        (
            USERS.to_owned(),
            "sourcedId,birthDate\nghost,2012-01-05\n",
            "demographics.csv line 2, column 1 (sourcedId): no active user has this sourcedId",
            "ghost",
        ),
        (
            USERS.replace("12 345,par1,07", "12 345,ghost,07"),
            DEMOGRAPHICS,
            "users.csv line 2, column 9 (agentSourcedIds): no active user has this sourcedId",
            "ghost",
        ),
        (
            USERS.replace("12 345,par1,07", "12 345,tch,07"),
            DEMOGRAPHICS,
            "users.csv line 2, column 9 (agentSourcedIds): a student's agent must be a parent or \
             guardian",
            "Ana",
        ),
    ];
    for (users, demographics, message, value) in cases {
        let err = Roster::from_files(
            ORGS.as_bytes(),
            users.as_bytes(),
            CLASSES.as_bytes(),
            ENROLLMENTS.as_bytes(),
            Some(demographics.as_bytes()),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err, message);
        assert!(!err.contains(value), "{err}");
    }
    let after = stored(&env).await;
    assert_eq!(after.birth_date_hmac, before.birth_date_hmac);
    assert_eq!(guardians_of(&env, "st7").await, ["par1"]);
    assert_eq!(claim(&env, &ana()).await.status, 303);
}

#[tokio::test]
async fn bad_roster_files_are_refused_whole() {
    run(bad_roster_files_are_refused_whole_body).await;
}

// ------------------------------------------------------------------ the key file

/// The key file is made for the first dates of birth, 0600, beside SQLite; once hashes exist a
/// missing file is an error for the import and for `serve`, never replaced by a new one.
#[tokio::test]
async fn the_key_file_is_made_once_and_never_replaced() {
    for backend in backends() {
        let (url, dir) = fresh_database(backend).await;
        let dir = dir.unwrap_or_else(TempDir::new);
        let key_file = if backend == "sqlite" {
            std::path::PathBuf::from(format!("{url}.kek"))
        } else {
            dir.0.join("pg.kek")
        };
        let config = Config {
            key_file: (backend == "postgres").then(|| key_file.clone()),
            ..Config::for_tests()
        };
        let clock = ManualClock::starting_now();
        if backend == "postgres" {
            // PostgreSQL has no file to sit beside: dates of birth need `--key-file`.
            let keyless = Portal::open(
                &url,
                std::sync::Arc::new(clock.clone()),
                Config::for_tests(),
            )
            .await
            .unwrap();
            let err = keyless
                .import_roster(&middle_school(true))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("--key-file"), "{err}");
            assert!(
                claim::candidates(keyless.db(), "12345")
                    .await
                    .unwrap()
                    .is_empty()
            );
            keyless.close().await;
        }
        let portal = Portal::open(&url, std::sync::Arc::new(clock.clone()), config.clone())
            .await
            .unwrap();
        // Without dates of birth no key is needed, and none is made.
        portal.import_roster(&middle_school(false)).await.unwrap();
        assert!(!key_file.exists(), "{backend}");
        portal.import_roster(&middle_school(true)).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{backend}");
        }
        let made = std::fs::read(&key_file).unwrap();
        // Importing again reads the same file.
        portal.import_roster(&middle_school(true)).await.unwrap();
        assert_eq!(std::fs::read(&key_file).unwrap(), made);

        // Lost: the next import with dates is refused and makes no new file...
        std::fs::remove_file(&key_file).unwrap();
        let err = portal
            .import_roster(&middle_school(true))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("which is missing"),
            "{backend}: {err}"
        );
        assert!(!key_file.exists(), "{backend}");
        // ...and so is serving, although no signing key exists yet: the hashes need the file.
        portal.close().await;
        let portal = Portal::open(&url, std::sync::Arc::new(clock.clone()), config.clone())
            .await
            .unwrap();
        let refused = spawn(portal.clone(), "127.0.0.1:0").await.unwrap_err();
        assert!(
            refused.to_string().contains("which is missing"),
            "{backend}: {refused}"
        );
        assert!(!key_file.exists(), "{backend}");

        // Put back, everything works again and a claim checks the dates with it.
        std::fs::write(&key_file, &made).unwrap();
        let running = spawn(portal.clone(), "127.0.0.1:0").await.unwrap();
        let done = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/claim", running.base_url()))
            .form(&ana())
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 303, "{backend}");
        running.stop().await.unwrap();
        portal.close().await;
    }
}
