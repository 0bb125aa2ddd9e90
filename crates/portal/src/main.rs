//! `badgein-portal`: the portal service and its administration commands.

use badgein_portal::cli::logging::LogFormat;
use clap::Parser;

/// mimalloc instead of the system allocator: after 30 s of 300 connections flooding `/login`
/// (`benches/flood.rs`), glibc's malloc kept the connections' buffers in its arenas (RSS
/// 32 MiB before, 42 MiB after: +30%); mimalloc gives freed pages back (47 MiB before and
/// after). Its baseline is a little higher; what matters is that a flood leaves nothing behind.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = badgein_portal::cli::Cli::parse();
    let log_format = cli.log_format;
    badgein_portal::cli::logging::init(log_format);
    // Each open connection is a file descriptor: the default soft limit (1024 on most Linux
    // systems) is below the server's connection cap. Raise it to what the system allows.
    #[cfg(unix)]
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(%error, "open-file limit not raised");
    }
    // Blocking work (PDF sheets, roster files) is bounded; password hashing has its own
    // fixed workers (auth::password).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()
    {
        Ok(r) => r,
        Err(error) => {
            tracing::error!(%error, "cannot start the runtime");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(badgein_portal::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            match log_format {
                LogFormat::Text => eprintln!("error: {e:#}"),
                // One JSON line like the rest of the log.
                LogFormat::Json => tracing::error!(error = format!("{e:#}"), "stopped"),
            }
            // A refused roster or app registration is bad input, like a bad argument (clap
            // also exits 2).
            let refused_app = matches!(
                e.downcast_ref::<badgein_portal::PortalError>(),
                Some(badgein_portal::PortalError::App(_))
            );
            if e.downcast_ref::<badgein_roster::RosterError>().is_some() || refused_app {
                std::process::ExitCode::from(2)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}
