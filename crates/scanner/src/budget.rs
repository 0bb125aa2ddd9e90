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
