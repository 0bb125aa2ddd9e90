//! The `badgein-portal` binary: values alone on stdout, messages on stderr, clear failures.

use std::process::Command;
use std::sync::Arc;

use badgein_portal::{Config, ManualClock, Portal, spawn};
use badgein_proto::SignIn;
use badgein_scanner::{Frame, scan};

use crate::harness::{READ_EVERY_CODE, TempDir, portal_cli, problem_code};
use crate::roster::good_roster_dir;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn values_go_alone_to_stdout_and_messages_to_stderr() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let demo_dir = dir.0.join("demo");
    let demo = portal_cli(&db, &["demo", "--dir", demo_dir.to_str().unwrap()]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let code = text(&demo.stdout);
    assert_eq!(
        code.lines().count(),
        1,
        "only the enrollment code: {code:?}"
    );
    assert!(!code.trim().is_empty() && !code.contains(' '));
    assert!(text(&demo.stderr).contains("demo school ready"));
    let pngs = std::fs::read_dir(&demo_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(pngs, 8);
    assert!(
        std::fs::read(demo_dir.join("badges.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );

    let issue = portal_cli(&db, &["badge", "issue", "--user", "demo-student-1"]);
    assert!(issue.status.success(), "{}", text(&issue.stderr));
    let payload = text(&issue.stdout);
    assert_eq!(payload.lines().count(), 1);
    badgein_badge::Badge::parse(payload.trim()).unwrap();
    assert!(
        !text(&issue.stderr).contains(payload.trim()),
        "the secret only once, on stdout"
    );

    let void = portal_cli(&db, &["badge", "void", "--class", "demo-k1"]);
    assert!(void.status.success());
    assert!(void.stdout.is_empty());
    assert!(text(&void.stderr).contains("voided 4 badge(s)"));
}

#[test]
fn bad_arguments_fail_clearly() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let missing = portal_cli(&db, &["badge", "issue"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty());
    assert!(text(&missing.stderr).contains("--user"));

    let layout = portal_cli(
        &db,
        &[
            "badge", "sheet", "--class", "c", "--out", "x.pdf", "--layout", "poster",
        ],
    );
    assert_eq!(layout.status.code(), Some(2));
    assert!(text(&layout.stderr).contains("poster"));

    let nobody = portal_cli(&db, &["badge", "issue", "--user", "nobody"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(nobody.stdout.is_empty());
    assert!(text(&nobody.stderr).starts_with("error: not found: user nobody"));
}

#[test]
fn imports_a_roster_and_refuses_a_bad_one() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let good = portal_cli(
        &db,
        &["roster", "import", good_roster_dir().to_str().unwrap()],
    );
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert!(good.stdout.is_empty());
    let said = text(&good.stderr);
    assert!(
        said.contains("imported 2 school(s), 5 user(s), 2 class(es)"),
        "{said}"
    );
    assert!(
        said.contains("1 guardian link(s), 3 date(s) of birth (kept hashed)"),
        "{said}"
    );
    // The dates of birth needed the key file: made beside the database, the owner's alone.
    let key_file = dir.0.join("portal.db.kek");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(key_file.exists());

    // The good roster with one enrollment pointing at a user who is not in it.
    let bad = TempDir::new();
    for file in ["orgs.csv", "users.csv", "classes.csv"] {
        std::fs::copy(good_roster_dir().join(file), bad.0.join(file)).unwrap();
    }
    std::fs::write(
        bad.0.join("enrollments.csv"),
        "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role\ne1,c1,sch1,ghost,student\n",
    )
    .unwrap();
    let refused = portal_cli(&db, &["roster", "import", bad.0.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(refused.stdout.is_empty());
    let message = text(&refused.stderr);
    assert!(message.contains("nothing imported"), "{message}");
    assert!(
        message.contains("enrollments.csv line 2, column 4 (userSourcedId)"),
        "{message}"
    );
    assert!(
        !message.contains("ghost"),
        "no roster values in messages: {message}"
    );

    // A date of birth that is not one: refused at its cell, the value never repeated.
    let bad_date = TempDir::new();
    for file in ["orgs.csv", "users.csv", "classes.csv", "enrollments.csv"] {
        std::fs::copy(good_roster_dir().join(file), bad_date.0.join(file)).unwrap();
    }
    std::fs::write(
        bad_date.0.join("demographics.csv"),
        "sourcedId,birthDate\ns1,2019-02-30\n",
    )
    .unwrap();
    let refused = portal_cli(&db, &["roster", "import", bad_date.0.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let message = text(&refused.stderr);
    assert!(
        message.contains(
            "demographics.csv line 2, column 2 (birthDate): not a date written YYYY-MM-DD"
        ),
        "{message}"
    );
    assert!(!message.contains("2019"), "{message}");

    let gone = portal_cli(
        &db,
        &["roster", "import", dir.0.join("nope").to_str().unwrap()],
    );
    assert_eq!(gone.status.code(), Some(2));
    assert!(text(&gone.stderr).contains("orgs.csv: file not found"));
}

/// Every QR code of a printed sheet decodes and signs in; the badges it replaced do not.
#[tokio::test(flavor = "multi_thread")]
async fn a_printed_sheet_signs_in_and_replaces_old_badges() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let demo_dir = dir.0.join("demo");
    assert!(
        portal_cli(&db, &["demo", "--dir", demo_dir.to_str().unwrap()])
            .status
            .success()
    );
    let old = image::open(demo_dir.join("demo-student-1-maya.png")).unwrap();
    let old_payload = decode(&old.into_luma8()).pop().unwrap();

    let pdf = dir.0.join("sheet.pdf");
    let sheet = portal_cli(
        &db,
        &[
            "badge",
            "sheet",
            "--class",
            "demo-k1",
            "--out",
            pdf.to_str().unwrap(),
            "--layout",
            "cards",
        ],
    );
    assert!(sheet.status.success(), "{}", text(&sheet.stderr));
    assert!(sheet.stdout.is_empty(), "the payloads are only on paper");
    assert!(text(&sheet.stderr).contains("4 new badge(s)"));

    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png"])
        .arg(&pdf)
        .arg(dir.0.join("page"))
        .status()
        .expect("pdftoppm (Debian poppler-utils) is installed");
    assert!(status.success());
    let mut pages: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("page"))
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 4, "one card per student");
    let payloads: Vec<String> = pages
        .iter()
        .map(|p| {
            let mut found = decode(&image::open(p).unwrap().into_luma8());
            assert_eq!(found.len(), 1, "{}", p.display());
            found.pop().unwrap()
        })
        .collect();

    let portal = Portal::open(
        db.to_str().unwrap(),
        Arc::new(ManualClock::starting_now()),
        Config::for_tests(),
    )
    .await
    .unwrap();
    let code = portal.enrollment_code("demo-school").await.unwrap();
    let running = spawn(portal, "127.0.0.1:0").await.unwrap();
    let http = reqwest::Client::new();
    let enrolled: badgein_proto::Enrolled = http
        .post(format!("{}/api/v1/kiosks/enroll", running.base_url()))
        .json(&serde_json::json!({"code": code, "name": "hall"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sign_in = |badge: String| {
        http.post(format!("{}/api/v1/sign-ins/badge", running.base_url()))
            .bearer_auth(&enrolled.device_credential)
            .json(&serde_json::json!({ "badge": badge }))
            .send()
    };
    let mut names = Vec::new();
    for payload in payloads {
        let r = sign_in(payload).await.unwrap();
        assert_eq!(r.status(), 200);
        names.push(r.json::<SignIn>().await.unwrap().user.first_name);
    }
    names.sort();
    assert_eq!(names, ["Ava", "Leo", "Mateo", "Maya"]);
    let r = sign_in(old_payload).await.unwrap();
    assert_eq!(problem_code(r).await, (401, "badge_voided".into()));
}

fn decode(picture: &image::GrayImage) -> Vec<String> {
    let frame = Frame::from_image(&image::DynamicImage::ImageLuma8(picture.clone()));
    scan(&frame, &READ_EVERY_CODE)
        .codes
        .into_iter()
        .map(|c| c.text)
        .collect()
}
