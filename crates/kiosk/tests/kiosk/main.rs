//! The kiosk core end to end: the real driver, camera loop and portal client against a real
//! `badgein-portal` on 127.0.0.1:0 (SQLite in a temp dir), with camera frames read from PNG
//! files of rendered badges.

// Test helpers outside #[test] functions may unwrap too: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod camera;
mod enrollment;
mod managed;
mod portal_client;
mod portal_move;
mod settings_poll;
mod setup_qr;
mod sign_in;
mod typed;
mod update_hold;
