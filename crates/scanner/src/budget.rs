//! A time budget for one frame's decode work.
//!
//! The pipeline checks it between steps; no single step is interrupted (rqrr cannot be), so
//! steps are kept small and the expensive ones run last.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Instant,
}

impl Budget {
    pub fn new(limit: Duration) -> Self {
        Self {
            deadline: Instant::now() + limit,
        }
    }

    pub fn until(deadline: Instant) -> Self {
        Self { deadline }
    }

    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// The dearest of one kind of uninterruptible step seen so far on a frame: the next one is
/// begun only when the budget left can pay for as much, so a scan overruns its budget by less
/// than one such step (rqrr's passes and grid decodes cannot be stopped once begun).
#[derive(Debug, Clone, Copy, Default)]
pub struct Dearest(Duration);

impl Dearest {
    /// A floor for the first step, before any was timed.
    pub fn at_least(floor: Duration) -> Self {
        Self(floor)
    }

    /// Whether `budget` has time left for one more step as dear as the dearest so far.
    pub fn affordable(&self, budget: &Budget) -> bool {
        budget.remaining() > self.0
    }

    /// Runs `step`, remembering its time if it is the dearest yet.
    pub fn time<T>(&mut self, step: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = step();
        self.record(started.elapsed());
        out
    }

    /// The dearest step so far (or the floor).
    pub fn cost(&self) -> Duration {
        self.0
    }

    /// Remembers a step timed by the caller, if it is the dearest yet.
    pub fn record(&mut self, took: Duration) {
        self.0 = self.0.max(took);
    }
}
