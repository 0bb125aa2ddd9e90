//! glibc's malloc in WebKit's processes told to give freed memory back (Linux).
//!
//! glibc starts a program mapping each large block (128 KiB and more) on its own, returned when
//! freed; the first time the program frees one, it raises that threshold to the block's size
//! and keeps up to twice as much free memory at the top of each heap. The kiosk window's web
//! process kept 3-5 MB of heap it no longer used once the first children had been greeted;
//! held at 128 KiB, its PSS was 5 MB less after the warm-up and 8 MB less after 400 children
//! (docs/kiosk-performance.md). WebKit's processes read `GLIBC_TUNABLES` as they start, from
//! the app's environment, so the app sets it there before it starts a thread, and not for
//! itself (glibc read the app's tunables as the app started): its camera loop frees a
//! frame-sized block 30 times a second, which mapped anew each time cost 0.8 % of a core.
//!
//! An administrator's own `GLIBC_TUNABLES` is left alone. A kiosk started by one that set it
//! (Tauri's restart after an update passes its environment on) would run with it too, so that
//! one starts itself again without it first, before anything else.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt as _;
use std::process::Command;

use super::before_threads;

const TUNABLES: &str = "GLIBC_TUNABLES";
/// Says the app set [`TUNABLES`] to [`FOR_WEB_PROCESSES`] itself.
const MARK: &str = "BADGEIN_WEB_PROCESS_MALLOC";
/// glibc's initial thresholds (128 KiB), held there.
const FOR_WEB_PROCESSES: &str =
    "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072";

/// What to do, from the environment the app was started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Nobody set tunables: set them for the web processes.
    Set,
    /// The app's own setting came with it from an app before it: start again without it.
    StartAgain,
    /// Someone else's tunables: leave them alone.
    Leave,
}

/// The plan for an app started with `tunables` and `mark` (their values, when set).
fn plan(tunables: Option<&OsStr>, mark: Option<&OsStr>) -> Plan {
    match (tunables, mark) {
        (None, None) => Plan::Set,
        (Some(value), Some(_)) if is_ours(value) => Plan::StartAgain,
        _ => Plan::Leave,
    }
}

/// Whether `value` is [`FOR_WEB_PROCESSES`], or the start of it: glibc parses the tunables a
/// program starts with in place, and a glibc that shows the program its parsed copy shows
/// only the first.
fn is_ours(value: &OsStr) -> bool {
    value
        .to_str()
        .is_some_and(|v| !v.is_empty() && FOR_WEB_PROCESSES.starts_with(v))
}

/// What came of [`prepare`], logged once logging has started.
#[derive(Debug)]
pub enum Outcome {
    Set,
    Left,
    /// More threads were running than the libraries start before `main`: setting the
    /// environment then might race one reading it.
    NotAlone,
    /// Starting again without the inherited setting failed; the app runs with it.
    NotStartedAgain(std::io::Error),
}

impl Outcome {
    pub fn log(&self) {
        match self {
            Self::Set => tracing::debug!(tunables = FOR_WEB_PROCESSES, "web processes' malloc set"),
            Self::Left => tracing::info!("GLIBC_TUNABLES was set before the kiosk; left as it is"),
            Self::NotAlone => {
                tracing::warn!("web processes' malloc not set: another thread had started");
            }
            Self::NotStartedAgain(error) => tracing::warn!(
                %error,
                "could not start again without the web processes' malloc setting; running with it"
            ),
        }
    }
}

/// Sets the web processes' tunables. Call first, before the app starts any thread; it checks.
/// On [`Plan::StartAgain`] it replaces this process and does not return, unless that fails.
#[allow(unsafe_code)]
pub fn prepare() -> Outcome {
    match plan(
        std::env::var_os(TUNABLES).as_deref(),
        std::env::var_os(MARK).as_deref(),
    ) {
        Plan::Leave => Outcome::Left,
        Plan::StartAgain => Outcome::NotStartedAgain(start_again()),
        Plan::Set if !before_threads::alone() => Outcome::NotAlone,
        Plan::Set => {
            // SAFETY: no thread of the app's runs yet, and the one other thread there may be
            // (just checked) is JavaScriptCore's memory scavenger, which libwebkit2gtk's
            // initializers start before `main` and which never reads the environment: nothing
            // reads it while it changes.
            unsafe {
                std::env::set_var(TUNABLES, FOR_WEB_PROCESSES);
                std::env::set_var(MARK, "1");
            }
            Outcome::Set
        }
    }
}

/// Replaces this process with the same program and arguments, without the inherited setting;
/// returns only the error if that fails.
fn start_again() -> std::io::Error {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return error,
    };
    Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env_remove(TUNABLES)
        .env_remove(MARK)
        .exec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_follows_who_set_the_tunables() {
        let ours = OsStr::new(FOR_WEB_PROCESSES);
        let theirs = OsStr::new("glibc.malloc.arena_max=2");
        let mark = Some(OsStr::new("1"));
        assert_eq!(plan(None, None), Plan::Set);
        assert_eq!(plan(Some(ours), mark), Plan::StartAgain);
        let first = OsStr::new("glibc.malloc.mmap_threshold=131072");
        assert_eq!(plan(Some(first), mark), Plan::StartAgain);
        assert_eq!(plan(Some(OsStr::new("")), mark), Plan::Leave);
        assert_eq!(plan(Some(theirs), None), Plan::Leave);
        // Ours without the mark was set by someone else, to the same value: theirs.
        assert_eq!(plan(Some(ours), None), Plan::Leave);
        // The mark with someone else's value (changed since): theirs.
        assert_eq!(plan(Some(theirs), mark), Plan::Leave);
        // The mark alone: someone removed the tunables on purpose.
        assert_eq!(plan(None, mark), Plan::Leave);
    }
}
