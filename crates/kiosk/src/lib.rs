//! The kiosk's brain, without Tauri: everything the kiosk decides and every conversation it
//! has, so the Tauri shell only translates between the window and this crate.
//!
//! # Entry points for the shell
//!
//! 1. **Config**: [`config::load`] the file at [`config::path_in`]`(config_dir)`; a missing
//!    or damaged file means setup ([`config::ConfigError`] says why, without the contents).
//!    Save changes with [`config::save`] (atomic; config and state files are the kiosk user's
//!    alone, [`private_file`]). Setup's Save is [`setup::apply`]. The teacher PIN is stored as
//!    [`pin::hash`] (first chosen with [`pin::choose`]) and checked through
//!    [`pin_attempts::PinAttempts`], which applies [`pin_throttle`]'s waits and keeps the count
//!    in the state file at [`pin_attempts::path_in`]`(config_dir)`.
//!    Before it, [`managed::load_logged`] reads the machine-wide managed configuration (IT's:
//!    `/etc/badgein/kiosk.toml`, the registry's `HKLM\Software\Policies\BadgeIn`, macOS's
//!    managed preferences); [`managed::Managed::overlay`] puts its settings over the config
//!    (again after every change) and [`managed::Managed::lock`] over setup's Save.
//! 2. **Credential**: [`secrets::KeyringStore::default`] is the OS secret store;
//!    [`secrets::SecretStore::load`] gives the device credential ([`secrets::Credential`]: a
//!    secret that never prints, bound to the origin of the portal that issued it). Enroll
//!    with [`enroll::enroll`], which refuses with
//!    [`machine::Code::KeyringUnavailable`] (via [`enroll::EnrollError::code`]) when no
//!    persistent store exists. When setup moves the kiosk to another portal
//!    ([`setup::Applied::portal_changed`]), [`enroll::unenroll`] deletes the credential first.
//! 3. **Portal**: [`portal_client::PortalClient::new`]`(portal_url, credential)`, which refuses
//!    a credential issued by another origin.
//! 4. **Run**: build a [`machine::Kiosk`] (settings from [`config::KioskConfig::settings`],
//!    `enrolled` = a credential was found) and start [`driver::Driver::spawn`] with your
//!    [`driver::WebviewPort`] (open the portal webview / wipe it). Start the camera with
//!    [`driver::camera::spawn`] (an opener that returns a `FrameSource`, e.g.
//!    `badgein-camera`, and a tap for the live preview).
//! 5. **Window commands** become [`machine::Event`]s sent through
//!    [`driver::KioskHandle::send`]: `sign_out` -> `UserAction::SignOut`, `still_here` ->
//!    `StillHere`, `show_typed`/`cancel_typed`, `sign_in_password` ->
//!    `SubmitTyped(PasswordSignIn)`, `set_language`, `open_teacher` (then
//!    `SetupEvent::PinChecked(PinAnswer::Wait(_))` while a wait runs), `leave_setup`;
//!    `teacher_unlock` -> [`pin_attempts::PinAttempts::check`], then
//!    `SetupEvent::PinChecked(answer)`; `choose_pin` -> [`pin::choose`], saved, then
//!    `SetupEvent::PinChosen`; `enroll` ->
//!    [`enroll::enroll`], then [`driver::KioskHandle::use_client`] and
//!    `SetupEvent::Enrolled` (or `SetupEvent::Message(err.code())`). A kiosk not enrolled at
//!    start enrolls by itself when [`unattended::plan_here`] finds a portal and a code (managed
//!    or from the environment): [`unattended::run`].
//! 6. **Views**: [`driver::KioskHandle::views`] wakes on every new [`machine::View`], which
//!    serialises to exactly the `view` payload of `docs/kiosk-ipc.md`.
//!
//! 7. **Updates**: [`update_record::load`] at start and [`update_record::UpdateRecord::at_start`]
//!    (a failed update is reported and its version refused); once an update is downloaded,
//!    [`driver::KioskHandle::hold_when_quiet`] waits for [`update_gate`] to find a quiet moment
//!    on the scan screen and holds the kiosk still while the shell installs and restarts.
//! 8. **Setup QR**: on the setup screen the camera loop reads [`setup_qr`]s instead of badges
//!    ([`setup_qr_reader`]); the machine asks before switching portals and then emits
//!    `Effect::EnrollWithQr`, which the shell takes from
//!    [`driver::Driver::take_qr_enrollments`] and carries out with [`qr_enroll::enroll`].
//!
//! The pure parts ([`machine`], [`badge_reader`], [`scene_change`], [`portal_url`],
//! [`pin_throttle`], [`setup`], [`pin`], [`update_gate`], [`setup_qr`]) read no clock and open
//! nothing; time is an argument ([`config`], [`pin_attempts`] and [`update_record`] read and
//! write their files, the clock is still passed in).

pub mod badge_reader;
pub mod config;
pub mod driver;
pub mod enroll;
pub mod machine;
pub mod managed;
pub mod pin;
pub mod pin_attempts;
pub mod pin_throttle;
pub mod portal_client;
pub mod portal_url;
pub mod private_file;
pub mod qr_enroll;
pub mod redacted;
pub mod scene_change;
pub mod secrets;
pub mod setup;
pub mod setup_qr;
pub mod setup_qr_reader;
pub mod unattended;
pub mod update_gate;
pub mod update_record;
