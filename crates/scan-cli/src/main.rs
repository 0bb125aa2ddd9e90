//! `badgein-scan IMAGE...`: one JSON line per image with every QR code found.
//! `badgein-scan --camera N`: print badges as they are shown to camera N.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use badgein_scanner::{Frame, ScanOptions, scan};
use serde_json::json;

const USAGE: &str = "\
usage: badgein-scan IMAGE...        print one JSON line per image with every QR code found
       badgein-scan --camera N      print badges shown to camera N (Ctrl-C to stop)
       badgein-scan --list-cameras  list the cameras found

Each line is {\"file\", \"ms\", \"codes\": [{\"text\", \"corners\"}]} or {\"file\", \"error\"};
corners are the code's top-left, top-right, bottom-right and bottom-left in image pixels.";

/// An image that keeps the decoder busy longer than this is reported as an error rather than
/// holding up the rest of the run (rqrr has pathological inputs it cannot be interrupted on).
const PER_IMAGE_LIMIT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    // rqrr panics on some images; the pipeline catches that, so the default hook's message
    // would only be noise in the JSON stream's stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help") => {
            println!("{USAGE}");
            if args.is_empty() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Some("--camera") => match args.get(1).and_then(|n| n.parse::<u32>().ok()) {
            Some(index) => camera::run(index),
            None => {
                eprintln!("badgein-scan: --camera needs a camera number (see --list-cameras)");
                ExitCode::from(2)
            }
        },
        Some("--list-cameras") => camera::list(),
        Some(_) => scan_files(&args),
    }
}

fn scan_files(files: &[String]) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failures = 0;
    for file in files {
        let line = match scan_file(Path::new(file)) {
            Ok((ms, codes)) => json!({"file": file, "ms": ms, "codes": codes}),
            Err(error) => {
                failures += 1;
                json!({"file": file, "error": error})
            }
        };
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE; // stdout closed (e.g. piped into head): stop quietly
        }
    }
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn scan_file(path: &Path) -> Result<(f64, serde_json::Value), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    let frame = Frame::from_encoded(&bytes, None).map_err(|e| e.to_string())?;
    // The decode runs on its own thread so one pathological image cannot hang the run.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = scan(&frame, &ScanOptions::THOROUGH);
        let _ = tx.send((started.elapsed(), result));
    });
    let (elapsed, result) = rx
        .recv_timeout(PER_IMAGE_LIMIT)
        .map_err(|_| format!("gave up after {} s", PER_IMAGE_LIMIT.as_secs()))?;
    let codes = result
        .codes
        .iter()
        .map(
            |c| json!({"text": c.text, "corners": c.corners.map(|p| [round1(p[0]), round1(p[1])])}),
        )
        .collect();
    Ok((
        round3(elapsed.as_secs_f64() * 1000.0),
        serde_json::Value::Array(codes),
    ))
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

mod camera {
    use std::io::Write;
    use std::process::ExitCode;
    use std::time::Instant;

    use badgein_camera::{Camera, CameraConfig};
    use badgein_frame::{FrameSource, SourceError};
    use badgein_scanner::ScanOptions;
    use badgein_scanner::live::{LiveEvent, LiveScanner};
    use serde_json::json;

    pub fn list() -> ExitCode {
        match badgein_camera::list() {
            Ok(cameras) if cameras.is_empty() => {
                eprintln!("badgein-scan: no camera found");
                ExitCode::FAILURE
            }
            Ok(cameras) => {
                for c in cameras {
                    println!("{}\t{}\t{}", c.index, c.name, c.description);
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("badgein-scan: {e}");
                ExitCode::FAILURE
            }
        }
    }

    /// Prints one JSON line per event: a badge shown (its public id only: the secret is never
    /// printed), a code that is not a badge, or a change of hint.
    pub fn run(index: u32) -> ExitCode {
        let mut camera = match Camera::open(index, CameraConfig::default()) {
            Ok(camera) => camera,
            Err(e) => {
                eprintln!("badgein-scan: camera {index}: {e}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!(
            "badgein-scan: reading {} (Ctrl-C to stop)",
            camera.describe()
        );
        let mut scanner = LiveScanner::new(ScanOptions::LIVE);
        let mut last_hint = None;
        let stdout = std::io::stdout();
        loop {
            let frame = match camera.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => return ExitCode::SUCCESS,
                Err(SourceError::Disconnected) => {
                    eprintln!("badgein-scan: the camera stopped sending frames, reopening");
                    if let Err(e) = camera.reopen() {
                        eprintln!("badgein-scan: {e}");
                        return ExitCode::FAILURE;
                    }
                    continue;
                }
                Err(e) => {
                    eprintln!("badgein-scan: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let line = match scanner.push(&frame, Instant::now()) {
                LiveEvent::Badge(badge) => json!({"event": "badge", "id": badge.id().to_string()}),
                LiveEvent::NotABadge(why) => {
                    json!({"event": "not_a_badge", "why": why.to_string()})
                }
                LiveEvent::Nothing(hint) if hint != last_hint => {
                    last_hint = hint;
                    json!({"event": "hint", "hint": hint})
                }
                LiveEvent::Nothing(_) | LiveEvent::Unchanged => continue,
            };
            if writeln!(stdout.lock(), "{line}").is_err() {
                return ExitCode::SUCCESS;
            }
        }
    }
}
