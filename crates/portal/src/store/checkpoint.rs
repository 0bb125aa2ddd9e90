//! WAL checkpoints off the writer's path. By default the commit that takes SQLite's WAL past
//! 1000 pages copies them back into the database file and syncs it, and every sign-in queued
//! behind that commit waits for the sync. Here a connection of its own checkpoints in PASSIVE
//! mode once a second: beside the writer and the readers, holding no lock they wait for. The
//! writer still checkpoints by itself past a larger WAL, as a backstop. Durability is
//! unchanged: the same syncs happen, on another thread.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::Notify;

const EVERY: Duration = Duration::from_secs(1);

/// The checkpointing task's handle; clones share it.
#[derive(Debug, Clone)]
pub(crate) struct Checkpoints {
    pool: SqlitePool,
    stop: Arc<Notify>,
}

impl Checkpoints {
    /// Starts checkpointing through `pool` (one writable connection) on the current runtime.
    pub fn start(pool: SqlitePool) -> Self {
        let stop = Arc::new(Notify::new());
        tokio::spawn(run(pool.clone(), Arc::clone(&stop)));
        Self { pool, stop }
    }

    /// Stops the task and closes its connection (after a checkpoint under way).
    pub async fn stop(&self) {
        self.stop.notify_one();
        self.pool.close().await;
    }
}

async fn run(pool: SqlitePool, stop: Arc<Notify>) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.notified() => return,
            _ = every.tick() => {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        }
    }
}
