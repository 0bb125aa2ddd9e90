//! RFC 4648 base32 without padding, restricted to the canonical uppercase form.
//!
//! Hand-written rather than taken from a crate because the badge needs the strict reading:
//! uppercase only, no padding, and unused trailing bits required to be zero, so that every
//! byte string has exactly one text form.

/// Every character here is also in the QR alphanumeric set, which keeps the QR code small.
pub(crate) const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Why some text is not the canonical base32 form of `N` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base32Error {
    Length,
    Alphabet,
    /// The unused low bits of the last character are not zero.
    NonCanonical,
}

/// Number of characters that encode `n_bytes` bytes.
pub(crate) const fn encoded_len(n_bytes: usize) -> usize {
    (n_bytes * 8).div_ceil(5)
}

/// The 5-bit value of one character, or `None` for anything outside the alphabet
/// (lowercase, `0`, `1`, `8`, `9`, `=`, control characters, non-ASCII bytes).
pub(crate) const fn value_of(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'2'..=b'7' => Some(c - b'2' + 26),
        _ => None,
    }
}

/// The character for a 5-bit value; only the low 5 bits of `v` are used.
pub(crate) const fn char_of(v: u8) -> char {
    ALPHABET[(v & 0x1f) as usize] as char
}

/// Appends the base32 form of `bytes`; the last character's unused low bits are zero.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char_of((acc >> bits) as u8));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char_of((acc << (5 - bits)) as u8));
    }
}

/// Decodes exactly `N` bytes from their canonical base32 form.
pub(crate) fn decode<const N: usize>(text: &[u8]) -> Result<[u8; N], Base32Error> {
    if text.len() != encoded_len(N) {
        return Err(Base32Error::Length);
    }
    let mut out = [0u8; N];
    let mut filled = 0;
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    for &c in text {
        let v = value_of(c).ok_or(Base32Error::Alphabet)?;
        acc = (acc << 5) | u16::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            // The length check above makes this slot exist; `get_mut` keeps hostile input
            // from ever reaching a panic should that reasoning be wrong.
            *out.get_mut(filled).ok_or(Base32Error::Length)? = (acc >> bits) as u8;
            filled += 1;
            acc &= (1 << bits) - 1;
        }
    }
    // Non-zero spare bits would give a second spelling of the same bytes.
    if acc != 0 {
        return Err(Base32Error::NonCanonical);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        let mut s = String::new();
        encode_into(bytes, &mut s);
        s
    }

    #[test]
    fn rfc4648_vectors_without_padding() {
        // RFC 4648 section 10, with the `=` padding stripped.
        assert_eq!(encode(b""), "");
        assert_eq!(encode(b"f"), "MY");
        assert_eq!(encode(b"fo"), "MZXQ");
        assert_eq!(encode(b"foo"), "MZXW6");
        assert_eq!(encode(b"foob"), "MZXW6YQ");
        assert_eq!(encode(b"fooba"), "MZXW6YTB");
        assert_eq!(encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(decode::<6>(b"MZXW6YTBOI"), Ok(*b"foobar"));
        assert_eq!(decode::<5>(b"MZXW6YTB"), Ok(*b"fooba"));
    }

    #[test]
    fn lengths_of_badge_fields() {
        assert_eq!(encoded_len(5), 8);
        assert_eq!(encoded_len(16), 26);
    }

    #[test]
    fn alphabet_matches_value_of() {
        for (i, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(value_of(c), Some(i as u8));
        }
        let inside = (0..=255u8).filter(|&c| value_of(c).is_some()).count();
        assert_eq!(inside, 32);
    }

    #[test]
    fn rejects_non_canonical_trailing_bits() {
        // "foobar" ends in "OI"; "OJ" differs only in the spare bits.
        assert_eq!(decode::<6>(b"MZXW6YTBOJ"), Err(Base32Error::NonCanonical));
        let secret = encode(&[0xff; 16]);
        assert!(secret.ends_with('4'), "{secret}"); // 0b111_00: 3 data bits, 2 zero bits
        for spare in ["5", "6", "7"] {
            let bad = format!("{}{spare}", &secret[..25]);
            assert_eq!(decode::<16>(bad.as_bytes()), Err(Base32Error::NonCanonical));
        }
    }

    #[test]
    fn rejects_wrong_length_and_alphabet() {
        assert_eq!(decode::<5>(b"AAAAAAA"), Err(Base32Error::Length));
        assert_eq!(decode::<5>(b"AAAAAAAAA"), Err(Base32Error::Length));
        assert_eq!(decode::<5>(b"AAAAAAAa"), Err(Base32Error::Alphabet));
        assert_eq!(decode::<5>(b"AAAAAAA0"), Err(Base32Error::Alphabet));
        assert_eq!(decode::<5>(b"AAAAAAA="), Err(Base32Error::Alphabet));
        assert_eq!(decode::<5>(b"AAAAAAA\0"), Err(Base32Error::Alphabet));
    }
}
