//! How long to wait before starting again something that keeps failing: 1 s after the first
//! failure, then 2, 4 ... up to a minute while it keeps failing; a run that lasted a minute was
//! not a failure loop, so the next failure waits 1 s again. Used for the kiosk process
//! (`supervise`) and for a view's page whose web process died (`platform`).

use std::time::Duration;

/// The first wait after a failure; doubled after every failure up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_secs(1);
const MAX_WAIT: Duration = Duration::from_secs(60);
/// A run this long was not a failure loop: the next failure waits [`FIRST_WAIT`] again.
const STEADY: Duration = Duration::from_secs(60);

/// The waits of one thing being restarted.
#[derive(Debug, Clone)]
pub struct Backoff {
    next_wait: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            next_wait: FIRST_WAIT,
        }
    }
}

impl Backoff {
    /// The wait before starting again after a run of `ran_for` that failed.
    pub fn after_failure(&mut self, ran_for: Duration) -> Duration {
        if ran_for >= STEADY {
            self.next_wait = FIRST_WAIT;
        }
        let wait = self.next_wait;
        self.next_wait = (self.next_wait * 2).min(MAX_WAIT);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(backoff: &mut Backoff, ran_for: u64) -> u64 {
        backoff
            .after_failure(Duration::from_secs(ran_for))
            .as_secs()
    }

    #[test]
    fn quick_failures_wait_longer_each_time_up_to_a_minute() {
        let mut backoff = Backoff::default();
        let waits: Vec<u64> = (0..8).map(|_| secs(&mut backoff, 0)).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn a_run_of_a_minute_starts_the_waits_over() {
        let mut backoff = Backoff::default();
        for _ in 0..5 {
            secs(&mut backoff, 0);
        }
        assert_eq!(secs(&mut backoff, 59), 32);
        assert_eq!(secs(&mut backoff, 60), 1);
        assert_eq!(secs(&mut backoff, 3), 2);
    }
}
