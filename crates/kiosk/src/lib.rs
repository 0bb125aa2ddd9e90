//! The kiosk's brain, without Tauri: everything the kiosk decides and every conversation it
//! has, so the Tauri shell only translates between the window and this crate.
//!
//! # Entry points for the shell
//!
//! 1. **Config**: [`config::load`] the file at [`config::path_in`]`(config_dir)`; a missing
//!    or damaged file means setup ([`config::ConfigError`] says why, without the contents).
//!    Save changes with [`config::save`] (atomic). The teacher PIN is stored as
//!    [`pin::hash`] and checked with [`pin::verify`].
//! 2. **Credential**: [`secrets::KeyringStore::default`] is the OS secret store;
//!    [`secrets::SecretStore::load`] gives the device credential (a [`redacted::Redacted`]
//!    that never prints). Enroll with [`enroll::enroll`], which refuses with
//!    [`machine::Code::KeyringUnavailable`] (via [`enroll::EnrollError::code`]) when no
//!    persistent store exists.
//! 3. **Portal**: [`portal_client::PortalClient::new`]`(portal_url, credential)`.
//! 4. **Run**: build a [`machine::Kiosk`] (settings from [`config::KioskConfig::settings`],
//!    `enrolled` = a credential was found) and start [`driver::Driver::spawn`] with your
//!    [`driver::WebviewPort`] (open the portal webview / wipe it). Start the camera with
//!    [`driver::camera::spawn`] (an opener that returns a `FrameSource`, e.g.
//!    `badgein-camera`, and a tap for the live preview).
//! 5. **Window commands** become [`machine::Event`]s sent through
//!    [`driver::KioskHandle::send`]: `sign_out` -> `UserAction::SignOut`, `still_here` ->
//!    `StillHere`, `show_typed`/`cancel_typed`, `sign_in_password` ->
//!    `SubmitTyped(PasswordSignIn)`, `set_language`, `open_teacher`, `leave_setup`;
//!    `teacher_unlock` -> check the PIN, then `SetupEvent::PinChecked(ok)`; `enroll` ->
//!    [`enroll::enroll`], then [`driver::KioskHandle::use_client`] and
//!    `SetupEvent::Enrolled` (or `SetupEvent::Message(err.code())`).
//! 6. **Views**: [`driver::KioskHandle::views`] wakes on every new [`machine::View`], which
//!    serialises to exactly the `view` payload of `docs/kiosk-ipc.md`.
//!
//! The pure parts ([`machine`], [`badge_reader`], [`preview_pace`], [`portal_url`], [`config`],
//! [`pin`]) read no clock and open nothing; time is an argument.

pub mod badge_reader;
pub mod config;
pub mod driver;
pub mod enroll;
pub mod machine;
pub mod pin;
pub mod portal_client;
pub mod portal_url;
pub mod preview_pace;
pub mod private_file;
pub mod redacted;
pub mod secrets;
