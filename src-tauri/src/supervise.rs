//! `badgein-kiosk --supervise`: runs the kiosk as a child process and starts it again after a
//! crash, waiting 1 s, then 2, 4 ... up to a minute while it keeps crashing (`Backoff`). A clean exit (the
//! teacher's Quit) ends the supervisor too. Windows' installers start the kiosk this way at
//! logon (packaging/kiosk/windows/); Linux and macOS use the service manager instead
//! (systemd's `Restart=on-failure`, launchd's `KeepAlive`), see docs/kiosk-install.md.
//!
//! The supervisor never starts Tauri, so the kiosk's single-instance lock is its child's.

use std::ffi::OsString;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::backoff::Backoff;

pub const FLAG: &str = "--supervise";

/// Whether the command line asks for the supervisor (the flag anywhere after the program).
pub fn requested(args: impl IntoIterator<Item = OsString>) -> bool {
    args.into_iter().skip(1).any(|arg| arg == FLAG)
}

/// How a run of the kiosk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// Exit status 0: quit on purpose.
    Clean,
    /// Anything else (a panic's 101, a crash's exception code or signal), as the OS said it.
    Failed(String),
}

/// Supervises this same executable without the flag, until it exits cleanly.
pub fn run() -> anyhow::Result<()> {
    crate::logging::init();
    let exe = std::env::current_exe().context("where is this program")?;
    let args: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|arg| arg != FLAG)
        .collect();
    tracing::info!("supervising the kiosk: restarted after a crash");
    supervise(
        || {
            let status = Command::new(&exe)
                .args(&args)
                .status()
                .context("starting the kiosk")?;
            Ok(if status.success() {
                Exit::Clean
            } else {
                Exit::Failed(status.to_string())
            })
        },
        std::thread::sleep,
    )
}

/// The loop, with the kiosk's run and the wait passed in. A kiosk that cannot even be started
/// ends the supervisor with that error: retrying a missing executable helps nobody.
pub fn supervise(
    mut run_kiosk: impl FnMut() -> anyhow::Result<Exit>,
    mut wait: impl FnMut(Duration),
) -> anyhow::Result<()> {
    let mut backoff = Backoff::default();
    loop {
        let started = Instant::now();
        match run_kiosk()? {
            Exit::Clean => return Ok(()),
            Exit::Failed(status) => {
                let next_wait = backoff.after_failure(started.elapsed());
                tracing::warn!(%status, wait_secs = next_wait.as_secs(), "the kiosk stopped; restarting it");
                wait(next_wait);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_found_after_the_program_only() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(requested(args(&["badgein-kiosk", "--supervise"])));
        assert!(!requested(args(&["badgein-kiosk"])));
        assert!(!requested(args(&["--supervise"])));
        assert!(!requested(args(&["badgein-kiosk", "--supervised"])));
    }

    #[test]
    fn crashes_are_restarted_with_growing_waits_until_a_clean_quit() {
        let mut exits = vec![Exit::Clean];
        exits.extend((0..8).map(|n| Exit::Failed(format!("exit status: {n}"))));
        let mut runs = 0;
        let mut waits = Vec::new();
        let result = supervise(
            || {
                runs += 1;
                Ok(exits.pop().unwrap())
            },
            |d| waits.push(d.as_secs()),
        );
        assert!(result.is_ok());
        assert_eq!(runs, 9);
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn a_kiosk_that_cannot_start_ends_the_supervisor() {
        let mut runs = 0;
        let result = supervise(
            || {
                runs += 1;
                anyhow::bail!("no such file")
            },
            |_| panic!("no wait for a kiosk that never started"),
        );
        assert!(result.is_err());
        assert_eq!(runs, 1);
    }
}
