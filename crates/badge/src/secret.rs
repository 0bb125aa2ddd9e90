use std::fmt;
use std::hint::black_box;

use zeroize::Zeroize;

/// A badge's 128-bit secret.
///
/// Deliberately has no `Display` and a redacting `Debug`, so that it cannot end up in a log
/// by accident; [`expose_bytes`](Self::expose_bytes) is the one, greppable, way to get at it.
/// `==` compares in constant time (it is [`ct_eq`](Self::ct_eq)). The bytes are wiped from
/// memory when the value is dropped, which is also why it is `Clone` but not `Copy`.
#[derive(Clone)]
pub struct BadgeSecret([u8; 16]);

impl BadgeSecret {
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw secret, e.g. to hash it for storage. Keep the result out of logs.
    pub const fn expose_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Compares two secrets in time that does not depend on where they differ, so that a
    /// verifier using it leaks nothing about how much of a guessed secret was right.
    pub fn ct_eq(&self, other: &Self) -> bool {
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        // Keeps the optimiser from turning the fold into an early-exit comparison.
        black_box(diff) == 0
    }
}

impl PartialEq for BadgeSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for BadgeSecret {}

impl fmt::Debug for BadgeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BadgeSecret(<redacted>)")
    }
}

impl Drop for BadgeSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = BadgeSecret::from_bytes([0xab; 16]);
        assert_eq!(format!("{s:?}"), "BadgeSecret(<redacted>)");
        assert_eq!(format!("{s:#?}"), "BadgeSecret(<redacted>)");
    }

    #[test]
    fn ct_eq_compares_every_byte() {
        let a = BadgeSecret::from_bytes([7; 16]);
        assert!(a.ct_eq(&a.clone()));
        for i in 0..16 {
            for bit in 0..8 {
                let mut bytes = [7; 16];
                bytes[i] ^= 1 << bit;
                let b = BadgeSecret::from_bytes(bytes);
                assert!(!a.ct_eq(&b));
                assert_ne!(a, b);
            }
        }
    }
}
