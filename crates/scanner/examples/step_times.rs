//! Where one photo's scan spends its time: the whole scan at each effort, then the detector
//! and each rqrr pass of the Thorough cascade timed on their own.
//!
//!     cargo run --release -p badgein-scanner --example step_times -- IMAGE...

use std::time::{Duration, Instant};

use badgein_scanner::budget::Budget;
use badgein_scanner::detector::{self, Reach};
use badgein_scanner::{Frame, ScanOptions, preprocess, rqrr_pass, scan};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        let frame = Frame::from_encoded(&bytes, None).expect("an image");
        println!("{path}: {}x{}", frame.width(), frame.height());
        for (name, options) in [
            ("thorough", ScanOptions::THOROUGH),
            ("live", ScanOptions::LIVE),
        ] {
            let t = Instant::now();
            let s = scan(&frame, &options);
            println!(
                "  scan {name}: {:.1} ms, {} codes, {} steps, {} finders",
                ms(t.elapsed()),
                s.codes.len(),
                s.seen.steps,
                s.seen.finders.len()
            );
            for code in &s.codes {
                let text: String = code.text.chars().take(40).collect();
                println!("    {text:?} at {:?}", code.corners[0]);
            }
        }
        let long = Budget::new(Duration::from_secs(600));
        let finders_only = |finders| Reach {
            finders,
            candidates: 0,
            triples: 0,
            ..Reach::CAMERA
        };
        for (name, reach) in [
            ("photo finders only", finders_only(Reach::PHOTO.finders)),
            ("photo", Reach::PHOTO),
            ("camera finders only", finders_only(Reach::CAMERA.finders)),
            ("camera", Reach::CAMERA),
        ] {
            let t = Instant::now();
            let located = detector::locate_within(&frame, &long, reach);
            println!(
                "  detector {name}: {:.1} ms, {} codes, {} unread, {} finders reported",
                ms(t.elapsed()),
                located.codes.len(),
                located.unread.len(),
                located.finders.len()
            );
        }
        let t = Instant::now();
        let mut base = frame.clone();
        while u64::from(base.width()) * u64::from(base.height()) > 1_300_000 {
            base = preprocess::half(&base).expect("halves");
        }
        println!(
            "  downscale to {}x{}: {:.1} ms",
            base.width(),
            base.height(),
            ms(t.elapsed())
        );
        type Step = (&'static str, fn(&Frame) -> Option<Frame>);
        let steps: &[Step] = &[
            ("plain", |f| Some(f.clone())),
            ("adaptive", |f| Some(preprocess::adaptive_threshold(f))),
            ("invert", |f| Some(preprocess::invert(f))),
            ("double", preprocess::double),
            ("stretch", |f| Some(preprocess::stretch(f))),
            ("adaptive inverted", |f| {
                Some(preprocess::adaptive_threshold(&preprocess::invert(f)))
            }),
            ("double adaptive", |f| {
                preprocess::double(f).map(|d| preprocess::adaptive_threshold(&d))
            }),
            ("half", preprocess::half),
        ];
        let small = u64::from(base.width()) * u64::from(base.height()) <= 400_000;
        for (name, step) in steps {
            if name.starts_with("double") && !small {
                continue;
            }
            let t = Instant::now();
            let Some(img) = step(&base) else { continue };
            let prep = ms(t.elapsed());
            let t = Instant::now();
            let pass = rqrr_pass::run(&img, 1.0);
            println!(
                "  rqrr {name}: prepare {prep:.1} ms, pass {:.1} ms, {} codes, {} failed grids",
                ms(t.elapsed()),
                pass.codes.len(),
                pass.failed_grids.len()
            );
        }
    }
}
