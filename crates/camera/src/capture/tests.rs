use super::*;
use crate::fake::{Exploding, Ticking, eventually, scripted};
use std::sync::atomic::{AtomicBool, Ordering};

fn quick() -> Timeouts {
    Timeouts {
        open: Duration::from_millis(300),
        first_frame: Duration::from_millis(300),
        frame: Duration::from_millis(200),
        stop: Duration::from_millis(100),
    }
}

fn pixel(frame: &RawFrame) -> u8 {
    frame.data[0]
}

#[test]
fn the_consumer_gets_the_newest_frame_not_a_queue() {
    let (script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    for n in 1..=5 {
        script.frame(n);
    }
    assert!(eventually(|| capture.captured() == 5));
    assert_eq!(pixel(&capture.latest().expect("a frame")), 5);
    script.frame(6);
    assert_eq!(pixel(&capture.latest().expect("a frame")), 6);
}

#[test]
fn a_fast_device_is_never_behind() {
    let alive = Arc::new(AtomicBool::new(true));
    let device = Ticking {
        next: 0,
        alive: Arc::clone(&alive),
    };
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    let first = capture.latest().expect("a frame");
    thread::sleep(Duration::from_millis(50));
    let later = capture.latest().expect("a frame");
    // Two reads 50 ms apart on a 1000 fps device: a queue would hand over frame 2.
    assert!(
        pixel(&later) > pixel(&first).wrapping_add(10),
        "{first:?} then {later:?}"
    );
    drop(capture);
    assert!(
        !alive.load(Ordering::SeqCst),
        "a responsive thread is joined on drop"
    );
}

#[test]
fn a_device_that_blocks_forever_is_disconnected_within_the_timeout() {
    let (script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    script.frame(1);
    assert_eq!(pixel(&capture.latest().expect("first frame")), 1);

    let asked = Instant::now();
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));
    let waited = asked.elapsed();
    assert!(
        waited >= quick().frame && waited < Duration::from_secs(1),
        "{waited:?}"
    );

    // Sticky: the capture is not revived by a late frame.
    script.frame(2);
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));

    let dropping = Instant::now();
    drop(capture);
    assert!(
        dropping.elapsed() < Duration::from_millis(50),
        "an abandoned thread is not waited for"
    );
}

#[test]
fn a_stuck_first_frame_is_disconnected_too() {
    let (_script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));
}

#[test]
fn drop_does_not_hang_on_a_stuck_read_and_the_thread_ends_later() {
    let (script, device) = scripted();
    let capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    // Only a thread already inside the read is stuck; one that sees `stop` first just returns.
    assert!(eventually(|| script.reads_entered() == 1));
    let dropping = Instant::now();
    drop(capture);
    assert!(dropping.elapsed() < Duration::from_millis(500));
    assert!(script.alive(), "still blocked in read");
    // The read returns at last; the thread sees it was asked to stop and releases the device.
    script.frame(1);
    assert!(eventually(|| !script.alive()));
}

#[test]
fn read_errors_are_reported() {
    let (script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    for _ in 0..MAX_READ_ERRORS {
        script.error(SourceError::Other("boom".into()));
    }
    for _ in 0..2 {
        match capture.latest() {
            Err(SourceError::Other(m)) => assert_eq!(m, "boom"),
            other => panic!("expected the device's error, got {other:?}"),
        }
    }
    assert!(
        eventually(|| !script.alive()),
        "a failed capture releases the device"
    );
}

#[test]
fn one_transient_error_is_retried_and_a_fatal_one_is_not() {
    let (script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    script.error(SourceError::Other("glitch".into()));
    script.frame(7);
    assert_eq!(
        pixel(&capture.latest().expect("the frame after the glitch")),
        7
    );
    script.error(SourceError::PermissionDenied);
    script.frame(8);
    assert!(matches!(
        capture.latest(),
        Err(SourceError::PermissionDenied)
    ));
}

#[test]
fn open_errors_are_returned() {
    let result = Capture::start::<Exploding, _>("test", || Err(SourceError::NoCamera), quick());
    assert!(matches!(result, Err(SourceError::NoCamera)));
}

#[test]
fn an_open_that_hangs_times_out() {
    let opening = Instant::now();
    let result = Capture::start::<Exploding, _>(
        "test",
        || {
            thread::sleep(Duration::from_secs(3));
            Err(SourceError::NoCamera)
        },
        quick(),
    );
    assert!(matches!(result, Err(SourceError::Disconnected)));
    assert!(opening.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_panicking_device_is_an_error_not_a_hang() {
    // With a watchdog far longer than any test, only noticing the panic itself can answer.
    let patient = Timeouts {
        first_frame: Duration::from_secs(3600),
        frame: Duration::from_secs(3600),
        ..quick()
    };
    let mut capture = Capture::start("test", || Ok(Exploding), patient).expect("opens");
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));
}

#[test]
fn the_description_comes_from_the_device() {
    let (_script, device) = scripted();
    let capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    assert_eq!(capture.description(), "scripted test device");
}
