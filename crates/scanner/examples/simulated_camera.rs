//! The scanner watching a simulated camera: demo badges shown one after another at 30 fps, as
//! the kiosk's camera loop will see them. Prints each presentation and each change of hint.
//!
//!     cargo run --release -p badgein-scanner --example simulated_camera [-- SECONDS]

use std::time::{Duration, Instant};

use badgein_badge::Badge;
use badgein_frame::FrameSource;
use badgein_scanner::live::{LiveEvent, LiveScanner};
use badgein_synthetic::SyntheticSource;

const FPS: u64 = 30;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let badges: Vec<Badge> = (0..4)
        .map(|_| Badge::generate())
        .collect::<Result<_, _>>()?;
    let images = badges
        .iter()
        .map(|b| b.render(8))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, b) in badges.iter().enumerate() {
        println!("demo badge {}: id {}", i + 1, b.id());
    }
    let mut camera = SyntheticSource::presentations(images, 60, 30, (1280, 720), 7);
    println!("camera: {}; watching for {seconds} s", camera.describe());

    let mut live = LiveScanner::default();
    let start = Instant::now();
    let mut last_hint = None;
    let (mut frames, mut busy) = (0u64, Duration::ZERO);
    while frames < seconds * FPS {
        let Some(frame) = camera.next_frame()? else {
            break;
        };
        let due = start + Duration::from_millis(frames * 1000 / FPS);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let t = Instant::now();
        let event = live.push(&frame, t);
        busy += t.elapsed();
        frames += 1;
        let at = start.elapsed().as_secs_f32();
        match event {
            LiveEvent::Badge(b) => {
                let n = badges
                    .iter()
                    .position(|d| d.id() == b.id())
                    .map_or(0, |n| n + 1);
                println!("{at:6.1} s  badge {} presented (demo badge {n})", b.id());
            }
            LiveEvent::NotABadge(e) => println!("{at:6.1} s  a code that is not a badge: {e}"),
            LiveEvent::Nothing(hint) if hint != last_hint => {
                if let Some(h) = hint {
                    println!("{at:6.1} s  hint: {h:?}");
                }
                last_hint = hint;
            }
            LiveEvent::Nothing(_) | LiveEvent::Unchanged => {}
        }
    }
    println!(
        "{frames} frames, scanner busy {:.1}% of the time",
        100.0 * busy.as_secs_f64() / start.elapsed().as_secs_f64()
    );
    Ok(())
}
