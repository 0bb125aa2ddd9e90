//! Recovery codes: what a member of staff types instead of an authenticator code when the
//! phone is lost. Ten per enrollment, each single use, shown once and stored only as SHA-256.
//!
//! Each is 140 random bits (a secret, so at least 128, as every secret here), shown as 28
//! lowercase base32 letters in seven groups of four (`abcd-efgh-ijkl-mnop-qrst-uvwx-yz23`), the
//! groups for typing from paper. Beyond guessing online (every wrong try counts towards the
//! lockout) and offline (2^140 SHA-256 per code from a database copy), so a fast hash suffices,
//! as for the other random tokens (`crate::tokens`).

use data_encoding::BASE32_NOPAD;

use crate::error::PortalError;

/// Codes made at each enrollment.
pub const COUNT: usize = 10;
/// Random bytes drawn: 144 bits, of which the first 28 base32 letters keep 140.
const BYTES: usize = 18;
const LETTERS: usize = 28;

/// `COUNT` new codes, as shown (with dashes).
pub fn generate() -> Result<Vec<String>, PortalError> {
    (0..COUNT)
        .map(|_| {
            let mut bytes = [0u8; BYTES];
            getrandom::fill(&mut bytes).map_err(PortalError::Random)?;
            let letters = BASE32_NOPAD.encode(&bytes).to_ascii_lowercase();
            let groups: Vec<&str> = (0..LETTERS)
                .step_by(4)
                .filter_map(|i| letters.get(i..i + 4))
                .collect();
            Ok(groups.join("-"))
        })
        .collect()
}

/// A code as it is compared and hashed: lowercase base32, no dashes or spaces; `None` when the
/// input cannot be one.
pub fn normalise(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let base32 = |c: char| c.is_ascii_lowercase() || ('2'..='7').contains(&c);
    (code.len() == LETTERS && code.chars().all(base32)).then_some(code)
}

/// What is stored for a code.
pub fn digest(normalised: &str) -> Vec<u8> {
    crate::tokens::digest(normalised.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_that_read_back() {
        let codes = generate().unwrap();
        assert_eq!(codes.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 34, "{code}");
            let n = normalise(code).unwrap();
            assert_eq!(normalise(&code.to_uppercase()), Some(n));
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
    }

    #[test]
    fn anything_else_is_not_a_code() {
        for bad in [
            "",
            "abcd-efgh",
            "abcd-efgh-ijkl-mnop",
            "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-a",
            "abcd-efgh-ijkl-mnop-qrst-uvwx-yz21",
            "ábcd-efgh-ijkl-mnop-qrst-uvwx-yz23",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
