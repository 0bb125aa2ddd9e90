//! Every code in the picture: a teacher's printed class sheet photographed whole, or two
//! children holding up badges together. The scanner must report all of them (the kiosk's "one
//! badge at a time" rule and `badgein-scan` on a sheet both depend on it), not the first few.

use badgein_scanner::{ScanOptions, scan};
use image::{GrayImage, Luma};
use qrcode::EcLevel;

use crate::support::qr;

/// `cols` x `rows` distinct codes at `module` px per module on a white page, with a gap of
/// `gap` px between neighbours' quiet zones. Returns the page and the payloads.
fn sheet(cols: u32, rows: u32, module: u32, gap: u32) -> (GrayImage, Vec<String>) {
    let payloads: Vec<String> = (0..cols * rows)
        .map(|i| format!("BADGE-{i:03}-SHEET"))
        .collect();
    let codes: Vec<GrayImage> = payloads
        .iter()
        .map(|p| qr(p.as_bytes(), EcLevel::M, module))
        .collect();
    let side = codes[0].width();
    let (w, h) = (cols * (side + gap) + gap, rows * (side + gap) + gap);
    let mut page = GrayImage::from_pixel(w, h, Luma([235]));
    for (i, code) in codes.iter().enumerate() {
        let (c, r) = (i as u32 % cols, i as u32 / cols);
        let (x, y) = (gap + c * (side + gap), gap + r * (side + gap));
        image::imageops::overlay(&mut page, code, i64::from(x), i64::from(y));
    }
    (page, payloads)
}

fn read_all(page: &GrayImage) -> Vec<String> {
    let frame = badgein_scanner::Frame::from_image(&image::DynamicImage::ImageLuma8(page.clone()));
    let mut texts: Vec<String> = scan(&frame, &ScanOptions::THOROUGH)
        .codes
        .into_iter()
        .map(|c| c.text)
        .collect();
    texts.sort();
    texts
}

#[test]
fn a_class_sheet_of_thirty_badges_is_read_whole() {
    let (page, mut payloads) = sheet(6, 5, 4, 8);
    payloads.sort();
    assert_eq!(read_all(&page), payloads);
}

#[test]
fn a_sheet_of_sixty_small_codes_is_read_whole() {
    let (page, mut payloads) = sheet(10, 6, 3, 6);
    payloads.sort();
    assert_eq!(read_all(&page), payloads);
}

#[test]
fn two_badges_side_by_side_are_both_read() {
    let (page, mut payloads) = sheet(2, 1, 6, 40);
    payloads.sort();
    assert_eq!(read_all(&page), payloads);
}
