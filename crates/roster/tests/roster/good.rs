use badgein_roster::{Email, Guardianship, Role, Roster};

use crate::support::{data, good_bytes};

fn good() -> Roster {
    Roster::load(&data("good")).expect("the good roster loads")
}

#[test]
fn tobedeleted_rows_are_dropped_and_the_rest_kept_in_file_order() {
    let roster = good();
    let ids = |v: Vec<&str>| v.join(" ");
    assert_eq!(
        ids(roster.orgs.iter().map(|o| o.sourced_id.as_str()).collect()),
        "dist1 sch1 sch2"
    );
    assert_eq!(
        ids(roster.users.iter().map(|u| u.sourced_id.as_str()).collect()),
        "t1 s1 s2 s3 a1 p1"
    );
    assert_eq!(
        ids(roster
            .classes
            .iter()
            .map(|c| c.sourced_id.as_str())
            .collect()),
        "c1 c2"
    );
    assert_eq!(
        ids(roster
            .enrollments
            .iter()
            .map(|e| e.sourced_id.as_str())
            .collect()),
        "e1 e2 e3 e4"
    );
}

#[test]
fn fields_are_read_by_header_name_with_lists_and_accents() {
    let roster = good();
    let user = |id: &str| roster.users.iter().find(|u| u.sourced_id == id).unwrap();

    let maria = user("s1");
    assert_eq!(
        (maria.given_name.as_str(), maria.family_name.as_str()),
        ("María", "López")
    );
    assert_eq!(maria.username, "maria.lopez");
    assert_eq!(maria.grades, ["KG", "01"]);
    assert_eq!(maria.role, Role::Student);
    assert!(maria.enabled);
    assert_eq!(maria.email, None);

    assert_eq!(user("s2").org_ids, ["sch1", "sch2"]);
    assert!(!user("s3").enabled);
    assert_eq!(user("t1").role, Role::Teacher);
    // Lowercased (the file has `JNunez@Example.ORG`).
    assert_eq!(
        user("t1").email.as_ref().map(Email::as_str),
        Some("jnunez@example.org")
    );
    // `TRUE` as a spreadsheet writes it.
    assert!(user("a1").enabled);
    assert_eq!(user("a1").role, Role::Administrator);
    assert_eq!(user("p1").role, Role::Guardian);
    // Spaces removed, letters uppercased (the file has `S 2 00` and `T-1`).
    assert_eq!(
        user("s2").identifier.as_ref().map(|i| i.as_str()),
        Some("S200")
    );
    assert_eq!(
        user("t1").identifier.as_ref().map(|i| i.as_str()),
        Some("T-1")
    );
    assert_eq!(user("p1").identifier, None);

    let sch2 = &roster.orgs[2];
    assert_eq!(sch2.name, "Roosevelt Elementary, Annex");
    assert_eq!(sch2.org_type, "school");
    // classes.csv starts with a byte-order mark.
    assert_eq!(roster.classes[0].title, "Room 4 - Mrs. Núñez");
    assert_eq!(roster.classes[0].school_id, "sch1");
    let e1 = &roster.enrollments[0];
    assert_eq!(
        (
            e1.class_id.as_str(),
            e1.school_id.as_str(),
            e1.user_id.as_str(),
            e1.role
        ),
        ("c1", "sch1", "t1", Role::Teacher)
    );
}

#[test]
fn birth_dates_and_guardians_are_read() {
    let roster = good();
    let born = |id: &str| {
        roster
            .demographics
            .iter()
            .find(|d| d.user_id == id)
            .map(|d| d.birth_date.canonical())
    };
    assert_eq!(born("s1").as_deref(), Some("2019-01-05"));
    assert_eq!(born("t1").as_deref(), Some("1980-12-31"));
    // s4's row is tobedeleted, and s3 has none.
    assert_eq!((born("s4"), born("s3")), (None, None));
    // María names Sam and Sam names María: one link.
    assert_eq!(
        roster.guardianships,
        [Guardianship {
            student_id: "s1".into(),
            guardian_id: "p1".into()
        }]
    );
    // Never the date itself in a debug print (logs).
    assert!(!format!("{roster:?}").contains("2019"));
}

#[test]
fn readers_and_folder_give_the_same_roster() {
    let [orgs, users, classes, enrollments] = good_bytes();
    let demographics = std::fs::read(data("good").join("demographics.csv")).unwrap();
    let from_bytes = Roster::from_files(
        orgs.as_slice(),
        users.as_slice(),
        classes.as_slice(),
        enrollments.as_slice(),
        Some(demographics.as_slice()),
    )
    .unwrap();
    assert_eq!(from_bytes, good());
    let without = Roster::from_readers(
        orgs.as_slice(),
        users.as_slice(),
        classes.as_slice(),
        enrollments.as_slice(),
    )
    .unwrap();
    assert!(without.demographics.is_empty());
    assert_eq!(without.users, good().users);
}

#[test]
fn column_order_and_case_do_not_matter() {
    let orgs = "TYPE,Name,extra,SOURCEDID\nschool,Lincoln,x,sch1\n";
    let users = "familyName,givenName,username,role,orgSourcedIds,enabledUser,sourcedId\n\
                 Lopez,Maria,ml,student,sch1,true,s1\n";
    let classes = "schoolSourcedId,title,sourcedId\nsch1,Room 4,c1\n";
    let enrollments = "role,userSourcedId,schoolSourcedId,classSourcedId,sourcedId\n\
                       student,s1,sch1,c1,e1\n";
    let roster = Roster::from_readers(
        orgs.as_bytes(),
        users.as_bytes(),
        classes.as_bytes(),
        enrollments.as_bytes(),
    )
    .unwrap();
    assert_eq!(roster.orgs[0].name, "Lincoln");
    assert_eq!(roster.users[0].family_name, "Lopez");
    assert_eq!(roster.enrollments[0].user_id, "s1");
}
