//! What a new password must be, after NIST SP 800-63B (section 5.1.1.2, memorized secrets):
//! at least 8 characters (counted as characters, not bytes: `contraseña1` is 11), at most
//! [`MAX_CHARS`], any characters at all (no composition rules: they make passwords harder to
//! remember and no harder to guess), and not one of the passwords people choose most, which
//! attackers try first.
//!
//! The list (`common_passwords.txt`, 10,000 lines, lowercase) is the first 10,000 passwords of
//! 8 or more characters in the `passwords` frequency list of zxcvbn 4.4.2 (MIT, © Dropbox;
//! itself from leaked-password corpora), in frequency order. It ships inside the binary: no
//! network, no lookup a third party could log. Compared case-insensitively, so `Password1`
//! is as refused as `password1`.
//!
//! Pure: no I/O, no clock. The claim page and the password change both call [`check`].

use std::collections::HashSet;
use std::sync::LazyLock;

use super::password::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};

/// The longest new password taken, in characters. SP 800-63B asks that at least 64 be
/// allowed; 128 characters of up to 4 bytes stay below [`MAX_PASSWORD_LEN`].
pub const MAX_CHARS: usize = 128;
const _: () = assert!(MAX_CHARS * 4 <= MAX_PASSWORD_LEN);

/// Why a new password is refused; each has its own sentence on the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_PASSWORD_LEN`] characters.
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    TooLong,
    /// On the list of common and breached passwords.
    Common,
}

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());

/// Whether `password` may be chosen as a new password.
pub fn check(password: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if COMMON.contains(password.to_lowercase().as_str()) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{MAX_CHARS, PasswordProblem, check};

    #[test]
    fn length_counts_characters_and_composition_is_free() {
        assert_eq!(check("short7!"), Err(PasswordProblem::TooShort));
        assert_eq!(check(""), Err(PasswordProblem::TooShort));
        // Seven characters, fourteen bytes: still too short.
        assert_eq!(check("ñañañañ"), Err(PasswordProblem::TooShort));
        assert_eq!(check("ñañañaña"), Ok(()));
        // No digits, no capitals, no symbols: fine when long and uncommon.
        assert_eq!(check("purple otter dances"), Ok(()));
        assert_eq!(check(&"x".repeat(MAX_CHARS)), Ok(()));
        assert_eq!(
            check(&"x".repeat(MAX_CHARS + 1)),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for common in [
            "password",
            "Password1",
            "PASSWORD1",
            "12345678",
            "iloveyou",
            "qwertyuiop",
        ] {
            assert_eq!(check(common), Err(PasswordProblem::Common), "{common}");
        }
        let list = include_str!("common_passwords.txt");
        assert_eq!(list.lines().count(), 10_000);
        assert!(
            list.lines()
                .all(|l| l.chars().count() >= 8 && l == l.to_lowercase())
        );
    }
}
