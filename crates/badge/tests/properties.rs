//! Round trips over arbitrary badges, and the randomness of generated ones.

use std::collections::HashSet;

use badgein_badge::{Badge, BadgeId, ENCODED_LEN};
use proptest::prelude::*;

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

    #[test]
    fn badge_shaped_noise_is_canonical_when_accepted(body in "BI1-[A-Z2-7]{8}-[A-Z2-7]{26}-[A-Z2-7]{2}") {
        if let Ok(badge) = Badge::parse(&body) {
            prop_assert_eq!(badge.encode(), body);
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
