//! Render time and size of a class set of 30 badges in each layout. Prints a table, asserts
//! nothing: `cargo bench -p badgein-sheet --bench render`.

use std::time::Instant;

use badgein_badge::Badge;
use badgein_sheet::{LABELS_PER_PAGE, Layout, SheetEntry, render};

const BADGES: usize = 30;
const RUNS: u32 = 20;

fn main() {
    let entries: Vec<SheetEntry> = (0..BADGES)
        .map(|i| SheetEntry {
            payload: Badge::from_parts([i as u8; 5], [i as u8 ^ 0x5a; 16]).encode(),
            first_name: format!("Child {i}"),
            class_name: "Room 12 – Mrs. Núñez".to_owned(),
            password: None,
        })
        .collect();
    println!("{BADGES} badges, best of {RUNS} runs");
    println!("layout    pages   bytes   bytes/page   ms");
    for (layout, pages) in [
        (Layout::Labels, BADGES.div_ceil(LABELS_PER_PAGE)),
        (Layout::Cards, BADGES),
    ] {
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let pdf = render(layout, &entries).expect("renders");
            best = best.min(started.elapsed().as_secs_f64() * 1000.0);
            size = pdf.len();
        }
        println!(
            "{:<8} {pages:>6} {size:>7} {:>12} {best:>6.2}",
            format!("{layout:?}"),
            size / pages
        );
    }
}
