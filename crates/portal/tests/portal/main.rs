//! The portal over real HTTP on 127.0.0.1:0, on SQLite (and PostgreSQL when
//! `BADGEIN_TEST_POSTGRES` is set).

// The test bodies are plain async fns run once per backend, outside `#[test]`, so clippy's
// allow-unwrap-in-tests does not reach them: a panic here is the failure report.
#![allow(clippy::unwrap_used)]

mod access_ends;
mod accounts;
mod apps;
mod attacks;
mod authorize;
mod bad_input;
mod badge_sign_in;
mod browser;
mod claim;
mod cli;
mod demo_app;
mod durability;
mod fail_closed;
mod family;
mod fleet_tokens;
mod harness;
mod logout;
mod oidc;
mod oidc_clients;
mod password;
mod prune;
mod rate_limit;
mod roles;
mod roster;
mod saml;
mod service;
mod setup_qr;
mod sheet;
mod shutdown;
mod signing_keys;
mod staff_totp;
mod teacher;
mod two_instances;
