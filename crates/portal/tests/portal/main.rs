//! The portal over real HTTP on 127.0.0.1:0, on SQLite (and PostgreSQL when
//! `BADGEIN_TEST_POSTGRES` is set).

mod bad_input;
mod badge_sign_in;
mod browser;
mod harness;
mod password;
