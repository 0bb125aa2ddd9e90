//! The temporary password a delegate's reset gives a student who may change their password:
//! shown once to the delegate, changed by the student at the next sign-in.

use crate::error::{PortalError, Result};

/// No `i`, `l`, `o`, `0` or `1`: read aloud or copied from a screen without a mix-up.
const ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";
const LEN: usize = 12;

/// `xxxx-xxxx-xxxx` from the OS random source: 12 characters of 31, about 59 bits (it lives
/// until the student's next sign-in, which must replace it).
pub fn temporary() -> Result<String> {
    let mut out = String::with_capacity(LEN + 2);
    let mut drawn = 0;
    while drawn < LEN {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(PortalError::Random)?;
        // 248 = 8 x 31: bytes above it are dropped, so every character is equally likely.
        for b in buf.into_iter().filter(|b| *b < 248) {
            if drawn == LEN {
                break;
            }
            if drawn > 0 && drawn % 4 == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(b % 31)]));
            drawn += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn twelve_unconfusable_characters_in_three_groups() {
        let a = super::temporary().unwrap();
        assert_eq!(a.len(), 14);
        assert_eq!(a.matches('-').count(), 2);
        assert!(!a.contains(['i', 'l', 'o', '0', '1']));
        assert_ne!(a, super::temporary().unwrap());
    }
}
