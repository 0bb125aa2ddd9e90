//! Per-frame decode time of the live pipeline on generated webcam-like frames, with a badge in
//! view and with nobody there (the idle case), and the CPU cost of scanning a second of still
//! video through the live scanner (which skips unchanged frames). Prints a table.
//!
//!     cargo bench -p badgein-scanner --bench frames

mod support;

use std::time::{Duration, Instant};

use badgein_scanner::live::LiveScanner;
use badgein_scanner::{ScanOptions, scan};
use badgein_synthetic::{Background, Scene};

const FRAMES: u64 = 200;

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let badge = support::Shown::generate();
    println!("| frame | content | frames | decoded | median ms | p95 ms | render ms |");
    println!("|---|---|---|---|---|---|---|");
    for (w, h) in [(640, 480), (1280, 720)] {
        let distance_cm = if w == 640 { 20.0 } else { 30.0 };
        for (content, shown) in [("badge", Some(&badge)), ("nobody (idle)", None)] {
            let (mut times, mut render, mut decoded) = (Vec::new(), Vec::new(), 0);
            for i in 0..FRAMES {
                // Each frame differs: hand position, angle, sensor noise.
                let scene = Scene {
                    width: w,
                    height: h,
                    distance_cm,
                    centre: (0.45 + (i % 7) as f32 * 0.015, 0.5 - (i % 5) as f32 * 0.01),
                    rotation_deg: (i * 37 % 360) as f32,
                    tilt_x_deg: (i % 11) as f32 * 2.0,
                    noise: 3.0,
                    background: Background::Classroom,
                    seed: i,
                    frame: i,
                    ..Scene::default()
                };
                let t = Instant::now();
                let frame = scene.render(shown.map(|b| &b.image));
                render.push(ms(t.elapsed()));
                let t = Instant::now();
                let result = scan(&frame, &ScanOptions::LIVE);
                times.push(ms(t.elapsed()));
                // With a badge, a frame counts only if it read as that badge's text; with nobody
                // there, any code found at all is counted (it should stay 0).
                decoded += usize::from(match shown {
                    Some(badge) => badge.read_in(&result.codes),
                    None => !result.codes.is_empty(),
                });
            }
            println!(
                "| {w}x{h} | {content} at {distance_cm} cm | {FRAMES} | {decoded} | {:.2} | {:.2} | {:.1} |",
                support::percentile(&times, 50.0),
                support::percentile(&times, 95.0),
                support::percentile(&render, 50.0),
            );
        }
    }

    // One second of 720p video at 30 fps of an empty classroom: only sensor noise changes.
    println!();
    println!("| 1 s of still 720p video at 30 fps | decode work ms | share of one core |");
    println!("|---|---|---|");
    let frames: Vec<_> = (0..30)
        .map(|i| {
            Scene {
                noise: 2.0,
                frame: i,
                ..Scene::default()
            }
            .render(None)
        })
        .collect();
    let mut live = LiveScanner::default();
    let t0 = Instant::now();
    let mut spent = Duration::ZERO;
    for _second in 0..10 {
        for (i, frame) in frames.iter().enumerate() {
            let t = Instant::now();
            let _ = live.push(frame, t0 + Duration::from_millis(i as u64 * 33));
            spent += t.elapsed();
        }
    }
    let per_second = ms(spent) / 10.0;
    println!(
        "| live scanner, nobody there | {per_second:.2} | {:.2}% |",
        per_second / 10.0
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
