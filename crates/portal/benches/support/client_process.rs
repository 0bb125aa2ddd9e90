//! The load client of the benchmarks that send their load from a process of their own (this
//! benchmark's binary again, with [`FLAG`] and a plan file), so that the clients' work is not
//! on the server's runtime.

use std::path::Path;

use anyhow::Context as _;

/// The argument that makes the binary the load client; the plan file follows it.
pub const FLAG: &str = "--load-client";

/// The plan file named after [`FLAG`] in this process's arguments, if it is the load client.
pub fn plan_file() -> Option<anyhow::Result<String>> {
    let mut args = std::env::args().skip_while(|a| a != FLAG);
    args.next()?;
    Some(args.next().context("--load-client PLAN_FILE"))
}

/// Runs the load client on `plan` and returns what it printed (its stderr goes to ours).
pub async fn run(plan: &Path) -> anyhow::Result<Vec<u8>> {
    let client = std::env::current_exe()?;
    let plan = plan.to_owned();
    // Waited for off the runtime: the server answering the client runs on it.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(client)
            .arg(FLAG)
            .arg(plan)
            .stderr(std::process::Stdio::inherit())
            .output()
    })
    .await??;
    anyhow::ensure!(out.status.success(), "load client: {}", out.status);
    Ok(out.stdout)
}
