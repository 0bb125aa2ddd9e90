//! Pass rate and decode time per set on the real photos in `../shared/qr-samples`, for the
//! BadgeIn pipeline and for plain rqrr side by side, in the same run, one image at a time on
//! one thread. Prints tables; asserts nothing.
//!
//!     cargo bench -p badgein-scanner --bench samples [-- --misses] [--budget-ms N]
//!
//! `--budget-ms` replaces the Thorough budget (1,500 ms): on a loaded machine the budget runs
//! out in wall time before the pipeline's steps do, so a long budget separates what the
//! pipeline can read from what the machine had time for.

use std::time::Instant;

use badgein_scanner::sample_set::{self, SampleSet};
use badgein_scanner::{Frame, ScanOptions, rqrr_pass, scan};

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().collect();
    let show_misses = args.iter().any(|a| a == "--misses");
    let mut options = ScanOptions::THOROUGH;
    if let Some(ms) = args
        .iter()
        .position(|a| a == "--budget-ms")
        .and_then(|i| args.get(i + 1)?.parse().ok())
    {
        options.budget = std::time::Duration::from_millis(ms);
    }
    let root = sample_set::default_root();
    let sets = match sample_set::load(&root) {
        Ok(sets) => sets,
        Err(e) => {
            eprintln!("no samples at {}: {e}", root.display());
            return;
        }
    };
    println!("samples: {}", root.display());
    println!();
    println!(
        "| set | files | BadgeIn passes | median ms | p95 ms | rqrr passes | median ms | p95 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut all = Totals::default();
    let mut misses = Vec::new();
    for set in &sets {
        let t = run_set(set, &options, &mut misses);
        t.print_row(&set.name);
        all.add(t);
    }
    all.print_row("total");
    if show_misses {
        println!();
        println!("misses: {}", misses.join(" "));
    }
}

#[derive(Default)]
struct Totals {
    files: usize,
    ours: usize,
    plain: usize,
    ours_ms: Vec<f64>,
    plain_ms: Vec<f64>,
}

impl Totals {
    fn add(&mut self, o: Totals) {
        self.files += o.files;
        self.ours += o.ours;
        self.plain += o.plain;
        self.ours_ms.extend(o.ours_ms);
        self.plain_ms.extend(o.plain_ms);
    }

    fn print_row(&self, name: &str) {
        println!(
            "| {name} | {} | {} | {:.2} | {:.2} | {} | {:.2} | {:.2} |",
            self.files,
            self.ours,
            pct(&self.ours_ms, 50.0),
            pct(&self.ours_ms, 95.0),
            self.plain,
            pct(&self.plain_ms, 50.0),
            pct(&self.plain_ms, 95.0),
        );
    }
}

fn run_set(set: &SampleSet, options: &ScanOptions, misses: &mut Vec<String>) -> Totals {
    let mut t = Totals::default();
    for sample in &set.samples {
        t.files += 1;
        let Ok(bytes) = std::fs::read(&sample.image) else {
            continue;
        };
        let Ok(frame) = Frame::from_encoded(&bytes, None) else {
            continue;
        };

        let started = Instant::now();
        let result = scan(&frame, options);
        t.ours_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        if result
            .codes
            .iter()
            .any(|c| c.bytes == sample.expected || c.text.as_bytes() == sample.expected)
        {
            t.ours += 1;
        } else {
            let name = sample
                .image
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            misses.push(format!("{}/{}", set.name, name.unwrap_or_default()));
        }

        let started = Instant::now();
        let plain = rqrr_pass::run(&frame, 1.0);
        t.plain_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        if plain
            .codes
            .iter()
            .any(|c| c.bytes == sample.expected || c.text.as_bytes() == sample.expected)
        {
            t.plain += 1;
        }
    }
    t
}

fn pct(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[rank.min(v.len() - 1)]
}
