//! Story Time over real HTTP on 127.0.0.1:0, against a stand-in provider served by the test
//! (discovery, JWKS, token endpoint) whose keys the test holds, so it can sign any token.
//! The real portal drives it in `badgein-portal`'s tests (`tests/portal/demo_app.rs`).

// The bodies are plain async fns; a panic here is the failure report.
#![allow(clippy::unwrap_used)]

mod hostile;
mod provider;
mod sign_in;
