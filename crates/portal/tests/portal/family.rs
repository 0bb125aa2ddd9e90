//! Parents and guardians (issue 11, item 9) over real HTTP: claiming a parent's account with
//! their email or number, the child's number and the child's date of birth (each bad input,
//! one answer for every mismatch, claimed once); "My children" shows exactly the linked
//! children and whether their badge works; "Badge lost" voids the badge at once (the kiosk then
//! refuses it, its session ends), audited with the guardian's id, only for their own child and
//! only from this session's form; a guardian's tiles are the guardian apps; a guardian never
//! reaches the teacher pages or a kiosk.

use badgein_portal::{AppRequest, NewUser, Role};
use badgein_proto::SignIn;
use badgein_roster::Roster;

use badgein_portal::Config;
use badgein_portal::config::IpNet;

use crate::harness::{Env, get, open, problem_code, run, run_with, session_cookie};

const PASSWORD: &str = "purple otter dances";

/// Maple Middle: Sam (parent of Ana and Ben, by email and number), Rae (guardian of Cy, by
/// email only), Lone (a parent with no child linked), Kim (a teacher); Ana is in two classes.
const ORGS: &str = "sourcedId,name,type\nm1,Maple Middle,school\n";
const USERS: &str = "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName,\
identifier,email,agentSourcedIds,grades\n\
st1,true,m1,student,ana.ruiz,Ana,Ruiz,12 345,,par1,03\n\
st2,true,m1,student,ben.ruiz,Ben,Ruiz,22222,,par1,01\n\
st3,true,m1,student,cy.vega,Cy,Vega,33333,,par2,02\n\
par1,true,m1,parent,sam.ruiz,Sam,Ruiz,P-1,Sam.Ruiz@Example.org,,\n\
par2,true,m1,guardian,rae.vega,Rae,Vega,G-2,rae@example.org,,\n\
par3,true,m1,parent,lone.parent,Lone,Parent,P-3,lone@example.org,,\n\
tch,true,m1,teacher,kim.lee,Kim,Lee,T-77,kim@example.org,,\n";
const CLASSES: &str =
    "sourcedId,title,schoolSourcedId\nc3,Room 3,m1\nart,Art Club,m1\nc1,Room 1,m1\nc2,Room 2,m1\n";
const ENROLLMENTS: &str = "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role\n\
e1,c3,m1,st1,student\ne2,art,m1,st1,student\ne3,c1,m1,st2,student\ne4,c2,m1,st3,student\n\
e5,c3,m1,tch,teacher\n";
const DEMOGRAPHICS: &str = "sourcedId,birthDate\nst1,2016-01-05\nst2,2018-02-02\n\
st3,2017-03-03\npar1,1985-05-05\ntch,1980-02-29\n";

async fn import(env: &Env) {
    let roster = Roster::from_files(
        ORGS.as_bytes(),
        USERS.as_bytes(),
        CLASSES.as_bytes(),
        ENROLLMENTS.as_bytes(),
        Some(DEMOGRAPHICS.as_bytes()),
    )
    .unwrap();
    env.portal().import_roster(&roster).await.unwrap();
}

type Form = Vec<(&'static str, String)>;

fn form(account: &str, number: &str, date: &str) -> Form {
    [
        ("account", account),
        ("child_number", number),
        ("child_birth_date", date),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
    ]
    .map(|(k, v)| (k, v.to_owned()))
    .to_vec()
}

/// Sam's answers as a parent might type them: the address in other case, spaces in the number.
fn sam() -> Form {
    form(" SAM.RUIZ@example.ORG ", "1 2 3 4 5", "01/05/2016")
}

struct Answer {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

impl Answer {
    fn alert(&self) -> Option<String> {
        let start = self.body.find(r#"role="alert""#)?;
        let text = &self.body[start..];
        let open = text.find('>')? + 1;
        let close = text.find("</p>")?;
        Some(text[open..close].to_owned())
    }
}

async fn claim(env: &Env, form: &[(&'static str, String)]) -> Answer {
    let r = env
        .http
        .post(env.url("/claim/parent"))
        .form(form)
        .send()
        .await
        .unwrap();
    Answer {
        status: r.status().as_u16(),
        location: r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned()),
        cookie: session_cookie(&r),
        body: r.text().await.unwrap(),
    }
}

async fn claimed(env: &Env, form: &[(&'static str, String)]) -> String {
    let done = claim(env, form).await;
    assert_eq!(done.status, 303, "{}: {}", env.backend, done.body);
    assert_eq!(done.location.as_deref(), Some("/family"));
    done.cookie.expect("signed in at once")
}

async fn has_password(env: &Env, id: &str) -> bool {
    let username = env.portal().user(id).await.unwrap().unwrap().username;
    badgein_portal::store::directory::user_for_login(env.portal().db(), &username)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .is_some()
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

/// `My children` and the CSRF token of its forms.
async fn family(env: &Env, cookie: &str) -> (String, String) {
    let r = get(env, cookie, "/family").await;
    assert_eq!(r.status(), 200, "{}", env.backend);
    let html = r.text().await.unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    (html, token)
}

async fn badge_lost(
    env: &Env,
    cookie: &str,
    child: &str,
    form: &[(&str, &str)],
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = env
        .http
        .post(env.url(&format!("/family/children/{child}/badge-lost")))
        .header("cookie", cookie)
        .form(form);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

async fn audited(env: &Env, action: &str) -> Vec<(String, Option<String>, Option<String>)> {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| (e.result, e.user_id.map(|u| u.as_str().to_owned()), e.detail))
        .collect()
}

const NO_MATCH: &str = "No parent account waiting to be claimed matches these answers. Check each one; if they are right, ask the school office (an account is claimed only once).";

// ------------------------------------------------------------------ claim

async fn a_parent_claims_and_sees_exactly_their_children_body(env: Env) {
    import(&env).await;
    for page in ["/login", "/claim"] {
        let html = env.http.get(env.url(page)).send().await.unwrap();
        assert!(
            html.text()
                .await
                .unwrap()
                .contains(r#"href="/claim/parent""#),
            "{page}"
        );
    }
    assert_eq!(
        env.http
            .get(env.url("/claim/parent"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    env.portal().issue_badge("st1", None).await.unwrap();

    let cookie = claimed(&env, &sam()).await;
    assert!(has_password(&env, "par1").await);
    // The dashboard is "My children" for a parent.
    let home = get(&env, &cookie, "/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/family");
    let (html, _) = family(&env, &cookie).await;
    assert!(
        html.contains("Ana Ruiz") && html.contains("Ben Ruiz"),
        "{html}"
    );
    assert!(html.contains("Class: Art Club, Room 3"), "{html}");
    assert!(html.contains("Class: Room 1"), "{html}");
    assert!(
        !html.contains("Cy") && !html.contains("Room 2"),
        "only their children"
    );
    assert_eq!(html.matches("Badge works").count(), 1, "Ana's");
    assert_eq!(html.matches("No working badge").count(), 1, "Ben's");
    assert_eq!(
        html.matches("badge-lost\"").count(),
        1,
        "a button for the working badge"
    );
    // Nothing else about the children: no number, no date of birth, no grade.
    for secret in ["12345", "22222", "2016", "01/05", "ana.ruiz", "Grade"] {
        assert!(!html.contains(secret), "{secret}");
    }
    assert!(
        html.contains("sam.ruiz"),
        "the username to sign in with next time"
    );
    // The password works at the login page from now on.
    let again = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "sam.ruiz"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    let claims = audited(&env, "account.claim").await;
    assert_eq!(claims.len(), 1);
    assert_eq!(
        (claims[0].0.as_str(), claims[0].1.as_deref()),
        ("ok", Some("par1"))
    );
    for e in env.portal().audit_log().await.unwrap() {
        let detail = e.detail.unwrap_or_default();
        for secret in ["2016", "12345", "Sam.Ruiz", "sam.ruiz@", PASSWORD] {
            assert!(!detail.contains(secret), "{detail}");
        }
    }

    // Claimed once: the same answers again get the one answer.
    let second = claim(&env, &sam()).await;
    assert_eq!(second.status, 400);
    assert_eq!(
        second.alert().as_deref(),
        Some(html_escaped(NO_MATCH).as_str())
    );

    // A guardian by number (case and spaces as typed), in Spanish.
    let r = env
        .http
        .post(env.url("/claim/parent"))
        .header("accept-language", "es")
        .form(&form("g-2", "33333", "03/03/2017"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let rae = session_cookie(&r).unwrap();
    let (html, _) = family(&env, &rae).await;
    assert!(html.contains("Cy Vega") && !html.contains("Ruiz"));
}

#[tokio::test]
async fn a_parent_claims_and_sees_exactly_their_children() {
    run(a_parent_claims_and_sees_exactly_their_children_body).await;
}

async fn each_bad_parent_claim_is_refused_and_changes_nothing_body(env: Env) {
    import(&env).await;
    let no_match = html_escaped(NO_MATCH);
    // Every mismatch: one answer, the form kept (never the passwords).
    for (why, bad) in [
        (
            "another child's number",
            form("sam.ruiz@example.org", "33333", "01/05/2016"),
        ),
        (
            "a number nobody has",
            form("sam.ruiz@example.org", "99999", "01/05/2016"),
        ),
        (
            "the wrong date",
            form("sam.ruiz@example.org", "12345", "01/06/2016"),
        ),
        (
            "a child not linked to this parent",
            form("rae@example.org", "12345", "01/05/2016"),
        ),
        (
            "the parent's own date",
            form("sam.ruiz@example.org", "12345", "05/05/1985"),
        ),
        (
            "another address",
            form("someone@example.org", "12345", "01/05/2016"),
        ),
        (
            "a teacher is no parent",
            form("T-77", "12345", "01/05/2016"),
        ),
        (
            "a student is no parent",
            form("12345", "12345", "01/05/2016"),
        ),
    ] {
        let answer = claim(&env, &bad).await;
        assert_eq!(answer.status, 400, "{why}");
        assert_eq!(answer.alert().as_deref(), Some(no_match.as_str()), "{why}");
        assert!(
            answer.body.contains(&format!("value=\"{}\"", bad[1].1)),
            "{why}: kept"
        );
        assert!(!answer.body.contains(PASSWORD), "{why}: no password back");
    }
    // Each input's own sentence.
    let date_format = "Type the date as MM/DD/YYYY, for example 01/05/2012";
    for (why, bad, text) in [
        (
            "ISO date",
            form("sam.ruiz@example.org", "12345", "2016-01-05"),
            date_format,
        ),
        (
            "no leading zeros",
            form("sam.ruiz@example.org", "12345", "1/5/2016"),
            date_format,
        ),
        (
            "no such day",
            form("sam.ruiz@example.org", "12345", "02/30/2016"),
            "There is no such date. The month comes first, then the day: type the date as MM/DD/YYYY, for example 01/05/2012",
        ),
        (
            "no account",
            form("   ", "12345", "01/05/2016"),
            "Type your email address or your parent number.",
        ),
        (
            "no child number",
            form("sam.ruiz@example.org", " ", "01/05/2016"),
            "Type your child's student number.",
        ),
    ] {
        let answer = claim(&env, &bad).await;
        assert_eq!(answer.status, 400, "{why}");
        assert_eq!(answer.alert().as_deref(), Some(text), "{why}");
        assert!(answer.body.contains("aria-invalid=\"true\""), "{why}");
    }
    let mut differ = sam();
    differ[4].1 = "purple otter dance".into();
    let answer = claim(&env, &differ).await;
    assert_eq!(
        answer.alert().as_deref(),
        Some("The two passwords are not the same. Type your new password twice.")
    );
    // Spanish.
    let r = env
        .http
        .post(env.url("/claim/parent"))
        .header("accept-language", "es")
        .form(&form("sam.ruiz@example.org", "12345", "2016-01-05"))
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Escribe la fecha como MM/DD/AAAA")
    );
    // A cross-site post.
    let r = env
        .http
        .post(env.url("/claim/parent"))
        .header("origin", "https://evil.example")
        .form(&sam())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    for id in ["par1", "par2", "par3"] {
        assert!(!has_password(&env, id).await, "{id}: nothing changed");
    }
    // Mismatches audited (the child the number named), the form's own refusals not.
    let claims = audited(&env, "account.claim").await;
    assert_eq!(claims.len(), 8, "{claims:?}");
    assert!(claims.iter().all(|(result, _, _)| result == "no_match"));
    assert_eq!(claims[0].1.as_deref(), Some("st3"));
    assert_eq!(claims[1].1.as_deref(), None, "a number nobody has");
}

#[tokio::test]
async fn each_bad_parent_claim_is_refused_and_changes_nothing() {
    run(each_bad_parent_claim_is_refused_and_changes_nothing_body).await;
}

// ------------------------------------------------------------------ badge lost

async fn kiosk_session(env: &Env, credential: &str, badge: &str) -> SignIn {
    let r = env.badge_sign_in(credential, badge).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn badge_lost_voids_the_badge_and_ends_its_session_body(env: Env) {
    import(&env).await;
    let kiosk = env.enroll("m1", "Room 3").await.device_credential;
    let ana = env
        .portal()
        .issue_badge("st1", None)
        .await
        .unwrap()
        .encode();
    let cy = env
        .portal()
        .issue_badge("st3", None)
        .await
        .unwrap()
        .encode();
    let signed_in = kiosk_session(&env, &kiosk, &ana).await;
    let ana_cookie = open(&env, &signed_in.launch_url).await.unwrap();
    assert_eq!(get(&env, &ana_cookie, "/").await.status(), 200);

    let cookie = claimed(&env, &sam()).await;
    let (_, token) = family(&env, &cookie).await;
    assert_eq!(token.len(), 64);

    // Refused, nothing changed: no token, a wrong token, another origin, another child,
    // someone who is nobody's child.
    let long = "9".repeat(2000);
    let refusals = [
        ("st1", vec![], None, "out of date"),
        ("st1", vec![("csrf", "0".repeat(64))], None, "out of date"),
        (
            "st1",
            vec![("csrf", token.clone())],
            Some("https://evil.example"),
            "out of date",
        ),
        ("st3", vec![("csrf", token.clone())], None, "not linked"),
        ("nobody", vec![("csrf", token.clone())], None, "not linked"),
        ("par1", vec![("csrf", token.clone())], None, "not linked"),
        (
            "st3%2F..%2Fst1",
            vec![("csrf", token.clone())],
            None,
            "not linked",
        ),
        (
            long.as_str(),
            vec![("csrf", token.clone())],
            None,
            "not linked",
        ),
    ];
    for (child, form, origin, text) in &refusals {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = badge_lost(&env, &cookie, child, &form, *origin).await;
        assert_eq!(r.status(), 403, "{child} {origin:?}");
        assert!(r.text().await.unwrap().contains(text), "{child}");
    }
    // Cy's badge still works at the kiosk (kiosk_session asserts 200).
    kiosk_session(&env, &kiosk, &cy).await;
    assert_eq!(
        get(&env, &ana_cookie, "/").await.status(),
        200,
        "Ana still signed in"
    );
    let refused = audited(&env, "badge.void").await;
    assert_eq!(refused.len(), refusals.len());
    assert!(
        refused
            .iter()
            .all(|(result, user, _)| result != "ok" && user.as_deref() == Some("par1")),
        "{refused:?}"
    );

    // The parent's button: voided at once, the session it gave ended.
    let r = badge_lost(&env, &cookie, "st1", &[("csrf", &token)], None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/family?lost=st1");
    let r = get(&env, &cookie, "/family?lost=st1").await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&html_escaped(
            "Ana's badge no longer works. Ask the school for a new one."
        )),
        "{html}"
    );
    assert_eq!(html.matches("No working badge").count(), 2);
    let (status, code) = problem_code(env.badge_sign_in(&kiosk, &ana).await).await;
    assert_eq!((status, code.as_str()), (401, "badge_voided"));
    assert_eq!(
        get(&env, &ana_cookie, "/").await.status(),
        303,
        "session ended"
    );
    let voided = audited(&env, "badge.void").await;
    let last = voided.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_deref(), last.2.as_deref()),
        (
            "ok",
            Some("par1"),
            Some("by guardian: student st1: 1; ended 1 sessions")
        )
    );
    // A confirmation never names a child who is not theirs, nor a badge that works.
    env.portal().issue_badge("st2", None).await.unwrap();
    let r = get(&env, &cookie, "/family?lost=st2").await;
    assert!(!r.text().await.unwrap().contains("no longer works"));
    let r = get(&env, &cookie, "/family?lost=st3").await;
    assert!(!r.text().await.unwrap().contains("Cy"));
}

#[tokio::test]
async fn badge_lost_voids_the_badge_and_ends_its_session() {
    run(badge_lost_voids_the_badge_and_ends_its_session_body).await;
}

// ------------------------------------------------------------------ what a parent reaches

fn app(name: &str, roles: &[Role]) -> AppRequest {
    AppRequest {
        name: name.into(),
        url: format!("https://{}.example/", name.to_lowercase().replace(' ', "-")),
        schools: vec!["m1".into()],
        roles: roles.to_vec(),
        ..AppRequest::default()
    }
}

async fn a_parent_gets_the_parent_apps_and_nothing_of_staff_body(env: Env) {
    import(&env).await;
    for (name, roles) in [
        ("Family Access", vec![Role::Guardian]),
        ("Reading", vec![]),
        ("Gradebook", vec![Role::Teacher]),
    ] {
        env.portal().add_app(&app(name, &roles)).await.unwrap();
    }
    let cookie = claimed(&env, &sam()).await;
    let (html, _) = family(&env, &cookie).await;
    assert!(html.contains("Family Access"));
    assert!(
        !html.contains("Reading") && !html.contains("Gradebook"),
        "{html}"
    );
    // A student never sees the parents' app, nor "My children".
    env.portal().set_password("st1", PASSWORD).await.unwrap();
    let student = crate::harness::login(&env, "ana.ruiz", PASSWORD).await;
    let home = get(&env, &student, "/").await.text().await.unwrap();
    assert!(home.contains("Reading") && !home.contains("Family Access"));
    assert_eq!(get(&env, &student, "/family").await.status(), 403);

    // Never the teacher pages.
    for path in [
        "/teach",
        "/teach/classes/c3",
        "/teach/kiosks",
        "/teach/apps",
    ] {
        assert_eq!(get(&env, &cookie, path).await.status(), 403, "{path}");
    }
    let r = env
        .http
        .post(env.url("/teach/classes/c3/students/st1/void"))
        .header("cookie", &cookie)
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Never a badge, never a kiosk.
    assert!(env.portal().issue_badge("par1", None).await.is_err());
    let kiosk = env.enroll("m1", "Room 3").await.device_credential;
    let (status, code) =
        problem_code(env.password_sign_in(&kiosk, "sam.ruiz", PASSWORD).await).await;
    assert_eq!((status, code.as_str()), (403, "wrong_school"));
    // Signed out: the login page, and back here after.
    let r = env.http.get(env.url("/family")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Ffamily");

    // A new password, and the way back to My children from its answer.
    let r = env
        .http
        .post(env.url("/account/password"))
        .header("cookie", &cookie)
        .form(&[("current", PASSWORD), ("new", "a new purple otter")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains(r#"href="/family""#));

    // A parent with no child linked is told so.
    env.portal().set_password("par3", PASSWORD).await.unwrap();
    let lone = crate::harness::login(&env, "lone.parent", PASSWORD).await;
    let (html, token) = family(&env, &lone).await;
    assert!(html.contains("No children are linked to your account; ask the school office."));
    assert!(token.is_empty(), "no button");

    // A parent added by hand (not from a roster) is a parent too.
    env.portal()
        .add_user(&NewUser {
            id: "par9".into(),
            school_id: "m1".into(),
            role: Role::Guardian,
            username: "pat.nine".into(),
            given_name: "Pat".into(),
            family_name: "Nine".into(),
            locale: "es".into(),
            email: None,
            grade: None,
        })
        .await
        .unwrap();
    env.portal().set_password("par9", PASSWORD).await.unwrap();
    let pat = crate::harness::login(&env, "pat.nine", PASSWORD).await;
    let (html, _) = family(&env, &pat).await;
    assert!(html.contains("No hay hijos vinculados a tu cuenta"));
}

#[tokio::test]
async fn a_parent_gets_the_parent_apps_and_nothing_of_staff() {
    run(a_parent_gets_the_parent_apps_and_nothing_of_staff_body).await;
}

// ------------------------------------------------------------------ limits

async fn a_childs_number_gets_ten_claims_a_day_through_both_doors_body(env: Env) {
    import(&env).await;
    // Five wrong dates for Ana's number at the parents' door, five at the students', each from
    // another address: the number's day is used up, and the right answers are refused too.
    for n in 0..10 {
        let date = format!("02/{:02}/2016", n + 1);
        let (path, form): (&str, Vec<(&str, String)>) = if n % 2 == 0 {
            (
                "/claim/parent",
                form("sam.ruiz@example.org", "12345", &date),
            )
        } else {
            let student = [
                ("first_name", "Ana"),
                ("last_name", "Ruiz"),
                ("birth_date", date.as_str()),
                ("number", "12345"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ];
            ("/claim", student.map(|(k, v)| (k, v.to_owned())).to_vec())
        };
        let r = env
            .http
            .post(env.url(path))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "try {n}");
    }
    let r = env
        .http
        .post(env.url("/claim/parent"))
        .header("x-forwarded-for", "192.0.2.99")
        .form(&sam())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(!has_password(&env, "par1").await);
}

#[tokio::test]
async fn a_childs_number_gets_ten_claims_a_day_through_both_doors() {
    let config = Config {
        trusted_proxies: vec!["127.0.0.1/32".parse::<IpNet>().unwrap()],
        ..Config::for_tests()
    };
    run_with(
        config,
        a_childs_number_gets_ten_claims_a_day_through_both_doors_body,
    )
    .await;
}
