//! Password sign-in, lockout and sessions.

pub mod lockout;
pub mod password;
pub mod sessions;
pub mod sign_in;
