//! Argon2id password hashing on a fixed set of worker threads with a bounded queue. Unknown
//! usernames are checked against a dummy hash of the same cost, so they take as long as a
//! wrong password.
//!
//! Why not `spawn_blocking` per request, as before: a request dropped by its deadline freed
//! its slot while its hash kept running, so a login flood piled up hundreds of blocking
//! threads, each allocating 19 MiB that glibc's per-thread arenas then kept (6-7 GiB seen).
//! Here a job, once queued, owns its worker until it finishes whether or not anybody still
//! waits for the answer; each worker hashes into one memory block it allocated at start
//! (`hash_password_into_with_memory`), so hashing allocates nothing and memory stays flat;
//! and a full queue is refused at once (`Overloaded`) instead of growing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::config::Argon2Cost;
use crate::error::{PortalError, Result};

/// Passwords longer than this are refused before hashing (Argon2 would take them, but
/// nobody types 1 kB and it bounds the work per request).
pub const MAX_PASSWORD_LEN: usize = 1024;
/// NIST SP 800-63B minimum for a chosen password.
pub const MIN_PASSWORD_LEN: usize = 8;

/// The hashing pool's front: cheap to clone, all clones share the workers.
#[derive(Debug, Clone)]
pub struct Hasher {
    jobs: SyncSender<(Job, Slot)>,
    /// A place among the jobs running or waiting; taken before anything else is spent on an
    /// attempt (counters, a lookup), so a flood the workers cannot take costs nothing.
    slots: Arc<Semaphore>,
    work: Arc<Work>,
}

/// Argon2 runs the workers have done. Counting the work, not timing it, is how the tests show
/// that an unknown username costs what a wrong password costs: a timed test was at the mercy of
/// a loaded machine.
#[derive(Debug, Default)]
struct Work {
    runs: AtomicU64,
    at_full_cost: AtomicU64,
}

impl Work {
    /// One Argon2 run with `used`; "full cost" when it cost at least the configured `params`.
    fn record(&self, used: &Params, params: &Params) {
        self.runs.fetch_add(1, Ordering::Relaxed);
        if used.m_cost() >= params.m_cost()
            && used.t_cost() >= params.t_cost()
            && used.p_cost() >= params.p_cost()
        {
            self.at_full_cost.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What [`Hasher::work_done`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashWork {
    /// Argon2 computations finished (hashes and checks, the dummy's included).
    pub runs: u64,
    /// Of those, the ones at the configured cost or more.
    pub at_full_cost: u64,
}

/// A reserved place in the hashing pool, held until the job that uses it is done.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String>>,
    },
    Verify {
        stored: Option<String>,
        password: String,
        reply: oneshot::Sender<bool>,
    },
}

impl Hasher {
    /// Starts `workers` hashing threads that take jobs from a queue of at most `queue`
    /// waiting jobs. The threads end when the last clone of the `Hasher` is dropped.
    pub fn new(cost: Argon2Cost, workers: usize, queue: usize) -> Result<Self> {
        let params = Params::new(cost.m_cost_kib, cost.t_cost, cost.p_cost, None)
            .map_err(|e| PortalError::Hashing(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut memory = vec![Block::default(); params.block_count()];
        let dummy = hash_with(&argon2, &params, &mut memory, "not a real password")?;
        let (workers, queue) = (workers.max(1), queue.max(1));
        // Never full: the slots bound what is in it.
        let (jobs, receiver) = sync_channel(workers + queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let done = Arc::new(Work::default());
        for n in 0..workers {
            let receiver = Arc::clone(&receiver);
            let (argon2, params) = (argon2.clone(), params.clone());
            let (dummy, done) = (dummy.clone(), Arc::clone(&done));
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&receiver, &argon2, &params, &dummy, &done))
                .map_err(|e| PortalError::Hashing(e.to_string()))?;
        }
        Ok(Self {
            jobs,
            slots: Arc::new(Semaphore::new(workers + queue)),
            work: done,
        })
    }

    /// The Argon2 work done so far.
    pub fn work_done(&self) -> HashWork {
        HashWork {
            runs: self.work.runs.load(Ordering::Relaxed),
            at_full_cost: self.work.at_full_cost.load(Ordering::Relaxed),
        }
    }

    /// Reserves a place for one job, or `Overloaded` at once when every place is taken.
    pub fn reserve(&self) -> Result<Slot> {
        Arc::clone(&self.slots)
            .try_acquire_owned()
            .map(Slot)
            .map_err(|_| PortalError::Overloaded)
    }

    pub async fn hash(&self, password: String) -> Result<String> {
        let slot = self.reserve()?;
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Hash { password, reply }, slot)?;
        answer.await.map_err(|_| PortalError::Overloaded)?
    }

    /// `stored` is `None` for an unknown user or one without a password: the dummy hash is
    /// checked instead and the answer is `false`. Runs in `slot`, reserved before.
    pub async fn verify(
        &self,
        slot: Slot,
        stored: Option<String>,
        password: String,
    ) -> Result<bool> {
        let (reply, answer) = oneshot::channel();
        self.submit(
            Job::Verify {
                stored,
                password,
                reply,
            },
            slot,
        )?;
        answer.await.map_err(|_| PortalError::Overloaded)
    }

    fn submit(&self, job: Job, slot: Slot) -> Result<()> {
        match self.jobs.try_send((job, slot)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                Err(PortalError::Overloaded)
            }
        }
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Hash { .. } => "Job::Hash",
            Self::Verify { .. } => "Job::Verify",
        })
    }
}

/// One worker: takes the next job, runs it to the end in its own memory, answers if anybody
/// still listens, and only then gives its slot back.
fn work(
    receiver: &Mutex<Receiver<(Job, Slot)>>,
    argon2: &Argon2<'_>,
    params: &Params,
    dummy: &str,
    done: &Work,
) {
    let mut memory = vec![Block::default(); params.block_count()];
    loop {
        let job = {
            let receiver = receiver
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            receiver.recv()
        };
        let Ok((job, slot)) = job else {
            return;
        };
        match job {
            Job::Hash { password, reply } => {
                let hashed = hash_with(argon2, params, &mut memory, &password);
                if hashed.is_ok() {
                    done.record(params, params);
                }
                let _ = reply.send(hashed);
            }
            Job::Verify {
                stored,
                password,
                reply,
            } => {
                let real = stored.is_some();
                let phc = stored.as_deref().unwrap_or(dummy);
                let checked = verify_with(&mut memory, phc, &password);
                if let Some((_, used)) = &checked {
                    done.record(used, params);
                }
                let _ = reply.send(real && checked.is_some_and(|(ok, _)| ok));
            }
        }
        drop(slot);
    }
}

fn hash_with(
    argon2: &Argon2<'_>,
    params: &Params,
    memory: &mut [Block],
    password: &str,
) -> Result<String> {
    let failed = |e: &dyn std::fmt::Display| PortalError::Hashing(e.to_string());
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(PortalError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| failed(&e))?;
    let mut raw = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut raw)
        .map_err(|e| failed(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc`, and the cost it was checked at; computed
/// in `memory` when the stored cost fits it (every hash this service wrote does) and in a
/// temporary block otherwise. A damaged hash matches nothing and runs no Argon2 (`None`).
fn verify_with(memory: &mut [Block], phc: &str, password: &str) -> Option<(bool, Params)> {
    let hash = PasswordHash::new(phc).ok()?;
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return None;
    };
    let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
    let version = hash
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&hash)) else {
        return None;
    };
    let mut raw = [0u8; 64];
    let salt_bytes = Salt::decode_b64(&salt, &mut raw).ok()?;
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = if params.block_count() <= memory.len() {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
    } else {
        argon2.hash_password_into(password.as_bytes(), salt_bytes, &mut out)
    };
    computed.ok()?;
    // `Output`'s equality is constant-time.
    Some((Output::new(&out).is_ok_and(|o| o == expected), params))
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher as _;

    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_pass() {
        let h = Hasher::new(Argon2Cost::CHEAP_FOR_TESTS, 2, 4).unwrap();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        let verify = |stored: Option<String>, password: &str| {
            h.verify(h.reserve().unwrap(), stored, password.into())
        };
        assert!(verify(Some(phc.clone()), "correct horse").await.unwrap());
        assert!(!verify(Some(phc), "wrong").await.unwrap());
        assert!(!verify(None, "not a real password").await.unwrap());
        assert!(!verify(Some("garbage".into()), "x").await.unwrap());
    }

    #[tokio::test]
    async fn hashes_of_the_argon2_crate_verify_at_any_cost() {
        // A hash the `argon2` crate wrote (as an older release of this service did), at a
        // higher cost than the pool's memory.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let params = Params::new(256, 1, 1, None).unwrap();
        let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let h = Hasher::new(Argon2Cost::CHEAP_FOR_TESTS, 1, 1).unwrap();
        let slot = || h.reserve().unwrap();
        let right = h.verify(slot(), Some(phc.clone()), "correct horse".into());
        assert!(right.await.unwrap());
        let wrong = h.verify(slot(), Some(phc), "correct horsf".into());
        assert!(!wrong.await.unwrap());
    }

    #[tokio::test]
    async fn a_full_pool_is_refused_at_once_and_queued_jobs_still_finish() {
        // One worker, one waiting place: two slots, then refusals without waiting.
        let h = Hasher::new(Argon2Cost::PRODUCTION, 1, 1).unwrap();
        let mut pending = Vec::new();
        for _ in 0..2 {
            let (reply, answer) = oneshot::channel();
            let job = Job::Verify {
                stored: None,
                password: "x".into(),
                reply,
            };
            h.submit(job, h.reserve().unwrap()).unwrap();
            pending.push(answer);
        }
        assert!(matches!(h.reserve(), Err(PortalError::Overloaded)));
        assert!(matches!(
            h.hash("x".into()).await,
            Err(PortalError::Overloaded)
        ));
        // Dropping a waiter does not cancel its job; the other is still answered, and the
        // slots come back once the jobs are done.
        drop(pending.remove(0));
        assert!(!pending.remove(0).await.unwrap());
        let free = async {
            loop {
                if let Ok(slot) = h.reserve() {
                    return slot;
                }
                tokio::task::yield_now().await;
            }
        };
        let slot = tokio::time::timeout(std::time::Duration::from_secs(10), free)
            .await
            .expect("slots come back");
        assert!(!h.verify(slot, None, "y".into()).await.unwrap());
    }
}
