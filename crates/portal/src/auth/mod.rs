//! Password sign-in, lockout, sessions and sign-in rate limits.

pub mod guard;
pub mod junk;
pub mod lockout;
pub mod password;
pub mod rate_limit;
pub mod sessions;
pub mod sign_in;
