//! The key property: every QR code on a printed sheet reads back, exactly, with the project's
//! own scanner, where it was meant to be.

use badgein_sheet::{LABELS_PER_PAGE, Layout, render};

use crate::support::{decode, entries, label_cell, rasterise, temp_dir};

fn payloads(count: usize, dir: &str, layout: Layout) -> (Vec<String>, Vec<image::GrayImage>) {
    let entries = entries(count, |i| format!("Child {i}"), "Room 12 – Mrs. Núñez");
    let pdf = render(layout, &entries).expect("renders");
    let pages = rasterise(&pdf, &temp_dir(dir));
    (entries.into_iter().map(|e| e.payload).collect(), pages)
}

/// Every cell of every page holds the entry it should, and cells past the end are blank.
fn assert_labels_read_back(count: usize, dir: &str) {
    let (payloads, pages) = payloads(count, dir, Layout::Labels);
    assert_eq!(pages.len(), count.div_ceil(LABELS_PER_PAGE));
    for (p, page) in pages.iter().enumerate() {
        for cell in 0..LABELS_PER_PAGE {
            let picture = label_cell(page, cell);
            let at = format!("{dir}: page {}, cell {}", p + 1, cell + 1);
            match payloads.get(p * LABELS_PER_PAGE + cell) {
                Some(payload) => {
                    assert_eq!(decode(&picture), std::slice::from_ref(payload), "{at}")
                }
                None => {
                    assert!(decode(&picture).is_empty(), "{at} reads as a badge");
                    assert!(picture.pixels().all(|p| p.0[0] > 128), "{at} is not blank");
                }
            }
        }
    }
}

#[test]
fn a_full_label_page_reads_back() {
    assert_labels_read_back(LABELS_PER_PAGE, "labels-12");
}

#[test]
fn a_whole_label_page_reads_in_one_scan() {
    let (mut payloads, pages) = payloads(LABELS_PER_PAGE, "labels-page", Layout::Labels);
    payloads.sort();
    assert_eq!(decode(&pages[0]), payloads);
}

#[test]
fn a_class_of_25_on_labels_reads_back_over_three_pages() {
    assert_labels_read_back(25, "labels-25");
}

#[test]
fn cards_read_back_one_per_page() {
    let (payloads, pages) = payloads(3, "cards-3", Layout::Cards);
    assert_eq!(pages.len(), 3);
    for (payload, page) in payloads.iter().zip(&pages) {
        assert_eq!(decode(page), std::slice::from_ref(payload));
    }
}
