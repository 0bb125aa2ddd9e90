use super::*;
use crate::fake::{Exploding, PATIENCE, number, scripted, ticking};

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

/// Runs `f` on a thread of its own and returns its result, or `None` when it is still running
/// after [`PATIENCE`]. For "does not hang" tests: a hang fails them instead of hanging the suite,
/// and no loaded machine comes near the budget, so they never measure speed.
fn without_hanging<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(PATIENCE).ok()
}

#[test]
fn the_consumer_gets_the_newest_frame_not_a_queue() {
    let (script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    for n in 1..=5 {
        script.frame(n);
    }
    // The thread stores each frame before its next read: entering read 6 means 1 to 5 are in.
    assert!(script.device.wait_reads_entered(6));
    assert_eq!(capture.captured(), 5);
    assert_eq!(pixel(&capture.latest().expect("a frame")), 5);
    script.frame(6);
    assert_eq!(pixel(&capture.latest().expect("a frame")), 6);
}

#[test]
fn a_fast_device_is_never_behind() {
    let (device_did, device) = ticking();
    // Patient on drop, so that a loaded machine cannot leave a responsive thread behind.
    let timeouts = Timeouts {
        stop: PATIENCE,
        ..quick()
    };
    let mut capture = Capture::start("test", move || Ok(device), timeouts).expect("opens");
    let first = number(&capture.latest().expect("a frame"));
    // Ten more frames stored: the device has entered the read after them.
    assert!(device_did.wait_reads_entered(first + 11));
    let later = number(&capture.latest().expect("a frame"));
    // A queue would hand over the frame after `first`.
    assert!(later >= first + 10, "frame {first} then frame {later}");
    drop(capture);
    assert!(!device_did.alive(), "a responsive thread is joined on drop");
}

#[test]
fn a_device_that_blocks_forever_is_disconnected_within_the_timeout() {
    let (script, device) = scripted();
    let mut capture = Capture::start("test", move || Ok(device), quick()).expect("opens");
    script.frame(1);
    assert_eq!(pixel(&capture.latest().expect("first frame")), 1);

    let asked = Instant::now();
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));
    // Not before the watchdog's time. Only a lower bound: a monotonic clock meets it however
    // loaded the machine is; how much later it answered is not this test's business.
    let waited = asked.elapsed();
    assert!(waited >= quick().frame, "gave up after {waited:?}");

    // Sticky: the capture is not revived by a late frame.
    script.frame(2);
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));
}

#[test]
fn an_abandoned_thread_is_not_waited_for_on_drop() {
    let (script, device) = scripted();
    // Drop would wait an hour for a thread it has not given up on.
    let timeouts = Timeouts {
        stop: Duration::from_secs(3600),
        ..quick()
    };
    let mut capture = Capture::start("test", move || Ok(device), timeouts).expect("opens");
    script.frame(1);
    assert_eq!(pixel(&capture.latest().expect("first frame")), 1);
    assert!(matches!(capture.latest(), Err(SourceError::Disconnected)));
    assert!(
        without_hanging(move || drop(capture)).is_some(),
        "an abandoned thread is not waited for"
    );
    assert!(script.device.alive(), "the thread is still blocked in read");
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
    assert!(script.device.wait_reads_entered(1));
    assert!(
        without_hanging(move || drop(capture)).is_some(),
        "drop waits for a stuck read only as long as `stop`"
    );
    assert!(script.device.alive(), "still blocked in read");
    // The read returns at last; the thread sees it was asked to stop and releases the device.
    script.frame(1);
    assert!(script.device.wait_dropped());
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
        script.device.wait_dropped(),
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
    // The open blocks until the test lets it go, after `start` must have given up on it.
    let (release, released) = mpsc::channel::<()>();
    let result = without_hanging(|| {
        Capture::start::<Exploding, _>(
            "test",
            move || {
                let _ = released.recv();
                Err(SourceError::NoCamera)
            },
            quick(),
        )
    });
    drop(release);
    let result = result.expect("start gives up on a hanging open");
    assert!(
        matches!(result, Err(SourceError::Disconnected)),
        "{result:?}"
    );
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
