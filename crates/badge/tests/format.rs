//! The BI1 text form: frozen vectors, misread detection and everything that must be refused.

use badgein_badge::{Badge, BadgeError, BadgeId, ENCODED_LEN, MAX_INPUT_LEN};

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Frozen: (id bytes, secret bytes, text form). Computed once with an independent
/// implementation (Python's `base64.b32encode` and the weighted sum), and the all-0xFF check
/// by hand: 31 * (1 + ... + 33) + 28 * 34 = 18343 = 17 * 1021 + 986, 986 = 30 * 32 + 26 -> "62".
const GOLDEN: &[([u8; 5], [u8; 16], &str)] = &[
    (
        [0; 5],
        [0; 16],
        "BI1-AAAAAAAA-AAAAAAAAAAAAAAAAAAAAAAAAAA-AA",
    ),
    (
        [0xff; 5],
        [0xff; 16],
        "BI1-77777777-77777777777777777777777774-62",
    ),
    (
        [1, 2, 3, 4, 5],
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        "BI1-AEBAGBAF-AAAQEAYEAUDAOCAJBIFQYDIOB4-45",
    ),
    (
        [0xde, 0xad, 0xbe, 0xef, 0x42],
        [0x5a; 16],
        "BI1-32W3532C-LJNFUWS2LJNFUWS2LJNFUWS2LI-DW",
    ),
];

fn golden_badges() -> impl Iterator<Item = (Badge, &'static str)> {
    GOLDEN
        .iter()
        .map(|&(id, secret, text)| (Badge::from_parts(id, secret), text))
}

/// Badges for the exhaustive misread tests: the golden ones and a few arbitrary ones.
fn sample_badges() -> Vec<Badge> {
    let mut state: u32 = 0x9e37_79b9;
    let mut next = move || {
        // xorshift32: arbitrary but reproducible bytes.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state.to_le_bytes()[0]
    };
    let mut badges: Vec<Badge> = golden_badges().map(|(b, _)| b).collect();
    for _ in 0..4 {
        let id = std::array::from_fn(|_| next());
        let secret = std::array::from_fn(|_| next());
        badges.push(Badge::from_parts(id, secret));
    }
    badges
}

/// The check, written again from the format description, to build test inputs.
fn check_chars(body: &[u8]) -> [u8; 2] {
    let sum: usize = body
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1) * ALPHABET.iter().position(|a| a == c).expect("base32 char"))
        .sum();
    let v = sum % 1021;
    [ALPHABET[v >> 5], ALPHABET[v & 31]]
}

fn is_body_position(i: usize) -> bool {
    (4..12).contains(&i) || (13..39).contains(&i)
}

#[test]
fn golden_vectors_encode() {
    for (badge, text) in golden_badges() {
        assert_eq!(badge.encode(), text);
        assert_eq!(badge.to_string(), text);
        assert_eq!(text.len(), ENCODED_LEN);
    }
}

#[test]
fn golden_vectors_parse() {
    for (badge, text) in golden_badges() {
        let parsed = Badge::parse(text).expect(text);
        assert_eq!(parsed, badge);
        assert_eq!(parsed.id(), badge.id());
        assert_eq!(
            parsed.secret().expose_bytes(),
            badge.secret().expose_bytes()
        );
        assert_eq!(text.parse::<Badge>(), Ok(badge.clone()));
        assert_eq!(Badge::parse_bytes(text.as_bytes()), Ok(badge));
    }
}

#[test]
fn golden_ids() {
    let ids: Vec<String> = golden_badges().map(|(b, _)| b.id().to_string()).collect();
    assert_eq!(ids, ["AAAAAAAA", "77777777", "AEBAGBAF", "32W3532C"]);
    assert_eq!(
        BadgeId::parse("32W3532C").map(|id| *id.as_bytes()),
        Ok([0xde, 0xad, 0xbe, 0xef, 0x42])
    );
}

#[test]
fn check_helper_agrees_with_golden_vectors() {
    for (_, text) in golden_badges() {
        let t = text.as_bytes();
        let body: Vec<u8> = t[4..12].iter().chain(&t[13..39]).copied().collect();
        assert_eq!(check_chars(&body), [t[40], t[41]], "{text}");
    }
}

#[test]
fn every_single_byte_substitution_is_rejected() {
    for badge in sample_badges() {
        let text = badge.encode().into_bytes();
        for pos in 0..text.len() {
            for replacement in 0..=255u8 {
                if replacement == text[pos] {
                    continue;
                }
                let mut misread = text.clone();
                misread[pos] = replacement;
                let result = Badge::parse_bytes(&misread);
                assert!(
                    result.is_err(),
                    "pos {pos} byte {replacement:#04x} accepted"
                );
                if is_body_position(pos) && ALPHABET.contains(&replacement) {
                    assert_eq!(result, Err(BadgeError::CheckFailed), "pos {pos}");
                }
            }
        }
    }
}

#[test]
fn every_adjacent_transposition_is_rejected() {
    for badge in sample_badges() {
        let text = badge.encode().into_bytes();
        for pos in 0..text.len() - 1 {
            if text[pos] == text[pos + 1] {
                continue;
            }
            let mut swapped = text.clone();
            swapped.swap(pos, pos + 1);
            let result = Badge::parse_bytes(&swapped);
            assert!(result.is_err(), "swap at {pos} accepted");
            if is_body_position(pos) && is_body_position(pos + 1) {
                assert_eq!(result, Err(BadgeError::CheckFailed), "swap at {pos}");
            }
        }
    }
}

fn valid() -> String {
    GOLDEN[2].2.to_owned()
}

#[test]
fn rejects_urls_html_and_other_text() {
    let not_badges = [
        format!("https://evil.example/?{}", valid()),
        "https://evil.example/?BI1-".to_owned(),
        "javascript:alert(1)".to_owned(),
        "<script>alert(1)</script>".to_owned(),
        "<img src=x onerror=alert(1)>".to_owned(),
        String::new(),
        "BI1".to_owned(),
        "Hello, world".to_owned(),
        "0123456789".to_owned(),
        valid().to_lowercase(),
        format!(" {}", valid()),
        format!("\n{}", valid()),
        valid().replacen("BI1-", "BI2-", 1),
        valid().replacen("BI1-", "BI0-", 1),
        valid().replacen("BI1-", "BI1_", 1),
        valid().replacen("BI1-", "BI10-", 1),
        valid().replacen("BI1-", "bi1-", 1),
        valid().replacen("BI1-", "BI1:", 1),
        valid()[4..].to_owned(),
    ];
    for input in &not_badges {
        assert_eq!(Badge::parse(input), Err(BadgeError::NotABadge), "{input:?}");
    }
}

#[test]
fn rejects_long_input_before_anything_else() {
    let huge = "A".repeat(2900);
    assert_eq!(Badge::parse(&huge), Err(BadgeError::TooLong { len: 2900 }));
    let huge_badge_like = format!("{}{}", valid(), "A".repeat(2900 - ENCODED_LEN));
    assert_eq!(
        Badge::parse(&huge_badge_like),
        Err(BadgeError::TooLong { len: 2900 })
    );
    let huge_bytes = vec![0xffu8; 2900];
    assert_eq!(
        Badge::parse_bytes(&huge_bytes),
        Err(BadgeError::TooLong { len: 2900 })
    );

    let just_over = format!("{}{}", valid(), " ".repeat(MAX_INPUT_LEN + 1 - ENCODED_LEN));
    assert_eq!(
        Badge::parse(&just_over),
        Err(BadgeError::TooLong {
            len: MAX_INPUT_LEN + 1
        })
    );
    let at_limit = &just_over[..MAX_INPUT_LEN];
    assert!(matches!(
        Badge::parse(at_limit),
        Err(BadgeError::Malformed(_))
    ));
}

#[test]
fn rejects_malformed_badges() {
    let v = valid();
    let malformed = [
        format!("{v}\n"),
        format!("{v}\r\n"),
        format!("{v} "),
        format!("{v}\0"),
        format!("{v}A"),
        v[..41].to_owned(),
        "BI1-".to_owned(),
        format!("BI1-{}", v[4..].to_lowercase()),
        v.replace('A', "a"),
        v.replacen('E', "\0", 1),
        v.replacen('E', "\t", 1),
        v.replacen('E', "\u{1b}", 1),
        v.replacen('E', "\u{7f}", 1),
        v.replacen('E', " ", 1),
        v.replacen('E', "0", 1),
        v.replacen('E', "1", 1),
        v.replacen('E', "8", 1),
        v.replacen('E', "=", 1),
        // Same length, a non-ASCII character in place of two ASCII ones.
        v.replacen("AE", "\u{c4}", 1),
        // Separators shifted, dropped or replaced.
        v.replacen("-AEBAGBAF-", "-AEBAGBA-F", 1),
        v.replacen("-AEBAGBAF-", "-AEBAGBAFA", 1),
        v.replacen("-45", "4-5", 1),
        v.replacen("-45", "_45", 1),
        v.replacen("-45", ":45", 1),
        v.replacen("F-", "F ", 1),
        format!("BI1-{}", v[4..].replace('-', "")),
    ];
    for input in &malformed {
        assert!(
            matches!(Badge::parse(input), Err(BadgeError::Malformed(_))),
            "{input:?} -> {:?}",
            Badge::parse(input)
        );
    }
}

#[test]
fn rejects_non_utf8_bytes() {
    assert_eq!(
        Badge::parse_bytes(b"\xff\xfe\x00BI1-"),
        Err(BadgeError::NotABadge)
    );
    assert_eq!(Badge::parse_bytes(&[0x80; 42]), Err(BadgeError::NotABadge));
    let mut bytes = valid().into_bytes();
    bytes[20] = 0xff;
    assert!(matches!(
        Badge::parse_bytes(&bytes),
        Err(BadgeError::Malformed(_))
    ));
    bytes[20] = 0xc3; // a lone UTF-8 lead byte
    assert!(matches!(
        Badge::parse_bytes(&bytes),
        Err(BadgeError::Malformed(_))
    ));
}

#[test]
fn rejects_non_canonical_secret_even_with_a_matching_check() {
    // The all-0xFF secret ends in '4' (0b11100); '5', '6' and '7' set the spare bits.
    let v = GOLDEN[1].2;
    for spare in [b'5', b'6', b'7'] {
        let mut text = v.as_bytes().to_vec();
        text[38] = spare;
        let body: Vec<u8> = text[4..12].iter().chain(&text[13..39]).copied().collect();
        let [hi, lo] = check_chars(&body);
        text[40] = hi;
        text[41] = lo;
        assert_eq!(
            Badge::parse_bytes(&text),
            Err(BadgeError::Malformed("non-canonical secret encoding")),
            "{}",
            String::from_utf8_lossy(&text)
        );
    }
}

#[test]
fn error_messages_do_not_echo_the_input() {
    let v = valid();
    let secret_part = &v[13..39];
    let mut misread = v.clone().into_bytes();
    misread[20] = if misread[20] == b'A' { b'B' } else { b'A' };
    let inputs: Vec<Vec<u8>> = vec![
        misread,
        format!("{v}\n").into_bytes(),
        format!("https://evil.example/?{v}").into_bytes(),
        format!("{v}{v}").into_bytes(),
        v.to_lowercase().into_bytes(),
    ];
    for input in inputs {
        let err = Badge::parse_bytes(&input).expect_err("rejected");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(secret_part), "{shown}");
        assert!(!shown.to_uppercase().contains(&secret_part[..8]), "{shown}");
    }
}

#[test]
fn error_kinds_are_distinct() {
    let kinds = [
        Badge::parse("nope").expect_err("e"),
        Badge::parse(&"A".repeat(100)).expect_err("e"),
        Badge::parse("BI1-").expect_err("e"),
        Badge::parse(&valid().replace("-45", "-46")).expect_err("e"),
    ];
    assert!(matches!(kinds[0], BadgeError::NotABadge));
    assert!(matches!(kinds[1], BadgeError::TooLong { len: 100 }));
    assert!(matches!(kinds[2], BadgeError::Malformed(_)));
    assert!(matches!(kinds[3], BadgeError::CheckFailed));
}
