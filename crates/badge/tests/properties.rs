//! Round trips over arbitrary badges, and the randomness of generated ones.

use std::collections::HashSet;

use badgein_badge::{Badge, BadgeError, BadgeId, ENCODED_LEN};
use proptest::prelude::*;

/// Positions the check covers: the id (4..12), the secret (13..39) and the two check
/// characters themselves; the prefix and the separators are checked by the layout instead.
fn checked(at: usize) -> bool {
    (4..12).contains(&at) || (13..39).contains(&at) || (40..42).contains(&at)
}

fn in_alphabet(c: u8) -> bool {
    c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)
}

proptest! {
    #[test]
    fn any_badge_round_trips(id in any::<[u8; 5]>(), secret in any::<[u8; 16]>()) {
        let badge = Badge::from_parts(id, secret);
        let text = badge.encode();
        prop_assert_eq!(text.len(), ENCODED_LEN);
        prop_assert!(text.starts_with("BI1-"));
        prop_assert!(text[4..].bytes().all(|c| c.is_ascii_uppercase() || b"234567-".contains(&c)));
        let parsed = Badge::parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&badge));
        let parsed = parsed.expect("checked above");
        prop_assert_eq!(*parsed.id().as_bytes(), id);
        prop_assert_eq!(*parsed.secret().expose_bytes(), secret);
    }

    #[test]
    fn any_id_round_trips(id in any::<[u8; 5]>()) {
        let id = BadgeId::from_bytes(id);
        prop_assert_eq!(BadgeId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn parse_never_panics_and_accepts_only_canonical_text(input in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(badge) = Badge::parse_bytes(&input) {
            let text = badge.encode();
            prop_assert_eq!(text.as_bytes(), &input[..]);
        }
    }

    /// Every single-character misread and every swap of two neighbours of a real badge is
    /// refused; where the characters stay in the alphabet at a checked position, it is the
    /// check that refuses it (`CheckFailed`), not luck elsewhere in the layout. A swap of two
    /// equal neighbours is no change and reads as the same badge.
    #[test]
    fn every_misread_and_neighbour_swap_of_a_badge_is_refused(
        id in any::<[u8; 5]>(),
        secret in any::<[u8; 16]>(),
    ) {
        let badge = Badge::from_parts(id, secret);
        let text = badge.encode().into_bytes();
        prop_assert_eq!(Badge::parse_bytes(&text), Ok(badge.clone()));

        for at in 0..text.len() {
            for c in (0x20u8..0x7f).chain([0x00, 0xff]) {
                if c == text[at] {
                    continue;
                }
                let mut misread = text.clone();
                misread[at] = c;
                let parsed = Badge::parse_bytes(&misread);
                if checked(at) && in_alphabet(c) {
                    prop_assert_eq!(parsed, Err(BadgeError::CheckFailed), "{:?} at {}", c as char, at);
                } else {
                    prop_assert!(parsed.is_err(), "{:?} at {}", c as char, at);
                }
            }
        }

        for at in 0..text.len() - 1 {
            let mut swapped = text.clone();
            swapped.swap(at, at + 1);
            let parsed = Badge::parse_bytes(&swapped);
            if swapped == text {
                prop_assert_eq!(parsed.as_ref(), Ok(&badge), "equal neighbours at {}", at);
            } else if checked(at) && checked(at + 1) {
                prop_assert_eq!(parsed, Err(BadgeError::CheckFailed), "swap at {}", at);
            } else {
                prop_assert!(parsed.is_err(), "swap at {}", at);
            }
        }
    }
}

#[test]
fn generated_badges_parse() {
    for _ in 0..100 {
        let badge = Badge::generate().expect("OS random source");
        assert_eq!(Badge::parse(&badge.encode()), Ok(badge));
    }
}

#[test]
fn generated_badges_differ() {
    let a = Badge::generate().expect("OS random source");
    let b = Badge::generate().expect("OS random source");
    assert_ne!(a, b);
    assert_ne!(a.id(), b.id());
    assert_ne!(a.secret(), b.secret());
}

#[test]
fn generated_secrets_and_ids_are_not_repeated() {
    let mut secrets = HashSet::new();
    let mut ids = HashSet::new();
    for _ in 0..100 {
        let badge = Badge::generate().expect("OS random source");
        secrets.insert(*badge.secret().expose_bytes());
        ids.insert(badge.id());
    }
    // 128 random bits: a repeat in 100 draws means the source is broken, not unlucky. For
    // 40-bit ids the chance of a repeat is about 5e-9.
    assert_eq!(secrets.len(), 100);
    assert_eq!(ids.len(), 100);
    // The spare bits of the last secret character are zero; everything else should vary.
    let all_bytes: HashSet<u8> = secrets.iter().flatten().copied().collect();
    assert!(
        all_bytes.len() > 200,
        "{} distinct byte values",
        all_bytes.len()
    );
}
