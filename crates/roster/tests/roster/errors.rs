//! One fixture per kind of error: each `tests/data/errors/<case>/` replaces one file of the
//! good roster. The message must point at the file, line and column, and never repeat values.

use badgein_roster::{MAX_FILE_BYTES, Roster, RosterError};

use crate::support::{data, good_bytes, good_copy};

/// Loads the good roster with `case`'s files laid over it.
fn load_case(case: &str) -> RosterError {
    let dir = good_copy(case);
    let overlay = std::fs::read_dir(data("errors").join(case)).expect("case folder");
    for entry in overlay {
        let path = entry.expect("case file").path();
        let name = path.file_name().expect("a file name");
        std::fs::copy(&path, dir.join(name)).expect("copy the case file");
    }
    match Roster::load(&dir) {
        Ok(_) => panic!("{case}: accepted"),
        Err(err) => err,
    }
}

#[track_caller]
fn assert_case(case: &str, message: &str, values_not_shown: &[&str]) {
    let err = load_case(case);
    let shown = err.to_string();
    assert_eq!(shown, message, "{case}");
    for value in values_not_shown {
        assert!(!shown.contains(value), "{case}: {shown}");
    }
}

#[test]
fn missing_required_column() {
    assert_case(
        "missing-column",
        "users.csv: missing required column username",
        &[],
    );
}

#[test]
fn duplicate_column() {
    assert_case(
        "duplicate-column",
        "orgs.csv: columns 3 and 5 are both name",
        &[],
    );
}

#[test]
fn bad_values() {
    assert_case(
        "bad-role",
        "users.csv line 3, column 5 (role): not a OneRoster role",
        &["wizard", "José"],
    );
    assert_case(
        "bad-enabled",
        "users.csv line 2, column 3 (enabledUser): must be true or false",
        &["yes"],
    );
    assert_case(
        "bad-status",
        "enrollments.csv line 3, column 6 (status): must be active or tobedeleted",
        &["deleted,"],
    );
    assert_case(
        "bad-org-type",
        "orgs.csv line 3, column 4 (type): not a OneRoster org type",
        &["campus", "Lincoln"],
    );
    assert_case(
        "bad-email",
        "users.csv line 3, column 9 (email): not an e-mail address (ASCII, one @, at most 254 \
         characters)",
        &["jose@garcia"],
    );
    assert_case(
        "empty-value",
        "classes.csv line 2, column 3 (title): must not be empty",
        &[],
    );
    assert_case(
        "empty-list",
        "users.csv line 2, column 4 (orgSourcedIds): must name at least one org",
        &["María"],
    );
}

#[test]
fn duplicate_sourced_id_even_when_the_second_is_tobedeleted() {
    assert_case(
        "duplicate-id",
        "users.csv line 5, column 1 (sourcedId): sourcedId already used on line 3",
        &["s1,"],
    );
}

#[test]
fn unknown_references() {
    assert_case(
        "unknown-org",
        "users.csv line 3, column 4 (orgSourcedIds): no active org has this sourcedId",
        &["sch9"],
    );
    assert_case(
        "unknown-class",
        "enrollments.csv line 4, column 2 (classSourcedId): no active class has this sourcedId",
        &["c9"],
    );
    // s4 exists in users.csv but is tobedeleted.
    assert_case(
        "unknown-user",
        "enrollments.csv line 2, column 4 (userSourcedId): no active user has this sourcedId",
        &["s4"],
    );
    assert_case(
        "unknown-school",
        "classes.csv line 3, column 4 (schoolSourcedId): no active org has this sourcedId",
        &["sch-old"],
    );
}

#[test]
fn birth_dates_numbers_and_guardians() {
    assert_case(
        "bad-birth-date",
        "demographics.csv line 3, column 2 (birthDate): not a date written YYYY-MM-DD",
        &["02/28", "2018"],
    );
    // s4 is tobedeleted in users.csv.
    assert_case(
        "unknown-demographic",
        "demographics.csv line 3, column 1 (sourcedId): no active user has this sourcedId",
        &["s4", "2018"],
    );
    assert_case(
        "unknown-agent",
        "users.csv line 3, column 16 (agentSourcedIds): no active user has this sourcedId",
        &["p9", "María"],
    );
    assert_case(
        "agent-not-guardian",
        "users.csv line 3, column 16 (agentSourcedIds): a student's agent must be a parent or \
         guardian",
        &["t1", "María"],
    );
    assert_case(
        "child-not-student",
        "users.csv line 8, column 16 (agentSourcedIds): a parent's or guardian's agent must be a \
         student",
        &["a1", "Sam"],
    );
    assert_case(
        "bad-identifier",
        "users.csv line 2, column 12 (identifier): not a student or staff number (visible ASCII, \
         at most 64 characters)",
        &["Tñ", "Julia"],
    );
}

#[test]
fn not_utf8() {
    assert_case("not-utf8", "users.csv line 3: not valid UTF-8 text", &[]);
}

#[test]
fn unequal_field_count() {
    assert_case(
        "unequal-fields",
        "orgs.csv line 3: 3 fields where the header row has 4",
        &["Lincoln"],
    );
}

#[test]
fn empty_file() {
    assert_case(
        "empty-file",
        "classes.csv: empty, a header row is needed",
        &[],
    );
}

#[test]
fn missing_file() {
    let dir = good_copy("missing-file");
    std::fs::remove_file(dir.join("enrollments.csv")).unwrap();
    let err = Roster::load(&dir).unwrap_err();
    assert!(
        matches!(
            err,
            RosterError::MissingFile {
                file: "enrollments.csv"
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "enrollments.csv: file not found");
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it_all() {
    let [orgs, _, classes, enrollments] = good_bytes();
    // An endless reader: only the limit plus one byte may be read from it.
    let huge = std::io::Read::take(std::io::repeat(b'a'), u64::MAX);
    let err = Roster::from_readers(
        orgs.as_slice(),
        huge,
        classes.as_slice(),
        enrollments.as_slice(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            RosterError::TooLarge {
                file: "users.csv",
                limit: MAX_FILE_BYTES
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_file_at_the_size_limit_is_read() {
    let [orgs, users, classes, enrollments] = good_bytes();
    // Pad users.csv with blank lines, which CSV readers skip, up to exactly the limit.
    let mut padded = users;
    padded.resize(usize::try_from(MAX_FILE_BYTES).unwrap(), b'\n');
    let roster = Roster::from_readers(
        orgs.as_slice(),
        padded.as_slice(),
        classes.as_slice(),
        enrollments.as_slice(),
    )
    .unwrap();
    assert_eq!(roster.users.len(), 6);
}

#[test]
fn lines_are_counted_as_an_editor_shows_them_with_crlf_and_multi_line_fields() {
    let [orgs, _, classes, enrollments] = good_bytes();
    let users = "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName\r\n\
                 t1,true,sch1,teacher,jnunez,\"Julia\r\nMaría\",Núñez\r\n\
                 s1,true,sch1,student,maria.lopez,María,López\r\n\
                 s2,maybe,sch1,student,jose.garcia,José,García\r\n";
    let err = Roster::from_readers(
        orgs.as_slice(),
        users.as_bytes(),
        classes.as_slice(),
        enrollments.as_slice(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "users.csv line 5, column 2 (enabledUser): must be true or false"
    );
}
