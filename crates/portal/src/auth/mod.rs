//! Password sign-in, lockout, sessions (and what a session may do: `origin`) and sign-in
//! rate limits.

pub mod guard;
pub mod junk;
pub mod lockout;
pub mod origin;
pub mod password;
pub mod password_rules;
pub mod rate_limit;
pub mod sessions;
pub mod sign_in;
