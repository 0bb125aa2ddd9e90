//! `badgein-portal`: the portal service and its administration commands.

use clap::Parser;

/// mimalloc instead of the system allocator: after 30 s of 300 connections flooding `/login`
/// (`benches/flood.rs`), glibc's malloc kept the connections' buffers in its arenas (RSS
/// 32 MiB before, 42 MiB after: +30%); mimalloc gives freed pages back (47 MiB before and
/// after). Its baseline is a little higher; what matters is that a flood leaves nothing behind.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "badgein_portal=info".into()),
        )
        .init();
    let cli = badgein_portal::cli::Cli::parse();
    // Each open connection is a file descriptor: the default soft limit (1024 on most Linux
    // systems) is below the server's connection cap. Raise it to what the system allows.
    #[cfg(unix)]
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("warning: open-file limit not raised: {e}");
    }
    // Blocking work (PDF sheets, roster files) is bounded; password hashing has its own
    // fixed workers (auth::password).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(badgein_portal::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
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
