//! Names to WinAnsi bytes, the encoding the built-in Helvetica understands.
//!
//! Names are data, typed by whoever filled in the roster: they may hold accents (María, José,
//! Zoë, decomposed or not), other scripts, emoji, control characters or megabytes of junk.
//! Everything WinAnsi can show prints as itself; invisible formatting is dropped; whitespace
//! becomes single spaces; anything else prints as `?`, so a name never breaks the page and the
//! teacher still sees that something was there.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters of input looked at. A name or class longer than this cannot fit on a badge at a
/// readable size anyway; the cap keeps hostile input from costing more than a normal name.
const MAX_INPUT_CHARS: usize = 200;

/// What an unprintable character becomes.
const REPLACEMENT: u8 = b'?';

/// The WinAnsi (Windows-1252) codes 0x80..=0x9F that are not Latin-1.
const SPECIALS: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// The ellipsis that marks a cut name.
pub const ELLIPSIS: u8 = 0x85;

/// `text` as WinAnsi bytes, on one line, trimmed.
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pending_space = false;
    for c in text.chars().take(MAX_INPUT_CHARS).nfc() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_combining_mark(c) || is_invisible(c) {
            continue;
        }
        if pending_space {
            out.push(b' ');
            pending_space = false;
        }
        out.push(byte_for(c));
    }
    out
}

fn byte_for(c: char) -> u8 {
    match u32::from(c) {
        0x20..=0x7E | 0xA1..=0xFF => u8::try_from(u32::from(c)).unwrap_or(REPLACEMENT),
        _ => SPECIALS
            .iter()
            .find(|(special, _)| *special == c)
            .map_or(REPLACEMENT, |&(_, byte)| byte),
    }
}

/// Formatting characters with no glyph of their own: direction marks and embeddings, zero-width
/// spaces and joiners, the soft hyphen, the byte-order mark, variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2069
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xE0100..=0xE01EF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_names_print_as_themselves() {
        assert_eq!(encode("María"), b"Mar\xEDa");
        assert_eq!(encode("José"), b"Jos\xE9");
        assert_eq!(encode("Zoë Œlla"), b"Zo\xEB \x8Clla");
    }

    #[test]
    fn decomposed_accents_are_composed() {
        assert_eq!(encode("Jose\u{301}"), b"Jos\xE9");
        // No precomposed form exists: the mark is dropped, not shown as '?'.
        assert_eq!(encode("q\u{301}"), b"q");
    }

    #[test]
    fn other_scripts_and_emoji_become_question_marks() {
        assert_eq!(encode("مريم"), b"????");
        assert_eq!(encode("Ana 🦄"), b"Ana ?");
        assert_eq!(encode("李"), b"?");
    }

    #[test]
    fn whitespace_and_controls_fold_to_single_spaces() {
        assert_eq!(encode("  Ana\n\t Lu\u{0}ca \r"), b"Ana Lu ca");
        assert_eq!(encode("\u{202E}Ana\u{200D}"), b"Ana");
        assert_eq!(encode(""), b"");
    }

    #[test]
    fn pdf_delimiters_are_plain_bytes_here() {
        // Escaping is the PDF writer's job; this layer keeps them as they are.
        assert_eq!(encode(r"(a)\b"), br"(a)\b");
    }

    #[test]
    fn long_input_is_capped() {
        let long = "x".repeat(1_000_000);
        assert_eq!(encode(&long).len(), MAX_INPUT_CHARS);
    }
}
