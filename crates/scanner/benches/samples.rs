//! BadgeIn and the reference decoder (rxing's port of zxing-cpp's QR reader, `reference/`)
//! side by side on real photos, in the same run, one image at a time on one thread:
//! - `../shared/qr-samples`: an image counts as read when a decoded code's text is exactly the
//!   expected text; "codes" counts the distinct codes each decoder reported;
//! - each folder of `../shared/qr-photos-boofcv` (corners labelled, no text): a labelled code
//!   counts as read when a decoded code's centre falls inside its quad (`quad_set::matched`),
//!   an image when all its labelled codes are.
//!
//! Prints one table and the goals (more images read than the reference on every set, at no
//! more than 1.5 times its median time; never stuck: no photo over 200 ms at `Effort::Thorough`
//! nor over the live budget at `Effort::Live`, each photo over a limit named with its time);
//! asserts nothing. The JPEG decoding is not timed. "max ms" is BadgeIn's slowest photo of the
//! set at Thorough, "live max ms" its slowest on the same frames at `Effort::Live`, the
//! camera's setting.
//!
//!     cargo bench -p badgein-scanner --bench samples [-- --misses] [--budget-ms N]
//!         [--repeat N] [--only NAME]...
//!
//! `--budget-ms` replaces the Thorough budget (1,500 ms): on a loaded machine the budget runs
//! out in wall time before the pipeline's steps do, so a long budget separates what the
//! pipeline can read from what the machine had time for. `--misses` lists the images BadgeIn
//! did not read and the reference did. `--repeat N` scans each photo N times with each decoder
//! and keeps the fastest time (the machine is shared: the fastest of a few runs is the closest
//! to the work itself). `--only NAME` (repeatable) keeps the photos whose `set/file` contains
//! NAME, to rerun the slow ones alone.

mod reference;

use std::path::Path;
use std::time::{Duration, Instant};

use badgein_scanner::quad_set::{self, QuadSet};
use badgein_scanner::sample_set::{self, SampleSet};
use badgein_scanner::{Frame, Point, ScanOptions, scan};

/// The most BadgeIn's median time may be of the reference's.
const TIME_RATIO_GOAL: f64 = 1.5;
/// Never stuck: the most one photo may take at `Effort::Thorough`, in ms (the live limit is
/// `ScanOptions::LIVE`'s budget).
const THOROUGH_LIMIT_MS: f64 = 200.0;

/// How the photos are run: the options, and the bench's own flags.
struct Run {
    options: ScanOptions,
    repeat: usize,
    only: Vec<String>,
}

impl Run {
    fn wants(&self, set: &str, image: &Path) -> bool {
        let name = format!("{set}/{}", file_name(image));
        self.only.is_empty() || self.only.iter().any(|o| name.contains(o.as_str()))
    }
}

/// One photo's BadgeIn times, for the never-stuck goal.
struct PhotoTime {
    name: String,
    thorough_ms: f64,
    live_ms: f64,
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().collect();
    let show_misses = args.iter().any(|a| a == "--misses");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1)?.parse::<u64>().ok())
    };
    let mut run = Run {
        options: ScanOptions::THOROUGH,
        repeat: value("--repeat").map_or(1, |n| n.max(1) as usize),
        only: args
            .windows(2)
            .filter(|w| w[0] == "--only")
            .map(|w| w[1].clone())
            .collect(),
    };
    if let Some(ms) = value("--budget-ms") {
        run.options.budget = Duration::from_millis(ms);
    }
    let mut rows = Vec::new();
    let mut misses = Vec::new();
    let mut times = Vec::new();

    let root = sample_set::default_root();
    match sample_set::load(&root) {
        Ok(sets) => {
            println!("samples: {}", root.display());
            let mut all = Row::new("qr-samples (all)");
            for set in &sets {
                let row = text_set(set, &run, &mut misses, &mut times);
                all.add(&row);
                rows.push(row);
            }
            rows.push(all);
        }
        Err(e) => eprintln!("no samples at {}: {e}", root.display()),
    }
    let root = quad_set::default_root();
    match quad_set::load(&root) {
        Ok(sets) => {
            println!("photos with labelled corners: {}", root.display());
            let mut all = Row::new("boofcv (all)");
            for set in &sets {
                let row = quad_set_row(set, &run, &mut misses, &mut times);
                all.add(&row);
                rows.push(row);
            }
            rows.push(all);
        }
        Err(e) => eprintln!("no labelled photos at {}: {e}", root.display()),
    }

    println!();
    println!(
        "| set | images | codes | BadgeIn images | codes | median ms | p95 ms | max ms | live max ms | reference images | codes | median ms | p95 ms | max ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    // With `--only`, the sets none of whose photos were kept are left out.
    rows.retain(|r| r.images > 0);
    for row in &rows {
        row.print();
    }
    println!();
    let sets: Vec<&Row> = rows.iter().filter(|r| !r.name.ends_with("(all)")).collect();
    let more = sets
        .iter()
        .filter(|r| r.ours.images > r.theirs.images)
        .count();
    let fast = sets
        .iter()
        .filter(|r| r.ours.median() <= TIME_RATIO_GOAL * r.theirs.median())
        .count();
    println!(
        "goal: more images read than the reference on every set: {more} of {} sets",
        sets.len()
    );
    println!(
        "goal: median time at most {TIME_RATIO_GOAL} x the reference's: {fast} of {} sets",
        sets.len()
    );
    let live_limit_ms = ms(ScanOptions::LIVE.budget);
    let over: Vec<String> = times
        .iter()
        .filter_map(|t| {
            let mut why = Vec::new();
            if t.thorough_ms > THOROUGH_LIMIT_MS {
                why.push(format!("thorough {:.1} ms", t.thorough_ms));
            }
            if t.live_ms > live_limit_ms {
                why.push(format!("live {:.1} ms", t.live_ms));
            }
            (!why.is_empty()).then(|| format!("{} ({})", t.name, why.join(", ")))
        })
        .collect();
    println!(
        "goal: no photo over {THOROUGH_LIMIT_MS} ms at Thorough or {live_limit_ms} ms at Live: {} of {} photos over{}",
        over.len(),
        times.len(),
        if over.is_empty() { "" } else { ":" }
    );
    for line in &over {
        println!("  {line}");
    }
    if show_misses {
        println!();
        println!(
            "read by the reference, not by BadgeIn: {}",
            misses.join(" ")
        );
    }
}

/// One decoder's results on a set.
#[derive(Default)]
struct Side {
    images: usize,
    codes: usize,
    ms: Vec<f64>,
    /// BadgeIn only: the same frames at `Effort::Live` (never stuck: within the live budget).
    live_ms: Vec<f64>,
}

impl Side {
    fn median(&self) -> f64 {
        percentile(&self.ms, 50.0)
    }
}

struct Row {
    name: String,
    images: usize,
    /// Labelled codes (corner-labelled sets); for the text sets, none.
    codes: Option<usize>,
    ours: Side,
    theirs: Side,
}

impl Row {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            images: 0,
            codes: None,
            ours: Side::default(),
            theirs: Side::default(),
        }
    }

    fn add(&mut self, other: &Row) {
        self.images += other.images;
        if let Some(n) = other.codes {
            self.codes = Some(self.codes.unwrap_or(0) + n);
        }
        for (mine, theirs) in [
            (&mut self.ours, &other.ours),
            (&mut self.theirs, &other.theirs),
        ] {
            mine.images += theirs.images;
            mine.codes += theirs.codes;
            mine.ms.extend(&theirs.ms);
            mine.live_ms.extend(&theirs.live_ms);
        }
    }

    fn print(&self) {
        let codes = self.codes.map_or("-".into(), |n| n.to_string());
        let side = |s: &Side| {
            format!(
                "{} | {} | {:.1} | {:.1} | {:.1}",
                s.images,
                s.codes,
                s.median(),
                percentile(&s.ms, 95.0),
                percentile(&s.ms, 100.0)
            )
        };
        println!(
            "| {} | {} | {codes} | {} | {:.1} | {} |",
            self.name,
            self.images,
            side(&self.ours),
            percentile(&self.ours.live_ms, 100.0),
            side(&self.theirs)
        );
    }
}

/// Decodes `image`; `None` (and a note) when it cannot be read as an image.
fn frame_of(image: &Path) -> Option<Frame> {
    let frame = std::fs::read(image)
        .ok()
        .and_then(|bytes| Frame::from_encoded(&bytes, None).ok());
    if frame.is_none() {
        eprintln!("cannot read {}", image.display());
    }
    frame
}

/// What each decoder read in one frame, timed: BadgeIn's codes (text, centre) and the
/// reference's.
type Reads = (Vec<(Vec<u8>, String, Point)>, Vec<(Vec<u8>, String, Point)>);

fn read_both(frame: &Frame, run: &Run, ours: &mut Side, theirs: &mut Side) -> Reads {
    let (result, thorough_ms) = fastest(run.repeat, || scan(frame, &run.options));
    ours.ms.push(thorough_ms);
    let (_, live_ms) = fastest(run.repeat, || scan(frame, &ScanOptions::LIVE));
    ours.live_ms.push(live_ms);
    let mine = result
        .codes
        .into_iter()
        .map(|c| {
            let centre = c.centre();
            (c.bytes, c.text, centre)
        })
        .collect();
    let (read, reference_ms) = fastest(run.repeat, || reference::read(frame));
    theirs.ms.push(reference_ms);
    let other = read
        .into_iter()
        .map(|c| (c.bytes, c.text, c.centre))
        .collect();
    (mine, other)
}

/// `f`'s result and its fastest time of `repeat` runs, in ms.
fn fastest<T>(repeat: usize, mut f: impl FnMut() -> T) -> (T, f64) {
    let started = Instant::now();
    let mut out = f();
    let mut best = ms(started.elapsed());
    for _ in 1..repeat {
        let started = Instant::now();
        out = f();
        best = best.min(ms(started.elapsed()));
    }
    (out, best)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The last photo's BadgeIn times, under its `set/file` name.
fn photo_time(set: &str, image: &Path, row: &Row) -> PhotoTime {
    PhotoTime {
        name: format!("{set}/{}", file_name(image)),
        thorough_ms: row.ours.ms.last().copied().unwrap_or(f64::NAN),
        live_ms: row.ours.live_ms.last().copied().unwrap_or(f64::NAN),
    }
}

fn text_set(
    set: &SampleSet,
    run: &Run,
    misses: &mut Vec<String>,
    times: &mut Vec<PhotoTime>,
) -> Row {
    let mut row = Row::new(&set.name);
    for sample in set
        .samples
        .iter()
        .filter(|s| run.wants(&set.name, &s.image))
    {
        row.images += 1;
        let Some(frame) = frame_of(&sample.image) else {
            continue;
        };
        let (mine, other) = read_both(&frame, run, &mut row.ours, &mut row.theirs);
        times.push(photo_time(&set.name, &sample.image, &row));
        let hit = |codes: &[(Vec<u8>, String, Point)]| {
            codes.iter().any(|(bytes, text, _)| {
                *bytes == sample.expected || text.as_bytes() == sample.expected
            })
        };
        let (ours, theirs) = (hit(&mine), hit(&other));
        row.ours.images += usize::from(ours);
        row.theirs.images += usize::from(theirs);
        row.ours.codes += mine.len();
        row.theirs.codes += other.len();
        if theirs && !ours {
            misses.push(format!("{}/{}", set.name, file_name(&sample.image)));
        }
    }
    row
}

fn quad_set_row(
    set: &QuadSet,
    run: &Run,
    misses: &mut Vec<String>,
    times: &mut Vec<PhotoTime>,
) -> Row {
    let mut row = Row::new(&set.name);
    row.codes = Some(0);
    for sample in set
        .samples
        .iter()
        .filter(|s| run.wants(&set.name, &s.image))
    {
        row.images += 1;
        let labels = sample.codes.len();
        row.codes = row.codes.map(|n| n + labels);
        let Some(frame) = frame_of(&sample.image) else {
            continue;
        };
        let (mine, other) = read_both(&frame, run, &mut row.ours, &mut row.theirs);
        times.push(photo_time(&set.name, &sample.image, &row));
        let centres =
            |codes: &[(Vec<u8>, String, Point)]| codes.iter().map(|c| c.2).collect::<Vec<_>>();
        let ours = quad_set::matched(&sample.codes, &centres(&mine));
        let theirs = quad_set::matched(&sample.codes, &centres(&other));
        row.ours.codes += ours;
        row.theirs.codes += theirs;
        row.ours.images += usize::from(ours == labels);
        row.theirs.images += usize::from(theirs == labels);
        if theirs == labels && ours < labels {
            misses.push(format!("{}/{}", set.name, file_name(&sample.image)));
        }
    }
    row
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[(((p / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}
