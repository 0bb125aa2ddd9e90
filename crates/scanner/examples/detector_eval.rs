//! Scores `detector::locate` against the real photos in the shared sample sets, next to plain
//! rqrr, and times both on generated 1280x720 frames.
//!
//! Usage: `detector_eval [SAMPLES_ROOT] [--misses] [--set NAME] [--no-synthetic] [--only-synthetic]`
//! (default root `/work/shared/qr-samples`). Uses only the frame, code, budget and detector
//! modules, so it measures the detector alone, not the pipeline around it.

use badgein_scanner::budget::Budget;
use badgein_scanner::detector;
use badgein_scanner::frame::Frame;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Args {
    root: PathBuf,
    misses: bool,
    set: Option<String>,
    samples: bool,
    synthetic: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        root: PathBuf::from("/work/shared/qr-samples"),
        misses: false,
        set: None,
        samples: true,
        synthetic: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--misses" => args.misses = true,
            "--set" => args.set = it.next(),
            "--no-synthetic" => args.synthetic = false,
            "--only-synthetic" => args.samples = false,
            _ => args.root = PathBuf::from(a),
        }
    }
    args
}

fn main() {
    let args = parse_args();
    if args.samples {
        eval_samples(&args);
    }
    if args.synthetic {
        eval_synthetic();
    }
}

#[derive(Default)]
struct SetResult {
    files: usize,
    ours: usize,
    rqrr: usize,
    ours_ms: Vec<f64>,
    rqrr_ms: Vec<f64>,
}

fn eval_samples(args: &Args) {
    let mut sets: Vec<PathBuf> = match std::fs::read_dir(&args.root) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.root.display());
            return;
        }
    };
    sets.sort();
    let mut total = SetResult::default();
    let mut rows = Vec::new();
    let mut missed = Vec::new();
    for set in sets {
        let name = set
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if args.set.as_ref().is_some_and(|s| *s != name) {
            continue;
        }
        let mut r = SetResult::default();
        for (image, expected) in samples(&set) {
            let Some(frame) = load(&image) else {
                eprintln!("cannot load {}", image.display());
                continue;
            };
            r.files += 1;
            let start = Instant::now();
            let located = detector::locate(&frame, &Budget::new(Duration::from_secs(2)));
            r.ours_ms.push(start.elapsed().as_secs_f64() * 1e3);
            let ok = located.codes.iter().any(|c| c.bytes == expected);
            r.ours += usize::from(ok);
            let start = Instant::now();
            let plain = plain_rqrr(&frame);
            r.rqrr_ms.push(start.elapsed().as_secs_f64() * 1e3);
            let plain_ok = plain.contains(&expected);
            r.rqrr += usize::from(plain_ok);
            if !ok {
                missed.push(format!(
                    "{}/{}: {} finders, {} codes{}{}",
                    name,
                    image
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    located.finders.len(),
                    located.codes.len(),
                    match located.codes.first() {
                        None => String::new(),
                        Some(c) => format!(
                            " (wrong text: {:?} vs {:?})",
                            c.text.chars().take(30).collect::<String>(),
                            String::from_utf8_lossy(&expected)
                                .chars()
                                .take(30)
                                .collect::<String>()
                        ),
                    },
                    if plain_ok { "  [rqrr reads it]" } else { "" },
                ));
            }
        }
        total.files += r.files;
        total.ours += r.ours;
        total.rqrr += r.rqrr;
        total.ours_ms.extend(&r.ours_ms);
        total.rqrr_ms.extend(&r.rqrr_ms);
        rows.push((name, r));
    }
    rows.push(("total".to_string(), total));
    println!(
        "{:<10} {:>5} | {:>6} {:>8} {:>8} | {:>6} {:>8} {:>8}",
        "set", "files", "ours", "med ms", "p95 ms", "rqrr", "med ms", "p95 ms"
    );
    for (name, mut r) in rows {
        println!(
            "{:<10} {:>5} | {:>6} {:>8.2} {:>8.2} | {:>6} {:>8.2} {:>8.2}",
            name,
            r.files,
            r.ours,
            percentile(&mut r.ours_ms, 0.5),
            percentile(&mut r.ours_ms, 0.95),
            r.rqrr,
            percentile(&mut r.rqrr_ms, 0.5),
            percentile(&mut r.rqrr_ms, 0.95),
        );
    }
    if args.misses {
        println!("\nmisses:");
        for m in missed {
            println!("  {m}");
        }
    }
}

/// Every image in a set with its expected text (`<name>.txt`, not `<name>.result.txt`).
fn samples(set: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(rd) = std::fs::read_dir(set) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Vec<u8>)> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("png" | "jpg" | "jpeg" | "gif" | "bmp")
            )
        })
        .filter_map(|p| {
            let txt = p.with_extension("txt");
            std::fs::read(&txt).ok().map(|t| (p, t))
        })
        .collect();
    out.sort();
    out
}

fn load(path: &Path) -> Option<Frame> {
    let bytes = std::fs::read(path).ok()?;
    Frame::from_encoded(&bytes, None)
        .ok()
        .or_else(|| image::open(path).ok().map(|img| Frame::from_image(&img)))
}

/// rqrr on its own, as the crate's README uses it; it panics on some frames.
fn plain_rqrr(frame: &Frame) -> Vec<Vec<u8>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(
            frame.width() as usize,
            frame.height() as usize,
            |x, y| frame.get(x as u32, y as u32),
        );
        img.detect_grids()
            .into_iter()
            .filter_map(|g| {
                let mut out = Vec::new();
                g.decode_to(&mut out).ok().map(|_| out)
            })
            .collect()
    }))
    .unwrap_or_default()
}

fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i.min(v.len() - 1)]
}

/// A small deterministic generator for the synthetic frames' noise.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    /// Roughly normal noise with the given spread (sum of uniforms).
    fn noise(&mut self, spread: f32) -> f32 {
        let s: f32 = (0..4)
            .map(|_| (self.next() % 1000) as f32 / 1000.0 - 0.5)
            .sum();
        s * spread
    }
}

/// A noisy grey 1280x720 frame, optionally with a version-4 EC-H code of `module` px per
/// module pasted rotated by `angle` degrees at the centre (4-module quiet zone, anti-aliased).
fn synthetic_frame(code: Option<(&qrcode::QrCode, f32, f32)>, seed: u64) -> Frame {
    let (w, h) = (1280usize, 720usize);
    let mut rng = Lcg(seed);
    let mut data = vec![0u8; w * h];
    // A soft horizontal gradient, like uneven room light.
    for y in 0..h {
        for x in 0..w {
            let base = 120.0 + 40.0 * (x as f32 / w as f32);
            data[y * w + x] = (base + rng.noise(12.0)).clamp(0.0, 255.0) as u8;
        }
    }
    if let Some((qr, module, angle)) = code {
        let n = qr.width();
        let colors = qr.to_colors();
        let side = (n + 8) as f32;
        let (s, c) = angle.to_radians().sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let half = side * module / 2.0 * std::f32::consts::SQRT_2 + 2.0;
        let (x0, x1) = ((cx - half).max(0.0) as usize, ((cx + half) as usize).min(w));
        let (y0, y1) = ((cy - half).max(0.0) as usize, ((cy + half) as usize).min(h));
        for y in y0..y1 {
            for x in x0..x1 {
                // 2x2 supersampling so edges are grey, as through a lens.
                let mut acc = 0.0;
                let mut inside = 0;
                for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                    let (dx, dy) = (x as f32 + ox - cx, y as f32 + oy - cy);
                    let (u, v) = (
                        (c * dx + s * dy) / module + side / 2.0,
                        (-s * dx + c * dy) / module + side / 2.0,
                    );
                    if u < 0.0 || v < 0.0 || u >= side || v >= side {
                        continue;
                    }
                    inside += 1;
                    let (mx, my) = (u as i64 - 4, v as i64 - 4);
                    let dark = mx >= 0
                        && my >= 0
                        && (mx as usize) < n
                        && (my as usize) < n
                        && colors[my as usize * n + mx as usize] == qrcode::Color::Dark;
                    acc += if dark { 45.0 } else { 215.0 };
                }
                if inside > 0 {
                    let bg = f32::from(data[y * w + x]);
                    let v = (acc + bg * (4 - inside) as f32) / 4.0 + rng.noise(10.0);
                    data[y * w + x] = v.clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
    Frame::from_luma(w as u32, h as u32, data).unwrap_or_else(|e| panic!("synthetic frame: {e}"))
}

fn eval_synthetic() {
    let text = "BADGE:4F7Q-2K9X-HT3M-8WZR-LP5N";
    let qr =
        match qrcode::QrCode::with_version(text, qrcode::Version::Normal(4), qrcode::EcLevel::H) {
            Ok(q) => q,
            Err(e) => {
                eprintln!("cannot build the synthetic code: {e}");
                return;
            }
        };
    let with_code = synthetic_frame(Some((&qr, 6.0, 10.0)), 1);
    let blank = synthetic_frame(None, 2);
    println!("\nsynthetic 1280x720, median of 200 (one core):");
    for (name, frame, expect) in [
        ("v4-H 6px/module rot 10", &with_code, true),
        ("blank noisy", &blank, false),
    ] {
        let mut ours = Vec::new();
        let mut found = false;
        let mut finders = 0;
        for _ in 0..200 {
            let start = Instant::now();
            let l = detector::locate(frame, &Budget::new(Duration::from_secs(2)));
            ours.push(start.elapsed().as_secs_f64() * 1e3);
            found = l.codes.iter().any(|c| c.text == text);
            finders = l.finders.len();
        }
        let mut plain = Vec::new();
        let mut plain_found = false;
        for _ in 0..20 {
            let start = Instant::now();
            let p = plain_rqrr(frame);
            plain.push(start.elapsed().as_secs_f64() * 1e3);
            plain_found = p.iter().any(|t| t == text.as_bytes());
        }
        println!(
            "  {:<24} ours {:>6.3} ms (p95 {:>6.3}) read={} (expected {}) finders={} | rqrr {:>6.3} ms read={}",
            name,
            percentile(&mut ours, 0.5),
            percentile(&mut ours, 0.95),
            found,
            expect,
            finders,
            percentile(&mut plain, 0.5),
            plain_found
        );
    }
}
