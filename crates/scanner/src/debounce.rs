//! One sign-in per presentation (requirement S4): a badge held up for ten seconds is one
//! event, a different badge is a new event at once, and the same badge shown again after it
//! left the view is a new event. Time comes in as an argument; nothing here reads a clock.

use std::time::{Duration, Instant};

/// How long a code must be out of view before showing it again counts as a new presentation.
/// Decoding misses frames now and then while a badge is held still, so this must be longer
/// than a few missed frames.
pub const DEFAULT_ABSENCE: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone)]
pub struct Debouncer {
    absence: Duration,
    current: Option<(Vec<u8>, Instant)>,
}

impl Default for Debouncer {
    fn default() -> Self {
        Self::new(DEFAULT_ABSENCE)
    }
}

impl Debouncer {
    pub fn new(absence: Duration) -> Self {
        Self {
            absence,
            current: None,
        }
    }

    /// Feeds the payloads read from one frame at `now`; returns the payload that starts a new
    /// presentation, if any. With several codes in one frame, the first new one wins.
    pub fn observe<'a>(
        &mut self,
        payloads: impl IntoIterator<Item = &'a [u8]>,
        now: Instant,
    ) -> Option<Vec<u8>> {
        let mut seen_current = false;
        let mut new = None;
        for p in payloads {
            match &self.current {
                Some((cur, last))
                    if cur.as_slice() == p
                        && now.saturating_duration_since(*last) <= self.absence =>
                {
                    seen_current = true;
                }
                _ => {
                    if new.is_none() {
                        new = Some(p.to_vec());
                    }
                }
            }
        }
        if seen_current {
            if let Some((_, last)) = &mut self.current {
                *last = now;
            }
            // While the current badge is still in view, another one in the same frame is a
            // second child crowding in, not a swap; a swap shows only the new badge.
            return None;
        }
        let p = new?;
        self.current = Some((p.clone(), now));
        Some(p)
    }

    /// Forget the current presentation (after sign-out, the same badge may sign in again).
    pub fn reset(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_badge_is_one_event_swap_is_another() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut d = Debouncer::default();
        let a: &[u8] = b"BI1-A";
        let b: &[u8] = b"BI1-B";
        assert_eq!(d.observe([a], ms(0)), Some(a.to_vec()));
        // Held for 10 s at 30 fps, with a missed frame now and then.
        for i in 1..300 {
            let frame: Vec<&[u8]> = if i % 7 == 0 { vec![] } else { vec![a] };
            assert_eq!(d.observe(frame, ms(i * 33)), None, "frame {i}");
        }
        assert_eq!(d.observe([b], ms(10_000)), Some(b.to_vec()));
        assert_eq!(d.observe([b], ms(10_033)), None);
        // A returns after B left: a new presentation.
        assert_eq!(d.observe([a], ms(10_100)), Some(a.to_vec()));
        // A leaves for longer than the absence window and comes back.
        assert_eq!(d.observe([a], ms(13_000)), Some(a.to_vec()));
        d.reset();
        assert_eq!(d.observe([a], ms(13_033)), Some(a.to_vec()));
    }
}
