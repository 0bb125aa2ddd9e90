//! Simulated, still and folder sources make frames as fast as they are asked; a webcam gives
//! them at its own rate. Paced to a camera's rate, the demo presentations last as long as they
//! would in front of a real camera and an idle kiosk does not spin a core.

use std::time::{Duration, Instant};

use badgein_frame::frame::Frame;
use badgein_frame::source::{FrameSource, SourceError};

/// Frame rate for sources that do not pace themselves.
pub const PACED_FPS: u32 = 30;

pub struct Paced {
    inner: Box<dyn FrameSource>,
    period: Duration,
    next: Option<Instant>,
}

impl std::fmt::Debug for Paced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paced")
            .field("source", &self.inner.describe())
            .field("period", &self.period)
            .finish()
    }
}

impl Paced {
    pub fn new(inner: Box<dyn FrameSource>, fps: u32) -> Self {
        Self {
            inner,
            period: Duration::from_secs(1) / fps.max(1),
            next: None,
        }
    }
}

impl FrameSource for Paced {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let now = Instant::now();
        if let Some(due) = self.next {
            // Frame pacing, not synchronisation: this is the camera's exposure time.
            std::thread::sleep(due.saturating_duration_since(now));
        }
        self.next = Some(self.next.map_or(now, |due| due.max(now)) + self.period);
        self.inner.next_frame()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Counter(u8);

    impl FrameSource for Counter {
        fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
            self.0 += 1;
            Ok(Some(Frame::from_luma(1, 1, vec![self.0])?))
        }
        fn describe(&self) -> String {
            "counter".into()
        }
    }

    #[test]
    fn frames_come_at_the_paced_rate() {
        let mut source = Paced::new(Box::new(Counter(0)), 100);
        let started = Instant::now();
        let mut last = 0;
        for _ in 0..11 {
            last = source.next_frame().unwrap().unwrap().get(0, 0);
        }
        // Ten periods of 10 ms between the first and the eleventh frame, none skipped.
        assert!(started.elapsed() >= Duration::from_millis(100));
        assert_eq!(last, 11);
    }
}
