//! Decode rate of the live pipeline per degradation (requirement S1) at badge distances of
//! 15-60 cm from a 720p webcam, one frame at a time (a child holding a badge gives the kiosk
//! many frames; this is the chance per frame). Prints a table.
//!
//!     cargo bench -p badgein-scanner --bench degradations

mod support;

use badgein_scanner::{ScanOptions, scan};
use badgein_synthetic::Scene;

/// Turns a clean scene into a degraded one; the seed varies the degradation.
type Degrade = fn(Scene, u64) -> Scene;

const SEEDS: u64 = 24;
const DISTANCES: [f32; 4] = [15.0, 30.0, 45.0, 60.0];

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let badge = support::Shown::generate();
    let cases: Vec<(&str, Degrade)> = vec![
        ("clean", |s, _| s),
        ("rotation 0-360", |s, i| Scene {
            rotation_deg: (i * 47 % 360) as f32,
            ..s
        }),
        ("tilt 30 deg", |s, i| Scene {
            tilt_x_deg: if i % 2 == 0 { 30.0 } else { -30.0 },
            tilt_y_deg: if i % 3 == 0 { 15.0 } else { 0.0 },
            rotation_deg: (i * 29 % 360) as f32,
            ..s
        }),
        ("blur 1.5 px", |s, _| Scene { blur_px: 1.5, ..s }),
        ("glare", |s, _| Scene { glare: 0.6, ..s }),
        ("dim (20% light)", |s, _| Scene {
            light: 0.2,
            noise: 4.0,
            ..s
        }),
        ("mirrored", |s, i| Scene {
            mirror: true,
            rotation_deg: (i * 47 % 360) as f32,
            ..s
        }),
        ("inverted", |s, i| Scene {
            invert: true,
            rotation_deg: (i * 47 % 360) as f32,
            ..s
        }),
        ("curved (lanyard)", |s, _| Scene { curve: 0.35, ..s }),
        ("all of it, mildly", |s, i| Scene {
            rotation_deg: (i * 47 % 360) as f32,
            tilt_x_deg: 15.0,
            blur_px: 0.8,
            glare: 0.3,
            light: 0.6,
            noise: 3.0,
            curve: 0.15,
            ..s
        }),
    ];
    print!("| degradation |");
    for d in DISTANCES {
        print!(" {d} cm |");
    }
    println!(" median ms |");
    println!("|---|{}---|", "---|".repeat(DISTANCES.len()));
    let mut mirrored_inverted = (0, 0);
    for (name, degrade) in &cases {
        print!("| {name} |");
        let mut times = Vec::new();
        for distance_cm in DISTANCES {
            let mut read = 0;
            for i in 0..SEEDS {
                let base = Scene {
                    distance_cm,
                    noise: 2.0,
                    seed: i,
                    frame: i,
                    ..Scene::default()
                };
                let frame = degrade(base, i).render(Some(&badge.image));
                let t = std::time::Instant::now();
                let result = scan(&frame, &ScanOptions::LIVE);
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                read += usize::from(badge.read_in(&result.codes));
            }
            if matches!(*name, "mirrored" | "inverted") {
                mirrored_inverted.0 += read;
                mirrored_inverted.1 += SEEDS as usize;
            }
            print!(" {:.0}% |", 100.0 * read as f64 / SEEDS as f64);
        }
        println!(" {:.2} |", support::percentile(&times, 50.0));
    }
    println!();
    println!(
        "mirrored + inverted: {} of {} frames read ({:.0}%)",
        mirrored_inverted.0,
        mirrored_inverted.1,
        100.0 * mirrored_inverted.0 as f64 / mirrored_inverted.1 as f64
    );
}
