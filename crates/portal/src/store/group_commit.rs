//! Group commit of sign-in records on SQLite. A SQLite commit costs a WAL append of every page
//! it dirtied and drops every reader's page cache, whatever it holds; one commit per sign-in
//! made that the rush's bottleneck. Here the sessions and audit rows that arrive while a commit
//! is under way are written together in the next transaction.
//!
//! Nothing is answered before it is recorded: each caller waits for the commit that holds its
//! record. A caller that gave up before its group started (its request deadline passed and it
//! answered `unavailable`) is left out, so a refusal is never followed by a recorded sign-in.
//! [`GroupCommit::close`] writes every record queued before it.
//!
//! It knows nothing of what it writes: a [`Record`] (an audit entry, a session with its
//! audit entry, an OpenID Connect code, a code's redemption) writes itself in the group's
//! transaction, most as one [`Statement`], so the modules that own the rows depend on this one
//! and never the other way.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use prometheus_client::metrics::histogram::Histogram;
use sqlx::query::Query;
use sqlx::{Database, Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::error::{PortalError, Result};

/// At most this many records in one transaction (bounds the time a group holds the writer).
const MAX_GROUP: usize = 256;
/// Callers queued beyond this wait to enqueue (back-pressure instead of unbounded memory).
const QUEUE: usize = 4096;

/// What a group commit writes: rows written together in the group's transaction. A record is
/// written again on its own when the database refused its group, so writing it must depend
/// only on the database (a record that reads what it wrote keeps the answer of its last try).
pub(crate) trait Record: Debug + Send + Sync + 'static {
    fn write<'c>(&'c self, tx: &'c mut SqliteConnection) -> Writing<'c>;
}

/// A record being written.
pub(crate) type Writing<'c> = Pin<Box<dyn Future<Output = sqlx::Result<()>> + Send + 'c>>;

/// A record that is one statement (which may be several sent as one), built each time it is
/// written.
pub(crate) trait Statement: Debug + Send + Sync + 'static {
    fn query(&self) -> Query<'_, Sqlite, <Sqlite as Database>::Arguments<'_>>;
}

impl<T: Statement> Record for T {
    fn write<'c>(&'c self, tx: &'c mut SqliteConnection) -> Writing<'c> {
        Box::pin(async move { self.query().execute(tx).await.map(|_| ()) })
    }
}

#[derive(Debug)]
struct Job {
    record: Box<dyn Record>,
    done: oneshot::Sender<Result<()>>,
}

#[derive(Debug)]
enum Message {
    Write(Job),
    Close(oneshot::Sender<()>),
}

/// The handle of the task that owns the group commits; clones share it.
#[derive(Debug, Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Message>,
    /// Each group's transaction, begin to commit (`badgein_db_group_commit_duration_seconds`).
    commit_time: Histogram,
}

impl GroupCommit {
    /// Starts the committing task on the current runtime. It ends at [`Self::close`] or when
    /// every handle is dropped.
    pub fn start(pool: SqlitePool) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let commit_time = crate::metrics::database_seconds();
        tokio::spawn(run(pool, rx, commit_time.clone()));
        Self { queue, commit_time }
    }

    /// How long the groups' transactions took (`crate::metrics` registers it).
    pub fn commit_time(&self) -> Histogram {
        self.commit_time.clone()
    }

    /// Writes `record` and returns once it is committed.
    pub async fn write(&self, record: Box<dyn Record>) -> Result<()> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send(Message::Write(Job { record, done }))
            .await
            .map_err(|_| PortalError::Closing)?;
        committed.await.map_err(|_| PortalError::Closing)?
    }

    /// Commits what is queued, refuses what comes after, and waits for the task to end.
    pub async fn close(&self) {
        let (ack, acked) = oneshot::channel();
        if self.queue.send(Message::Close(ack)).await.is_ok() {
            let _ = acked.await;
        }
    }
}

async fn run(pool: SqlitePool, mut rx: mpsc::Receiver<Message>, commit_time: Histogram) {
    let mut messages = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut messages, MAX_GROUP).await > 0 {
        let mut group = Vec::with_capacity(messages.len());
        let mut closing = None;
        for message in messages.drain(..) {
            match message {
                Message::Write(job) if closing.is_none() => group.push(job),
                Message::Write(job) => {
                    let _ = job.done.send(Err(PortalError::Closing));
                }
                Message::Close(ack) => closing = Some(ack),
            }
        }
        commit(&pool, group, &commit_time).await;
        if let Some(ack) = closing {
            rx.close();
            while let Ok(message) = rx.try_recv() {
                if let Message::Write(job) = message {
                    let _ = job.done.send(Err(PortalError::Closing));
                }
            }
            let _ = ack.send(());
            return;
        }
    }
}

async fn commit(pool: &SqlitePool, mut group: Vec<Job>, commit_time: &Histogram) {
    group.retain(|job| !job.done.is_closed());
    if group.is_empty() {
        return;
    }
    let started = Instant::now();
    let written = write(pool, group.iter().map(|j| j.record.as_ref())).await;
    commit_time.observe(started.elapsed().as_secs_f64());
    let Err(error) = written else {
        tracing::debug!(records = group.len(), "group committed");
        for job in group {
            let _ = job.done.send(Ok(()));
        }
        return;
    };
    let error = PortalError::from(error);
    if group.len() > 1 && matches!(error, PortalError::Conflict(_) | PortalError::NotFound(_)) {
        // One record the database refuses must not sink the others: each on its own.
        for job in group {
            let result = write(pool, std::iter::once(job.record.as_ref()))
                .await
                .map_err(PortalError::from);
            let _ = job.done.send(result);
        }
        return;
    }
    let shared = Arc::new(error);
    for job in group {
        let _ = job.done.send(Err(PortalError::Group(Arc::clone(&shared))));
    }
}

async fn write<'a>(
    pool: &SqlitePool,
    records: impl Iterator<Item = &'a dyn Record>,
) -> std::result::Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for record in records {
        record.write(&mut tx).await?;
    }
    tx.commit().await
}
