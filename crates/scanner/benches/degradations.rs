//! Where decoding breaks (requirement S1): for each webcam degradation the synthetic camera
//! models, its strength is swept from mild to strong at badge distances of 20, 40 and 60 cm
//! from a 720p webcam, and the cliff is the strongest level at which at least 90% of the frames
//! still read. BadgeIn (`ScanOptions::LIVE`, the camera's setting; `--thorough` adds
//! `ScanOptions::THOROUGH`) is measured next to the reference decoder (`reference/`, rxing's
//! port of zxing-cpp) on the same frames. A frame counts as read only when a decoded text is the
//! badge's. Prints one table; asserts nothing.
//!
//! The frames use held-out seeds, from 1,000,000 upward: no test and no tuning of the scanner
//! uses them, so the cliffs measure the pipeline rather than what it was fitted to. Every scene
//! has the lens blur of a sharp webcam (`LENS_BLUR_PX`) and 2 grey levels of noise, a random
//! rotation and a little offset from the frame's centre.
//!
//! The sweep: a coarse ladder of levels, mild to strong, until every decoder has failed one
//! (a level fails as soon as more than 10% of its frames are missed), then one bisection step
//! between each decoder's last passed and first failed level.
//!
//!     cargo bench -p badgein-scanner --bench degradations [-- --thorough] [--budget-ms N]
//!     DEGRADATIONS_FRAMES=40 cargo bench -p badgein-scanner --bench degradations
//!     cargo bench -p badgein-scanner --bench degradations -- --only overshoot
//!     cargo test -p badgein-scanner --bench degradations     # smoke run
//!
//! `--budget-ms` replaces the decoders' time budgets (live 25 ms, thorough 1,500 ms): the budget
//! runs out in wall time, so on a loaded machine the live pipeline stops before its steps do
//! and the cliffs measure the machine's load; a longer budget measures the pipeline. The badge
//! is the same in every run, so that runs compare frame for frame.
//!
//! Run by `cargo bench` (which passes `--bench`) it measures; run any other way it is a smoke
//! run of two frames on two levels at one distance, whose numbers mean nothing.

// Shared with the other benchmarks, which use what this one does not (a code's bytes and
// centre, percentiles).
#[allow(dead_code)]
mod reference;
#[allow(dead_code)]
mod support;

use badgein_badge::Badge;
use badgein_scanner::{ScanOptions, scan};
use badgein_synthetic::{
    Backlight, Defocus, LENS_BLUR_PX, MotionBlur, Overshoot, RollingShutter, Scene, SensorNoise,
};

/// The first held-out seed; tests and tuning use seeds below it.
const HELD_OUT_SEEDS: u64 = 1_000_000;
/// The share of frames a level must read to pass.
const PASS: f64 = 0.9;
const DISTANCES: [f32; 3] = [20.0, 40.0, 60.0];
/// Frames per level when measuring.
const FRAMES: u64 = 20;

/// One degradation and the ladder of its strengths, mild to strong.
struct Degradation {
    name: &'static str,
    levels: &'static [f32],
    /// Where the bisection step between two levels falls.
    between: Between,
    /// The scene with the degradation at `level`; `i` is the frame's number, for what varies
    /// from frame to frame (a motion's direction).
    apply: fn(Scene, f32, u64) -> Scene,
}

impl Degradation {
    /// Whether a larger value is a stronger degradation (blur) or a weaker one (light).
    fn increasing(&self) -> bool {
        self.levels[self.levels.len() - 1] > self.levels[0]
    }

    /// Whether level `a` is at least as strong as `b`.
    fn at_or_beyond(&self, a: f32, b: f32) -> bool {
        if self.increasing() { a >= b } else { a <= b }
    }
}

const DEGRADATIONS: &[Degradation] = &[
    Degradation {
        name: "lens blur (Gaussian), blur px",
        levels: &[0.8, 1.5, 2.5, 4.0, 6.0, 9.0, 12.0],
        between: Between::Geometric,
        apply: |s, level, _| Scene {
            blur_px: level,
            ..s
        },
    },
    Degradation {
        name: "defocus (disk), radius px",
        levels: &[0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 8.0],
        between: Between::Geometric,
        apply: |s, level, _| Scene {
            defocus: Some(Defocus { radius_px: level }),
            ..s
        },
    },
    Degradation {
        name: "motion blur, length px (any angle)",
        levels: &[1.0, 2.0, 4.0, 6.0, 9.0, 13.0, 18.0, 25.0, 35.0],
        between: Between::Geometric,
        apply: |s, level, i| Scene {
            motion_blur: Some(MotionBlur {
                length_px: level,
                angle_deg: (i * 67 % 180) as f32,
            }),
            ..s
        },
    },
    Degradation {
        name: "low light (shot + read noise), room light",
        levels: &[1.0, 0.3, 0.1, 0.04, 0.02, 0.01, 0.005, 0.0025, 0.001],
        between: Between::Geometric,
        apply: |s, level, _| Scene {
            sensor_noise: Some(SensorNoise::webcam(level)),
            ..s
        },
    },
    Degradation {
        name: "auto-exposure overshoot, gain",
        levels: &[1.25, 1.5, 2.0, 3.0, 4.5, 6.0, 9.0, 13.0],
        between: Between::Geometric,
        apply: |s, level, _| Scene {
            overshoot: Some(Overshoot { gain: level }),
            ..s
        },
    },
    Degradation {
        name: "backlight, window / paper",
        levels: &[1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 8.0, 16.0],
        between: Between::Geometric,
        apply: |s, level, _| Scene {
            backlight: Some(Backlight { brightness: level }),
            ..s
        },
    },
    Degradation {
        name: "JPEG, quality",
        levels: &[80.0, 60.0, 45.0, 30.0, 20.0, 12.0, 6.0, 2.0],
        between: Between::Whole,
        apply: |s, level, _| Scene {
            jpeg_quality: level.round().clamp(1.0, 100.0) as u8,
            ..s
        },
    },
    Degradation {
        name: "rolling shutter, shift px per frame",
        levels: &[10.0, 25.0, 50.0, 100.0, 175.0, 300.0, 500.0, 800.0],
        between: Between::Geometric,
        apply: |s, level, i| Scene {
            rolling_shutter: Some(RollingShutter {
                shift_px: if i % 2 == 0 { level } else { -level },
            }),
            ..s
        },
    },
    Degradation {
        name: "glare, strength",
        levels: &[0.2, 0.4, 0.6, 0.8, 1.0],
        between: Between::Geometric,
        apply: |s, level, _| Scene { glare: level, ..s },
    },
];

/// The middle of two levels.
#[derive(Clone, Copy)]
enum Between {
    /// Their geometric mean: the ladders are roughly geometric.
    Geometric,
    /// Their mean, rounded: JPEG's quality is a whole number.
    Whole,
}

impl Between {
    fn mid(self, a: f32, b: f32) -> f32 {
        match self {
            Between::Geometric => (a * b).sqrt(),
            Between::Whole => ((a + b) / 2.0).round(),
        }
    }
}

/// A decoder under test.
#[derive(Clone, Copy)]
enum Decoder {
    BadgeIn(ScanOptions),
    Reference,
}

impl Decoder {
    fn reads(self, frame: &badgein_scanner::Frame, badge: &support::Shown) -> bool {
        match self {
            Decoder::BadgeIn(options) => badge.read_in(&scan(frame, &options).codes),
            Decoder::Reference => reference::read(frame).iter().any(|c| c.text == badge.text),
        }
    }
}

/// Where a decoder's cliff is on a ladder.
#[derive(Clone, Copy)]
enum Cliff {
    /// Even the mildest level failed.
    BelowLadder,
    /// The strongest level that passed.
    At(f32),
    /// The strongest level passed too.
    BeyondLadder(f32),
}

impl Cliff {
    fn show(self, d: &Degradation) -> String {
        match self {
            Cliff::BelowLadder => format!("fails at {}", d.levels[0]),
            Cliff::At(v) => format!("{}", round(v)),
            Cliff::BeyondLadder(v) => format!("{} (all passed)", round(v)),
        }
    }

    /// Whether this cliff is at or beyond `other`'s, on `d`'s scale.
    fn at_or_beyond(self, other: Cliff, d: &Degradation) -> bool {
        match (self, other) {
            (_, Cliff::BelowLadder) | (Cliff::BeyondLadder(_), _) => true,
            (Cliff::BelowLadder, _) | (Cliff::At(_), Cliff::BeyondLadder(_)) => false,
            (Cliff::At(a), Cliff::At(b)) => d.at_or_beyond(a, b),
        }
    }
}

/// Two significant digits: bisection midpoints print as 6.2, not 6.204837.
fn round(v: f32) -> f32 {
    let scale = 10f32.powi(1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

struct Run {
    frames: u64,
    distances: Vec<f32>,
    /// How many of each ladder's levels to try (all when measuring).
    max_levels: usize,
    badge: support::Shown,
}

impl Run {
    /// Frames that may be missed at a level that passes.
    fn allowed_misses(&self) -> u64 {
        self.frames - (PASS * self.frames as f64).ceil() as u64
    }

    /// Whether each decoder reads at least 90% of the frames at `level`; a decoder stops as
    /// soon as it has missed too many.
    fn passes(
        &self,
        d: &Degradation,
        distance_cm: f32,
        level: f32,
        decoders: &[Decoder],
    ) -> Vec<bool> {
        let mut misses = vec![0u64; decoders.len()];
        let allowed = self.allowed_misses();
        for i in 0..self.frames {
            let seed = HELD_OUT_SEEDS + i;
            let base = Scene {
                distance_cm,
                centre: (
                    0.5 + ((i * 13) % 9) as f32 * 0.01 - 0.04,
                    0.5 + ((i * 7) % 5) as f32 * 0.01 - 0.02,
                ),
                rotation_deg: (i * 47 % 360) as f32,
                blur_px: LENS_BLUR_PX,
                noise: 2.0,
                seed,
                frame: seed,
                ..Scene::default()
            };
            let frame = (d.apply)(base, level, i).render(Some(&self.badge.image));
            for (decoder, missed) in decoders.iter().zip(misses.iter_mut()) {
                if *missed <= allowed && !decoder.reads(&frame, &self.badge) {
                    *missed += 1;
                }
            }
            if misses.iter().all(|&m| m > allowed) {
                break;
            }
        }
        misses.iter().map(|&m| m <= allowed).collect()
    }

    /// Each decoder's cliff on `d`'s ladder at one distance.
    fn cliffs(&self, d: &Degradation, distance_cm: f32, decoders: &[Decoder]) -> Vec<Cliff> {
        let levels = &d.levels[..self.max_levels.min(d.levels.len())];
        // Per decoder: the index of its first failed level, once it has one.
        let mut first_fail: Vec<Option<usize>> = vec![None; decoders.len()];
        for (index, &level) in levels.iter().enumerate() {
            let alive: Vec<usize> = (0..decoders.len())
                .filter(|&k| first_fail[k].is_none())
                .collect();
            if alive.is_empty() {
                break;
            }
            let which: Vec<Decoder> = alive.iter().map(|&k| decoders[k]).collect();
            for (k, passed) in alive
                .into_iter()
                .zip(self.passes(d, distance_cm, level, &which))
            {
                if !passed {
                    first_fail[k] = Some(index);
                }
            }
        }
        decoders
            .iter()
            .zip(first_fail)
            .map(|(&decoder, fail)| match fail {
                None => Cliff::BeyondLadder(levels[levels.len() - 1]),
                Some(0) => Cliff::BelowLadder,
                Some(f) => {
                    // One bisection step between the last level passed and the first failed.
                    let (pass, fail) = (levels[f - 1], levels[f]);
                    let mid = d.between.mid(pass, fail);
                    let refine = mid != pass && mid != fail && self.max_levels >= d.levels.len();
                    if refine && self.passes(d, distance_cm, mid, &[decoder])[0] {
                        Cliff::At(mid)
                    } else {
                        Cliff::At(pass)
                    }
                }
            })
            .collect()
    }
}

/// The badge shown: fixed, so that runs compare.
fn badge() -> support::Shown {
    let badge = Badge::from_parts(
        [0x3C, 0x91, 0x5E, 0x07, 0xA2],
        [
            0x6B, 0x12, 0xF0, 0x9D, 0x44, 0xC7, 0x28, 0x5A, 0xE1, 0x03, 0x7F, 0xB6, 0x90, 0x2D,
            0x58, 0xCE,
        ],
    );
    support::Shown {
        text: badge.to_string(),
        image: badge.render(8).expect("a badge renders"),
    }
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().collect();
    let measured = args.iter().any(|a| a == "--bench");
    let thorough = args.iter().any(|a| a == "--thorough");
    // `--only overshoot` sweeps only the degradations whose name contains it.
    let only_named = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let budget = args
        .iter()
        .position(|a| a == "--budget-ms")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .map(std::time::Duration::from_millis);
    let with_budget = |mut options: ScanOptions| {
        if let Some(budget) = budget {
            options.budget = budget;
        }
        options
    };
    let run = if measured {
        Run {
            frames: std::env::var("DEGRADATIONS_FRAMES")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(FRAMES),
            distances: DISTANCES.to_vec(),
            max_levels: usize::MAX,
            badge: badge(),
        }
    } else {
        println!("SMOKE RUN (not under cargo bench: the numbers mean nothing)");
        Run {
            frames: 2,
            distances: vec![40.0],
            max_levels: 2,
            badge: badge(),
        }
    };
    let mut decoders = vec![
        (
            "BadgeIn live",
            Decoder::BadgeIn(with_budget(ScanOptions::LIVE)),
        ),
        ("reference", Decoder::Reference),
    ];
    if thorough {
        decoders.push((
            "BadgeIn thorough",
            Decoder::BadgeIn(with_budget(ScanOptions::THOROUGH)),
        ));
    }
    let only: Vec<Decoder> = decoders.iter().map(|&(_, d)| d).collect();
    println!(
        "{} frames per level (held-out seeds from {HELD_OUT_SEEDS}), a level passes at {:.0}% read; badge {}; live budget {} ms",
        run.frames,
        PASS * 100.0,
        run.badge.text,
        with_budget(ScanOptions::LIVE).budget.as_millis(),
    );
    println!();
    print!("| degradation | distance |");
    for (name, _) in &decoders {
        print!(" {name} cliff |");
    }
    println!(" BadgeIn live at or beyond the reference |");
    println!("|---|---|{}---|", "---|".repeat(decoders.len()));
    let started = std::time::Instant::now();
    let (mut at_or_beyond, mut rows) = (0, 0);
    let chosen = DEGRADATIONS.iter().filter(|d| {
        only_named
            .as_ref()
            .is_none_or(|name| d.name.contains(name.as_str()))
    });
    for d in chosen {
        for &distance_cm in &run.distances {
            let cliffs = run.cliffs(d, distance_cm, &only);
            print!("| {} | {distance_cm} cm |", d.name);
            for cliff in &cliffs {
                print!(" {} |", cliff.show(d));
            }
            let ours = cliffs[0].at_or_beyond(cliffs[1], d);
            at_or_beyond += usize::from(ours);
            rows += 1;
            println!(" {} |", if ours { "yes" } else { "no" });
        }
    }
    println!();
    println!(
        "BadgeIn live's cliff at or beyond the reference's: {at_or_beyond} of {rows} ({:.0} s)",
        started.elapsed().as_secs_f64()
    );
}
