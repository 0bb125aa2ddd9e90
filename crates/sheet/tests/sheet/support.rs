//! Badges to print, and PDFs turned back into pictures and decoded QR codes.

use std::path::{Path, PathBuf};
use std::process::Command;

use badgein_badge::Badge;
use badgein_scanner::{Frame, ScanOptions, scan};
use badgein_sheet::SheetEntry;

/// `n` entries with distinct fixed badges, names from `name(i)` and one class name. Fixed, not
/// drawn from OS random, so that a test fails for a change in the code and not for the draw.
pub fn entries(n: usize, name: impl Fn(usize) -> String, class: &str) -> Vec<SheetEntry> {
    (0..n)
        .map(|i| SheetEntry {
            payload: badge(i).encode(),
            first_name: name(i),
            class_name: class.to_owned(),
            password: None,
        })
        .collect()
}

/// Badge `i` of the fixed set: its id and secret spread the index over every byte.
fn badge(i: usize) -> Badge {
    let seed = (i as u64 + 1)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .to_le_bytes();
    let mut secret = [0u8; 16];
    for (k, byte) in secret.iter_mut().enumerate() {
        *byte = seed[k % 8] ^ (k as u8).wrapping_mul(0x3b);
    }
    Badge::from_parts([seed[0], seed[1], seed[2], seed[3], seed[4]], secret)
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("badgein-sheet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Rasterises `pdf` at 150 dpi (as a cheap office printer or a scan of a printout would give)
/// and returns one grey image per page, in page order.
pub fn rasterise(pdf: &[u8], dir: &Path) -> Vec<image::GrayImage> {
    let file = dir.join("sheet.pdf");
    std::fs::write(&file, pdf).expect("write the PDF");
    let status = Command::new("pdftoppm")
        .args(["-r", &DPI.to_string(), "-gray", "-png"])
        .arg(&file)
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm (Debian poppler-utils) is installed");
    assert!(status.success(), "pdftoppm failed: {status}");
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the temp dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    // pdftoppm pads page numbers to the same width, so names sort in page order.
    pngs.sort();
    pngs.iter()
        .map(|p| image::open(p).expect("pdftoppm wrote a PNG").into_luma8())
        .collect()
}

/// Every QR payload the scanner reads in `picture`, sorted.
pub fn decode(picture: &image::GrayImage) -> Vec<String> {
    let frame = Frame::from_image(&image::DynamicImage::ImageLuma8(picture.clone()));
    // A budget no machine runs out of: what is asked here is whether every code can be read,
    // not how fast (a page of twelve on a loaded CI machine once ran out of the 1.5 s one).
    let options = ScanOptions {
        budget: std::time::Duration::from_secs(120),
        ..ScanOptions::THOROUGH
    };
    let mut found: Vec<String> = scan(&frame, &options)
        .codes
        .into_iter()
        .map(|c| c.text)
        .collect();
    found.sort();
    found
}

/// Pixels per inch of [`rasterise`]'s pictures.
pub const DPI: u32 = 150;

/// Cell `index` (row by row from the top left) of a label page rasterised at [`DPI`]: 2.5-inch
/// cells, 3 across and 4 down, inside half-inch margins, as an Avery-style sheet expects.
pub fn label_cell(page: &image::GrayImage, index: usize) -> image::GrayImage {
    let cell = DPI * 5 / 2;
    let margin = DPI / 2;
    let (col, row) = (index as u32 % 3, index as u32 / 3);
    image::imageops::crop_imm(page, margin + col * cell, margin + row * cell, cell, cell).to_image()
}

/// Text on each page as poppler extracts it.
pub fn page_texts(pdf: &[u8], dir: &Path) -> Vec<String> {
    let file = dir.join("text.pdf");
    std::fs::write(&file, pdf).expect("write the PDF");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout)
        .expect("pdftotext -enc UTF-8")
        .split('\u{c}')
        .map(str::to_owned)
        .filter(|page| !page.trim().is_empty())
        .collect()
}
