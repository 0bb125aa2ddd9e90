//! `badgein-portal demo`: a school to try everything with.

use std::path::Path;

use anyhow::Context;

use badgein_sheet::{Layout, SheetEntry};

use crate::{AppRequest, NewUser, Portal, Role};

const STUDENTS: [(&str, &str, &str); 8] = [
    ("Maya", "Garcia", "es"),
    ("Leo", "Chen", "en"),
    ("Ava", "Johnson", "en"),
    ("Mateo", "Hernandez", "es"),
    ("Zoe", "Nguyen", "en"),
    ("Liam", "Okafor", "en"),
    ("Sofia", "Rossi", "es"),
    ("Noah", "Smith", "en"),
];

/// A middle school from a OneRoster export (what a district's import gives): one seventh
/// grader who has not claimed her account yet, with a student number and a date of birth
/// (kept only as a keyed hash), and her mother linked to her, who can claim hers too.
const MIDDLE_SCHOOL: [&str; 5] = [
    "sourcedId,name,type\ndemo-middle,Maple Middle (demo),school\n",
    "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName,identifier,\
     agentSourcedIds,grades,email\n\
     demo-claim-1,true,demo-middle,student,ana.obrien,Ana María,O'Brien-Núñez,70 001,demo-parent-1,07,\n\
     demo-parent-1,true,demo-middle,parent,rosa.nunez,Rosa,Núñez,,,,rosa.nunez@example.org\n",
    "sourcedId,title,schoolSourcedId\ndemo-m7,Grade 7 Homeroom,demo-middle\n",
    "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role\n\
     demo-m7-1,demo-m7,demo-middle,demo-claim-1,student\n",
    "sourcedId,birthDate\ndemo-claim-1,2013-01-05\n",
];

/// Creates the demo school and its badges, gives the demo teacher a fresh password (printed
/// to stderr with the username), imports the middle school whose student can claim her
/// account, and returns an enrollment code.
pub async fn create(portal: &Portal, dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    portal
        .add_school("demo-school", "Maple Elementary (demo)")
        .await?;
    // Run again on the same database, the demo adds no second copy of its tiles.
    let registered: Vec<String> = portal.apps().await?.into_iter().map(|a| a.name).collect();
    for (name, url) in [
        ("Clever", "https://clever.com/"),
        ("Schoology", "https://app.schoology.com/"),
        ("Skyward", "https://www.skyward.com/"),
        (
            "Khan Academy Kids",
            "https://learn.khanacademy.org/khan-academy-kids/",
        ),
    ] {
        if registered.iter().any(|r| r == name) {
            continue;
        }
        let app = AppRequest {
            name: name.into(),
            url: url.into(),
            schools: vec!["demo-school".into()],
            ..AppRequest::default()
        };
        portal.add_app(&app).await?;
    }
    portal
        .add_user(&NewUser {
            id: "demo-teacher".into(),
            school_id: "demo-school".into(),
            role: Role::Teacher,
            username: "teacher".into(),
            given_name: "Kim".into(),
            family_name: "Kowalski".into(),
            locale: "en".into(),
            email: None,
            grade: None,
        })
        .await?;
    // A fresh password per demo, shown once: the demo database is throwaway, but a fixed
    // password in the docs would end up on a school's real portal one day.
    let password = crate::tokens::random_hex(6)?;
    portal.set_password("demo-teacher", &password).await?;
    let mut sheet = Vec::new();
    for (class, title, half) in [
        ("demo-k1", "Kindergarten K1", 0),
        ("demo-g1", "Grade 1 Room 12", 1),
    ] {
        portal.add_class(class, "demo-school", title).await?;
        portal
            .add_to_class(class, "demo-teacher", Role::Teacher)
            .await?;
        for (i, (given, family, locale)) in STUDENTS.iter().enumerate().skip(half * 4).take(4) {
            let id = format!("demo-student-{}", i + 1);
            portal
                .add_user(&NewUser {
                    id: id.clone().into(),
                    school_id: "demo-school".into(),
                    role: Role::Student,
                    username: format!("{}.{}", given.to_lowercase(), family.to_lowercase()),
                    given_name: (*given).into(),
                    family_name: (*family).into(),
                    locale: (*locale).into(),
                    email: None,
                    grade: None,
                })
                .await?;
            portal.add_to_class(class, &id, Role::Student).await?;
            let badge = portal.issue_badge(&id, None).await?;
            let png = dir.join(format!("{id}-{}.png", given.to_lowercase()));
            badge
                .render(8)
                .context("rendering a badge")?
                .save(&png)
                .with_context(|| format!("writing {}", png.display()))?;
            sheet.push(SheetEntry {
                payload: badge.encode(),
                first_name: (*given).into(),
                class_name: title.into(),
                password: None,
            });
        }
    }
    let pdf = dir.join("badges.pdf");
    let bytes = badgein_sheet::render(Layout::Labels, &sheet).context("rendering the sheet")?;
    std::fs::write(&pdf, bytes).with_context(|| format!("writing {}", pdf.display()))?;
    eprintln!(
        "demo school ready; badge pictures and badges.pdf in {}",
        dir.display()
    );
    eprintln!(
        "teacher sign-in: username \"teacher\", password \"{password}\"; \
         the teacher pages (classes, badges, kiosks) are at /teach"
    );
    let [orgs, users, classes, enrollments, demographics] = MIDDLE_SCHOOL.map(str::as_bytes);
    let middle =
        badgein_roster::Roster::from_files(orgs, users, classes, enrollments, Some(demographics))
            .context("the demo middle school's roster")?;
    portal.import_roster(&middle).await?;
    eprintln!(
        "claim an account at /claim: Ana María O'Brien-Núñez, born 01/05/2013, \
         student number 70001 (once; she then signs in as \"ana.obrien\")"
    );
    eprintln!(
        "claim a parent's account at /claim/parent: rosa.nunez@example.org, Ana María's \
         student number 70001 and her date of birth 01/05/2013 (once; Rosa then signs in as \
         \"rosa.nunez\" and lands on My children)"
    );
    Ok(portal.enrollment_code("demo-school").await?)
}
