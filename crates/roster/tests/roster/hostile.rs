//! Arbitrary bytes never panic, and whatever is accepted is consistent.

use std::collections::HashSet;

use badgein_roster::Roster;
use proptest::prelude::*;

use crate::support::good_bytes;

/// Every reference in an accepted roster resolves; sourcedIds are unique per file.
fn assert_consistent(roster: &Roster) {
    let orgs: HashSet<&str> = roster.orgs.iter().map(|o| o.sourced_id.as_str()).collect();
    let users: HashSet<&str> = roster.users.iter().map(|u| u.sourced_id.as_str()).collect();
    let classes: HashSet<&str> = roster
        .classes
        .iter()
        .map(|c| c.sourced_id.as_str())
        .collect();
    assert_eq!(orgs.len(), roster.orgs.len());
    assert_eq!(users.len(), roster.users.len());
    assert_eq!(classes.len(), roster.classes.len());
    for user in &roster.users {
        assert!(!user.org_ids.is_empty());
        assert!(user.org_ids.iter().all(|o| orgs.contains(o.as_str())));
    }
    for class in &roster.classes {
        assert!(orgs.contains(class.school_id.as_str()));
    }
    for e in &roster.enrollments {
        assert!(classes.contains(e.class_id.as_str()));
        assert!(users.contains(e.user_id.as_str()));
        assert!(orgs.contains(e.school_id.as_str()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_in_any_file_never_panic(
        which in 0usize..4,
        junk in proptest::collection::vec(any::<u8>(), 0..2000),
    ) {
        let mut files = good_bytes();
        files[which] = junk;
        let [o, u, c, e] = &files;
        if let Ok(roster) = Roster::from_readers(o.as_slice(), u.as_slice(), c.as_slice(), e.as_slice()) {
            assert_consistent(&roster);
        }
    }

    #[test]
    fn damaged_good_files_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut files = good_bytes();
        let file = &mut files[which];
        for (at, byte) in edits {
            let i = at.index(file.len());
            file[i] = byte;
        }
        let keep = cut.index(file.len() + 1);
        file.truncate(keep.max(file.len() / 2));
        let [o, u, c, e] = &files;
        if let Ok(roster) = Roster::from_readers(o.as_slice(), u.as_slice(), c.as_slice(), e.as_slice()) {
            assert_consistent(&roster);
        }
    }
}
