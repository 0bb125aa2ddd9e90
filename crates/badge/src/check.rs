//! The 2-character check over a badge's id and secret.
//!
//! `check = sum((i + 1) * v_i) mod 1021`, over the 34 base32 values `v_i` of the id and secret
//! characters (`i` = 0..34), written as two base32 characters: the high 5 bits, then the low 5.
//! 1021 is the largest prime below 1024, so the value fits the 10 bits of two characters.
//!
//! Why this catches every single misread character and every swap of two neighbours:
//!
//! * Substituting `v_i` by `w != v_i` moves the sum by `(i + 1) * (w - v_i)`. Both factors are
//!   non-zero and smaller than 1021 in absolute value (`i + 1` is 1..=34, `|w - v_i|` is
//!   1..=31), and 1021 is prime, so it divides neither factor and hence not their product:
//!   the sum mod 1021 changes.
//! * Swapping different neighbours `a` (at `i`) and `b` (at `i + 1`) moves the sum by
//!   `(i + 1) * b + (i + 2) * a - (i + 1) * a - (i + 2) * b = a - b`, which is non-zero and
//!   smaller than 1021 in absolute value, so again the sum mod 1021 changes.
//!
//! A misread of a check character itself changes the written value (the 2-character form is
//! one-to-one), so it no longer equals the recomputed value. Misreads of the prefix or of a
//! separator are caught by the fixed layout.
//!
//! This is an error-detecting code for misreads, not an authenticator: anyone can compute it.

use crate::base32;

const MODULUS: u32 = 1021;

/// The check value (0..1021) of the base32 values of the id and secret characters.
pub(crate) fn value(body_values: impl IntoIterator<Item = u8>) -> u16 {
    let sum = body_values
        .into_iter()
        .zip(1u32..)
        .fold(0u32, |acc, (v, weight)| {
            (acc + weight * u32::from(v)) % MODULUS
        });
    // `sum` is below 1021, so it fits.
    sum as u16
}

/// The two characters that write a check value.
pub(crate) fn chars(value: u16) -> [char; 2] {
    [
        base32::char_of((value >> 5) as u8),
        base32::char_of((value & 0x1f) as u8),
    ]
}

/// The check value written by two characters, if both are in the base32 alphabet.
pub(crate) fn read(hi: u8, lo: u8) -> Option<u16> {
    Some((u16::from(base32::value_of(hi)?) << 5) | u16::from(base32::value_of(lo)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_and_read_are_inverse() {
        for v in 0..1024u16 {
            let [hi, lo] = chars(v);
            assert_eq!(read(hi as u8, lo as u8), Some(v));
        }
    }

    #[test]
    fn weights_start_at_one() {
        assert_eq!(value([]), 0);
        assert_eq!(value([5]), 5);
        assert_eq!(value([0, 5]), 10);
        assert_eq!(value([31; 34]), ((31 * 34 * 35 / 2) % 1021) as u16);
    }

    #[test]
    fn every_single_substitution_changes_the_value() {
        let base: Vec<u8> = (0..34u8).map(|i| (i * 7 + 3) % 32).collect();
        let original = value(base.iter().copied());
        for pos in 0..base.len() {
            for w in 0..32u8 {
                if w == base[pos] {
                    continue;
                }
                let mut changed = base.clone();
                changed[pos] = w;
                assert_ne!(value(changed), original, "pos {pos} value {w}");
            }
        }
    }

    #[test]
    fn every_adjacent_swap_of_different_values_changes_the_value() {
        for a in 0..32u8 {
            for b in 0..32u8 {
                if a == b {
                    continue;
                }
                for pos in 0..33 {
                    let mut body = [17u8; 34];
                    body[pos] = a;
                    body[pos + 1] = b;
                    let mut swapped = body;
                    swapped.swap(pos, pos + 1);
                    assert_ne!(value(body), value(swapped));
                }
            }
        }
    }
}
