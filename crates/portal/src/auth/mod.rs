//! Password sign-in, lockout, the staff second factor (`totp`, `recovery`, `pending`,
//! `second_factor`), sessions (and what a session may do: `origin`) and sign-in rate limits.

pub mod delegation;
pub mod guard;
pub mod junk;
pub mod lockout;
pub mod origin;
pub mod password;
pub mod password_rules;
pub mod pending;
pub mod rate_limit;
pub mod recovery;
pub mod second_factor;
pub mod sessions;
pub mod sign_in;
pub mod totp;
