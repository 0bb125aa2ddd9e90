use std::path::{Path, PathBuf};
use std::sync::Arc;

use badgein_portal::auth::sign_in::PasswordStep;
use badgein_portal::roster::{Changes, ImportSummary};
use badgein_portal::store::{badges, directory};
use badgein_portal::{ClassId, Config, ManualClock, NewUser, Portal, PortalError, Role, SchoolId};
use badgein_roster::Roster;

use crate::harness::{TempDir, backends, fresh_database, with_key_file};

pub fn good_roster_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../roster/tests/data/good")
}

/// The good roster with `users.csv` and `enrollments.csv` rewritten by `edit`.
fn edited_roster(dir: &TempDir, edit: impl Fn(&str, &str) -> String) -> Roster {
    for file in ["orgs.csv", "users.csv", "classes.csv", "enrollments.csv"] {
        let text = std::fs::read_to_string(good_roster_dir().join(file)).unwrap();
        std::fs::write(dir.0.join(file), edit(file, &text)).unwrap();
    }
    Roster::load(&dir.0).unwrap()
}

/// A portal on a fresh database with nothing in it; PostgreSQL gets a key file in a directory
/// of its own (the roster's dates of birth need one).
async fn empty_portal(backend: &str) -> (Portal, Option<TempDir>) {
    let (url, dir) = fresh_database(backend).await;
    let dir = dir.unwrap_or_else(TempDir::new);
    let config = with_key_file(&url, Some(&dir), Config::for_tests());
    let clock = ManualClock::starting_now();
    let portal = Portal::open(&url, Arc::new(clock), config).await.unwrap();
    (portal, Some(dir))
}

/// Users and class lists as the portal sees them.
async fn snapshot(portal: &Portal) -> String {
    let mut out = String::new();
    for id in ["t1", "s1", "s2", "s3", "a1", "p1"] {
        out.push_str(&format!("{:?}\n", portal.user(id).await.unwrap()));
    }
    for class in ["c1", "c2"] {
        out.push_str(&format!(
            "{:?}\n",
            directory::class_students(portal.db(), &ClassId::from(class))
                .await
                .unwrap()
        ));
    }
    out
}

#[tokio::test]
async fn imports_a_roster_idempotently_and_disables_leavers() {
    for backend in backends() {
        let (portal, _dir) = empty_portal(backend).await;
        let roster = Roster::load(&good_roster_dir()).unwrap();
        let first = portal.import_roster(&roster).await.unwrap();
        assert_eq!(
            first,
            ImportSummary {
                schools: 2,
                // p1, María's parent, is kept (a guardian of a school's child).
                users: 5,
                classes: 2,
                memberships: 4,
                // a1 belongs to the district only.
                skipped_users: 1,
                guardianships: 1,
                // s1, s2 and t1 (s4's row is tobedeleted).
                birth_dates: 3,
                changes: Changes {
                    disabled: 1,
                    badges_voided: 0,
                    sessions_ended: 0
                },
            },
            "{backend}"
        );
        let maria = portal.user("s1").await.unwrap().unwrap();
        assert_eq!(
            (maria.given_name.as_str(), maria.school_id.as_str()),
            ("María", "sch1")
        );
        // The roster's address, lowercased (the file has `JNunez@Example.ORG`); none for María.
        assert_eq!(maria.email, None);
        // Her first grade of `"KG,01"`; José's `02`; none for a teacher without grades.
        assert_eq!(maria.grade.as_deref(), Some("K"), "{backend}");
        let jose = portal.user("s2").await.unwrap().unwrap();
        assert_eq!(jose.grade.as_deref(), Some("2"));
        let julia = portal.user("t1").await.unwrap().unwrap();
        assert_eq!(
            julia.email.as_deref(),
            Some("jnunez@example.org"),
            "{backend}"
        );
        assert_eq!(julia.grade, None);
        assert!(
            portal
                .user("s3")
                .await
                .unwrap()
                .unwrap()
                .disabled_at
                .is_some()
        );
        assert_eq!(
            portal.user("p1").await.unwrap().unwrap().role,
            Role::Guardian,
            "{backend}"
        );
        let (title, students) = directory::class_students(portal.db(), &ClassId::from("c1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(title, "Room 4 - Mrs. Núñez");
        // s3 is enrolled but disabled: no badge for them on a sheet.
        let ids: Vec<&str> = students.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["s1"]);

        let maria_badge = portal.issue_badge("s1", None).await.unwrap();
        let jose_badge = portal.issue_badge("s2", None).await.unwrap();
        let before = snapshot(&portal).await;
        let again = portal.import_roster(&roster).await.unwrap();
        assert_eq!(again.changes, Changes::default(), "{backend}");
        assert_eq!(
            snapshot(&portal).await,
            before,
            "{backend}: second import changed things"
        );

        // María leaves the district: disabled, her badge voided; José is untouched.
        let dir = TempDir::new();
        let without_maria = edited_roster(&dir, |file, text| match file {
            "users.csv" | "enrollments.csv" => text
                .lines()
                .filter(|l| !l.starts_with("s1,") && !l.contains(",s1,"))
                .map(|l| format!("{l}\n"))
                .collect(),
            _ => text.to_owned(),
        });
        // Her parent's line named her (`agentSourcedIds`) and went with her: a leaver too.
        let third = portal.import_roster(&without_maria).await.unwrap();
        assert_eq!(
            third.changes,
            Changes {
                disabled: 2,
                badges_voided: 1,
                sessions_ended: 0
            },
            "{backend}"
        );
        assert!(
            portal
                .user("s1")
                .await
                .unwrap()
                .unwrap()
                .disabled_at
                .is_some()
        );
        let voided = |b: &badgein_badge::Badge| {
            let id = b.id().to_string();
            let db = portal.db().clone();
            async move {
                badges::owner(&db, &id)
                    .await
                    .unwrap()
                    .unwrap()
                    .voided_at
                    .is_some()
            }
        };
        assert!(voided(&maria_badge).await);
        assert!(!voided(&jose_badge).await);

        let log = portal.audit_log().await.unwrap();
        let imports: Vec<_> = log.iter().filter(|e| e.action == "roster.import").collect();
        assert_eq!(imports.len(), 3);
        assert!(
            imports[2]
                .detail
                .as_deref()
                .unwrap()
                .contains("2 disabled, 1 badges voided")
        );
        portal.close().await;
    }
}

#[tokio::test]
async fn a_roster_that_fails_midway_leaves_nothing_behind() {
    for backend in backends() {
        let (portal, _dir) = empty_portal(backend).await;
        portal.add_school("other", "Other school").await.unwrap();
        // A user outside the roster already holds the username of the roster's teacher.
        portal
            .add_user(&NewUser {
                id: "other-1".into(),
                school_id: "other".into(),
                role: Role::Teacher,
                username: "JNunez".into(),
                given_name: "J".into(),
                family_name: "N".into(),
                locale: "en".into(),
                email: None,
                grade: None,
            })
            .await
            .unwrap();
        let roster = Roster::load(&good_roster_dir()).unwrap();
        let err = portal.import_roster(&roster).await.unwrap_err();
        assert!(matches!(err, PortalError::Conflict(_)), "{backend}: {err}");
        for id in ["t1", "s1", "s2", "s3"] {
            assert!(portal.user(id).await.unwrap().is_none(), "{backend}: {id}");
        }
        assert!(
            directory::school(portal.db(), &SchoolId::from("sch1"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(portal.audit_log().await.unwrap().is_empty());
        portal.close().await;
    }
}

#[tokio::test]
async fn a_teacher_who_leaves_the_roster_is_disabled_and_signed_out() {
    for backend in backends() {
        let (portal, _dir) = empty_portal(backend).await;
        let roster = Roster::load(&good_roster_dir()).unwrap();
        portal.import_roster(&roster).await.unwrap();
        let password = "a teacher's long password";
        portal.set_password("t1", password).await.unwrap();
        let here = std::net::IpAddr::from([127, 0, 0, 1]);
        let Ok(PasswordStep::SignedIn(signed_in)) = portal
            .sign_in_password_in_browser("jnunez", password, None, here)
            .await
        else {
            panic!("{backend}: the teacher signs in with the password alone");
        };
        let cookie = signed_in.cookie;
        assert!(
            portal.session_by_cookie(&cookie).await.unwrap().is_some(),
            "{backend}: the teacher is signed in"
        );

        let dir = TempDir::new();
        let without_teacher = edited_roster(&dir, |file, text| match file {
            "users.csv" | "enrollments.csv" => text
                .lines()
                .filter(|l| !l.starts_with("t1,") && !l.contains(",t1,"))
                .map(|l| format!("{l}\n"))
                .collect(),
            _ => text.to_owned(),
        });
        let changes = portal
            .import_roster(&without_teacher)
            .await
            .unwrap()
            .changes;
        assert_eq!(changes.disabled, 1, "{backend}");
        let teacher = portal.user("t1").await.unwrap().unwrap();
        assert!(teacher.disabled_at.is_some(), "{backend}");
        assert!(
            portal.session_by_cookie(&cookie).await.unwrap().is_none(),
            "{backend}: the open session ends with the account"
        );
        assert!(
            portal
                .sign_in_password_in_browser("jnunez", password, None, here)
                .await
                .is_err(),
            "{backend}: and the password no longer signs in"
        );
        portal.close().await;
    }
}
